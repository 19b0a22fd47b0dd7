"""Quantities as the press writes them ("23", "5,000", "3.7 million", "twenty-three", "all six", "20 to 25",
"at least 12", "dozens", "hundreds of thousands") turned into low / best / high, with character offsets.

The words, qualifiers, vague bounds and conventions are data (``lexicon/quantities.yaml``); the code is one
regular expression built from them at import and a small evaluator. ``convention`` picks how vague words, ranges
and qualifiers become a best estimate: ``"acled"`` (default: the most conservative reading) or ``"midpoint"``.
"""

from __future__ import annotations

import functools
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


def has_ascii_lookalike(text: str) -> bool:
    """Does ``text`` hold a character that IGNORECASE matches to an ASCII letter, or whose lower case is ASCII
    (İ ı ſ K, the Kelvin sign)? Such a text is read the exact, slower way."""
    return "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text


_FOLD = bytes(ord(chr(c).lower()) if chr(c).isascii() and (chr(c).isalnum() or chr(c) == "_") else 32
              for c in range(256))


def fold(text: str) -> bytes:
    """``text`` as one byte per character, for fast scans of words: ASCII letters lower-cased, digits and "_"
    kept, any other character a space; between two more spaces, so that the word at ``text[i]`` is found as a
    space and the word at ``i`` (``re`` skips to a fixed first character quickly, and tries a pattern only there).

    A word of ``re``'s str patterns is a word here too, or several (a non-ASCII letter is a space here): a scan of
    the folded text finds every word a scan of the lower-cased text finds, and maybe more, so its finds are
    candidates to test. Except where ``has_ascii_lookalike``.
    """
    return b" ".join((b"", text.encode("ascii", "replace").translate(_FOLD), b""))


def alternation(phrases, space: str = _SP) -> str:
    """A regex matching any of ``phrases`` (lower case; a space matches ``space``, by default any run of spaces),
    shaped as a trie: one character test per branch, so a scan costs little more than for one word where a flat
    alternation would try every phrase at every position. Greedy, so the longest phrase that fits wins."""
    root: dict = {}
    for phrase in {_norm(p) for p in phrases}:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [(space if ch == " " else re.escape(ch)) + render(child) for ch, child in sorted(node.items()) if ch]
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
QUALIFIER_PHRASES = tuple(sorted(_QUALIFIERS, key=len, reverse=True))  # "at least", "more than", "over", ...
_VAGUE: dict[str, dict] = {_norm(k): v for k, v in _LEX["vague_words"].items()}
_VAGUE_UNITS = {w for w, b in _VAGUE.items() if b["low"] >= 10}  # plural units: "hundreds (of thousands)"
_MULTIPLIERS = [_norm(w) for w in _LEX["vague_multipliers"]]
_MULTIPLIERS_LONGEST_FIRST = sorted(_MULTIPLIERS, key=len, reverse=True)


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
# The same, case-sensitive, for a lower-cased text: the same matches, faster, when lower-casing keeps every offset
# and no character is one that IGNORECASE reads as an ASCII letter.
_QUANTITY_LOWER = re.compile(_QUANTITY.pattern)
_WHOLE = re.compile(rf"\s*(?:{_BODY})(?:{_SP}of)?\s*", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z]+", re.IGNORECASE)
_DIGIT_HEAD = re.compile(r"[\d.,]+")
_FIXED_LONGEST_FIRST = sorted(_FIXED, key=len, reverse=True)
#: The words the scan for quantities looks for, besides digits (a quantity holds a digit or one of them).
START_WORDS = frozenset(w for p in (*_WORDS, *_VAGUE, *_FIXED, *_SCALES) for w in p.split(" ")) - {
    "a", "an", "of", "half"}
_CANDIDATE_SRC = rf"\b(?:[0-9]|(?:{alternation(START_WORDS)})\b)"
_CANDIDATE = re.compile(_CANDIDATE_SRC)
_CANDIDATE_ANYCASE = re.compile(_CANDIDATE_SRC, re.IGNORECASE)
_CANDIDATE_FOLDED = re.compile(rb" (?:[0-9]|(?:%s)\b)" % alternation(START_WORDS).encode())
# What may stand before the word the scan finds: a qualifier, "between", an article ("a dozen", "half a dozen").
_BEFORE = re.compile(rf"(?<![\w])(?:(?:{alternation(_QUALIFIERS)}|between){_SP})?(?:(?:half{_SP})?an?{_SP})?$",
                     re.IGNORECASE)
_BEFORE_LOWER = re.compile(_BEFORE.pattern)
_BEFORE_LAST_WORDS = tuple({q.split(" ")[-1] for q in _QUALIFIERS} | {"between", "a", "an"})
#: The characters of ``[^\S\n]``: blanks, not a line break (``\s`` is ``str.isspace``, none above U+3000).
BLANKS = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n")

# --- what is not a count ---------------------------------------------------------------------------------------
_MONTHS = frozenset(_LEX["months"])
_YEAR_PREV = frozenset(_LEX["year_preceding"])
_YEAR_NEXT = frozenset(_LEX["year_following"])
_LABELS = frozenset(_LEX["label_words"])
_ONE_PRONOUN = frozenset(_LEX["one_pronoun_after"])
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


@functools.lru_cache(maxsize=4096)
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
    mult = next((m for m in _MULTIPLIERS_LONGEST_FIRST if s.startswith(m + " ")), None)
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


def _evaluate(m: re.Match, conv: dict, text: str) -> Quantity | None:
    """The Quantity a match of the grammar in ``text`` (or its lower-cased copy) stands for, or None when its
    numbers do not parse."""
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
    start, end = m.span()
    return Quantity(float(best), float(low), None if high is None else float(high), vague, qualifier, start, end,
                    text[start:end])


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
    return _evaluate(m, conv, s) if m else None


def _prev_token(text: str, s: int) -> str:
    """The word before ``s`` as ``re.compile(r"(\\S+)[^\\S\\n]*$").search(text, s - 24, s)`` finds it ("" if none): the
    last run of non-blanks in the 24 characters before ``s``, with only blanks after it (and maybe a line break
    last, since ``$`` matches before one)."""
    before = text[max(0, s - 24):s]
    if before.endswith("\n"):  # "$" matches before a final line break
        before = before[:-1]
    before = before.rstrip(BLANKS)
    if not before or before[-1].isspace():
        return ""
    return before.rsplit(None, 1)[-1]


def _not_a_count(text: str, m: re.Match) -> bool:
    """A date ("Dec. 12"), a year ("since 2021"), a time, a label ("Article 370") or the pronoun "no one"."""
    s, e = m.span()
    prev_tok = _prev_token(text, s)
    prev_lower = prev_tok.lower()
    nxt = _NEXT.match(text, e, min(len(text), e + 24))
    next_tok = nxt.group(1).strip(".,;:)”’\"'") if nxt else ""
    if prev_tok.rstrip(".,") in _MONTHS or next_tok in _MONTHS:
        return True
    if prev_lower in _LABELS or prev_lower.rstrip(".") + "." in _LABELS:
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
            if prev_lower in _YEAR_PREV or prev_tok.endswith(",") or not follow or follow.group(1) in _YEAR_NEXT:
                return True
        if num.lower() == "one" and (prev_lower in _ONE_PRONOUN or next_tok.lower() == "another"):
            return True
    return False


def find_quantities(text: str, convention: str = "acled", candidates: list[int] | None = None,
                    lower: str | None = None) -> list[Quantity]:
    """Every quantity in ``text`` with its offsets, dates, years, times and labels left out.

    A fast scan finds the digits and number words (``START_WORDS``) of the folded text (``fold``), each tested on a
    lower-cased copy; the full grammar runs only there, from the qualifier or article before it ("over 70", "a
    dozen"). A caller that has scanned ``fold(text)`` already may give the offsets it found (``candidates``, in
    order; more do no harm, each is tested) and ``text.lower()`` (``lower``).
    """
    conv = _convention(convention)
    if lower is None:
        lower = text.lower()
    anycase = len(lower) != len(text)  # a character whose lower case is longer: scan the text itself
    if anycase:
        lower, starts = text, [c.start() for c in _CANDIDATE_ANYCASE.finditer(text)]
    elif "\u212a" in text:  # "K" (Kelvin sign) lower-cases to "k", which the folded text does not see
        starts = [c.start() for c in _CANDIDATE.finditer(lower)]
    else:
        if candidates is None:
            candidates = [f.start() for f in _CANDIDATE_FOLDED.finditer(fold(text))]
        starts = [p for p in candidates if _CANDIDATE.match(lower, p)]
    if anycase or has_ascii_lookalike(text):
        quantity, before, subject = _QUANTITY, _BEFORE, text
    else:  # the grammar on the lower-cased text, case-sensitively
        quantity, before, subject = _QUANTITY_LOWER, _BEFORE_LOWER, lower
    out: list[Quantity] = []
    done = 0
    for pos in starts:
        if pos < done:
            continue
        m = None
        # _BEFORE finds something only after a qualifier or an article and blanks: test that first, cheaply
        if pos and lower[pos - 1] in BLANKS:
            head = lower[max(0, pos - 32):pos]
            if anycase or not head.isascii() or head.rstrip(BLANKS).endswith(_BEFORE_LAST_WORDS):
                back = before.search(lower, max(0, pos - 32), pos)
                m = quantity.match(subject, back.start()) if back and back.start() < pos else None
        if m is None or m.end() <= pos:
            m = quantity.match(subject, pos)
        if m is None:
            continue
        done = m.end()
        if _not_a_count(text, m):
            continue
        q = _evaluate(m, conv, text)
        if q is not None:
            out.append(q)
    return out
