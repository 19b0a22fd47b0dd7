"""`make bench`: how fast ConflictLens reads and extracts, how memory and time grow with the corpus, beside a
plain-regex baseline measured in the same run. Writes ``OUT/results.json`` and ``OUT/results.md``.

Every measurement runs in a child process with a time budget, its peak memory sampled over the whole process tree
(pool and Dask workers included); results are written after each one, so a long run can be read while it goes.

    python bench/run.py --sizes 10000,100000,1000000 --engines local,dask --repeat 3 --out bench/out
    python bench/run.py --quick            # 2,000 articles: a smoke run of every measurement

Measurements (corpora from bench/generate.py, cached under OUT/corpora/):
- reading (issue 2): ``corpus.iter_documents`` over a corpus of at least 100 MB, median of ``--repeat`` runs; and
  ``corpus.read_corpus`` (split, clean, dedupe) on growing prefixes, with the exponent of its growth.
- extraction (issue 3): ``pipeline.extract_article`` over every article of that corpus (one article per record,
  in memory, so only the map is timed) on each engine, beside ``baseline.extract`` on the same engine.
- scale (issue 5): per size and engine, the per-document stage (parse a record's stories, extract each article)
  mapped over the documents streamed from the file for at most ``--slice`` seconds (throughput, peak memory,
  projected full time), the baseline over the whole file, and the whole ``pipeline.extract`` where its projected
  time fits the budget; Dask's tables compared with the local ones.
- incremental: the per-article stage through the extraction cache over the 100k corpus, then again after 100
  articles were added.
- memory of the cross-article state, and a profile of ``extract_article`` (where the time goes).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import math
import os
import pickle
import platform
import pstats
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter, deque
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import psutil
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import baseline  # noqa: E402
import generate  # noqa: E402

from conflictlens import cache, corpus, engines, pipeline, store  # noqa: E402
from conflictlens.lexicon import load_lexicon  # noqa: E402

MB = 1e6
READ_MIN_MB = 100                     # issues 2 and 3: the reading and extraction corpus is at least this big
INCREMENTAL_BASE, INCREMENTAL_ADDED = 100_000, 100
PIPELINE_INCREMENTAL_BASE = 10_000    # the whole pipeline (read, dedupe, extract, merge, write) through its cache
GENERATOR_VERSION = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:8]
WORKERS = 2                           # this machine's cores; the pool and the LocalCluster use as many
QUICK = {"sizes": [2000], "repeat": 1, "read_articles": 2000, "incremental": (2000, 100), "budget": 300, "slice": 30}
FALLBACK_SIZES = (2000, 1000)         # where Dask and local tables are compared when the sizes asked for are too big


# ------------------------------------------------------------------------------------------------ children
def _documents(path: str) -> Iterator[dict]:
    """The input documents of a corpus, streamed (``corpus.iter_documents`` without its file and skip items)."""
    for item in corpus.iter_documents(path):
        if item.pop("kind") == "document":
            yield item


def parse(doc: dict) -> list[dict]:
    """One document's stories as articles, one per story, without the cross-article dedupe (corpus's own story
    and article steps, so texts and fields are the pipeline's)."""
    rule = corpus.load_topic_rule()
    return [corpus._article([story], rule) for story in corpus._instances(doc)]


def _articles(path: str, limit: int | None = None) -> Iterator[dict]:
    """The articles of every document, streamed: the per-article stage's input."""
    n = 0
    for doc in _documents(path):
        for article in parse(doc):
            yield article
            n += 1
            if limit is not None and n >= limit:
                return


def _extract_fn():
    lexicon = load_lexicon(None)
    params = dict(pipeline.DEFAULT_PARAMS)
    return partial(pipeline.extract_article, lexicon=lexicon, params=params), lexicon, params


def _rows(result: dict) -> int:
    return sum(len(v) for v in result.values())


def child_stream(path: str) -> dict:
    """Stream the raw documents (decode, parse records): the reading floor."""
    start = time.perf_counter()
    n = sum(1 for item in corpus.iter_documents(path) if item["kind"] == "document")
    return {"seconds": time.perf_counter() - start, "documents": n, "bytes": Path(path).stat().st_size}


def child_read_corpus(path: str) -> dict:
    """The whole reading step: stories, furniture, dates, exact and near duplicates, topic."""
    start = time.perf_counter()
    c = corpus.read_corpus(path)
    return {"seconds": time.perf_counter() - start, "articles": len(c.articles),
            "refused_pairs": len(c.refused_near_duplicates), "bytes": Path(path).stat().st_size}


def _document_rows(pairs: list[tuple[dict, dict]]) -> int:
    return sum(_rows(result) for _, result in pairs)


def _timed_map(eng: engines.Engine, fn, articles, budget_s: float | None = None, rows_of=_rows) -> dict:
    """Map ``fn`` over ``articles`` (or documents: anything with a ``text``) on ``eng``; throughput overall and
    per batch (the loop's batches are runs); ``rows_of(result)`` counts the rows a result holds."""
    n = text_bytes = rows = 0
    rates = []
    start = batch_start = time.perf_counter()
    batch_bytes = 0
    sizes: deque[int] = deque()  # text bytes of the articles sent and not yet back

    def source():
        for a in articles:
            sizes.append(len(a["text"].encode("utf-8")))
            yield a

    for result in eng.map(fn, source()):
        size = sizes.popleft()
        n += 1
        text_bytes += size
        batch_bytes += size
        rows += rows_of(result)
        if n % eng.batch_size == 0:
            now = time.perf_counter()
            rates.append(batch_bytes / MB / (now - batch_start))
            batch_start, batch_bytes = now, 0
            if budget_s is not None and now - start > budget_s:
                break
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "articles": n, "text_mb": text_bytes / MB, "rows": rows,
            "mb_s": text_bytes / MB / seconds if seconds else 0.0,
            "articles_s": n / seconds if seconds else 0.0,
            "median_batch_mb_s": statistics.median(rates) if rates else None}


def child_extract(path: str, engine: str, workers: int | None, batch_size: int) -> dict:
    """issue 3: the per-article step over every article of the corpus (held in memory: only the map is timed),
    then the baseline over the same articles on the same engine."""
    fn, _, _ = _extract_fn()
    articles = list(_articles(path))
    batch_size = min(batch_size, max(1, len(articles) // (4 * (workers or 1))))  # every worker gets batches
    with engines.Engine(engine, workers=workers, batch_size=batch_size) as eng:
        slots = eng.slots
        out = {"pipeline": _timed_map(eng, fn, articles), "baseline": _timed_map(eng, baseline.extract, articles)}
    out["cores"] = slots
    return out


def child_slice(path: str, n: int, engine: str, workers: int | None, batch_size: int, slice_s: float) -> dict:
    """issue 5: the per-document stage (a record's stories parsed into articles, each extracted) mapped over the
    raw documents streamed from the file of ``n`` records, for at most ``slice_s`` seconds."""
    fn, _, _ = _extract_fn()
    batch_size = min(batch_size, max(1, n // (4 * (workers or 1))))
    with engines.Engine(engine, workers=workers, batch_size=batch_size) as eng:
        slots = eng.slots
        out = _timed_map(eng, partial(document_step, fn=fn), _documents(path), budget_s=slice_s,
                         rows_of=_document_rows)
    out["cores"] = slots
    return out


def child_baseline(path: str) -> dict:
    """The baseline over the whole file, streamed (reading included), one core."""
    start = time.perf_counter()
    n = rows = text_bytes = 0
    for item in corpus.iter_documents(path):
        if item["kind"] == "document":
            n += 1
            text_bytes += len(item["text"].encode("utf-8"))
            rows += _rows(baseline.extract({"text": item["text"], "id": item["source_id"]}))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "documents": n, "rows": rows, "text_mb": text_bytes / MB,
            "file_mb_s": Path(path).stat().st_size / MB / seconds}


def child_pipeline(path: str, engine: str, out: str, workers: int | None = None) -> dict:
    """The whole streamed ``pipeline.extract_to`` (read, dedupe, extract and write by batch, merge, final pass)."""
    start = time.perf_counter()
    manifest = pipeline.extract_to(path, out, engine=engine, workers=workers)
    return {"seconds": time.perf_counter() - start, "timings": manifest.get("timings_s", {}),
            "counts": manifest.get("counts", {}), "bytes": Path(path).stat().st_size}


def document_step(doc: dict, fn) -> list[tuple[dict, dict]]:
    """One input document's articles, each with its per-article result: the unit an incremental run caches
    (keyed by the document's own content, so an unchanged record skips parsing as well as extraction)."""
    return [(article, fn(article)) for article in parse(doc)]


def child_incremental(base: str, grown: str, workers: int | None, cache_dir: str) -> dict:
    """A first run over ``base`` through the extraction cache, then a rerun over ``grown`` (the same records and a
    few new ones): every document read and hashed, parsed and extracted only if its content is new; the rerun
    does not load the cached results (the earlier rows stay where the first run wrote them), a third run over
    ``grown`` loads them all. The dedupe and the incident merge are not included (no pipeline hook yet)."""
    fn, lexicon, params = _extract_fn()
    params_hash = cache.fingerprint(params)
    step = partial(document_step, fn=fn)

    def key_of(doc: dict) -> cache.CacheKey:
        raw = "\x1f".join(str(doc[k]) for k in ("text", "title", "date", "date_kind", "source", "url"))
        return cache.CacheKey(hashlib.sha256(raw.encode("utf-8")).hexdigest(), lexicon.fingerprint, params_hash)

    out = {}
    with engines.Engine("local", workers=workers) as eng:
        for run, path, load_hits in (("first", base, True), ("rerun", grown, False), ("reload", grown, True)):
            with cache.ExtractionCache(cache_dir) as c:
                start = time.perf_counter()
                n = sum(1 for _ in cache.map_cached(step, _documents(path), key_of, c, eng, load_hits=load_hits))
                out[run] = {"seconds": time.perf_counter() - start, "documents": n, **c.stats()}
    out["cache_mb"] = sum(f.stat().st_size for f in Path(cache_dir).iterdir()) / MB
    return out


def child_pipeline_incremental(base: str, grown: str, out: str, workers: int | None = None) -> dict:
    """``pipeline.extract_to`` end to end (what ``conflictlens extract`` runs) as a scheduled run sees a corpus grow:
    a first run over a folder holding ``base``, then a rerun into the same folder once a second file with the
    records ``grown`` adds arrives (a delta run: delta.py), then the grown folder in full without cache or state:
    the time of each stage, the manifest's ``run`` and ``reuse`` blocks, and whether the tables are the same."""
    import shutil

    root = Path(out)
    shutil.rmtree(root, ignore_errors=True)
    folder = root / "corpus"
    folder.mkdir(parents=True)
    shutil.copy(base, folder / "0-base.jsonl")
    with open(base, "rb") as fh:
        n_base = sum(1 for _ in fh)
    with open(grown, "rb") as fh, open(root / "1-added.jsonl", "wb") as added:  # arrives before the rerun
        for n, line in enumerate(fh):
            if n >= n_base:
                added.write(line)
    runs = {}
    for run, dest, cache_dir in (("first", root / "out", root / "out"), ("rerun", root / "out", root / "out"),
                                 ("no_cache", root / "fresh", None)):
        if run == "rerun":
            (root / "1-added.jsonl").rename(folder / "1-added.jsonl")
        start = time.perf_counter()
        manifest = pipeline.extract_to(folder, dest, cache_dir=cache_dir, workers=workers)
        runs[run] = {"seconds": time.perf_counter() - start, "timings": manifest["timings_s"],
                     "reuse": manifest["reuse"], "run": manifest["run"], "articles": manifest["counts"]["articles"]}
    same = all(pq.read_table(root / "out" / f"{t}.parquet").equals(pq.read_table(root / "fresh" / f"{t}.parquet"))
               for t in ("articles", "actor_mentions", "events", "casualties", "incidents"))
    shutil.rmtree(root, ignore_errors=True)
    return {**runs, "tables_identical": same}


def child_memory(path: str, n: int) -> dict:
    """What the cross-article state holds per article: the near-duplicate index (a MinHash LSH of NUM_PERM
    permutations, as corpus builds it) and what a streamed run keeps of the rows for the incident merge (events and
    casualties with only ``pipeline.MERGE_FIELDS``, repeated values shared), beside the full rows."""
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    fn, _, _ = _extract_fn()
    articles = list(_articles(path, limit=n))
    words = [a["text"].lower().split() for a in articles]
    shingles = [{" ".join(w[i : i + corpus.SHINGLE]).encode() for i in range(max(1, len(w) - corpus.SHINGLE + 1))}
                for w in words]
    sketches = MinHash.bulk(shingles, num_perm=corpus.NUM_PERM)
    del words, shingles
    tracemalloc.start()
    lsh = MinHashLSH(threshold=0.8, num_perm=corpus.NUM_PERM)
    for i, sketch in enumerate(sketches):
        lsh.insert(i, LeanMinHash(sketch))
    lsh_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del sketches
    results = [fn(a) for a in articles]
    full_bytes = sum(_deep_size(r["events"]) + _deep_size(r["casualties"]) for r in results)
    compact = pipeline._Compactor()
    tracemalloc.start()
    kept = [compact(row, fields) for r in results for k, fields in pipeline.MERGE_FIELDS.items() for row in r[k]]
    merge_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    n_rows = Counter({k: sum(len(r[k]) for r in results) for k in results[0]})
    pickled = sum(len(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) for r in results)
    return {"articles": len(articles), "lsh_bytes_per_article": lsh_bytes / len(articles),
            "merge_rows_per_article": (n_rows["events"] + n_rows["casualties"]) / len(articles),
            "merge_bytes_per_article": merge_bytes / len(articles),
            "full_row_bytes_per_article": full_bytes / len(articles),
            "rows_per_article": {k: v / len(articles) for k, v in n_rows.items()},
            "result_pickle_bytes_per_article": pickled / len(articles)}


def _deep_size(obj: object) -> int:
    """Bytes an object holds with everything it contains (lists, dicts, strings, numbers)."""
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(_deep_size(v) for v in obj.values())  # keys are shared column names
    elif isinstance(obj, (list, tuple, set)):
        size += sum(_deep_size(x) for x in obj)
    return size


def child_profile(path: str, n: int) -> dict:
    """Where ``extract_article``'s time goes: own time by module and the top functions."""
    fn, _, _ = _extract_fn()
    articles = list(_articles(path, limit=n))
    fn(articles[0])  # patterns compiled on first use are not the steady state
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for a in articles:
        fn(a)
    profiler.disable()
    seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats
    by_module: Counter = Counter()
    by_function: Counter = Counter()
    for (filename, line, name), (_, _, tottime, _, _) in stats.items():
        module = Path(filename).stem if "conflictlens" in filename else (
            "nltk" if "nltk" in filename else "re" if filename == "~" else "other")
        by_module[module] += tottime
        by_function[f"{Path(filename).name}:{line}({name})"] += tottime
    total = sum(by_module.values())
    return {"articles": len(articles), "seconds": seconds,
            "by_module": [(m, t / total) for m, t in by_module.most_common(10)],
            "top_functions": [(f, t / total) for f, t in by_function.most_common(12)]}


CHILDREN = {f.__name__.removeprefix("child_"): f for f in (
    child_stream, child_read_corpus, child_extract, child_slice, child_baseline, child_pipeline, child_incremental,
    child_memory, child_profile, child_pipeline_incremental)}


# ------------------------------------------------------------------------------------------------ parent
def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(kind: str, budget_s: float, **kwargs) -> dict:
    """Run one measurement in a child process (its own process group) within ``budget_s``; add the peak RSS of
    its process tree, sampled every 50 ms. Status: ok | over budget | failed."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(kwargs)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak[0] = max(peak[0], _tree_rss(ps))
            except psutil.Error:
                return
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        stdout, stderr = proc.communicate(timeout=budget_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        stdout, stderr = "", ""
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - start
    base = {"kind": kind, "args": kwargs, "wall_s": wall, "peak_mb": peak[0] / MB}
    if proc.returncode == -signal.SIGKILL and not stdout:
        return {**base, "status": "over budget", "budget_s": budget_s}
    if proc.returncode != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        return {**base, "status": "failed", "error": lines[-1] if lines else f"exit {proc.returncode}"}
    return {**base, "status": "ok", **json.loads(stdout.strip().splitlines()[-1])}


class Bench:
    """The run's results, saved (json and markdown) after every measurement."""

    def __init__(self, out: Path, config: dict, keep: set[str] = frozenset()) -> None:
        """``keep``: sections to carry over from the results already saved in ``out`` (not measured again)."""
        self.out = out
        self.out.mkdir(parents=True, exist_ok=True)
        self.results: dict = {"config": config, "machine": machine(), "corpora": {}, "reading": {}, "extraction": [],
                              "scale": [], "dask_equal": None, "incremental": None, "pipeline_incremental": None, "memory": None,
                              "profile": None}
        saved = self.out / "results.json"
        if keep and saved.exists():
            old = json.loads(saved.read_text())
            self.results["corpora"] = old.get("corpora", {})
            for section in keep:
                for key in {"scale": ("scale", "dask_equal"), "memory": ("memory", "profile"),
                            "incremental": ("incremental", "pipeline_incremental")}.get(section, (section,)):
                    self.results[key] = old.get(key, self.results[key])

    def save(self) -> None:
        (self.out / "results.json").write_text(json.dumps(self.results, indent=1, default=str) + "\n")
        (self.out / "results.md").write_text(render(self.results))

    def log(self, message: str) -> None:
        print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    def corpus(self, n: int) -> Path:
        """The generated corpus of ``n`` articles (seed 0), cached by the generator's version."""
        path = self.out / "corpora" / f"gen-{n}-s0-{GENERATOR_VERSION}.jsonl"
        if not path.exists():
            self.log(f"generating {n} articles")
            stats = generate.generate(n, path, seed=0)
            self.results["corpora"][str(n)] = {"mb": stats["bytes"] / MB, "wire_copies": stats["wire_copies"],
                                               "seconds": stats["seconds"]}
        else:
            self.results["corpora"].setdefault(str(n), {"mb": path.stat().st_size / MB})
        return path


def machine() -> dict:
    freq = psutil.cpu_freq()
    return {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
            "cpu_mhz": round(freq.current) if freq else None, "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "python": platform.python_version(), "load_avg_at_start": os.getloadavg(),
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git_commit": pipeline.git_commit()}


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """k in time ~ n^k, fitted on the two largest sizes measured (1 = linear, 2 = quadratic)."""
    if len(points) < 2:
        return None
    (n1, t1), (n2, t2) = sorted(points)[-2:]
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 and n2 > n1 else None


SECTIONS = ("reading", "extraction", "scale", "incremental", "memory")
ENGINE_OPTIONS = {"local": {"engine": "local", "workers": None}, "local-pool": {"engine": "local", "workers": WORKERS},
                  "dask": {"engine": "dask", "workers": WORKERS}}


def run(args: argparse.Namespace) -> int:
    quick = QUICK if args.quick else None
    cfg = {"sizes": quick["sizes"] if quick else [int(s) for s in args.sizes.split(",")],
           "engines": args.engines.split(","), "repeat": quick["repeat"] if quick else args.repeat,
           "budget_s": quick["budget"] if quick else args.budget, "slice_s": quick["slice"] if quick else args.slice,
           "batch_size": args.batch_size, "quick": bool(quick)}
    sections = args.sections.split(",")
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"unknown sections {unknown}: choose from {', '.join(SECTIONS)}")
    bench = Bench(args.out, cfg, keep=set(SECTIONS) - set(sections))
    read_n = quick["read_articles"] if quick else _articles_for(bench, READ_MIN_MB)
    if "reading" in sections:
        _reading(bench, read_n)
    if "extraction" in sections:
        _extraction(bench, read_n)
    if "scale" in sections:
        _scale(bench)
    if "incremental" in sections:
        _incremental(bench, *(quick["incremental"] if quick else (INCREMENTAL_BASE, INCREMENTAL_ADDED)))
        base = quick["incremental"][0] if quick else PIPELINE_INCREMENTAL_BASE
        bench.log(f"pipeline.extract with its cache: {base} then {base + INCREMENTAL_ADDED} articles")
        bench.results["pipeline_incremental"] = measure(
            "pipeline_incremental", cfg["budget_s"] * 3, base=str(bench.corpus(base)),
            grown=str(bench.corpus(base + INCREMENTAL_ADDED)), out=str(bench.out / "pipeline-incremental"),
            workers=WORKERS)
        bench.save()
    if "memory" in sections:
        bench.log("memory of the cross-article state; profile")
        path = str(bench.corpus(read_n))
        bench.results["memory"] = measure("memory", cfg["budget_s"], path=path, n=min(read_n, 5000))
        bench.results["profile"] = measure("profile", cfg["budget_s"], path=path, n=min(read_n, 1000))
        bench.save()
    bench.log(f"results in {args.out / 'results.md'}")
    equal = bench.results.get("dask_equal")
    return 1 if equal and equal.get("identical") is False else 0


def _reading(bench: Bench, read_n: int) -> None:
    """issue 2: iter_documents over >= 100 MB, median of `repeat` runs; read_corpus on growing prefixes."""
    cfg = bench.results["config"]
    read_path = bench.corpus(read_n)
    runs = []
    for i in range(cfg["repeat"]):
        bench.log(f"reading {read_path.name} ({i + 1}/{cfg['repeat']})")
        runs.append(measure("stream", cfg["budget_s"], path=str(read_path)))
    ok = [r for r in runs if r["status"] == "ok"]
    bench.results["reading"] = {"stream": {
        "corpus_articles": read_n, "corpus_mb": read_path.stat().st_size / MB, "runs": runs,
        "median_s": statistics.median(r["seconds"] for r in ok) if ok else None,
        "median_mb_s": statistics.median(r["bytes"] / MB / r["seconds"] for r in ok) if ok else None,
        "peak_mb": max((r["peak_mb"] for r in ok), default=None)}}
    bench.save()
    prefixes = []
    n = 500
    while n <= read_n:
        bench.log(f"read_corpus on {n} articles")
        r = measure("read_corpus", cfg["budget_s"], path=str(bench.corpus(n)))
        prefixes.append({"n": n, **r})
        bench.save()
        if r["status"] != "ok" or r["seconds"] > cfg["budget_s"] / 8:
            break
        n *= 2
    timed = [(p["n"], p["seconds"]) for p in prefixes if p["status"] == "ok"]
    bench.results["reading"]["read_corpus"] = {"prefixes": prefixes, "exponent": growth_exponent(timed)}
    bench.save()


def _extraction(bench: Bench, read_n: int) -> None:
    """issue 3: every article of the >= 100 MB corpus on each engine, the baseline beside it."""
    cfg = bench.results["config"]
    bench.results["extraction"] = []
    for name in ["local", "local-pool", *(["dask"] if "dask" in cfg["engines"] else [])]:
        bench.log(f"extraction on {name}")
        r = measure("extract", cfg["budget_s"] * 2, path=str(bench.corpus(read_n)), batch_size=cfg["batch_size"],
                    **ENGINE_OPTIONS[name])
        bench.results["extraction"].append({"engine": name, **r})
        bench.save()


def _scale(bench: Bench) -> None:
    """issue 5: per size, the baseline, the per-document stage on each engine, the pipeline where it fits."""
    cfg = bench.results["config"]
    budget = cfg["budget_s"]
    read_fit = bench.results["reading"].get("read_corpus", {"prefixes": [], "exponent": None})
    bench.results["scale"] = []
    for n in cfg["sizes"]:
        path = bench.corpus(n)
        bench.log(f"baseline over {n} articles")
        row = {"n": n, "mb": path.stat().st_size / MB, "baseline": measure("baseline", budget, path=str(path))}
        bench.results["scale"].append(row)
        for name in cfg["engines"]:
            bench.log(f"per-document stage on {name}, {n} articles, {cfg['slice_s']} s at most")
            row[name] = {"slice": measure("slice", budget, path=str(path), n=n, batch_size=cfg["batch_size"],
                                          slice_s=cfg["slice_s"], **ENGINE_OPTIONS[name])}
            projected = _projected_pipeline_s(n, read_fit, row[name]["slice"].get("articles_s"))
            row[name]["projected_pipeline_s"] = projected
            if projected is not None and projected <= budget:
                bench.log(f"pipeline.extract on {name}, {n} articles")
                row[name]["pipeline"] = measure("pipeline", budget, path=str(path), **ENGINE_OPTIONS[name],
                                                out=str(bench.out / "tables" / f"{name}-{n}"))
            bench.save()
    bench.results["dask_equal"] = _dask_equal(bench, bench.out, cfg["sizes"], budget, read_fit)
    bench.save()


def _incremental(bench: Bench, base_n: int, added: int) -> None:
    """A first run through the cache, then a rerun after adding a few documents."""
    cache_dir = bench.out / "cache-incremental"
    if cache_dir.exists():
        for f in cache_dir.iterdir():
            f.unlink()
    bench.log(f"incremental: {base_n} then {base_n + added} articles")
    bench.results["incremental"] = measure(
        "incremental", bench.results["config"]["budget_s"] * 3, base=str(bench.corpus(base_n)),
        grown=str(bench.corpus(base_n + added)), workers=WORKERS, cache_dir=str(cache_dir))
    bench.save()


def _articles_for(bench: Bench, min_mb: float) -> int:
    """Articles the generator needs for a corpus of at least ``min_mb`` (from a 1,000-article sample)."""
    mb_per_article = bench.corpus(1000).stat().st_size / MB / 1000
    return int(math.ceil(min_mb * 1.02 / mb_per_article / 1000)) * 1000


def _projected_pipeline_s(n: int, read_fit: dict, articles_s: float | None) -> float | None:
    """The whole pipeline's time at ``n`` articles: read_corpus from its measured growth, plus the per-article
    stage at ``articles_s`` (the merge is left out: it is small where it has been measured)."""
    timed = [(p["n"], p["seconds"]) for p in read_fit["prefixes"] if p["status"] == "ok"]
    if not timed or not articles_s:
        return None
    n0, t0 = max(timed)
    return t0 * (n / n0) ** (read_fit["exponent"] or 1.0) + n / articles_s


def _dask_equal(bench: Bench, out: Path, sizes: list[int], budget: float, read_fit: dict) -> dict:
    """Dask's tables against the local engine's, on the smallest size asked for whose pipeline fits the budget,
    else on a smaller generated corpus."""
    rate = next((r["local"]["slice"].get("articles_s") for r in bench.results["scale"] if "local" in r), None)
    tried = []
    for n in sorted({*sizes, *FALLBACK_SIZES}, key=lambda n: (n not in sizes, n if n in sizes else -n)):
        dirs = {name: out / "tables" / f"{name}-{n}" for name in ("local", "dask")}
        projected = _projected_pipeline_s(n, read_fit, rate)
        if projected is not None and projected > budget and not all((d / "manifest.json").exists() for d in dirs.values()):
            tried.append({"n": n, "skipped": f"projected {projected:.0f} s > budget {budget:.0f} s"})
            continue
        for name, d in dirs.items():
            if not (d / "manifest.json").exists():
                bench.log(f"pipeline.extract on {name}, {n} articles (for the comparison)")
                r = measure("pipeline", budget, path=str(bench.corpus(n)), engine=name, out=str(d))
                if r["status"] != "ok":
                    tried.append({"n": n, "skipped": f"{name}: {r['status']}"})
                    break
        if not all((d / "manifest.json").exists() for d in dirs.values()):
            continue
        local, dask = (store.read_tables(d) for d in dirs.values())
        differ = [name for (name, a), (_, b) in zip(local.items(), dask.items()) if not a.equals(b)]
        return {"n": n, "identical": not differ, "differ": differ, "tried": tried,
                "rows": {name: len(df) for name, df in local.items()}}
    return {"identical": None, "tried": tried}


# ------------------------------------------------------------------------------------------------ report
def _f(x, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _status(r: dict) -> str:
    return "" if r.get("status") == "ok" else f" ({r.get('status')}{': ' + r['error'] if r.get('error') else ''})"


def render(res: dict) -> str:
    """The results as markdown: one table per question, medians and ratios against the baseline."""
    m, cfg = res["machine"], res["config"]
    lines = [
        "# ConflictLens benchmark", "",
        f"{m['date']} · commit {str(m['git_commit'])[:10]} · {m['cores']} cores ({m['cpu']}, {m['cpu_mhz']} MHz) · "
        f"{m['ram_gb']} GB RAM · Python {m['python']} · load average at start {tuple(round(x, 2) for x in m['load_avg_at_start'])}",
        f"Config: sizes {cfg['sizes']}, engines {cfg['engines']}, repeat {cfg['repeat']}, budget {cfg['budget_s']} s "
        f"a measurement, slice {cfg['slice_s']} s, batch {cfg['batch_size']}{' (quick)' if cfg['quick'] else ''}. "
        "Peak memory is the peak RSS of the measured process and all its children (pool or Dask workers).", "",
        "## Corpora (bench/generate.py)", "",
        "| articles | MB | wire copies | generated in s | MB/s |", "|---:|---:|---:|---:|---:|",
    ]
    for n, c in sorted(res["corpora"].items(), key=lambda kv: int(kv[0])):
        rate = c["mb"] / c["seconds"] if c.get("seconds") else None
        lines.append(f"| {int(n):,} | {_f(c['mb'])} | {c.get('wire_copies', '(cached)')} | {_f(c.get('seconds'))} | {_f(rate)} |")
    rd = res["reading"].get("stream")
    if rd:
        lines += ["", "## Reading (issue 2)", "",
                  f"`corpus.iter_documents` over {rd['corpus_articles']:,} articles ({_f(rd['corpus_mb'])} MB), "
                  f"{len(rd['runs'])} runs: median **{_f(rd['median_mb_s'])} MB/s** ({_f(rd['median_s'])} s), "
                  f"peak {_f(rd['peak_mb'], 0)} MB."]
    rc = res["reading"].get("read_corpus")
    if rc:
        lines += ["", "`corpus.read_corpus` (stories, furniture, dates, exact and near duplicates, topic) on growing "
                  f"prefixes; time grows as n^{_f(rc['exponent'], 2)} (1 = linear, 2 = quadratic):", "",
                  "| articles | s | MB/s | articles/s | distinct | refused near-duplicate pairs | peak MB |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for p in rc["prefixes"]:
            if p["status"] == "ok":
                lines.append(f"| {p['n']:,} | {_f(p['seconds'])} | {_f(p['bytes'] / MB / p['seconds'], 2)} | "
                             f"{_f(p['n'] / p['seconds'], 0)} | {p['articles']:,} | {p['refused_pairs']:,} | "
                             f"{_f(p['peak_mb'], 0)} |")
            else:
                lines.append(f"| {p['n']:,} | {p['status']} after {_f(p['wall_s'], 0)} s | | | | | {_f(p['peak_mb'], 0)} |")
    if res["extraction"]:
        lines += ["", "## Extraction (issue 3)", "",
                  "`pipeline.extract_article` over every article of the reading corpus (one per record, in memory: "
                  "only the map is timed), then `bench/baseline.py` over the same articles on the same engine. "
                  "Target: 3 MB/s per core.", "",
                  "| engine | cores | articles | MB | s | MB/s | MB/s per core | articles/s per core | median batch MB/s "
                  "| baseline MB/s per core | pipeline / baseline | peak MB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for e in res["extraction"]:
            if e["status"] != "ok":
                lines.append(f"| {e['engine']} | {e['status']}{_status(e)} | | | | | | | | | | {_f(e['peak_mb'], 0)} |")
                continue
            p, b, cores = e["pipeline"], e["baseline"], e["cores"]
            lines.append(
                f"| {e['engine']} | {cores} | {p['articles']:,} | {_f(p['text_mb'])} | {_f(p['seconds'])} | "
                f"{_f(p['mb_s'], 2)} | **{_f(p['mb_s'] / cores, 2)}** | {_f(p['articles_s'] / cores, 0)} | "
                f"{_f(p['median_batch_mb_s'], 2)} | {_f(b['mb_s'] / cores, 2)} | {_f(p['mb_s'] / b['mb_s'], 3)} | "
                f"{_f(e['peak_mb'], 0)} |")
    if res["scale"]:
        lines += ["", "## Scale (issue 5)", "",
                  "Per size: the baseline over the whole file (streamed, one core); on each engine the per-document "
                  "stage (a record's stories parsed into articles and each extracted, all inside the map; the file "
                  "read in this process) for at most the slice, with the whole-corpus time it projects; "
                  "`pipeline.extract` where its projected time (read_corpus growth + per-document rate) fits the "
                  "budget.", "",
                  "| articles | MB | engine | per-document MB/s | articles/s | done in slice | peak MB | projected "
                  "per-document s | pipeline s (read / extract / merge) | pipeline peak MB | baseline s | baseline MB/s "
                  "| per-document / baseline |", "|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
        for row in res["scale"]:
            b = row["baseline"]
            for name in cfg["engines"]:
                if name not in row:  # still being measured
                    continue
                s = row[name]["slice"]
                pl = row[name].get("pipeline")
                if pl and pl["status"] == "ok":
                    t = pl["timings"]
                    pcell = f"{_f(pl['seconds'])} ({_f(t.get('read'))} / {_f(t.get('extract'))} / {_f(t.get('merge'))})"
                    ppeak = _f(pl["peak_mb"], 0)
                elif pl:
                    pcell, ppeak = pl["status"], _f(pl["peak_mb"], 0)
                else:
                    proj = row[name].get("projected_pipeline_s")
                    pcell, ppeak = f"not run: projected {_f(proj, 0)} s", "–"
                ok = s["status"] == "ok"
                full = row["n"] / s["articles_s"] if ok and s["articles_s"] else None
                ratio = s["mb_s"] / (b["text_mb"] / b["seconds"]) if ok and b["status"] == "ok" else None
                lines.append(
                    f"| {row['n']:,} | {_f(row['mb'])} | {name} | {_f(s.get('mb_s'), 2)}{_status(s)} | "
                    f"{_f(s.get('articles_s'), 0)} | {s.get('articles', 0):,} | {_f(s['peak_mb'], 0)} | {_f(full, 0)} | "
                    f"{pcell} | {ppeak} | {_f(b.get('seconds'))}{_status(b)} | {_f(b.get('file_mb_s'), 1)} | {_f(ratio, 3)} |")
    eq = res.get("dask_equal")
    if eq:
        lines += ["", "## Dask and local give the same tables", ""]
        if eq.get("identical") is None:
            lines.append(f"Not compared: {eq['tried']}")
        else:
            lines.append(f"On {eq['n']:,} articles: **{'identical' if eq['identical'] else 'DIFFERENT: ' + str(eq['differ'])}** "
                         f"(rows: {eq['rows']}). {('Larger sizes skipped: ' + str(eq['tried'])) if eq['tried'] else ''}")
    inc = res.get("incremental")
    if inc:
        lines += ["", "## Incremental run", ""]
        if inc["status"] == "ok":
            f, r, again = inc["first"], inc["rerun"], inc["reload"]
            lines += [f"Each input document read, hashed, and only if its content is new parsed into articles and "
                      f"extracted, through `cache.ExtractionCache` ({WORKERS} pool workers; dedupe and merge not "
                      f"included): first run {f['documents']:,} documents in {_f(f['seconds'])} s; rerun after adding "
                      f"{r['documents'] - f['documents']:,} documents, cached results not loaded: {_f(r['seconds'])} s "
                      f"= **{_f(100 * r['seconds'] / f['seconds'], 1)} %** of the first (hits {r['hits']:,}, misses "
                      f"{r['misses']:,}); the same rerun loading every cached result: {_f(again['seconds'])} s = "
                      f"{_f(100 * again['seconds'] / f['seconds'], 1)} %. Cache {_f(inc['cache_mb'])} MB; peak "
                      f"{_f(inc['peak_mb'], 0)} MB."]
        else:
            lines.append(f"{inc['status']}{_status(inc)}")
    pi = res.get("pipeline_incremental")
    if pi:
        lines += ["", "### End to end: `conflictlens extract` into the same folder as the corpus grows (delta run)", ""]
        if pi["status"] == "ok":
            f, r, nc = pi["first"], pi["rerun"], pi["no_cache"]
            lines += ["| run | mode | articles | extracted | s | read s | extract s | merge s | write s | share of first |",
                      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for name, x in (("first", f), ("rerun, a file of 100 records added", r),
                            ("the grown folder, no cache or state", nc)):
                t, u = x["timings"], x["reuse"]
                mode = x.get("run", {}).get("mode", "(before delta runs)")  # results kept from an older bench
                lines.append(f"| {name} | {mode} | {x['articles']:,} | {u['articles_extracted']:,} | "
                             f"{_f(x['seconds'])} | {_f(t.get('read'))} | {_f(t.get('extract'))} | {_f(t.get('merge'))} | "
                             f"{_f(t.get('write'))} | {_f(100 * x['seconds'] / f['seconds'], 1)} % |")
            same = pi.get("tables_identical", pi.get("identical"))
            lines += ["", f"Tables of the rerun and of the full run: **{'identical' if same else 'DIFFERENT'}**; "
                      f"peak {_f(pi['peak_mb'], 0)} MB." + (" Delta run: " + ", ".join(
                          f"{k.replace('_', ' ')} {v:,}" for k, v in r["run"].items() if k != "mode") + "."
                                                          if "run" in r else "")]
        else:
            lines.append(f"{pi['status']}{_status(pi)}")
    mem = res.get("memory")
    if mem and mem["status"] == "ok":
        per = mem["rows_per_article"]
        lines += ["", "## What the cross-article state holds per article", "",
                  f"Measured on {mem['articles']:,} articles: the near-duplicate index (MinHash LSH, "
                  f"{corpus.NUM_PERM} permutations) holds {_f(mem['lsh_bytes_per_article'], 0)} B per article "
                  f"({_f(mem['lsh_bytes_per_article'] * 1e6 / 1e9, 2)} GB at 1M); the incident merge takes "
                  f"{_f(mem['merge_rows_per_article'], 1)} rows per article (events {_f(per.get('events'), 1)}, "
                  f"casualties {_f(per.get('casualties'), 1)}; actor mentions {_f(per.get('actor_mentions'), 1)} more "
                  f"in the tables); a streamed run keeps of them only what the merge reads: "
                  f"{_f(mem['merge_bytes_per_article'], 0)} B per article "
                  f"({_f(mem['merge_bytes_per_article'] * 1e6 / 1e9, 1)} GB at 1M; the full rows would be "
                  f"{_f(mem.get('full_row_bytes_per_article'), 0)} B); a pickled per-article result is "
                  f"{_f(mem['result_pickle_bytes_per_article'], 0)} B."]
    prof = res.get("profile")
    if prof and prof["status"] == "ok":
        lines += ["", "## Where extract_article's time goes", "",
                  f"cProfile over {prof['articles']:,} articles ({_f(prof['seconds'])} s with the profiler on). "
                  "Own time by module: " + ", ".join(f"{mod} {100 * share:.0f} %" for mod, share in prof["by_module"]) + ".",
                  "", "| function | share of own time |", "|---|---:|"]
        lines += [f"| `{fn}` | {100 * share:.1f} % |" for fn, share in prof["top_functions"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(CHILDREN[argv[1]](**json.loads(argv[2])), default=str))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes in articles (comma-separated)")
    parser.add_argument("--engines", default="local,dask", help="engines for the scale runs: local, local-pool, dask")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reading measurement (the median is kept)")
    parser.add_argument("--budget", type=float, default=600, help="seconds a measurement may take before it is stopped")
    parser.add_argument("--slice", type=float, default=60, help="seconds of the per-article stage at each size")
    parser.add_argument("--batch-size", type=int, default=engines.DEFAULT_BATCH_SIZE, help="articles per batch")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="results folder")
    parser.add_argument("--quick", action="store_true", help="2,000 articles, one run each: a smoke run")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="measure only these (the others are kept from OUT/results.json)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
