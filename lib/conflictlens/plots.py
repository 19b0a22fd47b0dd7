"""The house style of every figure, the charts the notebooks draw, and ``save_figure``.

One look for papers: seaborn's ``paper`` context and ``whitegrid`` style with its colour-blind-safe palette, sized
to be read at 3.5 in (single column) and 7 in (double column). The theme is held here as the rcParams seaborn sets
(``SEABORN_THEME``, ``PALETTE``; tests/test_plots.py checks they still equal seaborn's), so a notebook applies it
without importing seaborn and the scipy it pulls in: two seconds saved in every kernel of the batch run.
Figures are saved as png, pdf and svg with text kept as text and no timestamps, so the same inputs give the same
bytes; each gets a JSON sidecar saying how it was made.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cycler
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

from . import __version__

if TYPE_CHECKING:
    import networkx as nx

WIDTHS = {"single": 3.5, "double": 7.0}  # inches: a journal's column and page width
FORMATS = ("png", "pdf", "svg")
NO_DATA = "no data for these filters"

# seaborn.color_palette("colorblind"): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133",
           "#56b4e9"]
# {**seaborn.axes_style("whitegrid"), **seaborn.plotting_context("paper")}, seaborn 0.13.
SEABORN_THEME = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.facecolor": "white", "axes.grid": True,
    "axes.labelcolor": ".15", "axes.labelsize": 9.600000000000001, "axes.linewidth": 1.0,
    "axes.spines.bottom": True, "axes.spines.left": True, "axes.spines.right": True, "axes.spines.top": True,
    "axes.titlesize": 9.600000000000001, "figure.facecolor": "white", "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 9.600000000000001, "grid.color": ".8", "grid.linestyle": "-", "grid.linewidth": 0.8,
    "image.cmap": "rocket", "legend.fontsize": 8.8, "legend.title_fontsize": 9.600000000000001,
    "lines.linewidth": 1.2000000000000002, "lines.markersize": 4.800000000000001, "lines.solid_capstyle": "round",
    "patch.edgecolor": "w", "patch.force_edgecolor": True, "patch.linewidth": 0.8, "text.color": ".15",
    "xtick.bottom": False, "xtick.color": ".15", "xtick.direction": "out", "xtick.labelsize": 8.8,
    "xtick.major.size": 4.800000000000001, "xtick.major.width": 1.0, "xtick.minor.size": 3.2,
    "xtick.minor.width": 0.8, "xtick.top": False, "ytick.color": ".15", "ytick.direction": "out",
    "ytick.labelsize": 8.8, "ytick.left": False, "ytick.major.size": 4.800000000000001, "ytick.major.width": 1.0,
    "ytick.minor.size": 3.2, "ytick.minor.width": 0.8, "ytick.right": False,
}
# The house changes to that theme: sizes for a 3.5 in column, fixed fonts, text kept as text, no random ids.
RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine (not Arial if present)
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "axes.titlelocation": "left",
    "image.cmap": "Blues",  # sequential, colour-blind safe, and built into matplotlib
    "figure.dpi": 100,  # fixed here: a kernel's inline backend would otherwise change layout rounding
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
    """Apply the house style (seaborn's paper theme and colour-blind palette, fonts legible at column width)."""
    plt.rcParams.update({**SEABORN_THEME, "axes.prop_cycle": cycler(color=PALETTE), **RC})


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

    def __repr__(self) -> str:
        return "saved: " + ", ".join(str(p) for p in self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        files = {path.suffix: path for path in self}
        if ".png" in files:
            data = base64.b64encode(files[".png"].read_bytes()).decode("ascii")
            return {"image/png": data}, {"image/png": {"width": self.width_px}}
        if ".svg" in files:
            return {"image/svg+xml": files[".svg"].read_text(encoding="utf-8")}, {}
        return {"text/plain": repr(self)}, {}


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
        **(provenance or {}),
    }
    side = out / f"{name}.json"
    side.write_text(json.dumps(sidecar, indent=2, sort_keys=True, default=str) + "\n")
    return SavedFigure([*paths, side], width)


def _colours(n: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


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
    """Stacked bars of a period × category count table (index = period start dates, columns = categories,
    largest first); beyond the palette's ten colours the smallest categories are summed as "other"."""
    fig, ax = new_figure(width, aspect=0.4)
    if table.empty or table.to_numpy().sum() == 0:
        no_data(ax)
    else:
        if len(table.columns) > len(PALETTE):
            keep = list(table.columns[: len(PALETTE) - 1])
            table = table[keep].assign(other=table.drop(columns=keep).sum(axis=1))
        bar_width = _date_axis(ax, table.index)
        bottom = np.zeros(len(table))
        for colour, column in zip(_colours(len(table.columns)), table.columns):
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
    """Grouped horizontal bars: one group per row of ``table`` (first row at the top), one bar per column."""
    n = max(len(table), 1)
    fig, ax = new_figure(width, aspect=min(0.3 + 0.1 * n, 1.4))
    if table.empty or table.to_numpy().sum() == 0:
        no_data(ax)
    else:
        y = np.arange(len(table))[::-1]
        height = 0.85 / len(table.columns)
        for k, (colour, column) in enumerate(zip(_colours(len(table.columns)), table.columns)):
            ax.barh(y + 0.425 - height * (k + 0.5), table[column].to_numpy(), height=height, color=colour,
                    label=_label(column))
        ax.set_yticks(y, [_label(i) for i in table.index])
        ax.set_xlabel(xlabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", visible=False)
        ax.legend(frameon=False, loc="lower right")
    ax.set_title(title)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, width: str = "single", unit: str = "articles") -> plt.Figure:
    """A symmetric count matrix (e.g. actor co-mentions) as its lower triangle, each cell annotated; row labels
    carry the diagonal (the actor's own count)."""
    fig, ax = new_figure(width, aspect=0.92)
    off = matrix.to_numpy().copy()
    off[np.triu_indices_from(off)] = 0
    if matrix.empty or off.sum() == 0:
        no_data(ax)
    else:
        n, top = len(matrix), int(off.max())
        shown = np.ma.masked_where(np.triu(np.ones_like(off, dtype=bool)), off)
        image = ax.imshow(shown, vmin=0, vmax=top, cmap=RC["image.cmap"])
        for i, j in zip(*np.tril_indices(n, -1)):
            ax.text(j, i, str(off[i, j]), ha="center", va="center", fontsize=6,
                    color="white" if off[i, j] > top * 0.6 else ".15")
        ax.set_xticks(range(n), [_label(c) for c in matrix.columns], rotation=90)
        ax.set_yticks(range(n), [f"{_label(i)} ({matrix.at[i, i]})" for i in matrix.index])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = fig.colorbar(image, ax=ax, shrink=0.5, label=f"{unit} shared")
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
        bar.outline.set_visible(False)
    ax.set_title(title)
    return fig


def network(graph: nx.Graph, title: str, width: str = "single") -> plt.Figure:
    """A weighted graph in a deterministic layout (seeded spring layout): node size = node
    ``weight``, edge width and darkness = edge ``weight``; labels on a white backing so edges never hide them."""
    fig, ax = new_figure(width, aspect=0.9)
    if graph.number_of_edges() == 0:
        no_data(ax)
    else:
        import networkx as nx  # here: only the actor notebook draws a network

        # Seeded, unweighted spring layout: the same picture on a rerun, and heavy ties do not pile the hubs up.
        pos = nx.spring_layout(graph, seed=7, weight=None, k=2.0 / np.sqrt(graph.number_of_nodes()), iterations=200)
        weights = np.array([d["weight"] for _, _, d in graph.edges(data=True)], dtype=float)
        share = weights / weights.max()
        nx.draw_networkx_edges(graph, pos, ax=ax, width=0.4 + 2.2 * share,
                               edge_color=[(0.35, 0.35, 0.35, 0.15 + 0.6 * w) for w in share])
        sizes = np.array([graph.nodes[n].get("weight", 1) for n in graph.nodes], dtype=float)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=30 + 220 * sizes / sizes.max(),
                               node_color=[PALETTE[0]], linewidths=0.5, edgecolors="white")
        for node, (x, y) in pos.items():
            ax.annotate(_label(node), (x, y), xytext=(0, 5), textcoords="offset points", ha="center", va="bottom",
                        fontsize=6, bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.4})
        xs, ys = zip(*pos.values())
        ax.set_xlim(min(xs) - 0.4, max(xs) + 0.4)  # room for a long label on an outer node
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
        for k, (colour, name) in enumerate(zip(_colours(len(series)), series)):
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
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # 1,000 rather than $10^3$
            ax.yaxis.set_minor_formatter(NullFormatter())
            ylabel += " (log scale)"
        else:
            ax.set_ylim(bottom=0)
        pad = pd.Timedelta(days=max(bar_width, 20.0))
        ax.set_xlim(index.min() - pad, index.max() + 2 * pad)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="best; band: low–high")
    ax.set_title(title)
    return fig
