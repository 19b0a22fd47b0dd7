"""Date an undated article from the rest of the corpus, or leave it unknown.

An article with no date of its own (no stamp, no dated caption) often names a happening by month and day only
("a ceasefire in Doha on October 19"). When another, dated article of the corpus reports a happening of the same
family at the same place on a range holding that month and day, the undated piece was written in that story's
days: it takes the dated article's writing date with precision ``approximate`` and a note naming its witness.
Nothing else is guessed: with no such witness, or with witnesses that disagree, the date stays unknown.
"""

from __future__ import annotations

import re
from datetime import date

from .incidents import KIND_FAMILY, date_interval

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH_DAY = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{1,2})\b", re.IGNORECASE)


def month_day(surface: str | None) -> tuple[int, int] | None:
    """(month, day) of a year-less date surface such as "October 19" or "Dec. 12"."""
    m = MONTH_DAY.search(surface or "")
    if not m:
        return None
    month, day = MONTHS[m.group(1).lower()], int(m.group(2))
    return (month, day) if 1 <= day <= 31 else None


def witness_dates(undated: list[dict], articles: dict[str, dict], events: list[dict]) -> dict[str, tuple[str, str]]:
    """For each undated article id, (writing date, note) from a dated article reporting the same happening."""
    dated_events = [e for e in events if articles.get(e["article_id"], {}).get("published") and e.get("date_start")
                    and e.get("places") and not e.get("negated") and not e.get("hypothetical")]
    index: dict[tuple, list[dict]] = {}
    for e in dated_events:
        for pid in e["places"]:
            index.setdefault((KIND_FAMILY.get(e["kind"]), pid), []).append(e)
    out: dict[str, tuple[str, str]] = {}
    for art in undated:
        found: dict[str, str] = {}
        for e in events:
            if e["article_id"] != art["article_id"] or e.get("negated") or e.get("hypothetical"):
                continue
            md = month_day(e.get("date_text"))
            if md is None:
                continue
            for pid in e.get("places") or []:
                for w in index.get((KIND_FAMILY.get(e["kind"]), pid), []):
                    iv = date_interval(w["date_start"], w.get("date_end"), w.get("date_precision"))
                    if iv is None:
                        continue
                    for year in {iv[0].year, iv[1].year}:
                        try:
                            d = date(year, *md)
                        except ValueError:
                            continue
                        if iv[0] <= d <= iv[1]:
                            witness = articles[w["article_id"]]
                            found[witness["published"]] = (
                                f"no date in the text; '{e['date_text']}' ({e['kind']}, {', '.join(e['places'])}) is "
                                f"the {w['kind']} of {w['date_start']} reported by article {w['article_id']} "
                                f"(written {witness['published']}): written about then")
        if len(found) == 1:
            (when, note), = found.items()
            out[art["article_id"]] = (when, note)
    return out
