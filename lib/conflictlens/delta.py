"""A run into a folder that holds the last run's tables redoes only what changed: a scheduled run over a growing
corpus extracts the new and changed articles, merges again the incidents they touch (incident_state) and patches
the tables; everything else stands as written, and the tables are those a full run would write.

It applies when the folder's state (``OUT/.state``) was left by a run of the same corpus path, lexicon, parameters
and code. Otherwise, or when a change reaches what only a full run settles (an undated article, or a dated article
that may witness one: corroboration.py), the run is a full one; the manifest's ``run`` block says which and why.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .store import ROW_GROUP_ROWS, SORT_KEYS, arrow_schema, rows_to_arrow

STATE_DIR = ".state"
RUN_FILE = "run.json"
DIGESTS_FILE = "articles.parquet"
TABLES = ("articles", "actor_mentions", "events", "casualties", "incidents")
PATCHED = ".patched"  # a patched table is written beside the table, then swapped in


def state_dir(out: Path) -> Path:
    return out / STATE_DIR


def run_config(corpus: str | Path, lexicon_fingerprint: str, params: dict, code: str) -> dict:
    """What a run's tables depend on besides the articles: a delta run needs every item equal."""
    return {"conflictlens": __version__, "corpus": str(Path(corpus).resolve()), "lexicon": lexicon_fingerprint,
            "parameters": json.dumps(params, sort_keys=True, default=str), "code": code}


def prior(out: Path, config: dict) -> tuple[dict[str, str] | None, str]:
    """The last run's article digests when a delta run can follow it, else None and why not."""
    run_file = state_dir(out) / RUN_FILE
    if not run_file.exists() or not all((out / f"{t}.parquet").exists() for t in TABLES):
        return None, "no finished earlier run in this folder"
    try:
        last = json.loads(run_file.read_text())
    except ValueError:
        return None, "the earlier run's state is unreadable"
    changed = [k for k in config if last.get("config", {}).get(k) != config[k]]
    if changed:
        return None, f"the earlier run had another {', '.join(changed)}"
    digests = pq.read_table(state_dir(out) / DIGESTS_FILE).to_pydict()
    return dict(zip(digests["article_id"], digests["digest"])), ""


def save(out: Path, config: dict, digests: dict[str, str]) -> None:
    """The state a later delta run starts from (the incident state is kept by incident_state itself)."""
    folder = state_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    ids = sorted(digests)
    pq.write_table(pa.table({"article_id": ids, "digest": [digests[i] for i in ids]}), folder / DIGESTS_FILE)
    (folder / RUN_FILE).write_text(json.dumps({"config": config}, indent=2, sort_keys=True) + "\n")


def forget(out: Path) -> None:
    """Drop the run record (a run that fails midway must not leave a state that claims its tables)."""
    (state_dir(out) / RUN_FILE).unlink(missing_ok=True)


def article_digest(article: dict, extraction_hash: str, provenance: frozenset[str]) -> str:
    """An article as read (before any re-dating): the hash of what its extraction reads (``extraction_hash``),
    then of its provenance fields (files, copies); equal first parts mean equal extracted rows."""
    fields = {k: article.get(k) for k in sorted(provenance)}
    return f"{extraction_hash}:{hashlib.sha256(json.dumps(fields, default=str).encode()).hexdigest()[:16]}"


def same_rows(a: str | None, b: str | None) -> bool:
    """Whether two digests (:func:`article_digest`) are of articles whose extraction reads the same."""
    return a is not None and b is not None and a.split(":")[0] == b.split(":")[0]


def rows_of(out: Path, table: str, article_ids: Iterable[str], columns: list[str] | None = None) -> list[dict]:
    """The written rows of ``table`` for some articles (Arrow filters before anything becomes Python)."""
    ids = sorted(set(article_ids))
    if not ids:
        return []
    t = pq.read_table(out / f"{table}.parquet", columns=columns)
    return t.filter(pc.is_in(t["article_id"], value_set=pa.array(ids, pa.large_string()))).to_pylist()


def incident_ids(out: Path) -> set[str]:
    return set(pq.read_table(out / "incidents.parquet", columns=["incident_id"])["incident_id"].to_pylist())


def patch(out: Path, table: str, drop: set[str], rows: list[dict], renamed: dict[str, list] | None = None,
          drop_key: str = "article_id", ids: dict[str, str] | None = None) -> int:
    """Write ``table`` (beside it, for :func:`swap_in`) without the rows of ``drop`` (ids in ``drop_key``), with
    ``rows`` added, with the incident ids of ``renamed`` (columns: ``article_id``, the row key of
    incident_state.ROW_KEYS, ``incident_id``) set on the rows they name and the incident ids of ``ids`` (old → new)
    replaced, in the order a full run writes. Returns the number of rows written.

    Streamed, a row group at a time: the table is in order, and no article has both kept and new rows, so the new
    rows (sorted among themselves) go into the row group whose first key follows theirs, and a stable sort on the
    first key there puts every row where a full sort would."""
    path = out / f"{table}.parquet"
    key = SORT_KEYS[table][0]
    schema = arrow_schema(table)
    rename = _Renaming(table, schema, renamed) if renamed and renamed["article_id"] else None
    replace = _Replacing(ids, schema) if ids else None
    new = rows_to_arrow(rows, table) if rows else None
    if new is not None:
        new = new.take(pc.sort_indices(new, sort_keys=[(k, "ascending") for k in SORT_KEYS[table]]))
        if rename is not None:
            new = rename(new)
    new_keys = new[key].to_pylist() if new is not None else []
    dropped = pa.array(sorted(drop), pa.large_string()) if drop else None
    source = pq.ParquetFile(path)
    written, j = 0, 0
    with pq.ParquetWriter(path.with_suffix(PATCHED), schema) as writer:
        for g in range(source.num_row_groups):
            t = source.read_row_group(g)
            if dropped is not None:
                t = t.filter(pc.invert(pc.is_in(t[drop_key], value_set=dropped)))
            if replace is not None and t.num_rows:
                t = replace(t)
            if rename is not None and t.num_rows:
                t = rename(t)
            if g + 1 < source.num_row_groups:
                bound = source.read_row_group(g + 1, columns=[key])[key][0].as_py()
                k = bisect_left(new_keys, bound, lo=j)
            else:
                k = len(new_keys)
            if k > j:
                t = pa.concat_tables([t.cast(schema), new.slice(j, k - j)])
                t = t.take(pc.sort_indices(t, sort_keys=[(key, "ascending")]))
                j = k
            if t.num_rows:
                writer.write_table(t.cast(schema), row_group_size=ROW_GROUP_ROWS)
                written += t.num_rows
        if j < len(new_keys):  # a table that had no row group
            writer.write_table(new.slice(j), row_group_size=ROW_GROUP_ROWS)
            written += len(new_keys) - j
    return written


class _Replacing:
    """Replaces incident ids (old → new) in a row group: the rows of the incidents a delta merge extended whole."""

    def __init__(self, ids: dict[str, str], schema: pa.Schema) -> None:
        kind = schema.field("incident_id").type
        old = sorted(ids)
        self.old = pa.array(old, kind)
        self.new = pa.array([ids[k] for k in old], kind)

    def __call__(self, t: pa.Table) -> pa.Table:
        column = t["incident_id"].combine_chunks()
        at = pc.index_in(column, value_set=self.old)
        hit = pc.is_valid(at)
        if not pc.any(hit).as_py():
            return t
        values = self.new.take(pc.filter(at, hit))
        return t.set_column(t.schema.get_field_index("incident_id"), "incident_id",
                            pc.replace_with_mask(column, hit, values.cast(column.type)))


class _Renaming:
    """Sets new incident ids on the rows a delta merge named, by a hash join on (article, row key): no row of the
    table becomes Python. The ids are sorted by article, and a table's row groups are, so each join takes only the
    ids of the articles in its rows."""

    def __init__(self, table: str, schema: pa.Schema, renamed: dict[str, list]) -> None:
        from .incident_state import ROW_KEYS

        self.keys = ["article_id", *ROW_KEYS[table]]
        ids = pa.table({**{k: pa.array(renamed[k], schema.field(k).type) for k in self.keys},
                        "_new": pa.array(renamed["incident_id"], schema.field("incident_id").type)})
        self.ids = ids.take(pc.sort_indices(ids["article_id"]))
        self.sorted_articles = self.ids["article_id"].to_pylist()

    def __call__(self, t: pa.Table) -> pa.Table:
        first, last = pc.min_max(t["article_id"]).values()
        lo = bisect_left(self.sorted_articles, first.as_py())
        hi = bisect_right(self.sorted_articles, last.as_py())
        if lo == hi:
            return t
        ids = self.ids.slice(lo, hi - lo)
        at = pc.indices_nonzero(pc.is_in(t["article_id"], value_set=pc.unique(ids["article_id"])).combine_chunks())
        if not len(at):
            return t
        picked = t.select(self.keys).take(at).append_column("_at", at)
        hits = picked.join(ids, keys=self.keys, join_type="inner", use_threads=False)
        hits = hits.take(pc.sort_indices(hits["_at"]))
        mask = np.zeros(t.num_rows, dtype=bool)
        mask[hits["_at"].to_numpy()] = True
        column = t["incident_id"].combine_chunks()
        values = hits["_new"].combine_chunks().cast(column.type)
        return t.set_column(t.schema.get_field_index("incident_id"), "incident_id",
                            pc.replace_with_mask(column, pa.array(mask), values))


def swap_in(out: Path) -> None:
    """Put every patched table in place (after all were written: a failure midway leaves the old tables)."""
    for table in TABLES:
        side = (out / f"{table}.parquet").with_suffix(PATCHED)
        if side.exists():
            side.replace(out / f"{table}.parquet")


def discard(out: Path) -> None:
    """Remove the patched tables of a run that did not finish."""
    for table in TABLES:
        (out / f"{table}.parquet").with_suffix(PATCHED).unlink(missing_ok=True)
