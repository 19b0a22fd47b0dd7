"""The command line: ``conflictlens extract | report | evaluate``.

Exit codes: 0 success, 2 a user error (one line on stderr, no traceback), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys


def _user_errors() -> tuple[type[BaseException], ...]:
    """Every module's user-error class (imported lazily so ``--help`` stays fast)."""
    from .corpus import CorpusError
    from .engines import EngineError
    from .evaluate import GoldError
    from .lexicon import LexiconError
    from .report import ReportError
    from .store import StoreError

    return (CorpusError, EngineError, GoldError, LexiconError, ReportError, StoreError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conflictlens", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read a corpus and write the tables (parquet) and manifest.json")
    ex.add_argument("corpus", help="a folder (.txt/.md/.html), one file, or a .jsonl/.csv with a text column")
    ex.add_argument("--out", required=True, help="folder for <table>.parquet and manifest.json")
    ex.add_argument("--engine", choices=["local", "dask"], default="local", help="local loop or a Dask cluster")
    ex.add_argument("--scheduler", default=None, help="address of a running dask scheduler (tcp://host:8786)")
    ex.add_argument("--workers", type=int, default=None, metavar="N",
                    help="processes: local: a pool of N (default: this process alone); dask: a LocalCluster of N "
                         "(default 2)")
    ex.add_argument("--batch", type=int, default=None, metavar="N",
                    help="articles per written batch (default 2000): what a run holds of extracted rows at once")
    ex.add_argument("--vague-convention", default="acled", help="how vague words become numbers (default acled)")
    ex.add_argument("--lexicon", default=None, help="a folder of lexicon yaml files (default: the package's)")
    ex.add_argument("--include-off-topic", action="store_true", help="let off-topic articles form incidents too")
    where = ex.add_mutually_exclusive_group()
    where.add_argument("--cache", default=None, metavar="DIR",
                       help="folder of the per-article cache reused by later runs (default: the --out folder)")
    where.add_argument("--no-cache", action="store_true", help="extract every article and keep no cache")

    rp = sub.add_parser("report", help="extract once, then execute the notebooks with papermill")
    from . import report

    report.add_arguments(rp)

    ev = sub.add_parser("evaluate", help="score extracted tables against a gold file")
    ev.add_argument("results", help="a folder written by `conflictlens extract`")
    ev.add_argument("--gold", required=True, help="gold annotations (yaml)")
    return parser


def _extract(args: argparse.Namespace) -> int:
    from .pipeline import extract_to

    params = {"vague_convention": args.vague_convention, "lexicon": args.lexicon,
              "include_off_topic": args.include_off_topic}
    cache_dir = None if args.no_cache else (args.cache or args.out)
    manifest = extract_to(args.corpus, args.out, engine=args.engine, scheduler=args.scheduler, params=params,
                          cache_dir=cache_dir, workers=args.workers,
                          **({"batch_articles": args.batch} if args.batch is not None else {}))
    s = manifest["summary"]
    c = manifest["counts"]
    r = manifest["reuse"]
    redated = f", {r['redated_extracted']} re-dated and extracted again" if r["redated_extracted"] else ""
    run = manifest.get("run", {})
    how = (f"; delta run: {c['articles'] - run['articles_new'] - run['articles_changed']} articles unchanged, "
           f"{run['incidents_merged_again']} incidents merged again "
           f"({run.get('incidents_extended', 0)} of them kept ones extended)" if run.get("mode") == "delta"
           else f"; full run ({run['why']})" if run.get("why") else "")
    print(f"{args.corpus}: {s.get('files', '?')} files, {c['articles']} articles "
          f"({s.get('duplicates_merged', 0)} duplicate copies merged, {s.get('off_topic', 0)} off-topic, "
          f"{s.get('files_skipped', 0)} files skipped) → {c['events']} events, {c['casualties']} casualty figures, "
          f"{c['actor_mentions']} actor mentions, {c['incidents']} incidents; {r['articles_extracted']} extracted, "
          f"{r['articles_reused']} reused{redated}{how}; tables in {args.out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_scores

    print(format_scores(evaluate(args.results, args.gold)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "evaluate":
            return _evaluate(args)
        from .report import run_from_args

        return run_from_args(args)
    except _user_errors() as exc:
        print(f"conflictlens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conflictlens: interrupted", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
