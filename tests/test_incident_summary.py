"""incident_summary: an incident's row from the summaries of its units, combined in any order, is the full merge's."""

from __future__ import annotations

import copy
import random
from collections import defaultdict

import pytest

from conflictlens import incident_summary as summary
from conflictlens.incident_state import _kept, _summary
from conflictlens.incidents import Unit, _find, article_units, merge, place_lookup, unite
from conflictlens.lexicon import load_lexicon
from conflictlens.pipeline import _place_index


def _units(events, casualties, places_of):
    """Every article's units with their (article, position), in a full merge's order, and their incidents."""
    ev_rows, cas_rows = defaultdict(list), defaultdict(list)
    for i, r in enumerate(events):
        ev_rows[r["article_id"]].append(i)
    for j, r in enumerate(casualties):
        cas_rows[r["article_id"]].append(j)
    units, where = [], []
    for art in sorted(ev_rows.keys() | cas_rows.keys()):
        for k, u in enumerate(article_units(art, ev_rows[art], cas_rows[art], events, casualties, places_of)):
            units.append(u)
            where.append((art, k))
    parent = unite(units)
    return units, where, [_find(parent, i) for i in range(len(units))]


def test_summaries_combined_in_any_order_give_the_full_merges_incidents(generated_rows):
    events, casualties = generated_rows
    index = _place_index(load_lexicon())
    places_of = place_lookup(index)
    want, _, _ = merge(copy.deepcopy(events), copy.deepcopy(casualties), index)
    units, where, roots = _units(events, casualties, places_of)
    groups = defaultdict(list)
    for u, (art, pos), root in zip(units, where, roots):
        keyed = Unit(article_id=art, family=u.family, kind=u.kind, order=u.order, dates=u.dates, places=u.places,
                     actors=u.actors, events=[_kept(events[i], "events") for i in u.events],
                     casualties=[_kept(casualties[j], "casualties") for j in u.casualties])
        groups[root].append(_summary((keyed, art, pos)))
    rnd = random.Random(11)
    combined = []
    for parts in groups.values():
        rnd.shuffle(parts)
        # Combined as a delta merge does: parts of an incident first combined among themselves, then together.
        cut = rnd.randrange(len(parts) + 1)
        halves = [h for h in (parts[:cut], parts[cut:]) if h]
        whole = [_fold(h) for h in halves]
        combined.append(_fold(whole))
    got, ids = summary.finish(combined, places_of)
    assert len(got) == len(want) > 100
    assert sorted(ids) == sorted(r["incident_id"] for r in got)
    assert {r["incident_id"]: r for r in got} == {r["incident_id"]: r for r in want}
    # The corpus has what makes order matter: incidents of several units, tolls, kinds that tie.
    assert sum(1 for parts in groups.values() if len(parts) > 3) > 20


def _fold(parts):
    out = None
    for p in parts:
        out = p if out is None else summary.combine(out, p)
    return out


def _unit_summary(art, pos, kind="attack", figure=None, dates=(("2024-01-05", "2024-01-05", "day"),)):
    ev = [{"start": 10 * pos, "end": 10 * pos + 5, "kind": kind, "date_start": dates[0][0] if dates else None,
           "date_precision": dates[0][2] if dates else "unknown", "places": ("bajaur",)}]
    cas = [] if figure is None else [{"start": 10 * pos + 6, "end": 10 * pos + 9, "status": "killed",
                                      "category": "people", **figure, "date_start": None,
                                      "date_precision": "unknown", "places": ()}]
    return summary.of_unit(art, pos, "violence", kind, pos, list(dates), ["bajaur"], {"ttp"}, ev, cas)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_ties_go_to_the_first_mention_whatever_the_combining_order(order):
    parts = [
        _unit_summary("a1", 0, kind="armed_clash", figure={"best": 12.0, "low": 12.0, "high": 20.0, "vague": False}),
        _unit_summary("a2", 0, kind="attack", figure={"best": 12.0, "low": 12.0, "high": None, "vague": False}),
        _unit_summary("a3", 1, kind="airstrike", figure={"best": 12.0, "low": 10.0, "high": 40.0, "vague": True},
                      dates=(("2024-01", "2024-01", "month"),)),
    ]
    s = _fold([copy.deepcopy(parts[i]) for i in order])
    (row,), _ = summary.finish([s], place_lookup(_place_index(load_lexicon())))
    # One mention each of three kinds, armed clash and airstrike ahead of attack by priority: airstrike (80).
    assert row["kind"] == "airstrike"
    # Two exact figures of 12 tie: the first article's stands, with its high of 20.
    assert (row["killed"], row["killed_low"], row["killed_high"]) == (12.0, 12.0, 20.0)
    # The day dates beat the month one.
    assert (row["date_start"], row["date_precision"]) == ("2024-01-05", "day")
    assert row["article_ids"] == ["a1", "a2", "a3"] and row["n_mentions"] == 6
