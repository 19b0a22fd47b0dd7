"""Dating an undated article from a dated witness in the corpus, and refusing to guess otherwise."""

from conflictlens.corroboration import month_day, witness_dates


def test_month_day_surfaces():
    assert month_day("October 19") == (10, 19)
    assert month_day("on Dec. 12") == (12, 12)
    assert month_day("Sept 3") == (9, 3)
    assert month_day("this month") is None
    assert month_day("October 45") is None


ARTICLES = {"undated": {"article_id": "undated", "published": None},
            "a6": {"article_id": "a6", "published": "2025-10-30"},
            "other": {"article_id": "other", "published": "2024-01-05"}}


def event(article, kind, places, date_text=None, start=None, end=None, precision="day"):
    return {"article_id": article, "kind": kind, "places": places, "date_text": date_text, "date_start": start,
            "date_end": end, "date_precision": precision, "negated": False, "hypothetical": False}


def test_a_witness_reporting_the_same_happening_dates_the_article():
    # Seeds A5/A6: "a ceasefire in Doha on October 19" (no year anywhere) and "talks in Doha on October 18-19" (2025).
    events = [event("undated", "ceasefire", ["doha"], "October 19"),
              event("a6", "talks", ["doha"], "October 18-19", "2025-10-18", "2025-10-19")]
    out = witness_dates([ARTICLES["undated"]], ARTICLES, events)
    when, note = out["undated"]
    assert when == "2025-10-30" and "a6" in note


def test_no_witness_at_that_place_leaves_it_unknown():
    events = [event("undated", "ceasefire", ["istanbul"], "October 19"),
              event("a6", "talks", ["doha"], "October 18-19", "2025-10-18", "2025-10-19")]
    assert witness_dates([ARTICLES["undated"]], ARTICLES, events) == {}


def test_disagreeing_witnesses_leave_it_unknown():
    events = [event("undated", "attack", ["quetta"], "Jan. 3"),
              event("a6", "attack", ["quetta"], None, "2025-01-03", "2025-01-03"),
              event("other", "attack", ["quetta"], None, "2024-01-03", "2024-01-03")]
    assert witness_dates([ARTICLES["undated"]], ARTICLES, events) == {}
