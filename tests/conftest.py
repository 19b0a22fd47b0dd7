"""Small extracted tables built by hand (store.frame), for the analysis, plot and notebook tests."""

from __future__ import annotations

import importlib.util
import sys

import pytest

# As in report.run_report: jsonschema (under nbformat) would import rfc3987_syntax, which compiles a grammar on
# import (2.3 s); notebooks never validate IRIs.
sys.modules.setdefault("rfc3987_syntax", None)

from conflictlens import paths, store  # noqa: E402  (after the module block above)


@pytest.fixture(scope="session")
def generate():
    """bench/generate.py as a module: realistic corpora generated from the seeds."""
    spec = importlib.util.spec_from_file_location("bench_generate", paths.ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generated_rows(tmp_path_factory, generate):
    """The event and casualty rows of 1,200 generated records (seed 7), article by article in id order."""
    import json

    from conflictlens.corpus import read_corpus
    from conflictlens.lexicon import load_lexicon
    from conflictlens.pipeline import DEFAULT_PARAMS, extract_article

    path = tmp_path_factory.mktemp("gen") / "gen.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in generate.records(1200, seed=7)))
    lexicon = load_lexicon()
    events, casualties = [], []
    for a in sorted(read_corpus(path).articles, key=lambda a: a["article_id"]):
        if a["topic"] == "conflict":
            r = extract_article(a, lexicon, DEFAULT_PARAMS)
            events += r["events"]
            casualties += r["casualties"]
    return events, casualties

# Two conflict articles about one attack (the merge's case: two articles, one incident), one off-topic article
# read twice (a duplicate), and one border toll reported vaguely ("dozens") and precisely ("over 70").
A1 = "Gunmen killed 23 soldiers in Dera Ismail Khan on Dec. 12. The TTP claimed it, said Omar Khorasani. Talks were denied."
A2 = "Pakistan army said 23 soldiers were killed. Dozens died at the border this month; over 70 people were killed."
A3 = "Islamabad hosted a crypto exchange. Discussions went well."


def _span(text: str, surface: str) -> dict:
    start = text.index(surface)
    return {"start": start, "end": start + len(surface)}


def _ref(table: str, article_id: str, text: str, surface: str) -> str:
    span = _span(text, surface)
    return f"{table}:{article_id}:{span['start']}-{span['end']}"


def _tables() -> store.Tables:
    articles = store.frame([
        {"article_id": "a1", "title": "Attack in DI Khan", "text": A1, "published": "2023-12-13", "date_kind": "published",
         "date_precision": "day", "topic": "conflict", "n_copies": 1, "outlet": "Arab News", "files": ["a1.txt"],
         "source_ids": ["a1.txt"], "topic_score": 40.0},
        {"article_id": "a2", "title": "Army statement", "text": A2, "published": "2023-12-14", "date_kind": "updated",
         "date_precision": "day", "topic": "conflict", "n_copies": 1, "outlet": "Dawn", "files": ["a2.txt"],
         "source_ids": ["a2.txt"], "topic_score": 35.0},
        {"article_id": "a3", "title": "Crypto", "text": A3, "published": "2025-12", "date_kind": "inferred",
         "date_precision": "month", "topic": "off_topic", "n_copies": 2, "outlet": None, "files": ["a1.txt", "a2.txt"],
         "source_ids": ["a1.txt", "a2.txt"], "topic_score": 0.0},
    ], "articles")
    mentions = store.frame([
        {"article_id": "a1", "sentence": "The TTP claimed it.", **_span(A1, "TTP"), "surface": "TTP",
         "actor_id": "ttp", "actor_name": "Tehrik-e Taliban Pakistan", "actor_type": "militant_group"},
        {"article_id": "a2", "sentence": A2[:43], **_span(A2, "Pakistan army"), "surface": "Pakistan army",
         "actor_id": "pakistan_army", "actor_name": "Pakistan Army", "actor_type": "military"},
        {"article_id": "a1", "sentence": A1[:50], **_span(A1, "soldiers"), "surface": "soldiers",
         "actor_id": "pakistan_army", "actor_name": "Pakistan Army", "actor_type": "military"},
        {"article_id": "a3", "sentence": A3[:35], **_span(A3, "Islamabad"), "surface": "Islamabad",
         "actor_id": "pakistan_gov", "actor_name": "Government of Pakistan", "actor_type": "government"},
    ], "actor_mentions")
    casualties = store.frame([
        {"article_id": "a1", **_span(A1, "23 soldiers"), "surface": "23 soldiers", "status": "killed",
         "category": "security_forces", "best": 23, "low": None, "high": None, "vague": False, "qualifier": None,
         "incident_id": "i1", "sentence": A1[:50]},
        {"article_id": "a2", **_span(A2, "23 soldiers"), "surface": "23 soldiers", "status": "killed",
         "category": "security_forces", "best": 23, "low": 23, "high": 23, "vague": False, "qualifier": None,
         "incident_id": "i1", "sentence": A2[:43]},
        {"article_id": "a2", **_span(A2, "Dozens"), "surface": "Dozens", "status": "killed", "category": "people",
         "best": 12, "low": 12, "high": 99, "vague": True, "qualifier": None, "incident_id": "i2",
         "sentence": "Dozens died at the border this month;"},
        {"article_id": "a2", **_span(A2, "over 70"), "surface": "over 70", "status": "killed", "category": "people",
         "best": 70, "low": 70, "high": None, "vague": False, "qualifier": "over", "incident_id": "i2",
         "sentence": "over 70 people were killed."},
    ], "casualties")
    events = store.frame([
        {"article_id": "a1", **_span(A1, "killed"), "kind": "attack", "date_start": "2023-12-12",
         "date_end": "2023-12-12", "date_precision": "day", "place": "Dera Ismail Khan", "admin1": "Khyber Pakhtunkhwa",
         "country": "Pakistan", "actors": ["ttp"], "negated": False, "hypothetical": False, "incident_id": "i1",
         "cue": "killed", "sentence": A1[:50]},
        {"article_id": "a2", **_span(A2, "killed"), "kind": "attack", "date_start": "2023-12-12",
         "date_end": "2023-12-12", "date_precision": "day", "place": "Dera Ismail Khan", "admin1": "Khyber Pakhtunkhwa",
         "country": "Pakistan", "actors": ["ttp", "pakistan_army"], "negated": False, "hypothetical": False,
         "incident_id": "i1", "cue": "killed", "sentence": A2[:43]},
        {"article_id": "a2", **_span(A2, "died"), "kind": "armed_clash", "date_start": "2023-12",
         "date_end": "2023-12", "date_precision": "month", "place": "Afghanistan–Pakistan border", "admin1": None,
         "country": None, "actors": [], "negated": False, "hypothetical": False, "incident_id": "i2", "cue": "died",
         "sentence": "Dozens died at the border this month;"},
        {"article_id": "a1", **_span(A1, "denied"), "kind": "talks", "date_start": None, "date_end": None,
         "date_precision": "unknown", "place": None, "admin1": None, "country": None, "actors": [],
         "negated": True, "hypothetical": False, "incident_id": None, "cue": "denied", "sentence": "denied"},
    ], "events")
    incidents = store.frame([
        {"incident_id": "i1", "kind": "attack", "date_start": "2023-12-12", "date_end": "2023-12-12",
         "date_precision": "day", "place": "Dera Ismail Khan", "admin1": "Khyber Pakhtunkhwa", "country": "Pakistan",
         "actors": ["pakistan_army", "ttp"], "killed": 23.0, "injured": 0.0, "kidnapped": 0.0, "n_mentions": 4,
         "n_articles": 2, "killed_low": 23.0, "killed_high": 23.0, "killed_by_category": '{"security_forces": 23}',
         "injured_by_category": "{}", "kidnapped_by_category": "{}", "article_ids": ["a1", "a2"],
         "mentions": [_ref("casualties", "a1", A1, "23 soldiers"), _ref("casualties", "a2", A2, "23 soldiers"),
                      _ref("events", "a1", A1, "killed"), _ref("events", "a2", A2, "killed")]},
        {"incident_id": "i2", "kind": "armed_clash", "date_start": "2023-12", "date_end": "2023-12",
         "date_precision": "month", "place": "Afghanistan–Pakistan border; Kurram", "admin1": None, "country": None,
         "actors": [], "killed": 70.0, "injured": 0.0, "kidnapped": 0.0, "n_mentions": 3, "n_articles": 1,
         "killed_low": 70.0, "killed_high": None, "killed_by_category": '{"people": 70}',
         "injured_by_category": "{}", "kidnapped_by_category": "{}", "article_ids": ["a2"],
         "mentions": [_ref("casualties", "a2", A2, "Dozens"), _ref("casualties", "a2", A2, "over 70"),
                      _ref("events", "a2", A2, "died")]},
    ], "incidents")
    return store.Tables(articles, mentions, casualties, events, incidents,
                        manifest={"corpus_sha256": "abc123", "inputs": [{"path": "a1.txt", "sha256": "x"},
                                                                      {"path": "a2.txt", "sha256": "y"}],
                                  "counts": {"articles": 3}})


@pytest.fixture
def tables() -> store.Tables:
    """The hand-built tables (a fresh copy for each test)."""
    return _tables()


@pytest.fixture
def results_dir(tmp_path, tables):
    """The hand-built tables written as a results folder."""
    return store.write_tables(tables, tmp_path / "results")
