"""Incremental extraction: per-article results reused from the cache when the article, the lexicon, the parameters
and the extraction code are unchanged; the tables the same with and without the cache."""

import json
import shutil

import pandas as pd
import pytest

from conflictlens import paths, pipeline, store
from conflictlens.cli import main
from conflictlens.corpus import read_corpus
from conflictlens.lexicon import load_lexicon

NEW_ARTICLE = paths.TESTS / "data" / "unseen" / "03_bannu.txt"


def assert_same_tables(a: store.Tables, b: store.Tables) -> None:
    for (name, left), (_, right) in zip(a.items(), b.items()):
        pd.testing.assert_frame_equal(left, right, obj=name)


def reuse(out) -> dict:
    return json.loads((out / "manifest.json").read_text())["reuse"]


@pytest.fixture(scope="module")
def uncached() -> store.Tables:
    return pipeline.extract(paths.SEEDS)


@pytest.fixture(scope="module")
def seeds_cache(tmp_path_factory, uncached):
    """A cache filled by one run over the seeds, and that run's tables."""
    folder = tmp_path_factory.mktemp("seeds-cache")
    return folder, pipeline.extract(paths.SEEDS, cache_dir=folder)


def test_first_run_fills_the_cache_and_a_rerun_reuses_every_article(seeds_cache, uncached):
    folder, first = seeds_cache
    assert first.manifest["reuse"] == {
        "cache_file": str(folder / "extraction-cache.sqlite"), "cache_entries": 6, "articles_extracted": 6,
        "articles_reused": 0, "redated_extracted": 1, "misses": {"new": 6}, "stale_entries_dropped": 0}
    again = pipeline.extract(paths.SEEDS, cache_dir=folder)
    assert again.manifest["reuse"]["articles_extracted"] == 0
    assert again.manifest["reuse"]["articles_reused"] == 6
    assert again.manifest["reuse"]["misses"] == {}
    assert uncached.manifest["reuse"] == {"cache_file": None, "articles_extracted": 6, "articles_reused": 0,
                                          "redated_extracted": 1}
    assert_same_tables(first, uncached)
    assert_same_tables(again, uncached)


def test_cli_on_a_grown_folder_extracts_only_the_new_article(tmp_path, capsys):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(paths.SEEDS, corpus)
    assert main(["extract", str(corpus), "--out", str(out)]) == 0
    assert "6 extracted, 0 reused" in capsys.readouterr().out
    assert (out / "extraction-cache.sqlite").is_file()  # by default the cache lives beside the tables

    shutil.copy(NEW_ARTICLE, corpus / "005_new.txt")
    assert main(["extract", str(corpus), "--out", str(out)]) == 0
    # A delta run (delta.py): the six articles seen are not even looked up; one is new.
    assert "1 extracted, 0 reused; delta run: 6 articles unchanged" in capsys.readouterr().out
    assert reuse(out)["misses"] == {"new": 1} and reuse(out)["cache_entries"] == 7

    assert main(["extract", str(corpus), "--out", str(tmp_path / "plain"), "--no-cache"]) == 0
    assert "7 extracted, 0 reused" in capsys.readouterr().out
    assert not (tmp_path / "plain" / "extraction-cache.sqlite").exists()
    assert_same_tables(store.read_tables(out), store.read_tables(tmp_path / "plain"))


def test_a_changed_lexicon_file_reextracts_every_article(tmp_path, seeds_cache, capsys):
    folder, _ = seeds_cache
    cache = tmp_path / "cache"
    shutil.copytree(folder, cache)
    lexicon = tmp_path / "lexicon"
    shutil.copytree(paths.LEXICON, lexicon)
    run = ["extract", str(paths.SEEDS), "--out", str(tmp_path / "out"), "--cache", str(cache), "--lexicon",
           str(lexicon)]
    assert main(run) == 0  # the same files elsewhere: the same fingerprint
    assert "0 extracted, 6 reused" in capsys.readouterr().out

    places = lexicon / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert main(run) == 0
    assert "6 extracted, 0 reused" in capsys.readouterr().out
    assert reuse(tmp_path / "out")["misses"] == {"lexicon": 6}
    assert reuse(tmp_path / "out")["stale_entries_dropped"] == 6 and reuse(tmp_path / "out")["cache_entries"] == 6


class Recording(dict):
    """A dict that records which keys were read (reading all of it counts as reading every key)."""

    def __init__(self, data: dict) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __iter__(self):
        self.read.update(super().keys())
        return super().__iter__()

    def keys(self):
        self.read.update(super().keys())
        return super().keys()

    def items(self):
        self.read.update(super().keys())
        return super().items()

    def values(self):
        self.read.update(super().keys())
        return super().values()


def test_extract_article_reads_no_field_or_parameter_left_out_of_the_cache_key():
    lexicon = load_lexicon(None)
    params = Recording(pipeline.DEFAULT_PARAMS)
    for article in read_corpus(paths.SEEDS).articles:
        recorded = Recording(article)
        pipeline.extract_article(recorded, lexicon, params)
        assert "text" in recorded.read
        assert not recorded.read & pipeline.PROVENANCE_FIELDS
    assert "vague_convention" in params.read and not params.read & pipeline.READING_PARAMS


def test_article_hash_ignores_provenance_and_sees_every_other_field():
    article = read_corpus(paths.SEEDS).articles[0]
    assert pipeline.article_hash(dict(article, files=["x.txt"], n_copies=9)) == pipeline.article_hash(article)
    assert pipeline.article_hash(dict(article, published="2001-01-01")) != pipeline.article_hash(article)
    assert pipeline.article_hash(dict(article, captions=["a caption"])) != pipeline.article_hash(article)


def test_code_version_follows_the_extraction_modules_and_the_lexicon_files_they_read(tmp_path, monkeypatch):
    modules = pipeline.extraction_modules()
    assert {"pipeline", "actors", "casualties", "dates", "events", "places", "text", "quantities",
            "lexicon"} <= modules
    assert not modules & {"cli", "corpus", "incidents", "plots", "report", "store"}

    package = tmp_path / "conflictlens"
    shutil.copytree(paths.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE", package)
    monkeypatch.setattr(paths, "LEXICON", package / "lexicon")
    version = pipeline.extraction_code_version.__wrapped__

    def after_editing(name: str) -> str:
        with open(package / name, "a", encoding="utf-8") as f:
            f.write("\n# edited\n")
        return version()

    base = version()
    assert base == pipeline.extraction_code_version()
    assert after_editing("plots.py") == base
    assert after_editing("lexicon/actors.yaml") == base  # the lexicon's fingerprint covers it
    edited = after_editing("quantities.py")
    assert edited != base
    assert after_editing("lexicon/casualties.yaml") not in (base, edited)  # read at import by casualties.py
