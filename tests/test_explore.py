"""Hand work: keyword in context, the sentences behind a number, the filtered view and its widgets."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from conflictlens import explore


def test_kwic_finds_whole_words_with_context(tables):
    # "killed" must not match "killings"; case does not matter.
    hits = explore.kwic(tables.articles, "KILLED", width=10)
    assert list(hits["article_id"]) == ["a1", "a2", "a2"]
    first = hits.iloc[0]
    assert (first["left"], first["keyword"], first["right"]) == ("Gunmen ", "killed", " 23 soldie")
    assert explore.kwic(tables.articles, "kill").empty and explore.kwic(tables.articles, "  ").empty
    assert len(explore.kwic(tables.articles, "killed", limit=2)) == 2


def test_sentences_behind_an_incident(tables):
    # The attack merged from two articles: four mentions, each with its own sentence.
    rows = explore.sentences_behind(tables, "i1")
    assert list(rows["table"]) == ["casualties", "casualties", "events", "events"]
    assert set(rows["article_id"]) == {"a1", "a2"}
    assert rows.iloc[1]["surface"] == "23 soldiers"
    assert rows.iloc[1]["sentence"] == "Pakistan army said 23 soldiers were killed."
    with pytest.raises(KeyError, match="i9"):
        explore.sentences_behind(tables, "i9")


def test_sentences_behind_a_total(tables):
    rows = explore.sentences_behind_total(tables, "killed", "people")
    assert list(rows["surface"]) == ["Dozens", "over 70"]
    assert len(explore.sentences_behind_total(tables, "killed")) == 4


def test_largest_incident(tables):
    assert explore.largest_incident(tables.incidents) == "i2"
    assert explore.largest_incident(tables.incidents.iloc[:0]) is None


def test_view_applies_filters_and_place(tables):
    chosen = explore.view(tables, kinds=["attack"], keyword="soldiers")
    assert list(chosen["incidents"]["incident_id"]) == ["i1"]
    assert len(chosen["events"]) == 2 and len(chosen["casualties"]) == 2
    assert len(chosen["keyword in context"]) == 2
    border = explore.view(tables, place="Kurram")  # one of the places of a multi-place incident
    assert list(border["incidents"]["incident_id"]) == ["i2"] and set(border["casualties"]["surface"]) == {
        "Dozens", "over 70"}


def test_view_on_compact_tables(results_dir):
    """The view of tables read compactly (categoricals, no texts) selects what the full reading selects."""
    from conflictlens import store

    full, compact = store.read_tables(results_dir), store.read_tables(results_dir, with_text=False)
    for filters in ({"place": "Kurram"}, {"kinds": ["attack"]}, {"actors": ["ttp"], "place": "Khyber Pakhtunkhwa"}):
        a, b = explore.view(full, **filters), explore.view(compact, **filters)
        assert list(a["incidents"]["incident_id"]) == list(b["incidents"]["incident_id"])
        assert list(a["events"]["article_id"]) == list(b["events"]["article_id"]) and "sentence" not in b["events"]
        assert list(a["casualties"]["surface"]) == list(b["casualties"]["surface"])
    assert list(explore.view(compact, place="Kurram")["incidents"]["incident_id"]) == ["i2"]
    with pytest.raises(ValueError, match="needs the articles' text"):
        explore.view(compact, keyword="soldiers")


def test_panel_offers_the_tables_values(tables):
    panel = explore.panel(tables, keyword="killed")
    rows = panel.children[:2]
    actors, kinds = rows[0].children
    place, start, end, keyword = rows[1].children
    assert actors.options == ("pakistan_army", "pakistan_gov", "ttp")
    assert kinds.options == ("armed_clash", "attack", "talks")
    assert "Kurram" not in place.options and "Dera Ismail Khan" in place.options
    assert isinstance(start, widgets.DatePicker) and keyword.value == "killed"
    out = panel.children[2]
    assert isinstance(out, widgets.Output) and len(out.outputs) == 8  # four tables, each with its heading
    assert "<b>incidents</b>: 2 rows" in out.outputs[0]["data"]["text/plain"]


def test_panel_redraws_when_a_filter_changes(tables):
    panel = explore.panel(tables)
    kinds = panel.children[0].children[1]
    kinds.value = ("attack",)
    assert "<b>incidents</b>: 1 rows" in panel.children[2].outputs[0]["data"]["text/plain"]
