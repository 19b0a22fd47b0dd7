"""The lexicons as data: load every yaml file of a folder, check actors and places, and index aliases as one regex.

``actors.yaml`` and ``places.yaml`` are checked and normalised here (a malformed entry raises :class:`LexiconError`
naming the file and the problem); every other yaml file is kept raw under its stem (``lexicon.raw["events"]``).
:class:`AliasIndex` (and :func:`alias_regex`) compile a list of aliases into trie-shaped alternations that match the
longest alias at each position, on word boundaries, with any apostrophe, dash or run of spaces the press uses.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from . import paths

ACTOR_TYPES = frozenset(
    {"government", "military", "paramilitary", "police", "intelligence", "militant_group", "government_or_insurgent",
     "state", "igo", "party", "person"}
)
PLACE_TYPES = frozenset({"country", "province", "region", "district", "agency", "city", "town", "village", "crossing"})
ACTOR_KEYS = frozenset(
    {"id", "name", "type", "country", "aliases", "short_forms", "valid_from", "valid_until", "affiliation", "part_of",
     "role", "note"}
)
ALIAS_KEYS = frozenset(
    {"alias", "generic", "attributive", "requires_country", "valid_from", "valid_until", "default", "unit"}
)
PLACE_KEYS = frozenset(
    {"id", "name", "type", "admin1", "admin2", "country", "countries", "latitude", "longitude", "aliases", "demonyms",
     "valid_until", "note"}
)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the same data, faster
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO3 = re.compile(r"^[A-Z]{3}$")

APOSTROPHES = "'\u2019\u02bc\u2018`"
DASHES = "-\u2010\u2011\u2012\u2013"
_NORMALISE = str.maketrans({**{c: "'" for c in APOSTROPHES}, **{c: "-" for c in DASHES}})
_SPACES = re.compile(r"\s+")
_ATOM_APOSTROPHE = "[" + re.escape(APOSTROPHES) + "]"
_ATOM_DASH = "[" + re.escape(DASHES) + "]"
_ATOM_SPACE = r"[^\S\n]+"


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Actors and places by id, every yaml file raw by stem, and a fingerprint of the files' bytes."""

    actors: dict[str, dict]
    places: dict[str, dict]
    raw: dict[str, dict]
    fingerprint: str


_LOADED: dict[tuple[str, str], Lexicon] = {}


def load_lexicon(folder: str | Path | None = None) -> Lexicon:
    """Load every ``*.yaml`` in ``folder`` (default: the package's lexicon), cached per folder and fingerprint."""
    folder = Path(folder) if folder is not None else paths.LEXICON
    if not folder.is_dir():
        raise LexiconError(f"{folder}: not a folder of lexicon yaml files")
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}
    key = (str(folder.resolve()), fingerprint(files))
    if key not in _LOADED:
        _LOADED[key] = lexicon_from_files(files)
    return _LOADED[key]


def fingerprint(files: dict[str, bytes]) -> str:
    """sha256 over the files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def lexicon_from_files(files: dict[str, bytes]) -> Lexicon:
    """A checked lexicon from yaml file names and their bytes (what :func:`load_lexicon` reads from a folder)."""
    raw = {Path(name).stem: _parse_yaml(Path(name), content) for name, content in sorted(files.items())}
    places = _check_places(raw.get("places", {}), Path("places.yaml"))
    actors = _check_actors(raw.get("actors", {}), Path("actors.yaml"))
    return Lexicon(actors=actors, places=places, raw=raw, fingerprint=fingerprint(files))


def _parse_yaml(path: Path, content: bytes) -> dict:
    try:
        data = yaml.load(content.decode("utf-8"), Loader=_YAML_LOADER)
    except UnicodeDecodeError as err:
        raise LexiconError(f"{path.name}: not UTF-8 ({err.reason} at byte {err.start})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise LexiconError(f"{path.name}: yaml syntax error{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path.name}: the top level must be a mapping, not {type(data).__name__}")
    return data


def _fail(path: Path, where: str, problem: str) -> LexiconError:
    return LexiconError(f"{path.name}: {where}: {problem}")


def _date(value: Any, path: Path, where: str) -> str | None:
    """An ISO date string from a yaml date (or ISO string), or None."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _fail(path, where, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _strings(value: Any, path: Path, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, f"`{key}` must be a list of non-empty strings")
    return [v.strip() for v in value]


def _entries(data: dict, key: str, path: Path) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise _fail(path, key, "must be a list of entries")
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise _fail(path, f"{key}[{i}]", "each entry must be a mapping")
        if not isinstance(e.get("id"), str) or not _ID.match(e["id"]):
            raise _fail(path, f"{key}[{i}]", f"id {e.get('id')!r} must be lower_snake_case")
    ids = [e["id"] for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _fail(path, key, f"duplicate id {dupes[0]!r}")
    return entries


def _country(value: Any, path: Path, where: str) -> str | None:
    if value is not None and not (isinstance(value, str) and _ISO3.match(value)):
        raise _fail(path, where, f"country {value!r} must be an ISO3 code such as PAK")
    return value


def _check_actors(data: dict, path: Path) -> dict[str, dict]:
    """Actors by id, each with ``aliases`` (texts), ``short_forms`` and ``alias_rules`` (one dict per alias)."""
    entries = _entries(data, "actors", path)
    blockers = data.get("not_actors") or []
    if not isinstance(blockers, list) or not all(isinstance(b, str) and b.strip() for b in blockers):
        raise _fail(path, "not_actors", "must be a list of names")
    known = {e["id"] for e in entries}
    actors: dict[str, dict] = {}
    for e in entries:
        where = f"actor {e['id']}"
        unknown = set(e) - ACTOR_KEYS
        if unknown:
            raise _fail(path, where, f"unknown key {sorted(unknown)[0]!r}")
        if e.get("type") not in ACTOR_TYPES:
            raise _fail(path, where, f"type {e.get('type')!r} is not one of {', '.join(sorted(ACTOR_TYPES))}")
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            raise _fail(path, where, "`name` is missing")
        for ref in ("affiliation", "part_of"):
            if e.get(ref) is not None and e[ref] not in known:
                raise _fail(path, where, f"{ref} {e[ref]!r} is not an actor id")
        if e.get("short_forms") and e["type"] != "person":
            raise _fail(path, where, "`short_forms` are for persons only")
        valid_from = _date(e.get("valid_from"), path, where)
        valid_until = _date(e.get("valid_until"), path, where)
        rules = [_alias_rule(a, e, path, where, valid_from, valid_until) for a in (e.get("aliases") or [])]
        if not rules:
            raise _fail(path, where, "`aliases` must list at least one alias")
        actors[e["id"]] = {
            "id": e["id"], "name": e["name"].strip(), "type": e["type"],
            "country": _country(e.get("country"), path, where),
            "aliases": [r["alias"] for r in rules],
            "short_forms": _strings(e.get("short_forms"), path, where, "short_forms"),
            "valid_from": valid_from, "valid_until": valid_until,
            "affiliation": e.get("affiliation"), "part_of": e.get("part_of"),
            "role": e.get("role"), "note": e.get("note"),
            "alias_rules": rules,
        }
    _check_shared_aliases(actors, path)
    return actors


def _alias_rule(a: Any, actor: dict, path: Path, where: str, valid_from: str | None,
                valid_until: str | None) -> dict:
    """One alias as a rule dict; a plain string is a case-sensitive proper name valid while the actor is."""
    if isinstance(a, str):
        a = {"alias": a}
    if not isinstance(a, dict) or not isinstance(a.get("alias"), str) or not a["alias"].strip():
        raise _fail(path, where, f"alias {a!r} must be a string or a mapping with `alias`")
    unknown = set(a) - ALIAS_KEYS
    if unknown:
        raise _fail(path, where, f"alias {a['alias']!r}: unknown key {sorted(unknown)[0]!r}")
    generic = bool(a.get("generic", False))
    return {
        "alias": a["alias"].strip(),
        "generic": generic,
        "attributive": bool(a.get("attributive", False)),
        "requires_country": _country(a.get("requires_country", actor.get("country") if generic else None), path,
                                     where),
        "valid_from": _date(a.get("valid_from"), path, where) or valid_from,
        "valid_until": _date(a.get("valid_until"), path, where) or valid_until,
        "default": bool(a.get("default", False)),
        "unit": a.get("unit"),
    }


def _check_shared_aliases(actors: dict[str, dict], path: Path) -> None:
    """An alias naming several actors needs exactly one of them marked ``default`` (used when the date is unknown)."""
    owners: dict[str, list[tuple[str, bool]]] = {}
    for aid, a in actors.items():
        for r in a["alias_rules"]:
            key = normalise(r["alias"]).lower() if r["generic"] else normalise(r["alias"])
            owners.setdefault(key, []).append((aid, r["default"]))
    for alias, owner in owners.items():
        ids = {aid for aid, _ in owner}
        defaults = {aid for aid, d in owner if d}
        if len(ids) > 1 and len(defaults) != 1:
            raise _fail(path, f"alias {alias!r}",
                        f"names {', '.join(sorted(ids))}: mark exactly one `default: true` (found {len(defaults)})")


def _check_places(data: dict, path: Path) -> dict[str, dict]:
    """Places by id, each with name, type, admin1, admin2, country, countries, latitude, longitude, aliases."""
    places: dict[str, dict] = {}
    for e in _entries(data, "places", path):
        where = f"place {e['id']}"
        unknown = set(e) - PLACE_KEYS
        if unknown:
            raise _fail(path, where, f"unknown key {sorted(unknown)[0]!r}")
        if e.get("type") not in PLACE_TYPES:
            raise _fail(path, where, f"type {e.get('type')!r} is not one of {', '.join(sorted(PLACE_TYPES))}")
        if not isinstance(e.get("name"), str) or not e["name"].strip():
            raise _fail(path, where, "`name` is missing")
        for key, bound in (("latitude", 90), ("longitude", 180)):
            v = e.get(key)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not -bound <= v <= bound:
                raise _fail(path, where, f"{key} {v!r} must be a number in [-{bound}, {bound}]")
        country = _country(e.get("country"), path, where)
        countries = [_country(c, path, where) for c in _strings(e.get("countries"), path, where, "countries")]
        if country is None and not countries:
            raise _fail(path, where, "needs `country` (ISO3) or `countries`")
        name = e["name"].strip()
        aliases = _strings(e.get("aliases"), path, where, "aliases")
        places[e["id"]] = {
            "id": e["id"], "name": name, "type": e["type"],
            "admin1": e.get("admin1"), "admin2": e.get("admin2"),
            "country": country, "countries": countries or [country],
            "latitude": round(float(e["latitude"]), 4), "longitude": round(float(e["longitude"]), 4),
            "aliases": [name] + [a for a in aliases if a != name],
            "demonyms": _strings(e.get("demonyms"), path, where, "demonyms"),
            "valid_until": _date(e.get("valid_until"), path, where),
            "note": e.get("note"),
        }
    seen: dict[str, str] = {}
    for pid, p in places.items():
        for alias in p["aliases"]:
            other = seen.setdefault(normalise(alias), pid)
            if other != pid:
                raise _fail(path, f"place {pid}", f"alias {alias!r} already names place {other}")
    return places


def normalise(surface: str) -> str:
    """The lookup key of a surface form: one apostrophe, one dash, single spaces."""
    return _SPACES.sub(" ", surface.translate(_NORMALISE)).strip()


def case_variants(alias: str) -> set[str]:
    """A generic alias as the press writes it: each word's first letter in either case ("foreign office",
    "Foreign office", "Foreign Office")."""
    words = alias.split(" ")
    variants = {""}
    for i, w in enumerate(words):
        forms = {w[:1].lower() + w[1:], w[:1].upper() + w[1:]} if w else {w}
        variants = {(v + " " if i else "") + f for v in variants for f in forms}
    return variants


def _atoms(alias: str) -> list[str]:
    atoms: list[str] = []
    for c in alias:
        if c in APOSTROPHES:
            atoms.append(_ATOM_APOSTROPHE)
        elif c in DASHES:
            atoms.append(_ATOM_DASH)
        elif c.isspace():
            if not atoms or atoms[-1] != _ATOM_SPACE:
                atoms.append(_ATOM_SPACE)
        else:
            atoms.append(re.escape(c))
    return atoms


def _render(node: dict) -> str:
    """A trie node as a regex: children first (greedy: longest alias first), the end of an alias last."""
    alts = [atom + _render(child) for atom, child in sorted(node.items()) if atom]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        return (body if len(alts) > 1 else "(?:" + body + ")") + "?"
    return body


def trie_regex(aliases: Iterable[str]) -> str:
    """The body of a regex matching any of ``aliases``, as a trie: shared prefixes tried once, longest first."""
    trie: dict = {}
    for alias in aliases:
        node = trie
        for atom in _atoms(alias.strip()):
            node = node.setdefault(atom, {})
        node[""] = {}
    return _render(trie)


def alias_regex(aliases: Iterable[str]) -> re.Pattern:
    """One compiled regex matching any of ``aliases`` (case as written), longest first, on word boundaries."""
    body = trie_regex(aliases)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)") if body else re.compile(r"(?!x)x")


class AliasIndex:
    """Find aliases in a text, longest first, on word boundaries, in one pass per case of the first letter.

    Aliases starting in upper case and those starting in lower case get a regex each, without a look-behind:
    then ``re`` skips every character that cannot start an alias (most of a text is lower-case letters), which
    makes the scan about three times faster. The left word boundary is checked on the (few) hits instead.
    Lower-case aliases begin with few distinct words ("army", "foreign", "security"): those are found with
    ``str.find`` (a C loop, many times faster than ``re`` trying every lower-case letter) and the regex is tried
    only there, which gives the same matches as scanning with it. The few lower-case hits are then placed into the
    upper-case ones by bisection (:func:`_leftmost`) rather than sorting both.
    """

    def __init__(self, aliases: Iterable[str]):
        aliases = [a for a in aliases if a]
        groups = ([a for a in aliases if not a[0].islower()], [a for a in aliases if a[0].islower()])
        self.patterns = [re.compile(trie_regex(g) + r"(?!\w)") for g in groups if g]
        self.starts: list[tuple[str, ...] | None] = [None] * len(self.patterns)
        if groups[0] and groups[1]:
            self.starts[1] = _start_words(groups[1])
        self._finders = [None if starts is None else tuple((w, _word_start_regex(w)) for w in starts)
                         for starts in self.starts]

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, surface) of every alias in ``text``, leftmost-longest, not overlapping."""
        runs = [_scan(pattern, text) if finders is None else _scan_at(pattern, text, finders)
                for pattern, finders in zip(self.patterns, self._finders)]
        if len(runs) < 2:
            return runs[0] if runs else []
        return _leftmost(*runs)


_START = re.compile(r"[a-z]+")
_MAX_START_WORDS = 48  # beyond this many, scanning with the regex is as fast
_SHORT_START = 3  # start words this short ("al", "ex") occur inside many words: re checks those occurrences in C


def _start_words(aliases: list[str]) -> tuple[str, ...] | None:
    """The fewest lower-case letter runs some alias starts with ("army", "foreign"), or None when there are many."""
    runs = set()
    for a in aliases:
        m = _START.match(a)
        if not m:
            return None
        runs.add(m.group())
    keys: list[str] = []
    for run in sorted(runs):  # a run that extends a kept one ("armed" after "arm") adds no position
        if not (keys and run.startswith(keys[-1])):
            keys.append(run)
    return tuple(keys) if len(keys) <= _MAX_START_WORDS else None


def _word_start_regex(word: str) -> re.Pattern | None:
    """For a short start word, a regex finding it at word starts only (its text first, so that ``re`` looks for
    that text and checks the word boundary only there); None for a longer word, which ``str.find`` finds faster
    and which seldom occurs inside another word."""
    if len(word) > _SHORT_START:
        return None
    return re.compile(re.escape(word) + r"(?<!\w" + re.escape(word) + ")")


def occurrences(haystack: str | bytes, needle: str | bytes) -> Iterator[int]:
    """Every start of ``needle`` in ``haystack``, overlapping ones included (``str.find``: a C loop, far faster than
    a regex that must try every position)."""
    i = haystack.find(needle)
    while i >= 0:
        yield i
        i = haystack.find(needle, i + 1)


def _scan(pattern: re.Pattern, text: str) -> list[tuple[int, int, str]]:
    """(start, end, surface) of what ``pattern.finditer(text)`` finds at word starts (a match inside a word is
    dropped, and it still hides what it covers)."""
    return [(s, m.end(), m[0]) for m in pattern.finditer(text)
            if not ((s := m.start()) and (text[s - 1].isalnum() or text[s - 1] == "_"))]


def _scan_at(pattern: re.Pattern, text: str, finders: tuple[tuple[str, re.Pattern | None], ...]
             ) -> list[tuple[int, int, str]]:
    """(start, end, surface) of what ``pattern.finditer(text)`` finds at word starts, trying the pattern only at
    the word starts where one of the start words occurs (a match inside a word, which the caller drops anyway,
    does not hide the next word's alias).

    ``finders`` pairs each start word with its :func:`_word_start_regex`. The start words are runs of lower-case
    letters: an occurrence overlapping an earlier one begins inside a word, so each search resumes after the
    occurrence it found.
    """
    positions: list[int] = []
    find = text.find
    for word, regex in finders:
        i = find(word)
        if i < 0:
            continue
        if regex is not None:
            positions += [m.start() for m in regex.finditer(text, i)]
            continue
        while i >= 0:
            if not i or not (text[i - 1].isalnum() or text[i - 1] == "_"):
                positions.append(i)
            i = find(word, i + len(word))
    if len(finders) > 1:
        positions.sort()
    hits, last, match = [], 0, pattern.match
    for i in positions:
        if i >= last:
            m = match(text, i)
            if m:
                last = m.end()
                hits.append((i, last, m[0]))
    return hits


def _leftmost(first: list[tuple[int, int, str]], second: list[tuple[int, int, str]]
              ) -> list[tuple[int, int, str]]:
    """The hits of two scans as one scan of all the aliases keeps them: in order of start (the longer first at
    one start, ``first`` on a tie), each hit that starts before the end of a kept one dropped.

    Each list is in order and without overlaps, and ``second`` is the short one (the lower-case aliases): its
    hits are placed one by one into ``first`` (bisect), each dropping the hits of ``first`` it covers.
    """
    kept = first
    for hit in second:
        s, e = hit[0], hit[1]
        k = bisect_left(kept, (s,))
        if k and kept[k - 1][1] > s:
            continue  # starts inside a kept hit
        j = k
        while j < len(kept) and kept[j][0] < e:
            j += 1
        if j > k and kept[k][0] == s and kept[k][1] >= e:
            continue  # a hit of ``first`` at the same start is as long or longer
        kept[k:j] = [hit]
    return kept
