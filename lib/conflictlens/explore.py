"""Hand work on the tables: a filtered view, keyword-in-context, and the sentences behind any number.

``view`` is what the exploration notebook shows in batch (with its parameters); ``panel`` wraps the same view in
ipywidgets filters for JupyterLab. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import ipywidgets as widgets
import pandas as pd

from . import analysis, store


def kwic(articles: pd.DataFrame, keyword: str, width: int = 60, limit: int = 200) -> pd.DataFrame:
    """Every whole-word, case-insensitive occurrence of ``keyword`` in the articles, with ``width`` characters of
    context either side (columns: article_id, title, left, keyword, right, start, end), at most ``limit`` rows.

    A plain pattern scan (no sentence splitting), so the exploration notebook starts without NLTK.
    """
    cols = ["article_id", "title", "left", "keyword", "right", "start", "end"]
    rows: list[dict] = []
    if not keyword.strip():
        return pd.DataFrame(rows, columns=cols)
    if "text" not in articles.columns:
        raise ValueError("keyword in context needs the articles' text: read the tables with "
                         "store.read_tables(results) (with_text=True)")
    pattern = re.compile(r"(?<!\w)" + re.escape(keyword.strip()) + r"(?!\w)", re.IGNORECASE)
    for article_id, title, body in articles[["article_id", "title", "text"]].itertuples(index=False):
        body = body or ""
        for m in pattern.finditer(body):
            rows.append({"article_id": article_id, "title": title,
                         "left": body[max(0, m.start() - width): m.start()].replace("\n", " "), "keyword": m.group(0),
                         "right": body[m.end(): m.end() + width].replace("\n", " "), "start": m.start(), "end": m.end()})
            if len(rows) >= limit:
                return pd.DataFrame(rows, columns=cols)
    return pd.DataFrame(rows, columns=cols)


def sentences_behind(tables: store.Tables, incident_id: str) -> pd.DataFrame:
    """Every mention merged into an incident: table, article, the words found and the sentence they sit in."""
    cols = ["table", "article_id", "title", "start", "end", "surface", "sentence"]
    row = tables.incidents.loc[tables.incidents["incident_id"] == incident_id]
    if row.empty:
        raise KeyError(f"no incident {incident_id!r}")
    sentence_of = {
        (table, a, int(s), int(e)): sentence
        for table in ("events", "casualties")
        for a, s, e, sentence in getattr(tables, table)[["article_id", "start", "end", "sentence"]].itertuples(
            index=False)
    }
    by_article = tables.articles.set_index("article_id")
    out = []
    for ref in row.iloc[0]["mentions"]:
        table, rest = ref.split(":", 1)
        article_id, _, span = rest.rpartition(":")
        start, end = (int(x) for x in span.split("-"))
        known = article_id in by_article.index
        out.append({
            "table": table, "article_id": article_id, "title": by_article.at[article_id, "title"] if known else None,
            "start": start, "end": end, "surface": by_article.at[article_id, "text"][start:end] if known else None,
            "sentence": sentence_of.get((table, article_id, start, end)),
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
    """The filtered selection: its incidents, event mentions, casualty figures and the keyword in context.

    Works on compact tables too (``store.read_tables(results, with_text=False)``), without the events' sentences
    and without keyword in context (it needs the texts)."""
    chosen = analysis.filter_tables(tables, start, end, actors, kinds)
    incidents, events = chosen.incidents, analysis.happened(chosen.events)
    if place:
        incidents = incidents[incidents["place"].str.contains(place, regex=False, na=False).astype(bool)
                              | (incidents["admin1"] == place)]
        events = events[(events["place"] == place) | (events["admin1"] == place)]
    return {
        "incidents": analysis.incidents_view(incidents),
        "events": events[[c for c in ("article_id", "kind", "date_start", "date_precision", "place", "cue", "sentence")
                          if c in events.columns]].reset_index(drop=True),  # compact tables have no sentence
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

    def redraw(_change: object = None) -> None:
        # Outputs are set on the widget itself, not captured with `with out:`: a capture in a headless run
        # (papermill, nbclient) can leave the cell waiting for a kernel message that never comes.
        values = {name: control.value for name, control in controls.items()}
        out.outputs = ()
        for name, table in view(tables, _iso(values["start"]), _iso(values["end"]), values["actors"],
                                values["kinds"], values["place"], values["keyword"]).items():
            out.append_display_data(widgets.HTML(f"<b>{name}</b>: {len(table)} rows"))
            out.append_display_data(table)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([
        widgets.HBox([controls["actors"], controls["kinds"]]),
        widgets.HBox([controls["place"], controls["start"], controls["end"], controls["keyword"]]),
        out,
    ])
