"""Quantities: exact numbers, words, ranges, qualifiers and vague words to low / best / high, with offsets."""

from __future__ import annotations


import pytest

from conflictlens import paths
from conflictlens.quantities import CONVENTIONS, Quantity, find_quantities, fold, has_ascii_lookalike, parse_quantity

# (text, best, low, high, vague, qualifier) under the default ACLED convention.
PARSE_CASES = [
    ("23", 23, 23, 23, False, None),
    ("5,000", 5000, 5000, 5000, False, None),               # thousands separator
    ("3.7 million", 3_700_000, 3_700_000, 3_700_000, False, None),  # decimal times a scale word
    ("5 lakh", 500_000, 500_000, 500_000, False, None),     # South Asian scale word
    ("twenty-three", 23, 23, 23, False, None),              # hyphenated number word
    ("twenty three", 23, 23, 23, False, None),
    ("one hundred and fifty", 150, 150, 150, False, None),
    ("two dozen", 24, 24, 24, False, None),                 # "dozen" after a number is exact
    ("half a dozen", 6, 6, 6, False, None),
    ("a dozen", 12, 12, 12, False, None),
    ("a", 1, 1, 1, False, None),                            # the article as one ("a soldier was martyred")
    ("one", 1, 1, 1, False, None),
    ("all six", 6, 6, 6, False, "all"),
    ("20 to 25", 20, 20, 25, False, "range"),               # ACLED: the conservative end of a range
    ("20-25", 20, 20, 25, False, "range"),
    ("20–25", 20, 20, 25, False, "range"),                  # en dash
    ("between 20 and 25", 20, 20, 25, False, "range"),
    ("two or three", 2, 2, 3, False, "range"),
    ("at least 12", 12, 12, None, False, "at_least"),       # open above
    ("10 or more", 10, 10, None, False, "at_least"),        # the qualifier after the number
    ("over 70", 70, 70, None, False, "over"),               # the gold: best 70, low 70
    ("More than 70", 70, 70, None, False, "over"),
    ("up to 1,000", 1000, 0, 1000, False, "up_to"),
    ("about 50", 50, 45, 55, False, "about"),
    ("some 200", 200, 180, 220, False, "about"),
    ("nearly 100", 100, 90, 100, False, "nearly"),
    ("several", 3, 3, 9, True, None),                       # the yaml's documented bounds
    ("a few", 2, 2, 5, True, None),
    ("dozens", 12, 12, 99, True, None),                     # the gold: best 12, low 12, high 99
    ("dozens of", 12, 12, 99, True, None),
    ("tens", 10, 10, 99, True, None),
    ("scores", 20, 20, 199, True, None),
    ("hundreds", 100, 100, 999, True, None),                # the gold: best 100, low 100, high 999
    ("thousands", 1000, 1000, 9999, True, None),
    ("hundreds of thousands", 100_000, 100_000, 999_999, True, None),  # compound: hundreds x 1,000
    ("tens of thousands", 10_000, 10_000, 99_999, True, None),
    ("several hundred", 300, 300, 999, True, None),         # vague multiplier x scale word
    ("over a dozen", 12, 12, None, False, "over"),
    ("at least dozens", 12, 12, None, True, "at_least"),
]


@pytest.mark.parametrize("text,best,low,high,vague,qualifier", PARSE_CASES)
def test_parse_quantity(text, best, low, high, vague, qualifier):
    q = parse_quantity(text)
    assert q is not None, text
    assert (q.best, q.low, q.high, q.vague, q.qualifier) == (best, low, high, vague, qualifier)


@pytest.mark.parametrize("text", ["", "soldiers", "one two", "Tuesday", "twenty thirteen"])
def test_parse_quantity_refuses_non_numbers(text):
    # "one two" and "twenty thirteen" are two numbers side by side, not one
    assert parse_quantity(text) is None


def test_midpoint_convention_reads_vague_words_and_ranges_differently():
    # the example of another convention: dozens 36, hundreds 300; bounds stay the same
    assert (parse_quantity("dozens", "midpoint").best, parse_quantity("dozens", "midpoint").low) == (36, 12)
    assert parse_quantity("hundreds", "midpoint").best == 300
    assert parse_quantity("hundreds of thousands", "midpoint").best == 300_000
    assert parse_quantity("20 to 25", "midpoint").best == 22.5
    assert parse_quantity("23", "midpoint").best == 23
    assert set(CONVENTIONS) >= {"acled", "midpoint"}
    assert all(c["description"] for c in CONVENTIONS.values())


def test_unknown_convention_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown quantity convention 'acme'.*acled"):
        find_quantities("23 soldiers", "acme")


def test_find_quantities_gives_offsets_into_the_text():
    text = "At least 12 people were killed and hundreds injured; twenty-three more were missing."
    qs = find_quantities(text)
    assert [q.text for q in qs] == ["At least 12", "hundreds", "twenty-three"]
    for q in qs:
        assert text[q.start:q.end] == q.text
    assert isinstance(qs[0], Quantity) and qs[0].qualifier == "at_least"


def test_find_quantities_leaves_out_dates_years_times_labels_and_pronouns():
    # every number here is a date, a year, a time, a label or the pronoun "one": none is a count
    text = ("The Dec. 12 attack, on Nov. 17–18 and October 18-19 in 2023, since 2021, in 2020-21, dated 2025-10-30, "
            "at 10:30, at 5 p.m., under Article 370, no one and the one who came, COVID-19, the 23rd.")
    assert find_quantities(text) == []


def test_find_quantities_keeps_counts_that_look_like_years():
    # "5000 prisoners": four digits followed by the noun they count is a number, not a year
    assert [q.best for q in find_quantities("the release of their 5000 prisoners")] == [5000]
    assert [q.best for q in find_quantities("over 2000 people fled")] == [2000]


def test_find_quantities_reads_money_and_units_as_numbers():
    # the number is found; deciding that "$38 billion" is no casualty is casualties.py's job
    text = "the country’s $38 billion remittances, a 48-hour truce and the 2,600-kilometre frontier"
    assert [(q.text, q.best) for q in find_quantities(text)] == [
        ("38 billion", 38e9), ("48", 48), ("2,600", 2600)]


def test_find_quantities_on_the_seeds():
    text = (paths.SEEDS / "000_0516a4ba446335d0.txt").read_text(encoding="utf-8")
    found = {q.text: q for q in find_quantities(text)}
    assert found["all six"].best == 6
    assert found["Hundreds of thousands"].low == 100_000 and found["Hundreds of thousands"].high == 999_999
    assert found["almost 3.7 million"].best == 3_700_000 and found["almost 3.7 million"].qualifier == "nearly"
    assert "12" not in found and "2023" not in found  # "Dec. 12", "Dec. 13, 2023"
    text = (paths.SEEDS / "003_771d4294c3458fbb.txt").read_text(encoding="utf-8")
    found = {q.text: q for q in find_quantities(text)}
    assert (found["dozens"].best, found["dozens"].high) == (12, 99)
    assert (found["Over 70"].best, found["Over 70"].qualifier) == (70, "over")
    assert found["hundreds"].vague


def test_fold_is_one_lower_case_byte_per_character_between_spaces():
    assert fold("Ab, c’D 5_x") == b" ab  c d 5_x "
    assert fold("") == b"  "


def test_has_ascii_lookalike():
    assert not has_ascii_lookalike("plain text, “quoted” and accented é")
    assert all(has_ascii_lookalike(f"a{c}b") for c in "İıſ\u212a")


@pytest.mark.parametrize("text, found", [
    ("é5 soldiers", []),                      # a digit glued to a non-ASCII letter starts no number
    ("é 5 soldiers", [("5", 5)]),
    ("twoé men", []),                         # nor does a number word glued to one
    ("AT LEAST TWENTY-THREE were killed", [("AT LEAST TWENTY-THREE", 23)]),  # upper case, its text kept
    ("ſeven soldiers", []),                   # "ſ" is no "s" for the scan
    ("at leaſt 12", [("at leaſt 12", 12)]),   # but IGNORECASE reads it as one in a qualifier
    ("about İ 12 people", [("12", 12)]),      # "İ" lower-cases to two characters
    ("Kelvin: 12 s\u212ax", [("12", 12)]),
])
def test_find_quantities_around_non_ascii_letters(text, found):
    assert [(q.text, q.best) for q in find_quantities(text)] == found


def test_find_quantities_with_the_callers_scan_is_the_same():
    # the caller's candidates are each tested: every offset of the text, in order, finds what the scan finds
    text = (paths.SEEDS / "003_771d4294c3458fbb.txt").read_text(encoding="utf-8")
    found = find_quantities(text)
    assert len(found) > 5
    assert find_quantities(text, "acled", list(range(len(text))), text.lower()) == found
