"""The aggregations the notebooks show: filters, counts over time and place, actor co-mentions, casualty totals.

Every function takes the extracted tables (``store.Tables`` or one of its DataFrames) and returns a DataFrame,
a Series or a graph; none reads files except ``load``. Time is bucketed by week or month; a date less precise than
the bucket (a month-precision date in a weekly count) is left out of that count and reported, not guessed.

Tables read for scale (``store.read_tables(..., with_text=False)``) hold repeating strings as categoricals and list
columns as Arrow lists; every function gives the same values on them as on plain columns, and works per category
(not per row) where it can, so a million articles' tables aggregate in seconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import paths, store

if TYPE_CHECKING:
    import networkx as nx

FREQS = {"week": "W-SUN", "month": "M"}  # a week runs Monday to Sunday
_COARSENESS = {"day": 0, "approximate": 0, "month": 1, "year": 2, "unknown": 3}
_FREQ_COARSENESS = {"week": 0, "month": 1}
UNKNOWN = "(unknown)"


def resolve(path: str | Path) -> Path:
    """A path as given when absolute, else relative to the repository root (the same in a kernel and a shell)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else paths.ROOT / p


def load(
    corpus: str,
    results: str = "",
    start: str = "",
    end: str = "",
    actors: Iterable[str] = (),
    kinds: Iterable[str] = (),
    vague_convention: str = "acled",
    with_text: bool = True,
) -> store.Tables:
    """The tables of ``results`` (extracting ``corpus`` there first when ``results`` is empty), filtered."""
    if results:
        folder = resolve(results)
    else:
        from . import pipeline  # imported only here: a notebook given `results` never loads the extraction code

        folder = pipeline.ensure_results(str(resolve(corpus)), None, params={"vague_convention": vague_convention})
    return filter_tables(store.read_tables(folder, with_text=with_text), start, end, actors, kinds)


def corpus_hash(manifest: dict) -> str:
    """The corpus's identity for provenance: the extraction's ``corpus_sha256``, else a hash of the inputs' sha256s."""
    if manifest.get("corpus_sha256"):
        return str(manifest["corpus_sha256"])
    inputs = manifest.get("inputs") or []
    digests = sorted(f"{i.get('path')}\0{i.get('sha256')}" for i in inputs if isinstance(i, dict))
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def provenance(tables: store.Tables, notebook: str, **parameters) -> dict:
    """What a figure sidecar records: the corpus hash, the notebook and the parameters that shaped the figure."""
    return {"corpus_hash": corpus_hash(tables.manifest), "notebook": notebook, "parameters": parameters}


# --- columns, categorical or not ------------------------------------------------------------------------------


def _is_categorical(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype)


def _by_value(values: pd.Series, func: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``func`` (value by value, vectorised) on a column: on a categorical, once per category and once for missing
    values, then spread to the rows by code, so a date parse costs thousands of values, not millions."""
    if not _is_categorical(values):
        return func(values)
    distinct = func(pd.Series(values.cat.categories.append(pd.Index([np.nan], dtype=values.cat.categories.dtype))))
    return distinct.take(values.cat.codes.to_numpy()).set_axis(values.index).rename(values.name)  # code -1: missing


def _positions(index: pd.Index, keys: pd.Series) -> np.ndarray:
    """Where each key sits in ``index`` (-1 when absent); a categorical is looked up by category, then by code."""
    if _is_categorical(keys):
        return np.append(index.get_indexer(keys.cat.categories), -1)[keys.cat.codes.to_numpy()]
    return index.get_indexer(keys)


def _taken(values: pd.Series, at: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` at positions ``at`` (missing where -1), as a column on ``index``."""
    return pd.Series(values.array.take(at, allow_fill=True), index=index, name=values.name)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """A small result with categorical columns back as their values' type (what the same call gives on plain
    columns)."""
    cats = [c for c in df.columns if _is_categorical(df[c])]
    return df.astype({c: df[c].cat.categories.dtype for c in cats}) if cats else df


def _lists(values: pd.Series) -> pa.Array:
    """A list column as one Arrow list array (from Arrow lists or from NumPy arrays and None)."""
    lists = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
    return lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists


def _tally(values: pd.Series, weights: np.ndarray, column: str) -> pd.Series:
    """Weights summed per value (missing values as "(unknown)"), zero totals left out, largest first (ties by
    value): the order :func:`counts` shows."""
    keys = pd.Index(values.astype(object).where(values.notna(), UNKNOWN).to_numpy(), dtype=object)
    totals = pd.Series(np.asarray(weights, dtype=np.int64), index=keys).groupby(level=0, sort=True).sum()
    totals = totals[totals > 0]
    return totals.rename_axis(column).rename("count").sort_values(ascending=False, kind="mergesort")


def _value_counts(values: pd.Series) -> pd.Series:
    """Rows per present value (missing left out): a categorical's unused categories are not counted as zeros."""
    if not _is_categorical(values):
        return values.value_counts()
    found = values.value_counts()
    found = found[found > 0]
    return found.set_axis(found.index.astype(values.cat.categories.dtype))


# --- filters -------------------------------------------------------------------------------------------------


def _dates(values: pd.Series) -> pd.Series:
    return _by_value(values, lambda v: pd.to_datetime(v, format="ISO8601", errors="coerce"))


def _within(start_col: pd.Series, end_col: pd.Series | None, precision: pd.Series | None, start: str,
            end: str) -> pd.Series:
    """Rows whose date interval meets [start, end] (both inclusive, either may be empty); undated rows fail.

    A month- or year-precision date covers its whole month or year ("2023-12" meets 12 December).
    """
    s = _dates(start_col)
    e = _dates(end_col).fillna(s) if end_col is not None else s
    if precision is not None:  # shifted only where needed: an offset added to millions of dates costs seconds
        for level, offset in (("month", pd.offsets.MonthEnd(0)), ("year", pd.offsets.YearEnd(0))):
            rows = (precision == level).to_numpy()
            if rows.any():
                e[rows] = e[rows] + offset
    keep = s.notna()
    if start:
        keep &= e >= pd.Timestamp(start)
    if end:
        keep &= s <= pd.Timestamp(end)
    return keep


def _any_of(lists: pd.Series, wanted: set[str]) -> pd.Series:
    """Rows whose list names any of ``wanted`` (vectorised over the flattened lists)."""
    arrow = _lists(lists)
    hits = pc.list_parent_indices(arrow).filter(pc.is_in(pc.list_flatten(arrow), value_set=pa.array(sorted(wanted))))
    keep = np.zeros(len(lists), dtype=bool)
    keep[hits.to_numpy()] = True
    return pd.Series(keep, index=lists.index)


def filter_tables(
    tables: store.Tables, start: str = "", end: str = "", actors: Iterable[str] = (), kinds: Iterable[str] = ()
) -> store.Tables:
    """The tables restricted to a period, actors and event kinds; empty filters keep everything.

    - Dates: events and incidents by their own date interval, articles by their published date, actor mentions by
      their article's date; undated rows are dropped once a date filter is set.
    - ``actors`` (actor ids): events and incidents involving any of them; articles mentioning any of them, with all
      their mentions kept (so co-mentions stay visible).
    - ``kinds``: events and incidents of those kinds.
    - Casualties follow their incident; one with no incident follows its article (and is dropped under ``kinds``).
    """
    actors, kinds = set(actors or ()), set(kinds or ())
    if not (start or end or actors or kinds):
        return tables
    arts, ments, cas, evs, incs = tables.articles, tables.actor_mentions, tables.casualties, tables.events, tables.incidents
    if start or end:
        arts = arts[_within(arts["published"], None, arts["date_precision"], start, end)]
        evs = evs[_within(evs["date_start"], evs["date_end"], evs["date_precision"], start, end)]
        incs = incs[_within(incs["date_start"], incs["date_end"], incs["date_precision"], start, end)]
    if kinds:
        evs = evs[evs["kind"].isin(kinds)]
        incs = incs[incs["kind"].isin(kinds)]
    if actors:
        evs = evs[_any_of(evs["actors"], actors)]
        incs = incs[_any_of(incs["actors"], actors)]
        arts = arts[arts["article_id"].isin(ments.loc[ments["actor_id"].isin(actors), "article_id"])]
    ments = ments[ments["article_id"].isin(arts["article_id"])]
    attached = cas["incident_id"].notna()
    keep = attached & cas["incident_id"].isin(incs["incident_id"])
    if not kinds:
        keep |= ~attached & cas["article_id"].isin(arts["article_id"])
    return store.Tables(
        articles=arts.reset_index(drop=True),
        actor_mentions=ments.reset_index(drop=True),
        casualties=cas[keep].reset_index(drop=True),
        events=evs.reset_index(drop=True),
        incidents=incs.reset_index(drop=True),
        manifest=tables.manifest,
    )


# --- 01 corpus -----------------------------------------------------------------------------------------------


def corpus_summary(tables: store.Tables) -> pd.DataFrame:
    """One row per headline count: inputs, copies, distinct articles, duplicates merged, off-topic, dated."""
    arts = tables.articles
    copies = int(arts["n_copies"].fillna(1).sum()) if len(arts) else 0
    inputs = tables.manifest.get("inputs") or tables.manifest.get("files") or []
    rows = [
        ("input files", len(inputs) if isinstance(inputs, list | dict) else inputs),
        ("article copies read", copies),
        ("distinct articles", len(arts)),
        ("copies merged as duplicates", copies - len(arts)),
        ("off-topic, set aside", int((arts["topic"] != "conflict").sum())),
        ("conflict articles", int((arts["topic"] == "conflict").sum())),
        ("outlets recognised", int(arts["outlet"].nunique())),
        ("articles with a date", int(arts["published"].notna().sum())),
        ("event mentions", len(tables.events)),
        ("casualty mentions", len(tables.casualties)),
        ("actor mentions", len(tables.actor_mentions)),
        ("incidents after merging", len(tables.incidents)),
    ]
    return pd.DataFrame(rows, columns=["what", "count"])


def articles_overview(articles: pd.DataFrame, title_width: int = 70) -> pd.DataFrame:
    """The articles, oldest first: id, shortened title, outlet, date and its kind and precision, topic, copies."""
    out = articles[
        ["article_id", "title", "outlet", "dateline", "published", "date_kind", "date_precision", "topic", "n_copies"]
    ].copy()
    out["title"] = out["title"].fillna("").map(lambda t: t if len(t) <= title_width else t[: title_width - 1] + "…")
    return out.sort_values(["published", "article_id"], na_position="last", kind="mergesort").reset_index(drop=True)


def _per_category(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A categorical's distinct values (categories, then missing) and how many rows hold each."""
    distinct = pd.Series(values.cat.categories.append(pd.Index([np.nan], dtype=values.cat.categories.dtype)))
    rows = np.bincount(values.cat.codes.to_numpy() + 1, minlength=len(distinct))  # missing (code -1) first
    return distinct, np.roll(rows, -1)


def counts(df: pd.DataFrame, column: str) -> pd.Series:
    """How many rows per value of ``column`` (missing values counted as "(unknown)"), largest first."""
    values = df[column]
    if _is_categorical(values):
        return _tally(*_per_category(values), column)
    return _tally(values, np.ones(len(values), dtype=np.int64), column)


def date_kinds(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles by date kind (published, updated, inferred, unknown) × precision."""
    table = pd.crosstab(
        articles["date_kind"].astype(object).fillna(UNKNOWN), articles["date_precision"].astype(object).fillna(UNKNOWN)
    )
    return table.rename_axis(index="date kind", columns="precision")


def duplicates(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles read more than once, with every input they were found in."""
    dup = articles[articles["n_copies"].fillna(1) > 1]
    return dup[["article_id", "title", "n_copies", "source_ids"]].reset_index(drop=True)


def off_topic(articles: pd.DataFrame) -> pd.DataFrame:
    """Articles set aside as off-topic, with their conflict-lexicon score."""
    off = articles[articles["topic"] != "conflict"]
    return off[["article_id", "title", "topic", "topic_score"]].reset_index(drop=True)


def manifest_brief(manifest: dict) -> pd.DataFrame:
    """The run manifest in brief: scalar entries as they are, lists and mappings by their size or flattened counts."""
    rows = []
    for key in sorted(manifest):
        value = manifest[key]
        if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()) and len(value) <= 12:
            rows.extend((f"{key}.{k}", str(v)) for k, v in sorted(value.items()))
        elif isinstance(value, dict | list):
            rows.append((key, f"{len(value)} entries"))
        else:
            rows.append((key, str(value)))
    return pd.DataFrame(rows, columns=["entry", "value"])


def articles_by_period(articles: pd.DataFrame, freq: str = "month") -> pd.DataFrame:
    """Articles per period × date kind (articles whose date is coarser than ``freq`` are left out)."""
    return counts_over_time(articles, "published", "date_precision", freq, by="date_kind")


# --- time ----------------------------------------------------------------------------------------------------


def periods(dates: pd.Series, precisions: pd.Series | None, freq: str = "month") -> pd.Series:
    """Each row's period start (a Timestamp) at ``freq`` ("week" or "month"); NaT when undated or coarser."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, not {freq!r}")
    when = _by_value(dates, lambda v: _dates(v).dt.to_period(FREQS[freq]).dt.start_time)
    if precisions is not None:
        fine = [p for p, c in _COARSENESS.items() if c <= _FREQ_COARSENESS[freq]]  # any other precision is coarser
        when = when.mask(~precisions.isin(fine).to_numpy())
    return when


def left_out(df: pd.DataFrame, date_col: str, precision_col: str | None, freq: str = "month") -> int:
    """How many rows a count at ``freq`` leaves out (no date, or a date less precise than ``freq``)."""
    return int(periods(df[date_col], df[precision_col] if precision_col else None, freq).isna().sum())


def _filled(values: pd.Series) -> pd.Series:
    """A key column with missing values as "(unknown)" (a categorical keeps its codes: no copy as Python objects)."""
    if not _is_categorical(values):
        return values.astype(object).fillna(UNKNOWN)
    if UNKNOWN not in values.cat.categories:
        values = values.cat.add_categories([UNKNOWN])
    return values.fillna(UNKNOWN)


def counts_over_time(
    df: pd.DataFrame, date_col: str, precision_col: str | None, freq: str = "month", by: str | None = None
) -> pd.DataFrame:
    """A period × ``by`` count table, every period between the first and last present (zeros included)."""
    when = periods(df[date_col], df[precision_col] if precision_col else None, freq)
    keyed = pd.DataFrame({"period": when, "key": _filled(df[by]) if by else "count"}).dropna(subset=["period"])
    if keyed.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="period"))
    table = keyed.groupby(["period", "key"], observed=True, sort=True).size().unstack("key", fill_value=0)
    table.columns = pd.Index(table.columns.tolist())  # plain labels, as from a column of strings
    table = table.sort_index(axis=1)
    full = pd.period_range(table.index.min(), table.index.max(), freq=FREQS[freq]).start_time
    table = table.reindex(full, fill_value=0)
    table.index.name, table.columns.name = "period", by
    return table[table.sum().sort_values(ascending=False, kind="mergesort").index]


# --- 02 events -----------------------------------------------------------------------------------------------


def happened(events: pd.DataFrame) -> pd.DataFrame:
    """Events reported as happening: denied ("no talks") and hypothetical ("could resume") mentions left out."""
    keep = ~events["negated"].fillna(False).astype(bool) & ~events["hypothetical"].fillna(False).astype(bool)
    return events[keep]


def _split_places(values: pd.Series) -> pd.Series:
    """Incidents list several places as "A; B": one entry each."""
    return values.astype(object).map(lambda v: [p.strip() for p in v.split(";")] if isinstance(v, str) else [v]).explode()


def counts_by_place(df: pd.DataFrame, level: str = "admin1", top: int = 15) -> pd.Series:
    """Rows per place at ``level`` ("admin1" or "place", the district or town), top ``top``."""
    if level != "place":
        return counts(df, level).head(top)
    values = df[level]
    distinct, rows = (_per_category(values) if _is_categorical(values)
                      else (values.reset_index(drop=True), np.ones(len(values), dtype=np.int64)))
    places = _split_places(distinct)  # a categorical is split once per category, its rows counted by weight
    return _tally(places, rows[places.index.to_numpy()], level).head(top)


def counts_by_actor(df: pd.DataFrame, top: int = 15) -> pd.Series:
    """Rows per actor id in the ``actors`` list column (a row counts once for each actor it names; a row naming
    none counts as "(unknown)"), top ``top``."""
    lists = _lists(df["actors"])
    named = pc.value_counts(pc.list_flatten(lists))
    unnamed = int(np.count_nonzero(pc.list_value_length(lists).fill_null(0).to_numpy() == 0))
    values = pd.Series([*named.field("values").to_pylist(), UNKNOWN], dtype=object)
    rows = np.append(named.field("counts").to_numpy(), unnamed)
    return _tally(values, rows, "actor").head(top)


def mentions_vs_incidents(events: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """Per event kind: raw event mentions beside the incidents they were merged into (what merging did); equal
    rows in kind order."""
    table = pd.DataFrame(
        {"mentions": _value_counts(happened(events)["kind"]), "incidents": _value_counts(incidents["kind"])}
    ).fillna(0).astype(int).sort_index()
    table.index.name = "kind"
    return table.sort_values(["mentions", "incidents"], ascending=False, kind="mergesort")


# --- 03 actors -----------------------------------------------------------------------------------------------


def top_actors(mentions: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The ``n`` most-mentioned actors: id, name, type, mentions and articles."""
    if mentions.empty:
        return pd.DataFrame(columns=["actor_id", "actor_name", "actor_type", "mentions", "articles"])
    grouped = mentions.groupby("actor_id", sort=True, observed=True).agg(
        actor_name=("actor_name", "first"), actor_type=("actor_type", "first"),
        mentions=("start", "size"), articles=("article_id", "nunique"),
    )
    ranked = grouped.sort_values(["mentions", "articles"], ascending=False, kind="mergesort").head(n)
    return _plain(ranked.reset_index())


def co_mentions(mentions: pd.DataFrame, actors: Iterable[str] | None = None, n: int = 12) -> pd.DataFrame:
    """Actor × actor: in how many articles both are mentioned (diagonal: articles mentioning the actor).

    ``actors`` picks the actors; by default the ``n`` mentioned in most articles.
    """
    # Articles and actors as integer codes (a categorical's own codes), article × actor pairs as one integer each.
    article, _ = pd.factorize(mentions["article_id"])
    actor, names = pd.factorize(mentions["actor_id"])
    names = pd.Index(np.asarray(names, dtype=object), dtype=object)
    width = max(len(names), 1)
    present = (article >= 0) & (actor >= 0)
    pairs = pd.unique(article[present].astype(np.int64) * width + actor[present])  # each (article, actor) once
    if actors:
        chosen = list(actors)
    else:
        per_actor = pd.Series(np.bincount(pairs % width, minlength=len(names)), index=names)
        chosen = list(per_actor[per_actor > 0].sort_index(kind="mergesort").sort_values(
            ascending=False, kind="mergesort").head(n).index)
    cols = pd.Index(chosen).get_indexer(names)[pairs % width]
    rows = pd.factorize(pairs[cols >= 0] // width)[0]
    cols = cols[cols >= 0]
    # Article × actor presence as a 0/1 matrix built from integer codes (a crosstab is ~50x slower at scale).
    presence = np.zeros((rows.max() + 1 if len(rows) else 0, len(chosen)), dtype=np.int64)
    presence[rows, cols] = 1
    matrix = pd.DataFrame(presence.T @ presence, index=pd.Index(chosen, name="actor"),
                          columns=pd.Index(chosen, name="actor"))
    return matrix.astype(int)


def co_mention_graph(matrix: pd.DataFrame) -> nx.Graph:
    """The co-mention matrix as a graph: node ``weight`` = articles, edge ``weight`` = shared articles."""
    import networkx as nx  # here: only the actor notebook builds a graph

    graph = nx.Graph()
    for actor in matrix.index:
        graph.add_node(actor, weight=int(matrix.at[actor, actor]))
    for i, a in enumerate(matrix.index):
        for b in matrix.index[i + 1:]:
            if matrix.at[a, b] > 0:
                graph.add_edge(a, b, weight=int(matrix.at[a, b]))
    return graph


def mentions_over_time(
    mentions: pd.DataFrame, articles: pd.DataFrame, freq: str = "month", n: int = 6
) -> pd.DataFrame:
    """Period × actor mention counts for the ``n`` most-mentioned actors, dated by their article."""
    top = top_actors(mentions, n)["actor_id"]
    chosen = mentions[mentions["actor_id"].isin(top)]
    at = _positions(pd.Index(articles["article_id"]), chosen["article_id"])  # each mention's article row
    dated = pd.DataFrame({"published": _taken(articles["published"], at, chosen.index),
                          "date_precision": _taken(articles["date_precision"], at, chosen.index),
                          "actor_id": chosen["actor_id"]})
    return counts_over_time(dated, "published", "date_precision", freq, by="actor_id")


# Capitalised words, joined by spaces or name particles ("Tehreek-e-Taliban", "Anwaar-ul-Haq Kakar", "bin Laden").
_NAME = re.compile(
    r"(?<![\w’'-])[A-Z][\w’'.-]*\w(?:[ \t]+(?:(?:al|bin|ul|ud|e|i|de|van|von)[ \t]+)?[A-Z][\w’'.-]*\w)*"
)
_WORD = re.compile(r"\S+")
_POSSESSIVE = re.compile(r"[’']s$")
# What comes just before a sentence-opening word: a line break or a full stop, ? or ! (then quotes, bullets).
_OPENS = re.compile(r"(?:\n|[.?!][’”\"')\]]?)[ \t•\-–—“‘\"'(]*$")
_LEAD = " \t\n•-–—“‘\"'("


def _opens_sentence(body: str, offset: int) -> bool:
    """Whether the word at ``offset`` opens the text, a line or a sentence (a look at 8 characters, not a scan)."""
    before = body[max(0, offset - 8): offset]
    return bool(_OPENS.search(before)) or (offset < 8 and not before.strip(_LEAD))
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z’'-]*")
_STOP = frozenset(
    """the a an and but or if in on at of for to by from with as after before while when where this that these those
    it its he she they we i you his her their our there here however meanwhile also according during since until
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec mr mrs ms dr gen lt col
    updated published follow short url photo file ap afp reuters""".split()
)


def name_candidates(
    articles: pd.DataFrame, mentions: pd.DataFrame, known: Iterable[str] = (), n: int = 25, width: int = 50
) -> pd.DataFrame:
    """Capitalised names the actor lexicon did not match: candidates to add, most frequent first.

    A name is left out when it overlaps a found actor mention or is in ``known`` (e.g. place names); a single word
    is left out when it opens a line or a sentence, or also occurs in lower case in the corpus ("Discussions went
    well"). Leading function words are stripped ("The Haqqani network" → "Haqqani network"). Columns: name, count,
    articles, example (``width`` characters either side of its first occurrence).
    """
    known_lower = {k.lower() for k in known if isinstance(k, str)}
    spans: dict[str, list[tuple[int, int]]] = {}
    for row in mentions[["article_id", "start", "end"]].itertuples(index=False):
        spans.setdefault(row.article_id, []).append((int(row.start), int(row.end)))
    texts = articles[["article_id", "text"]].dropna()
    lower_words = {w for t in texts["text"] for w in _LOWER_WORD.findall(t)}
    found: Counter[str] = Counter()
    where: dict[str, set[str]] = {}
    example: dict[str, str] = {}
    for article_id, body in texts.itertuples(index=False):
        covered = sorted(spans.get(article_id, []))
        starts = [s for s, _ in covered]
        for m in _NAME.finditer(body):
            words = [(w.start(), w.group(0)) for w in _WORD.finditer(m.group(0))]
            while words and words[0][1].lower() in _STOP:
                words = words[1:]
            if not words:
                continue
            name = _POSSESSIVE.sub("", " ".join(w for _, w in words))  # "Kabul’s" is "Kabul"
            offset, end = m.start() + words[0][0], m.start() + words[0][0] + len(name)
            i = bisect_right(starts, end) - 1
            if i >= 0 and any(s < end and e > offset for s, e in covered[max(0, i - 3): i + 1]):
                continue
            if name.lower() in known_lower:
                continue
            if len(words) == 1 and (name.lower() in lower_words or len(name) < 3 or _opens_sentence(body, offset)):
                continue
            found[name] += 1
            where.setdefault(name, set()).add(article_id)
            if name not in example:
                example[name] = body[max(0, offset - width): end + width].replace("\n", " ").strip()
    rows = [
        {"name": name, "count": c, "articles": len(where[name]), "example": example[name]}
        for name, c in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    ]
    return pd.DataFrame(rows, columns=["name", "count", "articles", "example"])


def known_places(events: pd.DataFrame, incidents: pd.DataFrame) -> list[str]:
    """Place and province names the extraction already resolved (to leave out of name candidates)."""
    names = {p for df in (incidents, events) for p in _split_places(pd.Series(df["place"].dropna().unique()))}
    names |= set(events["admin1"].dropna()) | set(incidents["admin1"].dropna()) | set(events["country"].dropna())
    return sorted(str(n) for n in names)


# --- 04 casualties -------------------------------------------------------------------------------------------


def casualty_figures(casualties: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Every casualty figure with its quoted sentence, its article's title and date, oldest first."""
    cols = ["article_id", "status", "category", "best", "low", "high", "vague", "qualifier", "surface", "sentence",
            "incident_id"]
    out = casualties[cols].merge(articles[["article_id", "title", "published"]], on="article_id", how="left")
    out = out.sort_values(["published", "article_id"], na_position="last", kind="mergesort")
    return out[["published", "article_id", "title", *cols[1:]]].reset_index(drop=True)


def standing_figures(casualties: pd.DataFrame, incidents: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """One figure per (incident, status, category): the mention that stands when several report one toll.

    Same rule as the incident merge: an exact figure before a vague one, then the highest. A casualty with no
    incident stands alone, dated by its article. An exact figure with no bounds has low = high = best; an open
    figure ("over 70") keeps high empty (unbounded).
    Columns: incident, status, category, best, low, high, vague, qualifier, date, date_precision.
    """
    cols = ["incident", "status", "category", "best", "low", "high", "vague", "qualifier", "date", "date_precision"]
    if casualties.empty:
        return pd.DataFrame(columns=cols)
    c = casualties[["article_id", "start", "status", "category", "best", "low", "high", "vague", "qualifier",
                    "incident_id"]].copy()
    c["vague"] = c["vague"].fillna(False).astype(bool)
    c["best"] = pd.to_numeric(c["best"], errors="coerce")
    exact = ~c["vague"] & c["qualifier"].isna()
    c["low"] = pd.to_numeric(c["low"], errors="coerce").fillna(c["best"])
    c["high"] = pd.to_numeric(c["high"], errors="coerce").mask(c["high"].isna() & exact, c["best"])
    c["incident"] = c["incident_id"].astype(object).where(
        c["incident_id"].notna(), "article:" + c["article_id"].astype(str) + ":" + c["start"].astype(str)
    )
    c = c.sort_values(["incident", "status", "category", "vague", "best", "low"],
                      ascending=[True, True, True, True, False, False], kind="mergesort")
    best = c.drop_duplicates(["incident", "status", "category"], keep="first")
    dates = incidents[["incident_id", "date_start", "date_precision"]].rename(
        columns={"incident_id": "incident", "date_start": "date"})
    best = _plain(best.merge(dates, on="incident", how="left"))  # plain: undated rows get their article's date
    by_article = articles.set_index("article_id")
    undated = best["date"].isna()
    best.loc[undated, "date"] = best.loc[undated, "article_id"].map(by_article["published"])
    best.loc[undated, "date_precision"] = best.loc[undated, "article_id"].map(by_article["date_precision"])
    return best[cols].reset_index(drop=True)


def _sum_bounds(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum best and low; high is a sum only when every figure has one (else unbounded: empty)."""
    grouped = frame.groupby(keys, sort=True)
    out = grouped.agg(best=("best", "sum"), low=("low", "sum"), vague=("vague", "any"), figures=("best", "size"))
    out["high"] = grouped["high"].apply(lambda h: h.sum() if h.notna().all() else float("nan"))
    return out.reset_index()


def casualty_totals(casualties: pd.DataFrame, incidents: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Totals by status and category after merging, with low / best / high and how many incidents add up."""
    cols = ["status", "category", "best", "low", "high", "vague", "incidents"]
    figures = standing_figures(casualties, incidents, articles)
    if figures.empty:
        return pd.DataFrame(columns=cols)
    out = _sum_bounds(figures, ["status", "category"]).rename(columns={"figures": "incidents"})
    order = {s: i for i, s in enumerate(("killed", "injured", "kidnapped", "arrested"))}
    out = out.sort_values(["status", "best"], key=lambda s: s.map(order) if s.name == "status" else -s, kind="mergesort")
    return out[cols].reset_index(drop=True)


def casualty_timeline(
    casualties: pd.DataFrame, incidents: pd.DataFrame, articles: pd.DataFrame, freq: str = "month",
    statuses: Iterable[str] = ("killed", "injured"),
) -> pd.DataFrame:
    """Per period and status: best, low and high totals of the standing figures (period, series, best, low, high)."""
    figures = standing_figures(casualties, incidents, articles)
    figures = figures[figures["status"].isin(list(statuses))]
    figures = figures.assign(period=periods(figures["date"], figures["date_precision"], freq)).dropna(subset=["period"])
    if figures.empty:
        return pd.DataFrame(columns=["period", "series", "best", "low", "high"])
    out = _sum_bounds(figures.rename(columns={"status": "series"}), ["period", "series"])
    return out[["period", "series", "best", "low", "high"]]


def incidents_view(incidents: pd.DataFrame) -> pd.DataFrame:
    """The incidents, oldest first, actors joined and casualty totals by category readable."""
    out = incidents.copy()
    out["actors"] = pc.binary_join(_lists(out["actors"]), ", ").fill_null("").to_numpy(zero_copy_only=False)
    for status in ("killed", "injured", "kidnapped"):
        out[f"{status}_by_category"] = _by_value(out[f"{status}_by_category"], lambda c: c.map(
            lambda s: ", ".join(f"{k}: {v:g}" for k, v in json.loads(s).items()) if isinstance(s, str) and s else ""
        ))
    cols = ["incident_id", "kind", "date_start", "date_end", "date_precision", "place", "admin1", "country", "actors",
            "killed", "killed_by_category", "injured", "injured_by_category", "kidnapped", "kidnapped_by_category",
            "n_mentions", "n_articles"]
    return out[cols].sort_values(["date_start", "incident_id"], na_position="last", kind="mergesort").reset_index(drop=True)
