"""A run into the folder of the last one redoes only what changed (delta.py), and writes the tables a full run
writes; what only a full run settles (an undated article and its witnesses, a changed file, other parameters) makes
the run a full one, with the reason in the manifest."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conflictlens import paths, store
from conflictlens.pipeline import extract_to

SEED_FILES = sorted(p for p in paths.SEEDS.glob("*.txt"))


def manifest(out) -> dict:
    return json.loads((out / "manifest.json").read_text())


def assert_same_tables(a, b) -> None:
    for name in ("articles", "actor_mentions", "events", "casualties", "incidents"):
        pd.testing.assert_frame_equal(store.read_table(a, name), store.read_table(b, name), obj=name)


@pytest.fixture(scope="module")
def grown(tmp_path_factory, generate):
    """240 generated records as two files: a first run over the first, a second after the second arrives."""
    root = tmp_path_factory.mktemp("grown")
    corpus = root / "corpus"
    corpus.mkdir()
    lines = [json.dumps(r) + "\n" for r in generate.records(240)]
    (corpus / "2025-01.jsonl").write_text("".join(lines[:200]))
    out = root / "out"
    # Small batches: the tables have many row groups, which the delta run patches one at a time.
    extract_to(corpus, out, cache_dir=out, batch_articles=25)
    assert pq.ParquetFile(out / "events.parquet").num_row_groups > 4
    (corpus / "2025-02.jsonl").write_text("".join(lines[200:]))
    extract_to(corpus, out, cache_dir=out, batch_articles=25)
    fresh = root / "fresh"
    extract_to(corpus, fresh)
    return corpus, out, fresh


def test_a_grown_corpus_is_a_delta_run_with_a_full_runs_tables(grown):
    corpus, out, fresh = grown
    run = manifest(out)["run"]
    assert run["mode"] == "delta", run
    assert run["articles_new"] > 20 and run["articles_gone"] == 0
    # Wire copies of earlier stories arrived: those articles changed (files, copies) but keep their rows.
    assert run["articles_changed"] == run["articles_with_new_copies_only"] > 0
    assert manifest(out)["reuse"]["articles_extracted"] == run["articles_new"]
    assert run["stories_read"] == 40 and 40 <= run["near_copy_decisions_again"] < 200
    assert manifest(fresh)["run"]["mode"] == "full"
    assert_same_tables(out, fresh)
    # Everything a reader checks in the manifest agrees too.
    for key in ("inputs", "skipped_records", "summary", "counts", "dated_from_witnesses"):
        assert manifest(out)[key] == manifest(fresh)[key], key


def test_a_rerun_with_nothing_new_changes_nothing(grown, tmp_path):
    corpus, out, fresh = grown
    again = tmp_path / "again"
    shutil.copytree(out, again)
    extract_to(corpus, again, cache_dir=again)
    run = manifest(again)["run"]
    assert (run["mode"], run["articles_new"], run["articles_changed"], run["incidents_merged_again"]) == (
        "delta", 0, 0, 0)
    assert_same_tables(again, fresh)


@pytest.mark.parametrize("held_back", [0, 1, 3])
def test_seeds_arriving_late_give_the_full_runs_tables(tmp_path, held_back):
    corpus, out, fresh = tmp_path / "corpus", tmp_path / "out", tmp_path / "fresh"
    corpus.mkdir()
    for f in SEED_FILES:
        if f != SEED_FILES[held_back]:
            shutil.copy(f, corpus)
    extract_to(corpus, out, cache_dir=out)
    shutil.copy(SEED_FILES[held_back], corpus)
    extract_to(corpus, out, cache_dir=out)
    extract_to(corpus, fresh)
    assert_same_tables(out, fresh)
    run = manifest(out)["run"]
    # File 1 (A5) has no date: its witnesses and it need the full run; file 3 may witness it; file 0 neither.
    assert run["mode"] == ("delta" if held_back == 0 else "full"), run
    if held_back:
        assert "undated" in run["why"]


def test_other_parameters_or_a_changed_file_make_a_full_run(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(paths.SEEDS, corpus)
    extract_to(corpus, out, cache_dir=out)
    extract_to(corpus, out, cache_dir=out, params={"vague_convention": "acled"})  # the default: same parameters
    assert manifest(out)["run"]["mode"] == "delta"
    extract_to(corpus, out, cache_dir=out, params={"vague_convention": "midpoint"})
    assert manifest(out)["run"] == {"mode": "full", "why": "the earlier run had another parameters"}
    extract_to(corpus, out, cache_dir=out)
    (corpus / SEED_FILES[2].name).write_text(SEED_FILES[2].read_text() + "\n\nA late correction to the story.\n")
    extract_to(corpus, out, cache_dir=out)
    assert manifest(out)["run"]["mode"] in ("delta", "full")  # a changed file: its article is extracted again
    fresh = tmp_path / "fresh"
    extract_to(corpus, fresh)
    assert_same_tables(out, fresh)


@pytest.mark.parametrize("seed", [1, 2])
def test_three_arrivals_in_a_row_give_the_full_runs_tables(tmp_path, seed, generate):
    corpus, out, fresh = tmp_path / "corpus", tmp_path / "out", tmp_path / "fresh"
    corpus.mkdir()
    lines = [json.dumps(r) + "\n" for r in generate.records(150, seed=seed)]
    for n, (lo, hi) in enumerate(((0, 100), (100, 125), (125, 150))):
        (corpus / f"day-{n}.jsonl").write_text("".join(lines[lo:hi]))
        extract_to(corpus, out, cache_dir=out, batch_articles=20)
    assert manifest(out)["run"]["mode"] == "delta"
    extract_to(corpus, fresh)
    assert_same_tables(out, fresh)
    for key in ("inputs", "skipped_records", "summary", "counts"):
        assert manifest(out)[key] == manifest(fresh)[key], key


def test_a_delta_run_that_fails_midway_leaves_a_full_run_next(tmp_path, monkeypatch):
    corpus, out, fresh = tmp_path / "corpus", tmp_path / "out", tmp_path / "fresh"
    corpus.mkdir()
    for f in SEED_FILES[1:]:
        shutil.copy(f, corpus)
    extract_to(corpus, out, cache_dir=out)
    shutil.copy(SEED_FILES[0], corpus)
    from conflictlens import delta

    real = delta.patch

    def failing(out_dir, table, *args, **kwargs):
        if table == "events":
            raise OSError("disk full")
        return real(out_dir, table, *args, **kwargs)

    monkeypatch.setattr(delta, "patch", failing)
    with pytest.raises(OSError):
        extract_to(corpus, out, cache_dir=out)
    monkeypatch.setattr(delta, "patch", real)
    extract_to(corpus, out, cache_dir=out)
    assert manifest(out)["run"] == {"mode": "full", "why": "no finished earlier run in this folder"}
    extract_to(corpus, fresh)
    assert_same_tables(out, fresh)
