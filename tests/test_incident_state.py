"""incident_state: a merge kept between runs; merging again after adding, changing and dropping articles gives the
full merge's incidents and row ids."""

from __future__ import annotations

import copy
import json
import random

import pytest

from conflictlens.corpus import read_corpus
from conflictlens import incident_state
from conflictlens.incident_state import IncidentState, StateError, row_key
from conflictlens.incidents import merge
from conflictlens.lexicon import load_lexicon
from conflictlens.pipeline import DEFAULT_PARAMS, _place_index, extract_article


@pytest.fixture(scope="module")
def results(tmp_path_factory, generate):
    """Per article, the event and casualty rows of 250 generated records."""
    path = tmp_path_factory.mktemp("gen") / "gen.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in generate.records(250)))
    lexicon = load_lexicon()
    out = {}
    for a in read_corpus(path).articles:
        if a["topic"] == "conflict":
            r = extract_article(a, lexicon, DEFAULT_PARAMS)
            out[a["article_id"]] = {"events": r["events"], "casualties": r["casualties"]}
    return out


def _full(results, ids):
    ev = [r for a in sorted(ids) for r in copy.deepcopy(results[a]["events"])]
    ca = [r for a in sorted(ids) for r in copy.deepcopy(results[a]["casualties"])]
    return ev, ca


def _row_ids(ev, ca, ev_ids, cas_ids):
    return {(t, r["article_id"], row_key(r, t)): i for t, rows, ids in (("events", ev, ev_ids), ("casualties", ca, cas_ids))
            for r, i in zip(rows, ids)}


@pytest.mark.parametrize("min_units", [1, 2, None])
def test_delta_merge_gives_the_full_merge(results, tmp_path, monkeypatch, min_units):
    """With kept incidents extended from their summaries (all of them, those of 2 units or more, or as by default)
    and the others merged again from their units."""
    if min_units is not None:
        monkeypatch.setattr(incident_state, "SUMMARY_MIN_UNITS", min_units)
    index = _place_index(load_lexicon())
    ids = sorted(results)
    rnd = random.Random(3)
    added = set(rnd.sample(ids, 20))
    dropped = set(rnd.sample(sorted(set(ids) - added), 6))
    changed = set(rnd.sample(sorted(set(ids) - added - dropped), 6))
    before = set(ids) - added

    ev, ca = _full(results, before)
    with IncidentState(tmp_path) as state:
        incidents, ev_ids, cas_ids = merge(ev, ca, index, keep=state)
    current = {r["incident_id"]: r for r in incidents}
    row_ids = _row_ids(ev, ca, ev_ids, cas_ids)

    with IncidentState(tmp_path) as state:  # a later run opens the kept state
        delta = state.delta(
            dropped | changed, {a: copy.deepcopy(results[a]) for a in added | changed}, index, lambda: set(current))
    for iid in delta.dropped:
        del current[iid]
    current.update({r["incident_id"]: r for r in delta.incidents})
    row_ids = delta.row_ids({k: v for k, v in row_ids.items() if k[1] not in dropped | changed})
    for a in added | changed:  # an added article's rows that form no unit (negated, generic...) have no incident
        for t in ("events", "casualties"):
            for r in results[a][t]:
                row_ids.setdefault((t, a, row_key(r, t)), None)

    ev, ca = _full(results, set(ids) - dropped)
    want, want_ev, want_cas = merge(ev, ca, index)
    assert current == {r["incident_id"]: r for r in want}
    assert row_ids == _row_ids(ev, ca, want_ev, want_cas)
    # Only what the change touched was merged again; kept incidents that only gained units were extended whole.
    if min_units is not None:
        assert delta.incidents_extended > 0 and delta.ids
    assert 0 < delta.units_merged < sum(len(r["events"]) + len(r["casualties"]) for r in results.values()) / 4
    assert len(delta.dropped) < len(current) / 4


def test_rows_sharing_a_key_leave_no_usable_state(tmp_path):
    row = {"article_id": "a1", "start": 0, "end": 6, "kind": "attack", "family": "violence", "sentence_index": 0,
           "date_start": "2025-01-02", "date_end": "2025-01-02", "date_precision": "day", "places": ["bannu"],
           "actors": [], "negated": False, "hypothetical": False, "generic": False}
    index = _place_index(load_lexicon())
    with IncidentState(tmp_path) as state:
        merge([dict(row), dict(row, sentence_index=1)], [], index, keep=state)
        with pytest.raises(StateError, match="two rows of one article"):
            state.delta(set(), {}, index, set)


def test_no_kept_state_is_no_delta(tmp_path):
    """A state folder whose incident state went (or is of another version) cannot serve a delta merge."""
    with IncidentState(tmp_path) as state, pytest.raises(StateError, match="no incident state"):
        state.delta({"a1"}, {}, _place_index(load_lexicon()), set)
