"""``extract(corpus) -> Tables``: read, extract each article (a pure map), merge across articles (a reduce), write.

The per-article step :func:`extract_article` is a pure function of one article, the lexicon and the parameters, so
the same code runs in a loop here and as a map over partitions on a Dask cluster (``engine="dask"``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import date
from functools import lru_cache, partial
from importlib import metadata
from pathlib import Path

from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.parquet as pq

from . import __version__, paths
from .lexicon import Lexicon, load_lexicon
from .store import (TableWriter, Tables, frame, read_tables, rows_to_arrow, sort_frame, with_python_lists,
                    write_manifest)

if TYPE_CHECKING:
    from .cache import CacheKey, ExtractionCache
    from .corpus import Corpus
    from .engines import Engine
# The extraction modules (NLTK, datasketch, the compiled lexicons) are imported where they are used, so that reusing
# extracted tables (``ensure_results`` in a notebook) does not pay for them.

DEFAULT_PARAMS = {
    "vague_convention": "acled",    # how "dozens", "hundreds" become numbers (lexicon/quantities.yaml)
    "include_off_topic": False,     # off-topic articles keep their actor mentions but form no incidents
    "lexicon": None,                # a folder of lexicon yaml files; None = the package's own
    "max_file_mb": 20.0,            # larger input files are skipped with a reason
    "topic_threshold": None,        # None = lexicon/topic.yaml's threshold
}
NEAR_DUPLICATE_THRESHOLD = 0.8  # corpus.read_corpus's default: a delta read must use the same
BATCH_ARTICLES = 2000  # articles per written batch: what a streamed run holds of rows at once
PACKAGES = ["conflictlens", "pandas", "pyarrow", "nltk", "datasketch", "pyyaml", "papermill", "matplotlib",
            "seaborn", "dask", "distributed"]
VICTIM_CATEGORY = {"militant_group": "militants", "military": "security_forces", "police": "security_forces",
                   "paramilitary": "security_forces"}


def _victim_category(person: dict, lexicon: Lexicon) -> str:
    """A named victim's category from the actor they belong to (ACLED: officials and contractors are civilians)."""
    aff = lexicon.actors.get(person.get("affiliation") or "", {})
    return VICTIM_CATEGORY.get(aff.get("type"), "civilians")


def _anchor(article: dict) -> tuple[date | None, str]:
    pub = article.get("published")
    if not pub:
        return None, "unknown"
    try:
        return date.fromisoformat(str(pub)[:10]), article.get("date_precision") or "day"
    except ValueError:
        return None, "unknown"


def extract_article(article: dict, lexicon: Lexicon, params: dict) -> dict[str, list[dict]]:
    """Actor mentions, casualty figures and event mentions of one article (pure: no I/O, no shared state)."""
    from .actors import find_actor_mentions
    from .casualties import find_casualties
    from .dates import find_dates
    from .events import find_events
    from .places import find_place_mentions
    from .text import sentence_spans

    text = article["text"]
    aid = article["article_id"]
    spans = sentence_spans(text)
    anchor, precision = _anchor(article)
    actors = find_actor_mentions(text, spans, lexicon, anchor, context="\n".join(article.get("captions") or []))
    places = find_place_mentions(text, spans, lexicon)
    dates = find_dates(text, spans, anchor, precision)
    persons = [dict(a, victim_category=_victim_category(a, lexicon)) for a in actors if a.get("actor_type") == "person"]
    title = article.get("title")
    title_end = len(title) if title and text.startswith(title) else 0
    casualties = find_casualties(text, spans, persons, params.get("vague_convention", "acled"),
                                 body_start=article.get("body_start") or 0, title_end=title_end)
    _situate(text, spans, casualties, dates, places, actors)
    events = find_events(text, spans, lexicon.raw["events"], dates, places, actors, casualties)
    if anchor is not None:
        _plans(events, anchor)
    topic = article.get("topic")
    for rows in (casualties, events):
        for r in rows:
            r["article_id"] = aid
            r["topic"] = topic
    for r in actors:
        r["article_id"] = aid
    return {"actor_mentions": actors, "casualties": casualties, "events": events}


def _plans(events: list[dict], written: date) -> None:
    """An event dated after its article was written is a plan, not a happening ("the two sides will meet again in
    Istanbul on October 25 to discuss ... the truce"): it is marked hypothetical, and forms no incident."""
    for ev in events:
        start = ev.get("date_start")
        if start and not ev["hypothetical"]:
            parts = [int(x) for x in str(start)[:10].split("-") if x.isdigit()]
            try:
                first = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
            except (IndexError, ValueError):
                continue
            if first > written:
                ev["hypothetical"] = True


def _situate(text: str, spans: list[tuple[int, int]], casualties: list[dict], dates: list, places: list[dict],
             actors: list[dict]) -> None:
    """Give each casualty figure its sentence's date and places (for figures no event names)."""
    from .events import pick_date, pick_places

    person_spans = [(a["start"], a["end"]) for a in actors if a.get("actor_type") == "person"]
    actor_spans = [(a["start"], a["end"]) for a in actors]
    for c in casualties:
        si = c.get("sentence_index")
        d, reporting = pick_date(text, [d for d in dates if d.sentence_index == si], c["start"], c["end"], c["status"])
        if d is not None and d.date_start:
            c.update(date_start=d.date_start, date_end=d.date_end or d.date_start,
                     date_precision="approximate" if reporting else d.precision)
        else:
            c.update(date_start=None, date_end=None, date_precision="unknown")
        here = [p for p in places if p.get("sentence_index") == si]
        c["places"] = [p["place_id"] for p in pick_places(text, spans[si][0], here, c["start"], c["end"], actor_spans)]
        c["victim_is_person"] = bool(c.get("victim_is_person")) or any(
            s <= c["start"] < e or c["start"] <= s < c["end"] for s, e in person_spans)


def _place_index(lexicon: Lexicon) -> dict[str, dict]:
    return {pid: dict(p, place_id=pid) for pid, p in lexicon.places.items()}


def corpus_hash(corpus: "Corpus") -> str:
    h = hashlib.sha256()
    for entry in sorted(corpus.inputs, key=lambda e: e["path"]):
        h.update(f"{entry['path']}\0{entry.get('sha256')}\n".encode())
    return h.hexdigest()


def package_versions(names: tuple[str, ...] | list[str] = tuple(PACKAGES)) -> dict[str, str]:
    """Python's and each named package's installed version, for manifests."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


# Article fields that only record where an article's copies came from: extract_article never reads them, so a new
# copy of a known article leaves its cache key alone (tests/test_incremental.py checks that they are not read).
PROVENANCE_FIELDS = frozenset({"files", "source_ids", "n_copies"})
# Parameters used before or after the per-article step: their effect reaches it through the article's fields
# (topic) or the lexicon's fingerprint (the lexicon folder), or not at all (the merge's include_off_topic).
READING_PARAMS = frozenset({"include_off_topic", "lexicon", "max_file_mb", "topic_threshold"})
# The per-article step's modules besides this one: the code version follows their imports within the package.
EXTRACTION_MODULES = ("actors", "casualties", "dates", "events", "places", "text")


def article_hash(article: dict) -> str:
    """sha256 of every field of ``article`` that :func:`extract_article` may read (all but its provenance)."""
    fields = {k: v for k, v in article.items() if k not in PROVENANCE_FIELDS}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def extraction_modules() -> set[str]:
    """This module, the extraction modules and every package module they import, directly or not."""
    from .code_version import closure

    return closure(EXTRACTION_MODULES, {"pipeline"})


@lru_cache(maxsize=1)
def extraction_code_version() -> str:
    """A hash of what the per-article step runs: the source of :func:`extraction_modules`, the package lexicon files
    they read at import (not covered by a ``--lexicon`` folder's fingerprint), and the Python and NLTK versions."""
    import re

    h = hashlib.sha256(f"{platform.python_version()} nltk {metadata.version('nltk')}\n".encode())
    for module in sorted(extraction_modules()):
        source = (paths.PACKAGE / f"{module}.py").read_bytes()
        h.update(module.encode() + b"\0" + source + b"\0")
        for name in sorted(set(re.findall(rb'LEXICON / "([\w.-]+\.yaml)"', source))):
            h.update(name + b"\0" + (paths.LEXICON / name.decode()).read_bytes() + b"\0")
    return h.hexdigest()[:16]


# What a delta run's tables depend on besides the per-article step: reading, the merge, the dating from
# witnesses, the tables.
RUN_MODULES = ("pipeline", "incidents", "incident_state", "incident_summary", "corroboration", "delta", "store",
               "schema", "corpus", "reading_state")


@lru_cache(maxsize=1)
def run_code_version() -> str:
    """The per-article step's code version and the source of :data:`RUN_MODULES`."""
    h = hashlib.sha256(extraction_code_version().encode())
    for module in RUN_MODULES:
        h.update((paths.PACKAGE / f"{module}.py").read_bytes())
    return h.hexdigest()[:16]


def cache_config(lexicon: Lexicon, params: dict) -> tuple[str, str, str]:
    """What a cached result depends on besides its article: the lexicon's fingerprint, the per-article parameters'
    fingerprint and the code version (a :class:`~conflictlens.cache.CacheKey` without its content hash)."""
    from .cache import fingerprint

    return (lexicon.fingerprint, fingerprint({k: v for k, v in params.items() if k not in READING_PARAMS}),
            extraction_code_version())


def cache_key_fn(lexicon: Lexicon, params: dict) -> Callable[[dict], CacheKey]:
    """An article → its :class:`~conflictlens.cache.CacheKey` under this lexicon, these parameters and this code."""
    from .cache import CacheKey

    config = cache_config(lexicon, params)
    return lambda article: CacheKey(article_hash(article), *config)


def iter_extraction(articles: list[dict], lexicon: Lexicon, params: dict, engine: Engine,
                    cache: ExtractionCache | None = None) -> Iterator[dict]:
    """:func:`extract_article` mapped over articles on an open ``engine``, one result per article in order
    (streamed: the engine holds a few batches at a time); with ``cache``, articles cached under this lexicon, these
    parameters and this code are reused and the others stored."""
    fn = partial(extract_article, lexicon=lexicon, params=params)
    if cache is None:
        return engine.map(fn, articles)
    from .cache import map_cached

    return map_cached(fn, articles, cache_key_fn(lexicon, params), cache, engine)


def _reuse(cache: ExtractionCache | None, n_articles: int, n_redated: int, config: tuple[str, str, str]) -> dict:
    """The manifest's ``reuse`` block; with a cache, first drops its results of other configurations."""
    if cache is None:
        return {"cache_file": None, "articles_extracted": n_articles, "articles_reused": 0,
                "redated_extracted": n_redated}
    pruned = cache.keep_only(*config)
    stats = cache.stats()
    return {"cache_file": str(cache.path), "cache_entries": len(cache), "articles_extracted": stats["misses"],
            "articles_reused": stats["hits"], "redated_extracted": n_redated, "misses": stats["reasons"],
            "stale_entries_dropped": pruned}


def extract(corpus: str | Path, out_dir: str | Path | None = None, engine: str = "local",
            scheduler: str | None = None, params: dict | None = None, cache_dir: str | Path | None = None,
            batch_articles: int = BATCH_ARTICLES, workers: int | None = None) -> Tables:
    """:func:`extract_to` ``out_dir`` (a temporary folder when None), then every table read back into memory.

    For corpora too big to hold, call :func:`extract_to` and read the tables' columns you need (store.read_table).
    """
    if out_dir is not None:
        extract_to(corpus, out_dir, engine, scheduler, params, cache_dir, batch_articles, workers)
        return with_python_lists(read_tables(out_dir))
    with tempfile.TemporaryDirectory(prefix="conflictlens-") as tmp:
        extract_to(corpus, tmp, engine, scheduler, params, cache_dir, batch_articles, workers)
        return with_python_lists(read_tables(tmp))


# The fields of event and casualty rows that the incident merge and the witness dating read: all that a streamed
# run keeps in memory of a row once its batch is written (about a tenth of the row).
MERGE_FIELDS = {
    "events": ("article_id", "sentence_index", "start", "end", "kind", "family", "negated", "hypothetical", "generic",
               "date_start", "date_end", "date_precision", "date_text", "places", "actors"),
    "casualties": ("article_id", "sentence_index", "start", "end", "status", "category", "best", "low", "high",
                   "vague", "victim_is_person", "date_start", "date_end", "date_precision", "places"),
}
ROW_TABLES = ("actor_mentions", "events", "casualties")
# What an article dict stops holding once its batch is written (the article table keeps them).
BULKY_ARTICLE_FIELDS = frozenset({"text", "captions", "summary", "date_note"})


class MergeRow:
    """The fields of one event or casualty row that the merge reads, in slots (a fifth of a dict's size), read
    as a row dict is: ``row["kind"]``, ``row.get("places")``."""

    __slots__ = ("article_id", "sentence_index", "start", "end", "kind", "family", "negated", "hypothetical",
                 "generic", "date_start", "date_end", "date_precision", "date_text", "places", "actors", "status",
                 "category", "best", "low", "high", "vague", "victim_is_person", "incident_id")

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        setattr(self, name, value)

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)


class _Compactor:
    """A row as a :class:`MergeRow` of :data:`MERGE_FIELDS`, its strings and lists shared among the rows that
    repeat them (a date, a place list, an actor list)."""

    def __init__(self) -> None:
        self._seen: dict = {}

    def __call__(self, row: dict, fields: tuple[str, ...]) -> MergeRow:
        seen = self._seen
        out = MergeRow()
        for k in fields:
            v = row.get(k)
            if isinstance(v, list):
                v = tuple(v)
            if isinstance(v, (str, tuple)):
                v = seen.setdefault(v, v)
            setattr(out, k, v)
        return out


def extract_to(corpus: str | Path, out_dir: str | Path, engine: str = "local", scheduler: str | None = None,
               params: dict | None = None, cache_dir: str | Path | None = None,
               batch_articles: int = BATCH_ARTICLES, workers: int | None = None) -> dict:
    """Read ``corpus``, extract every article, merge incidents, write the tables to ``out_dir``; returns the manifest.

    Streamed: each batch of ``batch_articles`` articles is written as soon as it is extracted (Parquet parts in
    ``out_dir/.parts``), keeping in memory only what the merge reads of event and casualty rows
    (:data:`MERGE_FIELDS`); a second pass writes the final tables with each row's ``incident_id``, one batch at a
    time. With ``cache_dir``, per-article results are kept in ``cache_dir/extraction-cache.sqlite`` and reused by a
    later run (see cache.py); the tables are the same with or without it, and the manifest's ``reuse`` says what was.
    Documents are parsed and articles extracted on one engine (``workers`` processes for ``local``, a Dask
    LocalCluster of ``workers`` or the cluster at ``scheduler`` for ``dask``); the tables are the same on any.
    """
    from .engines import Engine, EngineError

    if batch_articles < 1:
        raise EngineError(f"--batch must be at least 1 article, not {batch_articles}")
    p = dict(DEFAULT_PARAMS, **(params or {}))
    from .incidents import lexicon_kinds

    kinds = load_lexicon(p["lexicon"]).raw["events"]["kinds"]
    with Engine(engine, scheduler=scheduler, workers=workers) as eng, lexicon_kinds(kinds):
        return _extract_to(corpus, Path(out_dir), eng, p, cache_dir, batch_articles)


def _extract_to(corpus: str | Path, out: Path, eng: Engine, p: dict, cache_dir: str | Path | None,
                batch_articles: int) -> dict:
    from .cache import ExtractionCache
    from .corpus import read_corpus
    from .incidents import merge

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    slots = eng.slots  # read now: the engine is closed before the merge
    lexicon = load_lexicon(p["lexicon"])

    # A folder holding the last run's tables and state (kept only with a cache): redo only what changed (delta.py).
    config = digests = None
    run_info = {"mode": "full", "why": "no cache (--no-cache): no state kept"}
    if cache_dir is not None:
        from . import delta
        from .incident_state import StateError
        from .reading_state import ReadingFallback, read as read_delta

        config = delta.run_config(corpus, lexicon.fingerprint, p, run_code_version())
        old, why = delta.prior(out, config)
        if old is not None:
            try:
                found = read_delta(corpus, out / delta.STATE_DIR, _topic_rule(p), NEAR_DUPLICATE_THRESHOLD,
                                   p["max_file_mb"])
                timings["read"] = time.perf_counter() - t0
                return _extract_delta(corpus, found, out, eng, p, cache_dir, lexicon, config, old, timings, t0)
            except (ReadingFallback, _Fallback, StateError) as e:
                why = f"{e}"
        delta.forget(out)
    corpus_obj = read_corpus(corpus, topic_threshold=p["topic_threshold"], max_file_mb=p["max_file_mb"], engine=eng,
                             near_duplicate_threshold=NEAR_DUPLICATE_THRESHOLD, cache_dir=cache_dir,
                             keep=out / ".state" if cache_dir is not None else None)
    articles = corpus_obj.articles
    timings["read"] = time.perf_counter() - t0
    if cache_dir is not None:
        run_info = {"mode": "full", "why": why}
        digests = {a["article_id"]: delta.article_digest(a, article_hash(a), PROVENANCE_FIELDS) for a in articles}

    parts = out / ".parts"
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)
    t1 = time.perf_counter()
    compact = _Compactor()
    kept: dict[str, list[dict]] = {"events": [], "casualties": []}
    batches: list[dict] = []  # per batch: its article ids and how many rows of each table it wrote
    with ExtractionCache(cache_dir) if cache_dir is not None else nullcontext() as cache:
        buffer: dict[str, list[dict]] = {k: [] for k in ROW_TABLES}
        ids: list[str] = []

        def flush() -> None:
            n = len(batches)
            for k in ROW_TABLES:
                pq.write_table(rows_to_arrow(buffer[k], k), parts / f"{k}-{n:06d}.parquet")
            pq.write_table(rows_to_arrow([articles[j] for j in batch], "articles"), parts / f"articles-{n:06d}.parquet")
            batches.append({"articles": set(ids), **{k: len(buffer[k]) for k in ROW_TABLES}})
            for k in ROW_TABLES:
                buffer[k] = []
            # Written: the texts leave memory, but for undated articles, which a witness may date (then extracted
            # again). The final pass writes the written rows, the re-dated articles' replaced.
            for j in batch:
                a = articles[j]
                if a.get("published") or a.get("topic") != "conflict":
                    articles[j] = {k: v for k, v in a.items() if k not in BULKY_ARTICLE_FIELDS}
            ids.clear()
            batch.clear()

        batch: list[int] = []  # indices into ``articles`` of the batch being extracted
        # Not zip(articles, ...): the results' generator must run to its end (it stores the last batch's results).
        for i, result in enumerate(iter_extraction(articles, lexicon, p, eng, cache)):
            ids.append(articles[i]["article_id"])
            batch.append(i)
            for k in ROW_TABLES:
                buffer[k].extend(result[k])
            for k, fields in MERGE_FIELDS.items():
                kept[k].extend(compact(r, fields) for r in result[k])
            if len(ids) >= batch_articles:
                flush()
        if ids or not batches:
            flush()
        eng.close()  # the workers' memory is not needed by the merge
        redone = _date_from_witnesses(articles, kept["events"], lexicon, p)
        reuse = _reuse(cache, len(articles), len(redone), cache_config(lexicon, p))
    timings["extract"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    # The merge sees the rows as an in-memory run would: the re-dated articles' new rows after all the others.
    positions: dict[str, list[int]] = {}
    merge_rows: dict[str, list[dict]] = {}
    for k in kept:
        positions[k] = [i for i, r in enumerate(kept[k]) if r["article_id"] not in redone]
        merge_rows[k] = [kept[k][i] for i in positions[k]]
        merge_rows[k] += [compact(r, MERGE_FIELDS[k]) for aid in sorted(redone) for r in redone[aid][k]]
    keep = {a["article_id"] for a in articles if p["include_off_topic"] or a.get("topic") == "conflict"}
    idx = {k: [i for i, r in enumerate(merge_rows[k]) if r["article_id"] in keep] for k in kept}
    from .incident_state import IncidentState

    with IncidentState(out / ".state") if config is not None else nullcontext() as keep:
        incidents, ev_ids, cas_ids = merge([merge_rows["events"][i] for i in idx["events"]],
                                           [merge_rows["casualties"][i] for i in idx["casualties"]],
                                           _place_index(lexicon), keep=keep)
    incident_of: dict[str, list[str | None]] = {}
    for k, found in (("events", ev_ids), ("casualties", cas_ids)):
        merged_ids: list[str | None] = [None] * len(merge_rows[k])
        for i, iid in zip(idx[k], found):
            merged_ids[i] = iid
        per_row: list[str | None] = [None] * len(kept[k])
        for rank, i in enumerate(positions[k]):
            per_row[i] = merged_ids[rank]
        new_rows = merge_rows[k][len(positions[k]):]
        incident_of[k] = per_row
        for r, iid in zip(new_rows, merged_ids[len(positions[k]):]):
            r["incident_id"] = iid
        for aid in sorted(redone):  # the full new rows get the ids their compact copies got
            for r, c in zip(redone[aid][k], [x for x in new_rows if x["article_id"] == aid]):
                r["incident_id"] = c["incident_id"]
    del kept, merge_rows
    timings["merge"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    counts = _write_final(out, parts, batches, incident_of, redone, {a["article_id"]: a for a in articles
                                                                      if a["article_id"] in redone})
    shutil.rmtree(parts)
    incidents_df = frame(incidents, "incidents")
    _check_incidents(incidents_df, incident_of, redone)
    with TableWriter(out / "incidents.parquet", "incidents") as w:
        w.write(incidents_df)
    if len({a["article_id"] for a in articles}) != len(articles):
        raise AssertionError("articles: duplicated article_id")
    timings["write"] = time.perf_counter() - t3

    manifest = {
        "conflictlens": __version__,
        "corpus": str(corpus),
        "corpus_sha256": corpus_hash(corpus_obj),
        "engine": eng.kind,
        "workers": slots,
        "batch_articles": batch_articles,
        "parameters": {k: v for k, v in p.items()},
        "lexicon_fingerprint": lexicon.fingerprint,
        "dated_from_witnesses": sorted(redone),
        "reuse": reuse,
        "run": run_info,
        "inputs": corpus_obj.inputs,
        "skipped_records": corpus_obj.skipped_records,
        "summary": corpus_obj.summary(),
        "counts": {"articles": len(articles), **counts, "incidents": len(incidents)},
        "packages": package_versions(),
        "git_commit": git_commit(),
    }
    timings["total"] = time.perf_counter() - t0
    manifest["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    json.dumps(manifest, default=str)
    write_manifest(manifest, out)
    if config is not None:
        from . import delta

        delta.save(out, config, digests)
    return manifest


class _Fallback(Exception):
    """A change a delta run cannot settle: the run is a full one (the message says why)."""


def _topic_rule(p: dict) -> Any:
    from .corpus import TopicRule, load_topic_rule

    rule = load_topic_rule()
    return rule if p["topic_threshold"] is None else TopicRule(rule.index, float(p["topic_threshold"]), rule.min_words)


def _extract_delta(corpus: str | Path, found: Any, out: Path, eng: Engine, p: dict, cache_dir: str | Path,
                   lexicon: Lexicon, config: dict, old: dict[str, str], timings: dict[str, float], t0: float) -> dict:
    """The delta run (delta.py) after a delta read (reading_state.py): extract the new and changed articles, merge
    again the incidents they touch, patch the tables. Raises :class:`_Fallback` (or StateError) before writing
    anything when a full run is needed."""
    from . import delta
    from .cache import ExtractionCache
    from .corroboration import month_day
    from .incident_state import IncidentState
    from .incidents import KIND_FAMILY

    now = {a["article_id"]: delta.article_digest(a, article_hash(a), PROVENANCE_FIELDS) for a in found.articles}
    by_id = {a["article_id"]: a for a in found.articles}
    added = sorted(k for k, d in now.items() if old.get(k) != d)                       # new or changed
    removed = {k for k in found.gone | set(now) if k in old and now.get(k) != old[k]}  # changed or gone
    # An article that only gained a copy (files, copies) keeps its rows and incidents: only its row changes.
    same = {k for k in added if delta.same_rows(old.get(k), now[k])}
    extract, dropped = [k for k in added if k not in same], removed - same
    # An undated article is dated from the whole corpus (corroboration.py): one that comes, changes or goes, and a
    # dated article that may witness one, need the full run.
    table = pq.read_table(out / "articles.parquet", columns=["article_id", "published", "date_kind", "topic"])
    undated = {r["article_id"] for r in table.to_pylist()
               if (not r["published"] or r["date_kind"] == "inferred") and r["topic"] == "conflict"}
    if undated & dropped or any(not by_id[k].get("published") and by_id[k].get("topic") == "conflict"
                                for k in extract):
        raise _Fallback("an undated article came, changed or went")
    fields = ["article_id", "kind", "date_text", "places", "negated", "hypothetical"]

    def witness_keys(rows: list[dict], month_day_only: bool) -> set[tuple]:
        return {(KIND_FAMILY.get(e["kind"]), pid) for e in rows if not e["negated"] and not e["hypothetical"]
                and (not month_day_only or month_day(e["date_text"])) for pid in e["places"] or ()}

    asked = witness_keys(delta.rows_of(out, "events", undated, fields), True) if undated else set()

    t1 = time.perf_counter()
    with ExtractionCache(cache_dir) as cache:
        # list() first: the generator must run to its end, where it stores the last batch's results.
        results = dict(zip(extract, list(iter_extraction([by_id[k] for k in extract], lexicon, p, eng, cache))))
        if asked and asked & (witness_keys([e for r in results.values() for e in r["events"]], False)
                              | witness_keys(delta.rows_of(out, "events", dropped, fields), False)):
            raise _Fallback("a dated article that may date an undated one came, changed or went")
        eng.close()
        reuse = _reuse(cache, len(extract), 0, cache_config(lexicon, p))
    timings["extract"] = time.perf_counter() - t1

    # The tables that take no incident ids are patched in threads while the incidents are merged again (Parquet
    # reading and writing run outside the GIL), the others as soon as the merge is done.
    t2 = time.perf_counter()
    delta.forget(out)  # the state and tables are about to change: none claims them until the run is done
    keep = {k for k in extract if p["include_off_topic"] or by_id[k].get("topic") == "conflict"}
    swapped = False
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            patched = {"articles": pool.submit(delta.patch, out, "articles", removed, [by_id[k] for k in added]),
                       "actor_mentions": pool.submit(delta.patch, out, "actor_mentions", dropped,
                                                     [r for k in extract for r in results[k]["actor_mentions"]])}
            with IncidentState(out / ".state") as state:
                change = state.delta(dropped, {k: {t: results[k][t] for t in MERGE_FIELDS} for k in keep},
                                     _place_index(lexicon), lambda: delta.incident_ids(out))
            timings["merge"] = time.perf_counter() - t2
            t3 = time.perf_counter()
            for t in MERGE_FIELDS:
                patched[t] = pool.submit(delta.patch, out, t, dropped, [r for k in extract for r in results[k][t]],
                                         change.renamed.get(t), ids=change.ids)
            patched["incidents"] = pool.submit(delta.patch, out, "incidents", change.dropped, change.incidents,
                                               drop_key="incident_id")
            counts = {t: patched[t].result() for t in ("articles", *ROW_TABLES, "incidents")}
        delta.swap_in(out)
        swapped = True
    finally:
        if not swapped:
            delta.discard(out)
    timings["write"] = time.perf_counter() - t3

    last = json.loads((out / "manifest.json").read_text())
    written = pq.read_table(out / "articles.parquet", columns=["n_copies", "topic"]).to_pydict()
    instances = sum(written["n_copies"])
    skipped_files = sum(1 for i in found.inputs if i["fate"] == "skipped")
    summary = {"files": len(found.inputs), "files_loaded": len(found.inputs) - skipped_files,
               "files_skipped": skipped_files, "instances": instances, "articles": counts["articles"],
               "duplicates_merged": instances - counts["articles"],
               "off_topic": sum(1 for t in written["topic"] if t == "off_topic"),
               "records_skipped": len(found.skipped_records), "near_duplicates_refused": found.refused}
    manifest = {
        "conflictlens": __version__,
        "corpus": str(corpus),
        "corpus_sha256": corpus_hash(found),
        "engine": eng.kind,
        "workers": last.get("workers"),
        "batch_articles": last.get("batch_articles"),
        "parameters": {k: v for k, v in p.items()},
        "lexicon_fingerprint": lexicon.fingerprint,
        "dated_from_witnesses": last.get("dated_from_witnesses", []),
        "reuse": reuse,
        "run": {"mode": "delta", "articles_new": len(set(added) - removed), "articles_changed": len(set(added) & removed),
                "articles_with_new_copies_only": len(same),
                "articles_gone": len(removed - set(added)), "incidents_dropped": len(change.dropped),
                "incidents_merged_again": len(change.incidents), "units_merged_again": change.units_merged,
                "incidents_extended": change.incidents_extended,
                "stories_read": found.stories_read, "near_copy_decisions_again": found.decided_again},
        "inputs": found.inputs,
        "skipped_records": found.skipped_records,
        "summary": summary,
        "counts": counts,
        "packages": package_versions(),
        "git_commit": git_commit(),
    }
    timings["total"] = time.perf_counter() - t0
    manifest["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    write_manifest(manifest, out)
    found.commit()
    delta.save(out, config, {**{k: d for k, d in old.items() if k not in removed}, **{k: now[k] for k in added}})
    return manifest


def _write_final(out: Path, parts: Path, batches: list[dict], incident_of: dict[str, list[str | None]],
                 redone: dict[str, dict[str, list[dict]]], redated: dict[str, dict]) -> dict[str, int]:
    """The second pass: each batch's parts with their incident ids (re-dated articles' rows replaced by their new
    ones, and their article rows by the re-dated articles), sorted, appended to the final tables. Returns the rows
    written per table."""
    writers = {k: TableWriter(out / f"{k}.parquet", k) for k in ("articles", *ROW_TABLES)}
    offset = {k: 0 for k in ROW_TABLES}
    try:
        for n, batch in enumerate(batches):
            mine = [aid for aid in redone if aid in batch["articles"]]
            for k in writers:
                df = pq.read_table(parts / f"{k}-{n:06d}.parquet").to_pandas()
                if k in incident_of:
                    df["incident_id"] = incident_of[k][offset[k] : offset[k] + batch[k]]
                if k in offset:
                    offset[k] += batch[k]
                if mine:
                    df = df[~df["article_id"].isin(mine)]
                    new = [redated[aid] for aid in mine] if k == "articles" else [
                        r for aid in mine for r in redone[aid][k]]
                    new_df = frame(new, k, sort=False)
                    df = pd.concat([df, new_df], ignore_index=True) if len(df) else new_df
                df = sort_frame(df, k)
                if k == "casualties" and len(df) and (df["best"].astype(float) < 0).any():
                    raise AssertionError("casualties: negative figure")
                writers[k].write(df)
    finally:
        for w in writers.values():
            w.close()
    return {k: w.rows for k, w in writers.items() if k in ROW_TABLES}


def _check_incidents(incidents: pd.DataFrame, incident_of: dict[str, list[str | None]],
                     redone: dict[str, dict[str, list[dict]]]) -> None:
    """Checks inside the data flow: unique incident ids, and every incident's mentions present."""
    from collections import Counter

    if incidents["incident_id"].duplicated().any():
        dup = incidents["incident_id"][incidents["incident_id"].duplicated()].tolist()[:5]
        raise AssertionError(f"incidents: duplicated incident_id: {dup}")
    n_rows: Counter = Counter()
    for k, ids in incident_of.items():
        n_rows.update(i for i in ids if i is not None)
        n_rows.update(r["incident_id"] for rows in redone.values() for r in rows[k] if r.get("incident_id"))
    for iid, n in zip(incidents["incident_id"], incidents["n_mentions"]):
        if n_rows.get(iid, 0) != int(n):
            raise AssertionError(f"incident {iid}: n_mentions {n} does not match its rows")


def _date_from_witnesses(articles: list[dict], events: list[dict], lexicon: Lexicon,
                         params: dict) -> dict[str, dict[str, list[dict]]]:
    """Give undated articles the date a dated witness article implies (see corroboration.py) and re-extract them.

    Returns each re-dated article's new rows (its earlier rows, extracted undated, are to be replaced by them)."""
    from .corroboration import witness_dates

    undated = [a for a in articles if not a.get("published") and a.get("topic") == "conflict"]
    if not undated:
        return {}
    fills = witness_dates(undated, {a["article_id"]: a for a in articles}, events)
    redone: dict[str, dict[str, list[dict]]] = {}
    for a in articles:
        if a["article_id"] in fills:
            when, note = fills[a["article_id"]]
            a.update(published=when, date_kind="inferred", date_precision="approximate", date_note=note)
            redone[a["article_id"]] = extract_article(a, lexicon, params)
    return redone


def results_key(corpus: str | Path, params: dict | None = None) -> str:
    """Identity of one extraction: the corpus files' bytes, the lexicon, the parameters and this package's code."""
    p = dict(DEFAULT_PARAMS, **(params or {}))
    h = hashlib.sha256()
    root = Path(corpus)
    files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else [root]
    for f in files:
        h.update(str(f.relative_to(root) if root.is_dir() else f.name).encode() + b"\0")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    h.update(load_lexicon(p["lexicon"]).fingerprint.encode())
    h.update(json.dumps(p, sort_keys=True, default=str).encode())
    for src in sorted(paths.PACKAGE.glob("*.py")):
        h.update(src.read_bytes())
    return h.hexdigest()


def ensure_results(corpus: str | Path, results: str | Path | None = None, params: dict | None = None) -> Path:
    """A folder of extracted tables for ``corpus``: ``results`` if it holds them, else ``results/<key>/`` under the
    repository, extracted now unless an identical extraction (same corpus bytes, lexicon, parameters, code) is there;
    articles already extracted for any corpus are reused from the extraction cache beside the folder."""
    if results and (Path(results) / "manifest.json").exists():
        return Path(results)
    if not Path(corpus).exists():
        from .corpus import CorpusError

        raise CorpusError(f"{corpus}: no such file or folder")
    folder = Path(results) if results else paths.RESULTS / results_key(corpus, params)[:16]
    if not (folder / "manifest.json").exists():
        # One extraction cache beside the results folders: a grown corpus re-extracts only its new articles.
        extract_to(corpus, folder, params=params, cache_dir=folder.parent)
    return folder
