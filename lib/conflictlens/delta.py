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
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path

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


def patch(out: Path, table: str, drop: set[str], rows: list[dict], new_ids: dict[tuple, str | None] | None = None,
          drop_key: str = "article_id") -> int:
    """Write ``table`` (beside it, for :func:`swap_in`) without the rows of ``drop`` (ids in ``drop_key``), with
    ``rows`` added, and with the incident ids of ``new_ids`` (keyed as incident_state keys rows) set on the rows they name,
    in the order a full run writes. Returns the number of rows written.

    Streamed, a row group at a time: the table is in order, and no article has both kept and new rows, so the new
    rows (sorted among themselves) go into the row group whose first key follows theirs, and a stable sort on the
    first key there puts every row where a full sort would."""
    path = out / f"{table}.parquet"
    key = SORT_KEYS[table][0]
    schema = arrow_schema(table)
    new = rows_to_arrow(rows, table) if rows else None
    if new is not None:
        new = new.take(pc.sort_indices(new, sort_keys=[(k, "ascending") for k in SORT_KEYS[table]]))
    new_keys = new[key].to_pylist() if new is not None else []
    dropped = pa.array(sorted(drop), pa.large_string()) if drop else None
    renamed = pa.array(sorted({k[1] for k in new_ids}), pa.large_string()) if new_ids else None
    source = pq.ParquetFile(path)
    written, j = 0, 0
    with pq.ParquetWriter(path.with_suffix(PATCHED), schema) as writer:
        for g in range(source.num_row_groups):
            t = source.read_row_group(g)
            if dropped is not None:
                t = t.filter(pc.invert(pc.is_in(t[drop_key], value_set=dropped)))
            if renamed is not None and t.num_rows:
                t = _renamed(t, table, renamed, new_ids)
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


def _renamed(t: pa.Table, table: str, articles: pa.Array, new_ids: dict[tuple, str | None]) -> pa.Table:
    """``t`` with the incident ids of ``new_ids`` set on the rows they name (only the key columns become Python)."""
    from .incident_state import ROW_KEYS

    mask = pc.is_in(t["article_id"], value_set=articles).combine_chunks()
    at = pc.indices_nonzero(mask)
    if not len(at):
        return t
    picked = t.select(["article_id", "incident_id", *ROW_KEYS[table]]).take(at).to_pylist()
    ids = t["incident_id"].combine_chunks()
    values = [new_ids.get((table, r["article_id"], tuple(r[c] for c in ROW_KEYS[table])), r["incident_id"])
              for r in picked]
    return t.set_column(t.schema.get_field_index("incident_id"), "incident_id",
                        pc.replace_with_mask(ids, mask, pa.array(values, ids.type)))


def swap_in(out: Path) -> None:
    """Put every patched table in place (after all were written: a failure midway leaves the old tables)."""
    for table in TABLES:
        side = (out / f"{table}.parquet").with_suffix(PATCHED)
        if side.exists():
            side.replace(out / f"{table}.parquet")
