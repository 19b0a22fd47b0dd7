"""Dates: explicit dates and ranges, weekdays and relative phrases anchored on the writing date, month and year
mentions; what is not a date; and the writing date of a piece (update stamps are not writing dates)."""

from datetime import date

import pytest
import yaml

from conflictlens import paths
from conflictlens.dates import (
    DateMention,
    _PATTERN,
    _matches,
    _mention,
    add_months,
    find_dates,
    infer_writing_date,
    weekday_after,
    weekday_before,
    year_for_month_day,
)
from conflictlens.text import sentence_spans

THU = date(2025, 10, 30)  # a Thursday


def seed(prefix: str) -> str:
    (path,) = paths.SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def found(text: str, anchor: date | None, precision: str = "day") -> list[DateMention]:
    return find_dates(text, sentence_spans(text), anchor, precision)


def one(mentions: list[DateMention], surface: str) -> DateMention:
    """The first mention with this surface."""
    return next(m for m in mentions if m.text == surface)


def dates_of(text: str, anchor: date | None, precision: str = "day") -> dict[str, tuple]:
    return {m.text: (m.date_start, m.date_end, m.precision, m.kind) for m in found(text, anchor, precision)}


# --- calendar helpers --------------------------------------------------------------------------------------------


def test_weekday_before_and_after_include_the_anchor_day():
    assert weekday_before(THU, 3) == THU                     # "on Thursday" written on a Thursday: that day
    assert weekday_before(THU, 5) == date(2025, 10, 25)      # Saturday before
    assert weekday_before(THU, 4) == date(2025, 10, 24)      # Friday: a week less a day back, never forward
    assert weekday_after(THU, 4) == date(2025, 10, 31)
    assert weekday_after(THU, 3) == THU


def test_add_months_crosses_years():
    assert add_months(2025, 1, -1) == (2024, 12)
    assert add_months(2025, 12, 1) == (2026, 1)
    assert add_months(2025, 10, -22) == (2023, 12)


def test_year_for_month_day_looks_back_unless_future():
    anchor = date(2023, 12, 14)
    assert year_for_month_day(anchor, 12, 12) == 2023
    assert year_for_month_day(anchor, 1, 5) == 2023                  # past tense: this January
    assert year_for_month_day(anchor, 1, 5, future=True) == 2024     # "will be held on Jan. 5": the nearest
    assert year_for_month_day(date(2025, 10, 30), 12, 25) == 2025    # 56 days ahead: still this year
    assert year_for_month_day(date(2025, 9, 1), 12, 25) == 2024      # 115 days ahead: last year
    assert year_for_month_day(date(2024, 3, 1), 2, 29) == 2024
    assert year_for_month_day(date(2025, 3, 1), 2, 29) is None       # no Feb. 29 in 2025: unknown, not a guess


# --- explicit dates and ranges -----------------------------------------------------------------------------------


def test_explicit_forms():
    text = ("Jan. 31, 2020 came first; then 15 February 2024 and 2025-10-30. The raid on Dec. 12 was followed by "
            "clashes on Nov. 17–18, 2025 and talks on October 18-19. A report of 3rd March 2021 followed.")
    got = dates_of(text, date(2025, 11, 19))
    assert got["Jan. 31, 2020"] == ("2020-01-31", "2020-01-31", "day", "explicit")
    assert got["15 February 2024"] == ("2024-02-15", "2024-02-15", "day", "explicit")
    assert got["2025-10-30"] == ("2025-10-30", "2025-10-30", "day", "explicit")
    assert got["Dec. 12"] == ("2025-12-12", "2025-12-12", "day", "explicit")  # 23 days ahead: within the slack
    assert got["Nov. 17–18, 2025"] == ("2025-11-17", "2025-11-18", "day", "range")
    assert got["October 18-19"] == ("2025-10-18", "2025-10-19", "day", "range")
    assert got["3rd March 2021"] == ("2021-03-03", "2021-03-03", "day", "explicit")


def test_range_across_a_year_end_and_an_impossible_range():
    # Hard case: the range's year belongs to its end; its start is in the year before.
    got = dates_of("Fighting from Dec. 30–Jan. 2, 2024 and again Nov. 18–17.", None)
    assert got["Dec. 30–Jan. 2, 2024"] == ("2023-12-30", "2024-01-02", "day", "range")
    assert got["Nov. 18–17"][:3] == (None, None, "unknown")


def test_a_weekday_beside_a_date_is_one_mention_and_checks_the_year():
    # Hard case: "Wednesday, Dec. 13, 2023" is one date, not a weekday plus a date.
    text = "A funeral in Mansehra, Pakistan, Wednesday, Dec. 13, 2023. (AP)"
    (m,) = found(text, date(2024, 2, 15))
    assert (m.text, m.date_start, m.kind) == ("Wednesday, Dec. 13, 2023", "2023-12-13", "explicit")
    # Without a year the weekday picks it: Dec. 2 was a Saturday in 2023, not in 2024 (a Monday).
    assert one(found("on Saturday, Dec. 2", date(2024, 10, 1)), "Saturday, Dec. 2").date_start == "2023-12-02"
    # No year near the anchor fits a Sunday, Dec. 2: unknown rather than wrong.
    assert one(found("on Sunday, Dec. 2", date(2024, 10, 1)), "Sunday, Dec. 2").precision == "unknown"


def test_future_context_takes_the_nearest_year_and_the_coming_weekday():
    # Hard case: news looks back, except where the clause speaks of the future.
    assert [m.date_start for m in found("Talks will be held on Jan. 5. The attack of Jan. 5 was condemned.",
                                        date(2023, 12, 14))] == ["2024-01-05", "2023-01-05"]
    text = "He said the delegation will return on Friday. He spoke on Friday, officials said."
    assert [m.date_start for m in found(text, THU)] == ["2025-10-31", "2025-10-24"]


# --- weekdays and relative phrases ------------------------------------------------------------------------------


def test_weekdays_and_relative_phrases_on_a_thursday():
    text = ("Asif on Thursday said talks that had begun on Saturday failed late on Wednesday. He spoke yesterday "
            "and earlier today, after last Thursday's meeting and Tuesday's bombing; clashes went on this week, "
            "last week and earlier this month, after a truce last month. Two days ago troops moved in.")
    got = dates_of(text, THU)
    assert got["on Thursday"] == ("2025-10-30", "2025-10-30", "day", "weekday")
    assert got["on Saturday"] == ("2025-10-25", "2025-10-25", "day", "weekday")
    assert got["late on Wednesday"] == ("2025-10-29", "2025-10-29", "day", "weekday")
    assert got["last Thursday"][0] == "2025-10-23"  # "last": strictly before the anchor day
    assert got["Tuesday"][0] == "2025-10-28"       # "Tuesday's bombing"
    assert got["yesterday"] == ("2025-10-29", "2025-10-29", "day", "relative")
    assert got["earlier today"] == ("2025-10-30", "2025-10-30", "day", "relative")
    assert got["this week"] == ("2025-10-30", "2025-10-30", "approximate", "relative")
    assert got["last week"] == ("2025-10-23", "2025-10-23", "approximate", "relative")
    assert got["earlier this month"] == ("2025-10", "2025-10", "month", "relative")
    assert got["last month"] == ("2025-09", "2025-09", "month", "relative")
    assert got["Two days ago"] == ("2025-10-28", "2025-10-28", "day", "relative")


def test_month_and_year_mentions():
    text = ("He was kidnapped in late January. In September exchanges were invited; the truce ended in November 2022 "
            "and attacks rose since 2021, after the May conflict, mid-October raids and the end of March talks.")
    got = dates_of(text, date(2020, 5, 9))
    assert got["late January"] == ("2020-01", "2020-01", "month", "month")
    assert got["September"] == ("2019-09", "2019-09", "month", "month")   # after the anchor by months: last year
    assert got["November 2022"] == ("2022-11", "2022-11", "month", "explicit")
    assert got["2021"] == ("2021", "2021", "year", "explicit")
    assert got["May"] == ("2020-05", "2020-05", "month", "month")
    assert got["mid-October"][0] == "2019-10"
    assert got["the end of March"][0] == "2020-03"


def test_not_dates():
    # Hard cases: durations, counts, distances, times of day, names that look like dates.
    text = ("An initial 48-hour truce followed four days of deliberations over the past two years. Taliban want "
            "their 5000 prisoners; up to 5,000 prisoners and 1,500 more by 2000 votes. The 2,600-kilometre frontier "
            "closed at 10:30 for COVID-19 checks, aged 45. Theresa May said June Smith would march 10 km on Good "
            "Friday; Pakistan Today reported it, as it had over the last year. Officials may 5 times say so.")
    assert found(text, THU) == []


def test_anchor_none_resolves_only_what_carries_a_year():
    got = dates_of("On Tuesday and on Dec. 12 and this month, as in 2021 and on Jan. 31, 2020.", None)
    assert got["On Tuesday"][1:] == (None, "unknown", "weekday")
    assert got["Dec. 12"][:3] == (None, None, "unknown")
    assert got["this month"][:3] == (None, None, "unknown")
    assert got["2021"][:3] == ("2021", "2021", "year")
    assert got["Jan. 31, 2020"][:3] == ("2020-01-31", "2020-01-31", "day")


def test_anchor_precision_limits_what_resolves():
    text = "On Thursday, this month, on October 19 and yesterday, as last year."
    approx = dates_of(text, THU, "approximate")
    assert approx["On Thursday"][:3] == ("2025-10-30", "2025-10-30", "approximate")
    assert approx["yesterday"][2] == "approximate"
    assert approx["this month"][:3] == ("2025-10", "2025-10", "month")
    assert approx["October 19"][:3] == ("2025-10-19", "2025-10-19", "day")
    month = dates_of(text, date(2025, 10, 1), "month")
    assert month["On Thursday"][2] == "unknown" and month["yesterday"][2] == "unknown"
    assert month["this month"][0] == "2025-10" and month["October 19"][0] == "2025-10-19"
    year = dates_of(text, date(2025, 1, 1), "year")
    assert year["last year"][0] == "2024" and year["October 19"][2] == "unknown" and year["this month"][2] == "unknown"
    with pytest.raises(ValueError):
        find_dates(text, None, THU, "week")


def test_offsets_and_sentence_index():
    text = "First line.\nISLAMABAD: Talks began on Saturday. They failed yesterday."
    ms = found(text, THU)
    assert [(m.text, m.sentence_index) for m in ms] == [("on Saturday", 1), ("yesterday", 2)]
    assert all(text[m.start : m.end] == m.text for m in ms)
    assert [m.sentence_index for m in find_dates(text, None, THU)] == [None, None]


# --- the seeds ----------------------------------------------------------------------------------------------------


def test_seed_000_anchored_on_the_writing_date_not_the_update_stamp():
    got = found(seed("000"), date(2023, 12, 14))
    assert one(got, "on Tuesday").date_start == "2023-12-12"
    assert one(got, "Dec. 12").date_start == "2023-12-12"
    assert one(got, "Tuesday").date_start == "2023-12-12"          # "Tuesday's suicide bombing" in the caption
    assert one(got, "on Thursday").date_start == "2023-12-14"
    assert one(got, "November 2022").date_start == "2022-11"
    assert one(got, "last month").date_start == "2023-11"


@pytest.mark.parametrize("anchor", [date(2020, 5, 9), date(2020, 5, 8)])
def test_seed_001(anchor):
    got = found(seed("001"), anchor)
    assert one(got, "on Friday").date_start == "2020-05-08"
    assert one(got, "on Wednesday").date_start == "2020-05-06"
    assert one(got, "on Thursday").date_start == "2020-05-07"
    assert (one(got, "late January").date_start, one(got, "late January").precision) == ("2020-01", "month")
    assert one(got, "April 14").date_start == "2020-04-14"
    assert one(got, "March 10").date_start == "2020-03-10"  # "will be released by March 10": still 2020
    assert one(got, "Jan. 31, 2020").date_start == "2020-01-31"


def test_seed_002():
    got = found(seed("002"), date(2025, 11, 19))
    nov = one(got, "Nov. 17–18")
    assert (nov.date_start, nov.date_end, nov.kind) == ("2025-11-17", "2025-11-18", "range")
    assert one(got, "April 25, 2023").date_start == "2023-04-25"
    assert one(got, "on Wednesday").date_start == "2025-11-19"


def test_seed_003_with_an_approximate_anchor_and_with_none():
    got = found(seed("003"), THU, "approximate")
    assert (one(got, "October 19").date_start, one(got, "October 19").precision) == ("2025-10-19", "day")
    assert (one(got, "this month").date_start, one(got, "this month").precision) == ("2025-10", "month")
    assert (one(got, "On Thursday").date_start, one(got, "On Thursday").precision) == ("2025-10-30", "approximate")
    # No anchor: nothing is dated but the year the text prints ("since the Taliban seized power in 2021").
    none = found(seed("003"), None)
    assert len(none) == len(got)
    assert {m.text: m.date_start for m in none if m.date_start} == {"2021": "2021"}


def test_seed_004():
    got = found(seed("004"), THU)
    oct_ = one(got, "October 18-19")
    assert (oct_.date_start, oct_.date_end, oct_.kind) == ("2025-10-18", "2025-10-19", "range")
    assert one(got, "on Saturday").date_start == "2025-10-25"
    assert one(got, "late on Wednesday").date_start == "2025-10-29"
    assert one(got, "yesterday").date_start == "2025-10-29"
    assert one(got, "earlier today").date_start == "2025-10-30"
    assert one(got, "2025-10-30").date_start == "2025-10-30"


def _gold() -> dict:
    return yaml.safe_load(paths.GOLD.read_text(encoding="utf-8"))


def test_gold_numbers_that_are_not_dates_get_none():
    # "48-hour truce", "2,600-kilometre", "5000 prisoners", "3.7 million"... must never become dates.
    texts = [p.read_text(encoding="utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))]
    spans = [item["span"] for item in _gold()["not_casualties"] if any(ch.isdigit() for ch in item["span"])]
    assert len(spans) >= 10
    for text in texts:
        ms = found(text, THU)
        for span in spans:
            start = text.find(span)
            while start >= 0:
                end = start + len(span)
                assert not [m for m in ms if m.start < end and start < m.end], span
                start = text.find(span, end)


def test_gold_event_dates_read_from_their_cues():
    gold = _gold()
    files = {a["id"]: a["files"][0] for a in gold["articles"]}
    written = {a["id"]: date.fromisoformat(str(a["written_on"])) for a in gold["articles"]}
    checked = 0
    for ev in gold["events"]:
        text = (paths.SEEDS / files[ev["article"]]).read_text(encoding="utf-8")
        start = text.index(ev["cue"])
        ms = [m for m in found(text, written[ev["article"]]) if start <= m.start < start + len(ev["cue"])]
        if not ms:
            continue  # the cue names no date ("quietly resumed negotiations"): the event module dates it
        assert ms[0].date_start == str(ev["date"]), ev["cue"]
        assert ms[0].date_end == str(ev.get("date_end", ev["date"])), ev["cue"]
        checked += 1
    assert checked >= 7


# --- the scan -----------------------------------------------------------------------------------------------------


def test_the_fast_scan_finds_what_a_full_regex_pass_finds():
    synthetic = (
        "On Monday, Jan. 6, 2025 and the beginning of  October, twelve months ago, eleven days ago, "
        "Earlier this year, later this week; mid-2019, late 2020, Through 2021 and Sept. 2020, "
        "17–18 November 2025 and 1st of May, 2024. Tomorrow and Tonight, last night, This afternoon. "
        "A Mark, a Sunni, Monitor, Decision, Octopus, 2,600, 12.5 and 1999. "
    )
    text = "\n\n".join([synthetic] + [p.read_text(encoding="utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))])
    assert [m.span() for m in _matches(text)] == [m.span() for m in _PATTERN.finditer(text)]
    assert [m.group(0) for m in _matches(synthetic)] == [
        "Monday, Jan. 6, 2025", "the beginning of  October", "twelve months ago", "eleven days ago",
        "Earlier this year", "later this week", "mid-2019", "late 2020", "Through 2021", "Sept. 2020",
        "17–18 November 2025", "1st of May, 2024", "Tomorrow", "Tonight", "last night", "This afternoon",
    ]


def test_the_fast_scan_around_non_ascii_letters_and_run_on_digits():
    # the scan looks for cores in the text as bytes (a non-ASCII character is "?" there): letters glued to a core,
    # non-breaking spaces and digits that run on must not make it find more or less than a full regex pass
    text = ("ÉMarch 3 and éon Monday, Monday’s raid, 20199 people, the 1920s, in 2021é, Déc. 12, Dec.12, KMarch 2020, "
            "since 1999\u00a0and on\u00a0Friday, İn 2020, ſince 2019, tonight’s, Yesterday’s, weekend, 3 weeks\nago.")
    found = [m.group(0) for m in _matches(text)]
    assert found == [m.group(0) for m in _PATTERN.finditer(text)]
    assert found == ["Monday", "Monday", "Dec.12", "since 1999", "on\u00a0Friday", "tonight", "Yesterday",
                     "3 weeks\nago"]


def test_mentions_built_fast_equal_the_dataclass_ones():
    args = (12, 22, "on Tuesday", "2025-10-28", "2025-10-28", "day", "weekday", 3)
    fast, plain = _mention(*args), DateMention(*args)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert vars(fast) == vars(plain)
    with pytest.raises(AttributeError):  # still frozen
        fast.start = 0


# --- the writing date ---------------------------------------------------------------------------------------------


def _parts(text: str, dateline: str) -> tuple[str, str]:
    """The photo caption (third line) and the body (dateline to the appended story) of an Arab News seed page;
    corpus.py reads these properly, this is just enough for these tests."""
    caption = text.split("\n")[2]
    start = text.index(dateline)
    end = text.find("\n\n\n", start)
    return caption, text[start : end if end > 0 else None]


def test_writing_date_seed_000_is_inferred_from_caption_and_lead():
    caption, body = _parts(seed("000"), "ISLAMABAD:")
    written, kind, precision, note = infer_writing_date(date(2024, 2, 15), "updated", body, [caption])
    assert (written, kind, precision) == (date(2023, 12, 14), "inferred", "day")
    assert "64 days after the caption date 2023-12-13 (Wednesday)" in note and "Dec. 12" in note
    assert "'on Thursday'" in note


def test_writing_date_seed_001_file_photo_does_not_move_it_to_january():
    caption, body = _parts(seed("001"), "ISLAMABAD:")
    written, kind, precision, note = infer_writing_date(date(2020, 5, 9), "updated", body, [caption])
    # The lead's "on Friday" is the day before the Saturday stamp (gold: written 2020-05-08).
    assert (written, kind, precision) == (date(2020, 5, 8), "inferred", "day")
    assert "2020-05-09 (Saturday)" in note


def test_writing_date_seed_002_keeps_the_stamp():
    caption, body = _parts(seed("002"), "KARACHI:")  # "(AFP/File)" caption of April 25, 2023
    assert infer_writing_date(date(2025, 11, 19), "updated", body, [caption])[:3] == (
        date(2025, 11, 19), "updated", "day")


def test_writing_date_published_none_and_bad_kind():
    assert infer_writing_date(THU, "published", seed("004"), [])[:3] == (THU, "published", "day")
    assert infer_writing_date(THU, None, "", [])[1] == "published"        # a bare date stamp
    assert infer_writing_date(None, None, seed("003"), [])[:3] == (None, "unknown", "unknown")
    with pytest.raises(ValueError):
        infer_writing_date(THU, "modified", "", [])


def test_writing_date_caption_rules():
    body = "ISLAMABAD: Officials said on Thursday that the Dec. 12 attack killed 23 soldiers in the northwest."
    caption = "Soldiers carry a casket in Chitta Batta, Pakistan, Wednesday, Dec. 13, 2023."
    stamp = date(2024, 2, 15)
    assert infer_writing_date(stamp, "updated", body, [caption])[0] == date(2023, 12, 14)
    # A file photo is ignored, whatever date it prints.
    for mark in (" (AFP/File)", " FILE PHOTO", " In this file photo."):
        assert infer_writing_date(stamp, "updated", body, [caption + mark])[1] == "updated"
    # Within a week of the stamp the caption proves nothing.
    assert infer_writing_date(date(2023, 12, 18), "updated", body, [caption])[1] == "updated"
    # The body names a later day than the caption's week: written later, keep the stamp.
    later = body + " A second attack on Dec. 28 followed."
    assert infer_writing_date(stamp, "updated", later, [caption])[1] == "updated"
    # No weekday in the lead: around the caption date.
    plain = "ISLAMABAD: Officials condemned the Dec. 12 attack that killed 23 soldiers in the northwest."
    assert infer_writing_date(stamp, "updated", plain, [caption])[:3] == (date(2023, 12, 13), "inferred", "approximate")
    # No stamp at all: the caption and body still date it.
    assert infer_writing_date(None, None, body, [caption])[:2] == (date(2023, 12, 14), "inferred")
