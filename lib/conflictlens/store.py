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


def frame(rows: list[dict], table: str) -> pd.DataFrame:
    """Rows → a DataFrame with the table's columns in contract order (missing ones as None), sorted."""
    columns = schema.TABLES[table]
    df = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    extra = [c for c in (rows[0].keys() if rows else []) if c not in columns]
    if extra:
        raise ValueError(f"{table}: columns not in schema.{table.upper()}: {extra}")
    keys = [k for k in SORT_KEYS[table] if k in df.columns]
    return df.sort_values(keys, kind="mergesort").reset_index(drop=True) if len(df) else df


def write_tables(tables: Tables, out_dir: str | Path) -> Path:
    """Write ``out_dir/<table>.parquet`` for each table and ``out_dir/manifest.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        table = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(table, out / f"{name}.parquet", row_group_size=50_000)
    (out / "manifest.json").write_text(json.dumps(tables.manifest, indent=2, sort_keys=True, default=str) + "\n")
    return out


def read_table(results_dir: str | Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One table; ``columns`` reads only those (the notebooks skip article text this way at scale)."""
    path = Path(results_dir) / f"{name}.parquet"
    if not path.exists():
        raise StoreError(f"{results_dir}: no {name}.parquet (run `conflictlens extract CORPUS --out {results_dir}`)")
    return pq.read_table(path, columns=columns).to_pandas()


def read_manifest(results_dir: str | Path) -> dict:
    path = Path(results_dir) / "manifest.json"
    if not path.exists():
        raise StoreError(f"{results_dir}: no manifest.json (not a results folder)")
    return json.loads(path.read_text())


def read_tables(results_dir: str | Path, with_text: bool = True) -> Tables:
    """Every table of a results folder; ``with_text=False`` leaves the article text out (big corpora)."""
    article_cols = None if with_text else [c for c in schema.ARTICLES if c != "text"]
    return Tables(
        articles=read_table(results_dir, "articles", article_cols),
        actor_mentions=read_table(results_dir, "actor_mentions"),
        casualties=read_table(results_dir, "casualties"),
        events=read_table(results_dir, "events"),
        incidents=read_table(results_dir, "incidents"),
        manifest=read_manifest(results_dir),
    )
