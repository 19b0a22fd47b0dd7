"""Quantities as the press writes them ("23", "5,000", "3.7 million", "twenty-three", "all six", "20 to 25",
"at least 12", "dozens", "hundreds of thousands") turned into low / best / high, with character offsets.

The words, qualifiers, vague bounds and conventions are data (``lexicon/quantities.yaml``); the code is one
regular expression built from them at import and a small evaluator. ``convention`` picks how vague words, ranges
and qualifiers become a best estimate: ``"acled"`` (default: the most conservative reading) or ``"midpoint"``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import yaml

from . import paths

_LEX: dict = yaml.safe_load((paths.LEXICON / "quantities.yaml").read_text(encoding="utf-8"))

_SP = r"[^\S\n]+"  # spaces, never a line break: a headline and the line under it are not one number
_DASHES = "-\u2010\u2011\u2012\u2013\u2014"
_DASH = re.escape(_DASHES)  # for character classes: "-" escaped, never a range


@dataclass(frozen=True)
class Quantity:
    """A number read from text. ``high`` is None when open-ended ("at least 12")."""

    best: float
    low: float
    high: float | None
    vague: bool
    qualifier: str | None  # at_least | over | up_to | about | nearly | all | range | None
    start: int
    end: int
    text: str


def _norm(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def alternation(phrases) -> str:
    """A regex matching any of ``phrases`` (lower case; a space matches any run of spaces), shaped as a trie:
    one character test per branch, so a scan costs little more than for one word where a flat alternation would
    try every phrase at every position. Greedy, so the longest phrase that fits wins."""
    root: dict = {}
    for phrase in {_norm(p) for p in phrases}:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [(_SP if ch == " " else re.escape(ch)) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(root)


_WORDS: dict[str, int] = {_norm(k): v for k, v in _LEX["number_words"].items()}
_SCALES: dict[str, int] = {_norm(k): v for k, v in _LEX["scale_words"].items()}
_FIXED: dict[str, int] = {_norm(k): v for k, v in _LEX["fixed_phrases"].items()}
_QUALIFIERS: dict[str, str] = {_norm(k): v for k, v in _LEX["qualifiers"].items()}
_POSTFIX: dict[str, str] = {_norm(k): v for k, v in _LEX["postfix_qualifiers"].items()}
_VAGUE: dict[str, dict] = {_norm(k): v for k, v in _LEX["vague_words"].items()}
_VAGUE_UNITS = {w for w, b in _VAGUE.items() if b["low"] >= 10}  # plural units: "hundreds (of thousands)"
_MULTIPLIERS = [_norm(w) for w in _LEX["vague_multipliers"]]


def _build_conventions() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, conv in _LEX["conventions"].items():
        vb = conv["vague_best"]
        vague = {
            w: {"low": float(b["low"]), "high": None if b["high"] is None else float(b["high"]),
                "best": float(b["low"] if vb == "low" else vb[w])}
            for w, b in _VAGUE.items()
        }
        out[name] = {"description": conv["description"].strip(), "vague": vague, "range_best": conv["range_best"],
                     "qualifiers": conv["qualifiers"]}
    return out


CONVENTIONS: dict[str, dict] = _build_conventions()

# --- the grammar ---------------------------------------------------------------------------------------------
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = alternation(_SCALES)
_WORD = alternation(_WORDS)
_DIGNUM = rf"(?:{_DIGITS})(?:{_SP}(?:{_SCALE})\b)*"
_WORDNUM = (rf"(?:{_WORD})\b(?:(?:(?<=hundred){_SP}and{_SP}|(?<=thousand){_SP}and{_SP}|[{_DASH}]|{_SP})"
            rf"(?:{_WORD}|{_SCALE})\b)*")
_FIXEDNUM = rf"(?:{alternation(_FIXED)})\b(?:{_SP}(?:{_SCALE})\b)*"
_NUM = rf"(?:{_FIXEDNUM}|{_DIGNUM}|{_WORDNUM})"
_VAGUE_RE = (rf"(?:{alternation(_MULTIPLIERS)}){_SP}(?:{alternation(_VAGUE_UNITS)}|{_SCALE})\b"
             rf"|(?:{alternation(_VAGUE)})\b(?:{_SP}of{_SP}(?:{alternation(_VAGUE_UNITS)})\b)*")
_BODY = (
    rf"(?:(?P<qual>{alternation(_QUALIFIERS)}){_SP})?"
    rf"(?:between{_SP}(?P<r1>{_NUM}){_SP}and{_SP}(?P<r2>{_NUM})"
    rf"|(?P<r3>{_DIGNUM})[^\S\n]*[{_DASH}][^\S\n]*(?P<r4>{_DIGNUM})"
    rf"|(?P<r5>{_NUM}){_SP}(?:to|or){_SP}(?P<r6>{_NUM})"
    rf"|(?P<vague>{_VAGUE_RE})"
    rf"|(?P<num>{_NUM}))"
    rf"(?P<post>{_SP}or{_SP}more\b|{_SP}or{_SP}so\b|[{_DASH}]plus\b|\+)?"
)
_QUANTITY = re.compile(rf"(?<![\w.,/:#{_DASH}])(?:{_BODY})(?![^\W_]|[.,:/{_DASH}]\d)", re.IGNORECASE)
_WHOLE = re.compile(rf"\s*(?:{_BODY})(?:{_SP}of)?\s*", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z]+", re.IGNORECASE)
_DIGIT_HEAD = re.compile(r"[\d.,]+")
_FIXED_LONGEST_FIRST = sorted(_FIXED, key=len, reverse=True)
_STARTS = {w for p in (*_WORDS, *_VAGUE, *_FIXED, *_SCALES) for w in p.split(" ")} - {"a", "an", "of", "half"}
_CANDIDATE_SRC = rf"\b(?:[0-9]|(?:{alternation(_STARTS)})\b)"
_CANDIDATE = re.compile(_CANDIDATE_SRC)
_CANDIDATE_ANYCASE = re.compile(_CANDIDATE_SRC, re.IGNORECASE)
# What may stand before the word the scan finds: a qualifier, "between", an article ("a dozen", "half a dozen").
_BEFORE = re.compile(rf"(?<![\w])(?:(?:{alternation(_QUALIFIERS)}|between){_SP})?(?:(?:half{_SP})?an?{_SP})?$",
                     re.IGNORECASE)

# --- what is not a count ---------------------------------------------------------------------------------------
_MONTHS = frozenset(_LEX["months"])
_YEAR_PREV = frozenset(_LEX["year_preceding"])
_YEAR_NEXT = frozenset(_LEX["year_following"])
_LABELS = frozenset(_LEX["label_words"])
_ONE_PRONOUN = frozenset(_LEX["one_pronoun_after"])
_PREV = re.compile(r"(\S+)[^\S\n]*$")
_NEXT = re.compile(r"[^\S\n]*(\S+)")
_TIME_NEXT = re.compile(r"[^\S\n]*(?:a\.?m\b|p\.?m\b|hrs?\b|gmt\b|utc\b|pst\b|o['’]clock)", re.IGNORECASE)
_YEAR = re.compile(r"1[89]\d\d|20\d\d|2100")
_LOWER_WORD = re.compile(r"[^\S\n]+([a-z]+)")


def _word_value(s: str) -> float | None:
    """Value of a run of number words ("twenty-three", "one hundred and fifty", "two dozen"); None if malformed."""
    total, current, last = 0, 0, None
    for tok in (t.lower() for t in _TOKEN.findall(s)):
        if tok == "and":
            continue
        if tok in _WORDS:
            v = _WORDS[tok]
            ok = last in (None, "hundred", "scale") or (last == "tens" and v < 10)
            if not ok:
                return None
            current += v
            last = "tens" if v >= 20 else "unit"
        elif tok == "hundred":
            if last not in ("unit", "tens"):
                return None
            current *= 100
            last = "hundred"
        elif tok in _SCALES:
            if last not in ("unit", "tens", "hundred"):
                return None
            if _SCALES[tok] < 1000:  # dozen
                current *= _SCALES[tok]
            else:
                total += current * _SCALES[tok]
                current = 0
            last = "scale"
        else:
            return None
    return float(total + current)


def _num_value(s: str) -> float | None:
    """Value of one number: digits with scales ("3.7 million"), fixed phrases ("half a dozen") or words."""
    if s.isdigit():
        return float(s)
    s = _norm(s)
    head = _DIGIT_HEAD.match(s)
    if head:
        value = float(head.group(0).replace(",", ""))
        rest = s[head.end():].split()
    else:
        fixed = next((p for p in _FIXED_LONGEST_FIRST if s == p or s.startswith(p + " ")), None)
        if fixed is None:
            return _word_value(s)
        value = float(_FIXED[fixed])
        rest = s[len(fixed):].split()
    for w in rest:
        if w not in _SCALES:
            return None
        value *= _SCALES[w]
    return round(value, 6)


def _vague_bounds(s: str, conv: dict) -> tuple[float, float, float | None]:
    """(low, best, high) of a vague phrase: "dozens", "hundreds of thousands", "several hundred"."""
    table = conv["vague"]
    s = _norm(s)
    mult = next((m for m in sorted(_MULTIPLIERS, key=len, reverse=True) if s.startswith(m + " ")), None)
    if mult is not None and s[len(mult) + 1:] in _SCALES:
        head, unit = mult, float(_SCALES[s[len(mult) + 1:]])
    else:
        parts = s.split(" of ")
        head, unit = parts[0], 1.0
        if mult is not None and len(parts) == 1:  # "many thousands": multiplier before a plural unit
            head, parts = mult, [mult, s[len(mult) + 1:]]
        for p in parts[1:]:
            unit *= table[p]["low"]
    b = table[head]
    high = None if b["high"] is None else (b["high"] + 1) * unit - 1
    return b["low"] * unit, b["best"] * unit, high


def _convention(name: str) -> dict:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise ValueError(f"unknown quantity convention {name!r}; known: {', '.join(sorted(CONVENTIONS))}") from None


def _evaluate(m: re.Match, conv: dict) -> Quantity | None:
    """The Quantity a match of the grammar stands for, or None when its numbers do not parse."""
    g = m.groupdict()
    qualifier = _QUALIFIERS.get(_norm(g["qual"])) if g["qual"] else None
    if g["post"]:
        qualifier = _POSTFIX[_norm(g["post"].lstrip(_DASHES))]
    vague = False
    first = g["r1"] or g["r3"] or g["r5"]
    if first:
        a, b = _num_value(first), _num_value(g["r2"] or g["r4"] or g["r6"])
        if a is None or b is None:
            return None
        low, high = min(a, b), max(a, b)
        best = {"low": low, "midpoint": (low + high) / 2, "high": high}[conv["range_best"]]
        if low != high:
            qualifier = "range"
    elif g["vague"]:
        low, best, high = _vague_bounds(g["vague"], conv)
        vague = True
    else:
        n = _num_value(g["num"])
        if n is None:
            return None
        low = best = high = n
    if qualifier and qualifier != "range":
        f = conv["qualifiers"][qualifier]
        low = math.floor(round(low * f["low"], 6))
        best = round(best * f["best"], 6)
        high = None if f["high"] is None or high is None else math.ceil(round(high * f["high"], 6))
    return Quantity(best=float(best), low=float(low), high=None if high is None else float(high), vague=vague,
                    qualifier=qualifier, start=m.start(), end=m.end(), text=m.group(0))


def parse_quantity(s: str, convention: str = "acled") -> Quantity | None:
    """Read ``s`` as one quantity ("twenty-three", "dozens of", "at least 12", "a"); None if it is not one.

    Offsets are into ``s``. No date or year test is made: the caller says this is a number.
    """
    conv = _convention(convention)
    stripped = s.strip()
    if stripped.lower() in ("a", "an"):
        start = s.index(stripped)
        return Quantity(1.0, 1.0, 1.0, False, None, start, start + len(stripped), stripped)
    if not _WHOLE.fullmatch(s):
        return None
    m = _QUANTITY.match(s, len(s) - len(s.lstrip()))
    return _evaluate(m, conv) if m else None


def _not_a_count(text: str, m: re.Match) -> bool:
    """A date ("Dec. 12"), a year ("since 2021"), a time, a label ("Article 370") or the pronoun "no one"."""
    s, e = m.start(), m.end()
    prev = _PREV.search(text, max(0, s - 24), s)
    prev_tok = prev.group(1) if prev else ""
    nxt = _NEXT.match(text, e, min(len(text), e + 24))
    next_tok = nxt.group(1).strip(".,;:)”’\"'") if nxt else ""
    if prev_tok.rstrip(".,") in _MONTHS or next_tok in _MONTHS:
        return True
    if prev_tok.lower() in _LABELS or prev_tok.lower().rstrip(".") + "." in _LABELS:
        return True
    if _TIME_NEXT.match(text, e):
        return True
    first = m.group("r3") or m.group("r5")
    if first and _YEAR.fullmatch(first):  # "2020-21", "from 2020 to 2021"
        return True
    num = m.group("num")
    if num and not m.group("qual") and not m.group("post"):
        if _YEAR.fullmatch(num):
            follow = _LOWER_WORD.match(text, e)
            if prev_tok.lower() in _YEAR_PREV or prev_tok.endswith(",") or not follow or follow.group(1) in _YEAR_NEXT:
                return True
        if num.lower() == "one" and (prev_tok.lower() in _ONE_PRONOUN or next_tok.lower() == "another"):
            return True
    return False


def find_quantities(text: str, convention: str = "acled") -> list[Quantity]:
    """Every quantity in ``text`` with its offsets, dates, years, times and labels left out.

    A fast scan finds the digits and number words of a lower-cased copy; the full grammar runs only there, from
    the qualifier or article before it ("over 70", "a dozen").
    """
    conv = _convention(convention)
    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer: scan the text itself
        lower, scan = text, _CANDIDATE_ANYCASE
    else:
        scan = _CANDIDATE
    out: list[Quantity] = []
    done = 0
    for c in scan.finditer(lower):
        pos = c.start()
        if pos < done:
            continue
        back = _BEFORE.search(lower, max(0, pos - 32), pos)
        m = _QUANTITY.match(text, back.start()) if back and back.start() < pos else None
        if m is None or m.end() <= pos:
            m = _QUANTITY.match(text, pos)
        if m is None:
            continue
        done = m.end()
        if _not_a_count(text, m):
            continue
        q = _evaluate(m, conv)
        if q is not None:
            out.append(q)
    return out
