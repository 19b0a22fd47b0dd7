"""Reading for scale: ``read_tables(with_text=False)`` gives the same values as the full reading (repeating strings
as categoricals, lists as Arrow lists), and every notebook aggregation gives identical results on both."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conflictlens import analysis, paths, schema, store

# What notebooks 01-04 call on tables read without text, by name (05 quotes sentences: it reads the text).
CALLS = {
    "corpus_summary": lambda t: analysis.corpus_summary(t),
    "articles_overview": lambda t: analysis.articles_overview(t.articles),
    "counts(outlet)": lambda t: analysis.counts(t.articles, "outlet"),
    "date_kinds": lambda t: analysis.date_kinds(t.articles),
    "articles_by_period": lambda t: analysis.articles_by_period(t.articles, "month"),
    "duplicates": lambda t: analysis.duplicates(t.articles),
    "off_topic": lambda t: analysis.off_topic(t.articles),
    "left_out": lambda t: analysis.left_out(analysis.happened(t.events), "date_start", "date_precision", "week"),
    "counts_over_time": lambda t: analysis.counts_over_time(analysis.happened(t.events), "date_start",
                                                            "date_precision", "week", by="kind"),
    "counts_by_place(admin1)": lambda t: analysis.counts_by_place(t.incidents, "admin1", 50),
    "counts_by_place(place)": lambda t: analysis.counts_by_place(t.incidents, "place", 50),
    "counts_by_place(events place)": lambda t: analysis.counts_by_place(t.events, "place", 50),
    "counts_by_actor": lambda t: analysis.counts_by_actor(t.incidents, 50),
    "counts_by_actor(events)": lambda t: analysis.counts_by_actor(t.events, 50),
    "mentions_vs_incidents": lambda t: analysis.mentions_vs_incidents(t.events, t.incidents),
    "top_actors": lambda t: analysis.top_actors(t.actor_mentions, 15),
    "co_mentions": lambda t: analysis.co_mentions(t.actor_mentions, n=12),
    "co_mentions(actors)": lambda t: analysis.co_mentions(t.actor_mentions, ["ttp", "pakistan_army", "nobody"]),
    "mentions_over_time": lambda t: analysis.mentions_over_time(t.actor_mentions, t.articles, "month", 6),
    "known_places": lambda t: analysis.known_places(t.events, t.incidents),
    "casualty_figures": lambda t: analysis.casualty_figures(t.casualties, t.articles),
    "standing_figures": lambda t: analysis.standing_figures(t.casualties, t.incidents, t.articles),
    "casualty_totals": lambda t: analysis.casualty_totals(t.casualties, t.incidents, t.articles),
    "casualty_timeline": lambda t: analysis.casualty_timeline(t.casualties, t.incidents, t.articles, "month"),
    "incidents_view": lambda t: analysis.incidents_view(t.incidents),
}
# Aggregates (not rows of a table): identical down to the dtypes, not only the values.
AGGREGATES = {"counts(outlet)", "date_kinds", "articles_by_period", "counts_over_time", "counts_by_place(admin1)",
              "counts_by_place(place)", "counts_by_place(events place)", "counts_by_actor", "counts_by_actor(events)",
              "mentions_vs_incidents", "top_actors", "co_mentions", "co_mentions(actors)", "mentions_over_time",
              "casualty_totals", "casualty_timeline", "corpus_summary"}
FILTERS = [{}, {"kinds": ["attack"]}, {"start": "2023-12-01", "end": "2023-12-31"}, {"actors": ["ttp"]}]


def _cell(v: object) -> object:
    if isinstance(v, np.ndarray | list):
        return [_cell(x) for x in v]
    return None if pd.api.types.is_scalar(v) and pd.isna(v) else v


def _values(x: object) -> object:
    """A result with every column as plain Python values (categoricals, Arrow lists and NumPy arrays undone)."""
    if isinstance(x, pd.Series):
        return _values(x.to_frame("value"))
    if isinstance(x, pd.DataFrame):
        return {"columns": list(x.columns), "index": [_cell(i) for i in x.index],
                "rows": [[_cell(v) for v in row] for row in x.astype(object).itertuples(index=False)]}
    return x


def _same(full: object, lean: object, strict: bool) -> None:
    assert _values(full) == _values(lean)
    if strict and isinstance(full, pd.DataFrame):
        pd.testing.assert_frame_equal(full, lean)
    elif strict and isinstance(full, pd.Series):
        pd.testing.assert_series_equal(full, lean)


@pytest.fixture(scope="module")
def seeds_dir() -> str:
    """The seeds' results folder (extracted once, cached by the pipeline as ``analysis.load`` does)."""
    from conflictlens import pipeline

    return str(pipeline.ensure_results(str(paths.SEEDS), None, params={"vague_convention": "acled"}))


@pytest.fixture(params=["seeds", "hand-built"])
def folder(request, seeds_dir) -> str:
    return seeds_dir if request.param == "seeds" else str(request.getfixturevalue("results_dir"))


def test_lean_reading_gives_the_same_values_in_compact_columns(folder):
    full, lean = store.read_tables(folder), store.read_tables(folder, with_text=False)
    for name, df in lean.items():
        reference = getattr(full, name)
        assert list(df.columns) == [c for c in reference.columns if c in df.columns]
        assert len(df) == len(reference)
        for c in df.columns:
            assert [_cell(v) for v in df[c].astype(object)] == [_cell(v) for v in reference[c].astype(object)], c
        for c in store.categorical_columns(name, list(df.columns)):
            assert isinstance(df[c].dtype, pd.CategoricalDtype), (name, c)
            assert list(df[c].cat.categories) == sorted(df[c].cat.categories), (name, c)  # sorts as the strings do
        for c in schema.LIST_COLUMNS & set(df.columns):
            assert isinstance(df[c].dtype, pd.ArrowDtype), (name, c)
    assert lean.articles["article_id"].dtype == full.articles["article_id"].dtype  # a unique key stays a string


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "unfiltered")
@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_notebook_aggregation_is_identical_on_lean_tables(folder, call, filters):
    full = analysis.filter_tables(store.read_tables(folder), **filters)
    lean = analysis.filter_tables(store.read_tables(folder, with_text=False), **filters)
    _same(CALLS[call](full), CALLS[call](lean), strict=call in AGGREGATES)


def test_filters_give_the_same_rows_on_lean_tables(folder):
    for filters in FILTERS:
        full = analysis.filter_tables(store.read_tables(folder), **filters)
        lean = analysis.filter_tables(store.read_tables(folder, with_text=False), **filters)
        for name, df in lean.items():
            _same(getattr(full, name)[list(df.columns)], df, strict=False)


def test_unused_categories_are_not_counted(results_dir):
    lean = analysis.filter_tables(store.read_tables(results_dir, with_text=False), kinds=["armed_clash"])
    assert "attack" in lean.incidents["kind"].cat.categories  # still a category, no longer a row
    assert list(analysis.mentions_vs_incidents(lean.events, lean.incidents).index) == ["armed_clash"]
    assert "attack" not in analysis.counts(lean.incidents, "kind").index


def test_actor_lists_with_no_actor_count_as_unknown():
    lists = pd.Series([["ttp", "bla"], [], None, ["ttp"]], dtype=object)
    df = pd.DataFrame({"actors": lists.map(lambda xs: np.array(xs, dtype=object) if xs is not None else None)})
    expected = pd.Series([2, 2, 1], index=pd.Index(["(unknown)", "ttp", "bla"], dtype=object, name="actor"),
                         name="count")
    got = analysis.counts_by_actor(df)
    assert got.to_dict() == expected.to_dict() and list(got.index) == ["(unknown)", "ttp", "bla"]
