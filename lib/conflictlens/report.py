"""The batch run: extract once, execute the notebooks with papermill in a process pool, keep HTML and a manifest.

``conflictlens report [--config reports.yaml] [--preset NAME] [--corpus CORPUS] [-p NAME VALUE]...``

1. Read the preset from ``reports.yaml``; apply ``--corpus`` and ``-p`` overrides.
2. Check every parameter against the notebook's ``parameters`` cell (``papermill.inspect_notebook``) before anything
   runs: papermill writes names into code unescaped, so a name must be an identifier the notebook declares, and a
   value must fit the declared type.
3. Extract once (``pipeline.ensure_results``) unless ``results`` names a folder of tables to reuse.
4. Execute the notebooks in a pool of worker processes, forked after papermill is imported (imported once), each
   with kernel ``python3`` from this environment; write ``reports/<run>/NN_name.ipynb``, its ``.html`` and
   ``run.json`` (parameters, corpus hash, package versions, git commit, timings, figures written).
A failing notebook is named with its failing cell and error; the others run to the end; the exit code is 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import keyword
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import __version__, paths
from .pipeline import git_commit, package_versions

PATH_PARAMETERS = ("corpus", "results", "figures_dir")  # paths given on the command line are relative to the cwd
PACKAGES = ("conflictlens", "pandas", "pyarrow", "matplotlib", "seaborn", "networkx", "nltk", "papermill",
            "nbconvert", "nbclient", "ipykernel", "ipywidgets", "jupyter_client", "pyyaml")
CACHE = paths.ROOT / ".cache"
ENVIRONMENT = {  # everything Jupyter, IPython and matplotlib write goes inside the project, never a home folder
    "JUPYTER_RUNTIME_DIR": CACHE / "jupyter" / "runtime",
    "JUPYTER_DATA_DIR": CACHE / "jupyter" / "data",  # also keeps a user's own "python3" kernelspec out of the way
    "JUPYTER_CONFIG_DIR": CACHE / "jupyter" / "config",
    "IPYTHONDIR": CACHE / "ipython",
    "MPLCONFIGDIR": CACHE / "matplotlib",
}


class ReportError(Exception):
    """A user error in the report's configuration or parameters (reported in one line, exit code 2)."""


@dataclass
class Job:
    """One notebook to execute: where it comes from, where it goes, with which parameters."""

    name: str
    source: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    cell_timeout: int | None = None  # seconds a cell may run before the notebook fails (None: no limit)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``report`` subcommand's options."""
    parser.add_argument("--config", type=Path, default=None,
                        help=f"presets file (default: {paths.REPORTS_CONFIG.name} in the repository)")
    parser.add_argument("--preset", default=None, help="preset in the config (default: its default_preset)")
    parser.add_argument("--corpus", default=None, help="corpus to report on (overrides the preset's corpus)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        dest="parameters", help="set a notebook parameter (repeatable); VALUE is read as YAML")
    parser.add_argument("--out", type=Path, default=None, help="folder of runs (default: reports/)")
    parser.add_argument("--run", default=None, help="name of this run's folder (default: date-time-preset)")
    parser.add_argument("--workers", type=int, default=None, help="notebooks executed at once (default: 2)")


def run_from_args(args: argparse.Namespace) -> int:
    """Run the report from parsed ``add_arguments`` options; returns the exit code."""
    return run_report(args.config, args.corpus, [tuple(p) for p in args.parameters], args.preset,
                      out=args.out, run=args.run, workers=args.workers)


# --- configuration ---------------------------------------------------------------------------------------------


def load_config(path: Path | None = None) -> dict:
    """The presets file, checked: ``notebooks`` (list), ``presets`` (mapping), ``default_preset``."""
    path = Path(path) if path else paths.REPORTS_CONFIG
    if not path.exists():
        raise ReportError(f"{path}: no such config file")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ReportError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(config, dict) or not isinstance(config.get("presets"), dict):
        raise ReportError(f"{path}: expected a mapping with `presets`")
    return config


def _preset(config: dict, name: str | None) -> dict:
    """A preset with its ``extends`` chain applied (later entries override earlier ones)."""
    name = name or config.get("default_preset")
    presets = config["presets"]
    if name not in presets:
        raise ReportError(f"no preset {name!r}; choose from {sorted(presets)}")
    chain, seen = [], set()
    while name:
        if name in seen or name not in presets:
            raise ReportError(f"preset {name!r}: broken `extends` chain")
        seen.add(name)
        chain.append(presets[name] or {})
        name = chain[-1].get("extends")
    merged: dict = {"parameters": {}, "notebook_parameters": {}}
    for entry in reversed(chain):
        merged["parameters"].update(entry.get("parameters") or {})
        for nb, params in (entry.get("notebook_parameters") or {}).items():
            merged["notebook_parameters"].setdefault(nb, {}).update(params or {})
        if "notebooks" in entry:
            merged["notebooks"] = entry["notebooks"]
        for key in ("workers", "cell_timeout"):
            if key in entry:
                merged[key] = entry[key]
    merged.setdefault("notebooks", config.get("notebooks") or [])
    return merged


def parse_value(text: str) -> object:
    """A command-line value read as YAML ("300" → 300, "[ttp, tjp]" → list); unreadable YAML stays a string."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def coerce(name: str, value: object, declared: str, raw: str | None = None) -> object:
    """``value`` as the type the notebook declares (str, int, float, bool, list), or ReportError."""
    if declared == "str":
        if raw is not None:
            return raw
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if declared == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if declared == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if declared == "bool" and isinstance(value, bool):
        return value
    if declared == "list":
        if isinstance(value, list):
            return [v.isoformat() if isinstance(v, dt.date) else v for v in value]
        if isinstance(value, str):  # `-p actors ttp,tjp`
            return [v.strip() for v in value.split(",") if v.strip()]
        if value is None:
            return []
    if declared in ("str", "int", "float", "bool", "list"):
        raise ReportError(f"parameter {name}: expected {declared}, got {value!r}")
    return value


def check_name(name: object) -> str:
    """A parameter name papermill may write into code: a Python identifier, not a keyword."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ReportError(f"parameter name {name!r} is not a Python identifier: refused")
    return name


def declared_parameters(notebook: Path) -> dict[str, dict]:
    """The notebook's ``parameters`` cell as papermill reads it: name → {inferred_type_name, default, help}."""
    import papermill

    if not notebook.exists():
        raise ReportError(f"{notebook}: no such notebook")
    return papermill.inspect_notebook(str(notebook))


def plan(
    config: dict, preset: str | None, corpus: str | None, overrides: list[tuple[str, str]], run_dir: Path
) -> list[Job]:
    """The jobs of a run, every parameter checked against its notebook before anything executes.

    Preset-wide parameters and ``-p`` overrides go to each notebook that declares them (a name no notebook of
    the run declares is refused); per-notebook parameters must be declared by that notebook.
    """
    chosen = _preset(config, preset)
    cli: dict[str, tuple[object, str]] = {}
    for name, raw in overrides:
        check_name(name)
        if name in PATH_PARAMETERS and raw:
            raw = str(Path(raw).expanduser().resolve())
        cli[name] = (parse_value(raw), raw)
    if corpus is not None:
        cli["corpus"] = (str(Path(corpus).expanduser().resolve()), str(Path(corpus).expanduser().resolve()))
    common = {check_name(k): (v, None) for k, v in chosen["parameters"].items()}
    common.update(cli)
    jobs, used = [], set()
    for entry in chosen["notebooks"]:
        source = paths.NOTEBOOKS / entry  # an absolute entry stays as it is
        declared = declared_parameters(source)
        values = {}
        for name, (value, raw) in common.items():
            if name in declared:
                values[name] = (value, raw)
                used.add(name)
        for name, value in (chosen["notebook_parameters"].get(entry) or {}).items():
            if check_name(name) not in declared:
                raise ReportError(f"{entry}: unknown parameter {name!r}; it declares {sorted(declared)}")
            if name not in cli:
                values[name] = (value, None)
        params = {n: coerce(n, v, declared[n]["inferred_type_name"], raw) for n, (v, raw) in values.items()}
        jobs.append(Job(source.name, source, run_dir / source.name, params, chosen.get("cell_timeout")))
    conventions = {job.parameters["vague_convention"] for job in jobs if "vague_convention" in job.parameters}
    if conventions:
        from .quantities import CONVENTIONS  # the extraction imports it anyway

        wrong = sorted(conventions - set(CONVENTIONS))
        if wrong:
            raise ReportError(f"vague_convention {wrong[0]!r} is not one of {sorted(CONVENTIONS)}")
    unknown = sorted(set(common) - used)
    if unknown:
        known = sorted({n for job in jobs for n in declared_parameters(job.source)})
        raise ReportError(f"unknown parameter(s) {unknown}: no notebook of the run declares them; known: {known}")
    return jobs


# --- execution -------------------------------------------------------------------------------------------------


def _set_environment() -> None:
    for key, folder in ENVIRONMENT.items():
        Path(folder).mkdir(parents=True, exist_ok=True)
        os.environ[key] = str(folder)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silence debugpy's frozen-modules warning


def execute(job: Job) -> dict:
    """Execute one notebook (in a worker), then write its HTML copy; never raises: failures are returned."""
    import papermill
    from nbconvert import HTMLExporter

    started = time.perf_counter()
    log = job.output.with_suffix(".log")
    outcome = {"notebook": job.name, "output": str(job.output), "log": str(log), "status": "ok"}
    with open(log, "w", encoding="utf-8") as sink:  # the kernel's own stderr (warnings, tracebacks) goes here
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            papermill.execute_notebook(str(job.source), str(job.output), parameters=job.parameters,
                                       kernel_name="python3", cwd=str(paths.ROOT), progress_bar=False,
                                       request_save_on_cell_execute=False, execution_timeout=job.cell_timeout)
        except papermill.PapermillExecutionError as exc:
            outcome.update(status="failed", cell=exc.cell_index, execution_count=exc.exec_count,
                           error=f"{exc.ename}: {exc.evalue}".strip())
        except Exception as exc:  # a kernel that dies or will not start: still a named, contained failure
            outcome.update(status="failed", error=f"{type(exc).__name__}: {exc}".strip())
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    outcome["seconds"] = round(time.perf_counter() - started, 2)
    if job.output.exists():
        body, _ = HTMLExporter().from_filename(str(job.output))
        html = job.output.with_suffix(".html")
        html.write_text(body, encoding="utf-8")
        outcome["html"] = str(html)
    return outcome


def describe_failure(outcome: dict) -> str:
    """One line naming the notebook, its failing cell (index in the executed notebook, and its In [n]) and the error."""
    where = ""
    if outcome.get("cell") is not None:
        where = f" at cell {outcome['cell']} (In [{outcome.get('execution_count')}])"
    return f"{outcome['notebook']} failed{where}: {outcome.get('error', 'unknown error')} (see {outcome['output']})"


def _figures_written(folder: Path, since: float) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and p.stat().st_mtime >= since}


def remove_stale_figures(folder: Path, notebooks: set[str], written: set[str]) -> list[str]:
    """Delete the figures in ``folder`` that a notebook of ``notebooks`` made in an earlier run but no longer makes
    (its sidecar, naming the notebook by its stem, was not written by this run): a renamed or dropped figure must not linger beside the current ones
    and end up in a paper. Only a sidecar's own files go, and the sidecar; any other file is left. Returns the names
    removed."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    for sidecar in sorted(folder.glob("*.json")):
        if sidecar.name in written:
            continue
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or meta.get("notebook") not in notebooks or not isinstance(meta.get("files"), dict):
            continue
        for name in sorted(meta["files"]):
            path = folder / name
            if Path(name).name == name and path.is_file() and name not in written:
                path.unlink()
                removed.append(name)
        sidecar.unlink()
        removed.append(sidecar.name)
    return removed


def _results_for(jobs: list[Job]) -> tuple[Path, str]:
    """Extract once (or reuse ``results``) and point every job at the tables; returns (folder, corpus hash)."""
    given = {k: v for job in jobs for k, v in job.parameters.items() if k in ("corpus", "results", "vague_convention")}
    if given.get("results"):
        folder = _resolve(given["results"])
    elif given.get("corpus"):
        from . import pipeline

        folder = Path(pipeline.ensure_results(str(_resolve(given["corpus"])), None,
                                              params={"vague_convention": given.get("vague_convention", "acled")}))
    else:
        raise ReportError("set `corpus` (or `results`) in the preset or with --corpus")
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ReportError(f"{folder}: no manifest.json (not a folder of extracted tables)")
    for job in jobs:
        if "results" in job.parameters:
            job.parameters["results"] = str(folder)
    return folder, str(json.loads(manifest_path.read_text()).get("corpus_sha256", ""))


def _resolve(path: str) -> Path:
    """As ``analysis.resolve`` (relative to the repository), without importing the analysis stack."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else paths.ROOT / p


def _slowest_first(jobs: list[Job], runs: Path) -> list[Job]:
    """Jobs ordered by their duration in the previous run (longest first), so the pool finishes together."""
    try:
        last = json.loads((runs / "latest" / "run.json").read_text())
        seconds = {n["notebook"]: n.get("seconds", 0) for n in last["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return jobs
    return sorted(jobs, key=lambda j: -seconds.get(j.name, 0))


def run_report(
    config: Path | None,
    corpus: str | None,
    overrides: list[tuple[str, str]],
    preset: str | None,
    *,
    out: Path | None = None,
    run: str | None = None,
    workers: int | None = None,
) -> int:
    """Run a preset's notebooks on a corpus; returns 0 when every notebook ran, 1 when any failed.

    Raises ReportError (before anything executes) for a missing config or preset, an unknown parameter name,
    a name that is not an identifier, or a value of the wrong type.
    """
    started_at = dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    _set_environment()
    cfg = load_config(config)
    preset_name = preset or cfg.get("default_preset")
    run_name = run or f"{started_at:%Y%m%d-%H%M%S}-{preset_name}"
    if not run_name or Path(run_name).name != run_name:
        raise ReportError(f"run name {run_name!r} must be a plain folder name")
    run_dir = (Path(out) if out else paths.REPORTS).resolve() / run_name
    # jsonschema, under nbformat, imports rfc3987_syntax when installed, which compiles a grammar on import (2.3 s);
    # notebooks never validate IRIs, so it is kept out of this process (absent, jsonschema skips that check).
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill  # noqa: F401  imported once here: the forked workers inherit it
    from nbconvert import HTMLExporter  # noqa: F401  likewise

    jobs = _slowest_first(plan(cfg, preset_name, corpus, overrides, run_dir), run_dir.parent)
    n_workers = min(max(1, workers or _preset(cfg, preset_name).get("workers") or 2), len(jobs))
    timings = {"prepare": round(time.perf_counter() - t0, 2)}
    print(f"report {run_name}: {len(jobs)} notebooks, {n_workers} at a time → {run_dir}", flush=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    # The workers fork now, with papermill imported and before the extraction starts any thread.
    with multiprocessing.get_context("fork").Pool(n_workers) as pool:
        t1 = time.perf_counter()
        results_dir, corpus_hash = _results_for(jobs)
        timings["extract"] = round(time.perf_counter() - t1, 2)
        print(f"  tables: {results_dir} (corpus {corpus_hash[:12]})", flush=True)
        since, t2 = time.time(), time.perf_counter()
        outcomes = []
        for outcome in pool.imap_unordered(execute, jobs):
            outcomes.append(outcome)
            mark = "ok" if outcome["status"] == "ok" else "FAILED"
            print(f"  [{len(outcomes)}/{len(jobs)}] {outcome['notebook']}: {mark} in {outcome['seconds']} s",
                  flush=True)
    timings["notebooks"] = round(time.perf_counter() - t2, 2)
    timings["total"] = round(time.perf_counter() - t0, 2)
    folders = sorted({job.parameters["figures_dir"] for job in jobs if job.parameters.get("figures_dir")})
    figures = {folder: _figures_written(_resolve(folder), since - 1) for folder in folders}
    # A notebook that ran to its end made every figure it makes: its older figures not made again are stale.
    finished = {Path(o["notebook"]).stem for o in outcomes if o["status"] == "ok"}
    removed = {folder: remove_stale_figures(_resolve(folder), finished, set(figures[folder])) for folder in folders}
    by_name = {job.name: job for job in jobs}
    manifest = {
        "run": run_name, "preset": preset_name, "started": started_at.isoformat(timespec="seconds"),
        "config": str(Path(config).resolve() if config else paths.REPORTS_CONFIG),
        "corpus_hash": corpus_hash, "results": str(results_dir),
        "notebooks": [{**o, "parameters": by_name[o["notebook"]].parameters}
                      for o in sorted(outcomes, key=lambda o: o["notebook"])],
        "figures": figures, "figures_removed": {k: v for k, v in removed.items() if v}, "kernel": {"name": "python3", "python": sys.executable},
        "conflictlens": __version__, "packages": package_versions(PACKAGES), "git_commit": git_commit(), "timings_s": timings,
    }
    (run_dir / "run.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    latest = run_dir.parent / "latest"
    if latest.is_symlink() or not latest.exists():
        latest.unlink(missing_ok=True)
        latest.symlink_to(run_name)
    failed = [o for o in outcomes if o["status"] != "ok"]
    for outcome in failed:
        print(f"conflictlens: error: {describe_failure(outcome)}", file=sys.stderr, flush=True)
    print(f"report {run_name}: {len(outcomes) - len(failed)}/{len(outcomes)} notebooks ok in {timings['total']} s;"
          f" {sum(len(f) for f in figures.values())} figure files"
          + (f"; removed {sum(len(r) for r in removed.values())} stale figure files" if any(removed.values()) else ""),
          flush=True)
    return 1 if failed else 0
