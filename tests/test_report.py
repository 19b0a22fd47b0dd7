"""The batch run: presets, parameter checks before anything runs, a failing notebook contained and named."""

from __future__ import annotations

import argparse
import json

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook

from conflictlens import paths, report


def test_names_that_are_not_identifiers_are_refused():
    # The hard case: papermill writes `name = value` into code unescaped; a YAML key can carry code.
    for name in ("x; import os", "__import__('os').system('id')#", "1st", "class", "a-b", 3):
        with pytest.raises(report.ReportError, match="identifier"):
            report.check_name(name)
    assert report.check_name("start") == "start"


def test_values_take_the_declared_type():
    assert report.coerce("dpi", report.parse_value("300"), "int") == 300
    assert report.coerce("start", report.parse_value("2025-01-01"), "str", raw="2025-01-01") == "2025-01-01"
    assert report.coerce("start", report.parse_value("2025-01-01"), "str") == "2025-01-01"  # YAML date → ISO
    assert report.coerce("actors", report.parse_value("[ttp, tjp]"), "list") == ["ttp", "tjp"]
    assert report.coerce("actors", "ttp, tjp", "list") == ["ttp", "tjp"]
    with pytest.raises(report.ReportError, match="dpi: expected int"):
        report.coerce("dpi", report.parse_value("high"), "int")
    with pytest.raises(report.ReportError, match="expected int"):
        report.coerce("dpi", True, "int")


def test_config_errors_are_one_line(tmp_path):
    with pytest.raises(report.ReportError, match="no such config"):
        report.load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("presets: [unclosed\n")
    with pytest.raises(report.ReportError, match="not valid YAML"):
        report.load_config(bad)
    with pytest.raises(report.ReportError, match="no preset 'nightly'"):
        report.plan(report.load_config(), "nightly", None, [], tmp_path)


def test_smoke_preset_extends_full(tmp_path):
    jobs = report.plan(report.load_config(), "smoke", None, [], tmp_path)
    assert [j.name for j in jobs] == ["01_corpus.ipynb", "02_event_counts.ipynb", "03_actor_mentions.ipynb",
                                      "04_casualties.ipynb", "05_explore.ipynb"]
    first = jobs[0].parameters
    assert first["dpi"] == 72 and first["formats"] == ["png", "pdf", "svg"] and first["corpus"] == "seeds"
    assert first["figures_dir"] == "reports/smoke-figures" and first["freq"] == "week"
    assert jobs[4].parameters["keyword"] == "attack" and "freq" not in jobs[4].parameters
    assert jobs[4].parameters["formats"] == ["png"]  # full's per-notebook setting is more specific than smoke's
    assert all(j.output == tmp_path / j.name for j in jobs)


def test_overrides_go_to_the_notebooks_that_declare_them(tmp_path):
    jobs = report.plan(report.load_config(), "full", "seeds", [("top_n", "5"), ("start", "2025-10-01")], tmp_path)
    by_name = {j.name: j.parameters for j in jobs}
    assert by_name["02_event_counts.ipynb"]["top_n"] == 5 and "top_n" not in by_name["01_corpus.ipynb"]
    assert {p["start"] for p in by_name.values()} == {"2025-10-01"}
    assert by_name["01_corpus.ipynb"]["corpus"] == str(paths.SEEDS)  # --corpus is a path from the cwd
    with pytest.raises(report.ReportError, match=r"unknown parameter\(s\) \['colour'\]"):
        report.plan(report.load_config(), "full", None, [("colour", "red")], tmp_path)
    with pytest.raises(report.ReportError, match="'median' is not one of"):
        report.plan(report.load_config(), "full", None, [("vague_convention", "median")], tmp_path)


def test_a_config_key_carrying_code_is_refused(tmp_path):
    config = report.load_config()
    config["presets"]["evil"] = {"extends": "full", "parameters": {"x = 1\nimport os  #": 1}}
    with pytest.raises(report.ReportError, match="not a Python identifier"):
        report.plan(config, "evil", None, [], tmp_path)
    config["presets"]["typo"] = {"extends": "full", "notebook_parameters": {"01_corpus.ipynb": {"topn": 3}}}
    with pytest.raises(report.ReportError, match="01_corpus.ipynb: unknown parameter 'topn'"):
        report.plan(config, "typo", None, [], tmp_path)


def _notebook(path, *sources):
    cells = [new_code_cell('corpus: str = "seeds"  # corpus\nresults: str = ""  # tables',
                           metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(s) for s in sources]
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i}"
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nbformat.write(nb, path)
    return path


def test_a_failing_notebook_is_named_and_the_others_finish(tmp_path, results_dir, capsys):
    good = _notebook(tmp_path / "good.ipynb", "print('tables in', results)")
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('no casualties table')", "print('never')")
    config = tmp_path / "reports.yaml"
    config.write_text(yaml.safe_dump({"default_preset": "t", "presets": {"t": {
        "notebooks": [str(bad), str(good)], "parameters": {"results": str(results_dir)}}}}))
    code = report.run_report(config, None, [], None, out=tmp_path / "runs", run="r1")
    assert code == 1
    err = capsys.readouterr().err
    assert "bad.ipynb failed at cell 3 (In [4]): ValueError: no casualties table" in err
    run = tmp_path / "runs" / "r1"
    assert (run / "good.ipynb").exists() and (run / "good.html").exists()
    executed = nbformat.read(run / "good.ipynb", as_version=4)
    assert "tables in " + str(results_dir) in executed.cells[-1].outputs[0]["text"]
    assert (run / "bad.html").exists()  # the failed notebook is kept, with its error, for reading
    manifest = json.loads((run / "run.json").read_text())
    status = {n["notebook"]: n["status"] for n in manifest["notebooks"]}
    assert status == {"bad.ipynb": "failed", "good.ipynb": "ok"}
    assert manifest["corpus_hash"] == "abc123" and manifest["kernel"]["name"] == "python3"
    assert set(manifest["timings_s"]) == {"prepare", "extract", "notebooks", "total"}
    assert (tmp_path / "runs" / "latest").resolve() == run


def test_describe_failure_without_a_cell():
    line = report.describe_failure({"notebook": "01_corpus.ipynb", "error": "DeadKernelError: died", "output": "o"})
    assert line == "01_corpus.ipynb failed: DeadKernelError: died (see o)"


def test_command_line_options():
    parser = argparse.ArgumentParser()
    report.add_arguments(parser)
    args = parser.parse_args(["--preset", "smoke", "-p", "dpi", "72", "--parameter", "start", "2025-01-01",
                              "--corpus", "seeds", "--run", "nightly", "--workers", "1"])
    assert args.parameters == [["dpi", "72"], ["start", "2025-01-01"]]
    assert (args.preset, args.corpus, args.run, args.workers, args.config, args.out) == (
        "smoke", "seeds", "nightly", 1, None, None)


def test_a_figure_a_notebook_no_longer_makes_is_removed_and_nothing_else(tmp_path):
    from conflictlens.report import remove_stale_figures

    def figure(name: str, notebook: str) -> None:
        files = {f"{name}.png": "x", f"{name}.svg": "y"}
        for f in files:
            (tmp_path / f).write_bytes(b"figure")
        (tmp_path / f"{name}.json").write_text(json.dumps({"figure": name, "notebook": notebook, "files": files}))

    figure("events_by_kind", "02_events")       # made again by this run
    figure("events_old_name", "02_events")      # made by 02_events once, not any more: stale
    figure("casualties_timeline", "03_casualties")  # its notebook did not run (or failed): kept
    (tmp_path / "my_notes.json").write_text('{"notebook": "02_events"}')  # a user's file, no "files": kept
    (tmp_path / "drawing.png").write_bytes(b"mine")
    written = {"events_by_kind.png", "events_by_kind.svg", "events_by_kind.json"}
    removed = remove_stale_figures(tmp_path, {"02_events"}, written)
    assert removed == ["events_old_name.png", "events_old_name.svg", "events_old_name.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "casualties_timeline.json", "casualties_timeline.png", "casualties_timeline.svg", "drawing.png",
        "events_by_kind.json", "events_by_kind.png", "events_by_kind.svg", "my_notes.json"]
    assert remove_stale_figures(tmp_path / "absent", {"02_events"}, set()) == []
