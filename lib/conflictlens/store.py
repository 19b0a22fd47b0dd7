"""Write and read the extracted tables (Parquet) and the run manifest (JSON).

Tables are written sorted, with list columns as Parquet lists, so the same corpus gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import schema

ROW_GROUP_ROWS = 50_000
SORT_KEYS = {
    "articles": ["article_id"],
    "actor_mentions": ["article_id", "start", "end", "actor_id"],
    "casualties": ["article_id", "start", "end", "status"],
    "events": ["article_id", "start", "end", "kind"],
    "incidents": ["incident_id"],
}


class StoreError(Exception):
    """A results folder that cannot be read (missing table, not a results folder)."""


@dataclass
class Tables:
    """The five tables of one extraction and its manifest."""

    articles: pd.DataFrame
    actor_mentions: pd.DataFrame
    casualties: pd.DataFrame
    events: pd.DataFrame
    incidents: pd.DataFrame
    manifest: dict = field(default_factory=dict)

    def items(self):
        return [(name, getattr(self, name)) for name in schema.TABLES]


def frame(rows: list[dict], table: str, sort: bool = True) -> pd.DataFrame:
    """Rows → a DataFrame with the table's columns in contract order (missing ones as None), sorted unless not
    ``sort``."""
    columns = schema.TABLES[table]
    df = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    extra = [c for c in (rows[0].keys() if rows else []) if c not in columns]
    if extra:
        raise ValueError(f"{table}: columns not in schema.{table.upper()}: {extra}")
    return sort_frame(df, table) if sort else df


def sort_frame(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """A table's rows in its written order (:data:`SORT_KEYS`; stable, so equal keys keep their order)."""
    keys = [k for k in SORT_KEYS[table] if k in df.columns]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True) if len(df) else df


def arrow_schema(table: str) -> pa.Schema:
    """The Parquet schema of a table: its columns in contract order with the types of schema.py."""
    def kind(column: str) -> pa.DataType:
        if column in schema.INTEGER_COLUMNS:
            return pa.int64()
        if column in schema.FLOAT_COLUMNS:
            return pa.float64()
        if column in schema.BOOLEAN_COLUMNS:
            return pa.bool_()
        if column in schema.LIST_COLUMNS:
            return pa.list_(pa.string())
        return pa.large_string()

    return pa.schema([(c, kind(c)) for c in schema.TABLES[table]])


def to_arrow(df: pd.DataFrame, table: str) -> pa.Table:
    """A table's DataFrame as Arrow with the table's fixed schema (a column pandas left all-NaN becomes nulls)."""
    target = arrow_schema(table)
    empty = [c for c in df.columns if df[c].dtype != object and not pa.types.is_floating(target.field(c).type)
             and df[c].isna().all()]
    if empty:
        df = df.assign(**{c: pd.Series([None] * len(df), index=df.index, dtype=object) for c in empty})
    return pa.Table.from_pandas(df, schema=target, preserve_index=False)


def rows_to_arrow(rows: list[dict], table: str) -> pa.Table:
    """Rows as Arrow with the table's fixed schema, in their order (no pandas: a third faster for a batch's parts);
    a key outside the schema is refused, as :func:`frame` does."""
    if rows:
        extra = [c for c in rows[0] if c not in schema.TABLES[table]]
        if extra:
            raise ValueError(f"{table}: columns not in schema.{table.upper()}: {extra}")
    return pa.Table.from_pylist(rows, schema=arrow_schema(table))


def write_tables(tables: Tables, out_dir: str | Path) -> Path:
    """Write ``out_dir/<table>.parquet`` for each table and ``out_dir/manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        pq.write_table(to_arrow(df, name), out / f"{name}.parquet", row_group_size=ROW_GROUP_ROWS)
    write_manifest(tables.manifest, out)
    return out


def write_manifest(manifest: dict, out_dir: str | Path) -> Path:
    path = Path(out_dir) / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return path


class TableWriter:
    """Append sorted batches of one table to a Parquet file, one row group (or more) per batch.

    A streamed run writes each batch of articles as it is extracted, so memory holds one batch, not the corpus.
    Batches must come in table order (articles in id order); each is sorted by :data:`SORT_KEYS` here.
    """

    def __init__(self, path: str | Path, table: str):
        self.path = Path(path)
        self.table = table
        self.rows = 0
        self._writer = pq.ParquetWriter(self.path, arrow_schema(table))

    def write(self, rows: list[dict] | pd.DataFrame) -> None:
        df = rows if isinstance(rows, pd.DataFrame) else frame(rows, self.table)
        if len(df):
            self._writer.write_table(to_arrow(df, self.table), row_group_size=ROW_GROUP_ROWS)
            self.rows += len(df)

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Free text, or a key unique in its own table: read as strings, never as categoricals (a category per row saves
# nothing). Every other string column repeats (ids of other tables, kinds, actors, places, dates, statuses...).
FREE_TEXT_COLUMNS = frozenset({"title", "text", "sentence", "date_note", "stamp_text", "content_hash"})
OWN_KEYS = {"articles": "article_id", "incidents": "incident_id"}


def categorical_columns(name: str, columns: list[str] | None = None) -> list[str]:
    """The string columns of table ``name`` (among ``columns``) that :func:`read_table` reads as categoricals."""
    kept = schema.TABLES[name] if columns is None else columns
    strings = {f.name for f in arrow_schema(name) if pa.types.is_large_string(f.type)}
    return [c for c in kept if c in strings and c not in FREE_TEXT_COLUMNS and c != OWN_KEYS.get(name)]


def _compact(table: pa.Table) -> pd.DataFrame:
    """Arrow → pandas in little memory: dictionary columns as categoricals whose categories are sorted (so sorting
    and grouping on them order rows as on strings, not by first appearance), list columns left as Arrow lists
    (``pd.ArrowDtype``; an object column would hold one NumPy array per row)."""
    df = table.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None,
                         self_destruct=True, split_blocks=True)
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            categories = df[c].cat.categories
            df[c] = df[c].cat.reorder_categories(categories.sort_values())
    return df


def read_table(
    results_dir: str | Path, name: str, columns: list[str] | None = None, compact: bool = False
) -> pd.DataFrame:
    """One table; ``columns`` reads only those (the notebooks skip article text this way at scale).

    ``compact`` reads repeating strings as categoricals and list columns as Arrow lists: the same values in a
    fraction of the memory (a million articles' 40M actor mentions fit in about 2 GB instead of 8)."""
    path = Path(results_dir) / f"{name}.parquet"
    if not path.exists():
        raise StoreError(f"{results_dir}: no {name}.parquet (run `conflictlens extract CORPUS --out {results_dir}`)")
    if not compact:
        return pq.read_table(path, columns=columns).to_pandas()
    return _compact(pq.read_table(path, columns=columns, read_dictionary=categorical_columns(name, columns)))


def read_manifest(results_dir: str | Path) -> dict:
    path = Path(results_dir) / "manifest.json"
    if not path.exists():
        raise StoreError(f"{results_dir}: no manifest.json (not a results folder)")
    return json.loads(path.read_text())


def read_tables(results_dir: str | Path, with_text: bool = True) -> Tables:
    """Every table of a results folder.

    ``with_text=False`` is the reading for scale: it leaves out the article text and the quoted sentence of actor
    mentions and events (most of a big corpus's bytes: counts and co-mentions do not need them; casualty figures
    keep theirs, the evidence a reader checks), and reads the rest compactly (:func:`read_table`): repeating
    strings as categoricals, list columns as Arrow lists. The values are those ``with_text=True`` gives."""
    def without(table: str, dropped: str) -> list[str] | None:
        return None if with_text else [c for c in schema.TABLES[table] if c != dropped]

    compact = not with_text
    return Tables(
        articles=read_table(results_dir, "articles", without("articles", "text"), compact),
        actor_mentions=read_table(results_dir, "actor_mentions", without("actor_mentions", "sentence"), compact),
        casualties=read_table(results_dir, "casualties", compact=compact),
        events=read_table(results_dir, "events", without("events", "sentence"), compact),
        incidents=read_table(results_dir, "incidents", compact=compact),
        manifest=read_manifest(results_dir),
    )


def with_python_lists(tables: Tables) -> Tables:
    """``tables`` with list columns as Python lists (Parquet gives NumPy arrays), as rows built in memory have them."""
    for _, df in tables.items():
        for c in df.columns:
            if c in schema.LIST_COLUMNS:
                df[c] = [list(v) if v is not None else None for v in df[c]]
    return tables
