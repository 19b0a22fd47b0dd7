"""Dates in news text, and the date a piece was written.

``find_dates`` reads explicit dates and ranges ("Dec. 12", "Nov. 17–18", "Jan. 31, 2020", "15 February 2024",
"2025-10-30"), month and year mentions ("late January", "in November 2022", "since 2021"), weekdays ("on Tuesday",
"Tuesday's bombing") and relative phrases ("yesterday", "earlier this month", "last week") with one combined
regular expression (tried only where a date can start, see ``_matches``), and resolves them against an anchor: the
date the piece was written, not its update stamp (``infer_writing_date`` finds it). A wrong date is worse than none:
what cannot be resolved safely comes back with ``date_start=None`` and precision ``unknown``.

Surfaces: explicit dates are given bare ("Dec. 12", not "on Dec. 12"); a weekday keeps its leading "on", "late on",
"last" or "next" ("on Tuesday"); month and year mentions keep a leading "early", "mid" or "late".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Iterator, NamedTuple

from conflictlens.lexicon import occurrences
from conflictlens.text import sentence_spans

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: A year-less month-day more than this many days after the anchor is read in the year before (news looks back).
LOOKBACK_SLACK_DAYS = 62
#: A caption date and the body's dates agree when they lie within this many days of each other.
CAPTION_WINDOW_DAYS = 7

# How much of the anchor each reading needs: day-level phrases need a day, "last month" a month, "last year" a year.
_ANCHOR_RANK = {"day": 3, "approximate": 3, "month": 2, "year": 1, "unknown": 0}

# --- the one combined pattern -------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# Relative phrases: (unit, offset). Units: day (precision day), night and week (approximate), month, year.
_RELATIVE = {
    "today": ("day", 0), "earlier today": ("day", 0), "later today": ("day", 0), "tonight": ("day", 0),
    "this morning": ("day", 0), "this afternoon": ("day", 0), "this evening": ("day", 0),
    "yesterday": ("day", -1), "tomorrow": ("day", 1), "last night": ("night", -1),
    "this week": ("week", 0), "earlier this week": ("week", 0), "later this week": ("week", 0),
    "last week": ("week", -1), "next week": ("week", 1),
    "this month": ("month", 0), "earlier this month": ("month", 0), "later this month": ("month", 0),
    "last month": ("month", -1), "next month": ("month", 1),
    "this year": ("year", 0), "earlier this year": ("year", 0), "later this year": ("year", 0),
    "last year": ("year", -1), "next year": ("year", 1),
}


def _trie(words: Iterable[str]) -> str:
    """An alternation of ``words`` factored on shared prefixes, longest first ("J(?:an(?:uary)?|u(?:ly|ne))"):
    ``re`` tries alternatives one by one, and a trie rejects a position after a character or two. A space in a word
    matches any run of blanks."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return body + "?" if len(body) == 1 or len(alts) > 1 else f"(?:{body})?"

    return emit(root)


def _cased(*phrases: str) -> str:
    """``_trie`` of ``phrases`` in lower case or capitalised ("on", "On"). Explicit cases, not IGNORECASE:
    case-insensitive matching is several times slower in ``re``."""
    return _trie([p for ph in phrases for p in (ph, ph[0].upper() + ph[1:])])


_MON_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
_MON_ABBR = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
_MON = rf"{_trie(_MON_FULL + _MON_ABBR)}\b"         # capitalised: "may" and "march" are words too
_MON_SEP = r"(?:\.\s*|\s+)"                       # "Dec. 12", "Dec 12", "December 12"
_WD = _trie(WEEKDAY_NAMES)
_SUFFIX = r"(?:st|nd|rd|th)?"
_END = r"(?!\w|[,.][0-9])"                           # not "5,000", not "12.5", not "12km"
_YEAR_DIGITS = r"(?:1[89][0-9][0-9]|20[0-9][0-9])"
# Words that may open a phrase, by branch of the pattern.
_MODIFIERS = ("early", "mid", "late")
_YEAR_LEADS = ("in", "since", "during", "until", "till", "before", "after", "from", "through", "by")
_MONTH_LEADS = _MODIFIERS + ("the end of", "end of", "the beginning of", "beginning of", "the start of", "start of")
_WEEKDAY_LEADS = ("late on", "early on", "late", "early", "on", "last", "this", "next")


def _day(name: str) -> str:
    return rf"(?P<{name}>3[01]|[12][0-9]|0?[1-9]){_SUFFIX}{_END}"


def _year(name: str) -> str:
    return rf"(?P<{name}>{_YEAR_DIGITS}){_END}"


# What may follow a bare year: punctuation, a capital, or a function word. "in 2021 when" is a year;
# "by 2000 votes" is a count.
_YEAR_FOLLOW = (
    r"(?=[^\w\s-]|\s*$|\s+(?:[A-Z]|(?:and|or|when|after|before|as|to|the|that|but|with|while|because|under|until"
    r"|amid|following|in|on|at|for|from|by|of|since|which|where|was|were|is|are|had|has|have|it|he|she|they|we"
    r"|its|their|his|her)\b))"
)

# One alternative per form; the lookahead before each is the set of letters it can start with, so that a
# position fails most alternatives at once. Digits are ASCII ([0-9]), as in the scan's cores.
_PATTERN = re.compile(
    r"(?<!\w)(?:"
    # ISO: 2025-10-30
    r"(?P<iso>(?<!-)(?P<iy>(?:19|20)[0-9][0-9])-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12][0-9]|3[01])"
    r"(?![\w-]|[.,][0-9]))"
    # month first: [Wednesday, ]Dec. 13[–Dec. 15][, 2023]
    rf"|(?=[ADFJMNOSTW])(?P<md>(?:(?P<mwd>{_WD}),?\s+)?(?P<mm>{_MON}){_MON_SEP}{_day('md1')}"
    rf"(?:(?:\s*[-–—]\s*|\s+(?:to|and|through|until|till)\s+(?={_MON}))"
    rf"(?:(?P<mm2>{_MON}){_MON_SEP})?{_day('md2')})?"
    rf"(?:,?\s+{_year('my')})?)"
    # day first: [Wednesday, ]15[–16] [of ]February[ 2024]
    rf"|(?=[0-9FMSTW])(?P<dm>(?:(?P<dwd>{_WD}),?\s+)?(?<![0-9][,.]){_day('dd1')}(?:\s*[-–—]\s*{_day('dd2')})?"
    rf"\s+(?:of\s+)?(?P<dmm>{_MON})\.?(?:,?\s+{_year('dy')})?)"
    # year alone after a preposition or a modifier: in 2021, since 2021, late 2019
    rf"|(?=[iIsSdDuUtTbBaAfFeEmMlL])(?P<yr>(?:(?:{_cased(*_YEAR_LEADS)})\s+"
    rf"|(?P<ymod>{_cased(*_MODIFIERS)})[\s-]+){_year('yy')}(?!-){_YEAR_FOLLOW})"
    # month with or without a year: late January, in September, November 2022, Jan. 2020
    rf"|(?=[eEmMlLtTbBsSADFJMNO])(?P<mo>(?:(?P<omod>{_cased(*_MONTH_LEADS)})(?:\s+|-))?"
    rf"(?:(?P<om>{_trie(_MON_FULL)})\b|(?P<oma>{_trie(_MON_ABBR)})\b\.?(?=,?\s+{_YEAR_DIGITS}))"
    rf"(?:(?:\s+of)?,?\s+{_year('oy')})?)"
    # weekday: on Tuesday, late on Wednesday, last Friday, Tuesday night, Tuesday's (not "Wednesday, Dec. 13")
    rf"|(?=[lLeEoOtTnNFMSW])(?P<wk>(?:(?P<wpre>{_cased(*_WEEKDAY_LEADS)})\s+)?"
    rf"(?P<wd>{_WD})\b(?!,?\s+(?:{_MON}|[0-9]{{1,2}}{_SUFFIX}\s+(?:of\s+)?{_MON}))"
    r"(?!\s+(?:Times|Telegraph|Express|Post|Mirror|Herald|Star|Tribune)\b)"
    r"(?:\s+(?P<wtod>morning|afternoon|evening|night))?)"
    # relative: yesterday, earlier today, this week, last month, earlier this month, two days ago
    rf"|(?P<rel>(?:(?P<rw>{_cased(*_RELATIVE)})"
    rf"|(?P<rn>[0-9]{{1,2}}|{_cased(*_NUMBER_WORDS)})\s+(?P<ru>day|week|month|year)s?\s+ago)\b)"
    r")"
)

# The scan. Every phrase holds a "core" at most _MAX_LEAD characters after its start ("the beginning of October"
# has the longest lead): a month or weekday name, a year-like number (an ISO date, "in 2021"), or a relative word
# ("yesterday", "this week", "two days ago"); a day number always sits beside a month name. Every phrase starts with
# a digit or one of the _STARTS words. So _PATTERN is tried only at such starts shortly before a core: the same
# matches as _PATTERN.finditer (tested), several times faster, since most of a text is never looked at twice.
_CORE = re.compile(
    "[12ADFJMNOSTW](?:(?<=1)[89][0-9][0-9]|(?<=2)0[0-9][0-9]|"
    + "|".join(
        f"(?<={initial}){_trie(name[1:] for name in _MON_FULL + _MON_ABBR + WEEKDAY_NAMES if name[0] == initial)}"
        for initial in "ADFJMNOSTW"
    )
    + r")(?![a-z])"
)
# _CORE's scan runs on the text as bytes (one per character) in which _CORE's first characters are one byte, \x01:
# re skips to a fixed byte fast, but tries a class of characters one by one. Each find is then tested with _CORE.
_CORE_MARK = bytes(1 if chr(c) in "12ADFJMNOSTW" else c for c in range(256))
_CORE_MARKED = re.compile(  # the first character, then what may follow it in a core (a digit 1 or 2 is \x01)
    rb"\x01(?=%s|[89][0-9\x01]|0[0-9\x01])"
    % b"|".join(sorted({name[1:3].encode() for name in _MON_FULL + _MON_ABBR + WEEKDAY_NAMES}))
)
_LOWER_CORES = tuple(w.encode() for w in (
    "oday", "omorrow", "esterday", "night", "orning", "fternoon", "vening", "week", "month", "year", "ago"))
_MAX_LEAD = 32  # with room for doubled spaces
_FIRST_WORDS = {
    phrase.split()[0]
    for phrase in (*_YEAR_LEADS, *_MONTH_LEADS, *_WEEKDAY_LEADS, *_RELATIVE, *_NUMBER_WORDS)
}
_STARTS = re.compile(
    rf"(?<!\w)(?:[0-9]|(?:{_cased(*_FIRST_WORDS)}|{_trie(_MON_FULL + _MON_ABBR + WEEKDAY_NAMES)})(?!\w))"
)
_LONGEST_FIRST_WORD = max(len(w) for w in (*_FIRST_WORDS, *_MON_FULL, *WEEKDAY_NAMES))

# Checks on the few characters before a match (run only on candidates, never on the whole text).
_MONTH_CONTEXT = re.compile(
    r"(?i:\b(?:in|since|during|until|till|by|from|of|last|this|next|the|before|after|through|between|and|or|on|to"
    r"|early|mid|late|around|throughout|for)\s+)$"
)
_NAMED_DAY = re.compile(r"(?:Good|Black|Ash|Super|Bloody|Holy|Palm|Easter|Maundy|Cyber|Giving|Shrove|Fat)\s+$")
_DURATION_BEFORE = re.compile(r"(?i:\b(?:the|over|for|within|throughout)\s+)$")  # "over the last year"
_CAPITAL_BEFORE = re.compile(r"[A-Z][\w’'-]*[ \t]+$")                              # "Pakistan Today", "USA Today"
_TITLE_WORDS = frozenset({"Today", "Tonight", "Tomorrow", "Yesterday"})
# Lower case only (these words seldom open a sentence) and no leading \b, so that re can skip to their first
# letters; the word boundary before is checked by hand.
_FUTURE = re.compile(
    r"(?:will|shall|to\s+be\s+held|scheduled|due\s+to|expected\s+to|set\s+to|plans?\s+to|planned|next"
    r"|upcoming|coming)\b"
)
_FUTURE_WORDS = ("will", "shall", "held", "scheduled", "due", "expected", "set", "plan", "next", "coming")  # one each
_CLAUSE_BREAK = re.compile(r"[.!?;,\n“”\"—:]")
_FUTURE_WINDOW = 80
_FILE_PHOTO = re.compile(r"(?i:\bfile\s+(?:photo|picture|image|pic|footage)s?\b)|\bFile\b|\bFILE\b")


@dataclass(frozen=True)
class DateMention:
    """A date phrase and what it resolves to; ``start``/``end`` index the text given to ``find_dates``."""

    start: int
    end: int
    text: str
    date_start: str | None  # ISO: "2025-11-17" (day, approximate), "2020-01" (month), "2025" (year)
    date_end: str | None    # same precision; the end of a range, else equal to date_start
    precision: str          # day | month | year | approximate | unknown
    kind: str               # explicit | range | weekday | relative | month
    sentence_index: int | None


def _mention(start: int, end: int, text: str, date_start: str | None, date_end: str | None, precision: str, kind: str,
             sentence_index: int | None) -> DateMention:
    """``DateMention(start, end, ...)``, built three times faster: a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``; this fills the new instance's dict at once (DateMention has no
    ``__post_init__``)."""
    mention = object.__new__(DateMention)
    mention.__dict__.update(start=start, end=end, text=text, date_start=date_start, date_end=date_end,
                            precision=precision, kind=kind, sentence_index=sentence_index)
    return mention


class _Reading(NamedTuple):
    """What a match says, before any anchor: the parts it names and how to resolve the rest."""

    start: int
    end: int
    kind: str              # explicit | range | weekday | relative | month
    unit: str              # ymd | ym | y | weekday | day | night | week | month | year
    year: int | None = None
    month: int | None = None
    day: int | None = None
    year2: int | None = None
    month2: int | None = None
    day2: int | None = None
    weekday: int | None = None  # a weekday named beside a date, or the weekday to resolve
    mode: str = "back"          # back | forward | last | next (weekdays); back | future (year-less dates)
    offset: int = 0             # relative phrases: units before (-) or after (+) the anchor


# --- calendar helpers ------------------------------------------------------------------------------------------


def weekday_before(anchor: date, weekday: int) -> date:
    """The most recent ``weekday`` (0 = Monday) on or before ``anchor``: the anchor itself if it is that day."""
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def weekday_after(anchor: date, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) on or after ``anchor``."""
    return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) shifted by ``n`` months."""
    k = year * 12 + month - 1 + n
    return k // 12, k % 12 + 1


def year_for_month_day(anchor: date, month: int, day: int, future: bool = False) -> int | None:
    """The year of a year-less month-day read on ``anchor``; None if the day does not exist in it.

    News looks back: the anchor's year, unless that puts the day more than ``LOOKBACK_SLACK_DAYS`` after the
    anchor, then the year before. In a future-tense context (``future``) the year nearest the anchor.
    """
    def days_after(year: int) -> int:  # no date() here: "Feb. 29" must be comparable in any year
        return (date(year, month, 1) - anchor).days + day - 1

    if future:
        year = min((anchor.year - 1, anchor.year, anchor.year + 1), key=lambda y: (abs(days_after(y)), -y))
    else:
        year = anchor.year if days_after(anchor.year) <= LOOKBACK_SLACK_DAYS else anchor.year - 1
    try:
        date(year, month, day)
    except ValueError:
        return None
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- reading matches -------------------------------------------------------------------------------------------


def _is_future(text: str, start: int) -> bool:
    """Does the clause before ``start`` speak of the future ("will be released by March 10")?"""
    window = text[max(0, start - _FUTURE_WINDOW):start]
    if not any(map(window.__contains__, _FUTURE_WORDS)):
        return False  # _FUTURE cannot match there
    last = None
    for f in _FUTURE.finditer(text, max(0, start - _FUTURE_WINDOW), start):
        if f.start() == 0 or not text[f.start() - 1].isalnum():
            last = f
    return last is not None and _CLAUSE_BREAK.search(text, last.end(), start) is None


def _month(token: str) -> int:
    return MONTHS[token.lower()]


def _read(m: re.Match, text: str) -> _Reading | None:
    """The reading of one match, or None when the context shows it is not a date here."""
    g = m.group
    form = m.lastgroup  # the alternative that matched: its group closes last
    start, end = m.start(), m.end()
    if form == "wk":  # the most frequent form first
        if _NAMED_DAY.search(text, max(0, start - 10), start):
            return None  # "Good Friday", "Bloody Sunday": named days, not this week's
        pre = (g("wpre") or "").lower()
        if pre == "last" and _DURATION_BEFORE.search(text, max(0, start - 12), start):
            return None  # "the last Friday of Ramadan": a named position, not last week's Friday
        if pre in ("last", "next"):
            mode = pre
        else:
            mode = "forward" if _is_future(text, start) else "back"
        return _Reading(start, end, "weekday", "weekday", weekday=WEEKDAYS[g("wd").lower()], mode=mode)
    if form == "iso":
        return _Reading(start, end, "explicit", "ymd", int(g("iy")), int(g("im")), int(g("id")))
    if form in ("md", "dm"):
        if form == "md":
            wd, m1, d1, m2, d2, y = g("mwd"), g("mm"), g("md1"), g("mm2") or g("mm"), g("md2"), g("my")
        else:
            wd, m1, d1, m2, d2, y = g("dwd"), g("dmm"), g("dd1"), g("dmm"), g("dd2"), g("dy")
        mode = "future" if y is None and _is_future(text, start) else "back"
        weekday = WEEKDAYS[wd.lower()] if wd else None
        year = int(y) if y else None
        if d2 is None:
            return _Reading(start, end, "explicit", "ymd", year, _month(m1), int(d1), weekday=weekday, mode=mode)
        return _Reading(start, end, "range", "ymd", None, _month(m1), int(d1), year, _month(m2), int(d2),
                        weekday=weekday, mode=mode)
    if form == "yr":
        s = start if g("ymod") else m.start("yy")
        return _Reading(s, end, "explicit", "y", int(g("yy")))
    if form == "mo":
        name = g("om") or g("oma")
        y = g("oy")
        if y is None and not g("omod") and not (
            _MONTH_CONTEXT.search(text, max(0, start - 12), start) or text.startswith(("’s", "'s"), end)
        ):
            return None  # a bare capitalised month name ("May", "June") may be a name or a verb
        mode = "future" if y is None and _is_future(text, start) else "back"
        kind = "explicit" if y else "month"
        return _Reading(start, end, kind, "ym", int(y) if y else None, _month(name), mode=mode)
    # relative
    phrase = " ".join(g("rel").lower().split())
    if phrase.startswith(("last ", "next ")) and _DURATION_BEFORE.search(text, max(0, start - 12), start):
        return None  # "over the last year", "for the next week": durations
    if g("rw") in _TITLE_WORDS and _CAPITAL_BEFORE.search(text, max(0, start - 30), start):
        return None  # "Pakistan Today", "USA Today": a title, not a date
    if g("ru"):
        n = g("rn").lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        return _Reading(start, end, "relative", g("ru").lower(), offset=-count)
    unit, offset = _RELATIVE[phrase]
    return _Reading(start, end, "relative", unit, offset=offset)


def _matches(text: str) -> Iterator[re.Match]:
    """The matches of ``_PATTERN`` in ``text``, left to right and not overlapping, as ``finditer`` gives them."""
    marked = text.encode("ascii", "replace").translate(_CORE_MARK)
    cores = [p for f in _CORE_MARKED.finditer(marked) if _CORE.match(text, p := f.start())]
    # Lower-case cores are found in ``marked`` as in ``text`` (its lower-case letters are the text's), faster.
    cores.extend(i for word in _LOWER_CORES for i in occurrences(marked, word))
    cores.sort()
    pos = 0
    for core in cores:
        if core < pos:
            continue
        for w in _STARTS.finditer(text, max(pos, core - _MAX_LEAD), core + _LONGEST_FIRST_WORD + 1):
            if w.start() > core:
                break
            m = _PATTERN.match(text, w.start())
            if m is not None:
                yield m
                pos = m.end()
                break


def _readings(text: str) -> list[_Reading]:
    """Every date phrase of ``text`` in order, unresolved."""
    return [r for m in _matches(text) if (r := _read(m, text)) is not None]


# --- resolving ------------------------------------------------------------------------------------------------


def _resolve(r: _Reading, anchor: date | None, rank: int, approximate: bool) -> tuple[str | None, str | None, str]:
    """(date_start, date_end, precision) of a reading on an anchor of the given rank (see ``_ANCHOR_RANK``)."""
    unknown = (None, None, "unknown")
    if r.unit == "y":
        s = f"{r.year:04d}"
        return s, s, "year"
    if r.unit == "ym":
        year = r.year
        if year is None:
            if anchor is None or rank < 2:
                return unknown
            year = year_for_month_day(anchor, r.month, 1, r.mode == "future")
        s = f"{year:04d}-{r.month:02d}"
        return s, s, "month"
    if r.unit == "ymd":
        return _resolve_ymd(r, anchor, rank)
    if anchor is None:
        return unknown
    if r.unit in ("month", "year"):
        if rank < (2 if r.unit == "month" else 1):
            return unknown
        d = date(*add_months(anchor.year, anchor.month, r.offset if r.unit == "month" else 12 * r.offset), 1)
        s = f"{d.year:04d}-{d.month:02d}" if r.unit == "month" else f"{d.year:04d}"
        return s, s, r.unit
    if rank < 3:
        return unknown
    if r.unit == "weekday":
        if r.mode == "back":
            d = weekday_before(anchor, r.weekday)
        elif r.mode == "forward":
            d = weekday_after(anchor, r.weekday)
        elif r.mode == "last":
            d = weekday_before(anchor - timedelta(days=1), r.weekday)
        else:
            d = weekday_after(anchor + timedelta(days=1), r.weekday)
        precision = "approximate" if approximate else "day"
    elif r.unit == "day":
        d = anchor + timedelta(days=r.offset)
        precision = "approximate" if approximate else "day"
    else:  # week, night: a day is named only roughly
        d = anchor + timedelta(days=7 * r.offset if r.unit == "week" else r.offset)
        precision = "approximate"
    s = d.isoformat()
    return s, s, precision


def _resolve_ymd(r: _Reading, anchor: date | None, rank: int) -> tuple[str | None, str | None, str]:
    """Explicit dates and ranges: the year given, else the year the anchor implies (checked by a named weekday)."""
    unknown = (None, None, "unknown")
    month2 = r.month2 or r.month
    day2 = r.day2 or r.day
    later = (month2, day2) >= (r.month, r.day)  # does the range stay within one year?
    if r.kind == "range" and r.month2 == r.month and not later:
        return unknown  # "Nov. 18–17"
    if r.kind == "range" and r.year2 is not None:
        y1, y2 = (r.year2 if later else r.year2 - 1), r.year2
    elif r.year is not None:
        y1 = y2 = r.year
    else:
        if anchor is None or rank < 2:
            return unknown
        y1 = year_for_month_day(anchor, r.month, r.day, r.mode == "future")
        if y1 is None:
            return unknown
        if r.weekday is not None and date(y1, r.month, r.day).weekday() != r.weekday:
            fits = [y for y in (y1 - 1, y1 + 1) if (d := _safe_date(y, r.month, r.day)) and d.weekday() == r.weekday]
            if len(fits) != 1:
                return unknown
            y1 = fits[0]
        y2 = y1 if later else y1 + 1
    d1 = _safe_date(y1, r.month, r.day)
    d2 = _safe_date(y2, month2, day2)
    if d1 is None or d2 is None:
        return unknown
    return d1.isoformat(), d2.isoformat(), "day"


def find_dates(
    text: str,
    spans: list[tuple[int, int]] | None,
    anchor: date | None,
    anchor_precision: str = "day",
) -> list[DateMention]:
    """Every date phrase in ``text``, resolved on ``anchor`` (the writing date), in text order.

    ``spans`` are the sentence spans of ``text`` (``text.sentence_spans``), used for ``sentence_index``; None
    leaves it None. ``anchor_precision`` (day | approximate | month | year | unknown) says how far the anchor can be
    trusted: day-level readings ("on Tuesday", "yesterday") from an approximate anchor come back ``approximate``;
    readings that need more than the anchor knows come back unresolved.
    """
    if anchor_precision not in _ANCHOR_RANK:
        raise ValueError(f"anchor_precision must be one of {sorted(_ANCHOR_RANK)}, not {anchor_precision!r}")
    if isinstance(anchor, datetime):
        anchor = anchor.date()
    rank = _ANCHOR_RANK[anchor_precision] if anchor is not None else 0
    approximate = anchor_precision == "approximate"
    starts = [s for s, _ in spans] if spans else []
    out = []
    resolved: dict[tuple, tuple[str | None, str | None, str]] = {}  # a text's phrases repeat ("on Tuesday")
    for r in _readings(text):
        start, end = r.start, r.end
        what = r[2:]  # the reading without its offsets
        found = resolved.get(what)
        if found is None:
            found = resolved[what] = _resolve(r, anchor, rank, approximate)
        index = None
        if starts:
            i = bisect_right(starts, start) - 1
            if i >= 0 and start < spans[i][1]:
                index = i
        out.append(_mention(start, end, text[start:end], *found, r.kind, index))
    return out


# --- the writing date -------------------------------------------------------------------------------------------


def _caption_date(captions: list[str]) -> date | None:
    """The first full date (day, month and year) printed in a caption that is not a file photo."""
    for caption in captions:
        if _FILE_PHOTO.search(caption):
            continue
        for r in _readings(caption):
            if r.unit == "ymd" and r.kind == "explicit" and r.year is not None:
                d = _safe_date(r.year, r.month, r.day)
                if d is not None:
                    return d
    return None


def _lead_weekday(body: str) -> tuple[int, str] | None:
    """The weekday the body's lead sentence (its first of six words or more) names, with its surface."""
    pos = 0
    while pos < len(body):  # line by line: the lead is near the top, a long body need not be split
        end = body.find("\n", pos)
        end = len(body) if end < 0 else end
        line = body[pos:end]
        pos = end + 1
        for s, e in sentence_spans(line):
            lead = line[s:e]
            if len(lead.split()) < 6:
                continue
            for r in _readings(lead):
                if r.unit == "weekday" and r.mode == "back":  # not "will meet on Friday", not "last Friday"
                    return r.weekday, lead[r.start : r.end]
            return None
    return None


def _body_agrees(body: str, caption: date) -> str | None:
    """The surface of a year-less body date within ``CAPTION_WINDOW_DAYS`` of the caption date, if the body has one
    and names no day later than that window; else None."""
    near = None
    for r in _readings(body):
        if r.unit != "ymd":
            continue
        _, end, _ = _resolve_ymd(r, caption, _ANCHOR_RANK["day"])
        if end is None:
            continue
        gap = (date.fromisoformat(end) - caption).days
        if gap > CAPTION_WINDOW_DAYS:
            return None
        if near is None and r.year is None and r.year2 is None and abs(gap) <= CAPTION_WINDOW_DAYS:
            near = body[r.start : r.end]
    return near


def infer_writing_date(
    stamp_date: date | None,
    stamp_kind: str | None,
    body: str,
    captions: list[str],
) -> tuple[date | None, str, str, str]:
    """The date a piece was written: (date, date_kind, precision, note).

    date_kind is published | updated | inferred | unknown. A "published" stamp (or a stamp of no stated kind) is
    the writing date. An "updated" stamp is kept unless the text dates itself: a caption that is not a file photo
    carries a full date more than ``CAPTION_WINDOW_DAYS`` before the stamp and the body's year-less dates fall
    within that window of it; the piece was then written on the first day on or after the caption date that the
    lead's weekday names ("on Thursday"), or, if the lead names none, around the caption date itself. An update
    stamp one day after the lead's weekday ("on Friday", stamped Saturday) gives that weekday.
    """
    if stamp_kind not in (None, "published", "updated"):
        raise ValueError(f"stamp_kind must be published, updated or None, not {stamp_kind!r}")
    if stamp_date is not None and stamp_kind != "updated":
        return stamp_date, "published", "day", f"published stamp {stamp_date.isoformat()}"
    caption = _caption_date(captions)
    lead = _lead_weekday(body)
    if caption is not None and (stamp_date is None or (stamp_date - caption).days > CAPTION_WINDOW_DAYS):
        near = _body_agrees(body, caption)
        if near is not None:
            why = (
                f"update stamp {stamp_date.isoformat()} is {(stamp_date - caption).days} days after the caption date"
                if stamp_date is not None else "no date stamp; caption date"
            )
            why += f" {caption.isoformat()} ({WEEKDAY_NAMES[caption.weekday()]}); body names {near}"
            if lead is not None:
                written = weekday_after(caption, lead[0])
                return written, "inferred", "day", f"{why} and '{lead[1]}': written {written.isoformat()}"
            return caption, "inferred", "approximate", f"{why} and no weekday in its lead: written around then"
    if stamp_date is None:
        return None, "unknown", "unknown", "no date stamp, and no dated caption that the body agrees with"
    if lead is not None and lead[0] == (stamp_date.weekday() - 1) % 7:
        written = stamp_date - timedelta(days=1)
        return written, "inferred", "day", (
            f"update stamp {stamp_date.isoformat()} ({WEEKDAY_NAMES[stamp_date.weekday()]}) is the day after "
            f"'{lead[1]}' in the lead: written {written.isoformat()}"
        )
    return stamp_date, "updated", "day", f"update stamp {stamp_date.isoformat()}; the text does not date itself"
