"""Streamed extraction: batches written as they are extracted, the merge on compact rows, a second pass adding
incident ids. The tables must not depend on the batch size, the re-dated article (A5, dated from a witness) included."""

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conflictlens import paths, pipeline, store


@pytest.fixture(scope="module")
def one_batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("one-batch")
    return out, pipeline.extract_to(paths.SEEDS, out)


@pytest.fixture(scope="module")
def tiny_batches(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-batches")
    return out, pipeline.extract_to(paths.SEEDS, out, batch_articles=1)


def test_tables_do_not_depend_on_the_batch_size(one_batch, tiny_batches):
    (a, ma), (b, mb) = one_batch, tiny_batches
    assert ma["dated_from_witnesses"] == mb["dated_from_witnesses"] != []  # the re-dated article crosses batches
    assert ma["counts"] == mb["counts"]
    for name in pipeline.ROW_TABLES + ("articles", "incidents"):
        pd.testing.assert_frame_equal(store.read_table(a, name), store.read_table(b, name), obj=name)


def test_each_batch_is_a_row_group_and_rows_stay_sorted(tiny_batches):
    out, manifest = tiny_batches
    assert manifest["batch_articles"] == 1
    f = pq.ParquetFile(out / "actor_mentions.parquet")
    articles = store.read_table(out, "actor_mentions", ["article_id"])["article_id"]
    assert f.metadata.num_row_groups == articles.nunique() > 1  # one row group per article with mentions
    assert articles.is_monotonic_increasing
    assert not (out / ".parts").exists()


def test_redated_article_rows_are_the_new_ones_with_incident_ids(one_batch):
    out, manifest = one_batch
    (aid,) = manifest["dated_from_witnesses"]
    events = store.read_table(out, "events")
    mine = events[events["article_id"] == aid]
    dated = mine[mine["date_start"].notna()]
    assert len(dated) and (dated["date_precision"] != "unknown").all()
    incidents = store.read_table(out, "incidents")
    assert set(mine["incident_id"].dropna()) <= set(incidents["incident_id"])
    assert mine["incident_id"].notna().any()


def test_merge_keeps_only_the_fields_it_reads():
    row = {k: None for k in store.schema.EVENTS} | {"article_id": "a1", "sentence": "x" * 500, "places": ["bajaur"],
                                                    "actors": ["ttp"], "kind": "attack"}
    compact = pipeline._Compactor()
    kept = compact(row, pipeline.MERGE_FIELDS["events"])
    assert not hasattr(kept, "sentence") and kept["places"] == ("bajaur",) and kept["kind"] == "attack"
    assert kept.get("date_start") is None and kept.get("status", "none") == "none"  # set to None / not an events field
    again = compact(dict(row), pipeline.MERGE_FIELDS["events"])
    assert again["places"] is kept["places"]  # repeated values are shared, not copied


def test_a_pool_of_two_reads_and_extracts_the_same_tables(tmp_path, one_batch):
    out, manifest = one_batch
    pooled = pipeline.extract_to(paths.SEEDS, tmp_path / "pool", workers=2, batch_articles=2)
    assert pooled["workers"] == 2 and manifest["workers"] == 1
    assert pooled["inputs"] == manifest["inputs"] and pooled["skipped_records"] == manifest["skipped_records"]
    for name in pipeline.ROW_TABLES + ("articles", "incidents"):
        pd.testing.assert_frame_equal(store.read_table(out, name), store.read_table(tmp_path / "pool", name), obj=name)


def test_cli_refuses_an_empty_batch_in_one_line(tmp_path, capsys):
    from conflictlens.cli import main

    assert main(["extract", str(paths.SEEDS), "--out", str(tmp_path / "x"), "--batch", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["conflictlens: error: --batch must be at least 1 article, not 0"]
