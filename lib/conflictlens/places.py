"""Place mentions: every place alias of the lexicon found longest-first in one regex pass.

An organisation's name is not a place mention: "Pakistan" in "Tehrik-e-Taliban Pakistan" or "Pakistan Army" is
matched as part of the actor's alias and dropped. A province or district in a local body's name stays a place
("Dera Ismail Khan police": the place is the news).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .lexicon import AliasIndex, Lexicon, alias_regex, normalise

# Actors whose names carry a place that is not where anything happens ("Pakistan Taliban", "Haqqani network").
_NAME_NOT_PLACE = frozenset(
    {"militant_group", "party", "igo", "person", "state", "military", "intelligence", "government_or_insurgent"}
)


@dataclass(frozen=True)
class _Matcher:
    index: AliasIndex
    place_of: dict[str, str | None]  # normalised alias -> place id (None: an actor's name that hides a place)
    rows: dict[str, tuple]  # place id -> its columns of a mention row, place_id .. longitude


def _build(lexicon: Lexicon) -> _Matcher:
    place_of: dict[str, str | None] = {}
    countries = set()
    for pid, place in lexicon.places.items():
        for alias in place["aliases"]:
            place_of[normalise(alias)] = pid
            if place["type"] == "country":
                countries.add(normalise(alias))
    probe = alias_regex(place_of)
    for actor in lexicon.actors.values():
        for alias in actor["aliases"]:
            key = normalise(alias)
            if key in place_of:
                continue
            inside = [m.group() for m in probe.finditer(key)]
            if inside and (actor["type"] in _NAME_NOT_PLACE or any(normalise(p) in countries for p in inside)):
                place_of[key] = None
    rows = {pid: (pid, p["name"], p["type"], p["admin1"], p["admin2"], p["country"], p["countries"], p["latitude"],
                  p["longitude"]) for pid, p in lexicon.places.items()}
    return _Matcher(AliasIndex(place_of), place_of, rows)


_MATCHERS: dict[str, _Matcher] = {}
_UNSEEN = object()  # a surface that is not a key of ``place_of`` as written (other apostrophes, dashes, spaces)


def _matcher(lexicon: Lexicon) -> _Matcher:
    """The compiled place index of a lexicon, built once per fingerprint."""
    m = _MATCHERS.get(lexicon.fingerprint)
    if m is None:
        m = _MATCHERS[lexicon.fingerprint] = _build(lexicon)
    return m


def find_place_mentions(text: str, spans: list[tuple[int, int]], lexicon: Lexicon) -> list[dict]:
    """Place mentions in ``text``: start, end, surface, sentence_index, place_id, name, type, admin1, admin2,
    country, countries (all countries a border region touches), latitude, longitude."""
    m = _matcher(lexicon)
    starts = [s for s, _ in spans]
    out = []
    place_of, rows = m.place_of, m.rows
    for s, e, surface in m.index.find(text):
        pid = place_of.get(surface, _UNSEEN)
        if pid is _UNSEEN:
            pid = place_of[normalise(surface)]
        if pid is None:
            continue
        place_id, name, type_, admin1, admin2, country, countries, latitude, longitude = rows[pid]
        out.append({
            "start": s, "end": e, "surface": surface,
            "sentence_index": max(bisect_right(starts, s) - 1, 0) if spans else None,
            "place_id": place_id, "name": name, "type": type_, "admin1": admin1, "admin2": admin2,
            "country": country, "countries": countries, "latitude": latitude, "longitude": longitude,
        })
    return out
