"""Merge mentions of one happening, within and across articles, into incidents, keeping every source.

A unit is one event mention (not negated, not hypothetical, not generic) with the casualty figures of its sentence,
or a casualty figure that no event names ("tensions that have already killed dozens this month"). Units merge when
their kinds are of one family, their dates and places are compatible and (across articles) their actors overlap.
An incident's kind is the one most of its mentions give. An incident's toll per status and category is its best-supported figure, never the sum of repeated mentions: exact
figures beat vague ones, and among them the highest stands ("dozens" and "over 70" of the same month are one toll: 70).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import yaml

from . import paths

STATUS_FAMILIES = {"killed": ("targeted_killing", "violence"), "injured": ("violence",),
                   "kidnapped": ("abduction",), "arrested": ("arrest",)}
STATUS_DEFAULT_KIND = {"killed": "attack", "injured": "attack", "kidnapped": "abduction", "arrested": "arrest"}
# Each kind's family and priority, from the package's events lexicon (one source for the extractor and the merge).
_KINDS = yaml.safe_load((paths.LEXICON / "events.yaml").read_text(encoding="utf-8"))["kinds"]
KIND_FAMILY = {kind: spec["family"] for kind, spec in _KINDS.items()}
KIND_PRIORITY = {kind: int(spec["priority"]) for kind, spec in _KINDS.items()}


@contextmanager
def lexicon_kinds(kinds: dict[str, dict]) -> Iterator[None]:
    """The merge's kind families and priorities taken from a run's events lexicon for the time of the block: a
    ``--lexicon`` folder may add kinds or change their priorities (a kind the tables do not know would rank 0).
    Restored afterwards, so one process may run with several lexicons in turn."""
    saved = dict(KIND_FAMILY), dict(KIND_PRIORITY)
    KIND_FAMILY.update({kind: spec["family"] for kind, spec in kinds.items()})
    KIND_PRIORITY.update({kind: int(spec.get("priority", 0)) for kind, spec in kinds.items()})
    try:
        yield
    finally:
        for table, old in zip((KIND_FAMILY, KIND_PRIORITY), saved):
            table.clear()
            table.update(old)


PRECISION_RANK = {"day": 0, "approximate": 1, "month": 2, "year": 3, "unknown": 4}
SPECIFICITY = {"village": 0, "town": 0, "crossing": 0, "tehsil": 0, "city": 1, "district": 1, "agency": 1,
               "province": 2, "region": 3, "border": 3, "country": 4}
APPROXIMATE_DAYS = 3
CROSS_ARTICLE_FAMILIES = {"violence", "targeted_killing", "abduction", "arrest", "negotiation", "expulsion",
                          "border_closure"}


def date_interval(start: str | None, end: str | None, precision: str | None) -> tuple[date, date] | None:
    """The days an ISO date of a given precision may mean."""
    if not start or precision in (None, "unknown"):
        return None
    try:
        if len(start) == 4:
            lo, hi = date(int(start), 1, 1), date(int(start), 12, 31)
        elif len(start) == 7:
            y, m = int(start[:4]), int(start[5:7])
            lo, hi = date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        else:
            lo = date.fromisoformat(start[:10])
            hi = date.fromisoformat((end or start)[:10]) if end and len(end) >= 10 else lo
            if precision == "approximate":
                lo, hi = lo - timedelta(days=APPROXIMATE_DAYS), hi + timedelta(days=APPROXIMATE_DAYS)
        if end and len(end) == 7 and len(start) == 7 and end != start:
            y, m = int(end[:4]), int(end[5:7])
            hi = date(y, m, calendar.monthrange(y, m)[1])
        return lo, hi
    except ValueError:
        return None


@dataclass(slots=True)
class Unit:
    """A mention group on its way to an incident (slotted: a big corpus holds millions)."""

    article_id: str
    family: str
    kind: str
    order: int                      # position in the article (sentence index) for "nearest preceding"
    dates: list[tuple] = field(default_factory=list)   # (start, end, precision)
    places: list[dict] = field(default_factory=list)   # place dicts: name, type, admin1, country, place_id, lat, lon
    actors: set = field(default_factory=set)
    events: list[int] = field(default_factory=list)    # row indices into the events list
    casualties: list[int] = field(default_factory=list)
    articles: set = field(default_factory=set)
    _dated: tuple | None = field(default=None, repr=False, compare=False)  # (best_date, interval) until absorb

    def best_date(self) -> tuple | None:
        if self._dated is None:
            bd = self._best_date()
            self._dated = (bd, date_interval(*bd) if bd else None)
        return self._dated[0]

    def interval(self) -> tuple[date, date] | None:
        self.best_date()
        return self._dated[1]

    def _best_date(self) -> tuple | None:
        dated = [d for d in self.dates if d[0] and d[2] != "unknown"]
        if not dated:
            return None
        rank = min(PRECISION_RANK.get(d[2], 4) for d in dated)
        top = [d for d in dated if PRECISION_RANK.get(d[2], 4) == rank]
        return (min(d[0] for d in top), max((d[1] or d[0]) for d in top), top[0][2])

    def absorb(self, other: "Unit") -> None:
        self._dated = None
        self.dates += other.dates
        self.places += other.places
        self.actors |= other.actors
        self.events += other.events
        self.casualties += other.casualties
        self.articles |= other.articles
        if KIND_PRIORITY.get(other.kind, 0) > KIND_PRIORITY.get(self.kind, 0):
            self.kind = other.kind


def _place_key(p: dict) -> tuple:
    return (p.get("place_id"), p.get("admin1"), p.get("country"))


def places_compatible(a: list[dict], b: list[dict]) -> bool:
    """Unknown is compatible with anything; otherwise some place of one must contain or equal some place of the other."""
    if not a or not b:
        return True
    for p in a:
        for q in b:
            if p.get("place_id") == q.get("place_id"):
                return True
            if _contains(p, q) or _contains(q, p):
                return True
    return False


def _countries(p: dict) -> set:
    c = p.get("countries") or ([p["country"]] if p.get("country") else [])
    return set(c)


def _contains(big: dict, small: dict) -> bool:
    bt, st = big.get("type"), small.get("type")
    if SPECIFICITY.get(bt, 2) <= SPECIFICITY.get(st, 2) and bt not in ("region", "border"):
        return False
    if bt == "country":
        return st not in ("country", "region", "border") and big.get("country") is not None \
            and _countries(small) == {big.get("country")}
    if bt == "province":
        return small.get("admin1") == big.get("name") or small.get("admin1") == big.get("admin1") and small.get("admin1")
    if bt in ("region", "border"):
        return bool(_countries(big) & _countries(small)) and st in ("country", "region", "border", "district", "city",
                                                                   "crossing", "agency", "village", "town")
    if bt in DISTRICT_TYPES:  # a town, village or crossing of the district: "Parachinar" is in "Kurram"
        return _district_key(big) is not None and _district_key(big) == _district_key(small)
    return False


DISTRICT_TYPES = ("district", "agency")


def _district_key(p: dict) -> tuple | None:
    """(country, admin1, admin2) of a place that names its district (admin2), else None."""
    return (p.get("country"), p.get("admin1"), p["admin2"]) if p.get("admin2") and p.get("admin1") else None


def _dates_compatible(a: Unit, b: Unit, strict: bool) -> bool:
    ia, ib = a.interval(), b.interval()
    if ia is None or ib is None:
        return not strict
    if ia[0] > ib[1] or ib[0] > ia[1]:
        return False
    if strict:
        # Across articles: one precision (an approximate date is never filed there: see filing), and for days the
        # same last day. "In Doha on October 18-19" and "on October 19" are one happening; two-day ranges of
        # consecutive days are not, and linking every overlap chained daily reports of one place into incidents of
        # months (a generated 100,000-record corpus had one of 10,457 articles over 601 days). The cost: the report
        # of a happening's first day stays apart from the reports of its whole span.
        pa = a.best_date()[2]
        if pa != b.best_date()[2]:
            return False
        return pa != "day" or ia[1] == ib[1]
    # Within an article, a month or a year is not a day of it: "Earlier this month, security forces killed 54
    # militants" is not the operation of Wednesday that the article reports.
    return (a.best_date()[2] in COARSE_PRECISIONS) == (b.best_date()[2] in COARSE_PRECISIONS)


COARSE_PRECISIONS = ("month", "year")


def _slug(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (s or "unknown").lower()).strip("-")[:40] or "unknown"


def _best_figure(rows: list[dict]) -> dict:
    """The best-supported figure among mentions of one toll: exact before vague, then the highest."""
    return max(rows, key=lambda r: (not r.get("vague"), r.get("best") or 0, r.get("low") or 0))


def merge(events: list[dict], casualties: list[dict], place_index: dict[str, dict] | None = None,
          keep: Any = None) -> tuple[list[dict], list[str | None], list[str | None]]:
    """Merge event and casualty mentions (each with article_id) into incidents.

    Returns (incident rows, incident_id per event row, incident_id per casualty row).
    ``place_index`` maps place ids to place records (type, admin1, country, countries, lat, lon). ``keep``, when
    given, is told the units and their incidents (:class:`~conflictlens.incident_state.IncidentState`), so that a
    later run can merge again only the incidents its changed articles touch.
    """
    places_of = place_lookup(place_index)
    # Article by article (its rows in row order): units built, then merged within the article, so memory holds one
    # article's units at a time besides every article's merged units.
    ev_rows: dict[str, list[int]] = defaultdict(list)
    for i, ev in enumerate(events):
        ev_rows[ev["article_id"]].append(i)
    cas_rows: dict[str, list[int]] = defaultdict(list)
    for j, c in enumerate(casualties):
        cas_rows[c["article_id"]].append(j)
    merged: list[Unit] = []
    for art in sorted(ev_rows.keys() | cas_rows.keys()):
        merged.extend(article_units(art, ev_rows.get(art, ()), cas_rows.get(art, ()), events, casualties, places_of))
    del ev_rows, cas_rows

    parent = unite(merged)
    roots = [_find(parent, idx) for idx in range(len(merged))]
    if keep is not None:
        keep.record_units(merged, roots, events, casualties)
    groups: dict[int, Unit] = {}
    for idx, root in enumerate(roots):
        if root in groups:
            groups[root].absorb(merged[idx])
        else:
            groups[root] = merged[idx]
    out = _finish(list(groups.values()), events, casualties)
    if keep is not None:
        keep.record_ids({root: _incident_of(u, out[1], out[2]) for root, u in groups.items()})
    return out


def place_lookup(place_index: dict[str, dict] | None) -> Any:
    """Place ids → place records (an id the index does not know stands for itself)."""
    place_index = place_index or {}

    def places_of(ids: list[str]) -> list[dict]:
        return [place_index.get(pid) or {"place_id": pid, "name": pid} for pid in (ids or [])]

    return places_of


def article_units(art: str, ev_rows, cas_rows, events: list, casualties: list, places_of) -> list[Unit]:
    """One article's units, merged within the article (its rows in row order)."""
    return _merge_within(_article_units(art, ev_rows, cas_rows, events, casualties, places_of))


def filing(u: Unit) -> tuple[list[tuple], set, set] | None:
    """Where a unit meets units of other articles: (periods, keys it is filed under, keys it probes); None for a
    unit that merges across articles with none: undated, unplaced, of a family that stays within articles, or dated
    only approximately.

    An approximate date (a relative date on an inferred writing date, "last week", or the day of the report when the
    sentence names no other) spans a week. Across articles, such units would chain: each overlaps units of several
    days, which then form one incident, and on a corpus covering a place every day, one "incident" ran over years
    (a generated 10,000-record corpus had 84 incidents spanning more than a week, one over 253 days; none since).
    Within its article, an approximately dated mention still joins the happening it reports (_merge_within). For the
    same reason, day-dated units meet across articles only on their last day (_dates_compatible)."""
    iv = u.interval()
    if u.family not in CROSS_ARTICLE_FAMILIES or iv is None or not u.places or u.best_date()[2] == "approximate":
        return None
    files, probes = _unit_keys(u.places)
    return _periods(u.family, u.best_date()[2], iv), files, probes


def compatible(u: Unit, v: Unit) -> bool:
    """Whether units of two articles may name one happening: dates that overlap at one precision, compatible places,
    overlapping actors (or none known)."""
    return (_dates_compatible(u, v, strict=True) and places_compatible(u.places, v.places)
            and (not u.actors or not v.actors or bool(u.actors & v.actors)))


def unite(merged: list[Unit]) -> list[int]:
    """The union-find parents of units across articles.

    Dated, placed units of one family can merge only if their dates overlap and are both day-fine or of one
    precision, and their places are compatible, so each unit is filed under every day (month, year) its dates
    cover and under its places' keys, and compared only with the units filed under the same day and a key it probes
    (_unit_keys): the merge grows with the units of one day and place, never with all pairs. The incidents are the
    groups of compatible units, whatever order the pairs are compared in.
    """
    buckets: dict[tuple, list[int]] = defaultdict(list)
    parent = list(range(len(merged)))
    for idx, u in enumerate(merged):
        where = filing(u)
        if where is None:
            continue
        periods, files, probes = where
        compared: set[int] = set()
        for period in periods:
            for key in probes:
                for other in buckets.get((period, key), ()):
                    if other in compared:
                        continue
                    compared.add(other)
                    v = merged[other]
                    if _find(parent, other) == _find(parent, idx) or v.articles & u.articles:
                        continue
                    if compatible(u, v):
                        parent[_find(parent, idx)] = _find(parent, other)
            for key in files:
                buckets[(period, key)].append(idx)
    return parent


def _find(parent: list[int] | dict, x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _incident_of(u: Unit, ev_ids: list[str | None], cas_ids: list[str | None]) -> str | None:
    return ev_ids[u.events[0]] if u.events else cas_ids[u.casualties[0]] if u.casualties else None


def _article_units(art: str, ev_rows, cas_rows, events: list, casualties: list, places_of) -> list[Unit]:
    """One article's units: each event mention (not negated, hypothetical or generic), then each casualty figure
    no event of its sentence and family takes."""
    units: list[Unit] = []
    ev_by_sentence: dict[Any, list[int]] = defaultdict(list)
    for i in ev_rows:
        ev = events[i]
        if ev.get("negated") or ev.get("hypothetical") or ev.get("generic"):
            continue
        fam = ev.get("family") or KIND_FAMILY.get(ev["kind"], ev["kind"])
        units.append(Unit(article_id=art, family=fam, kind=ev["kind"], order=ev.get("sentence_index") or 0,
                          dates=[(ev.get("date_start"), ev.get("date_end"), ev.get("date_precision"))]
                          if ev.get("date_start") else [],
                          places=places_of(ev.get("places")), actors=set(ev.get("actors") or []), events=[i],
                          articles={art}))
        ev_by_sentence[ev.get("sentence_index")].append(len(units) - 1)
    for j in cas_rows:
        c = casualties[j]
        fams = STATUS_FAMILIES.get(c["status"], ("violence",))
        candidates = [units[k] for k in ev_by_sentence.get(c.get("sentence_index"), [])]
        candidates = [u for u in candidates if u.family in fams]
        if candidates:
            candidates.sort(key=lambda u: fams.index(u.family))
            candidates[0].casualties.append(j)
            continue
        person_killed = c["status"] == "killed" and c.get("victim_is_person")
        units.append(Unit(article_id=art, family=fams[0] if person_killed else fams[-1],
                          kind="targeted_killing" if person_killed else STATUS_DEFAULT_KIND[c["status"]],
                          order=c.get("sentence_index") or 0,
                          dates=[(c.get("date_start"), c.get("date_end"), c.get("date_precision"))]
                          if c.get("date_start") else [],
                          places=places_of(c.get("places")), casualties=[j], articles={art}))
    return units


def _merge_within(units: list[Unit]) -> list[Unit]:
    """Within an article: dated units merge when compatible; undated ones join the nearest dated unit of their
    family."""
    merged: list[Unit] = []
    by_family: dict[str, list[Unit]] = defaultdict(list)
    for u in sorted(units, key=lambda u: u.order):
        by_family[u.family].append(u)
    for fam, group in by_family.items():
        dated = [u for u in group if u.interval() is not None]
        undated = [u for u in group if u.interval() is None]
        reps: list[Unit] = []
        for u in dated:
            for r in reps:
                if _dates_compatible(r, u, strict=False) and places_compatible(r.places, u.places):
                    r.absorb(u)
                    r.order = min(r.order, u.order)
                    break
            else:
                reps.append(u)
        for u in undated:
            target = _nearest(reps, u)
            if target is not None:
                target.absorb(u)
            else:
                for r in [x for x in reps if x.interval() is None]:
                    if places_compatible(r.places, u.places):
                        r.absorb(u)
                        break
                else:
                    reps.append(u)
        merged.extend(reps)
    return merged

def _place_keys(p: dict) -> tuple[set, set]:
    """Keys a place is filed under and keys it probes, such that two compatible places (places_compatible: equal,
    or one containing the other) always have a probe of each among the files of the other: equal ids meet on
    ``id``; a country or region and a place of its country on ``c`` and ``top``; a province and a place in it on
    ``in`` and ``prov``. Places of different provinces never meet but through a country-level place."""
    pid, kind = p.get("place_id"), p.get("type")
    countries = _countries(p)
    files, probes = {("id", pid)}, {("id", pid)}
    probes |= {("top", c) for c in countries}
    if kind in ("country", "region", "border"):
        files |= {("top", c) for c in countries}
        probes |= {("c", c) for c in countries}
    else:
        files |= {("c", c) for c in countries}
    if p.get("admin1"):
        files.add(("in", p["admin1"]))
        probes.add(("prov", p["admin1"]))
    district = _district_key(p)
    if district is not None and kind in DISTRICT_TYPES:
        files.add(("district", district))
        probes.add(("in_district", district))
    elif district is not None and SPECIFICITY.get(kind, 2) < SPECIFICITY["district"]:
        files.add(("in_district", district))
        probes.add(("district", district))
    if kind == "province":
        names = {p.get("name"), p.get("admin1")} - {None}
        files |= {("prov", n) for n in names}
        probes |= {("in", n) for n in names}
    return files, probes


def _unit_keys(places: list[dict]) -> tuple[set, set]:
    files: set = set()
    probes: set = set()
    for p in places:
        f, q = _place_keys(p)
        files |= f
        probes |= q
    return files, probes


def _periods(family: str, precision: str, iv: tuple[date, date]) -> list[tuple]:
    """The buckets a unit is filed under: the last day of its dates (day precision), else each month (month precision)
    or year they cover; units of different buckets cannot be compatible (see _dates_compatible)."""
    lo, hi = iv
    if precision == "day":
        return [(family, "day", hi)]
    if precision == "month":
        return [(family, "month", y, m) for y in range(lo.year, hi.year + 1) for m in range(1, 13)
                if (lo.year, lo.month) <= (y, m) <= (hi.year, hi.month)]
    return [(family, precision, y) for y in range(lo.year, hi.year + 1)]


def _nearest(reps: list[Unit], u: Unit) -> Unit | None:
    dated = [r for r in reps if r.interval() is not None and places_compatible(r.places, u.places)]
    if not dated:
        return None
    before = [r for r in dated if r.order <= u.order]
    pool = before or dated
    return min(pool, key=lambda r: abs(u.order - r.order))


def _finish(units: list[Unit], events: list[dict], casualties: list[dict]):
    ev_ids: list[str | None] = [None] * len(events)
    cas_ids: list[str | None] = [None] * len(casualties)
    rows: list[dict] = []
    used: set[str] = set()
    no_toll = _totals([])
    for u in sorted(units, key=lambda u: (u.best_date() or ("9999",))[0:1] + (min(u.articles), u.order)):
        bd = u.best_date()
        kinds = Counter(events[i]["kind"] for i in u.events)
        if kinds:  # the kind most mentions give; the more specific kind on a tie
            u.kind = max(kinds, key=lambda k: (kinds[k], KIND_PRIORITY.get(k, 0)))
        place_list = _incident_places(u, events, casualties)
        mentions = sorted({f"events:{events[i]['article_id']}:{events[i]['start']}-{events[i]['end']}" for i in u.events}
                          | {f"casualties:{casualties[j]['article_id']}:{casualties[j]['start']}-{casualties[j]['end']}"
                             for j in u.casualties})
        digest = hashlib.sha1("|".join(mentions).encode()).hexdigest()[:6]
        name = "; ".join(p.get("name", "") for p in place_list) or None
        iid = f"{(bd[0] if bd else 'undated')}-{u.kind.replace('_', '-')}-{_slug(place_list[0].get('name') if place_list else None)}-{digest}"
        while iid in used:
            iid += "x"
        used.add(iid)
        for i in u.events:
            ev_ids[i] = iid
        for j in u.casualties:
            cas_ids[j] = iid
        totals = _totals([casualties[j] for j in u.casualties]) if u.casualties else no_toll
        rows.append({
            "incident_id": iid,
            "kind": u.kind,
            "family": u.family,
            "date_start": bd[0] if bd else None,
            "date_end": bd[1] if bd else None,
            "date_precision": bd[2] if bd else "unknown",
            "place": name,
            "places": [p.get("place_id") for p in place_list],
            "admin1": _single([p.get("admin1") or (p.get("name") if p.get("type") == "province" else None) for p in place_list]),
            "country": _single([p.get("country") for p in place_list]),
            "latitude": place_list[0].get("latitude") if len(place_list) == 1 else None,
            "longitude": place_list[0].get("longitude") if len(place_list) == 1 else None,
            "actors": sorted(u.actors),
            **totals,
            "n_mentions": len(u.events) + len(u.casualties),
            "n_articles": len(u.articles),
            "article_ids": sorted(u.articles),
            "mentions": mentions,
        })
    return rows, ev_ids, cas_ids


def _incident_places(u: Unit, events: list[dict], casualties: list[dict]) -> list[dict]:
    """The places of the best-dated mentions: one list if they agree, the place enclosing them all if there is one;
    with no dated place, the most specific places mentioned."""
    if not u.places:
        return []
    by_id = {p.get("place_id"): p for p in u.places}
    bd = u.best_date()
    lists = []
    if bd:
        rank = PRECISION_RANK.get(bd[2], 4)
        rows = [events[i] for i in u.events] + [casualties[j] for j in u.casualties]
        lists = [r["places"] for r in rows if r.get("date_start") and r.get("places")
                 and PRECISION_RANK.get(r.get("date_precision"), 4) == rank]
    return choose_places(lists, by_id)


def choose_places(place_lists: Iterable[Sequence[str]], by_id: dict[str, dict]) -> list[dict]:
    """An incident's places from the place-id lists of its best-dated rows, in row order (``by_id``: the incident's
    places by id, in order of first mention; ids it does not hold are left out of the lists): one list if they agree,
    the place enclosing them all if there is one, else the first list; with no list, the most specific places."""
    sets: list[list[str]] = []
    for raw in place_lists:
        ids = [pid for pid in raw if pid in by_id]
        if ids and ids not in sets:
            sets.append(ids)
    if len(sets) == 1:
        return [by_id[k] for k in sets[0]]
    if sets:
        union = [by_id[k] for k in dict.fromkeys(k for ids in sets for k in ids)]
        for p in union:
            if all(q is p or _contains(p, q) for q in union):
                return [p]
        return [by_id[k] for k in sets[0]]
    top = min(SPECIFICITY.get(p.get("type"), 2) for p in by_id.values())
    return [p for p in by_id.values() if SPECIFICITY.get(p.get("type"), 2) == top]


def _single(values: list):
    vals = {v for v in values if v}
    return vals.pop() if len(vals) == 1 else None


def _totals(rows: list[dict]) -> dict:
    """Best-supported toll per status and category, then the incident's totals.

    "people" is the press's mixed or unknown category, and it may include the others ("26 people, including 14
    soldiers"): the total is the larger of "people" and the sum of the named categories, never both added, and
    ``*_by_category`` keeps for "people" only what the named categories do not already account for.
    """
    out: dict = {}
    for status in ("killed", "injured", "kidnapped", "arrested"):
        per_cat: dict[str, dict] = {}
        for cat in sorted({r["category"] for r in rows if r["status"] == status}):
            per_cat[cat] = _best_figure([r for r in rows if r["status"] == status and r["category"] == cat])
        named = {c: r for c, r in per_cat.items() if c != "people"}
        people = per_cat.get("people")

        def total(field: str) -> float | None:
            vals = [r.get(field) if r.get(field) is not None else (r.get("best") if field == "low" else None)
                    for r in named.values()]
            if any(v is None for v in vals):
                return None
            s = float(sum(vals))
            if people is None:
                return s
            p = people.get(field) if people.get(field) is not None else (people.get("best") if field == "low" else None)
            return None if p is None else max(s, float(p))

        out[status] = total("best") or 0.0
        if status == "arrested":
            continue
        out[f"{status}_low"] = total("low") or 0.0
        out[f"{status}_high"] = total("high") if per_cat else 0.0
        by_cat = {c: r.get("best") for c, r in named.items()}
        if people is not None:
            rest = float(people.get("best") or 0) - sum(float(v or 0) for v in by_cat.values())
            if rest > 0 or not by_cat:
                by_cat["people"] = rest if by_cat else people.get("best")
        out[f"{status}_by_category"] = json.dumps(by_cat, sort_keys=True)
    return out
