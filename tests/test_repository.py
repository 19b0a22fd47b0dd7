"""The repository as a user meets it: layout, seeds with their provenance, ignore rules, Makefile, README, CI."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess

import pytest
import yaml

from conflictlens import paths

TARGETS = ["help", "report", "test", "lab", "figures", "bench", "clean"]


def test_layout():
    for folder in ("notebooks", "lib/conflictlens", "seeds", "figures", "tests", ".ci"):
        assert (paths.ROOT / folder).is_dir(), folder
    for name in ("environment.yml", "pyproject.toml", "Makefile", "README.md", "reports.yaml", ".gitignore"):
        assert (paths.ROOT / name).is_file(), name


def test_seeds_match_their_provenance_record():
    # A changed byte in an input is a different corpus: every file is recorded with its sha256 and size.
    record = yaml.safe_load((paths.SEEDS / "sources.yaml").read_text())
    entries = {e["file"]: e for e in record["files"]}
    assert sorted(entries) == sorted(p.name for p in paths.SEEDS.glob("*.txt"))
    for name, entry in entries.items():
        data = (paths.SEEDS / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"] and entry["added"] and entry["what"] and entry["outlet"]
    assert (paths.SEEDS / "SOURCE.md").read_text().count(".txt`") == len(entries)


def test_gitignore_patterns_are_anchored():
    # The hard case: the stock Python `lib/` pattern would ignore lib/conflictlens.
    lines = [line.strip() for line in (paths.ROOT / ".gitignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns and all(p.startswith(("/", "!/")) for p in patterns), patterns


def test_makefile_help_is_built_from_the_targets():
    text = (paths.ROOT / "Makefile").read_text()
    documented = re.findall(r"^([a-z]+):[^\n]*## (.+)$", text, re.M)
    assert [t for t, _ in documented] == TARGETS
    if shutil.which("make"):
        out = subprocess.run(["make", "-s", "help"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
        for target, doc in documented:
            assert f"make {target}" in out.stdout and doc in out.stdout


def test_environment_is_created_only_when_missing_or_stale():
    text = (paths.ROOT / "Makefile").read_text()
    assert re.search(r"^\$\(STAMP\): pyproject\.toml$", text, re.M)
    assert "python3.11" in text and "-m venv" in text and "pip install --quiet -e ." in text
    assert re.search(r"^report: \$\(STAMP\)", text, re.M) and re.search(r"^test: \$\(STAMP\)", text, re.M)
    for var in ("JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        assert f"export {var} := $(CACHE)" in text


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_report_dry_run_does_not_reinstall_a_fresh_environment():
    stamp = paths.ROOT / ".venv" / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < (paths.ROOT / "pyproject.toml").stat().st_mtime:
        pytest.skip("the environment was not installed by make")
    out = subprocess.run(["make", "-n", "report"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    assert "pip install" not in out.stdout and "conflictlens report" in out.stdout


def test_ci_runs_the_readme_test_command():
    ci = paths.ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    assert re.search(r"^exec make test$", ci.read_text(), re.M)
    assert "make test" in (paths.ROOT / "README.md").read_text()


def test_readme_covers_what_a_user_needs():
    readme = (paths.ROOT / "README.md").read_text()
    for heading in ("## Two commands", "## Where the outputs go", "## The notebooks", "## Bringing your own corpus",
                    "## Scheduling a run", "## Scaling out", "## How to cite"):
        assert heading in readme, heading
    assert "make report" in readme and "--engine dask --scheduler" in readme
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (paths.ROOT / image).is_file(), image
    for notebook in paths.NOTEBOOKS.glob("*.ipynb"):
        assert f"`{notebook.stem}`" in readme, notebook.stem


def test_readme_lists_the_targets_make_help_prints():
    readme = (paths.ROOT / "README.md").read_text()
    text = (paths.ROOT / "Makefile").read_text()
    for target, doc in re.findall(r"^([a-z]+):[^\n]*## (.+)$", text, re.M):
        assert f"make {target:<9} {doc}" in readme, target
