"""Tables written and read back unchanged, in contract column order, sorted; unknown columns refused."""

import pytest

from conflictlens import schema
from conflictlens.store import StoreError, Tables, frame, read_table, read_tables, write_tables


def tables():
    arts = frame([{"article_id": "b", "title": "T2", "text": "x", "files": ["f2.txt"], "n_copies": 1},
                  {"article_id": "a", "title": "T1", "text": "y", "files": ["f1.txt", "f3.txt"], "n_copies": 2}],
                 "articles")
    empty = {name: frame([], name) for name in ("actor_mentions", "casualties", "events", "incidents")}
    return Tables(articles=arts, manifest={"counts": {"articles": 2}}, **empty)


def test_frame_orders_columns_and_rows():
    df = tables().articles
    assert list(df.columns) == schema.ARTICLES
    assert list(df["article_id"]) == ["a", "b"]


def test_frame_refuses_columns_outside_the_schema():
    with pytest.raises(ValueError, match="not in schema"):
        frame([{"article_id": "a", "surprise": 1}], "articles")


def test_roundtrip_and_reading_without_text(tmp_path):
    write_tables(tables(), tmp_path)
    back = read_tables(tmp_path)
    assert list(back.articles["files"].iloc[0]) == ["f1.txt", "f3.txt"]
    assert back.manifest == {"counts": {"articles": 2}}
    lean = read_tables(tmp_path, with_text=False)
    assert "text" not in lean.articles.columns and "title" in lean.articles.columns
    assert "sentence" not in lean.actor_mentions.columns and "sentence" not in lean.events.columns
    assert "sentence" in lean.casualties.columns  # the evidence of each figure stays
    assert list(read_table(tmp_path, "articles", ["article_id"]).columns) == ["article_id"]


def test_same_tables_same_bytes(tmp_path):
    write_tables(tables(), tmp_path / "a")
    write_tables(tables(), tmp_path / "b")
    for name in ("articles", "events"):
        assert (tmp_path / "a" / f"{name}.parquet").read_bytes() == (tmp_path / "b" / f"{name}.parquet").read_bytes()


def test_missing_table_is_a_user_error(tmp_path):
    with pytest.raises(StoreError, match="no incidents.parquet"):
        read_table(tmp_path, "incidents")


def test_rows_to_arrow_keeps_order_and_schema_and_refuses_unknown_columns():
    from conflictlens.store import arrow_schema, rows_to_arrow

    t = rows_to_arrow([{"article_id": "b", "start": 3}, {"article_id": "a", "places": ["x"]}], "events")
    assert t.schema == arrow_schema("events") and t.column("article_id").to_pylist() == ["b", "a"]
    assert t.column("places").to_pylist() == [None, ["x"]] and t.column("start").to_pylist() == [3, None]
    with pytest.raises(ValueError, match="not in schema"):
        rows_to_arrow([{"article_id": "a", "surprise": 1}], "events")
