"""The repository's folders, found from this file: no ``../`` anywhere else."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
LEXICON = PACKAGE / "lexicon"
ROOT = PACKAGE.parent.parent
SEEDS = ROOT / "seeds"
NOTEBOOKS = ROOT / "notebooks"
FIGURES = ROOT / "figures"
REPORTS = ROOT / "reports"
RESULTS = ROOT / "results"
TESTS = ROOT / "tests"
GOLD = TESTS / "data" / "seeds_gold.yaml"
REPORTS_CONFIG = ROOT / "reports.yaml"
