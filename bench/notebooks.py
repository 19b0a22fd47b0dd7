"""Measure what the notebooks do on big results folders: reading the tables without text, and the aggregations.

Builds a results folder ``copies`` times bigger than a real one by replicating its tables with distinct ids (every
article, incident and source id prefixed with the replica number, nothing else changed), streamed replica by replica
with the tables' own Parquet schema, so the copy never sits in memory. Then each measurement runs in a fresh process
(its peak RSS is its own), capped in time and memory: the process is killed past the cap and reported so.

    python bench/notebooks.py                       # 10k tables of bench/out/tables/local-10000, and 100x
    python bench/notebooks.py --before-lib DIR      # also the code in DIR (a copy of lib/ before the change)

Results are printed and written to bench/out/notebooks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ID_COLUMNS = {"article_id", "incident_id", "content_hash"}  # prefixed with the replica number
ID_LISTS = {"source_ids", "article_ids"}                      # list columns whose every element is prefixed
TABLES = ("articles", "actor_mentions", "casualties", "events", "incidents")


# --- building the big folder ---------------------------------------------------------------------------------


def _prefixed(column: pa.ChunkedArray, prefix: str) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(pa.scalar(prefix, column.type), column, pa.scalar("", column.type))


def _prefixed_lists(column: pa.ChunkedArray, prefix: str, mentions: bool) -> pa.Array:
    """Each element of a list column prefixed; ``mentions`` ("table:article_id:start-end") prefix their article id."""
    lists = column.combine_chunks()
    values = lists.values
    values = (pc.replace_substring_regex(values, r"^([a-z_]+):", rf"\1:{prefix}") if mentions
              else _prefixed(pa.chunked_array([values]), prefix).combine_chunks())
    return pa.ListArray.from_arrays(lists.offsets, values, mask=lists.is_null())


def replica(table: pa.Table, r: int) -> pa.Table:
    """``table`` with its ids prefixed by ``r``: the r-th copy of the corpus, disjoint from every other."""
    prefix = f"r{r:03d}-"
    for i, name in enumerate(table.column_names):
        column = table.column(name)
        if name in ID_COLUMNS:
            table = table.set_column(i, name, _prefixed(column, prefix))
        elif name in ID_LISTS or name == "mentions":
            table = table.set_column(i, name, _prefixed_lists(column, prefix, mentions=name == "mentions"))
    return table


def build(src: Path, dst: Path, copies: int) -> Path:
    """``dst``: the tables of ``src`` replicated ``copies`` times, written one replica at a time (sorted as stored)."""
    sys.path.insert(0, str(ROOT / "lib"))
    from conflictlens import store

    if (dst / "manifest.json").exists():
        return dst
    dst.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        table = pq.read_table(src / f"{name}.parquet")
        with pq.ParquetWriter(dst / f"{name}.parquet", store.arrow_schema(name)) as writer:
            for r in range(copies):
                writer.write_table(replica(table, r).cast(store.arrow_schema(name)), row_group_size=store.ROW_GROUP_ROWS)
        del table
    manifest = json.loads((src / "manifest.json").read_text())
    manifest["replicated"] = {"from": str(src), "copies": copies}
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return dst


# --- one measurement (in its own process) --------------------------------------------------------------------


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def aggregations(tables) -> dict:
    """The notebooks' calls on tables read without text (notebooks 01-04; 05 quotes sentences, so it reads text)."""
    from conflictlens import analysis

    t = tables
    events = analysis.happened(t.events)
    return {
        "01 corpus_summary": lambda: analysis.corpus_summary(t),
        "01 articles_overview": lambda: analysis.articles_overview(t.articles),
        "01 counts(outlet)": lambda: analysis.counts(t.articles, "outlet"),
        "01 date_kinds": lambda: analysis.date_kinds(t.articles),
        "01 articles_by_period": lambda: analysis.articles_by_period(t.articles, "month"),
        "01 duplicates": lambda: analysis.duplicates(t.articles),
        "01 off_topic": lambda: analysis.off_topic(t.articles),
        "02 happened + left_out": lambda: analysis.left_out(analysis.happened(t.events), "date_start",
                                                            "date_precision", "month"),
        "02 counts_over_time(events, kind)": lambda: analysis.counts_over_time(events, "date_start", "date_precision",
                                                                               "month", by="kind"),
        "02 counts_by_place(admin1)": lambda: analysis.counts_by_place(t.incidents, "admin1", 15),
        "02 counts_by_place(place)": lambda: analysis.counts_by_place(t.incidents, "place", 15),
        "02 counts_by_actor": lambda: analysis.counts_by_actor(t.incidents, 15),
        "02 mentions_vs_incidents": lambda: analysis.mentions_vs_incidents(t.events, t.incidents),
        "03 top_actors": lambda: analysis.top_actors(t.actor_mentions, 15),
        "03 co_mentions + graph": lambda: analysis.co_mention_graph(analysis.co_mentions(t.actor_mentions, n=15)),
        "03 mentions_over_time": lambda: analysis.mentions_over_time(t.actor_mentions, t.articles, "month", 6),
        "04 casualty_figures": lambda: analysis.casualty_figures(t.casualties, t.articles),
        "04 casualty_totals": lambda: analysis.casualty_totals(t.casualties, t.incidents, t.articles),
        "04 casualty_timeline": lambda: analysis.casualty_timeline(t.casualties, t.incidents, t.articles, "month"),
        "04 incidents_view": lambda: analysis.incidents_view(t.incidents),
        "filter_tables(dates, actor ttp)": lambda: analysis.filter_tables(t, "2024-01-01", "2024-06-30", ["ttp"]),
    }


def one(kind: str, folder: str, repeat: int) -> dict:
    """Run in a child process: time ``read_tables(with_text=False)`` and, for ``kind`` "aggregate", each call."""
    from conflictlens import store

    times = []
    for _ in range(repeat if kind == "load" else 1):
        start = time.perf_counter()
        tables = store.read_tables(folder, with_text=False)
        times.append(time.perf_counter() - start)
        if kind == "load" and len(times) < repeat:
            del tables
    out = {"load_s": times, "load_peak_mb": _peak_mb(),
           "rows": {name: len(df) for name, df in tables.items()},
           "memory_mb": {name: df.memory_usage(deep=True).sum() / 2**20 for name, df in tables.items()}}
    if kind == "aggregate":
        out["calls"] = {}
        for name, call in aggregations(tables).items():
            runs = []
            while len(runs) < repeat and (not runs or runs[0] < 20):  # a call over 20 s runs once
                start = time.perf_counter()
                call()
                runs.append(time.perf_counter() - start)
            out["calls"][name] = {"s": runs, "peak_mb": _peak_mb()}
    return out


def run(kind: str, folder: Path, lib: Path, repeat: int, cap_s: float, cap_mb: float) -> dict:
    """``one`` in a fresh process with ``lib`` on the path, killed past ``cap_s`` seconds or ``cap_mb`` RSS."""
    env = {**os.environ, "PYTHONPATH": str(lib)}
    cmd = [sys.executable, __file__, "--one", kind, str(folder), "--repeat", str(repeat)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched, start, peak = psutil.Process(proc.pid), time.perf_counter(), 0.0
    while proc.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            break
        elapsed = time.perf_counter() - start
        if peak > cap_mb or elapsed > cap_s:
            proc.kill()
            proc.wait()
            return {"killed": f"killed after {elapsed:.0f} s at {peak:,.0f} MB RSS "
                              f"(cap {cap_s:.0f} s, {cap_mb:,.0f} MB)"}
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        return {"killed": f"exit {proc.returncode}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}"}
    return json.loads(stdout.strip().splitlines()[-1])


# --- report --------------------------------------------------------------------------------------------------


def _med(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}" + (f" (n={len(xs)})" if len(xs) != 3 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("KIND", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path, default=HERE / "out" / "tables" / "local-10000")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--big", type=Path, default=HERE / "out" / "tables" / "replicated-100x")
    parser.add_argument("--before-lib", type=Path, help="lib/ folder of the code before the change, measured too")
    parser.add_argument("--cap-s", type=float, default=900.0, help="time cap of one measurement process")
    parser.add_argument("--cap-mb", type=float, default=16_000.0, help="RSS cap of one measurement process")
    parser.add_argument("--measure", default="before,after",
                        help="versions to (re)measure now; the others are kept from the last run's notebooks.json")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "notebooks.md")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.repeat)))
        return

    start = time.perf_counter()
    big = build(args.source, args.big, args.copies)
    built_s = time.perf_counter() - start
    libs = {"after": ROOT / "lib", **({"before": args.before_lib} if args.before_lib else {})}
    saved = args.out.with_suffix(".json")
    kept = {tuple(k.split("|")): v for k, v in json.loads(saved.read_text()).items()} if saved.exists() else {}
    results: dict[tuple[str, str, str], dict] = {}
    for size, folder in (("10k", args.source), (f"{args.copies}x", big)):
        for version, lib in libs.items():
            for kind in ("load", "aggregate"):
                key = (size, version, kind)
                if version not in args.measure.split(","):
                    if key in kept:
                        results[key] = kept[key]
                    continue
                results[key] = run(kind, folder, lib, args.repeat, args.cap_s, args.cap_mb)
                print(key, json.dumps(results[key])[:400], flush=True)
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(json.dumps({"|".join(k): v for k, v in {**kept, **results}.items()}, indent=1))

    rows = {t: pq.ParquetFile(big / f"{t}.parquet").metadata.num_rows for t in TABLES}
    source_rows = {t: pq.ParquetFile(args.source / f"{t}.parquet").metadata.num_rows for t in TABLES}
    lines = [
        "# Notebook reading and aggregation at scale (bench/notebooks.py)",
        "",
        f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')} · {os.cpu_count()} cores · "
        f"{psutil.virtual_memory().total / 2**30:.1f} GB RAM · Python {platform.python_version()}",
        "",
        f"Source: {args.source} ({', '.join(f'{t} {n:,}' for t, n in source_rows.items())}).",
        f"Replicated {args.copies}x with distinct ids into {big} in {built_s:.0f} s "
        f"({', '.join(f'{t} {n:,}' for t, n in rows.items())}).",
        "Each measurement is a fresh process; peak = its peak RSS (ru_maxrss). Seconds are medians of "
        f"{args.repeat} unless n says otherwise. Caps: {args.cap_s:.0f} s, {args.cap_mb:,.0f} MB RSS a process.",
        "",
        "## read_tables(with_text=False)",
        "",
        "| size | code | load s | peak MB | frames MB (deep) |",
        "|---|---|---:|---:|---:|",
    ]
    for (size, version, kind), r in results.items():
        if kind != "load":
            continue
        if "killed" in r:
            lines.append(f"| {size} | {version} | {r['killed']} | | |")
        else:
            lines.append(f"| {size} | {version} | {_med(r['load_s'])} | {r['load_peak_mb']:,.0f} | "
                         f"{sum(r['memory_mb'].values()):,.0f} |")
    lines += ["", "## Aggregations (after loading once; peak = process peak so far)", ""]
    columns = [key for key in results if key[2] == "aggregate"]
    lines.append("| call | " + " | ".join(f"{s} {v} s | peak MB" for s, v, _ in columns) + " |")
    lines.append("|---|" + "---:|---:|" * len(columns))
    names = next((list(results[k]["calls"]) for k in columns if "calls" in results[k]), [])
    for name in names:
        cells = []
        for key in columns:
            call = results[key].get("calls", {}).get(name)
            cells += [_med(call["s"]), f"{call['peak_mb']:,.0f}"] if call else ["–", "–"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for key in columns:
        if "killed" in results[key]:
            lines.append(f"\n{key[0]} {key[1]}: {results[key]['killed']}")
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
