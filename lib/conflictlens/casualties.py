"""Casualty mentions: who was killed, injured, kidnapped or arrested, how many, in what category; and the numbers
about people that are not casualties.

A small rule engine on data (``lexicon/casualties.yaml``). Within one sentence, each rule anchors on a number
(from :mod:`conflictlens.quantities`), a status word or a named person given by the caller:

- subject:      ``<Q> <victims> (who ...)? (were|have been)? <status>`` - "23 soldiers were killed", "four militants
                killed", "all six attackers who drove a truck into a camp were killed", "and hundreds injured"
- object:       ``<status verb> <Q> <victims>?`` - "killing 23 soldiers", "killed dozens this month"
- frame:        ``<verb> <Q> <victims>? <particle>`` - "left 7 dead", "sent five terrorists to hell"
- nominal:      ``<status noun> of <Q | person>`` - "the death of 12", "the kidnapping of Frerichs"
- toll:         "the death toll rose to 45"
- count noun:   ``<Q> <bodies|deaths|fatalities>`` - "six bodies"
- person:       "killed Qari Amjad", "Frerichs ... was kidnapped", "Amjad's death" (one victim)
- coordination: "two Levies men and a policeman were martyred", "killing three soldiers and two civilians"

A number without a victim noun takes the category of the casualty before it in the sentence ("12 soldiers were
killed and 30 injured"), else ``people``. Hypothetical, future, denied and negated statements make no row
("could kill", "threatened to kill", "no one was killed": a zero is not a casualty mention), nor does a number
with a unit ("$38 billion", "a 48-hour truce", "2,600-kilometre").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import yaml

from . import paths
from .quantities import Quantity, alternation, find_quantities

_LEX: dict = yaml.safe_load((paths.LEXICON / "casualties.yaml").read_text(encoding="utf-8"))

_SP = r"[^\S\n]+"
_END = r"(?![\w’'\-])"  # end of a word, hyphenated words included
_DASHES = re.escape("-\u2010\u2011\u2012\u2013\u2014")  # for character classes


def _norm(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _table(kind: str) -> dict[str, str]:
    """Status phrase of one kind (passive, active, ...) -> status."""
    return {_norm(p): status for status, kinds in _LEX["statuses"].items() for p in kinds.get(kind, [])}


_PASSIVE = _table("passive")
_INTRANSITIVE = _table("intransitive")
_ACTIVE = _table("active")
_NOMINAL = _table("nominal")
_COUNT_NOUNS = _table("count_nouns")
_POSSESSIVE = _table("possessive")
_VICTIMS = {_norm(n): cat for cat, nouns in _LEX["victims"].items() for n in nouns}
_MODIFIERS = {_norm(m): cat for cat, mods in _LEX["category_modifiers"].items() for m in mods}
_FUNCTION_WORDS = frozenset(_norm(w) for w in _LEX["function_words"])
_PASSIVE_AUX = frozenset(_norm(a) for a in _LEX["passive_aux"])

# --- the grammar's pieces --------------------------------------------------------------------------------------
_STOP = alternation(_FUNCTION_WORDS)
_VICTIM = alternation(_VICTIMS)
_MOD = rf"(?:(?!(?:{_STOP}){_END})(?![0-9])[\w’'\-]+|[0-9]+[{_DASHES}]years?[{_DASHES}]olds?)"  # "23-year-old"
_MODS = rf"{_MOD}(?:{_SP}{_MOD}){{0,2}}"
_NP = rf"(?:{_SP}of(?:{_SP}(?:the|these|those))?)?(?:{_SP}(?P<mods>{_MODS}))?{_SP}(?P<victim>{_VICTIM}){_END}"
_THEM = rf"(?P<them>{_SP}of{_SP}(?:them|those|whom){_END})"
_AUX = alternation([*_LEX["passive_aux"], *_LEX["perfect_aux"]])
_ADV = rf"(?:{_SP}(?!not\b|never\b)(?:{alternation(_LEX['adverbs'])}|\w+ly){_END}){{0,2}}"
_STATUS_AFTER = alternation([*_PASSIVE, *_INTRANSITIVE])
_DET = rf"(?:{_SP}(?:the|their|his|her|its|our|all{_SP}the))?{_SP}"

_SUBJECT = re.compile(
    rf"(?:{_THEM}|{_NP}|{_SP}more{_END})?"
    rf"(?P<paren>[^\S\n]*,[^,.;:!?\n]{{1,80}}?,)?"
    rf"(?P<rel>(?:[^\S\n]*,)?{_SP}(?:who|that|which){_END}[^.;:!?\n]{{0,120}}?)?"
    rf"(?:{_SP}(?P<aux>{_AUX}){_END})?{_ADV}"
    rf"{_SP}(?P<status>{_STATUS_AFTER}){_END}",
    re.IGNORECASE,
)
_OBJECT_NP = re.compile(rf"(?:{_THEM}|{_NP})?", re.IGNORECASE)
_ACTIVE_VERB = re.compile(rf"(?<![\w’'\-])(?P<verb>{alternation(_ACTIVE)}){_END}", re.IGNORECASE)
_NOMINAL_OF = re.compile(rf"(?<![\w’'\-])(?P<verb>{alternation(_NOMINAL)}){_SP}of{_END}", re.IGNORECASE)
_TOLL = re.compile(
    rf"(?<![\w’'\-])(?P<verb>{alternation(_LEX['toll']['nouns'])})"
    rf"(?:{_SP}(?:from|in){_END}[^.;:!?\d\n]{{1,40}}?)?"  # "the death toll from Friday's blast has risen to 57"
    rf"(?:{_SP}(?:{alternation(_LEX['toll']['links'])})){{1,4}}{_END}",
    re.IGNORECASE,
)
_COUNT = re.compile(rf"(?:{_SP}(?P<mods>{_MOD}(?:{_SP}{_MOD})?))?{_SP}(?P<status>{alternation(_COUNT_NOUNS)}){_END}",
                    re.IGNORECASE)
_DETERMINER = re.compile(_DET, re.IGNORECASE)
_ARTICLE = re.compile(rf"(?<![\w’'\-])an?(?=(?:{_SP}{_MOD}){{0,3}}{_SP}(?:{_VICTIM}){_END})", re.IGNORECASE)
_COORD = re.compile(rf"[^\S\n]*,[^\S\n]*(?:and{_SP})?|{_SP}(?:and|or){_SP}", re.IGNORECASE)
_NEXT_WORD = re.compile(r"[^\S\n]*([\w’'\-]+)")
_GLUED = re.compile(rf"[{_DASHES}][^\W\d_]")
_OBJECT_AFTER = re.compile(
    rf"(?:the|a|an|his|her|their|its|him|them|our|several|dozens|scores|hundreds|thousands|many|{_VICTIM}){_END}",
    re.IGNORECASE,
)
_NEGATED = re.compile(rf"(?<![\w’'])(?:{alternation(_LEX['negators'])}){_SP}$", re.IGNORECASE)
_BLOCKED = re.compile(
    rf"(?<![\w’'])(?:{alternation(_LEX['blockers'])}|\w+n['’]t)(?:{_SP}(?:{alternation(_LEX['blocker_fillers'])}))*"
    rf"{_SP}$",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(rf"(?<![\w’'])(?:{alternation(_LEX['conditionals'])}){_SP}$", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(rf"\b(?:{alternation(_LEX['clause_breaks'])})\b", re.IGNORECASE)
_MODIFIER = re.compile(rf"(?<![\w’'\-])(?:{alternation(_MODIFIERS)}){_END}", re.IGNORECASE)
_VICTIM_IN = re.compile(rf"(?<![\w’'\-])(?:{_VICTIM}){_END}", re.IGNORECASE)

# Person rules: the text before the person ("killed", "the kidnapping of") and after it ("... was kidnapped").
_TITLES = rf"(?:{_SP}(?:the|a|an))?(?:{_SP}{_MOD}){{0,5}}{_SP}$"
_PERSON_ACTIVE = re.compile(rf"(?<![\w’'\-])(?P<verb>{alternation(_ACTIVE)}){_TITLES}", re.IGNORECASE)
_PERSON_NOMINAL = re.compile(rf"(?<![\w’'\-])(?P<verb>{alternation(_NOMINAL)}){_SP}of{_TITLES}", re.IGNORECASE)
_PERSON_PASSIVE = re.compile(
    rf"(?P<gap>(?:{_SP}of{_SP}(?-i:[A-Z])[\w’'\-]*(?:{_SP}(?-i:[A-Z])[\w’'\-]*)*)?"
    rf"(?:[^\S\n]*,[^,.;:!?\n]{{1,80}}?,)?"
    rf"(?:(?:[^\S\n]*,)?{_SP}(?:who|that){_END}[^.;:!?\n]{{0,80}}?)?)"
    rf"(?:{_SP}(?P<aux>{_AUX}){_END})?{_ADV}{_SP}(?P<status>{_STATUS_AFTER}){_END}",
    re.IGNORECASE,
)
_PERSON_POSSESSIVE = re.compile(
    rf"['’]s?(?:{_SP}[a-z]+)?{_SP}(?P<status>{alternation(_POSSESSIVE)}){_END}", re.IGNORECASE)


def _frames() -> list[tuple[re.Pattern, re.Pattern, str]]:
    out = []
    for f in _LEX["frames"]:
        verb = re.compile(rf"(?<![\w’'\-])(?P<verb>{alternation(f['verbs'])}){_END}", re.IGNORECASE)
        tail = re.compile(rf"(?:{_NP})?{_SP}(?P<status>{alternation(f['after'])}){_END}", re.IGNORECASE)
        out.append((verb, tail, f["status"]))
    return out


_FRAMES = _frames()


def _anchor_rules() -> dict[str, list[tuple[re.Pattern, str | dict[str, str], re.Pattern | None]]]:
    """First word of a verb-anchored rule -> [(pattern matched there, status or phrase table, tail for frames)]."""
    rules: dict[str, list] = {}

    def add(phrases, pattern: re.Pattern, status, tail: re.Pattern | None = None) -> None:
        for first in {_norm(p).split(" ")[0] for p in phrases}:
            if (pattern, status, tail) not in rules.setdefault(first, []):
                rules[first].append((pattern, status, tail))

    for (verb_re, tail, status), f in zip(_FRAMES, _LEX["frames"]):
        add(f["verbs"], verb_re, status, tail)
    add(_ACTIVE, _ACTIVE_VERB, _ACTIVE)
    add(_NOMINAL, _NOMINAL_OF, _NOMINAL)
    add(_LEX["toll"]["nouns"], _TOLL, "killed")
    return rules


_ANCHOR_RULES = _anchor_rules()
_ANCHOR_SRC = rf"(?<![\w’'\-])(?:{alternation(_ANCHOR_RULES)})(?![\w’'\-])"
_ANCHOR = re.compile(_ANCHOR_SRC)  # on the lower-cased sentence: a trie scan, no case folding
_ANCHOR_ANYCASE = re.compile(_ANCHOR_SRC, re.IGNORECASE)


def _key_word(phrase: str) -> str:
    """The word of a status phrase that the fast scan looks for: the longest (the last of equals)."""
    words = phrase.split(" ")
    return max(reversed(words), key=len)


_TRIGGER_WORDS = {
    _key_word(p)
    for table in (_PASSIVE, _INTRANSITIVE, _ACTIVE, _NOMINAL, _COUNT_NOUNS, _POSSESSIVE)
    for p in table
} | {_key_word(_norm(a)) for f in _LEX["frames"] for a in f["after"]} | {"toll"}
_TRIGGER = re.compile(rf"\b(?:{alternation(_TRIGGER_WORDS)})\b")
_TRIGGER_ANYCASE = re.compile(_TRIGGER.pattern, re.IGNORECASE)


# --- non-casualty rules ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Rule:
    reason: str
    hard: bool
    before: re.Pattern | None
    after: re.Pattern | None
    nouns: re.Pattern | None
    sentence: tuple[str, ...]


def _rules() -> list[_Rule]:
    out = []
    for r in _LEX["non_casualties"]:
        before = r.get("before")
        after = r.get("after")
        nouns = r.get("nouns")
        out.append(_Rule(
            reason=r["reason"],
            hard=bool(r.get("hard")),
            before=re.compile(rf"(?<![\w’'])(?:{alternation(before)})[^\S\n]*$", re.IGNORECASE) if before else None,
            after=re.compile(rf"(?:[^\S\n]*|[{_DASHES}])(?:{alternation(after)})(?!\w)", re.IGNORECASE)
            if after else None,
            nouns=re.compile(rf"(?:{_SP}of)?(?:{_SP}{_MOD}){{0,2}}{_SP}(?:{alternation(nouns)}){_END}", re.IGNORECASE)
            if nouns else None,
            sentence=tuple(_norm(w) for w in r.get("sentence", [])),
        ))
    return out


_RULES = _rules()
# Every hard rule in one pattern before and one after the number: the casualty rules only ask "is it a unit?".
_HARD_BEFORE = re.compile("|".join(r.before.pattern for r in _RULES if r.hard and r.before), re.IGNORECASE)
_HARD_AFTER = re.compile("|".join(r.after.pattern for r in _RULES if r.hard and r.after), re.IGNORECASE)


def _non_casualty(text: str, s: int, e: int, lower_sentence: str, q: Quantity) -> tuple[str, int, int] | None:
    """(reason, start, end) of the first non-casualty rule that ``q`` (offsets into ``text``) meets inside its
    sentence ``text[s:e]``; the span includes the evidence ("$38 billion", "freed 207")."""
    for rule in _RULES:
        if rule.before:
            m = rule.before.search(text, max(s, q.start - 16), q.start)
            if m:
                return rule.reason, m.start(), q.end
        if rule.after:
            m = rule.after.match(text, q.end, e)
            if m:
                return rule.reason, q.start, m.end()
        if rule.nouns and (not rule.sentence or any(w in lower_sentence for w in rule.sentence)):
            m = rule.nouns.match(text, q.end, e)
            if m:
                return rule.reason, q.start, m.end()
    return None


# --- one sentence ----------------------------------------------------------------------------------------------
@dataclass
class _Hit:
    """A casualty found in a sentence, offsets local to the sentence."""

    start: int
    end: int
    status: str
    key: int  # the number's start, or the person's start
    kind: str  # subject | object | person
    quantity: Quantity | None
    category: str | None
    victim: str | None
    person: bool = False


def _category(victim: str | None, mods: str | None) -> str | None:
    """The victims' category from their noun, a modifier deciding a "people" noun ("militant commanders")."""
    if victim is None:
        return None
    cat = _VICTIMS[_norm(victim)]
    if cat == "people":
        return _category_from_mods(mods) or cat
    return cat


def _category_from_mods(mods: str | None) -> str | None:
    """Category named by modifiers ("TTP commanders", "soldier deaths", "civilian fatalities"), if any."""
    if not mods:
        return None
    m = _MODIFIER.search(mods) or _VICTIM_IN.search(mods)
    if not m:
        return None
    found = _MODIFIERS.get(_norm(m.group(0))) or _VICTIMS.get(_norm(m.group(0)))
    return found if found != "people" else None


def _victim_text(m: re.Match) -> str | None:
    if not m.groupdict().get("victim"):
        return None
    return f"{m.group('mods')} {m.group('victim')}" if m.group("mods") else m.group("victim")


def _blocked(sent: str, pos: int) -> bool:
    """Hypothetical, future, denied or prevented: "could kill", "threatened to kill", "to prevent the deaths of"."""
    return _BLOCKED.search(sent, max(0, pos - 60), pos) is not None


def _counts_something_else(sent: str, end: int) -> bool:
    """A bare number followed by a noun that is not a victim ("captured 3 posts") or glued to one ("5-member")."""
    if _GLUED.match(sent, end):
        return True
    w = _NEXT_WORD.match(sent, end)
    return bool(w) and w.start(1) > end and w.group(1).lower() not in _FUNCTION_WORDS


def _is_followed_by_object(sent: str, pos: int, usable: dict[int, Quantity], person_spans: list) -> bool:
    """After a bare "killed": an object ("killed two soldiers", "killed the guards", "killed Qari Amjad") makes
    it active."""
    nxt = _NEXT_WORD.match(sent, pos)
    if nxt is None or nxt.start(1) == pos:
        return False
    start = nxt.start(1)
    return start in usable or any(ps == start for ps, _ in person_spans) or bool(_OBJECT_AFTER.match(sent, start))


def _quantities(sent: str, convention: str) -> list[Quantity]:
    """Numbers of the sentence, with "a"/"an" before a victim noun read as one ("a soldier was martyred")."""
    qs = find_quantities(sent, convention)
    starts = {q.start for q in qs}
    for m in _ARTICLE.finditer(sent):
        if m.start() not in starts and not any(q.start < m.start() < q.end for q in qs):
            qs.append(Quantity(1.0, 1.0, 1.0, False, None, m.start(), m.end(), m.group(0)))
    return sorted(qs, key=lambda q: q.start)


def _sentence_hits(sent: str, persons: list[dict], convention: str) -> list[_Hit]:
    """Every casualty mention of one sentence (local offsets), before categories are inherited."""
    lower = sent.lower()
    person_spans = [(p["start"], p["end"]) for p in persons]
    usable: dict[int, Quantity] = {}
    for q in _quantities(sent, convention):
        if _NEGATED.search(sent, max(0, q.start - 12), q.start) or \
                _HARD_BEFORE.search(sent, max(0, q.start - 16), q.start) or _HARD_AFTER.match(sent, q.end):
            continue  # "no one", "$38 billion", "a 48-hour truce"
        usable[q.start] = q
    if not usable and not persons:
        return []  # every rule counts a number or a named person
    hits: list[_Hit] = []
    objects: set[int] = set()  # numbers already read as the object of a status verb

    def inside(a: int, b: int) -> bool:
        return any(a <= ps < b for ps, _ in person_spans) or any(a <= qs < b for qs in usable)

    def object_at(verb: re.Match, status: str, tail: re.Pattern = _OBJECT_NP) -> None:
        """The number right after a verb (through an optional determiner) with its victims, as one hit."""
        det = _DETERMINER.match(sent, verb.end())
        q = usable.get(det.end()) if det else None
        if q is None or _blocked(sent, verb.start()):
            return
        m = tail.match(sent, q.end)
        if m is None:
            return
        victim = _victim_text(m)
        if victim is None and not m.groupdict().get("them") and tail is _OBJECT_NP \
                and _counts_something_else(sent, q.end):
            return
        hits.append(_Hit(verb.start(), max(m.end(), q.end), status, q.start, "object", q,
                         _category(m.group("victim"), m.group("mods")), victim))
        objects.add(q.start)

    anchors = _ANCHOR.finditer(lower) if len(lower) == len(sent) else _ANCHOR_ANYCASE.finditer(sent)
    for a in anchors:
        for pattern, status, tail in _ANCHOR_RULES[a.group(0).lower()]:
            v = pattern.match(sent, a.start())
            if v:
                object_at(v, status if isinstance(status, str) else status[_norm(v.group("verb"))],
                          tail or _OBJECT_NP)

    for q in usable.values():
        if q.start in objects:
            continue  # "militants who killed 2 soldiers were arrested": the 2 are the object of "killed"
        m = _COUNT.match(sent, q.end)
        if m:
            hits.append(_Hit(q.start, m.end(), _COUNT_NOUNS[_norm(m.group("status"))], q.start, "subject", q,
                             _category_from_mods(m.group("mods")), m.group("mods")))
            continue
        m = _SUBJECT.match(sent, q.end)
        if m is None or _CONDITIONAL.search(sent, max(0, q.start - 12), q.start):
            continue  # "if 12 soldiers were killed"
        phrase = _norm(m.group("status"))
        aux = _norm(m.group("aux")) if m.group("aux") else None
        passive = phrase in _PASSIVE
        if aux is not None and passive and aux not in _PASSIVE_AUX:
            continue  # "23 soldiers had killed": active
        if m.group("rel") is not None:
            rel_s, rel_e = m.span("rel")
            if aux is None or _CLAUSE_BREAK.search(sent, rel_s, rel_e) or inside(rel_s + 1, rel_e):
                continue
        if aux is None and passive and _is_followed_by_object(sent, m.end(), usable, person_spans):
            continue  # "five militants killed two soldiers": active
        status = (_PASSIVE if passive else _INTRANSITIVE)[phrase]
        hits.append(_Hit(q.start, m.end(), status, q.start, "subject", q, _category(m.group("victim"), m.group("mods")),
                         _victim_text(m)))

    hits += _person_hits(sent, persons)
    hits += _coordinated(sent, usable, hits)
    return hits


def _person_hits(sent: str, persons: list[dict]) -> list[_Hit]:
    """One victim named by the caller: "killed Qari Amjad", "Frerichs ... was kidnapped", "Amjad’s death"."""
    hits = []
    starts = [p["start"] for p in persons]
    for p in persons:
        ps, pe = p["start"], p["end"]
        others = [o for o in starts if o != ps]
        victim = p.get("surface") or sent[ps:pe]
        cat = p.get("victim_category") or "people"
        for rule, table in ((_PERSON_ACTIVE, _ACTIVE), (_PERSON_NOMINAL, _NOMINAL)):
            m = rule.search(sent, max(0, ps - 120), ps)
            if m and not _blocked(sent, m.start()) and not any(m.start() <= o < ps for o in others):
                hits.append(_Hit(m.start(), pe, table[_norm(m.group("verb"))], ps, "person", None, cat, victim, True))
                break
        m = _PERSON_PASSIVE.match(sent, pe)
        if m:
            phrase = _norm(m.group("status"))
            aux = _norm(m.group("aux")) if m.group("aux") else None
            passive = phrase in _PASSIVE
            gap_s, gap_e = m.span("gap")
            ok = not any(gap_s <= o < gap_e for o in others) and not _CLAUSE_BREAK.search(sent, gap_s, gap_e)
            if passive and aux is not None and aux not in _PASSIVE_AUX:
                ok = False  # "Amjad had killed": active
            if passive and aux is None and (m.group("gap") or _is_followed_by_object(sent, m.end(), {}, [])):
                ok = False
            if ok:
                hits.append(_Hit(ps, m.end(), (_PASSIVE if passive else _INTRANSITIVE)[phrase], ps, "person", None,
                                 cat, victim, True))
        m = _PERSON_POSSESSIVE.match(sent, pe)
        if m:
            hits.append(_Hit(ps, m.end(), _POSSESSIVE[_norm(m.group("status"))], ps, "person", None, cat, victim,
                             True))
    return hits


def _coordinated(sent: str, usable: dict[int, Quantity], hits: list[_Hit]) -> list[_Hit]:
    """Numbers joined by "and" or commas to a casualty share its status: "two Levies men and a policeman were
    martyred" (forward, to a subject), "killing three soldiers and two civilians" (backward, from an object).
    Only numbers with a victim noun of their own join a list."""
    if len(usable) < 2:
        return []
    taken = {h.key for h in hits}
    subjects = {h.key: h for h in hits if h.kind == "subject"}
    objects = {h.key: h for h in hits if h.kind == "object"}
    ordered = sorted(usable.values(), key=lambda q: q.start)
    nps = {q.start: _OBJECT_NP.match(sent, q.end) for q in ordered}
    out: list[_Hit] = []
    for q in reversed(ordered):  # forward: the status comes after the list
        m = nps[q.start]
        if q.start in taken or not m.group("victim") or not _opens_subject(sent, q.start):
            continue
        c = _COORD.match(sent, m.end())
        nxt = subjects.get(c.end()) if c else None
        if nxt is not None:
            h = _Hit(q.start, nxt.end, nxt.status, q.start, "subject", q, _category(m.group("victim"), m.group("mods")),
                     _victim_text(m))
            out.append(h)
            subjects[q.start] = h
            taken.add(q.start)
    for prev, q in zip(ordered, ordered[1:]):  # backward: the status verb comes before the list
        m = nps[q.start]
        ph = objects.get(prev.start)
        if q.start in taken or ph is None or not m.group("victim"):
            continue
        c = _COORD.match(sent, ph.end)
        if c and c.end() == q.start:
            h = _Hit(q.start, m.end(), ph.status, q.start, "object", q, _category(m.group("victim"), m.group("mods")),
                     _victim_text(m))
            out.append(h)
            objects[q.start] = h
            taken.add(q.start)
    return out


def _opens_subject(sent: str, pos: int) -> bool:
    """A number can open a subject list at the sentence's start or after a function word or a comma ("In the
    attack, 12 soldiers and 4 civilians were killed"), not after a verb ("deployed 500 troops and ...")."""
    before = sent[:pos].rstrip()
    if not before or not before[-1].isalnum():
        return True
    return before.split()[-1].lower() in _FUNCTION_WORDS


def _section(start: int, body_start: int, title_end: int | None) -> str:
    if title_end is not None and start < title_end:
        return "title"
    return "summary" if start < body_start else "body"


def _candidate_sentences(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the sentences holding a status word, in text order (a trie scan of the lower-cased text)."""
    lower = text.lower()
    scan = _TRIGGER
    if len(lower) != len(text):  # a character whose lower case is longer: scan the text itself
        lower, scan = text, _TRIGGER_ANYCASE
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    return [i for i in order if scan.search(lower, spans[i][0], spans[i][1])]


def find_casualties(text: str, spans: list[tuple[int, int]], persons: list[dict] | None = None,
                    convention: str = "acled", body_start: int = 0, title_end: int | None = None) -> list[dict]:
    """One row per casualty mention in ``text`` (sentences ``spans``), ordered by offset.

    ``persons``: person mentions of this text (start, end, surface, victim_category, ...). Each row: sentence,
    sentence_index, start, end, surface, status, category, best, low, high, vague, qualifier, victim,
    victim_is_person, section.
    """
    persons = sorted(persons or [], key=lambda p: p["start"])
    person_starts = [p["start"] for p in persons]
    rows: list[dict] = []
    for si in _candidate_sentences(text, spans):
        s, e = spans[si]
        sent = text[s:e]
        lo, hi = bisect_left(person_starts, s), bisect_left(person_starts, e)
        local = [dict(p, start=p["start"] - s, end=min(p["end"], e) - s) for p in persons[lo:hi]]
        hits = sorted(_sentence_hits(sent, local, convention), key=lambda h: (h.start, h.end))
        seen: set[tuple[int, str]] = set()
        last_category: str | None = None
        for h in hits:
            if (h.key, h.status) in seen:
                continue
            seen.add((h.key, h.status))
            category = h.category or last_category or "people"
            last_category = category
            q = h.quantity
            start, end = s + h.start, s + h.end
            rows.append({
                "sentence": sent, "sentence_index": si, "start": start, "end": end, "surface": text[start:end],
                "status": h.status, "category": category,
                "best": q.best if q else 1.0, "low": q.low if q else 1.0, "high": q.high if q else 1.0,
                "vague": q.vague if q else False, "qualifier": q.qualifier if q else None,
                "victim": h.victim, "victim_is_person": h.person,
                "section": _section(start, body_start, title_end),
            })
    return rows


def find_non_casualties(text: str, spans: list[tuple[int, int]], convention: str = "acled") -> list[dict]:
    """Numbers in ``text`` that are not casualties, with the reason: money, percent, age, distance, duration,
    votes, weight, released, prisoners, displaced. A number that is part of a casualty mention is never listed.

    Each row: sentence, sentence_index, start, end, surface (the number with its evidence: "$38 billion",
    "freed 207", "5,000 prisoners"), reason, best.
    """
    casualties = [(c["start"], c["end"]) for c in find_casualties(text, spans, None, convention)]
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    starts = [spans[i][0] for i in order]
    rows = []
    for q in find_quantities(text, convention):
        k = bisect_right(starts, q.start) - 1
        if k < 0:
            continue
        si = order[k]
        s, e = spans[si]
        if q.end > e or any(a < q.end and q.start < b for a, b in casualties):
            continue
        found = _non_casualty(text, s, e, text[s:e].lower(), q)
        if found:
            reason, a, b = found
            rows.append({"sentence": text[s:e], "sentence_index": si, "start": a, "end": b, "surface": text[a:b],
                         "reason": reason, "best": q.best})
    return rows
