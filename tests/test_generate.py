"""bench/generate.py: realistic corpora from the seeds, deterministic, with moved dates and redrawn numbers."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from datetime import date, timedelta

import pytest

from conflictlens import paths


N = 600


@pytest.fixture(scope="module")
def recs(generate) -> list[dict]:
    return list(generate.records(N, seed=3))


def test_stories_come_from_every_seed_file_and_the_appended_story_once(generate):
    stories = generate.load_stories()
    assert len(stories) == 6  # five files, plus the crypto story three pages appended
    assert [s.conflict for s in stories].count(False) == 1
    titles = [s.title for s in stories if isinstance(s.title, str)]
    assert any(t.startswith(generate.APPENDED_TITLE) for t in titles)
    flat = "".join(p if isinstance(p, str) else "".join(x for x in p if isinstance(x, str))
                   for s in stories for p in s.lead + s.body)
    assert "Short Url" not in flat and "Discover the latest" not in flat and "date 2025-10-30" not in flat


def test_same_seed_same_corpus_and_prefix_stable(recs, generate):
    assert list(generate.records(50, seed=3)) == recs[:50]
    assert list(generate.records(50, seed=4)) != recs[:50]


def test_records_have_the_fields_and_dates_in_range(recs, generate):
    for r in recs:
        assert set(r) == {"id", "title", "date", "source", "text"}
        assert generate.FIRST_DAY <= date.fromisoformat(r["date"]) <= generate.LAST_DAY
    assert len({r["id"] for r in recs}) == N
    assert 1500 < sum(len(r["text"]) for r in recs) / N < 6000  # seed-size articles


def test_about_one_in_ten_is_a_wire_copy_of_a_recent_original(recs, generate):
    gen = generate.Generator(seed=3)
    for i in range(N):
        gen.record(i)
    assert 0.06 < gen.wire_copies / N < 0.14
    texts = [r["text"] for r in recs]
    stripped = [t.split("Follow\n\n", 1)[-1] for t in texts]
    copied = sum(1 for i, t in enumerate(stripped) if any(t[:300] == u[:300] for u in stripped[max(0, i - 70) : i]))
    assert copied >= gen.wire_copies * 0.9


def test_a_story_dates_move_with_the_article_date(recs, generate):
    # The first seed story, written on Thursday 2023-12-14, reports a "Dec. 12 attack": two days before.
    hits = [r for r in recs if "Foreign office urges" in r["text"]]
    assert hits
    for r in hits:
        attack = date.fromisoformat(r["date"]) - timedelta(days=2)
        month = generate.AP_MONTHS[attack.month - 1]
        assert f"perpetrators of {month} {attack.day} attack" in r["text"]
        # "on Thursday", the day it was written (a Thursday), is the article's own weekday
        weekday = generate.WEEKDAYS[date.fromisoformat(r["date"]).weekday()]
        assert f"foreign office on {weekday} “strongly” denied" in r["text"]


def test_the_same_casualty_count_stays_the_same_number_within_an_article(recs):
    # Hard case: "23 Pakistani soldiers killed" (summary) and "23 soldiers were killed" (body) are one figure.
    both = 0
    for r in recs:
        a = re.search(r"in which (\d+) Pakistani soldiers killed", r["text"])
        b = re.search(r"in which (\d+) soldiers were killed", r["text"])
        if a and b:
            both += 1
            assert a.group(1) == b.group(1)
    assert both
    counts = {m.group(1) for r in recs for m in re.finditer(r"in which (\d+) Pakistani soldiers killed", r["text"])}
    assert len(counts) > 10  # redrawn, not always 23


def test_places_and_groups_are_swapped_consistently(recs, generate):
    districts = {d: p for p, ds in generate.PROVINCE_DISTRICTS.items() for d in ds}
    seen = set()
    for r in recs:
        m = re.search(r"The operations took place on .*? in (.+?), (.+?) and (.+?), areas", r["text"])
        if m:
            places = m.groups()
            assert len(set(places)) == 3 and all(p in districts for p in places)
            assert len({districts[p] for p in places}) == 1  # one province per article
            seen.update(places)
    assert len(seen) > 8
    assert any("Baloch Liberation Army" in r["text"] for r in recs)


def test_generate_writes_jsonl_and_csv(tmp_path, generate):
    stats = generate.generate(40, tmp_path / "c.jsonl", seed=1)
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert stats["articles"] == 40 and len(lines) == 40 and stats["bytes"] == (tmp_path / "c.jsonl").stat().st_size
    assert [json.loads(line) for line in lines] == list(generate.records(40, seed=1))
    generate.generate(40, tmp_path / "c.csv", fmt="csv", seed=1)
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["text"] for r in rows] == [json.loads(line)["text"] for line in lines]
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(ValueError, match="unknown format"):
        generate.generate(1, tmp_path / "c.xml", fmt="xml")


def _load_baseline():
    spec = importlib.util.spec_from_file_location("bench_baseline", paths.ROOT / "bench" / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_baseline_reads_number_noun_killed_and_actor_names():
    baseline = _load_baseline()
    # The baseline's reach: "Four militants were killed" and "23 Pakistani soldiers killed" it reads; a vague
    # "dozens" and a named victim it cannot; actor names only from its short list.
    text = "Four militants were killed; 23 Pakistani soldiers killed, the TTP said. Dozens were killed too."
    out = baseline.extract({"id": "x", "text": text})
    assert [(c["best"], c["status"]) for c in out["casualties"]] == [(4, "killed"), (23, "killed")]
    assert [text[c["start"] : c["end"]] for c in out["casualties"]] == ["Four militants were killed",
                                                                         "23 Pakistani soldiers killed"]
    assert [(m["surface"], m["actor_id"]) for m in out["actor_mentions"]] == [("TTP", "ttp")]


def test_baseline_finds_the_redrawn_counts_of_generated_articles(recs):
    baseline = _load_baseline()
    for r in recs:
        m = re.search(r"in which (\d+) soldiers were killed", r["text"])
        if m:
            found = baseline.extract(r)["casualties"]
            assert int(m.group(1)) in [c["best"] for c in found]
            return
    pytest.fail("no generated article reports soldiers killed")
