"""Incremental runs: per-article results kept between runs, keyed by what they depend on.

A result is keyed by (the article's content hash, the lexicon's fingerprint, the parameters' hash, the code's
version), so an article seen before is not extracted again, and a changed lexicon, parameter or code gives new keys:
every article it could affect is extracted again (the incident merge always runs again: it is cross-article). A
miss is told apart as a new article or one cached under another lexicon, parameters or code. One SQLite file holds
the results as pickles; lookups and writes go a batch at a time, so a run streams through the cache.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from .engines import Engine, batched

CACHE_FILE = "extraction-cache.sqlite"
SCHEMA_VERSION = 3  # a cache file of another version is emptied: a cache can always be rebuilt
_SQL_VARS = 900  # below SQLite's default limit of bound parameters per statement


class CacheKey(NamedTuple):
    """What a per-article result depends on."""

    content_hash: str
    lexicon: str
    params: str
    code: str = ""


def fingerprint(obj: Any) -> str:
    """A short stable hash of JSON-able data (parameters, a lexicon as loaded): equal data, equal fingerprint."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class ExtractionCache:
    """Per-article results in ``folder/extraction-cache.sqlite``, with the counts a manifest reports.

    ``hits``: results reused; ``misses``: keys not found (extracted again); ``invalidated``: misses whose article
    was cached under another lexicon, parameters or code; ``reasons``: the misses by why (``new``, or what changed
    since the article was last cached: ``lexicon``, ``params``, ``code``, joined by "+"); ``stored``: results written.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / CACHE_FILE
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with self._db:
                for (table,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                    self._db.execute(f"DROP TABLE {table}")
                # Keys apart from the pickles: looking a key up never reads a page of results.
                self._db.execute(
                    "CREATE TABLE keys (content_hash TEXT, lexicon TEXT, params TEXT, code TEXT, blob INTEGER,"
                    " PRIMARY KEY (content_hash, lexicon, params, code)) WITHOUT ROWID"
                )
                self._db.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, value BLOB)")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.hits = self.misses = self.invalidated = self.stored = 0
        self.reasons: Counter[str] = Counter()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM keys").fetchone()[0]

    def get_many(self, keys: Iterable[CacheKey]) -> dict[CacheKey, Any]:
        """The cached results among ``keys`` (absent keys are left out and counted as misses)."""
        return self._lookup(keys, load=True)

    def known_many(self, keys: Iterable[CacheKey]) -> set[CacheKey]:
        """Which of ``keys`` are cached, without loading their results (counted as ``get_many`` counts)."""
        return set(self._lookup(keys, load=False))

    def _lookup(self, keys: Iterable[CacheKey], load: bool) -> dict[CacheKey, Any]:
        wanted: dict[tuple[str, str, str], list[str]] = {}
        for key in keys:
            wanted.setdefault((key.lexicon, key.params, key.code), []).append(key.content_hash)
        found: dict[CacheKey, Any] = {}
        select = ("SELECT k.content_hash, b.value FROM keys k JOIN blobs b ON b.id = k.blob" if load
                  else "SELECT k.content_hash, NULL FROM keys k")
        for config, hashes in wanted.items():
            unique = list(dict.fromkeys(hashes))
            for chunk in batched(unique, _SQL_VARS):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"{select} WHERE k.lexicon=? AND k.params=? AND k.code=? AND k.content_hash IN ({marks})",
                    (*config, *chunk),
                )
                for content_hash, value in rows:
                    found[CacheKey(content_hash, *config)] = pickle.loads(value) if load else None
            missing = [h for h in unique if CacheKey(h, *config) not in found]
            self.hits += len(unique) - len(missing)
            self.misses += len(missing)
            why = self._why_missed(missing, config)
            self.reasons.update(why)
            self.invalidated += len(missing) - why["new"]
        return found

    def _why_missed(self, hashes: list[str], config: tuple[str, str, str]) -> Counter[str]:
        """Each missed hash's reason: ``new`` if never cached, else what differs from its latest cached key."""
        why: Counter[str] = Counter()
        for chunk in batched(hashes, _SQL_VARS):
            marks = ",".join("?" * len(chunk))
            # SQLite takes a bare column's value from the row that max() picked: the latest key of each hash.
            latest = self._db.execute(
                f"SELECT lexicon, params, code, max(blob) FROM keys WHERE content_hash IN ({marks})"
                " GROUP BY content_hash", chunk,
            ).fetchall()
            for *stored, _ in latest:
                why["+".join(n for n, a, b in zip(("lexicon", "params", "code"), stored, config) if a != b)] += 1
            if len(latest) < len(chunk):
                why["new"] += len(chunk) - len(latest)
        return why

    def put_many(self, items: Iterable[tuple[CacheKey, Any]]) -> int:
        """Store results (one transaction; a key stored again replaces its result); returns how many."""
        n = 0
        with self._db:
            for key, value in items:
                self._db.execute(
                    "DELETE FROM blobs WHERE id IN"
                    " (SELECT blob FROM keys WHERE content_hash=? AND lexicon=? AND params=? AND code=?)",
                    key,
                )
                blob = self._db.execute(
                    "INSERT INTO blobs (value) VALUES (?)", (pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),)
                ).lastrowid
                self._db.execute("INSERT OR REPLACE INTO keys VALUES (?, ?, ?, ?, ?)", (*key, blob))
                n += 1
        self.stored += n
        return n

    def keep_only(self, lexicon: str, params: str, code: str = "") -> int:
        """Drop the results cached under any other lexicon, parameters or code (they can no longer be hit by a run
        of this configuration; without this a cache grows by a copy of the corpus's results per change); returns
        how many."""
        stale = "SELECT blob FROM keys WHERE NOT (lexicon=? AND params=? AND code=?)"
        with self._db:
            self._db.execute(f"DELETE FROM blobs WHERE id IN ({stale})", (lexicon, params, code))
            return self._db.execute("DELETE FROM keys WHERE NOT (lexicon=? AND params=? AND code=?)",
                                    (lexicon, params, code)).rowcount

    def stats(self) -> dict[str, Any]:
        """The counts for the manifest: what was reused and what was extracted again, and why."""
        return {"hits": self.hits, "misses": self.misses, "invalidated": self.invalidated, "stored": self.stored,
                "reasons": dict(sorted(self.reasons.items()))}


def map_cached(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    key_of: Callable[[Any], CacheKey],
    cache: ExtractionCache,
    engine: Engine,
    load_hits: bool = True,
) -> Iterator[Any]:
    """``fn`` over ``items`` in input order, reusing cached results and storing new ones.

    A batch is looked up in the cache as a whole; only its misses go to the engine. Batches stay in order and at
    most ``engine.in_flight`` are held at once, so memory stays bounded by the batch size. With
    ``load_hits=False`` a cached item yields None instead of its result: a rerun whose earlier rows are already
    written (partitions of the previous run) then costs the lookups of the keys, not the loading of every result.
    """
    pending: deque = deque()

    def release(slot: tuple) -> Iterator[Any]:
        keys, found, future = slot
        computed = iter(future.result()) if future is not None else iter(())
        fresh = []
        for key in keys:
            if key in found:
                yield found[key]
            else:
                value = next(computed)
                found[key] = value  # a duplicate key later in the same batch reuses it
                fresh.append((key, value))
                yield value
        if fresh:
            cache.put_many(fresh)

    batches, lone = engine.batches(items)
    for batch in batches:
        keys = [key_of(item) for item in batch]
        found = cache.get_many(keys) if load_hits else dict.fromkeys(cache.known_many(keys))
        todo, queued = [], set()
        for key, item in zip(keys, batch):
            if key not in found and key not in queued:
                queued.add(key)
                todo.append(item)
        pending.append((keys, found, engine.submit(fn, todo, lone) if todo else None))
        while pending and (len(pending) >= engine.in_flight or pending[0][2] is None):
            yield from release(pending.popleft())
    while pending:
        yield from release(pending.popleft())
