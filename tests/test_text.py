"""Sentences and tokens with offsets (Punkt with parameters built here, no download) and keyword-in-context."""

import random

from conflictlens import paths
from conflictlens.text import _contains_break, _punkt, kwic, sentence_spans, sentences, token_spans, tokens


def test_abbreviations_do_not_end_sentences():
    text = ("Gen. Bajwa met Mr. Khalilzad on Dec. 12 in the U.S. embassy. Lt. Col. Khan said the Nov. 17–18 "
            "operations were over. A third one.")
    assert sentences(text) == [
        "Gen. Bajwa met Mr. Khalilzad on Dec. 12 in the U.S. embassy.",
        "Lt. Col. Khan said the Nov. 17–18 operations were over.",
        "A third one.",
    ]


def test_offsets_index_the_text_and_lines_end_sentences():
    text = "Headline without a full stop\n\n  • A bullet line\nISLAMABAD: Body one. Body two."
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Headline without a full stop", "• A bullet line", "ISLAMABAD: Body one.",
                                             "Body two."]


def test_tokens_with_offsets():
    text = "Twenty-three soldiers were killed."
    assert tokens(text) == ["Twenty-three", "soldiers", "were", "killed", "."]
    assert all(text[s:e] == t for (s, e), t in zip(token_spans(text), tokens(text)))


def test_seed_sentences_keep_dates_whole():
    text = (paths.SEEDS / "000_0516a4ba446335d0.txt").read_text(encoding="utf-8")
    sents = sentences(text)
    assert any("Dec. 12 attack in which 23 Pakistani soldiers killed" in s for s in sents)
    assert not any(s.endswith("Dec.") for s in sents)


def test_kwic_finds_whole_words_with_context():
    text = "The TTP attacked. Officials blamed the TTP again; TTPs is not a word here."
    rows = kwic(text, "ttp", width=10)
    assert [r["keyword"] for r in rows] == ["TTP", "TTP"]
    assert rows[1]["sentence"] == "Officials blamed the TTP again; TTPs is not a word here."
    assert rows[0]["left"] == "The " and rows[0]["right"].startswith(" attacked.")


# Punkt stays the authority: the fast path of sentence_spans must return exactly plain Punkt's spans.
HARD_CASES = [
    "Lt. Gen. Asim Munir met Maj. Gen. Khan on Dec. 12 in the U.S. embassy. He left on Jan. 3.",
    "The U.S. said so. U.S. Officials disagreed. The U.S.A. Today. U.S.-backed forces moved. e.g. this. i.e. that.",
    "J. R. R. Tolkien wrote it. A. B. went home. He met J. Bach. a. b. c. Then x. 3 more.",
    'He said: "It is over." Then he left. "Done." \'Quoted.\' (See above.) [Note.] {Brace.} Next one.',
    "“It is over.” Then he left. ‘Fine.’ And «non.» Then.” Odd. Last.”",
    "Is it? Yes! No!! Really?! Fine?” He asked (why?) and left!) Then? a",
    "Wait... then what? And . . . more … end. Trailing.. two. Dots.... four",
    "Casualties rose 3.5 percent. 12. The number was 1,000. Then 2020. in lower case. 1. 2. 3.",
    "a line without punctuation",
    "He was no. 1. No. 2 came. The vs. match. St. John's. Govt. said. Dept. of State.",
    "3 p.m. Friday. At 4 a.m. they left. Smith et al. reported. Abbott Inc. Ltd. Co. Corp. closed.",
    "One.\tTwo.\xa0Three.  Four.\x1cFive.\u2003Six.\rSeven.\x0bEight.\x0cNine.",
    "Mr.Smith left.Then he came.And went. x.Y z.",
    "The army said.-- Next. Then ... So. The end --. Yes.- no",
    "Jamaat-ul-Ahrar. Claimed it. x-gen. Lower. Lt-Col. Khan. 2019-20. Season. K2. peak.",
    "Ends with an abbreviation Gen.",
    "?! . ! ? .. a . b",
    "Stop! Go on",
]
MULTILINE_CASES = [
    "Headline without a full stop\n\n  • A bullet line. With two.\n- A dash bullet\n* Star.\nBody one. Body two.\n",
    "\n\n  \t\n  Indented. Line.  \n\r\nCRLF line. Two.\r\nLast",
    "",
    "   ",
]


def _punkt_spans(text: str) -> list[tuple[int, int]]:
    """Plain Punkt's span_tokenize on each stripped line: sentence_spans before its fast path."""
    tokenizer = _punkt()
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            offset = pos + len(line) - len(line.lstrip())
            spans += [(offset + s, offset + e) for s, e in tokenizer.span_tokenize(stripped)]
        pos += len(line) + 1
    return spans


def test_fast_path_equals_punkt_on_seeds_and_unseen():
    files = sorted(paths.SEEDS.glob("*.txt")) + sorted((paths.TESTS / "data" / "unseen").glob("*.txt"))
    assert len(files) >= 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert sentence_spans(text) == _punkt_spans(text), path.name


def test_fast_path_equals_punkt_on_hard_cases():
    for text in HARD_CASES + MULTILINE_CASES + ["\n".join(HARD_CASES)]:
        assert sentence_spans(text) == _punkt_spans(text), text
    assert sentences(HARD_CASES[0]) == ["Lt. Gen. Asim Munir met Maj. Gen. Khan on Dec. 12 in the U.S. embassy.",
                                        "He left on Jan. 3."]
    assert sentences('He said: "It is over." Then he left.') == ['He said: "It is over."', "Then he left."]
    assert sentences("Is it? Yes! No!! Fine.") == ["Is it?", "Yes!", "No!!", "Fine."]
    assert sentences("Casualties rose 3.5 percent. Then 2020. in lower case.") == [
        "Casualties rose 3.5 percent.", "Then 2020. in lower case."]


def test_fast_path_equals_punkt_on_random_text():
    rnd = random.Random(7)
    words = ["The", "said", "Gen", "dec", "U.S", "e.g", "x-gen", "A", "b", "3", "2020", "3.5", "-1", "no", "é", "Ǆ",
             "٣", "al-Qaeda", "##number##", ""]
    before = ["", "", '"', "(", "“", "‘", "-", "--", "•", "..."]
    after = ["", "", ".", ".", "?", "!", "...", ". . .", ",", ";", ".”", "”.", '."', ".)", "?”", ".’", "?!", ".--",
             "…"]
    gaps = [" ", " ", " ", "  ", "\t", "\xa0", "\x1c", "\n", "\n\n"]
    for _ in range(1000):
        text = "".join(rnd.choice(before) + rnd.choice(words) + rnd.choice(after) + rnd.choice(gaps)
                       for _ in range(rnd.randint(1, 12)))
        assert sentence_spans(text) == _punkt_spans(text), text


def test_plain_context_shortcut_agrees_with_punkt():
    # Every shape the shortcut reads without Punkt's word tokenizer, and near misses it must leave to it.
    tokenizer = _punkt()
    words = ["A", "z", "Gen", "dec", "no", "x-gen", "Lt-Col", "killed", "3", "2019-20", "K2", "e-g", "a--b", "é",
             "U.S"]
    nexts = [" Next", " next", "  N", " 3", " ;", " :x", " ,", " “Q", ' "q', " (x", " -", " é", " Ǆ", " \xa0x",
             "\tX", " \x1cX", " a.b", " x?", " .", "”", '"', ")", "’", "?", "!", ";", ":", "*", "'", "»"]
    for word in words:
        for nxt in nexts:
            context = word + "." + nxt
            assert _contains_break(context) == tokenizer.text_contains_sentbreak(context), context
