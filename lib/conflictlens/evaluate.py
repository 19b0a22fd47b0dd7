"""Score extracted tables against a gold file (the format of ``tests/data/seeds_gold.yaml``).

Facets: casualty mentions, non-casualties, totals, actors per article, resolutions, events and their dates, merges.
Matching is by span: a gold span is found in the article's cleaned text and an extracted row matches it when their
character ranges overlap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .store import Tables, read_tables


class GoldError(Exception):
    """A gold file that cannot be read, or that names articles the results do not have."""


@dataclass
class Facet:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: str | Path) -> dict:
    try:
        gold = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldError(f"{path}: no such gold file") from None
    except yaml.YAMLError as exc:
        raise GoldError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(gold, dict) or "articles" not in gold:
        raise GoldError(f"{path}: no 'articles' section")
    return gold


def map_articles(gold: dict, tables: Tables) -> dict[str, dict]:
    """Gold article names (A1…) → extracted article rows, by the set of input files and the title."""
    out: dict[str, dict] = {}
    arts = tables.articles.to_dict("records")
    for g in gold["articles"]:
        files = sorted(Path(f).name for f in g["files"])
        cands = [a for a in arts if sorted(Path(f).name for f in a["files"]) == files]
        if len(cands) > 1 and g.get("title"):
            cands = [a for a in cands if (a.get("title") or "").strip() == g["title"].strip()] or cands
        if not cands:
            raise GoldError(f"gold article {g['id']} ({', '.join(files)}): no extracted article from exactly these files")
        out[g["id"]] = cands[0]
    return out


def _occurrences(text: str, span: str) -> list[tuple[int, int]]:
    out, i = [], text.find(span)
    while i >= 0:
        out.append((i, i + len(span)))
        i = text.find(span, i + 1)
    return out


def _overlaps(row: dict, spans: list[tuple[int, int]]) -> bool:
    return any(row["start"] < e and s < row["end"] for s, e in spans)


def _number_ok(row: dict, g: dict) -> bool:
    if g.get("vague"):
        lo, hi = g.get("low", g.get("best")), g.get("high")
        return lo <= float(row["best"]) <= (hi if hi is not None else float("inf"))
    target = g.get("number", g.get("best"))
    return target is None or float(row["best"]) == float(target)


def evaluate(results: str | Path | Tables, gold_path: str | Path) -> dict[str, Facet]:
    """Every facet's counts for one results folder (or Tables) against one gold file."""
    tables = results if isinstance(results, Tables) else read_tables(results)
    gold = load_gold(gold_path)
    amap = map_articles(gold, tables)
    text = {g: a["text"] for g, a in amap.items()}
    aid = {g: a["article_id"] for g, a in amap.items()}
    cas = tables.casualties.to_dict("records")
    cas_by = {g: [r for r in cas if r["article_id"] == aid[g]] for g in amap}
    facets: dict[str, Facet] = {}

    # Casualty mentions: found with the right status, number and category.
    f = Facet("casualty mentions")
    accounted: set[tuple] = set()
    for g in gold.get("casualty_mentions", []):
        spans = _occurrences(text[g["article"]], g["span"])
        hits = [r for r in cas_by[g["article"]] if _overlaps(r, spans) and r["status"] == g["status"]]
        for r in hits:
            accounted.add((r["article_id"], r["start"], r["end"], r["status"]))
        if g.get("optional"):
            continue
        good = [r for r in hits if _number_ok(r, g) and r["category"] == g["category"]]
        if good:
            f.tp += 1
        else:
            f.fn += 1
            got = ", ".join(f"{r['best']:g} {r['category']}" for r in hits) or "nothing"
            f.details.append(f"missed {g['article']} '{g['span']}' ({g['status']} {g.get('number', g.get('best'))} "
                             f"{g['category']}): got {got}")
    for g_name in amap:
        for r in cas_by[g_name]:
            if (r["article_id"], r["start"], r["end"], r["status"]) not in accounted:
                f.fp += 1
                f.details.append(f"extra {g_name} '{r['surface']}' ({r['status']} {r['best']:g} {r['category']})")
    facets["casualties"] = f

    # Non-casualties: nothing extracted from these spans.
    f = Facet("non-casualties (spans left alone)")
    for g in gold.get("not_casualties", []):
        spans = _occurrences(text[g["article"]], g["span"])
        bad = [r for r in cas_by[g["article"]] if _overlaps(r, spans)]
        if bad:
            f.fp += 1
            f.details.append(f"counted {g['article']} '{g['span']}' as {bad[0]['status']} {bad[0]['best']:g}")
        else:
            f.tp += 1
    facets["non_casualties"] = f

    # Totals after merging, by status and category.
    f = Facet("totals")
    inc = tables.incidents
    for status, cats in (gold.get("totals") or {}).items():
        col = f"{status}_by_category"
        got: dict[str, float] = {}
        for s in inc[col].dropna():
            for cat, v in json.loads(s).items():
                got[cat] = got.get(cat, 0) + float(v or 0)
        for cat, want in cats.items():
            w = want["best"] if isinstance(want, dict) else want
            if abs(got.get(cat, 0) - float(w)) < 1e-9:
                f.tp += 1
            else:
                f.fn += 1
                f.details.append(f"{status} {cat}: want {w}, got {got.get(cat, 0):g}")
        for cat in set(got) - set(cats):
            if got[cat]:
                f.fp += 1
                f.details.append(f"{status} {cat}: {got[cat]:g} not in gold")
    facets["totals"] = f

    # Actors per article (presence).
    f = Facet("actors per article")
    am = tables.actor_mentions
    for g_name, want in (gold.get("article_actors") or {}).items():
        got = set(am.loc[am["article_id"] == aid[g_name], "actor_id"])
        f.tp += len(got & set(want))
        for a in sorted(set(want) - got):
            f.fn += 1
            f.details.append(f"{g_name}: missed {a}")
        for a in sorted(got - set(want)):
            f.fp += 1
            f.details.append(f"{g_name}: extra {a}")
    facets["actors"] = f

    # Resolutions: every mention with this surface in this article resolves to the gold actor.
    f = Facet("resolutions")
    for g in gold.get("resolutions", []):
        rows = am[(am["article_id"] == aid[g["article"]]) & (am["surface"] == g["span"])]
        if len(rows) and (rows["actor_id"] == g["actor"]).all():
            f.tp += 1
        else:
            f.fn += 1
            f.details.append(f"{g['article']} '{g['span']}': want {g['actor']}, got {sorted(set(rows['actor_id'])) or 'nothing'}")
    facets["resolutions"] = f

    # Events: found (same kind, a sentence holding the cue) and dated right.
    f = Facet("events")
    d = Facet("event dates")
    ev = tables.events.to_dict("records")
    for g in gold.get("events", []):
        rows = [r for r in ev if r["article_id"] == aid[g["article"]] and r["kind"] == g["kind"]
                and g["cue"] in r["sentence"] and not r.get("negated")]
        if not rows:
            f.fn += 1
            f.details.append(f"missed {g['article']} {g['kind']} '{g['cue']}'")
            continue
        f.tp += 1
        want_start, want_end = str(g["date"]), str(g.get("date_end", g["date"]))
        good = [r for r in rows if r.get("date_start") == want_start and (r.get("date_end") or r["date_start"]) == want_end]
        if good:
            d.tp += 1
        else:
            d.fp += 1
            d.details.append(f"{g['article']} {g['kind']} '{g['cue']}': want {want_start}..{want_end}, "
                             f"got {rows[0].get('date_start')}..{rows[0].get('date_end')}")
    facets["events"] = f
    facets["event_dates"] = d

    # Denials are not talks.
    f = Facet("denials not counted")
    for g in gold.get("events", []):
        if "denied" in g["cue"] or "denies" in g["cue"]:
            talks = [r for r in ev if r["article_id"] == aid[g["article"]] and r["kind"] == "talks"
                     and g["cue"] in r["sentence"]]
            if any(not r.get("negated") for r in talks):
                f.fp += 1
                f.details.append(f"{g['article']}: talks counted in '{g['cue']}'")
            else:
                f.tp += 1
    facets["denials"] = f

    # Merges: every listed mention carries one incident id.
    f = Facet("merges")
    for g in gold.get("same_happening", []):
        ids = []
        for e in g.get("events", []):
            rows = [r for r in ev if r["article_id"] == aid[e["article"]] and e["cue"] in r["sentence"]
                    and r.get("incident_id")]
            ids.append({r["incident_id"] for r in rows})
        for c in g.get("casualties", []):
            spans = _occurrences(text[c["article"]], c["span"])
            ids.append({r["incident_id"] for r in cas_by[c["article"]] if _overlaps(r, spans) and r.get("incident_id")})
        common = set.intersection(*ids) if ids else set()
        if common:
            f.tp += 1
        elif g.get("optional"):
            f.details.append(f"optional merge not made: {g['what']}")
        else:
            f.fn += 1
            f.details.append(f"not merged: {g['what']}: {[sorted(s) for s in ids]}")
    facets["merges"] = f
    return facets


def format_scores(facets: dict[str, Facet]) -> str:
    """A plain table: facet, tp, fp, fn, precision, recall, F1, then the misses."""
    lines = [f"{'facet':<36}{'tp':>4}{'fp':>4}{'fn':>4}{'P':>7}{'R':>7}{'F1':>7}"]
    for f in facets.values():
        lines.append(f"{f.name:<36}{f.tp:>4}{f.fp:>4}{f.fn:>4}{f.precision:>7.2f}{f.recall:>7.2f}{f.f1:>7.2f}")
    notes = [f"  {f.name}: {d}" for f in facets.values() for d in f.details]
    if notes:
        lines += ["", "details:"] + notes
    return "\n".join(lines)
