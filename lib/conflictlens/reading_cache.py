"""Reruns of corpus reading: each document's reading and each near-copy verdict kept between runs.

A corpus that grew by a few files is read again in full (the clustering of copies is cross-document and
order-dependent), but what is pure per document or per pair of texts need not be computed again:

- a document's reading (its stories, their near-duplicate features, each story's own article) is keyed by the
  document as :func:`~conflictlens.corpus.iter_documents` yields it (text, metadata, file and record), the topic
  rule and the reading code's version;
- a verdict of :func:`~conflictlens.corpus._compare` is keyed by the two texts compared (in order), the
  threshold and the code's version.

Any change of code (the source of ``corpus.py`` and of every package module it imports, the lexicon files they
read, the Python and library versions) gives new keys, so an entry from other code is never used; entries no
longer hit stay in the file (a cache can always be deleted and rebuilt). One SQLite file holds both tables; lookups
and writes go a batch at a time, so a read streams through the cache.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import platform
import re
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths
from .code_version import closure
from .engines import batched

if TYPE_CHECKING:
    from .corpus import TopicRule

READING_CACHE_FILE = "reading-cache.sqlite"
SCHEMA_VERSION = 1  # a cache file of another version (or not a database at all) is emptied
READING_ROOT = "corpus"  # the reading code: corpus.py and the package modules it imports
LIBRARIES = ("numpy", "datasketch", "nltk")  # sketches (numpy, datasketch's permutations) and sentences (nltk)
_SQL_VARS = 900  # below SQLite's default limit of bound parameters per statement
_LEXICON_FILE = re.compile(rb'LEXICON / "([\w.-]+\.yaml)"')

Verdict = tuple[bool, str]


def reading_modules() -> set[str]:
    """``corpus`` and every package module it imports, directly or not."""
    return closure([READING_ROOT])


@lru_cache(maxsize=1)
def reading_code_version() -> str:
    """A hash of what reading runs: the source of :func:`reading_modules`, the package lexicon files they name,
    and the versions of Python and of the libraries whose results a cached reading holds."""
    versions = " ".join(f"{lib} {metadata.version(lib)}" for lib in LIBRARIES)
    h = hashlib.sha256(f"{platform.python_version()} {versions}\n".encode())
    for module in sorted(reading_modules()):
        source = (paths.PACKAGE / f"{module}.py").read_bytes()
        h.update(module.encode() + b"\0" + source + b"\0")
        for name in sorted(set(_LEXICON_FILE.findall(source))):
            h.update(name + b"\0" + (paths.LEXICON / name.decode()).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def rule_fingerprint(rule: TopicRule) -> str:
    """A stable hash of a topic rule (terms, threshold, minimum words): the articles a reading builds depend on it."""
    blob = json.dumps([rule.index, rule.threshold, rule.min_words], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _digest(scope: bytes, data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16, key=scope).digest()


class ReadingCache:
    """Per-document readings and near-copy verdicts in ``folder/reading-cache.sqlite``, for one topic rule.

    Counts what a read reused and what it computed: ``documents_reused``, ``documents_parsed``, ``compares_reused``,
    ``compares_run``.
    """

    def __init__(self, folder: str | Path, rule: TopicRule) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / READING_CACHE_FILE
        self.code = reading_code_version()
        self._documents_scope = f"{self.code} {rule_fingerprint(rule)}".encode()
        self._db = self._open()
        self.documents_reused = self.documents_parsed = self.compares_reused = self.compares_run = 0

    def _open(self) -> sqlite3.Connection:
        """The database, emptied when written by another schema version; a file that is not a database (a cut
        copy, another file under this name) is replaced."""
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            for suffix in ("", "-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with db:
                    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                        db.execute(f"DROP TABLE {table}")
                    db.execute("CREATE TABLE documents (key BLOB PRIMARY KEY, value BLOB)")
                    # Looked up by the text being placed: every verdict on it comes back in one query.
                    db.execute("CREATE TABLE verdicts (placed BLOB, candidate BLOB, same INTEGER, reason TEXT,"
                               " PRIMARY KEY (placed, candidate)) WITHOUT ROWID")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def __enter__(self) -> ReadingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # -- documents ----------------------------------------------------------------------------------------------
    def document_key(self, item: dict) -> bytes:
        """The key of a document item of :func:`~conflictlens.corpus.iter_documents`: every field of it (what the
        reading reads, provenance included: a story's file and record are part of its reading), the topic rule and
        the code version."""
        return _digest(self._documents_scope, json.dumps(item, sort_keys=True, default=str).encode())

    def get_documents(self, keys: Iterable[bytes]) -> dict[bytes, tuple[list[dict], list[dict]]]:
        """The cached readings (stories, skipped records) among ``keys``."""
        found: dict[bytes, tuple[list[dict], list[dict]]] = {}
        for chunk in batched(dict.fromkeys(keys), _SQL_VARS):
            rows = self._db.execute(f"SELECT key, value FROM documents WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk)
            found.update((key, pickle.loads(value)) for key, value in rows)
        self.documents_reused += len(found)
        return found

    def put_documents(self, rows: list[tuple[bytes, tuple[list[dict], list[dict]]]]) -> None:
        """Store readings just made (one transaction); pickled now, before the caller changes them."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?)",
                                 [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in rows])
        self.documents_parsed += len(rows)

    # -- verdicts -----------------------------------------------------------------------------------------------
    def text_key(self, text: str, threshold: float) -> bytes:
        """The key of a text as :func:`~conflictlens.corpus._compare` reads it, at ``threshold``, under this code."""
        return _digest(f"{self.code} {threshold!r}".encode(), text.encode("utf-8", "surrogatepass"))

    def get_verdicts(self, placed: Iterable[bytes]) -> dict[tuple[bytes, bytes], Verdict]:
        """Every cached verdict on the texts ``placed`` (keys of :meth:`text_key`), by (placed, candidate)."""
        found: dict[tuple[bytes, bytes], Verdict] = {}
        for chunk in batched(dict.fromkeys(placed), _SQL_VARS):
            rows = self._db.execute(
                f"SELECT placed, candidate, same, reason FROM verdicts WHERE placed IN ({','.join('?' * len(chunk))})",
                chunk)
            for p, c, same, reason in rows:
                found[p, c] = (bool(same), reason)
        return found

    def put_verdicts(self, fresh: list[tuple[bytes, bytes, bool, str]], reused: int) -> None:
        """Store the verdicts (placed, candidate, same, reason) just run, and count the ``reused`` ones."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)", fresh)
        self.compares_run += len(fresh)
        self.compares_reused += reused

    def stats(self) -> dict[str, int]:
        """What this read reused and what it computed."""
        return {"documents_parsed": self.documents_parsed, "documents_reused": self.documents_reused,
                "compares_run": self.compares_run, "compares_reused": self.compares_reused}
