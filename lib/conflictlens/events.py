"""What happened, when, where and by whom: event mentions from cue words (``lexicon/events.yaml``).

One row per happening named in a sentence: cues of one family in a sentence collapse into one event named by the
most specific kind ("explosive-laden truck" beats "attack"). A denial ("denied reports of talks") is kept with
``negated`` true, a possibility ("talks could resume", an agenda item) with ``hypothetical`` true, and violence spoken
of in general ("a surge in attacks since 2021") with ``generic`` true: none of them forms an incident.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date
from dataclasses import dataclass
from typing import Any

from re import _parser as _sre_parse  # to spell out a cue pattern's strings (Python 3.11+)

from .lexicon import normalise, trie_regex

# Place types from most to least specific: an event takes the most specific locative place of its sentence.
PLACE_SPECIFICITY = {"village": 0, "town": 0, "crossing": 0, "city": 1, "district": 1, "agency": 1, "tehsil": 0,
                     "province": 2, "region": 3, "border": 3, "country": 4}
# A locative preposition before a place name, with at most three words between them that describe a place:
# "in Bajaur", "in the remote district of Dera Ismail Khan", "in Afghanistan’s eastern Khost province".
_PREPOSITIONS = ("in", "at", "near", "inside", "into", "across", "along", "on", "from", "of", "outside", "around")
_PLACE_WORDS = frozenset(
    """the a an remote restive tribal border district province town city village area areas region outskirts suburbs
    parts eastern western northern southern central north south east west north-western northwestern
    south-western southwestern north-eastern northeastern south-eastern southeastern neighbouring neighboring
    nearby mountainous""".split()
)
_POSSESSIVE_WORD = re.compile(r"[A-Za-z][\w-]*[’']s")  # "Afghanistan’s"
REPORTING = re.compile(r"\b(?:said|says|told|announced|stated|added|reported|confirmed|claimed|denied|warned)"
                       r"(?:\s+(?:[A-Z][\w-]*|reporters|the\s+media|journalists|media)){0,2}\s+$"
                       # a toll's update dates the counting, not the happening: "the death toll from Monday's bombing
                       # rose to 100 on Tuesday"
                       r"|\b(?:rose|risen|rises|climbed|jumped|increased|mounted|reached|went\s+up)\s+to\s+"
                       r"(?:at\s+least\s+|over\s+|more\s+than\s+)?[\d,]+(?:\s+[a-z]+)?\s+$"
                       # "claimed responsibility for the bombing in a statement on Monday": the statement's date
                       r"|\bin\s+(?:a|an|its|their|the|his|her)\s+(?:[\w-]+\s+)?(?:statement|video|message|post|"
                       r"interview|press\s+release|briefing|communiqu[eé])\s+$")
LIST_GLUE = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)$")
# Where the wounded were taken is not where it happened: "treated in Quetta hospitals", "shifted to Peshawar".
_CARE_VERBS = ("taken|shifted|moved|rushed|brought|transferred|airlifted|evacuated|referred|admitted|treated|"
               "treatment")
_CARE_BEFORE = re.compile(rf"\b(?:(?:{_CARE_VERBS})\s+(?:to|in|at)\s+(?:(?:the|a|an)\s+)?(?:(?:[\w-]+\s+){{0,2}}?"
                          r"(?:hospitals?|"
                          r"health\s+facilities|medical\s+facilities)\s+(?:in|at)\s+)?)$", re.IGNORECASE)
_CARE_AFTER = re.compile(r"(?:[’']s)?(?:\s+(?:(?-i:[A-Z])[\w-]*|city|civil|district|main|government|military|combined|"
                         r"general|teaching|provincial|headquarters)){0,3}\s+(?:hospitals?|cmh|medical\s+(?:complex|"
                         r"institute|centre|center)|trauma\s+(?:centre|center))\b", re.IGNORECASE)
# Where the speakers are is not where it happened: "security officials in Islamabad said the jets had targeted ...",
# "diplomats in Kabul told Reuters". (Police and residents are usually where it happened: not listed.)
_SPEAKERS_BEFORE = re.compile(r"\b(?:officials?|sources?|spokes(?:man|woman|person)|diplomats?|analysts?|correspondents?|"
                              r"reporters?|journalists?|observers?|experts?|ministers?|ministry)\s+(?:based\s+)?"
                              r"(?:in|from)\s+$", re.IGNORECASE)
_SPEECH_VERBS = "said|say|says|told|confirmed|claimed|added|stated|insisted"
_SPEAKERS_AFTER = re.compile(r"(?:[^\S\n]*,)?(?:[^\S\n]+(?:also|had|have|has|later|privately|separately|however|"
                             rf"on\s+\w+),?){{0,2}}[^\S\n]+(?:{_SPEECH_VERBS}|maintained|believe|believed)\b",
                             re.IGNORECASE)
# Where people come from is not where it happened: "shot dead 23 people, most of them from Punjab", "labourers
# hailing from Sindh".
_PEOPLE_FROM = re.compile(r"\b(?:them|whom|people|persons|men|women|labou?rers|workers|passengers|travell?ers|"
                          r"pilgrims|residents|natives|nationals|citizens|migrants|hailing|hailed|hail|belonging|"
                          r"belonged|originally)\s+from\s+(?:the\s+)?$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
_ORIGIN_OF = re.compile(r"\s+from\s+(?:the\s+)?", re.IGNORECASE)      # "into <there> from <origin>"
_ORIGIN_TO = re.compile(r"\s+(?:in)?to\s+(?:the\s+)?", re.IGNORECASE)  # "from <origin> into <there>"
_SAID = re.compile(rf"\b(?:{_SPEECH_VERBS})\b")
# A hospital named after the place is where the wounded are only if the words before speak of care: "the suicide
# bombing at Quetta's Civil Hospital" happened there.
_CARE_CONTEXT = re.compile(rf"\b(?:{_CARE_VERBS}|receiving|hospitali[sz]ed|doctors?|injured|wounded)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s*")
SPAN_DAYS = 3  # a violent happening's dates in one sentence at most this far apart are one span


@dataclass(frozen=True)
class EventRules:
    """The events lexicon compiled once."""

    cue: re.Pattern          # every cue with a finite set of spellings, as one trie (on lower-cased text)
    kind_of: dict[str, str]  # a cue's spelling (normalised) -> its kind
    open_cue: re.Pattern | None  # cues with open gaps ("closed the [...] border"), one named group per kind
    group_kind: dict[str, str]
    kinds: dict[str, dict]
    negation_before: re.Pattern
    negation_exempt: re.Pattern | None  # phrases whose denial word negates something else ("no one was killed")
    negation_window: int
    negation_after: re.Pattern
    hypothetical: re.Pattern
    hypothetical_window: int
    generic: re.Pattern
    generic_sentence: re.Pattern | None  # words that make a plural cue general from anywhere in its sentence
    # a finite cue's spelling -> what must follow it ("the strikes" + "(?= ... hit)"): checked on its hits only
    followed_by: dict[str, re.Pattern] | None = None


def _alternation(words: list[str]) -> str:
    return "|".join(f"(?:{w})" for w in words)


def spellings(pattern: str, limit: int = 512) -> list[str] | None:
    """Every string a cue pattern matches, when they are few ("air ?strikes?" → 4), else None.

    Finite cues go into one trie-shaped regex (shared prefixes tried once), about five times faster on news text
    than an alternation of the cue patterns.
    """
    try:
        out = _spell(_sre_parse.parse(pattern), limit)
    except (ValueError, re.error):
        return None
    return out


def _lookahead_tail(cue: str) -> tuple[str, str] | None:
    """(head, lookahead body) of a cue ending in a look-ahead, "(?:the|these) strikes(?= ... hit)"; else None."""
    if not cue.endswith(")"):
        return None
    depth, start = 0, None
    for i in range(len(cue) - 1, -1, -1):
        c = cue[i]
        if c == ")" and (i == 0 or cue[i - 1] != "\\"):
            depth += 1
        elif c == "(" and (i == 0 or cue[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                start = i
                break
    if start is None or not cue.startswith("(?=", start) or start == 0:
        return None
    return cue[:start], cue[start + 3:-1]


def _spell(items, limit: int) -> list[str]:
    outs = [""]
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            alts = [chr(av)]
        elif name == "IN":
            alts = []
            for o, a in av:
                if str(o) == "LITERAL":
                    alts.append(chr(a))
                elif str(o) == "RANGE":
                    alts.extend(chr(c) for c in range(a[0], a[1] + 1))
                else:
                    raise ValueError(o)
        elif name == "BRANCH":
            alts = [x for alt in av[1] for x in _spell(alt, limit)]
        elif name == "SUBPATTERN":
            alts = _spell(av[-1], limit)
        elif name in ("MAX_REPEAT", "MIN_REPEAT") and av[1] <= 2:
            sub = _spell(av[2], limit)
            alts = [""] * (av[0] == 0) + (sub if av[1] >= 1 else []) + ([a + b for a in sub for b in sub] if av[1] == 2 else [])
        else:
            raise ValueError(name)
        outs = [a + b for a in outs for b in alts]
        if len(outs) > limit:
            raise ValueError("too many spellings")
    return outs


_COMPILED: dict[str, EventRules] = {}


def _compile(config: dict) -> EventRules:
    kinds = config["kinds"]
    kind_of: dict[str, str] = {}
    followed_by: dict[str, re.Pattern] = {}
    open_parts, group_kind = [], {}
    for i, (kind, spec) in enumerate(kinds.items()):
        open_cues = []
        for cue in spec["cues"]:
            # A finite head with a look-ahead ("the strikes" that "hit") goes into the trie too, its look-ahead
            # checked on its hits: an open pattern is tried at every position of the text.
            split = _lookahead_tail(cue.lower())
            spelled = spellings(split[0]) if split else spellings(cue.lower())
            if spelled is None:
                open_cues.append(cue.lower())
            for s in spelled or ():
                kind_of.setdefault(normalise(s), kind)  # the first kind listed keeps a spelling two kinds share
                if split:  # keyed by the spelling as matched (a cue with a look-ahead is spelled without gaps)
                    followed_by[s] = followed_by[normalise(s)] = re.compile(split[1])
        if open_cues:
            name = f"k{i}"
            group_kind[name] = kind
            open_parts.append(f"(?P<{name}>{_alternation(sorted(open_cues, key=len, reverse=True))})")
    cue = re.compile(r"(?<![\w-])" + trie_regex(kind_of) + r"(?!\w)")
    # No look-behind: the cues' literal starts then let ``re`` skip ahead; the left edge is checked on the hits.
    open_cue = re.compile("(?:" + "|".join(open_parts) + r")(?!\w)") if open_parts else None
    neg = config["negation"]
    hyp = config["hypothetical"]
    return EventRules(
        cue=cue,
        kind_of=kind_of,
        followed_by=followed_by or None,
        open_cue=open_cue,
        group_kind=group_kind,
        kinds=kinds,
        # Matched against lower-cased windows (faster than IGNORECASE).
        negation_before=re.compile(r"\b(?:" + _alternation([w.lower() for w in neg["before"]]) + r")\b"),
        negation_exempt=(re.compile(r"\b(?:" + _alternation([w.lower() for w in neg["exempt"]]) + r")\b")
                         if neg.get("exempt") else None),
        negation_window=int(neg.get("window_before", 8)),
        negation_after=re.compile(r"\b(?:" + _alternation([w.lower() for w in neg.get("after", ["$^"])]) + r")\b"),
        hypothetical=re.compile(r"\b(?:" + _alternation([w.lower() for w in hyp["words"]]) + r")\b"),
        hypothetical_window=int(hyp.get("window", 6)),
        generic=re.compile(r"\b(?:" + _alternation([w.lower() for w in config["generic"]["words"]]) + r")\b"),
        generic_sentence=(re.compile(r"\b(?:" + _alternation([w.lower() for w in config["generic"]["sentence_words"]])
                                     + r")\b") if config["generic"].get("sentence_words") else None),
    )


def cue_matches(low: str, rules: EventRules) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every cue in lower-cased text, leftmost-longest, not overlapping."""
    kind_of = rules.kind_of
    hits = [(m.start(), m.end(), kind_of.get(m.group()) or kind_of[normalise(m.group())])
            for m in rules.cue.finditer(low)]
    if rules.followed_by:
        tails = rules.followed_by
        hits = [h for h in hits if (tail := tails.get(low[h[0]:h[1]])) is None or tail.match(low, h[1])]
    if rules.open_cue is not None:
        more = [(m.start(), m.end(), rules.group_kind[m.lastgroup]) for m in rules.open_cue.finditer(low)
                if not m.start() or not (low[m.start() - 1].isalnum() or low[m.start() - 1] in "_-")]
        if more:
            hits.sort(key=lambda h: (h[0], -h[1]))
            merged, last = [], 0
            for h in sorted(hits + more, key=lambda h: (h[0], -h[1])):
                if h[0] >= last:
                    merged.append(h)
                    last = h[1]
            hits = merged
    return hits


def compile_rules(config: dict) -> EventRules:
    """Compile the ``events`` lexicon (a dict as read from events.yaml); cached on its content."""
    key = id(config)
    rules = _COMPILED.get(key)
    if rules is not None and rules.kinds is not config["kinds"]:
        rules = None
    if rules is None:
        if len(_COMPILED) >= 4:  # a worker sees a new copy of the lexicon per batch: keep the cache small
            _COMPILED.pop(next(iter(_COMPILED)))
        rules = _COMPILED[key] = _compile(config)
    return rules


def _words_before(low: str, lo: int, pos: int, n: int) -> str:
    """The last ``n`` words of ``low[lo:pos]`` (looking back at most 12 characters a word).

    A word is a run of non-spaces (``str.split``, several times faster than ``re.findall(r"\\S+")``, which
    gives the same words: both take whitespace as ``str.isspace`` does).
    """
    return " ".join(low[max(lo, pos - 12 * n) : pos].split()[-n:])


def _words_after(low: str, pos: int, hi: int, n: int) -> str:
    """The first ``n`` words of ``low[pos:hi]`` (looking ahead at most 12 characters a word)."""
    return " ".join(low[pos : min(hi, pos + 12 * n)].split()[:n])


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _by_sentence(items: list, n: int) -> list[list]:
    out: list[list] = [[] for _ in range(n)]
    for it in items:
        i = it["sentence_index"] if isinstance(it, dict) else it.sentence_index
        if i is not None and 0 <= i < n:
            out[i].append(it)
    return out


def pick_date(text: str, dates: list, cue_start: int, cue_end: int, kind: str,
              memo: dict[int, bool] | None = None) -> tuple[Any | None, bool]:
    """The date mention nearest the cue, preferring resolved ones (an unresolved one still gives its surface).

    A date that dates the reporting ("the military said on Wednesday", "told Reuters on Thursday") dates a
    statement; for any other event it is used only when the sentence has no other date, and then as approximate.
    Returns (date mention, is_reporting_date). ``memo`` keeps, across the calls of one text, whether a date dates
    the reporting.
    """
    resolved = [d for d in dates if _get(d, "date_start")] or list(dates)
    if not resolved:
        return None, False
    if kind != "statement":
        memo = {} if memo is None else memo
        own = [d for d in resolved if not _reports(text, d, memo)]
        if own:
            resolved = own
        else:
            return _nearest_date(resolved, cue_start, cue_end), True
    return _nearest_date(resolved, cue_start, cue_end), False


def _reports(text: str, d: Any, memo: dict[int, bool]) -> bool:
    """Whether the words before date mention ``d`` are a reporting verb ("said on Wednesday")."""
    flag = memo.get(id(d))
    if flag is None:
        start = _get(d, "start")
        flag = memo[id(d)] = bool(REPORTING.search(text[max(0, start - 40) : start]))
    return flag


def _locative(text: str, sent_start: int, p: dict, memo: dict[int, bool]) -> bool:
    """Whether place mention ``p`` follows a locative preposition in its sentence ("in the remote district of"),
    and is not where casualties were taken for care ("treated in Quetta hospitals")."""
    flag = memo.get(id(p))
    if flag is None:
        before = text[max(sent_start, p["start"] - 48) : p["start"]]
        after = text[p["end"] : p["end"] + 40]
        flag = memo[id(p)] = locative_before(before) and not care_place(before, after) \
            and not speakers_place(before, after) and not ("rom" in before[-10:] and _PEOPLE_FROM.search(before))
    return flag


def care_place(before: str, after: str) -> bool:
    """Whether a place named between ``before`` and ``after`` is where the wounded were taken or treated:
    "shifted to Peshawar", "treated in Quetta hospitals", "admitted to Lady Reading Hospital"."""
    return bool(_CARE_BEFORE.search(before) or _CARE_AFTER.match(after) and _CARE_CONTEXT.search(before))


def speakers_place(before: str, after: str) -> bool:
    """Whether a place named between ``before`` and ``after`` is where the people quoted are: "security officials in
    Islamabad said", "diplomats in Kabul told Reuters"."""
    return bool(_SPEAKERS_AFTER.match(after) and _SPEAKERS_BEFORE.search(before))  # the anchored test first


def locative_before(before: str) -> bool:
    """Whether ``before`` ends with a preposition, at most three place-describing words and a space: "in ",
    "in the remote district of ", "in Afghanistan’s eastern ". (Read backwards over the words: a regex anchored
    at the end would be tried from every position of the string.)"""
    if not before[-1:].isspace():
        return False
    words = before.split()
    owner = False  # read a possessive: the capitalised words before it name its owner ("Khyber Pakhtunkhwa's Tank")
    described = 0  # place-describing words read (at most three)
    for j in range(1, min(6, len(words)) + 1):
        word = words[-j].lower()
        for prep in _PREPOSITIONS if word.endswith(_PREPOSITIONS) else ():  # one C call rules most words out
            if word.endswith(prep) and (len(word) == len(prep) or not _is_word_char(word[-len(prep) - 1])):
                return True
        if owner and words[-j][:1].isupper() and not _POSSESSIVE_WORD.fullmatch(words[-j]):
            continue  # a word of the owner's name
        described += 1
        if described > 3 or word not in _PLACE_WORDS and not _POSSESSIVE_WORD.fullmatch(words[-j]):
            return False
        owner = owner or bool(_POSSESSIVE_WORD.fullmatch(words[-j]))
    return False


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _nearest_date(dates: list, cue_start: int, cue_end: int) -> Any:
    return min(dates, key=lambda d: (min(abs(_get(d, "start") - cue_end), abs(_get(d, "end") - cue_start)),
                                     _get(d, "start")))


def pick_places(text: str, sent_start: int, places: list[dict], cue_start: int, cue_end: int,
                actor_spans: list[tuple[int, int]] = (), memo: dict[int, bool] | None = None) -> list[dict]:
    """The event's place(s): locative places of the sentence, most specific first, with the list they sit in.

    A place name read as an actor ("Islamabad grapples with", "Kabul denies") is a place only after a preposition.
    ``memo`` keeps, across the calls of one text, which place mentions follow a preposition.
    """
    if not places:
        return []
    memo = {} if memo is None else memo
    # A place after a preposition, or just before the cue ("a Peshawar mosque blast"); a name read as an actor
    # ("Kabul denies") is a place only after a preposition.
    pool = [p for p in places if _locative(text, sent_start, p, memo)
            or (0 <= cue_start - p["end"] <= 15 and not any(s < p["end"] and p["start"] < e for s, e in actor_spans)
                and not _SAID.search(text, p["end"], cue_start))
            or cue_start <= p["start"] and p["end"] <= cue_end]  # inside the cue: "closed the Torkham crossing"
    if not pool:
        return []
    # Where they came from is not where it happened when the place they went to is named with it: "militants
    # trying to cross into North Waziristan from Afghanistan", "infiltrate from Afghanistan into Bajaur".
    if len(pool) > 1:
        origins = [p for p in pool if text.find("rom", max(sent_start, p["start"] - 12), p["start"]) >= 0
                   and _FROM_BEFORE.search(text, max(sent_start, p["start"] - 12), p["start"])]
        gone = [p for p in origins if any(_ORIGIN_OF.fullmatch(text, q["end"], p["start"]) or
                                          _ORIGIN_TO.fullmatch(text, p["end"], q["start"]) for q in pool if q is not p)]
        if gone:
            pool = [p for p in pool if not any(p is g for g in gone)]
    best = min(pool, key=lambda p: (min(abs(p["start"] - cue_end), abs(p["end"] - cue_start)), p["start"]))
    # "in Afghanistan’s eastern Khost province": the more specific place beside the nearest one wins.
    for p in sorted(pool, key=lambda p: p["start"]) if len(pool) > 1 else ():
        if (abs(p["start"] - best["end"]) < 40 or abs(best["start"] - p["end"]) < 40) and \
                PLACE_SPECIFICITY.get(p.get("type") or "", 2) < PLACE_SPECIFICITY.get(best.get("type") or "", 2) and \
                p.get("country") and p.get("country") == best.get("country"):
            best = p
    if len(places) == 1:
        return [best]
    # Extend across a list "in Bajaur, North Waziristan and Dera Ismail Khan".
    ordered = sorted(places, key=lambda p: p["start"])
    i = ordered.index(best)
    chosen = [best]
    j = i
    while j > 0 and LIST_GLUE.match(text[ordered[j - 1]["end"] : ordered[j]["start"]]):
        j -= 1
        chosen.insert(0, ordered[j])
    j = i
    while j + 1 < len(ordered) and LIST_GLUE.match(text[ordered[j]["end"] : ordered[j + 1]["start"]]):
        j += 1
        chosen.append(ordered[j])
    seen, out = set(), []
    for p in chosen:
        if p["place_id"] not in seen:
            seen.add(p["place_id"])
            out.append(p)
    return out


def find_events(
    text: str,
    spans: list[tuple[int, int]],
    config: dict,
    dates: list | None = None,
    places: list[dict] | None = None,
    actors: list[dict] | None = None,
    casualties: list[dict] | None = None,
) -> list[dict]:
    """Event mentions of one text.

    ``config`` is the events lexicon; ``dates`` (DateMention-like), ``places``, ``actors`` and ``casualties`` are this
    text's mentions, each carrying ``sentence_index``. Returns one dict per event with the events table's columns
    (article_id and incident_id left to the caller).
    """
    rules = compile_rules(config)
    n = len(spans)
    casualties_by = _by_sentence(casualties or [], n)
    # One pass of the cue pattern over the whole text, then only the sentences that hold a cue (or a named killing).
    cues_by: dict[int, list] = {}
    starts = [sp[0] for sp in spans]
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer ("İ"): keep the offsets
        low = "".join(ch.lower()[0] for ch in text)
    for cs, ce, kind in cue_matches(low, rules):
        si = bisect_right(starts, cs) - 1
        if si >= 0 and ce <= spans[si][1]:
            cues_by.setdefault(si, []).append((cs, ce, kind))
    for si, group in enumerate(casualties_by):
        if any(c.get("status") == "killed" and c.get("victim_is_person") for c in group):
            cues_by.setdefault(si, [])
    if not cues_by:
        return []
    dates_by = _by_sentence(dates or [], n)
    places_by = _by_sentence(places or [], n)
    actors_by = _by_sentence(actors or [], n)
    rows: list[dict] = []
    date_memo: dict[int, bool] = {}
    place_memo: dict[int, bool] = {}
    for si in sorted(cues_by):
        s, e = spans[si]
        found: dict[tuple, dict] = {}
        named_kill = [c for c in casualties_by[si] if c.get("status") == "killed" and c.get("victim_is_person")]
        for cs, ce, kind in cues_by[si]:
            spec = rules.kinds[kind]
            family = spec["family"]
            if named_kill and family == "violence":
                continue  # "killed Qari Amjad ... in a cross-border operation": the operation is the killing
            negated = kind != "statement" and (
                _denied_before(rules, _words_before(low, s, cs, rules.negation_window))
                or bool(rules.negation_after.match(low, _SPACES.match(low, ce, e).end(), e))
                or bool(rules.negation_after.search(_words_after(low, ce, e, 5)))
            )
            near = (_words_before(low, s, cs, rules.hypothetical_window) + " "
                    + _words_after(low, ce, e, rules.hypothetical_window))
            hypothetical = bool(rules.hypothetical.search(near))
            # Violence cues of one sentence name one happening; other families keep each kind ("talks ... had
            # extended an initial truce": the talks and the truce).
            key = (family if family == "violence" else kind, negated, hypothetical)
            prev = found.get(key)
            cue = text[cs:ce]
            if prev is None or (spec["priority"], not _plural(cue)) > (
                    rules.kinds[prev["kind"]]["priority"], not _plural(prev["cue"])):
                found[key] = {"kind": kind, "start": cs, "end": ce, "cue": cue,
                              "negated": negated, "hypothetical": hypothetical, "near": near}
        for c in named_kill:
            key = ("targeted_killing", False, False)
            if key not in found:
                found[key] = {"kind": "targeted_killing", "start": c["start"], "end": c["end"], "cue": c["surface"],
                              "negated": False, "hypothetical": False}
        if not found:
            continue
        sentence = text[s:e]
        actor_ids = sorted({a["actor_id"] for a in actors_by[si] if a.get("actor_type") != "person"}
                           | {a["affiliation"] for a in actors_by[si] if a.get("actor_type") == "person" and a.get("affiliation")})
        here_dates, here_places = dates_by[si], places_by[si]
        actor_spans = [(a["start"], a["end"]) for a in actors_by[si]] if here_places else []
        for ev in sorted(found.values(), key=lambda r: (r["start"], r["kind"])) if len(found) > 1 else found.values():
            spec = rules.kinds[ev["kind"]]
            # (Without dates or places in the sentence, pick_date gives (None, False) and pick_places [].)
            d, reporting = (pick_date(text, here_dates, ev["start"], ev["end"], ev["kind"], date_memo) if here_dates
                            else (None, False))
            chosen = (pick_places(text, s, here_places, ev["start"], ev["end"], actor_spans, place_memo)
                      if here_places else ())
            near = ev.get("near") or (_words_before(low, s, ev["start"], rules.hypothetical_window) + " "
                                      + _words_after(low, ev["end"], e, rules.hypothetical_window))
            generic = _plural(ev["cue"]) and (bool(rules.generic.search(near)) or rules.generic_sentence is not None
                                              and rules.generic_sentence.search(low, s, e) is not None)
            acled = spec.get("acled") or [None, None]
            row = {
                "sentence": sentence,
                "sentence_index": si,
                "start": ev["start"],
                "end": ev["end"],
                "cue": ev["cue"],
                "kind": ev["kind"],
                "date_start": None,
                "date_end": None,
                "date_precision": "unknown",
                "date_text": None,
                "place": None,
                "places": [],
                "admin1": None,
                "country": None,
                "latitude": None,
                "longitude": None,
                "actors": actor_ids,
                "negated": ev["negated"],
                "hypothetical": ev["hypothetical"],
                "generic": generic,
                "acled_event_type": acled[0],
                "acled_sub_event_type": acled[1],
                "cameo_root": spec.get("cameo_root"),
                "family": spec["family"],
            }
            if d:
                row["date_start"] = _get(d, "date_start")
                row["date_end"] = _get(d, "date_end") or row["date_start"]
                row["date_precision"] = ("approximate" if reporting else _get(d, "precision")) if row["date_start"] \
                    else "unknown"
                row["date_text"] = _get(d, "text")
                if spec["family"] == "violence" and not reporting and len(here_dates) > 1:
                    _span_days(row, text, d, here_dates, date_memo)
            if chosen:
                row["place"] = "; ".join(p["name"] for p in chosen) or None
                row["places"] = [p["place_id"] for p in chosen]
                row["admin1"] = _common([p.get("admin1") or (p["name"] if p.get("type") == "province" else None)
                                         for p in chosen])
                row["country"] = _common([p.get("country") for p in chosen])
                if len(chosen) == 1:
                    row["latitude"] = chosen[0].get("latitude")
                    row["longitude"] = chosen[0].get("longitude")
            rows.append(row)
    return rows


def _span_days(row: dict, text: str, d: Any, dates: list, memo: dict[int, bool]) -> None:
    """Widen a violent event's day to the days its sentence spans: "ended a day-long siege on Wednesday, after
    fighters stormed the train on Tuesday" is one happening from Tuesday to Wednesday (a sentence's violence cues
    name one happening). Only the sentence's own day dates within :data:`SPAN_DAYS` of the chosen one count, never
    a reporting date ("said on Wednesday")."""
    if _get(d, "precision") != "day":
        return
    lo, hi = row["date_start"], row["date_end"]
    near = [d]
    for other in dates:
        start = _get(other, "date_start")
        if other is d or not start or _get(other, "precision") != "day" or _reports(text, other, memo):
            continue
        end = _get(other, "date_end") or start
        try:
            gap = max(date.fromisoformat(start) - date.fromisoformat(hi), date.fromisoformat(lo) - date.fromisoformat(end))
        except ValueError:
            continue
        if gap.days <= SPAN_DAYS:
            near.append(other)
    if len(near) > 1:
        row["date_start"] = min(_get(x, "date_start") for x in near)
        row["date_end"] = max(_get(x, "date_end") or _get(x, "date_start") for x in near)
        row["date_text"] = " … ".join(_get(x, "text") for x in sorted(near, key=lambda x: _get(x, "start")))


def _denied_before(rules: EventRules, words: str) -> bool:
    """Whether the words before a cue deny it: a denial word there that is not part of an exempt phrase ("no one",
    "denied involvement")."""
    if not rules.negation_before.search(words):
        return False
    if rules.negation_exempt is None:
        return True
    return bool(rules.negation_before.search(rules.negation_exempt.sub(" ", words)))


def _plural(cue: str) -> bool:
    c = cue.lower()
    return c.endswith("s") and not c.endswith(("ss", "talks", "negotiations", "discussions", "deliberations"))


def _common(values: list) -> Any:
    vals = {v for v in values if v}
    return vals.pop() if len(vals) == 1 else None
