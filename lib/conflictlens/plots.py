"""The house style of every figure, the charts the notebooks draw, and ``save_figure``.

One look for papers: seaborn's ``paper`` theme with its colour-blind-safe palette, sized to be read at 3.5 in
(single column) and 7 in (double column). Figures are saved as png, pdf and svg with text kept as text and no
timestamps, so the same inputs give the same bytes; each gets a JSON sidecar saying how it was made.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns

from . import __version__

WIDTHS = {"single": 3.5, "double": 7.0}  # inches: a journal's column and page width
FORMATS = ("png", "pdf", "svg")
NO_DATA = "no data for these filters"

RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "lines.linewidth": 1.2,
    "axes.titlelocation": "left",
    "figure.dpi": 100,  # fixed here: a kernel's inline backend would otherwise change layout rounding
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,  # nothing cut off, whatever the label lengths
    "savefig.bbox": "tight",  # a safety net over constrained layout: no label is ever cut off
    "savefig.pad_inches": 0.03,
    "pdf.fonttype": 42,  # TrueType: text stays text, editable in a paper's proofs
    "ps.fonttype": 42,
    "svg.fonttype": "none",  # text as <text>, not paths
    "svg.hashsalt": "conflictlens",  # fixed ids: byte-identical svg on a rerun
    "path.simplify": False,
}

# No creation date, no software stamp: the bytes depend only on what is drawn.
_METADATA = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None}, "svg": {"Date": None}}


def use_style() -> None:
    """Apply the house style (seaborn paper theme, colour-blind palette, fonts legible at column width)."""
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", rc=RC)


def new_figure(width: str = "single", aspect: float = 0.62, **subplots) -> tuple[plt.Figure, object]:
    """A figure ``width`` ("single" 3.5 in or "double" 7 in) wide and ``aspect`` × width high, in house style."""
    use_style()
    w = WIDTHS[width]
    return plt.subplots(figsize=(w, w * aspect), **subplots)


def no_data(ax, message: str = NO_DATA) -> None:
    """Turn ``ax`` into a clear "no data" panel instead of a blank axis."""
    ax.clear()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.35")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SavedFigure(list):
    """The files of a saved figure (a list of paths, sidecar last). In a notebook it displays the saved png (or
    svg) itself, at the figure's printed width: the reader sees exactly the file a paper would use."""

    def __init__(self, paths: list[Path], width_in: float) -> None:
        super().__init__(paths)
        self.width_px = round(width_in * 96)

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        text = {"text/plain": ", ".join(str(p) for p in self)}
        for path in self:
            if path.suffix == ".png":
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                return {**text, "image/png": data}, {"image/png": {"width": self.width_px}}
            if path.suffix == ".svg":
                return {**text, "image/svg+xml": path.read_text(encoding="utf-8")}, {}
        return text, {}


def save_figure(
    fig: plt.Figure,
    name: str,
    out_dir: str | Path,
    formats: list[str] | tuple[str, ...] = FORMATS,
    dpi: int = 300,
    provenance: dict | None = None,
) -> SavedFigure:
    """Save ``fig`` as ``out_dir/name.<fmt>`` for each format, byte-identical on a rerun, plus ``name.json``.

    The layout and the tight bounding box are computed once (one draw), then each format is written with them
    (one draw each). The sidecar holds ``provenance`` (corpus hash, parameters, notebook), the package and plotting
    library versions, and each file's sha256. The figure is closed; the returned paths display it.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown figure formats {unknown}; choose from {list(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(RC):
        fig.canvas.draw()
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(RC["savefig.pad_inches"])
        fig.set_layout_engine("none")  # positions stay as laid out above
        for fmt in formats:
            path = out / f"{name}.{fmt}"
            fig.savefig(path, format=fmt, dpi=dpi, bbox_inches=box, metadata=_METADATA[fmt])
            paths.append(path)
    width = float(box.width)
    plt.close(fig)
    sidecar = {
        "figure": name,
        "files": {p.name: _sha256(p) for p in paths},
        "dpi": dpi,
        "width_in": round(width, 3),
        "conflictlens": __version__,
        "matplotlib": matplotlib.__version__,
        "seaborn": sns.__version__,
        **(provenance or {}),
    }
    side = out / f"{name}.json"
    side.write_text(json.dumps(sidecar, indent=2, sort_keys=True, default=str) + "\n")
    return SavedFigure([*paths, side], width)


def _label(text: str) -> str:
    return str(text).replace("_", " ")


def _date_axis(ax, index: pd.DatetimeIndex) -> float:
    """Dates on the x axis with concise labels; returns a bar width in days (80% of the period)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    step = pd.Series(index).diff().min() if len(index) > 1 else pd.Timedelta(days=30)
    return 0.8 * step.days


def counts_over_time(table: pd.DataFrame, title: str, ylabel: str = "count", width: str = "double") -> plt.Figure:
    """Stacked bars of a period × category count table (index = period start dates, columns = categories)."""
    fig, ax = new_figure(width, aspect=0.4)
    if table.empty or table.to_numpy().sum() == 0:
        no_data(ax)
    else:
        bar_width = _date_axis(ax, table.index)
        bottom = np.zeros(len(table))
        for colour, column in zip(sns.color_palette(n_colors=len(table.columns)), table.columns):
            values = table[column].to_numpy()
            drawn = values > 0  # no zero-height patches: a long, sparse timeline stays cheap to draw and save
            ax.bar(table.index[drawn], values[drawn], bottom=bottom[drawn], width=bar_width, align="edge",
                   label=_label(column), color=colour)
            bottom = bottom + values
        ax.set_ylabel(ylabel)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(title)
    return fig


def paired_bars(table: pd.DataFrame, title: str, xlabel: str = "count", width: str = "single") -> plt.Figure:
    """Grouped horizontal bars: one group per row of ``table``, one bar per column (e.g. mentions vs incidents)."""
    n = max(len(table), 1)
    fig, ax = new_figure(width, aspect=min(0.3 + 0.1 * n, 1.4))
    if table.empty or table.to_numpy().sum() == 0:
        no_data(ax)
    else:
        long = table.rename(index=_label).rename_axis("group").reset_index().melt(
            id_vars="group", var_name="series", value_name="value"
        )
        sns.barplot(long, y="group", x="value", hue="series", ax=ax, orient="h", width=0.85)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(title=None, frameon=False, loc="lower right")
    ax.set_title(title)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, width: str = "single", unit: str = "articles") -> plt.Figure:
    """A symmetric count matrix (e.g. actor co-mentions) as its lower triangle; row labels carry the diagonal."""
    fig, ax = new_figure(width, aspect=0.92)
    off = matrix.to_numpy().copy()
    off[np.triu_indices_from(off)] = 0
    if matrix.empty or off.sum() == 0:
        no_data(ax)
    else:
        mask = np.triu(np.ones_like(off, dtype=bool))
        sns.heatmap(
            pd.DataFrame(off, index=[f"{_label(i)} ({matrix.at[i, i]})" for i in matrix.index],
                         columns=[_label(i) for i in matrix.columns]),
            mask=mask, ax=ax, cmap="mako_r", vmin=0, vmax=int(off.max()), annot=len(matrix) <= 12, fmt="d",
            square=True, linewidths=0.4, annot_kws={"fontsize": 6},
            cbar_kws={"shrink": 0.5, "label": f"{unit} shared", "ticks": MaxNLocator(integer=True)},
        )
        ax.tick_params(axis="x", rotation=90)
        ax.tick_params(axis="y", rotation=0)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.grid(False)
    fig.suptitle(title, x=0.02, ha="left", fontsize=RC["axes.titlesize"])
    return fig


def network(graph: nx.Graph, title: str, width: str = "single") -> plt.Figure:
    """A weighted graph in a deterministic layout (Kamada–Kawai on hop distances): node size = node
    ``weight``, edge width and darkness = edge ``weight``; labels on a white backing so edges never hide them."""
    fig, ax = new_figure(width, aspect=0.9)
    if graph.number_of_edges() == 0:
        no_data(ax)
    else:
        pos = nx.kamada_kawai_layout(graph, weight=None)  # even spacing: heavy ties would pile the hubs up
        weights = np.array([d["weight"] for _, _, d in graph.edges(data=True)], dtype=float)
        share = weights / weights.max()
        nx.draw_networkx_edges(graph, pos, ax=ax, width=0.4 + 2.2 * share,
                               edge_color=[(0.35, 0.35, 0.35, 0.15 + 0.6 * w) for w in share])
        sizes = np.array([graph.nodes[n].get("weight", 1) for n in graph.nodes], dtype=float)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=30 + 220 * sizes / sizes.max(),
                               node_color=[sns.color_palette()[0]], linewidths=0.5, edgecolors="white")
        for node, (x, y) in pos.items():
            ax.annotate(_label(node), (x, y), xytext=(0, 5), textcoords="offset points", ha="center", va="bottom",
                        fontsize=6, bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.4})
        xs, ys = zip(*pos.values())
        ax.set_xlim(min(xs) - 0.25, max(xs) + 0.25)
        ax.set_ylim(min(ys) - 0.12, max(ys) + 0.2)
        ax.set_axis_off()
    ax.set_title(title)
    return fig


def lines_over_time(table: pd.DataFrame, title: str, ylabel: str = "mentions", width: str = "double") -> plt.Figure:
    """One line per column of a period × series table (index = period start dates); markers where non-zero."""
    fig, ax = new_figure(width, aspect=0.4)
    if table.empty or table.to_numpy().sum() == 0:
        no_data(ax)
    else:
        _date_axis(ax, table.index)
        markers = "osD^vP*X"
        for i, column in enumerate(table.columns):
            values = table[column].to_numpy()
            ax.plot(table.index, values, marker=markers[i % len(markers)], markersize=3.5,
                    markevery=list(values > 0), label=_label(column))
        ax.set_ylabel(ylabel)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(title)
    return fig


def band_timeline(table: pd.DataFrame, title: str, ylabel: str = "people", width: str = "double") -> plt.Figure:
    """Best estimates per period as points, the low–high range as a band behind each.

    ``table`` has ``period`` (start date), ``series`` (one colour each), ``best``, ``low`` and ``high``; an empty
    ``high`` is an open figure ("over 70"): drawn as an upward triangle with no band. The y axis turns
    logarithmic when the figures span more than two orders of magnitude.
    """
    fig, ax = new_figure(width, aspect=0.42)
    if table.empty:
        no_data(ax)
    else:
        index = pd.DatetimeIndex(sorted(table["period"].unique()))
        bar_width = _date_axis(ax, index)
        series = sorted(table["series"].unique())
        shift = bar_width / max(len(series), 1)
        for k, (colour, name) in enumerate(zip(sns.color_palette(), series)):
            rows = table[table["series"] == name].sort_values("period")
            x = pd.DatetimeIndex(rows["period"]) + pd.to_timedelta(shift * (k + 0.5), unit="D")
            best, low, high = (rows[c].to_numpy(dtype=float) for c in ("best", "low", "high"))
            bounded = ~pd.isna(high)
            if bounded.any():
                ax.bar(x[bounded], (high - low)[bounded], bottom=low[bounded], width=shift * 0.9, color=colour,
                       alpha=0.25, linewidth=0)
                ax.scatter(x[bounded], best[bounded], color=colour, marker="o", s=14, zorder=3, label=_label(name))
            if (~bounded).any():
                ax.scatter(x[~bounded], best[~bounded], color=colour, marker="^", s=20, zorder=3,
                           label=f"{_label(name)} (at least)")
            for xi, b, open_ended in zip(x, best, ~bounded):
                ax.annotate(f"{'≥' if open_ended else ''}{b:,.0f}", (xi, b), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize=6, color=colour)
        positive = table[["best", "low", "high"]].to_numpy(dtype=float)
        positive = positive[positive > 0]
        if len(positive) and positive.max() / positive.min() > 100:
            ax.set_yscale("log")
            ax.set_ylim(positive.min() / 2, positive.max() * 2)  # no point on the frame
            ylabel += " (log scale)"
        else:
            ax.set_ylim(bottom=0)
        pad = pd.Timedelta(days=max(bar_width, 20.0))
        ax.set_xlim(index.min() - pad, index.max() + 2 * pad)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="best; band: low–high")
    ax.set_title(title)
    return fig
