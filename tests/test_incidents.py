"""Merging mentions into incidents: one happening seen many times is one incident with its best-supported toll."""

import json

from conflictlens.incidents import date_interval, merge, places_compatible

DOHA = {"place_id": "doha", "name": "Doha", "type": "city", "admin1": None, "country": "QAT"}
DIK = {"place_id": "dera_ismail_khan", "name": "Dera Ismail Khan", "type": "district", "admin1": "Khyber Pakhtunkhwa", "country": "PAK"}
QUETTA = {"place_id": "quetta", "name": "Quetta", "type": "city", "admin1": "Balochistan", "country": "PAK"}
AFG = {"place_id": "afghanistan", "name": "Afghanistan", "type": "country", "admin1": None, "country": "AFG"}
BORDER = {"place_id": "afpak_border", "name": "Afghanistan–Pakistan border", "type": "region", "countries": ["AFG", "PAK"]}
INDEX = {p["place_id"]: p for p in (DOHA, DIK, QUETTA, AFG, BORDER)}


def ev(article, kind, family, start, date=None, end=None, precision="day", places=(), actors=(), si=0):
    return {"article_id": article, "kind": kind, "family": family, "start": start, "end": start + 5,
            "date_start": date, "date_end": end or date, "date_precision": precision if date else "unknown",
            "places": list(places), "actors": list(actors), "sentence_index": si,
            "negated": False, "hypothetical": False, "generic": False}


def cas(article, start, status, category, best, si, low=None, high=None, vague=False, date=None, precision="unknown",
        places=()):
    return {"article_id": article, "start": start, "end": start + 5, "status": status, "category": category,
            "best": best, "low": best if low is None else low, "high": high, "vague": vague, "sentence_index": si,
            "date_start": date, "date_end": date, "date_precision": precision, "places": list(places),
            "victim_is_person": False}


def test_intervals_follow_precision():
    assert date_interval("2025-10", None, "month")[1].isoformat() == "2025-10-31"
    lo, hi = date_interval("2025-10-30", None, "approximate")
    assert (lo.isoformat(), hi.isoformat()) == ("2025-10-27", "2025-11-02")
    assert date_interval(None, None, "unknown") is None


def test_places_contain_each_other():
    assert places_compatible([AFG], [BORDER])
    assert places_compatible([DIK], [])
    assert not places_compatible([DIK], [QUETTA])


def test_ceasefire_and_talks_in_doha_across_articles_merge():
    # Seeds A5 and A6: "agreed to a ceasefire in Doha on October 19" and "talks ... in Doha on October 18-19".
    events = [ev("a5", "ceasefire", "negotiation", 10, "2025-10-19", places=["doha"]),
              ev("a6", "talks", "negotiation", 20, "2025-10-18", "2025-10-19", places=["doha"], actors=["qatar"])]
    incidents, ev_ids, _ = merge(events, [], INDEX)
    assert len(incidents) == 1 and ev_ids[0] == ev_ids[1]
    (inc,) = incidents
    assert (inc["date_start"], inc["date_end"], inc["n_articles"]) == ("2025-10-18", "2025-10-19", 2)
    assert inc["kind"] == "ceasefire"


def test_same_day_attacks_in_different_provinces_stay_apart():
    events = [ev("a1", "attack", "violence", 0, "2024-03-01", places=["dera_ismail_khan"]),
              ev("a2", "attack", "violence", 0, "2024-03-01", places=["quetta"])]
    incidents, ev_ids, _ = merge(events, [], INDEX)
    assert len(incidents) == 2 and ev_ids[0] != ev_ids[1]


def test_month_toll_does_not_absorb_a_dated_attack_of_another_article():
    events = [ev("a1", "attack", "violence", 0, "2025-10", precision="month", places=["afpak_border"]),
              ev("a2", "attack", "violence", 0, "2025-10-12", places=["afpak_border"])]
    incidents, _, _ = merge(events, [], INDEX)
    assert len(incidents) == 2


def test_repeated_toll_is_not_summed_and_exact_beats_vague():
    # Seed A5: "killed dozens this month" and "Over 70 people have been killed this month" are one toll: 70.
    events = [ev("a5", "airstrike", "violence", 100, "2025-10", precision="month", places=["afghanistan"], si=7)]
    casualties = [cas("a5", 40, "killed", "people", 12, si=2, low=12, high=99, vague=True, date="2025-10",
                      precision="month", places=["afpak_border"]),
                  cas("a5", 90, "killed", "people", 70, si=7, high=None),
                  cas("a5", 95, "injured", "people", 100, si=7, low=100, high=999, vague=True)]
    incidents, ev_ids, cas_ids = merge(events, casualties, INDEX)
    assert len(incidents) == 1 and len(set(cas_ids)) == 1 and cas_ids[0] == ev_ids[0]
    (inc,) = incidents
    assert inc["killed"] == 70 and inc["killed_low"] == 70 and inc["killed_high"] is None
    assert inc["injured"] == 100 and inc["injured_high"] == 999
    assert json.loads(inc["killed_by_category"]) == {"people": 70}
    assert inc["place"] == "Afghanistan–Pakistan border"


def test_categories_add_up_within_an_incident():
    # Seed A1: 23 soldiers (twice) and all six attackers killed in one attack: 29, not 52.
    events = [ev("a1", "attack", "violence", 0, "2023-12-12", si=1), ev("a1", "attack", "violence", 200, si=5, places=["dera_ismail_khan"])]
    casualties = [cas("a1", 10, "killed", "security_forces", 23, si=1), cas("a1", 150, "killed", "security_forces", 23, si=4),
                  cas("a1", 210, "killed", "militants", 6, si=5)]
    incidents, _, cas_ids = merge(events, casualties, INDEX)
    assert len(incidents) == 1 and len(set(cas_ids)) == 1
    (main,) = incidents
    assert json.loads(main["killed_by_category"]) == {"militants": 6, "security_forces": 23}
    assert main["killed"] == 29 and main["n_mentions"] == 5
    assert main["place"] == "Dera Ismail Khan" and main["date_start"] == "2023-12-12"


def test_people_is_a_total_that_may_include_the_named_categories():
    # "killing at least 26 people, including 14 soldiers": 26, not 40.
    events = [ev("q", "suicide_bombing", "violence", 0, "2024-11-09", places=["quetta"])]
    casualties = [cas("q", 10, "killed", "people", 26, si=0, high=None), cas("q", 40, "killed", "security_forces", 14, si=0, high=14)]
    (inc,), _, _ = merge(events, casualties, INDEX)
    assert inc["killed"] == 26 and inc["killed_low"] == 26 and inc["killed_high"] is None
    assert json.loads(inc["killed_by_category"]) == {"people": 12, "security_forces": 14}


def test_units_are_filed_under_the_days_months_or_years_their_dates_cover():
    from datetime import date

    from conflictlens.incidents import _periods

    # days meet on their last day: a range is filed under its end
    assert _periods("violence", "day", (date(2025, 10, 27), date(2025, 11, 2))) == [("violence", "day", date(2025, 11, 2))]
    assert _periods("violence", "month", (date(2025, 12, 1), date(2026, 1, 31))) == [
        ("violence", "month", 2025, 12), ("violence", "month", 2026, 1)]
    assert _periods("talks", "year", (date(2024, 1, 1), date(2024, 12, 31))) == [("talks", "year", 2024)]


def test_compatible_places_always_share_a_bucket_key():
    """The cross-article merge compares only units whose place keys meet (incidents._place_keys): every pair of
    compatible places of the lexicon must meet, in both directions, or a merge would be missed."""
    from conflictlens.incidents import _place_keys, places_compatible
    from conflictlens.lexicon import load_lexicon
    from conflictlens.pipeline import _place_index

    places = list(_place_index(load_lexicon(None)).values()) + [{"place_id": "nowhere", "name": "nowhere"}]
    keys = {p["place_id"]: _place_keys(p) for p in places}
    pairs = 0
    for p in places:
        for q in places:
            if places_compatible([p], [q]):
                pairs += 1
                assert keys[p["place_id"]][1] & keys[q["place_id"]][0], (p["place_id"], q["place_id"])
    assert pairs > len(places)  # containment pairs, not only each place with itself


def test_approximate_dates_merge_within_an_article_not_across():
    """An approximately dated mention ("the military said on Wednesday", the only date of its sentence) joins the
    attack its article dates exactly, but it links no two articles: a week-long date would chain happenings."""
    events = [ev("a1", "attack", "violence", 10, "2025-03-04", places=["dera_ismail_khan"], actors=["ttp"], si=0),
              ev("a1", "attack", "violence", 90, "2025-03-05", precision="approximate", places=["dera_ismail_khan"],
                 actors=["ttp"], si=3),
              ev("a2", "attack", "violence", 10, "2025-03-06", precision="approximate", places=["dera_ismail_khan"],
                 actors=["ttp"], si=0)]
    incidents, ev_ids, _ = merge(events, [], INDEX)
    assert ev_ids[0] == ev_ids[1] != ev_ids[2]
    assert len(incidents) == 2


def test_daily_reports_of_one_place_do_not_chain_into_one_incident():
    """Attacks in one district on consecutive days, each reported by one article exactly and by another only
    approximately: every day stays its own incident (single-linkage through week-long dates made them one)."""
    events = []
    for day in range(1, 11):
        d = f"2025-03-{day:02d}"
        events.append(ev(f"x{day:02d}", "attack", "violence", 10, d, places=["dera_ismail_khan"], actors=["ttp"]))
        events.append(ev(f"y{day:02d}", "attack", "violence", 10, d, precision="approximate",
                         places=["dera_ismail_khan"], actors=["ttp"]))
    incidents, _, _ = merge(events, [], INDEX)
    dated = [i for i in incidents if i["date_precision"] == "day"]
    assert len(dated) == 10 and all(i["date_start"] == i["date_end"] for i in dated)


def test_a_generated_corpus_has_no_incident_longer_than_a_week(generated_rows):
    """1,200 generated records (one happening an article, at random dates and places across 2019-2026; several
    articles on one day and district are common): no incident runs over more than a week."""
    import copy
    from datetime import date

    from conflictlens.lexicon import load_lexicon
    from conflictlens.pipeline import _place_index

    events, casualties = generated_rows
    incidents, _, _ = merge(copy.deepcopy(events), copy.deepcopy(casualties), _place_index(load_lexicon()))
    spans = [(date.fromisoformat(i["date_end"]) - date.fromisoformat(i["date_start"])).days
             for i in incidents if i["date_precision"] == "day"]
    assert len(spans) > 1000 and max(spans) <= 7


def test_day_ranges_of_consecutive_days_do_not_chain():
    """Two-day talks in Doha reported every day as "on <day>-<next day>": each range is its own incident, and a report
    of its last day joins it ("in Doha on October 18-19" and "on October 19"); a report of its first day stays apart."""
    events = [ev(f"r{day:02d}", "talks", "negotiation", 10, f"2025-10-{day:02d}", end=f"2025-10-{day + 1:02d}",
                 places=["doha"], actors=["ttp"]) for day in range(1, 11)]
    events += [ev("last", "talks", "negotiation", 10, "2025-10-05", places=["doha"], actors=["ttp"]),
               ev("first", "talks", "negotiation", 10, "2025-10-01", places=["doha"], actors=["ttp"])]
    incidents, ev_ids, _ = merge(events, [], INDEX)
    assert len(incidents) == 11 and all(i["date_start"] >= "2025-10-01" for i in incidents)
    assert max(int(i["date_end"][-2:]) - int(i["date_start"][-2:]) for i in incidents) == 1
    assert ev_ids[10] == ev_ids[3]   # Oct 5 is the last day of the Oct 4-5 range
    assert ev_ids[11] not in ev_ids[:11]  # Oct 1 is the first day of the Oct 1-2 range, and no range ends on it


def test_an_attack_and_the_search_operation_after_it_are_one_attack():
    # one mention each: the tie goes to the kind of higher priority, and the hunt for attackers is the lowest
    events = [ev("a1", "attack", "violence", 0, "2024-03-01", places=["dera_ismail_khan"], si=0),
              ev("a1", "search_operation", "violence", 90, "2024-03-01", places=["dera_ismail_khan"], si=3)]
    incidents, ev_ids, _ = merge(events, [], INDEX)
    assert len(incidents) == 1 and incidents[0]["kind"] == "attack"


def test_a_lexicon_s_own_kinds_rank_in_the_merge_and_the_package_s_are_restored():
    from conflictlens.incidents import KIND_PRIORITY, lexicon_kinds

    events = [ev("a1", "attack", "violence", 0, "2024-03-01", places=["dera_ismail_khan"], si=0),
              ev("a1", "mortar_attack", "violence", 90, "2024-03-01", places=["dera_ismail_khan"], si=3)]
    assert merge(events, [], INDEX)[0][0]["kind"] == "attack"  # unknown to the package: priority 0
    with lexicon_kinds({"mortar_attack": {"family": "violence", "priority": 85},
                        "attack": {"family": "violence", "priority": 40}}):
        assert merge(events, [], INDEX)[0][0]["kind"] == "mortar_attack"
    assert "mortar_attack" not in KIND_PRIORITY and KIND_PRIORITY["attack"] == 40


def test_extract_merges_with_the_kinds_of_the_lexicon_it_was_given(tmp_path):
    import shutil

    import yaml

    from conflictlens import paths
    from conflictlens.pipeline import extract
    from conflictlens.store import read_table

    lex = tmp_path / "lexicon"
    shutil.copytree(paths.LEXICON, lex)
    config = yaml.safe_load((lex / "events.yaml").read_text(encoding="utf-8"))
    config["kinds"] = {"mortar_attack": {"family": "violence", "priority": 85,
                                         "acled": ["Explosions/Remote violence", "Shelling/artillery/missile attack"],
                                         "cameo_root": "19", "cues": ["mortar (?:attacks?|shells?)"]},
                       **config["kinds"]}
    (lex / "events.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Mortar attack on checkpost\n\nMIRAN SHAH: Monday, March 4, 2024\n\n"
        "A mortar attack hit an army checkpost in Miran Shah on Sunday, the military said.\n\n"
        "Three soldiers were martyred in the attack in Miran Shah on Sunday, officials said. "
        "Residents said the attack lasted an hour.\n", encoding="utf-8")
    tables = extract(corpus, tmp_path / "out", params={"lexicon": str(lex)})
    kinds = dict(zip(tables.events["sentence_index"], tables.events["kind"]))
    assert "mortar_attack" in kinds.values() and "attack" in kinds.values()
    violent = tables.incidents[tables.incidents["kind"].isin(["attack", "mortar_attack"])]
    assert list(violent["kind"]) == ["mortar_attack"] and list(violent["killed"]) == [3]
    assert read_table(tmp_path / "out", "incidents")["kind"].tolist() == tables.incidents["kind"].tolist()


def test_a_town_is_in_its_district():
    from conflictlens.lexicon import load_lexicon
    from conflictlens.pipeline import _place_index

    index = _place_index(load_lexicon(None))
    kurram, parachinar, wana = index["kurram"], index["parachinar"], index["wana"]
    assert places_compatible([kurram], [parachinar]) and places_compatible([parachinar], [kurram])
    assert not places_compatible([kurram], [wana])  # Wana is in South Waziristan
    assert not places_compatible([parachinar], [wana])


def test_within_an_article_a_month_s_toll_is_not_the_day_s_operation():
    # "Security forces killed 10 militants ... (said on Wednesday)" and "Earlier this month, security forces said they
    # had killed 54 militants": the month's figure is another happening, not a bigger toll of Wednesday's
    events = [ev("a1", "military_operation", "violence", 0, "2025-04-16", precision="approximate",
                 places=["dera_ismail_khan"], si=1),
              ev("a1", "armed_clash", "violence", 90, "2025-04", precision="month", places=["dera_ismail_khan"], si=8)]
    casualties = [cas("a1", 5, "killed", "militants", 10, 1, date="2025-04-16", precision="approximate"),
                  cas("a1", 95, "killed", "militants", 54, 8, date="2025-04", precision="month")]
    incidents, _, cas_ids = merge(events, casualties, INDEX)
    assert sorted(i["killed"] for i in incidents) == [10, 54] and cas_ids[0] != cas_ids[1]
    # two figures of the same month still make one toll (the gold's "dozens" and "over 70" this month)
    month = [ev("a1", "armed_clash", "violence", 0, "2025-10", precision="month", si=1),
             ev("a1", "armed_clash", "violence", 90, "2025-10", precision="month", si=5)]
    assert len(merge(month, [], INDEX)[0]) == 1
