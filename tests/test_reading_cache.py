"""read_corpus(cache_dir=...): a rerun reuses each document's reading and each near-copy verdict, and reads the
corpus exactly as an uncached read does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conflictlens import corpus, paths, reading_cache
from conflictlens.corpus import Corpus, read_corpus
from conflictlens.engines import Engine

FIELDS = ("articles", "inputs", "skipped_records", "refused_near_duplicates")


def _same(a: Corpus, b: Corpus) -> None:
    for name in FIELDS:
        assert getattr(a, name) == getattr(b, name), name


@pytest.fixture(scope="module")
def records(generate) -> list[dict]:
    """300 generated records: originals and wire copies (cut, with furniture, with a tail) of recent ones."""
    return list(generate.records(300, seed=3))


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_seeds_rerun_reuses_every_document(tmp_path):
    plain = read_corpus(paths.SEEDS)
    first = read_corpus(paths.SEEDS, cache_dir=tmp_path)
    again = read_corpus(paths.SEEDS, cache_dir=tmp_path)
    _same(first, plain)
    _same(again, plain)
    assert plain.reading_reuse == {}
    assert first.reading_reuse["documents_parsed"] == len(plain.inputs) and first.reading_reuse["documents_reused"] == 0
    assert again.reading_reuse == {"documents_parsed": 0, "documents_reused": len(plain.inputs),
                                   "compares_run": 0, "compares_reused": 0}
    assert (tmp_path / reading_cache.READING_CACHE_FILE).is_file()


def test_grown_corpus_parses_only_the_new_file(tmp_path, records, monkeypatch):
    monkeypatch.setattr(corpus, "VERDICTS_BATCH", 7)  # verdicts looked up over many batches
    folder, cache = tmp_path / "corpus", tmp_path / "cache"
    folder.mkdir()
    _write(folder / "a.jsonl", records[:200])
    engine = Engine(batch_size=64)  # documents looked up over many batches
    first = read_corpus(folder, cache_dir=cache, engine=engine)
    _same(first, read_corpus(folder))
    assert first.reading_reuse["documents_parsed"] == 200 and first.reading_reuse["compares_run"] > 0

    _write(folder / "b.jsonl", records[200:])
    grown = read_corpus(folder, cache_dir=cache, engine=engine)
    plain = read_corpus(folder)
    _same(grown, plain)
    summary = plain.summary()
    assert summary["duplicates_merged"] > 0 and summary["near_duplicates_refused"] > 0  # the clustering was at work
    assert any(i["path"] == "b.jsonl" and i["merged_into"] for i in plain.inputs)  # copies across the two files
    reuse = grown.reading_reuse
    assert (reuse["documents_parsed"], reuse["documents_reused"]) == (100, 200)
    assert reuse["compares_reused"] >= first.reading_reuse["compares_run"] // 2 and reuse["compares_run"] > 0

    again = read_corpus(folder, cache_dir=cache)
    _same(again, plain)
    assert again.reading_reuse["documents_parsed"] == again.reading_reuse["compares_run"] == 0
    assert again.reading_reuse["compares_reused"] == reuse["compares_run"] + reuse["compares_reused"]


def test_other_code_version_reads_everything_again(tmp_path, records, monkeypatch):
    _write(tmp_path / "corpus.jsonl", records[:120])
    first = read_corpus(tmp_path / "corpus.jsonl", cache_dir=tmp_path / "cache")
    monkeypatch.setattr(reading_cache, "reading_code_version", lambda: "other code")
    changed = read_corpus(tmp_path / "corpus.jsonl", cache_dir=tmp_path / "cache")
    _same(changed, first)
    assert changed.reading_reuse["documents_parsed"] == 120 and changed.reading_reuse["documents_reused"] == 0
    assert changed.reading_reuse["compares_reused"] == 0
    assert changed.reading_reuse["compares_run"] == first.reading_reuse["compares_run"] > 0


def test_other_topic_threshold_reads_everything_again(tmp_path):
    read_corpus(paths.SEEDS, cache_dir=tmp_path)
    strict = read_corpus(paths.SEEDS, cache_dir=tmp_path, topic_threshold=10_000)
    _same(strict, read_corpus(paths.SEEDS, topic_threshold=10_000))
    assert strict.reading_reuse["documents_reused"] == 0
    assert {a["topic"] for a in strict.articles} == {"off_topic"}


def test_renamed_file_is_read_again(tmp_path):
    """A document's file and record are part of its reading (its article lists them)."""
    folder = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS, folder)
    read_corpus(folder, cache_dir=tmp_path / "cache")
    first = sorted(folder.glob("*.txt"))[0]
    first.rename(folder / ("z" + first.name))
    again = read_corpus(folder, cache_dir=tmp_path / "cache")
    _same(again, read_corpus(folder))
    assert (again.reading_reuse["documents_parsed"], again.reading_reuse["documents_reused"]) == (1, 4)


def test_unreadable_cache_file_is_replaced(tmp_path):
    (tmp_path / reading_cache.READING_CACHE_FILE).write_bytes(b"not a database, a cut copy" * 100)
    c = read_corpus(paths.SEEDS, cache_dir=tmp_path)
    _same(c, read_corpus(paths.SEEDS))
    assert c.reading_reuse["documents_parsed"] == 5
    assert read_corpus(paths.SEEDS, cache_dir=tmp_path).reading_reuse["documents_reused"] == 5


def test_code_version_follows_the_reading_modules_and_topic_lexicon():
    modules = reading_cache.reading_modules()
    assert {"corpus", "dates", "text", "lexicon", "reading_cache"} <= modules
    assert "pipeline" not in modules and "actors" not in modules
    assert len(reading_cache.reading_code_version()) == 16
