"""The notebooks' aggregations, on hand-built tables whose right answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from conflictlens import analysis, paths


def test_resolve_is_relative_to_the_repository_not_the_kernel_cwd():
    assert analysis.resolve("seeds") == paths.SEEDS
    assert analysis.resolve("/tmp/x").as_posix() == "/tmp/x"


def test_load_reuses_a_results_folder(results_dir):
    tables = analysis.load("seeds", str(results_dir), kinds=["attack"])
    assert list(tables.incidents["incident_id"]) == ["i1"]
    assert analysis.corpus_hash(tables.manifest) == "abc123"


def test_corpus_hash_falls_back_to_the_inputs():
    one = analysis.corpus_hash({"inputs": [{"path": "a", "sha256": "1"}, {"path": "b", "sha256": "2"}]})
    two = analysis.corpus_hash({"inputs": [{"path": "b", "sha256": "2"}, {"path": "a", "sha256": "1"}]})
    assert one == two and len(one) == 64


def test_no_filter_returns_the_tables_unchanged(tables):
    assert analysis.filter_tables(tables) is tables


def test_date_filter_uses_each_rows_own_date(tables):
    # The hard case: the attack of Dec. 12 is reported in articles dated Dec. 13 and 14; the event's own date counts.
    chosen = analysis.filter_tables(tables, start="2023-12-12", end="2023-12-12")
    assert set(chosen.events["kind"]) == {"attack", "armed_clash"}  # the month-precision clash overlaps the day
    assert chosen.articles.empty and chosen.actor_mentions.empty  # articles are dated 13 and 14 December
    assert set(chosen.casualties["incident_id"]) == {"i1", "i2"}  # casualties follow their incident


def test_actor_and_kind_filters(tables):
    chosen = analysis.filter_tables(tables, actors=["pakistan_army"], kinds=["attack"])
    assert list(chosen.incidents["incident_id"]) == ["i1"]
    assert len(chosen.events) == 1 and chosen.events.iloc[0]["article_id"] == "a2"
    assert set(chosen.articles["article_id"]) == {"a1", "a2"}
    assert set(chosen.actor_mentions["actor_id"]) == {"pakistan_army", "ttp"}  # co-mentioned actors stay
    assert set(chosen.casualties["incident_id"]) == {"i1"}


def test_corpus_summary_accounts_for_every_copy(tables):
    summary = dict(analysis.corpus_summary(tables).values)
    assert summary["input files"] == 2
    assert summary["article copies read"] == 4 and summary["distinct articles"] == 3
    assert summary["copies merged as duplicates"] == 1 and summary["off-topic, set aside"] == 1


def test_corpus_views(tables):
    assert list(analysis.articles_overview(tables.articles)["article_id"]) == ["a1", "a2", "a3"]
    assert analysis.counts(tables.articles, "outlet").to_dict() == {"(unknown)": 1, "Arab News": 1, "Dawn": 1}
    assert analysis.date_kinds(tables.articles).loc["inferred", "month"] == 1
    assert list(analysis.duplicates(tables.articles)["article_id"]) == ["a3"]
    assert list(analysis.off_topic(tables.articles)["article_id"]) == ["a3"]
    brief = dict(analysis.manifest_brief(tables.manifest).values)
    assert brief == {"corpus_sha256": "abc123", "counts.articles": "3", "inputs": "2 entries"}


def test_periods_leave_out_dates_coarser_than_the_bucket(tables):
    # The hard case: "this month" (precision month) has no week; it is left out, not put in the month's first week.
    events = analysis.happened(tables.events)
    weekly = analysis.counts_over_time(events, "date_start", "date_precision", "week", by="kind")
    assert weekly.to_dict() == {"attack": {pd.Timestamp("2023-12-11"): 2}}
    assert analysis.left_out(events, "date_start", "date_precision", "week") == 1
    monthly = analysis.counts_over_time(events, "date_start", "date_precision", "month", by="kind")
    assert monthly.loc[pd.Timestamp("2023-12-01")].to_dict() == {"attack": 2, "armed_clash": 1}
    with pytest.raises(ValueError, match="freq"):
        analysis.periods(events["date_start"], None, "fortnight")


def test_counts_over_time_fills_empty_periods(tables):
    table = analysis.articles_by_period(tables.articles, "month")
    assert len(table) == 25 and table.sum().sum() == 3  # Dec 2023 … Dec 2025, zeros between


def test_denied_events_are_not_counted(tables):
    # "Talks were denied" is a talks cue, negated: not an event that happened.
    assert "talks" not in set(analysis.happened(tables.events)["kind"])


def test_places_split_and_actors_explode(tables):
    assert analysis.counts_by_place(tables.incidents, "place").to_dict() == {
        "Afghanistan–Pakistan border": 1, "Dera Ismail Khan": 1, "Kurram": 1}
    assert analysis.counts_by_place(tables.incidents, "admin1").to_dict() == {"(unknown)": 1, "Khyber Pakhtunkhwa": 1}
    assert analysis.counts_by_actor(tables.incidents).to_dict() == {"(unknown)": 1, "pakistan_army": 1, "ttp": 1}


def test_mentions_beside_incidents_show_what_merging_did(tables):
    table = analysis.mentions_vs_incidents(tables.events, tables.incidents)
    assert table.loc["attack"].to_dict() == {"mentions": 2, "incidents": 1}


def test_actor_rankings_and_co_mentions(tables):
    top = analysis.top_actors(tables.actor_mentions, 2)
    assert list(top["actor_id"]) == ["pakistan_army", "pakistan_gov"]
    assert top.iloc[0][["mentions", "articles"]].tolist() == [2, 2]
    co = analysis.co_mentions(tables.actor_mentions)
    assert co.loc["pakistan_army", "ttp"] == 1 and co.loc["pakistan_gov", "ttp"] == 0
    assert co.loc["pakistan_army", "pakistan_army"] == 2
    graph = analysis.co_mention_graph(co)
    assert list(graph.edges(data="weight")) == [("pakistan_army", "ttp", 1)]
    assert graph.nodes["pakistan_army"]["weight"] == 2


def test_mentions_over_time_dates_by_article(tables):
    table = analysis.mentions_over_time(tables.actor_mentions, tables.articles, "month", 3)
    assert table.loc[pd.Timestamp("2023-12-01")].to_dict() == {"pakistan_army": 2, "pakistan_gov": 0, "ttp": 1}


def test_name_candidates_skip_known_names_and_sentence_initial_words(tables):
    # "Omar Khorasani" is unknown to the lexicon; "Gunmen" and "Discussions" only open sentences; "TTP" was matched.
    known = analysis.known_places(tables.events, tables.incidents)
    found = analysis.name_candidates(tables.articles, tables.actor_mentions, known)
    assert list(found["name"]) == ["Omar Khorasani"]
    assert found.iloc[0]["example"].endswith("said Omar Khorasani. Talks were denied.")


def test_name_candidates_drop_possessives_and_line_openers():
    # "Kabul’s" is the name "Kabul"; "Dawn" opens a line (a dateline), so it is not counted there.
    articles = pd.DataFrame({"article_id": ["x"], "text": ["Dawn\nTalks stalled over Kabul’s demands, said Dawn."]})
    mentions = pd.DataFrame(columns=["article_id", "start", "end"])
    found = analysis.name_candidates(articles, mentions)
    assert found.set_index("name")["count"].to_dict() == {"Dawn": 1, "Kabul": 1}


def test_casualty_figures_keep_their_sentences(tables):
    figures = analysis.casualty_figures(tables.casualties, tables.articles)
    assert len(figures) == 4 and figures.iloc[0]["sentence"].startswith("Gunmen killed 23 soldiers")
    assert figures.iloc[0]["title"] == "Attack in DI Khan"


def test_totals_let_the_precise_figure_stand(tables):
    # The hard case: "dozens" and "over 70" report one toll: the exact figure stands and its high stays open;
    # "23 soldiers" in two articles is one figure, not 46.
    totals = analysis.casualty_totals(tables.casualties, tables.incidents, tables.articles).set_index("category")
    assert totals.loc["security_forces", ["best", "low", "high"]].tolist() == [23, 23, 23]
    people = totals.loc["people"]
    assert (people["best"], people["low"], people["incidents"]) == (70, 70, 1) and math.isnan(people["high"])


def test_timeline_sums_standing_figures_per_period(tables):
    line = analysis.casualty_timeline(tables.casualties, tables.incidents, tables.articles, "month")
    assert line[["series", "best", "low"]].values.tolist() == [["killed", 93, 93]]
    assert math.isnan(line.iloc[0]["high"])
    assert analysis.casualty_timeline(tables.casualties, tables.incidents, tables.articles, "week").empty is False


def test_incidents_view_is_readable(tables):
    view = analysis.incidents_view(tables.incidents).set_index("incident_id")
    assert view.loc["i1", "actors"] == "pakistan_army, ttp"
    assert view.loc["i1", "killed_by_category"] == "security_forces: 23"


@pytest.fixture(scope="module")
def seeds():
    """The seeds extracted once (cached in results/ by the pipeline)."""
    return analysis.load(str(paths.SEEDS))


def test_casualty_totals_on_the_seeds_match_the_gold_file(seeds):
    # The headline table of 04_casualties: merged tolls, not the sum of every mention (23 is reported three times).
    gold = yaml.safe_load(paths.GOLD.read_text())["totals"]
    totals = analysis.casualty_totals(seeds.casualties, seeds.incidents, seeds.articles)
    got = {(r.status, r.category): r for r in totals.itertuples()}
    for status, by_category in gold.items():
        for category, expected in by_category.items():
            row = got[(status, category)]
            if isinstance(expected, dict):
                assert row.best == expected["best"] and row.low == expected.get("low", expected["best"])
                assert row.vague == expected.get("vague", False)
                if "high" in expected:
                    assert row.high == expected["high"]
                else:  # "over 70": open above
                    assert math.isnan(row.high)
            else:
                assert row.best == expected and row.low == row.high == expected
    assert set(got) == {(s, c) for s, cats in gold.items() for c in cats}


def test_seeds_corpus_summary_matches_the_gold_counts(seeds):
    gold = yaml.safe_load(paths.GOLD.read_text())["corpus"]
    summary = dict(analysis.corpus_summary(seeds).values)
    assert summary["input files"] == gold["files"]
    assert summary["distinct articles"] == gold["distinct_articles"]
    assert summary["article copies read"] == gold["article_instances"]
