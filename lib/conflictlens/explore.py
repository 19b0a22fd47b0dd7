"""Hand work on the tables: a filtered view, keyword-in-context, and the sentences behind any number.

``view`` is what the exploration notebook shows in batch (with its parameters); ``panel`` wraps the same view in
ipywidgets filters for JupyterLab. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import analysis, store, text


def kwic(articles: pd.DataFrame, keyword: str, width: int = 60, limit: int = 200) -> pd.DataFrame:
    """Every whole-word, case-insensitive occurrence of ``keyword`` in the articles, with ``width`` characters of
    context either side (columns: article_id, title, left, keyword, right, start, end), at most ``limit`` rows."""
    cols = ["article_id", "title", "left", "keyword", "right", "start", "end"]
    rows = []
    if keyword.strip():
        for article_id, title, body in articles[["article_id", "title", "text"]].itertuples(index=False):
            for hit in text.kwic(body or "", keyword.strip(), width):
                rows.append({"article_id": article_id, "title": title, **{k: hit[k] for k in cols[2:]}})
                if len(rows) >= limit:
                    return pd.DataFrame(rows, columns=cols)
    return pd.DataFrame(rows, columns=cols)


def _sentence_at(body: str, spans: list[tuple[int, int]], offset: int) -> str:
    k = bisect_right([s for s, _ in spans], offset) - 1
    return body[spans[k][0]: spans[k][1]] if k >= 0 else ""


def sentences_behind(tables: store.Tables, incident_id: str) -> pd.DataFrame:
    """Every mention merged into an incident: table, article, the words found and the sentence they sit in."""
    cols = ["table", "article_id", "title", "start", "end", "surface", "sentence"]
    row = tables.incidents.loc[tables.incidents["incident_id"] == incident_id]
    if row.empty:
        raise KeyError(f"no incident {incident_id!r}")
    by_article = tables.articles.set_index("article_id")
    out, spans_of = [], {}
    for ref in row.iloc[0]["mentions"]:
        table, rest = ref.split(":", 1)
        article_id, _, span = rest.rpartition(":")
        start, end = (int(x) for x in span.split("-"))
        body = by_article.at[article_id, "text"] if article_id in by_article.index else ""
        if article_id not in spans_of:
            spans_of[article_id] = text.sentence_spans(body)
        out.append({
            "table": table, "article_id": article_id,
            "title": by_article.at[article_id, "title"] if article_id in by_article.index else None,
            "start": start, "end": end, "surface": body[start:end],
            "sentence": _sentence_at(body, spans_of[article_id], start),
        })
    return pd.DataFrame(out, columns=cols)


def sentences_behind_total(tables: store.Tables, status: str, category: str | None = None) -> pd.DataFrame:
    """The casualty mentions behind a total of ``status`` (and ``category``): figure, sentence, article, incident."""
    c = tables.casualties
    keep = c["status"] == status
    if category:
        keep &= c["category"] == category
    return analysis.casualty_figures(c[keep], tables.articles)


def largest_incident(incidents: pd.DataFrame) -> str | None:
    """The incident with the highest killed + injured + kidnapped best total (ties: earliest id), or None."""
    if incidents.empty:
        return None
    total = incidents[["killed", "injured", "kidnapped"]].fillna(0).sum(axis=1)
    ranked = incidents.assign(_total=total).sort_values(["_total", "incident_id"], ascending=[False, True])
    return str(ranked.iloc[0]["incident_id"])


def view(
    tables: store.Tables, start: str = "", end: str = "", actors: Iterable[str] = (), kinds: Iterable[str] = (),
    place: str = "", keyword: str = "",
) -> dict[str, pd.DataFrame]:
    """The filtered selection: its incidents, event mentions, casualty figures and the keyword in context."""
    chosen = analysis.filter_tables(tables, start, end, actors, kinds)
    incidents, events = chosen.incidents, analysis.happened(chosen.events)
    if place:
        incidents = incidents[incidents["place"].fillna("").str.contains(place, regex=False)
                              | (incidents["admin1"] == place)]
        events = events[(events["place"] == place) | (events["admin1"] == place)]
    return {
        "incidents": analysis.incidents_view(incidents),
        "events": events[["article_id", "kind", "date_start", "date_precision", "place", "cue", "sentence"]]
        .reset_index(drop=True),
        "casualties": analysis.casualty_figures(
            chosen.casualties[chosen.casualties["incident_id"].isin(incidents["incident_id"])]
            if place else chosen.casualties, chosen.articles),
        "keyword in context": kwic(chosen.articles, keyword),
    }


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def panel(tables: store.Tables, keyword: str = "") -> widgets.VBox:
    """Filters (actors, kinds, place, dates, keyword) over ``view``, redrawn on every change (JupyterLab)."""
    actor_ids = sorted(tables.actor_mentions["actor_id"].dropna().unique())
    kinds = sorted(tables.events["kind"].dropna().unique())
    places = sorted({p for p in analysis.counts_by_place(tables.events, "admin1", top=1000).index
                     if p != analysis.UNKNOWN}
                    | {p for p in analysis.counts_by_place(tables.events, "place", top=1000).index
                       if p != analysis.UNKNOWN})
    controls = {
        "actors": widgets.SelectMultiple(options=actor_ids, description="actors", rows=6),
        "kinds": widgets.SelectMultiple(options=kinds, description="kinds", rows=6),
        "place": widgets.Dropdown(options=["", *places], description="place"),
        "start": widgets.DatePicker(description="from"),
        "end": widgets.DatePicker(description="to"),
        "keyword": widgets.Text(value=keyword, description="keyword", continuous_update=False),
    }
    out = widgets.Output()

    def redraw(**values) -> None:
        out.clear_output(wait=True)
        with out:
            for name, table in view(tables, _iso(values["start"]), _iso(values["end"]), values["actors"],
                                    values["kinds"], values["place"], values["keyword"]).items():
                display(widgets.HTML(f"<b>{name}</b>: {len(table)} rows"), table)

    widgets.interactive_output(redraw, controls)
    return widgets.VBox([
        widgets.HBox([controls["actors"], controls["kinds"]]),
        widgets.HBox([controls["place"], controls["start"], controls["end"], controls["keyword"]]),
        out,
    ])
