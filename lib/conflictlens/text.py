"""Sentences and tokens with character offsets, and keyword-in-context, with NLTK and no download.

Punkt runs with parameters built here (abbreviations of news prose: "Gen.", "Dec.", "U.S.", "Lt. Col.",
"Mr."), so nothing is fetched from NLTK's data server.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.tokenize import TreebankWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Abbreviations that end with a full stop but do not end a sentence (lower case, without the final dot).
ABBREVIATIONS = frozenset(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    mr mrs ms dr prof sr jr st mt ft no nos vs etc approx est
    gen lt col maj capt cpt cmdr brig sgt cpl pvt adm gov sen rep rev hon supt insp dsp sp ssp
    u.s u.k u.n u.s.a u.a.e e.g i.e a.m p.m inc corp co ltd govt dept
    """.split()
)


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[•\u2022\-\*]\s)|\n")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets into ``text``; a line break always ends a sentence.

    News text puts headlines, bullets and captions on lines of their own, so lines are split first and
    Punkt runs inside each line.
    """
    tokenizer = _punkt()
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            offset = pos + (len(line) - len(line.lstrip()))
            for s, e in tokenizer.span_tokenize(stripped):
                spans.append((offset + s, offset + e))
        pos += len(line) + 1
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[s:e] for s, e in sentence_spans(text)]


_TREEBANK = TreebankWordTokenizer()


def token_spans(text: str) -> list[tuple[int, int]]:
    """Word token (start, end) offsets into ``text`` (Treebank conventions)."""
    try:
        return list(_TREEBANK.span_tokenize(text))
    except ValueError:  # Treebank cannot align some quote sequences: fall back to a plain word pattern.
        return [m.span() for m in re.finditer(r"\w+(?:[-'’]\w+)*|[^\w\s]", text)]


def tokens(text: str) -> list[str]:
    """Word tokens of ``text``."""
    return [text[s:e] for s, e in token_spans(text)]


def kwic(text: str, keyword: str, width: int = 60) -> list[dict]:
    """Keyword-in-context: every case-insensitive whole-word occurrence of ``keyword`` with ``width``
    characters either side, its offsets and the sentence it sits in."""
    pattern = re.compile(r"(?<!\w)" + re.escape(keyword) + r"(?!\w)", re.IGNORECASE)
    spans = sentence_spans(text)
    rows = []
    for m in pattern.finditer(text):
        sent = next(((s, e) for s, e in spans if s <= m.start() < e), (m.start(), m.end()))
        rows.append(
            {
                "start": m.start(),
                "end": m.end(),
                "left": text[max(0, m.start() - width) : m.start()].replace("\n", " "),
                "keyword": m.group(0),
                "right": text[m.end() : m.end() + width].replace("\n", " "),
                "sentence": text[sent[0] : sent[1]],
            }
        )
    return rows
