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
- adjective:    ``<Q> <status adjective> <victims>`` - "37 wounded passengers were taken to hospital"
- part:         ``<casualty>, including <Q> <victims>`` - "killing 26 people, including 14 soldiers": the part
                keeps the whole's status (the incident's total stays the whole's, see incidents._totals)

A number without a victim noun takes the category of the casualty before it in the sentence ("12 soldiers were
killed and 30 injured"), else ``people``. Hypothetical, future, denied and negated statements make no row
("could kill", "threatened to kill", "no one was killed": a zero is not a casualty mention), nor does a number
with a unit ("$38 billion", "a 48-hour truce", "2,600-kilometre").

Since every rule needs a status phrase and a number, an "a"/"an" before a victim noun or a named person, only the
sentences that have them are read, found by fast scans (see "fast scans of the folded text").
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

import yaml

from . import paths
from .quantities import (BLANKS, QUALIFIER_PHRASES, START_WORDS, Quantity, alternation, find_quantities, fold,
                         has_ascii_lookalike)

_LEX: dict = yaml.safe_load((paths.LEXICON / "casualties.yaml").read_text(encoding="utf-8"))

_SP = r"[^\S\n]+"
_END = r"(?![\w’'\-])"  # end of a word, hyphenated words included
_DASHES = re.escape("-\u2010\u2011\u2012\u2013\u2014")  # for character classes


# Letters that case-insensitive matching equates with ASCII ones ("militantſ" matches "militants"): the lookup
# key must equate them too.
_LOOKALIKES = str.maketrans({"ſ": "s", "ı": "i", "\u212a": "k", "İ": "i"})


@functools.lru_cache(maxsize=4096)
def _norm(phrase: str) -> str:
    """The lookup key of a phrase: look-alikes folded, lower case, single spaces. Cached: the rules' phrases
    ("killed", "were", "soldiers") recur in every text."""
    return " ".join(phrase.translate(_LOOKALIKES).lower().split())


def _table(kind: str) -> dict[str, str]:
    """Status phrase of one kind (passive, active, ...) -> status."""
    return {_norm(p): status for status, kinds in _LEX["statuses"].items() for p in kinds.get(kind, [])}


_PASSIVE = _table("passive")
_INTRANSITIVE = _table("intransitive")
_ACTIVE = _table("active")
_NOMINAL = _table("nominal")
_COUNT_NOUNS = _table("count_nouns")
_POSSESSIVE = _table("possessive")
_ADJECTIVE = _table("adjective")
_VICTIMS = {_norm(n): cat for cat, nouns in _LEX["victims"].items() for n in nouns}
_MODIFIERS = {_norm(m): cat for cat, mods in _LEX["category_modifiers"].items() for m in mods}
_FUNCTION_WORDS = frozenset(_norm(w) for w in _LEX["function_words"])
_PASSIVE_AUX = frozenset(_norm(a) for a in _LEX["passive_aux"])

# --- the grammar's pieces --------------------------------------------------------------------------------------
_STOP = alternation(_FUNCTION_WORDS)
_VICTIM = alternation(_VICTIMS)
_PLURAL_WORDS = frozenset("people police personnel troops children women taliban levies khwarij khawarij passersby "
                          "passers-by paramilitaries".split())
_SINGULAR_VICTIM = alternation([v for v in _VICTIMS if not (v.split()[-1] in _PLURAL_WORDS or v.endswith(("s", "men")))])
_MOD = rf"(?:(?!(?:{_STOP}){_END})(?![0-9])[\w’'\-]++|[0-9]+[{_DASHES}]years?[{_DASHES}]olds?)"  # "23-year-old"
_MODS = rf"{_MOD}(?:{_SP}{_MOD}){{0,2}}"
# victims of two nouns joined: "14 soldiers and policemen were martyred" (their category: the nouns' common one)
_NP = (rf"(?:{_SP}of(?:{_SP}(?:the|these|those))?)?(?:{_SP}(?P<mods>{_MODS}))?"
       rf"{_SP}(?P<victim>(?:{_VICTIM})(?:{_END}{_SP}(?:and|or){_SP}(?:{_VICTIM}))?){_END}")
_THEM = rf"(?P<them>{_SP}of{_SP}(?:them|those|whom){_END})"
_AUX = alternation([*_LEX["passive_aux"], *_LEX["perfect_aux"]])
_ADV = rf"(?:{_SP}(?!not\b|never\b)(?:{alternation(_LEX['adverbs'])}|\w+ly){_END}){{0,2}}"
_STATUS_AFTER = alternation([*_PASSIVE, *_INTRANSITIVE])
_DET = rf"(?:{_SP}(?:the|their|his|her|its|our|all{_SP}the))?{_SP}"

_SUBJECT = (
    rf"(?:{_THEM}|{_NP}|{_SP}more{_END})?"
    # whose victims: "four terrorists of Fitna al Hindustan were killed", "two soldiers belonging to the FC"
    rf"(?:{_SP}(?:of|from|belonging{_SP}to|affiliated{_SP}with|linked{_SP}to){_END}(?:{_SP}[\w’'\-]+){{1,6}}?)?"
    # an aside between commas, one or two: "a soldier, Sepoy Muhammad Ali, 24, embraced martyrdom"
    rf"(?P<paren>(?:[^\S\n]*,[^,.;:!?\n]{{1,80}}?){{1,2}},)?"
    rf"(?P<rel>(?:[^\S\n]*,)?{_SP}(?:who|that|which){_END}[^.;:!?\n]{{0,120}}?)?"
    rf"(?:{_SP}(?P<aux>{_AUX}){_END})?{_ADV}"
    rf"{_SP}(?P<status>{_STATUS_AFTER}){_END}"
)
_TOLL = (
    rf"(?<![\w’'\-])(?P<verb>{alternation(_LEX['toll']['nouns'])})"
    rf"(?:{_SP}(?:from|in){_END}[^.;:!?\d\n]{{1,80}}?)?"  # "the death toll from Friday's blast has risen to 57"
    rf"(?:{_SP}(?:{alternation(_LEX['toll']['links'])})){{1,4}}{_END}"
    # a number next ("rose to 17", "at least 17"): the words between the noun and the links then run on past a link
    # word that is not followed by one ("the death toll from the bombing at a mosque in Peshawar rose to 17")
    rf"(?={_SP}(?:[0-9]|(?:{alternation([*START_WORDS, *QUALIFIER_PHRASES])}){_END}))"
)
_TITLES = rf"(?:{_SP}(?:the|a|an))?(?:{_SP}{_MOD}){{0,5}}{_SP}$"  # between a verb and the person it names
_NEXT_WORD = re.compile(r"[^\S\n]*([\w’'\-]+)")
_GLUED = re.compile(rf"[{_DASHES}][^\W\d_]")
_MODIFIER = re.compile(rf"(?<![\w’'\-])(?:{alternation(_MODIFIERS)}){_END}", re.IGNORECASE)
_VICTIM_IN = re.compile(rf"(?<![\w’'\-])(?:{_VICTIM}){_END}", re.IGNORECASE)
# "Frerichs ... was kidnapped": matched on the sentence itself, for the capitals of "the kidnapping of Qari Amjad".
_PERSON_PASSIVE = re.compile(
    rf"(?P<gap>(?:{_SP}of{_SP}(?-i:[A-Z])[\w’'\-]*(?:{_SP}(?-i:[A-Z])[\w’'\-]*)*)?"
    rf"(?:[^\S\n]*,[^,.;:!?\n]{{1,80}}?,)?"
    rf"(?:(?:[^\S\n]*,)?{_SP}(?:who|that){_END}[^.;:!?\n]{{0,80}}?)?)"
    rf"(?:{_SP}(?P<aux>{_AUX}){_END})?{_ADV}{_SP}(?P<status>{_STATUS_AFTER}){_END}",
    re.IGNORECASE,
)


class _WordsBefore:
    """Words that end just before a position, then blanks ("no" before "one", "could" before "kill"): an
    end-anchored pattern searched in the ``width`` characters before the position. A cheap test goes first: the
    lower-cased text before the blanks must end like one of the words (a non-ASCII one always gets the search)."""

    def __init__(self, pattern: str, last_words: set[str], width: int, flags: int) -> None:
        self.pattern = re.compile(pattern, flags)
        self.last_words = tuple(last_words)
        self.width = width

    def found(self, text: str, pos: int) -> bool:
        lo = max(0, pos - self.width)
        before = text[lo:pos]
        if before.endswith("\n"):  # "$" matches before a final line break too
            before = before[:-1]
        before = before.rstrip(BLANKS)
        if before.isascii() and not before.lower().endswith(self.last_words):
            return False
        return self.pattern.search(text, lo, pos) is not None


def _last_words(phrases) -> set[str]:
    return {_norm(p).split(" ")[-1] for p in phrases}


_HARD = [r for r in _LEX["non_casualties"] if r.get("hard")]


# The nouns that name the victims of a toll as a group, and the status they give: "of the dead", "among the injured".
_GROUP_NOUNS = {"dead": "killed", "killed": "killed", "deceased": "killed", "fatalities": "killed",
                "injured": "injured", "wounded": "injured"}


class _Grammar:
    """The rules' patterns, compiled for one way of matching a sentence: ``_ANYCASE`` case-insensitively on the
    sentence itself, exact for any text, and ``_LOWER`` case-sensitively on its lower-cased copy. ``_LOWER`` finds
    the same matches at the same offsets when lower-casing keeps every offset and no character is one that
    IGNORECASE reads as an ASCII letter ("ſ"); it is about twice as fast (IGNORECASE compares character by
    character and tries every alternative of a trie). Words of a match that make output are cut from the sentence.
    """

    def __init__(self, flags: int) -> None:
        def c(pattern: str) -> re.Pattern:
            return re.compile(pattern, flags)

        self.subject = c(_SUBJECT)
        self.object_np = c(rf"(?:{_THEM}|{_NP})?")
        self.count = c(rf"(?:{_SP}(?P<mods>{_MOD}(?:{_SP}{_MOD})?))?{_SP}(?P<status>{alternation(_COUNT_NOUNS)}){_END}")
        self.determiner = c(_DET)
        self.adjectival = c(rf"{_SP}(?P<status>{alternation(_ADJECTIVE)}){_NP}" if _ADJECTIVE else r"(?!)")
        self.including = c(rf"[^\S\n]*,?(?:{_SP}and)?{_SP}(?:including|among{_SP}them|among{_SP}whom|of{_SP}whom|"
                           rf"of{_SP}them){_SP}")
        self.article = c(rf"(?<![\w’'\-])an?(?=(?:{_SP}{_MOD}){{0,3}}{_SP}(?:{_VICTIM}){_END})")
        # "five Chinese nationals and their Pakistani driver": a possessive before a singular victim noun, joined to
        # a list by "and", is one too
        self.possessive_one = c(rf"(?<![\w’'\-])and{_SP}(?P<det>his|her|their|its)"
                                rf"(?=(?:{_SP}{_MOD}){{0,3}}{_SP}(?:{_SINGULAR_VICTIM}){_END})")
        # a part of a toll named by its victims: "97 of the dead were policemen", "Two children were among the
        # dead", "Among the injured were three children"
        groups = rf"(?P<status>{alternation(_GROUP_NOUNS)})"
        self.of_the_group = c(rf"{_SP}of{_SP}the{_SP}{groups}{_SP}(?:were|was|are|included){_NP}")
        self.group_np = c(rf"(?:{_SP}(?:were|was|are))?{_NP}")  # after "Of the dead," and the number: "12 were soldiers"
        # "Two journalists, a cameraman and a photographer, were also among those killed"
        self.among_the_group = c(rf"{_NP}(?:[^\S\n]*,[^,.;:!?\n]{{1,100}}?,)?{_SP}(?:were|was|are){_SP}(?:also{_SP})?"
                                 rf"among{_SP}(?:the|those){_SP}{groups}{_END}")
        self.group_before = _WordsBefore(
            rf"(?<![\w’'\-])(?:among|of){_SP}the{_SP}{groups}[^\S\n]*,?{_SP}(?:(?:were|was|are|included){_SP})?"
            rf"(?:(?:at{_SP}least|some|about|nearly){_SP})?$", _last_words(["were", "was", "are", "included", "least",
                                                                             "some", "about", "nearly", ",",
                                                                             *_GROUP_NOUNS]), 60, flags)
        self.coord = c(rf"[^\S\n]*,[^\S\n]*(?:and{_SP})?|{_SP}(?:and|or){_SP}")
        self.object_after = c(
            rf"(?:the|a|an|his|her|their|its|him|them|our|several|dozens|scores|hundreds|thousands|many|{_VICTIM})"
            rf"{_END}")
        self.clause_break = c(rf"\b(?:{alternation(_LEX['clause_breaks'])})\b")
        self.negated = _WordsBefore(rf"(?<![\w’'])(?:{alternation(_LEX['negators'])}){_SP}$",
                                    _last_words(_LEX["negators"]), 12, flags)
        # hypothetical, future, denied or prevented: "could kill", "threatened to kill", "to prevent the deaths of"
        self.blocked = _WordsBefore(
            rf"(?<![\w’'])(?:{alternation(_LEX['blockers'])}|\w+n['’]t)"
            rf"(?:{_SP}(?:{alternation(_LEX['blocker_fillers'])}))*{_SP}$",
            _last_words([*_LEX["blockers"], *_LEX["blocker_fillers"], "n't", "n’t"]), 60, flags)
        self.conditional = _WordsBefore(rf"(?<![\w’'])(?:{alternation(_LEX['conditionals'])}){_SP}$",
                                        _last_words(_LEX["conditionals"]), 12, flags)
        # Every hard non-casualty rule in one pattern before and one after the number: "is it a unit?"
        self.hard_before = _WordsBefore(
            "|".join(rf"(?<![\w’'])(?:{alternation(r['before'])})[^\S\n]*$" for r in _HARD if r.get("before")),
            _last_words(p for r in _HARD for p in r.get("before", [])), 16, flags)
        self.hard_after = c(rf"(?:[^\S\n]*|[{_DASHES}])(?:{alternation(w for r in _HARD for w in r.get('after', []))})"
                            rf"(?!\w)")
        # person rules: the text before the person ("killed", "the kidnapping of"), "’s" and a status after it
        self.person_active = c(rf"(?<![\w’'\-])(?P<verb>{alternation(_ACTIVE)}){_TITLES}")
        self.person_nominal = c(rf"(?<![\w’'\-])(?P<verb>{alternation(_NOMINAL)}){_SP}of{_TITLES}")
        self.person_possessive = c(rf"['’]s?(?:{_SP}[a-z]+)?{_SP}(?P<status>{alternation(_POSSESSIVE)}){_END}")
        self.anchor_rules = self._anchor_rules(c)

    def _anchor_rules(self, c) -> dict[str, list[tuple[re.Pattern, str | dict[str, str], re.Pattern]]]:
        """First word of a verb-anchored rule -> [(pattern matched there, status or phrase table, what follows the
        number)]."""
        rules: dict[str, list] = {}

        def add(phrases, pattern: re.Pattern, status, tail: re.Pattern) -> None:
            for first in {_norm(p).split(" ")[0] for p in phrases}:
                rules.setdefault(first, []).append((pattern, status, tail))

        for f in _LEX["frames"]:
            add(f["verbs"], c(rf"(?<![\w’'\-])(?P<verb>{alternation(f['verbs'])}){_END}"), f["status"],
                c(rf"(?:{_NP})?{_SP}(?P<status>{alternation(f['after'])}){_END}"))
        add(_ACTIVE, c(rf"(?<![\w’'\-])(?P<verb>{alternation(_ACTIVE)}){_END}"), _ACTIVE, self.object_np)
        add(_NOMINAL, c(rf"(?<![\w’'\-])(?P<verb>{alternation(_NOMINAL)}){_SP}of{_END}"), _NOMINAL, self.object_np)
        add(_LEX["toll"]["nouns"], c(_TOLL), "killed", self.object_np)
        return rules


def _clause_end_pattern(items: list[str]) -> str:
    parts = []
    for item in items:
        body = r"\s*".join(re.escape(w) for w in item.split())
        parts.append(body if not item[:1].isalnum() else rf"\b{body}\b")
    return "|".join(parts)


_DENIALS = _LEX["denials"]


def _both(source: str) -> tuple[re.Pattern, re.Pattern]:
    """A pattern compiled for a lower-cased sentence, and case-insensitively for a sentence lower-casing would
    change (see _Grammar): the first is about twice as fast."""
    return re.compile(source), re.compile(source, re.IGNORECASE)


_DENIAL_BEFORE = _both(
    rf"\b(?:{alternation(_DENIALS['verbs'])})(?:{_SP}as{_SP}(?:{alternation(_DENIALS['judgements'])}))?"
    rf"(?:{_SP}that\b|(?:{_SP}[\w’'-]+){{0,3}}?{_SP}(?:{alternation(_DENIALS['nouns'])}){_SP}(?:that|of)\b)")
_DENIAL_AFTER = _both(rf"\b(?:{'|'.join(_DENIALS['after'])})\b")
_DENIAL_NOUN = _both(rf"\b(?:{alternation(_DENIALS['nouns'])})\b")
_DENIAL_BACK = _both(rf"(?:{'|'.join(_DENIALS.get('back') or ['$^'])})")
_CLAUSE_END = _both(_clause_end_pattern(_DENIALS["clause_ends"]))
_AGGREGATE = _both(rf"\b(?:{'|'.join(_LEX['aggregates'])})\b")


_DENIAL_WORDS = tuple(str(w) for w in _DENIALS["prefilter"])
_AGGREGATE_WORDS = tuple(str(w) for w in _LEX["aggregates_prefilter"])


def _matching(sentence: str, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The text to match the patterns of :func:`_both` on, and which of them; None when the lower-cased sentence
    holds none of ``words`` (the patterns cannot match)."""
    low = sentence.lower()
    odd = has_ascii_lookalike(sentence)
    if not odd and not any(w in low for w in words):
        return None
    return (low, 0) if len(low) == len(sentence) and not odd else (sentence, 1)


def denied_spans(sentence: str) -> list[tuple[int, int]]:
    """The parts of ``sentence`` that a denial in it disputes (offsets in the sentence): from "rejected claims that"
    to the end of its clause, and from the claim before "were false" (or the clause's start) to it."""
    found = _matching(sentence, _DENIAL_WORDS)
    if found is None:
        return []
    text, k = found
    spans = []
    for m in _DENIAL_BEFORE[k].finditer(text):
        end = _CLAUSE_END[k].search(text, m.end())
        spans.append((m.end(), end.start() if end else len(text)))
    for m in _DENIAL_AFTER[k].finditer(text):
        start = 0
        for b in _CLAUSE_END[k].finditer(text, 0, m.start()):
            start = b.end()
        nouns = list(_DENIAL_NOUN[k].finditer(text, start, m.start()))
        spans.append((nouns[-1].start() if nouns else start, m.start()))
    return spans


def denies_before(sentence: str) -> bool:
    """Whether ``sentence`` disputes the figures of the sentence before it by a noun pointing back: "Pakistan
    rejected the figure.", "Kabul dismissed these claims as propaganda.", "The figures were disputed."."""
    found = _matching(sentence, _DENIAL_WORDS)
    return found is not None and _DENIAL_BACK[found[1]].search(found[0]) is not None


def _denied_by_next(text: str, spans: list[tuple[int, int]], si: int) -> bool:
    """Whether the sentence after sentence ``si`` (in text order) disputes its figures (:func:`denies_before`)."""
    if si + 1 >= len(spans) or spans[si + 1][0] < spans[si][1]:
        return False
    s, e = spans[si + 1]
    return denies_before(text[s:e])


def is_tally(sentence: str) -> bool:
    """Whether ``sentence`` sums up a period ("this year", "since 2021", "according to an AFP tally"): its figures
    count many happenings, not one."""
    found = _matching(sentence, _AGGREGATE_WORDS)
    return found is not None and _AGGREGATE[found[1]].search(found[0]) is not None


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


_ANYCASE = _Grammar(re.IGNORECASE)
_LOWER = _Grammar(0)
_ANCHOR_SRC = rf"(?<![\w’'\-])(?:{alternation(_LOWER.anchor_rules)})(?![\w’'\-])"
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


# --- fast scans of the folded text -----------------------------------------------------------------------------
# quantities.fold turns a text into one byte per character: ASCII letters lower-cased, digits and "_" kept, every
# other character a space. A word of the str rules is a word of the folded text too (a non-ASCII letter may only
# split a word: a scan finds more there, never less), and re tries a pattern that starts with a space only at the
# spaces. These scans pick the sentences to read and the places in them where the rules can start; texts with
# characters that IGNORECASE or lower() read as ASCII letters ("ſ" as "s") take the exact, slower way.


def _word_scan(words) -> re.Pattern:
    """A bytes pattern for one of ``words`` after a space in the folded text."""
    return re.compile(rb" (?:%s)\b" % alternation(words).encode())


# Every rule needs a status phrase and a number, an "a"/"an" before a victim noun, or a named person.
_STATUS_PHRASES = {*_PASSIVE, *_INTRANSITIVE, *_ACTIVE, *_NOMINAL, *_COUNT_NOUNS, *_POSSESSIVE,
                   *(a for f in _LEX["frames"] for a in f["after"]), *_LEX["toll"]["nouns"]}
_SCAN_STATUS = re.compile(rb" (?:%s)\b" % alternation(_STATUS_PHRASES, space=" +").encode())
_SCAN_NUMBER = re.compile(rb" (?:[0-9]|(?:%s)\b)" % alternation(START_WORDS).encode())
_SCAN_ARTICLE = re.compile(rb" an?\b")
_SCAN_VICTIM = _word_scan({re.split(r"[^a-z0-9_]", v)[0] for v in _VICTIMS})  # a victim noun's first word


class _Words(NamedTuple):
    """Where the folded scan of a sentence found the words its rules start at (offsets into the sentence)."""

    numbers: list[int]  # digits and quantities.START_WORDS: find_quantities' candidates
    articles: list[int]  # "a" and "an"
    anchors: list[int]  # first words of the verb-anchored rules (active and nominal phrases among them)
    last_status: int  # the last key word of a status that follows its victims ("were killed"), else -1
    last_count: int  # the last key word of a count noun ("bodies"), else -1
    lookalikes: bool  # "ſ" or the like, which IGNORECASE reads as an ASCII letter: the scan may miss words

    def status_after(self, pos: int) -> bool:
        """May a status that follows its victims ("were killed") start after ``pos``?"""
        return pos <= self.last_status or self.lookalikes

    def count_after(self, pos: int) -> bool:
        """May a count noun ("bodies") start after ``pos``?"""
        return pos <= self.last_count or self.lookalikes

    def verb_between(self, start: int, end: int) -> bool:
        """May an active or nominal status ("killed", "the death of") start in ``[start, end)``?"""
        return self.lookalikes or any(start <= a < end for a in self.anchors)


_NUMBER_WORD, _ARTICLE_WORD, _ANCHOR_WORD, _STATUS_AFTER_WORD, _COUNT_WORD = 1, 2, 4, 8, 16
_SENTENCE_WORDS: dict[bytes, int] = {}  # word -> its kinds
for _kind, _words in ((_NUMBER_WORD, START_WORDS), (_ARTICLE_WORD, ("a", "an")), (_ANCHOR_WORD, _LOWER.anchor_rules),
                      (_STATUS_AFTER_WORD, {_key_word(p) for p in (*_PASSIVE, *_INTRANSITIVE)}),
                      (_COUNT_WORD, {_key_word(p) for p in _COUNT_NOUNS})):
    for _w in _words:
        _SENTENCE_WORDS[_w.encode()] = _SENTENCE_WORDS.get(_w.encode(), 0) | _kind
_SCAN_SENTENCE = re.compile(rb" (?:[0-9]|(%s)\b)" % alternation(w.decode() for w in _SENTENCE_WORDS).encode())


def _scan_words(sent: str, folded: bytes) -> _Words:
    """One scan of the folded sentence (``fold(sent)``) for the words its rules start at (a digit is a number
    word)."""
    numbers, articles, anchors = [], [], []
    last_status = last_count = -1
    for f in _SCAN_SENTENCE.finditer(folded):
        pos, word = f.start(), f.group(1)
        kinds = _SENTENCE_WORDS[word] if word else _NUMBER_WORD
        if kinds & _NUMBER_WORD:
            numbers.append(pos)
        if kinds & _ARTICLE_WORD:
            articles.append(pos)
        if kinds & _ANCHOR_WORD:
            anchors.append(pos)
        if kinds & _STATUS_AFTER_WORD:
            last_status = pos
        if kinds & _COUNT_WORD:
            last_count = pos
    return _Words(numbers, articles, anchors, last_status, last_count, has_ascii_lookalike(sent))


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
    kind: str  # subject | object | person | part
    quantity: Quantity | None
    category: str | None
    victim: str | None
    person: bool = False


_JOINED = re.compile(r" (?:and|or) ")


def _category(victim: str | None, mods: str | None) -> str | None:
    """The victims' category from their noun, a modifier deciding a "people" noun ("militant commanders")."""
    if victim is None:
        return None
    cats = {_VICTIMS[v] for v in _JOINED.split(_norm(victim))}
    cat = cats.pop() if len(cats) == 1 else "people"
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


def _victim_text(m: re.Match, sent: str) -> str | None:
    """The victims as the sentence writes them ("Pakistani soldiers"), if the match names any."""
    if not m.groupdict().get("victim"):
        return None
    victim = sent[m.start("victim"):m.end("victim")]
    return f"{sent[m.start('mods'):m.end('mods')]} {victim}" if m.group("mods") else victim


def _counts_something_else(text: str, end: int) -> bool:
    """A bare number followed by a noun that is not a victim ("captured 3 posts") or glued to one ("5-member")."""
    if _GLUED.match(text, end):
        return True
    w = _NEXT_WORD.match(text, end)
    return bool(w) and w.start(1) > end and w.group(1).lower() not in _FUNCTION_WORDS


def _is_followed_by_object(g: _Grammar, text: str, pos: int, usable: dict[int, Quantity], person_spans: list) -> bool:
    """After a bare "killed": an object ("killed two soldiers", "killed the guards", "killed Qari Amjad") makes
    it active."""
    nxt = _NEXT_WORD.match(text, pos)
    if nxt is None or nxt.start(1) == pos:
        return False
    start = nxt.start(1)
    return start in usable or any(ps == start for ps, _ in person_spans) or bool(g.object_after.match(text, start))


def _quantities(sent: str, lower: str, g: _Grammar, text: str, words: _Words, convention: str) -> list[Quantity]:
    """Numbers of the sentence, with "a"/"an" before a victim noun read as one ("a soldier was martyred")."""
    qs = find_quantities(sent, convention, words.numbers, lower)
    starts = {q.start for q in qs}
    # g.article.finditer(text), tried only at the "a" and "an" of the folded sentence (no ASCII look-alike is)
    for m in filter(None, (g.article.match(text, a) for a in words.articles)):
        if m.start() not in starts and not any(q.start < m.start() < q.end for q in qs):
            qs.append(Quantity(1.0, 1.0, 1.0, False, None, m.start(), m.end(), sent[m.start():m.end()]))
    if qs and " and " in lower:  # a possessive one joins a list that has a number already
        for m in g.possessive_one.finditer(text):
            a, b = m.span("det")
            if a not in starts and not any(q.start < a < q.end for q in qs):
                qs.append(Quantity(1.0, 1.0, 1.0, False, None, a, b, sent[a:b]))
    return sorted(qs, key=lambda q: q.start)


def _sentence_hits(sent: str, persons: list[dict], convention: str, folded: bytes | None = None) -> list[_Hit]:
    """Every casualty mention of one sentence (local offsets), before categories are inherited. ``folded``:
    ``fold(sent)``, if the caller has it."""
    lower = sent.lower()
    words = _scan_words(sent, fold(sent) if folded is None else folded)
    # The rules match ``text`` with the patterns of ``g`` (see _Grammar); words of output are cut from ``sent``.
    g, text = (_LOWER, lower) if len(lower) == len(sent) and not words.lookalikes else (_ANYCASE, sent)
    person_spans = [(p["start"], p["end"]) for p in persons]
    usable: dict[int, Quantity] = {}
    for q in _quantities(sent, lower, g, text, words, convention):
        if g.negated.found(text, q.start) or g.hard_before.found(text, q.start) or g.hard_after.match(text, q.end):
            continue  # "no one", "$38 billion", "a 48-hour truce"
        usable[q.start] = q
    if not usable and not persons:
        return []  # every rule counts a number or a named person
    hits: list[_Hit] = _group_parts(sent, g, text, usable)
    objects: set[int] = {h.key for h in hits}  # numbers already read (as the object of a status verb, or a part)

    def inside(a: int, b: int) -> bool:
        return any(a <= ps < b for ps, _ in person_spans) or any(a <= qs < b for qs in usable)

    def object_at(verb: re.Match, status: str, tail: re.Pattern) -> None:
        """The number right after a verb (through an optional determiner) with its victims, as one hit."""
        det = g.determiner.match(text, verb.end())
        q = usable.get(det.end()) if det else None
        if q is None or g.blocked.found(text, verb.start()):
            return
        m = tail.match(text, q.end)
        if m is None:
            return
        victim = _victim_text(m, sent)
        if victim is None and not m.groupdict().get("them") and tail is g.object_np \
                and _counts_something_else(text, q.end):
            return
        hits.append(_Hit(verb.start(), max(m.end(), q.end), status, q.start, "object", q,
                         _category(m.group("victim"), m.group("mods")), victim))
        objects.add(q.start)

    if len(lower) != len(sent):
        anchors = _ANCHOR_ANYCASE.finditer(sent)
    elif "\u212a" in sent:  # "K" (Kelvin sign) lower-cases to "k", which the folded sentence does not see
        anchors = _ANCHOR.finditer(lower)
    else:  # _ANCHOR.finditer(lower), tried only at the folded sentence's anchor words
        anchors = filter(None, (_ANCHOR.match(lower, a) for a in words.anchors))
    for a in anchors:
        for pattern, status, tail in g.anchor_rules[a.group(0).lower()]:
            v = pattern.match(text, a.start())
            if v:
                object_at(v, status if isinstance(status, str) else status[_norm(v.group("verb"))], tail)

    for q in usable.values():
        if q.start in objects:
            continue  # "militants who killed 2 soldiers were arrested": the 2 are the object of "killed"
        m = g.count.match(text, q.end) if words.count_after(q.end) else None
        if m:
            mods = sent[m.start("mods"):m.end("mods")] if m.group("mods") else None
            hits.append(_Hit(q.start, m.end(), _COUNT_NOUNS[_norm(m.group("status"))], q.start, "subject", q,
                             _category_from_mods(mods), mods))
            continue
        m = g.adjectival.match(text, q.end) if words.status_after(q.end) else None
        if m and not g.conditional.found(text, q.start):  # "37 wounded passengers"
            hits.append(_Hit(q.start, m.end(), _ADJECTIVE[_norm(m.group("status"))], q.start, "subject", q,
                             _category(m.group("victim"), m.group("mods")), _victim_text(m, sent)))
            continue
        m = g.subject.match(text, q.end) if words.status_after(q.end) else None
        if m is None or g.conditional.found(text, q.start):
            continue  # "if 12 soldiers were killed"
        phrase = _norm(m.group("status"))
        aux = _norm(m.group("aux")) if m.group("aux") else None
        passive = phrase in _PASSIVE
        if aux is not None and passive and aux not in _PASSIVE_AUX:
            continue  # "23 soldiers had killed": active
        if m.group("rel") is not None:
            rel_s, rel_e = m.span("rel")
            if aux is None or g.clause_break.search(text, rel_s, rel_e) or inside(rel_s + 1, rel_e):
                continue
        if aux is None and passive and _is_followed_by_object(g, text, m.end(), usable, person_spans):
            continue  # "five militants killed two soldiers": active
        status = (_PASSIVE if passive else _INTRANSITIVE)[phrase]
        hits.append(_Hit(q.start, m.end(), status, q.start, "subject", q, _category(m.group("victim"), m.group("mods")),
                         _victim_text(m, sent)))

    hits += _person_hits(sent, g, text, persons, words)
    hits += _coordinated(sent, g, text, usable, hits)
    hits += _parts(sent, g, text, usable, hits)
    return hits


def _group_parts(sent: str, g: _Grammar, text: str, usable: dict[int, Quantity]) -> list[_Hit]:
    """A part of a toll named by its victims, with the toll's status from the group noun: "97 of the dead were
    policemen" (97 security forces killed, a part of the dead), "Two children were among the dead", "Among the
    injured were three children". A part adds to no total: the incident's total is the larger of the toll and its
    named parts."""
    out: list[_Hit] = []
    for q in usable.values():
        m = g.of_the_group.match(text, q.end) or g.among_the_group.match(text, q.end)
        start = q.start
        if m is None and g.group_before.found(text, q.start):
            before = g.group_before.pattern.search(text, max(0, q.start - 60), q.start)
            m2 = g.group_np.match(text, q.end)
            if before is not None and m2 is not None and m2.group("victim"):
                out.append(_Hit(before.start(), m2.end(), _GROUP_NOUNS[_norm(before.group("status"))], q.start,
                                "part", q, _category(m2.group("victim"), m2.group("mods")), _victim_text(m2, sent)))
            continue
        if m is None or not m.group("victim"):
            continue
        out.append(_Hit(start, m.end(), _GROUP_NOUNS[_norm(m.group("status"))], q.start, "part", q,
                        _category(m.group("victim"), m.group("mods")), _victim_text(m, sent)))
    return out


def _parts(sent: str, g: _Grammar, text: str, usable: dict[int, Quantity], hits: list[_Hit]) -> list[_Hit]:
    """A part of a casualty figure named right after it: "killing at least 26 people, including 14 soldiers",
    "12 people were injured, among them three children". The part takes the figure's status and its own
    victims' category (a number without a victim noun is not read: "including 14" may count anything)."""
    taken = {h.key for h in hits}
    out: list[_Hit] = []
    for h in hits:
        if h.quantity is None:
            continue
        inc = g.including.match(text, h.end)
        q = usable.get(inc.end()) if inc else None
        if q is None or q.start in taken:
            continue
        # the part may be a list: "including seven women and three children"
        while q is not None and q.start not in taken:
            m = g.object_np.match(text, q.end)
            if not (m and m.group("victim")):
                break
            out.append(_Hit(q.start, m.end(), h.status, q.start, "part", q,
                            _category(m.group("victim"), m.group("mods")), _victim_text(m, sent)))
            taken.add(q.start)
            more = _LIST_AND.match(text, m.end())
            q = usable.get(more.end()) if more else None
    return out


def _person_hits(sent: str, g: _Grammar, text: str, persons: list[dict], words: _Words) -> list[_Hit]:
    """One victim named by the caller: "killed Qari Amjad", "Frerichs ... was kidnapped", "Amjad’s death"."""
    hits = []
    starts = [p["start"] for p in persons]
    for p in persons:
        ps, pe = p["start"], p["end"]
        others = [o for o in starts if o != ps]
        victim = p.get("surface") or sent[ps:pe]
        cat = p.get("victim_category") or "people"
        for rule, table in ((g.person_active, _ACTIVE), (g.person_nominal, _NOMINAL)):
            m = rule.search(text, max(0, ps - 120), ps) if words.verb_between(max(0, ps - 120), ps) else None
            if m and not g.blocked.found(text, m.start()) and not any(m.start() <= o < ps for o in others):
                hits.append(_Hit(m.start(), pe, table[_norm(m.group("verb"))], ps, "person", None, cat, victim, True))
                break
        m = _PERSON_PASSIVE.match(sent, pe) if words.status_after(pe) else None
        if m:
            phrase = _norm(m.group("status"))
            aux = _norm(m.group("aux")) if m.group("aux") else None
            passive = phrase in _PASSIVE
            gap_s, gap_e = m.span("gap")
            ok = not any(gap_s <= o < gap_e for o in others) and not g.clause_break.search(text, gap_s, gap_e)
            if passive and aux is not None and aux not in _PASSIVE_AUX:
                ok = False  # "Amjad had killed": active
            if passive and aux is None and (m.group("gap") or _is_followed_by_object(g, text, m.end(), {}, [])):
                ok = False
            if ok:
                hits.append(_Hit(ps, m.end(), (_PASSIVE if passive else _INTRANSITIVE)[phrase], ps, "person", None,
                                 cat, victim, True))
        m = g.person_possessive.match(text, pe)
        if m:
            hits.append(_Hit(ps, m.end(), _POSSESSIVE[_norm(m.group("status"))], ps, "person", None, cat, victim,
                             True))
    return hits


def _coordinated(sent: str, g: _Grammar, text: str, usable: dict[int, Quantity], hits: list[_Hit]) -> list[_Hit]:
    """Numbers joined by "and" or commas to a casualty share its status: "two Levies men and a policeman were
    martyred" (forward, to a subject), "killing three soldiers and two civilians" (backward, from an object).
    Only numbers with a victim noun of their own join a list."""
    if len(usable) < 2:
        return []
    taken = {h.key for h in hits}
    subjects = {h.key: h for h in hits if h.kind == "subject"}
    objects = {h.key: h for h in hits if h.kind == "object"}
    ordered = sorted(usable.values(), key=lambda q: q.start)
    nps: dict[int, re.Match] = {}

    def np_after(q: Quantity) -> re.Match:
        if q.start not in nps:
            nps[q.start] = g.object_np.match(text, q.end)
        return nps[q.start]

    out: list[_Hit] = []
    for q in reversed(ordered if subjects else []):  # forward: the status comes after the list
        if q.start in taken:
            continue
        m = np_after(q)
        if not m.group("victim") or not _opens_subject(text, q.start):
            continue
        c = g.coord.match(text, m.end())
        nxt = subjects.get(c.end()) if c else None
        if nxt is not None:
            h = _Hit(q.start, nxt.end, nxt.status, q.start, "subject", q, _category(m.group("victim"), m.group("mods")),
                     _victim_text(m, sent))
            out.append(h)
            subjects[q.start] = h
            taken.add(q.start)
    for prev, q in zip(ordered, ordered[1:]):  # backward: the status verb comes before the list
        ph = objects.get(prev.start)
        if q.start in taken or ph is None:
            continue
        m = np_after(q)
        if not m.group("victim"):
            continue
        c = g.coord.match(text, ph.end)
        if c and c.end() == q.start:
            h = _Hit(q.start, m.end(), ph.status, q.start, "object", q, _category(m.group("victim"), m.group("mods")),
                     _victim_text(m, sent))
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


# --- which sentences to read ------------------------------------------------------------------------------------
def _candidate_sentences(text: str, spans: list[tuple[int, int]],
                         person_starts: list[int]) -> list[tuple[int, bytes | None]]:
    """The sentences that may hold a casualty, in text order: those with a status phrase and a number, an "a"/"an"
    and a victim noun, or a person (``person_starts``, sorted). Each as its index and its fold, if known."""
    if has_ascii_lookalike(text):
        return [(i, None) for i in _candidate_sentences_exact(text, spans)]  # letters the fold misreads
    folded = fold(text)
    glued = set()  # sentences glued to an ASCII letter or digit (a word runs across their edge): the exact test
    last = 0
    for k, (s, e) in enumerate(spans):
        if s < last or e < s or e > len(text):
            return [(i, None) for i in _candidate_sentences_exact(text, spans)]  # unordered sentences
        if folded[s] != 32 or folded[e + 1] != 32:
            glued.add(k)
        last = e
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    found: dict[int, bytes | None] = {k: None for k in glued if _has_status_word(text, starts[k], ends[k])}
    pos = 0
    while (m := _SCAN_STATUS.search(folded, pos)) is not None:
        w = m.start()  # the status phrase's offset in text
        k = bisect_right(starts, w) - 1
        if k < 0 or w >= ends[k] or (w == starts[k] and w and (text[w - 1].isalnum() or text[w - 1] == "_")) or (
            m.end() - 1 > ends[k] and not _SCAN_STATUS.match(folded, w, ends[k] + 1)
        ):
            pos = w + 1  # not in a sentence (outside one, past its end, or glued to a non-ASCII letter before it)
            continue
        s, e = starts[k], ends[k]
        if k not in glued and (
            _SCAN_NUMBER.search(folded, s, e + 1)
            or bisect_left(person_starts, s) < bisect_left(person_starts, e)
            or (_SCAN_ARTICLE.search(folded, s, e + 1) and _SCAN_VICTIM.search(folded, s, e + 1))
        ):
            found[k] = folded[s:e + 1]  # the sentence's fold: the byte before it is a space
        pos = e
    return sorted(found.items())


def _has_status_word(text: str, s: int, e: int) -> bool:
    """Does ``text[s:e]`` hold a status word, as ``_candidate_sentences_exact`` tests it (without "İ" in text)?"""
    before = 1 if s else 0  # the character before the sentence decides whether its first word starts there
    return _TRIGGER.search(text[s - before:e].lower(), before) is not None


def _candidate_sentences_exact(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the sentences holding a status word, in text order (a scan of the lower-cased text): fewer
    tests than ``_candidate_sentences``, each exact where the fold is not."""
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
    for si, folded in _candidate_sentences(text, spans, person_starts):
        s, e = spans[si]
        sent = text[s:e]
        lo, hi = bisect_left(person_starts, s), bisect_left(person_starts, e)
        local = [dict(p, start=p["start"] - s, end=min(p["end"], e) - s) for p in persons[lo:hi]]
        hits = sorted(_sentence_hits(sent, local, convention, folded), key=attrgetter("start", "end"))
        if hits and (is_tally(sent) or _denied_by_next(text, spans, si)):
            continue
        denied = denied_spans(sent) if hits else []
        if denied:
            hits = [h for h in hits if not _in_spans(h.start, denied)]
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
            row = {
                "sentence": sent, "sentence_index": si, "start": start, "end": end, "surface": text[start:end],
                "status": h.status, "category": category,
                "best": q.best if q else 1.0, "low": q.low if q else 1.0, "high": q.high if q else 1.0,
                "vague": q.vague if q else False, "qualifier": q.qualifier if q else None,
                "victim": h.victim, "victim_is_person": h.person,
                "section": _section(start, body_start, title_end),
            }
            prev = rows[-1] if rows else None
            if prev is not None and prev["sentence_index"] == si and _listed(text, prev, row):
                _contrast(prev, row)
                if prev["category"] == row["category"]:
                    _join(text, prev, row)
                    continue
            rows.append(row)
    return rows


_LIST_AND = re.compile(r"(?:[^\S\n]*,)?[^\S\n]+and[^\S\n]+|[^\S\n]*,[^\S\n]*")


def _listed(text: str, a: dict, b: dict) -> bool:
    """Whether figure ``b`` goes on the list that figure ``a`` opens: the same status, joined by "and" or a comma
    ("killed two policemen and a constable"). A part ("26 people, including 14 soldiers") or another status is not
    on it."""
    if a["status"] != b["status"] or b["start"] <= a["start"]:
        return False
    if a["end"] <= b["start"]:  # "killed two policemen" + "and" + "a constable"
        return _LIST_AND.fullmatch(text, a["end"], b["start"]) is not None
    # the victims of one verb: "Twelve people and three soldiers were killed" (the first mention runs to the verb)
    between = text[a["start"]:b["start"]]
    return _LIST_TAIL.search(between) is not None and _PART.search(between) is None


_LIST_TAIL = re.compile(r"(?:,|\band)[^\S\n]*$", re.IGNORECASE)
_PART = re.compile(r"\b(?:including|among|of\s+whom|of\s+them)\b", re.IGNORECASE)


def _contrast(a: dict, b: dict) -> None:
    """On a list, "people" set beside a named category are the others: civilians ("twelve people and three
    soldiers", "five Chinese nationals and their Pakistani driver"). "people" is otherwise the press's mixed
    category, which may include the named ones ("26 people, including 14 soldiers")."""
    if a["category"] == "people" and b["category"] != "people":
        a["category"] = "civilians"
    elif b["category"] == "people" and a["category"] != "people":
        b["category"] = "civilians"


def _join(text: str, a: dict, b: dict) -> None:
    """Figure ``b`` of the same category added to the list mention ``a`` ("two policemen and a constable": three
    security forces, one mention): its span, counts and victims."""
    a["end"] = max(a["end"], b["end"])
    a["surface"] = text[a["start"]:a["end"]]
    for k in ("best", "low"):
        a[k] = (a[k] or 0.0) + (b[k] or 0.0)
    a["high"] = None if a["high"] is None or b["high"] is None else a["high"] + b["high"]
    a["vague"] = bool(a["vague"] or b["vague"])
    a["victim"] = " and ".join(v for v in (a["victim"], b["victim"]) if v) or None
    a["victim_is_person"] = bool(a["victim_is_person"] and b["victim_is_person"])


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
        if not found and (_in_spans(q.start - s, denied_spans(text[s:e])) or _denied_by_next(text, spans, si)):
            found = "denied claim", q.start, q.end
        if not found and is_tally(text[s:e]):
            found = "tally of a period", q.start, q.end
        if found:
            reason, a, b = found
            rows.append({"sentence": text[s:e], "sentence_index": si, "start": a, "end": b, "surface": text[a:b],
                         "reason": reason, "best": q.best})
    return rows
