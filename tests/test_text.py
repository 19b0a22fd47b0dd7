"""Sentences and tokens with offsets (Punkt with parameters built here, no download) and keyword-in-context."""

from conflictlens import paths
from conflictlens.text import kwic, sentence_spans, sentences, token_spans, tokens


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
