"""The command line: exit codes, one-line user errors, the extract and evaluate commands on the seeds."""

import subprocess
import sys

import pytest

from conflictlens import paths
from conflictlens.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "conflictlens.cli", *args], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=300)


def test_missing_corpus_is_a_one_line_user_error(tmp_path):
    r = run_cli("extract", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "nowhere" in lines[0]


def test_corpus_with_no_usable_article_is_a_user_error(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("")
    assert main(["extract", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no usable article" in err and len(err.strip().splitlines()) == 1


def test_evaluate_on_a_folder_without_tables_is_a_user_error(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path), "--gold", str(paths.GOLD)]) == 2
    err = capsys.readouterr().err
    assert "no articles.parquet" in err and len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "seeds"
    assert main(["extract", str(paths.SEEDS), "--out", str(out)]) == 0
    return out


def test_extract_writes_every_table_and_the_manifest(extracted):
    for name in ("articles", "actor_mentions", "casualties", "events", "incidents"):
        assert (extracted / f"{name}.parquet").stat().st_size > 0
    import json

    manifest = json.loads((extracted / "manifest.json").read_text())
    assert {e["fate"] for e in manifest["inputs"]} <= {"loaded", "merged", "skipped"}
    assert len(manifest["inputs"]) == 5
    assert manifest["counts"]["articles"] == 6


def test_evaluate_prints_every_facet(extracted, capsys):
    assert main(["evaluate", str(extracted), "--gold", str(paths.GOLD)]) == 0
    out = capsys.readouterr().out
    for facet in ("casualty mentions", "non-casualties", "totals", "actors per article", "resolutions", "events",
                  "event dates", "merges"):
        assert facet in out


def test_ensure_results_extracts_once_and_reuses(tmp_path):
    from conflictlens.pipeline import ensure_results, results_key

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text((paths.SEEDS / "004_acff7c3d601c63e7.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = ensure_results(corpus, tmp_path / "r")
    stamp = (out / "manifest.json").stat().st_mtime_ns
    assert ensure_results(corpus, tmp_path / "r") == out
    assert (out / "manifest.json").stat().st_mtime_ns == stamp  # reused, not re-extracted
    key = results_key(corpus)
    (corpus / "a.txt").write_text("changed " + (corpus / "a.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert results_key(corpus) != key
    assert results_key(corpus, {"vague_convention": "midpoint"}) != results_key(corpus)


def test_report_refuses_a_parameter_name_that_is_not_an_identifier(capsys):
    # papermill inserts names unescaped: a name can carry code, so it is refused before anything runs
    assert main(["report", "--preset", "smoke", "-p", "x=__import__('os')", "1"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "identifier" in err


def test_ensure_results_for_a_grown_corpus_extracts_only_the_new_article(tmp_path):
    import json
    import shutil

    from conflictlens import paths
    from conflictlens.pipeline import ensure_results

    corpus = tmp_path / "news"
    shutil.copytree(paths.SEEDS, corpus)
    first = ensure_results(corpus, tmp_path / "results" / "a")
    (corpus / "new.txt").write_text(
        "Two policemen killed in Bannu attack\n\nPublished 3 March 2025\n\nBANNU: Militants attacked a police post in "
        "Bannu district on Monday, killing two policemen, officials said.\n\nThe attackers fled towards the "
        "mountains after an exchange of fire that lasted an hour, police said.\n", encoding="utf-8")
    grown = ensure_results(corpus, tmp_path / "results" / "b")
    reuse = json.loads((grown / "manifest.json").read_text())["reuse"]
    assert (tmp_path / "results" / "extraction-cache.sqlite").exists() and first != grown
    assert reuse["articles_extracted"] == 1 and reuse["misses"] == {"new": 1} and reuse["articles_reused"] == 6
