"""Sentences and tokens with character offsets, and keyword-in-context, with NLTK and no download.

Punkt runs with parameters built here (abbreviations of news prose: "Gen.", "Dec.", "U.S.", "Lt. Col.",
"Mr."), so nothing is fetched from NLTK's data server. ``sentence_spans`` takes Punkt's steps with Punkt's own
regular expressions but without its token objects, and decides a common context without its word tokenizer;
tests/test_text.py holds it equal to plain Punkt.
"""

from __future__ import annotations

import re
from typing import Any

from nltk.tokenize import TreebankWordTokenizer
from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer, PunktToken

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


def _punkt() -> PunktSentenceTokenizer:
    """Plain NLTK Punkt with these parameters: the authority ``sentence_spans`` must agree with (see tests)."""
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def _compiled(pattern: Any) -> Any:
    """The compiled pattern inside NLTK's per-call timeout wrapper (nltk.redos), if any: the same regular
    expression and engine as Punkt's (whose ``\\s`` differs from ``re``'s), without a Python frame per call."""
    return getattr(pattern, "_rx", pattern)


# Punkt's own regular expressions (english defaults: candidate ends ".?!", word tokens, realignment, token kinds).
_LANG = PunktLanguageVars()
_END_CONTEXT = _compiled(_LANG.period_context_re())
_AFTER_TOK, _NEXT_TOK = _END_CONTEXT.groupindex["after_tok"], _END_CONTEXT.groupindex["next_tok"]  # by name is slow
_WORDS = _compiled(_LANG._word_tokenizer_re())
_REALIGN = _compiled(_LANG.re_boundary_realignment)
_INITIAL = _compiled(PunktToken._RE_INITIAL)
_NUMERIC = _compiled(PunktToken._RE_NUMERIC)
_SENT_END = frozenset(_LANG.sent_end_chars)
_PUNCTUATION = frozenset(PunktSentenceTokenizer.PUNCTUATION)
# A candidate full stop's context whose word tokens are known without Punkt's tokenizer: a plain word (ASCII
# letters and digits, single hyphens) with its full stop is one token (no non-word character, "--" or ". ." in
# it), then the next token starts at the character after the spaces, or is the one closing mark (Punkt's
# non-word characters); tokens without ".?!" after it never end a sentence.
_PLAIN_CONTEXT = re.compile(
    r"([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)(?: +([^\s.?!])[^.?!]*|(%s))" % _LANG._re_non_word_chars
)
# The rest of a text line from its last ASCII whitespace on (Punkt's _get_last_whitespace_index: string.whitespace).
_LAST_SPACE = re.compile(r".*[ \t\n\r\x0b\x0c]", re.DOTALL)
# A line of ``text.split("\n")`` with its surrounding whitespace stripped (``re``'s \s is str.isspace, as strip's).
_LINE = re.compile(r"^[^\S\n]*(\S(?:[^\n]*\S)?)", re.MULTILINE)


def _breaks_after(tok: str, nxt: str) -> bool:
    """Punkt's decision that word token ``tok``, followed by ``nxt``, ends a sentence (of ``nxt`` it reads only
    the first character and whether it is a lone punctuation mark).

    With abbreviations as the only parameters (no collocations, sentence starters or orthographic
    contexts), the first pass marks ".", "?", "!" and a final full stop that is not an abbreviation's
    or an ellipsis'; the second pass only withdraws the mark of an initial or a number followed by a
    lower-case word or a punctuation mark, or of an initial followed by a capitalised word.
    """
    if tok in _SENT_END:
        return True
    if tok[-1] != "." or tok.endswith(".."):
        return False
    stem = tok[:-1].lower()
    if stem in ABBREVIATIONS or stem.split("-")[-1] in ABBREVIATIONS:
        return False
    first = nxt[0]
    if nxt in _PUNCTUATION or first.islower():
        return not (_is_initial(tok) or _is_number(tok))
    if first.isupper():
        return not _is_initial(tok)
    return True


def _is_initial(tok: str) -> bool:
    """Punkt's initial: one letter and a full stop ("A.")."""
    # Its pattern, [^\W\d]\.$, fits two characters only (tokens hold no line break): skip the call otherwise.
    return len(tok) == 2 and _INITIAL.match(tok) is not None


def _is_number(tok: str) -> bool:
    """Punkt's number: a token whose type, without its final full stop, is "##number##"."""
    typ = _NUMERIC.sub("##number##", tok.lower())
    return (typ[:-1] if len(typ) > 1 and typ[-1] == "." else typ) == "##number##"


def _contains_break(context: str) -> bool:
    """Punkt's text_contains_sentbreak for the context of a candidate full stop: a word token before the
    last one ends a sentence."""
    plain = _PLAIN_CONTEXT.fullmatch(context)
    if plain:
        return _breaks_after(plain.group(1), plain.group(2) or plain.group(3))
    toks = _WORDS.findall(context)
    for i in range(len(toks) - 1):
        if _breaks_after(toks[i], toks[i + 1]):
            return True
    return False


def _add_line_spans(line: str, offset: int, spans: list[tuple[int, int]]) -> None:
    """Append Punkt's span_tokenize of ``line`` (stripped, non-empty, no line break), shifted by ``offset``:
    the same candidates, contexts, decisions and realignment, without its token objects and generators."""
    cuts = [0]  # start, end, start, end, ..., start of the last sentence
    word_start = word_end = 0  # the word before the pending candidate, decided once the next one is seen
    pending = None
    for m in _END_CONTEXT.finditer(line):
        at = m.start()
        # The word before: from the last space since the previous candidate (Punkt ignores a space right at
        # word_end, which is the line's first character or a candidate's, never a space).
        space = _LAST_SPACE.match(line, word_end, at)
        start = space.end() if space else word_start
        if pending is not None and word_end <= start:  # else the candidates overlap: the later one decides alone
            _cut(line, pending, word_start, cuts)
        pending, word_start, word_end = m, start, at
    if pending is not None:
        _cut(line, pending, word_start, cuts)
    size = len(line)
    if len(cuts) == 1:
        spans.append((offset, offset + size))
        return
    cuts.append(size)
    realign = 0
    last = len(cuts) - 2
    for i in range(0, last, 2):
        start, end, next_start, next_end = cuts[i] + realign, cuts[i + 1], cuts[i + 2], cuts[i + 3]
        m = _REALIGN.match(line, next_start, next_end)  # closing quotes and brackets after the end join this sentence
        if m:
            spans.append((offset + start, offset + next_start + len(m.group().rstrip())))
            realign = m.end() - next_start
        else:
            realign = 0
            if start < end:
                spans.append((offset + start, offset + end))
    if cuts[last] + realign < size:
        spans.append((offset + cuts[last] + realign, offset + size))


def _cut(line: str, m: Any, word_start: int, cuts: list[int]) -> None:
    """Add the end at candidate ``m`` and the next sentence's start to ``cuts`` if Punkt breaks there.

    A "?" or "!" always breaks: it is a word token of its own, and its context has one more.
    """
    end = m.end()
    if line[end - 1] != "." or _contains_break(line[word_start : m.end(_AFTER_TOK)]):
        next_tok = m.start(_NEXT_TOK)
        cuts += (end, next_tok if next_tok >= 0 else end)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets into ``text``; a line break always ends a sentence.

    News text puts headlines, bullets and captions on lines of their own, so lines are split first and
    Punkt runs inside each line (``_add_line_spans``; a line without a candidate end inside is one sentence).
    """
    spans: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        start, end = m.span(1)
        last = end - 1  # a final ".?!" is never a candidate
        if text.find(".", start, last) < 0 and text.find("?", start, last) < 0 and text.find("!", start, last) < 0:
            spans.append((start, end))
        else:
            _add_line_spans(m.group(1), start, spans)
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
