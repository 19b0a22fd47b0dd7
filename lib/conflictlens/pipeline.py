"""``extract(corpus) -> Tables``: read, extract each article (a pure map), merge across articles (a reduce), write.

The per-article step :func:`extract_article` is a pure function of one article, the lexicon and the parameters, so
the same code runs in a loop here and as a map over partitions on a Dask cluster (``engine="dask"``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import date
from functools import lru_cache, partial
from importlib import metadata
from pathlib import Path

from typing import TYPE_CHECKING, Any

from . import __version__, paths
from .lexicon import Lexicon, load_lexicon
from .store import Tables, frame, write_tables

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
    topic = article.get("topic")
    for rows in (casualties, events):
        for r in rows:
            r["article_id"] = aid
            r["topic"] = topic
    for r in actors:
        r["article_id"] = aid
    return {"actor_mentions": actors, "casualties": casualties, "events": events}


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


def _package_imports(module: str) -> set[str]:
    """The modules of this package that ``module`` imports (anywhere in it, functions included)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse((paths.PACKAGE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("conflictlens")):
            base = (node.module or "").removeprefix("conflictlens").lstrip(".")
            names |= {base.split(".")[0]} if base else {a.name for a in node.names}
    return {n for n in names if (paths.PACKAGE / f"{n}.py").is_file()}


def extraction_modules() -> set[str]:
    """This module, the extraction modules and every package module they import, directly or not."""
    todo, seen = list(EXTRACTION_MODULES), {"pipeline"}
    while todo:
        if (module := todo.pop()) not in seen:
            seen.add(module)
            todo.extend(_package_imports(module))
    return seen


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


def run_extraction(articles: list[dict], lexicon: Lexicon, params: dict, engine: str = "local",
                   scheduler: str | None = None, cache: ExtractionCache | None = None) -> dict[str, list[dict]]:
    """Map :func:`extract_article` over articles (in order) and concatenate the rows; with ``cache``, articles
    cached under this lexicon, these parameters and this code are reused and the others stored."""
    from .engines import Engine, map_articles

    fn = partial(extract_article, lexicon=lexicon, params=params)
    out: dict[str, list[dict]] = {"actor_mentions": [], "casualties": [], "events": []}
    if cache is None:
        results = map_articles(fn, articles, engine=engine, scheduler=scheduler)
    else:
        results = _map_cached(fn, articles, cache_key_fn(lexicon, params), cache, Engine(engine, scheduler=scheduler))
    for result in results:
        for k in out:
            out[k].extend(result[k])
    return out


def _map_cached(fn: Callable[[dict], Any], articles: list[dict], key_of: Callable[[dict], CacheKey],
                cache: ExtractionCache, eng: Engine) -> Iterator[Any]:
    """:func:`~conflictlens.cache.map_cached` with ``eng`` open while the results stream."""
    from .cache import map_cached

    with eng:
        yield from map_cached(fn, articles, key_of, cache, eng)


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
            scheduler: str | None = None, params: dict | None = None, cache_dir: str | Path | None = None) -> Tables:
    """Read ``corpus``, extract every article, merge incidents; write the tables to ``out_dir`` when given.

    With ``cache_dir``, per-article results are kept in ``cache_dir/extraction-cache.sqlite`` and reused by a later
    run (see cache.py); the tables are the same with or without it, and the manifest's ``reuse`` says what was.
    """
    from .cache import ExtractionCache
    from .corpus import read_corpus
    from .incidents import merge

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    p = dict(DEFAULT_PARAMS, **(params or {}))
    lexicon = load_lexicon(p["lexicon"])
    corpus_obj = read_corpus(corpus, topic_threshold=p["topic_threshold"], max_file_mb=p["max_file_mb"])
    timings["read"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    articles = corpus_obj.articles
    with ExtractionCache(cache_dir) if cache_dir is not None else nullcontext() as cache:
        rows = run_extraction(articles, lexicon, p, engine=engine, scheduler=scheduler, cache=cache)
        redated = _date_from_witnesses(articles, rows, lexicon, p)
        reuse = _reuse(cache, len(articles), len(redated), cache_config(lexicon, p))
    timings["extract"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    keep = {a["article_id"] for a in articles if p["include_off_topic"] or a.get("topic") == "conflict"}
    ev_idx = [i for i, r in enumerate(rows["events"]) if r["article_id"] in keep]
    cas_idx = [i for i, r in enumerate(rows["casualties"]) if r["article_id"] in keep]
    incidents, ev_ids, cas_ids = merge([rows["events"][i] for i in ev_idx], [rows["casualties"][i] for i in cas_idx],
                                       _place_index(lexicon))
    for r in rows["events"]:
        r["incident_id"] = None
    for r in rows["casualties"]:
        r["incident_id"] = None
    for i, iid in zip(ev_idx, ev_ids):
        rows["events"][i]["incident_id"] = iid
    for i, iid in zip(cas_idx, cas_ids):
        rows["casualties"][i]["incident_id"] = iid
    timings["merge"] = time.perf_counter() - t2

    manifest = {
        "conflictlens": __version__,
        "corpus": str(corpus),
        "corpus_sha256": corpus_hash(corpus_obj),
        "engine": engine,
        "parameters": {k: v for k, v in p.items()},
        "lexicon_fingerprint": lexicon.fingerprint,
        "dated_from_witnesses": redated,
        "reuse": reuse,
        "inputs": corpus_obj.inputs,
        "skipped_records": corpus_obj.skipped_records,
        "summary": corpus_obj.summary(),
        "counts": {"articles": len(articles), "actor_mentions": len(rows["actor_mentions"]),
                   "casualties": len(rows["casualties"]), "events": len(rows["events"]), "incidents": len(incidents)},
        "packages": package_versions(),
        "git_commit": git_commit(),
    }
    tables = Tables(
        articles=frame(articles, "articles"),
        actor_mentions=frame(rows["actor_mentions"], "actor_mentions"),
        casualties=frame(rows["casualties"], "casualties"),
        events=frame(rows["events"], "events"),
        incidents=frame(incidents, "incidents"),
        manifest=manifest,
    )
    _check(tables)
    timings["total"] = time.perf_counter() - t0
    manifest["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    if out_dir is not None:
        write_tables(tables, out_dir)
    return tables


def _date_from_witnesses(articles: list[dict], rows: dict[str, list[dict]], lexicon: Lexicon, params: dict) -> list[str]:
    """Give undated articles the date a dated witness article implies (see corroboration.py) and re-extract them."""
    from .corroboration import witness_dates

    undated = [a for a in articles if not a.get("published") and a.get("topic") == "conflict"]
    if not undated:
        return []
    fills = witness_dates(undated, {a["article_id"]: a for a in articles}, rows["events"])
    redo = []
    for a in articles:
        if a["article_id"] in fills:
            when, note = fills[a["article_id"]]
            a.update(published=when, date_kind="inferred", date_precision="approximate", date_note=note)
            redo.append(a)
    if redo:
        ids = {a["article_id"] for a in redo}
        for key in rows:
            rows[key] = [r for r in rows[key] if r["article_id"] not in ids]
        for a in redo:
            for key, new in extract_article(a, lexicon, params).items():
                rows[key].extend(new)
    return sorted(fills)


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
        extract(corpus, folder, params=params, cache_dir=folder.parent)
    return folder


def _check(tables: Tables) -> None:
    """Checks inside the data flow: unique ids, non-negative counts, every incident's mentions present."""
    for name, key in (("articles", "article_id"), ("incidents", "incident_id")):
        df = getattr(tables, name)
        if df[key].duplicated().any():
            raise AssertionError(f"{name}: duplicated {key}: {df[key][df[key].duplicated()].tolist()[:5]}")
    cas = tables.casualties
    if len(cas) and (cas["best"].astype(float) < 0).any():
        raise AssertionError("casualties: negative figure")
    inc = tables.incidents
    if len(inc):
        n_ev = tables.events["incident_id"].value_counts()
        n_cas = tables.casualties["incident_id"].value_counts()
        for iid, n in zip(inc["incident_id"], inc["n_mentions"]):
            if int(n_ev.get(iid, 0) + n_cas.get(iid, 0)) != int(n):
                raise AssertionError(f"incident {iid}: n_mentions {n} does not match its rows")
    json.dumps(tables.manifest, default=str)
