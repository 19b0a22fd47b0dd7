"""House style and save_figure: every format, byte-identical reruns, text kept as text, no blank panels."""

from __future__ import annotations

import base64
import json

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import pytest

from conflictlens import analysis, plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _drawn(tables):
    return plots.band_timeline(analysis.casualty_timeline(tables.casualties, tables.incidents, tables.articles),
                               "Killed per month")


def test_save_figure_writes_every_format_and_a_sidecar(tmp_path, tables):
    notes = analysis.provenance(tables, "04_casualties", freq="month")
    written = plots.save_figure(_drawn(tables), "timeline", tmp_path, dpi=72, provenance=notes)
    assert [p.name for p in written] == ["timeline.png", "timeline.pdf", "timeline.svg", "timeline.json"]
    side = json.loads((tmp_path / "timeline.json").read_text())
    assert side["corpus_hash"] == "abc123" and side["notebook"] == "04_casualties"
    assert side["parameters"] == {"freq": "month"} and side["dpi"] == 72
    assert set(side["files"]) == {"timeline.png", "timeline.pdf", "timeline.svg"}


def test_same_figure_twice_gives_the_same_bytes(tmp_path, tables):
    # The hard case: pdf CreationDate, svg Date and random svg ids, png Software stamp all change between runs.
    first = plots.save_figure(_drawn(tables), "f", tmp_path / "a", dpi=72)
    second = plots.save_figure(_drawn(tables), "f", tmp_path / "b", dpi=72)
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_text_stays_text_and_no_timestamps(tmp_path, tables):
    plots.save_figure(_drawn(tables), "f", tmp_path, dpi=72)
    pdf = (tmp_path / "f.pdf").read_bytes()
    svg = (tmp_path / "f.svg").read_text()
    png = (tmp_path / "f.png").read_bytes()
    assert b"/FontFile2" in pdf and b"CreationDate" not in pdf  # TrueType embedded (fonttype 42), no date
    assert "<text" in svg and "Killed per month" in svg and "<dc:date>" not in svg
    assert b"Software" not in png and b"matplotlib" not in png.lower()


def test_unknown_format_is_refused(tmp_path, tables):
    with pytest.raises(ValueError, match="tiff"):
        plots.save_figure(_drawn(tables), "f", tmp_path, formats=["png", "tiff"])


def test_empty_data_draws_a_no_data_message_not_a_blank_axis():
    # The hard case: a filter that matches nothing must still give a figure a reader understands.
    for fig in (plots.counts_over_time(pd.DataFrame(), "Events"),
                plots.lines_over_time(pd.DataFrame(), "Mentions"),
                plots.heatmap(pd.DataFrame(), "Co-mentions"),
                plots.network(nx.Graph(), "Network"),
                plots.paired_bars(pd.DataFrame(), "Merging"),
                plots.band_timeline(pd.DataFrame(), "Casualties")):
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts == [plots.NO_DATA]


def test_widths_are_journal_columns(tables):
    fig, _ = plots.new_figure("single")
    assert fig.get_figwidth() == 3.5
    fig = plots.heatmap(analysis.co_mentions(tables.actor_mentions), "Co-mentions", width="double")
    assert fig.get_figwidth() == 7.0


def test_heatmap_shows_lower_triangle_with_article_counts_in_labels(tables):
    fig = plots.heatmap(analysis.co_mentions(tables.actor_mentions), "Co-mentions")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "pakistan army (2)" in labels and "ttp (1)" in labels


def test_timeline_marks_open_figures_and_bands(tables):
    # "over 70" has no upper bound: drawn as an "at least" marker, not a band.
    fig = _drawn(tables)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["killed (at least)"]


def test_house_style_is_seaborns_paper_theme():
    # The theme is held as rcParams so notebooks need not import seaborn; it must not drift from seaborn's.
    import seaborn as sns

    assert plots.SEABORN_THEME == {**sns.axes_style("whitegrid"), **sns.plotting_context("paper")}
    assert plots.PALETTE == sns.color_palette("colorblind").as_hex()
    plots.use_style()
    assert plt.rcParams["pdf.fonttype"] == 42 and plt.rcParams["svg.fonttype"] == "none"
    assert plt.rcParams["axes.prop_cycle"].by_key()["color"][:2] == plots.PALETTE[:2]


def test_more_categories_than_colours_are_summed_as_other():
    # Eleven kinds, ten colours: the smallest two share one "other" bar instead of reusing a colour.
    index = pd.date_range("2025-01-01", periods=2, freq="MS")
    table = pd.DataFrame({f"k{i}": [11 - i, 0] for i in range(11)}, index=index)
    fig = plots.counts_over_time(table, "Events")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [f"k{i}" for i in range(9)] + ["other"]


def test_saved_figure_displays_the_saved_png(tmp_path, tables):
    # A notebook shows the very file a paper uses, at its printed width (96 px per inch).
    saved = plots.save_figure(_drawn(tables), "f", tmp_path, formats=["svg", "png"], dpi=72)
    data, meta = saved._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]) == (tmp_path / "f.png").read_bytes()
    assert meta["image/png"]["width"] == round(json.loads((tmp_path / "f.json").read_text())["width_in"] * 96)
    assert repr(saved).startswith("saved: ") and saved[-1].name == "f.json"
    only_svg = plots.save_figure(_drawn(tables), "g", tmp_path, formats=["svg"], dpi=72)
    assert "<svg" in only_svg._repr_mimebundle_()[0]["image/svg+xml"]
