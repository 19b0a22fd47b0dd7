"""The notebooks: committed clean with a documented parameters cell, and every one runs on the seeds (smoke preset)
through the batch run, writing its executed copy, its HTML and deterministic figures."""

from __future__ import annotations

import ast
import hashlib
import json
import re

import nbformat
import pytest

from conflictlens import analysis, paths, plots, report, store

NOTEBOOKS = ["01_corpus", "02_event_counts", "03_actor_mentions", "04_casualties", "05_explore"]
COMMON = ["corpus", "results", "start", "end", "actors", "kinds", "figures_dir", "formats", "dpi", "vague_convention"]
FIGURES = {
    "01_corpus": ["corpus_articles_by_date"],
    "02_event_counts": ["events_by_kind_over_time", "mentions_vs_incidents"],
    "03_actor_mentions": ["actors_co_mentions", "actors_network", "actors_over_time"],
    "04_casualties": ["casualties_timeline"],
    "05_explore": ["explore_selection"],
}
# papermill's documented form: `name: type = default  # help`, the default a literal (nothing derived here).
PARAMETER_LINE = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*): (?P<type>str|int|float|bool|list) = (?P<default>.+?)  # \S.*$")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_clean(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}  # no papermill record, no widget state
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: cell {cell.id} has outputs"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_documented_parameters_cell(name):
    nb = _read(name)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = []
    for line in tagged[0].source.splitlines():
        m = PARAMETER_LINE.match(line)
        assert m, f"{name}: {line!r} is not `name: type = default  # help`"
        ast.literal_eval(m["default"])  # a literal, not an expression of other parameters
        names.append(m["name"])
    assert names[: len(COMMON)] == COMMON
    assert nb.cells.index(tagged[0]) == 1  # right after the question, before any code


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_thin(name):
    # Logic lives in lib/: no function or class defined in a notebook, no cell longer than a few lines.
    for cell in _read(name).cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            assert not re.search(r"^\s*(def|class) ", cell.source, re.M)
            assert len(cell.source.splitlines()) <= 6


def test_no_scratch_notebooks():
    assert sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")) == NOTEBOOKS


@pytest.fixture(scope="module")
def smoke_run():
    """Every notebook on the seeds through the batch run, as `make test` does (smoke preset)."""
    runs = paths.REPORTS / "tests"  # kept apart: reports/latest stays the last real run
    code = report.run_report(None, None, [], "smoke", out=runs, run="smoke")
    run = runs / "smoke"
    return code, run, json.loads((run / "run.json").read_text())


def test_every_notebook_runs_on_the_seeds(smoke_run):
    code, run, manifest = smoke_run
    failures = [report.describe_failure(n) for n in manifest["notebooks"] if n["status"] != "ok"]
    assert code == 0, failures
    for name in NOTEBOOKS:
        executed = nbformat.read(run / f"{name}.ipynb", as_version=4)
        assert executed.metadata.papermill.parameters["dpi"] == (150 if name == "05_explore" else 72)
        assert (run / f"{name}.html").stat().st_size > 10_000
    assert len(manifest["corpus_hash"]) == 64 and manifest["preset"] == "smoke"
    assert manifest["packages"]["papermill"] and manifest["kernel"]["python"]


def test_figures_exist_with_their_sidecars(smoke_run):
    _, _, manifest = smoke_run
    folder = analysis.resolve("reports/smoke-figures")
    for notebook, names in FIGURES.items():
        for name in names:
            side = json.loads((folder / f"{name}.json").read_text())
            assert side["notebook"] == notebook and side["corpus_hash"] == manifest["corpus_hash"]
            # 05_explore's selection is a screen view (png only, reports.yaml); the paper figures have all three.
            formats = ("png",) if notebook == "05_explore" else ("png", "pdf", "svg")
            assert sorted(side["files"]) == sorted(f"{name}.{fmt}" for fmt in formats)
            for fmt in formats:
                data = (folder / f"{name}.{fmt}").read_bytes()
                assert hashlib.sha256(data).hexdigest() == side["files"][f"{name}.{fmt}"]


def test_figures_are_deterministic(smoke_run, tmp_path):
    # Drawn again in this process from the same tables, the casualty timeline has the kernel's exact bytes.
    _, _, manifest = smoke_run
    tables = store.read_tables(manifest["results"])
    line = analysis.casualty_timeline(tables.casualties, tables.incidents, tables.articles, "week")
    fig = plots.band_timeline(line, "Killed and injured per week", "people")
    plots.save_figure(fig, "casualties_timeline", tmp_path, dpi=72)
    folder = analysis.resolve("reports/smoke-figures")
    for fmt in ("png", "pdf", "svg"):
        assert (tmp_path / f"casualties_timeline.{fmt}").read_bytes() == \
            (folder / f"casualties_timeline.{fmt}").read_bytes(), fmt
