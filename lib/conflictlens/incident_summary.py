"""An incident's row from a summary of its units, so that a delta merge (incident_state) can add new units to a kept
incident without reading its units again.

A summary holds what incidents._finish reads of an incident: its dates at their best precision, its kinds, places,
tolls, actors, articles and mentions. Two summaries combine, in any order, into the summary of their union: each
choice that _finish makes by order (the first of a tie, the first occurrence) keeps the key of the item that made it,
the item's place in a full merge's absorb order: ``(article_id, unit position in its article, item position in the
unit)``. Finishing a summary gives the row _finish gives the incident (tests compare them on generated corpora).

A summary is a dict of plain values (kept with ``marshal``):

- ``head``: the first unit's ``(article_id, position)``, ``order``: its order (the sort key of _finish);
- ``family``; ``unit_kind``: ``(priority, key, kind)``, the kind of an incident without events (absorb keeps the first
  kind of the highest priority);
- ``date``: ``(rank, start, end, key, precision)`` of the best-ranked dates, or None;
- ``kinds``: event kind → ``(count, key of its first event)``;
- ``places``: place id → key of its first mention; ``row_places``: precision rank → the place ids of a dated row →
  key of the first such row (events before casualties);
- ``figures``: ``(status, category)`` → ``(vague, best, low, high, key)`` of the best-supported figure;
- ``actors``, ``articles``, ``mentions``: sets; ``n``: the number of rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .incidents import KIND_PRIORITY, PRECISION_RANK, _single, _slug, _totals, choose_places

Summary = dict[str, Any]


def of_unit(article: str, pos: int, family: str, kind: str, order: int, dates: list, place_ids: list[str],
            actors: Any, events: list[dict], casualties: list[dict]) -> Summary:
    """The summary of one unit as incident_state keeps it: its dates ``(start, end, precision)``, its place ids, and
    what it keeps of its rows (incident_state.FINISH_FIELDS)."""
    head = (article, pos)
    date = None
    for i, d in enumerate(dates):
        if d[0] and d[2] != "unknown":
            rank = PRECISION_RANK.get(d[2], 4)
            item = (rank, d[0], d[1] or d[0], (article, pos, i), d[2])
            date = item if date is None else _better_date(date, item)
    kinds: dict[str, tuple] = {}
    row_places: dict[int, dict[tuple, tuple]] = {}
    for table, rows in ((0, events), (1, casualties)):
        for i, r in enumerate(rows):
            if table == 0:
                k = r["kind"]
                if k in kinds:
                    kinds[k] = (kinds[k][0] + 1, kinds[k][1])
                else:
                    kinds[k] = (1, (article, pos, i))
            if r.get("date_start") and r.get("places"):
                by_rank = row_places.setdefault(PRECISION_RANK.get(r.get("date_precision"), 4), {})
                by_rank.setdefault(tuple(r["places"]), (table, article, pos, i))
    figures: dict[tuple, tuple] = {}
    for i, c in enumerate(casualties):
        item = (bool(c.get("vague")), c.get("best"), c.get("low"), c.get("high"), (article, pos, i))
        k = (c["status"], c["category"])
        figures[k] = item if k not in figures else _better_figure(figures[k], item)
    places: dict[str, tuple] = {}
    for i, pid in enumerate(place_ids):
        places.setdefault(pid, (article, pos, i))
    return {
        "head": head, "order": order, "family": family,
        "unit_kind": (KIND_PRIORITY.get(kind, 0), head, kind),
        "date": date, "kinds": kinds, "places": places, "row_places": row_places, "figures": figures,
        "actors": set(actors), "articles": {article},
        "mentions": {f"events:{article}:{r['start']}-{r['end']}" for r in events}
        | {f"casualties:{article}:{r['start']}-{r['end']}" for r in casualties},
        "n": len(events) + len(casualties),
    }


def combine(a: Summary, b: Summary) -> Summary:
    """The summary of two units' (or incidents') union; ``a`` is updated and returned."""
    if b["head"] < a["head"]:
        a["head"], a["order"] = b["head"], b["order"]
    ua, ub = a["unit_kind"], b["unit_kind"]
    if ub[0] > ua[0] or (ub[0] == ua[0] and ub[1] < ua[1]):
        a["unit_kind"] = ub
    if b["date"] is not None:
        a["date"] = b["date"] if a["date"] is None else _better_date(a["date"], b["date"])
    kinds = a["kinds"]
    for k, (n, key) in b["kinds"].items():
        if k in kinds:
            kinds[k] = (kinds[k][0] + n, min(kinds[k][1], key))
        else:
            kinds[k] = (n, key)
    places = a["places"]
    for pid, key in b["places"].items():
        if pid not in places or key < places[pid]:
            places[pid] = key
    for rank, sets in b["row_places"].items():
        mine = a["row_places"].setdefault(rank, {})
        for ids, key in sets.items():
            if ids not in mine or key < mine[ids]:
                mine[ids] = key
    figures = a["figures"]
    for k, item in b["figures"].items():
        figures[k] = item if k not in figures else _better_figure(figures[k], item)
    a["actors"] |= b["actors"]
    a["articles"] |= b["articles"]
    a["mentions"] |= b["mentions"]
    a["n"] += b["n"]
    return a


def _better_date(a: tuple, b: tuple) -> tuple:
    """Dates of the better precision rank win; at one rank the span covers both, its precision the first one's."""
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    first = a if a[3] <= b[3] else b
    return (a[0], min(a[1], b[1]), max(a[2], b[2]), first[3], first[4])


def _figure_rank(f: tuple) -> tuple:
    return (not f[0], f[1] or 0, f[2] or 0)  # incidents._best_figure: exact before vague, then the highest


def _better_figure(a: tuple, b: tuple) -> tuple:
    ra, rb = _figure_rank(a), _figure_rank(b)
    if ra != rb:
        return a if ra > rb else b
    return a if a[4] <= b[4] else b  # a tie: the first mention stands, as max() keeps the first


def best_date(s: Summary) -> tuple | None:
    """``(start, end, precision)`` as Unit.best_date gives it."""
    d = s["date"]
    return (d[1], d[2], d[4]) if d is not None else None


def finish(summaries: list[Summary], places_of: Any) -> tuple[list[dict], list[str]]:
    """The incident rows of some summaries and each summary's incident id (in the order given), as incidents._finish
    makes them from the incidents' units."""
    ids: list[str] = [""] * len(summaries)
    rows: list[dict] = []
    used: set[str] = set()
    order = sorted(range(len(summaries)), key=lambda i: _sort_key(summaries[i]))
    for i in order:
        s = summaries[i]
        bd = best_date(s)
        kind = s["unit_kind"][2]
        if s["kinds"]:  # the kind most mentions give; the more specific kind on a tie; then the first mentioned
            kinds = sorted(s["kinds"], key=lambda k: s["kinds"][k][1])
            kind = max(kinds, key=lambda k: (s["kinds"][k][0], KIND_PRIORITY.get(k, 0)))
        place_list = _places(s, bd, places_of)
        mentions = sorted(s["mentions"])
        digest = hashlib.sha1("|".join(mentions).encode()).hexdigest()[:6]
        iid = f"{(bd[0] if bd else 'undated')}-{kind.replace('_', '-')}-{_slug(place_list[0].get('name') if place_list else None)}-{digest}"
        while iid in used:
            iid += "x"
        used.add(iid)
        ids[i] = iid
        figures = [{"status": st, "category": cat, "vague": f[0], "best": f[1], "low": f[2], "high": f[3]}
                   for (st, cat), f in s["figures"].items()]
        rows.append({
            "incident_id": iid,
            "kind": kind,
            "family": s["family"],
            "date_start": bd[0] if bd else None,
            "date_end": bd[1] if bd else None,
            "date_precision": bd[2] if bd else "unknown",
            "place": "; ".join(p.get("name", "") for p in place_list) or None,
            "places": [p.get("place_id") for p in place_list],
            "admin1": _single([p.get("admin1") or (p.get("name") if p.get("type") == "province" else None)
                               for p in place_list]),
            "country": _single([p.get("country") for p in place_list]),
            "latitude": place_list[0].get("latitude") if len(place_list) == 1 else None,
            "longitude": place_list[0].get("longitude") if len(place_list) == 1 else None,
            "actors": sorted(s["actors"]),
            **_totals(figures),
            "n_mentions": s["n"],
            "n_articles": len(s["articles"]),
            "article_ids": sorted(s["articles"]),
            "mentions": mentions,
        })
    return rows, ids


def _sort_key(s: Summary) -> tuple:
    bd = best_date(s)
    return (bd[0] if bd else "9999", s["head"][0], s["order"])


def _places(s: Summary, bd: tuple | None, places_of: Any) -> list[dict]:
    """incidents._incident_places from a summary."""
    if not s["places"]:
        return []
    first = sorted(s["places"], key=s["places"].get)
    found = s["row_places"].get(PRECISION_RANK.get(bd[2], 4), {}) if bd else {}
    return choose_places(sorted(found, key=found.get), dict(zip(first, places_of(first))))
