"""The incident merge kept between runs, so that a run that adds, changes or drops a few articles merges again only
the incidents those articles touch (a scheduled run does only what is new).

Two units are compatible or not whatever else the corpus holds, so the incidents are the connected components of a
fixed graph (incidents.unite). What is kept (``incidents-state.sqlite``): every article's units as the merge built
them (before any absorbing), the buckets each unit that merges across articles is filed under, the incident of each
unit, and each incident's summary (incident_summary). Dropping an article's units can split only the incidents they
were in: those are merged again from their units. Adding units can join only the incidents they meet: those are
extended, their summaries combined with the added units' (a summary combines in any order into the full merge's), so
an incident of thousands of mentions that gains one costs what the one costs. Every other incident stands.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import incident_summary as summary
from .incidents import Unit, _find, article_units, compatible, filing, place_lookup

STATE_FILE = "incidents-state.sqlite"
SCHEMA_VERSION = 4
# An incident of at least this many units keeps a summary and is extended from it; a smaller one is merged again from
# its units, which costs about as little (and most incidents are of one unit: their summaries would double the state).
SUMMARY_MIN_UNITS = 8
_SQL_VARS = 900

# A row is known to its unit by these fields (unique within its article: checked when the state is recorded).
ROW_KEYS = {"events": ("start", "end", "kind"), "casualties": ("start", "end", "status", "category")}
# What a unit keeps of each of its rows: its key and what an incident's row is made of (incidents._finish), so that
# merging an incident again reads no table.
FINISH_FIELDS = {"events": ROW_KEYS["events"] + ("date_start", "date_precision", "places"),
                 "casualties": ROW_KEYS["casualties"] + ("best", "low", "high", "vague", "date_start",
                                                         "date_precision", "places")}


class StateError(Exception):
    """The kept state cannot serve a delta merge (two rows of one article share a key, or incident ids collide):
    the caller merges in full instead."""


def row_key(row: Any, table: str) -> tuple:
    return tuple(row[k] for k in ROW_KEYS[table])


@dataclass
class Delta:
    """What a delta merge changed: the incident ids dropped, the incident rows that replace them, and the new incident
    ids of the rows: per table, as columns (``article_id``, the row key of :data:`ROW_KEYS` and ``incident_id``), the
    rows of the units merged again; by incident id (``ids``: old → new), the rows of the incidents extended whole
    (a patch applies both: delta.patch)."""

    dropped: set[str]
    incidents: list[dict]
    renamed: dict[str, dict[str, list]]
    ids: dict[str, str]
    units_merged: int         # units merged again, one by one
    incidents_extended: int   # kept incidents that took added units without being merged again

    def row_ids(self, before: dict[tuple, str | None]) -> dict[tuple, str | None]:
        """``before`` (``(table, article_id, row_key) -> incident_id``) after this delta, for the rows it keeps."""
        after = {k: self.ids.get(v, v) for k, v in before.items()}
        after.update({(t, *row[:1], tuple(row[1:-1])): row[-1] for t, cols in self.renamed.items()
                      for row in zip(cols["article_id"], *(cols[k] for k in ROW_KEYS[t]), cols["incident_id"])})
        return after


class IncidentState:
    """The units, buckets and incidents of the last merge, in ``folder/incidents-state.sqlite``."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / STATE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._fresh = self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION
        if self._fresh:
            self._create()

    def _create(self) -> None:
        with self._db:
            for (table,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                self._db.execute(f"DROP TABLE {table}")
            self._db.execute("CREATE TABLE units (uid INTEGER PRIMARY KEY, article_id TEXT, pos INTEGER,"
                             " component INTEGER, unit BLOB)")
            # A component is named by its smallest unit id; its incident id is kept once, for all its units.
            self._db.execute("CREATE TABLE components (component INTEGER PRIMARY KEY, incident_id TEXT,"
                             " n_units INTEGER, summarised INTEGER)")
            # Apart: a big incident's summary is megabytes, which a lookup of components must not read.
            self._db.execute("CREATE TABLE summaries (component INTEGER PRIMARY KEY, summary BLOB)")
            self._db.execute("CREATE INDEX units_article ON units (article_id)")
            self._db.execute("CREATE INDEX units_component ON units (component)")
            self._db.execute("CREATE TABLE buckets (bucket TEXT, uid INTEGER)")
            self._db.execute("CREATE INDEX buckets_bucket ON buckets (bucket)")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> IncidentState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------- a full merge

    def record_units(self, merged: list[Unit], roots: list[int], events: list, casualties: list) -> None:
        """Keep a full merge's units (before absorbing) and their components; the previous state is replaced."""
        self._create()
        self._fresh = False
        self._named: dict[int, int] = {}  # a root of the merge -> its component's smallest unit id
        self._sizes: dict[int, int] = {}   # a component -> its number of units
        for uid, root in enumerate(roots):
            component = self._named.setdefault(root, uid)
            self._sizes[component] = self._sizes.get(component, 0) + 1
        if not _keys_unique(merged, events, casualties):
            with self._db:  # kept empty and marked: the next run merges in full
                self._db.execute("CREATE TABLE unusable (why TEXT)")
            return
        pos: dict[str, int] = {}
        unit_rows, bucket_rows = [], []
        self._kept_summaries: dict[int, dict] = {}  # component -> the summary of its units (incident_summary)
        for uid, u in enumerate(merged):
            k = pos[u.article_id] = pos.get(u.article_id, -1) + 1
            keyed = Unit(article_id=u.article_id, family=u.family, kind=u.kind, order=u.order, dates=u.dates,
                         places=u.places, actors=u.actors,
                         events=[_kept(events[i], "events") for i in u.events],
                         casualties=[_kept(casualties[j], "casualties") for j in u.casualties])
            component = self._named[roots[uid]]
            unit_rows.append((uid, u.article_id, k, component, _pack(keyed)))
            if self._sizes[component] >= SUMMARY_MIN_UNITS:
                self._kept_summaries[component] = _combine(self._kept_summaries.get(component),
                                                           _summary((keyed, u.article_id, k)))
            bucket_rows += [(b, uid) for b in _files(u)]
        with self._db:
            self._db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)", unit_rows)
            self._db.executemany("INSERT INTO buckets VALUES (?, ?)", bucket_rows)

    def record_ids(self, incident_of: dict[int, str | None]) -> None:
        """The incident id of each component of :meth:`record_units`, kept with its size and the summary of its units
        (:data:`SUMMARY_MIN_UNITS`)."""
        summaries = getattr(self, "_kept_summaries", {})
        with self._db:
            self._db.executemany("INSERT INTO components VALUES (?, ?, ?, ?)",
                                 [(c, iid, self._sizes[c], c in summaries)
                                  for c, iid in ((self._named[root], iid) for root, iid in incident_of.items())])
            self._db.executemany("INSERT INTO summaries VALUES (?, ?)",
                                 [(c, _pack_summary(s)) for c, s in summaries.items()])
        self._kept_summaries = {}

    # ------------------------------------------------------------------------------------------ a delta merge

    def delta(self, removed: set[str], added: dict[str, dict[str, list]], place_index: dict[str, dict] | None,
              kept_ids: Callable[[], set[str]]) -> Delta:
        """Merge again after dropping the units of ``removed`` articles and adding those of ``added`` ones
        (article id → its ``events`` and ``casualties`` rows, in the order extraction gave them; an article both
        removed and added is one whose rows changed).

        An incident that lost units is merged again from its kept units (it may split). An incident that added units
        join, and that lost none, is extended when it has a summary (:data:`SUMMARY_MIN_UNITS`): the summary
        (incident_summary) takes the added units, and its rows are renamed by incident id, so none of its units is
        read but those the added units are compared with. A smaller one is merged again from its units.
        ``kept_ids()`` gives the incident ids that stand. Raises :class:`StateError` when the result cannot be the
        full merge's (then merge in full).
        """
        if self._fresh:
            raise StateError("no incident state was kept (or it is of another version)")
        if self._db.execute("SELECT name FROM sqlite_master WHERE name='unusable'").fetchone():
            raise StateError("the last merge had two rows of one article with one key")
        for art, rows in added.items():
            for t in ("events", "casualties"):
                keys = [row_key(r, t) for r in rows[t]]
                if len(set(keys)) != len(keys):
                    raise StateError(f"two {t} rows of article {art} share a key")
        places_of = place_lookup(place_index)
        # uid -> (unit, article_id, pos); a kept unit stays as unmarshalled until it is compared (:func:`_as_unit`)
        cache: dict[int, tuple[Unit | tuple, str, int]] = {}
        was: dict[int, int] = {}  # uid -> the component it is kept under
        # Union-find over units merged again (uid >= 0) and kept incidents extended whole (-1 - component).
        parent: dict[int, int] = {}
        dropped: set[str] = set()
        split: set[int] = set()  # components that lost units: merged again from their units
        gone = self._uids_of(removed)
        for uid, component, iid in gone:
            split.add(component)
            if iid:
                dropped.add(iid)
        gone_uids = {g[0] for g in gone}
        # Added articles' units, numbered after every kept unit, filed in the order a full merge would file them.
        next_uid = (self._db.execute("SELECT max(uid) FROM units").fetchone()[0] or -1) + 1
        new_units: list[tuple[int, Unit, str, int]] = []
        for art in sorted(added):
            rows = added[art]
            units = article_units(art, range(len(rows["events"])), range(len(rows["casualties"])), rows["events"],
                                  rows["casualties"], places_of)
            for k, u in enumerate(units):
                u.events = [_kept(rows["events"][i], "events") for i in u.events]
                u.casualties = [_kept(rows["casualties"][j], "casualties") for j in u.casualties]
                new_units.append((next_uid, u, art, k))
                next_uid += 1
        with self._db:
            if gone_uids:
                for chunk in _chunks(sorted(gone_uids)):
                    marks = ",".join("?" * len(chunk))
                    self._db.execute(f"DELETE FROM units WHERE uid IN ({marks})", chunk)
                    self._db.execute(f"DELETE FROM buckets WHERE uid IN ({marks})", chunk)
            # The kept members of the components that lost units: joined again among themselves.
            self._open(split, cache, was, parent)
            member_set = set(parent)
            for uid in sorted(member_set):
                u = _as_unit(cache, uid, places_of)
                for other in self._probe(u):
                    if other in member_set and other != uid:
                        self._join(parent, cache, uid, other, places_of)
            # The added units: each probes the kept units and the added ones before it. A kept incident met is
            # extended whole when it has a summary, else merged again from its units.
            component_of: dict[int, tuple[str, int, int]] = {}  # a kept unit met -> (article, pos, component)
            sizes: dict[int, tuple[int, bool]] = {}  # a kept component met -> (units, whether it has a summary)
            reopened: set[int] = set()  # kept components without a summary, merged again from their units
            for uid, u, art, pos in new_units:
                cache[uid] = (u, art, pos)
                parent[uid] = uid
                was[uid] = uid
                self._db.execute("INSERT INTO units (uid, article_id, pos, component, unit) VALUES (?, ?, ?, ?, ?)",
                                 (uid, art, pos, uid, _pack(u)))
                probed = sorted(self._probe(u) - {uid})
                self._locate([o for o in probed if o not in parent and o not in component_of], component_of, sizes)
                for other in probed:
                    if other not in parent and not sizes[component_of[other][2]][1]:
                        component = component_of[other][2]
                        reopened.add(component)
                        members = self._open({component}, cache, was, parent)
                        for m in members[1:]:  # one incident: its units stay together
                            parent[_find(parent, m)] = _find(parent, members[0])
                    if other in parent:
                        self._join(parent, cache, uid, other, places_of)
                        continue
                    o_art, o_pos, component = component_of[other]
                    node = -1 - component  # a kept incident the added unit may extend
                    parent.setdefault(node, node)
                    root = _find(parent, uid)
                    if root == _find(parent, node) or o_art == art:
                        continue
                    if other not in cache:
                        cache[other] = (self._unit(other), o_art, o_pos)
                    if compatible(u, _as_unit(cache, other, places_of)):
                        parent[root] = _find(parent, node)
                self._db.executemany("INSERT INTO buckets VALUES (?, ?)", [(b, uid) for b in _files(u)])

            # Each incident merged again or extended: the summary of its units and kept incidents.
            groups: dict[int, list[int]] = {}
            for node in parent:
                groups.setdefault(_find(parent, node), []).append(node)
            groups = {root: nodes for root, nodes in groups.items() if any(n >= 0 for n in nodes)}
            extended = sorted(-1 - n for nodes in groups.values() for n in nodes if n < 0)
            kept = self._summaries(extended)
            old_id = {c: kept[c][0] for c in extended}
            dropped |= {iid for iid in old_id.values() if iid}
            dropped |= self._ids_of(split | reopened)
            summaries, members, n_units = [], [], []
            for nodes in groups.values():
                s = None
                units = sorted(n for n in nodes if n >= 0)
                for n in units:
                    s = _combine(s, _summary(cache[n]))
                for n in nodes:
                    if n < 0:
                        s = _combine(s, kept[-1 - n][1])
                summaries.append(s)
                members.append((units, [-1 - n for n in nodes if n < 0]))
                n_units.append(len(units) + sum(sizes[-1 - n][0] for n in nodes if n < 0))
            incidents, ids = summary.finish(summaries, places_of)
            standing = kept_ids() - dropped
            clash = [r["incident_id"] for r in incidents if r["incident_id"] in standing]
            if clash:
                raise StateError(f"incident id {clash[0]} would repeat a standing one")
            # The rows of the units merged again take their incident's id by row; an extended incident's rows are
            # renamed by its id.
            renamed: dict[str, dict[str, list]] = {t: {k: [] for k in ("article_id", *ROW_KEYS[t], "incident_id")}
                                                   for t in ROW_KEYS}
            id_map: dict[str, str] = {}
            updates, moved, named, kept_summaries = [], [], [], []
            for (units, comps), iid, s, size in zip(members, ids, summaries, n_units):
                for n in units:
                    art, ev_rows, cas_rows = _rows_of(cache[n])
                    for t, rows in (("events", ev_rows), ("casualties", cas_rows)):
                        cols = renamed[t]
                        for r in rows:
                            cols["article_id"].append(art)
                            for k in ROW_KEYS[t]:
                                cols[k].append(r[k])
                            cols["incident_id"].append(iid)
                for c in comps:
                    if old_id[c]:
                        id_map[old_id[c]] = iid
                # A component is named by its smallest unit: only the units kept under another name move.
                name = min(units + comps)
                updates += [(name, n) for n in units if was[n] != name]
                moved += [(name, c) for c in comps if c != name]
                named.append((name, iid, size, size >= SUMMARY_MIN_UNITS))
                if size >= SUMMARY_MIN_UNITS:
                    kept_summaries.append((name, _pack_summary(s)))
            for chunk in _chunks(sorted(split | reopened | set(extended))):
                marks = ",".join("?" * len(chunk))
                self._db.execute(f"DELETE FROM components WHERE component IN ({marks})", chunk)
                self._db.execute(f"DELETE FROM summaries WHERE component IN ({marks})", chunk)
            self._db.executemany("UPDATE units SET component=? WHERE component=?", moved)
            self._db.executemany("UPDATE units SET component=? WHERE uid=?", updates)
            self._db.executemany("INSERT OR REPLACE INTO components VALUES (?, ?, ?, ?)", named)
            self._db.executemany("INSERT OR REPLACE INTO summaries VALUES (?, ?)", kept_summaries)
        return Delta(dropped=dropped, incidents=incidents, renamed=renamed, ids=id_map,
                     units_merged=sum(len(u) for u, _ in members), incidents_extended=len(extended))

    def _join(self, parent: dict, cache: dict, a: int, b: int, places_of) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra == rb or cache[a][1] == cache[b][1]:
            return
        if compatible(_as_unit(cache, a, places_of), _as_unit(cache, b, places_of)):
            parent[ra] = rb

    def _probe(self, u: Unit) -> set[int]:
        where = filing(u)
        if where is None:
            return set()
        periods, _, probes = where
        keys = [repr((period, key)) for period in periods for key in probes]
        found: set[int] = set()
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            found.update(uid for (uid,) in self._db.execute(
                f"SELECT uid FROM buckets WHERE bucket IN ({marks})", chunk))
        return found

    def _locate(self, uids: list[int], into: dict[int, tuple[str, int, int]],
                sizes: dict[int, tuple[int, bool]]) -> None:
        """The article, position and component of kept units, and the size of the components (and whether they have
        a summary)."""
        for chunk in _chunks(uids):
            marks = ",".join("?" * len(chunk))
            for uid, art, pos, component, n, summarised in self._db.execute(
                    "SELECT uid, article_id, pos, component, n_units, summarised FROM units"
                    f" JOIN components USING (component) WHERE uid IN ({marks})", chunk):
                into[uid] = (art, pos, component)
                sizes[component] = (n, bool(summarised))

    def _unit(self, uid: int) -> tuple:
        return marshal.loads(self._db.execute("SELECT unit FROM units WHERE uid=?", (uid,)).fetchone()[0])

    def _summaries(self, components: list[int]) -> dict[int, tuple[str | None, dict]]:
        """The incident id and summary of kept components."""
        out = {}
        for chunk in _chunks(components):
            marks = ",".join("?" * len(chunk))
            for component, iid, blob in self._db.execute(
                    "SELECT component, incident_id, summary FROM components JOIN summaries USING (component)"
                    f" WHERE component IN ({marks})", chunk):
                out[component] = (iid, _unpack_summary(blob))
        return out

    def _uids_of(self, articles: Iterable[str]) -> list[tuple[int, int, str | None]]:
        out = []
        for chunk in _chunks(sorted(articles)):
            marks = ",".join("?" * len(chunk))
            out += self._db.execute(
                "SELECT uid, component, incident_id FROM units LEFT JOIN components USING (component)"
                f" WHERE article_id IN ({marks})", chunk).fetchall()
        return out

    def _open(self, components: set[int], cache: dict, was: dict, parent: dict) -> list[int]:
        """Take the kept units of ``components`` into a merge (each its own set in ``parent``); their uids."""
        uids = []
        for uid, art, pos, component, unit in self._members(components):
            cache[uid] = (unit, art, pos)
            was[uid] = component
            parent[uid] = uid
            uids.append(uid)
        return uids

    def _members(self, components: Iterable[int]) -> list[tuple[int, str, int, int, tuple]]:
        """The kept units of ``components``, each as unmarshalled (:func:`_as_unit` makes it a Unit)."""
        out = []
        for chunk in _chunks(sorted(components)):
            marks = ",".join("?" * len(chunk))
            out += [(uid, art, pos, component, marshal.loads(blob)) for uid, art, pos, component, blob in
                    self._db.execute(f"SELECT uid, article_id, pos, component, unit FROM units"
                                     f" WHERE component IN ({marks})", chunk)]
        return out

    def _ids_of(self, components: Iterable[int]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(sorted(components)):
            marks = ",".join("?" * len(chunk))
            out |= {iid for (iid,) in self._db.execute(
                f"SELECT incident_id FROM components WHERE component IN ({marks})", chunk) if iid}
        return out


def _chunks(items: list) -> Iterable[list]:
    for i in range(0, len(items), _SQL_VARS):
        yield items[i : i + _SQL_VARS]


def _files(u: Unit) -> list[str]:
    where = filing(u)
    if where is None:
        return []
    periods, files, _ = where
    return [repr((period, key)) for period in periods for key in sorted(files, key=repr)]


def _pack(u: Unit) -> bytes:
    """A unit as kept: what it keeps of its rows (:func:`_kept`), its places by id (the lexicon gives them back)."""
    return marshal.dumps((u.article_id, u.family, u.kind, u.order, u.dates, [p.get("place_id") for p in u.places],
                          sorted(u.actors), list(u.events), list(u.casualties)))


def _as_unit(cache: dict, uid: int, places_of) -> Unit:
    """The unit of ``uid`` in ``cache``, made a Unit now if it is still as unmarshalled."""
    kept, art, pos = cache[uid]
    if not isinstance(kept, Unit):
        kept = _unpack(kept, places_of)
        cache[uid] = (kept, art, pos)
    return kept


def _summary(entry: tuple) -> dict:
    """The summary (incident_summary) of a unit as cached: a Unit or as unmarshalled, its article and position."""
    kept, art, pos = entry
    if isinstance(kept, Unit):
        return summary.of_unit(art, pos, kept.family, kept.kind, kept.order, kept.dates,
                               [p.get("place_id") for p in kept.places], kept.actors, kept.events, kept.casualties)
    _, family, kind, order, dates, place_ids, actors, ev_rows, cas_rows = kept
    return summary.of_unit(art, pos, family, kind, order, dates, place_ids, actors, ev_rows, cas_rows)


def _combine(a: dict | None, b: dict) -> dict:
    return b if a is None else summary.combine(a, b)


def _rows_of(entry: tuple) -> tuple[str, list[dict], list[dict]]:
    """A cached unit's article and kept event and casualty rows."""
    kept, art, _ = entry
    if isinstance(kept, Unit):
        return art, kept.events, kept.casualties
    return art, kept[7], kept[8]


_SETS = ("actors", "articles", "mentions")


def _pack_summary(s: dict) -> bytes:
    """A summary as kept: its sets as sorted lists (``marshal`` writes a list of strings 30 times faster than a set)."""
    return marshal.dumps({k: sorted(v) if k in _SETS else v for k, v in s.items()})


def _unpack_summary(blob: bytes) -> dict:
    s = marshal.loads(blob)
    for k in _SETS:
        s[k] = set(s[k])
    return s


def _unpack(kept: tuple, places_of) -> Unit:
    art, family, kind, order, dates, place_ids, actors, ev_keys, cas_keys = kept
    return Unit(article_id=art, family=family, kind=kind, order=order, dates=list(dates), places=places_of(place_ids),
                actors=set(actors), events=list(ev_keys), casualties=list(cas_keys), articles={art})


def _kept(row: Any, table: str) -> dict:
    """What a unit keeps of one of its rows (:data:`FINISH_FIELDS`; kept as a dict, which unmarshalling builds in
    C, ready for incidents._finish)."""
    return {k: tuple(v) if isinstance(v := row[k], list) else v for k in FINISH_FIELDS[table]}


def _keys_unique(merged: list[Unit], events: list, casualties: list) -> bool:
    """Whether every row a unit holds is known by its key within its article (:data:`ROW_KEYS`)."""
    for table, rows, attr in (("events", events, "events"), ("casualties", casualties, "casualties")):
        keys = [(rows[i]["article_id"], *row_key(rows[i], table)) for u in merged for i in getattr(u, attr)]
        if len(set(keys)) != len(keys):
            return False
    return True
