"""Actor mentions: aliases found longest-first in one regex pass, read by context and by the article's date.

Also the co-mention counts of actors (by sentence or by article) and the capitalised names the lexicon does not
know yet. The per-article functions are pure: the compiled alias index is memoised by lexicon fingerprint.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter, itemgetter

import pandas as pd

from .lexicon import AliasIndex, Lexicon, alias_regex, case_variants, normalise

_DETERMINER_BEFORE = re.compile(r"(?<!\w)(?:[Tt]he|[Ii]ts|[Tt]heir)[^\S\n]+$")
_ADJACENT = re.compile(r"(?:['\u2019]s)?[^\S\n]+")  # "Pakistan’s army", "Pakistani troops", "US forces"
_AFTER = re.compile(r"(['\u2019]s(?!\w))|(-)|[^\S\n]+([A-Za-z]+)")
# Nouns that an attributive "army"/"military" modifies: "military camp", "no military solution".
_NOT_HEADS = frozenset(
    """camp camps base bases solution solutions operation operations offensive court courts trial trials hospital
    school academy college cantonment installation installations action actions aid equipment hardware exercise
    exercises drill drills vehicle vehicles convoy convoys post posts checkpoint checkpoints uniform uniforms rule
    regime regimes coup coups dictator dictatorship zone zones area areas option options pressure strength power
    doctrine budget spending service training tactics strategy plane planes aircraft helicopter helicopters jet jets
    truck trucks target targets facility facilities compound compounds""".split()
)
# Words after "army"/"military" that make it the subject of a clause: "the military said", "Army attributes".
_VERBISH = frozenset(
    """said says say added adds stated states claimed claims announced announces confirmed confirms denied denies
    rejected rejects reported reports has had have is was were are will would could can may might must also then
    attributes attributed launched launches killed kills conducted conducts carried carries acted acts arrested
    urged urges warned warns blamed blames accused accuses responded responds retaliated struck strikes targeted
    targets insisted insists deployed deploys took takes did does spokesman spokesperson chief chiefs leadership
    officials official spokesmen statement""".split()
)


@dataclass(frozen=True)
class _Reading:
    """One actor an alias can name, and when and how it counts."""

    actor_id: str
    generic: bool = False
    attributive: bool = False
    requires_country: str | None = None
    short: bool = False
    valid_from: date | None = None
    valid_until: date | None = None
    default: bool = False
    unit: str | None = None
    row: tuple = field(default=(), compare=False, repr=False)  # actor_id .. unit of a mention row, built once

    def valid_on(self, when: date) -> bool:
        return (self.valid_from is None or self.valid_from <= when) and (
            self.valid_until is None or when < self.valid_until)


@dataclass
class _Form:
    """Everything one surface form can be: actor readings, the countries it names, whether it is a place name.

    A form with no readings is a blocker: a country, a demonym, or a place that must not be read as a shorter actor
    alias ("Kabul province", "Dera Bugti"); it still says which country the article is about, and whose a generic
    noun after it is ("Afghanistan’s foreign ministry" is not Pakistan's).
    """

    readings: list[_Reading] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    place: bool = False
    signals: bool = False       # a proper name or place: says the article is about its countries
    full: tuple[str, ...] = ()  # actors it names by a full (not short, not generic) alias
    plain: bool = False         # one proper-name reading with no condition: no context to read
    fixed: bool = False         # several proper-name readings with no condition: read by the date alone
    about: frozenset[str] = frozenset()  # the countries it tells the article is about (when it signals)

    def freeze(self) -> None:
        self.full = tuple(dict.fromkeys(r.actor_id for r in self.readings if not r.generic and not r.short))
        self.signals = bool(self.full) or not self.readings
        self.about = frozenset(self.countries) if self.signals else frozenset()
        r = self.readings
        unconditional = not any(x.generic or x.short or x.requires_country for x in r)
        self.plain = len(r) == 1 and unconditional
        self.fixed = len(r) > 1 and unconditional


@dataclass(frozen=True)
class _Matcher:
    index: AliasIndex
    forms: dict[str, _Form]


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _row(actor: dict, unit: str | None) -> tuple:
    """The columns a mention row takes from its actor and reading: actor_id, actor_type, country, actor_name,
    affiliation, unit."""
    return actor["id"], actor["type"], actor["country"], actor["name"], actor["affiliation"], unit


def _build(lexicon: Lexicon) -> _Matcher:
    forms: dict[str, _Form] = {}
    for aid, actor in lexicon.actors.items():
        for r in actor["alias_rules"]:
            reading = _Reading(aid, r["generic"], r["attributive"], r["requires_country"], False,
                               _day(r["valid_from"]), _day(r["valid_until"]), r["default"], r["unit"],
                               _row(actor, r["unit"]))
            key = normalise(r["alias"])
            for variant in (case_variants(key) if r["generic"] else (key,)):
                form = forms.setdefault(variant, _Form())
                form.readings.append(reading)
                if not r["generic"] and actor["country"]:
                    form.countries.add(actor["country"])
        for short in actor["short_forms"]:
            forms.setdefault(normalise(short), _Form()).readings.append(
                _Reading(aid, short=True, row=_row(actor, None)))
    probe = alias_regex(forms)
    for place in lexicon.places.values():
        for alias in place["aliases"]:
            key = normalise(alias)
            if key in forms:
                forms[key].place = True
                forms[key].countries.update(place["countries"])
            elif place["type"] == "country" or any(m.span() != (0, len(key)) for m in probe.finditer(key)):
                forms[key] = _Form(countries=set(place["countries"]), place=True)
        for demonym in place["demonyms"]:
            forms.setdefault(normalise(demonym), _Form()).countries.update(place["countries"])
    # Names that hold an alias but name no actor ("The Washington Post", "Voice of America"): blockers.
    for name in lexicon.raw.get("actors", {}).get("not_actors") or ():
        forms.setdefault(normalise(name), _Form())
    for form in forms.values():
        form.freeze()
    return _Matcher(AliasIndex(forms), forms)


_MATCHERS: dict[str, _Matcher] = {}


def _matcher(lexicon: Lexicon) -> _Matcher:
    """The compiled alias index of a lexicon, built once per fingerprint (a memo, not state: same input, same
    output)."""
    m = _MATCHERS.get(lexicon.fingerprint)
    if m is None:
        m = _MATCHERS[lexicon.fingerprint] = _build(lexicon)
    return m


_SURFACE = itemgetter(2)
_ABOUT = attrgetter("about")
_FULL = attrgetter("full")
_LOCATIVE_WORDS = frozenset("in In inside Inside near Near across Across within Within".split())
_LOCATIVE_LAST_LETTERS = "ners"  # the last letters of the locative words and of "the"


def _forms(forms: dict[str, _Form], hits: list[tuple[int, int, str]]) -> list[_Form]:
    """The form of each hit's surface (looked up as written, in C; normalised only for the rare other spelling of
    apostrophes, dashes or spaces)."""
    found = list(map(forms.get, map(_SURFACE, hits)))
    if all(found):
        return found
    return [f or forms[normalise(h[2])] for f, h in zip(found, hits)]


def _after_locative(text: str, s: int) -> bool:
    """Whether the word before ``s`` (or before "the") is "in", "inside", "near", "across" or "within".

    Most words before a place name end in another letter ("of Pakistan", "and Kabul"): one look at that letter
    answers for them, without splitting the words before.
    """
    if s < 2 or not text[s - 1].isspace():
        return False
    last = text[s - 2]
    if last not in _LOCATIVE_LAST_LETTERS and not last.isspace():
        return False
    before = text[max(0, s - 16):s]
    if "\n" in before[-2:]:
        return False
    words = before.split()
    if words and words[-1] == "the":
        words.pop()
    return bool(words) and words[-1] in _LOCATIVE_WORDS


def find_actor_mentions(text: str, spans: list[tuple[int, int]], lexicon: Lexicon, when: date | None,
                        context: str = "") -> list[dict]:
    """Actor mentions in ``text`` (an article dated ``when``, or None), one dict per mention.

    ``context`` is more of the same article that yields no mentions of its own (photo captions): a full name there
    still licenses its short form in ``text`` ("Zalmay Khalilzad" in a caption, "Khalilzad" in the body).

    Keys: sentence, sentence_index, start, end, surface, actor_id, actor_type, country, actor_name, affiliation
    (persons: the actor they act for), unit (the ministry or office an alias names), resolution (None, or how an
    ambiguous alias was read: "Afghan government @2020-05-09 → afghan_republic").

    Most mentions are plain proper names: their row is filled from the reading's precomputed columns, and the
    words around them (the alias before, the words after) are read only for the aliases whose reading depends on
    them.
    """
    m = _matcher(lexicon)
    hits = m.index.find(text)
    hit_forms = _forms(m.forms, hits)
    context_hits = m.index.find(context) if context else []
    seen = _forms(m.forms, context_hits) + hit_forms
    # countries the article names (proper names, places, demonyms), and the actors it names by a full (not short,
    # not generic) alias: the union of the few distinct sets of its forms
    about = set().union(*set(map(_ABOUT, seen)))
    named = set().union(*set(map(_FULL, seen)))
    full_names = ([-1] * len(context_hits) + [h[0] for h in hits], seen)  # for the short forms, if ambiguous
    by_date: dict[str, tuple[_Reading, str | None]] = {}  # surface of a ``fixed`` form -> its reading on ``when``
    out: list[dict] = []
    prev_start, prev_end, prev_form = -1, -1, None
    i, n_spans = 0, len(spans)
    sentence_at, sentence = -1, text
    for (s, e, surface), form in zip(hits, hit_forms):
        before_start, before_end, before = prev_start, prev_end, prev_form
        prev_start, prev_end, prev_form = s, e, form
        if not form.readings or form.place and _after_locative(text, s):
            continue
        if form.plain:
            reading, resolution = form.readings[0], None
        elif form.fixed:
            if surface not in by_date:
                by_date[surface] = _resolve(form.readings, when, surface, full_names, s)
            reading, resolution = by_date[surface]
        else:
            adjacent = before if 0 <= s - before_end <= 4 and _ADJACENT.fullmatch(text, before_end, s) else None
            readings = [r for r in form.readings if _counts(r, text, s, e, adjacent, about, named)]
            if not readings:
                continue
            reading, resolution = (_resolve(readings, when, surface, full_names, s) if len(readings) > 1
                                   else (readings[0], None))
            if reading.generic:
                resolution = f"generic, article names {reading.requires_country}"
                last = out[-1] if out else None
                if adjacent and last and last["start"] == before_start \
                        and last["actor_type"] in ("government", "state") and last["country"] == reading.row[2]:
                    s = out.pop()["start"]  # "Pakistan’s foreign office", "Pakistani military": one mention
                    surface = text[s:e]
        while i + 1 < n_spans and spans[i + 1][0] <= s:
            i += 1
        if spans and i != sentence_at:
            sentence_at, sentence = i, text[spans[i][0]:spans[i][1]]
        actor_id, actor_type, country, actor_name, affiliation, unit = reading.row
        out.append({
            "sentence": sentence, "sentence_index": sentence_at if spans else None,
            "start": s, "end": e, "surface": surface,
            "actor_id": actor_id, "actor_type": actor_type, "country": country,
            "actor_name": actor_name, "affiliation": affiliation, "unit": unit,
            "resolution": resolution,
        })
    return out


def _counts(r: _Reading, text: str, s: int, e: int, adjacent: _Form | None, about: set[str],
            named: set[str]) -> bool:
    """Whether this reading of the alias at text[s:e] stands, from the article and the words around it."""
    if r.requires_country and r.requires_country not in about:
        return False
    if r.short:
        return r.actor_id in named
    if not r.generic:
        return True
    owner = adjacent is not None and r.requires_country in adjacent.countries
    if adjacent is not None and adjacent.countries and not owner:
        return False  # "Afghan troops", "US forces": another country's
    if not r.attributive:
        return True
    after = _AFTER.match(text, e)
    word = after.group(3).lower() if after and after.group(3) else None
    if after and after.group(2) or word in _NOT_HEADS:
        return False  # "military-led", "military camp"
    return bool(owner or after and after.group(1) or _DETERMINER_BEFORE.search(text[max(0, s - 8):s])
                or word and (word in _VERBISH or word.endswith("ed")))


def _resolve(readings: list[_Reading], when: date | None, surface: str,
             full_names: tuple[list[int], list[_Form]], pos: int) -> tuple[_Reading, str | None]:
    """The reading that names the actor here, and a note when there was a choice (``full_names``: the starts and
    forms of the article's aliases, where a short form looks for the nearest full name; -1 for the context's)."""
    ids = list(dict.fromkeys(r.actor_id for r in readings))
    if len(ids) == 1:
        return readings[0], None
    if all(r.short for r in readings):
        def nearest(r: _Reading) -> tuple[int, int]:
            full = [s for s, form in zip(*full_names) if r.actor_id in form.full]
            before = bisect_left(full, pos)
            return (0, pos - full[before - 1]) if before else (1, full[0] - pos)
        best = min(readings, key=nearest)
        return best, f"{surface} → {best.actor_id} (nearest full name)"
    if when is None:
        return _default(readings), "no date: default"
    valid = [r for r in readings if r.valid_on(when)]
    if len({r.actor_id for r in valid}) == 1:
        return valid[0], f"{surface} @{when.isoformat()} → {valid[0].actor_id}"
    best = _default(valid or readings)
    return best, f"{surface} @{when.isoformat()} → {best.actor_id} (default)"


def _default(readings: list[_Reading]) -> _Reading:
    return next((r for r in readings if r.default), readings[0])


CO_MENTION_COLUMNS = ["actor_a", "actor_b", "n"]


def co_mentions(mentions: pd.DataFrame, by: str = "sentence") -> pd.DataFrame:
    """Pairs of actors named together: actor_a < actor_b, n = distinct sentences (or articles) naming both.

    ``mentions`` needs actor_id, article_id (absent: one article) and, by sentence, sentence_index.
    """
    if by not in ("sentence", "article"):
        raise ValueError(f"by must be 'sentence' or 'article', not {by!r}")
    keys = ["article_id"] + (["sentence_index"] if by == "sentence" else [])
    df = mentions if "article_id" in mentions.columns else mentions.assign(article_id="")
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n" else "object") for c in CO_MENTION_COLUMNS})
    units = df[keys + ["actor_id"]].drop_duplicates()
    pairs = units.merge(units, on=keys, suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_id_a"] < pairs["actor_id_b"]]
    out = pairs.groupby(["actor_id_a", "actor_id_b"]).size().reset_index(name="n")
    out.columns = CO_MENTION_COLUMNS
    return out.sort_values(["n", "actor_a", "actor_b"], ascending=[False, True, True], ignore_index=True)


# A run of capitalised words, with the particles names carry ("Office of the National Security Council",
# "Bilal bin Saqib", "Anwaar-ul-Haq Kakar").
_NAME = re.compile(
    r"(?<![\w'\u2019-])[A-Z][\w'\u2019-]*(?:[^\S\n]+(?:(?:of|the|bin|ibn|al|ul|ud|de|e|i)[^\S\n]+){0,2}[A-Z][\w'\u2019-]*)+"
)
_POSSESSIVE = re.compile(r"['\u2019]s$")
_LOWER_WORD = re.compile(r"(?<![\w'\u2019-])[a-z][a-z-]+")
_PARTICLES = frozenset("of the bin ibn al ul ud de e i".split())
_CALENDAR = frozenset(
    """January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul
    Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday""".split()
)
_FUNCTION_WORDS = frozenset(
    """The A An In On At By For From To Of And But Or Nor So Yet As If When While Since After Before During Despite
    Although Though However Meanwhile Also Still Only Even Just Earlier Later Then Now This That These Those It Its
    He She They We You I His Her Their Our My There Here Some Many Most Both All Any Each No Not According Under
    Over Amid Among Between Without Within Until Unlike Like Following""".split()
)
_TITLES = frozenset(
    """Mr Mrs Ms Dr President Vice Prime Minister Ministers Minister's General Gen Lt Col Maj Capt Brig Field Marshal
    Chief Chiefs Spokesperson Spokesman Spokeswoman Chairman Chairperson Commander Secretary Special Representative
    Envoy Director Governor Senator Ambassador Deputy Acting Interim Caretaker Foreign Interior Defence Defense
    Information Finance Federal Provincial Army Senior Global CEO Mullah Mufti Qari Maulana Sheikh Chief's""".split()
)


def unknown_names(text: str, spans: list[tuple[int, int]], mentions: list[dict], places: list[dict],
                  min_count: int = 1) -> list[dict]:
    """Capitalised multi-word names that no actor or place mention covers: candidates to add to the lexicon.

    Titles ("Finance Minister"), months and weekdays are cut off, and so is a sentence's first word when the text
    also uses it in lower case ("Participants of ..."). Each: name, count, first (offset of the first occurrence).
    """
    known = sorted((d["start"], d["end"]) for d in [*mentions, *places])
    known_starts = [s for s, _ in known]
    sentence_starts = {s for s, _ in spans}
    lower = set(_LOWER_WORD.findall(text))
    found: dict[str, list[int]] = {}
    for m in _NAME.finditer(text):
        for ps, pe in _uncovered(m.start(), m.end(), known, known_starts):
            for n in _NAME.finditer(text, ps, pe):
                for name, offset in _clean(n, sentence_starts, lower):
                    found.setdefault(name, []).append(offset)
    rows = [{"name": k, "count": len(v), "first": v[0]} for k, v in found.items() if len(v) >= min_count]
    return sorted(rows, key=lambda r: (-r["count"], r["first"]))


def _uncovered(start: int, end: int, known: list[tuple[int, int]], known_starts: list[int]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside the known spans."""
    pieces, pos = [], start
    for ks, ke in known[max(bisect_right(known_starts, start) - 1, 0):bisect_left(known_starts, end)]:
        if ke <= pos:
            continue
        if ks > pos:
            pieces.append((pos, ks))
        pos = max(pos, ke)
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _clean(m: re.Match, sentence_starts: set[int], lower: set[str]) -> list[tuple[str, int]]:
    """The names inside one capitalised run, split at months and weekdays, titles and opening words cut off."""
    words = [(w.start(), w.group()) for w in re.finditer(r"\S+", m.group())]
    words = [(m.start() + o, _POSSESSIVE.sub("", w)) for o, w in words]
    if words and words[0][0] in sentence_starts and (
            words[0][1] in _FUNCTION_WORDS or words[0][1].lower() in lower):
        words = words[1:]
    names, run = [], []
    for offset, w in [*words, (-1, "")]:
        if w and w not in _CALENDAR:
            run.append((offset, w))
            continue
        while run and (run[0][1] in _TITLES or run[0][1] in _FUNCTION_WORDS or run[0][1] in _PARTICLES):
            run.pop(0)
        while run and (run[-1][1] in _TITLES or run[-1][1] in _PARTICLES):
            run.pop()
        if sum(1 for _, x in run if x[:1].isupper()) >= 2:
            names.append((" ".join(x for _, x in run), run[0][0]))
        run = []
    return names
