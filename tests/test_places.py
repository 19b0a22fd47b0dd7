"""Place mentions: aliases and spellings, organisations' names that are not places, the seeds' places, the data."""

from __future__ import annotations

import pytest
import yaml

from conflictlens import paths
from conflictlens.lexicon import load_lexicon
from conflictlens.places import find_place_mentions
from conflictlens.text import sentence_spans

LEX = load_lexicon()
GOLD = yaml.safe_load(paths.GOLD.read_text(encoding="utf-8"))
SEEDS = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))}


def places(text: str) -> list[dict]:
    return find_place_mentions(text, sentence_spans(text), LEX)


def place_ids(text: str) -> list[str]:
    return [p["place_id"] for p in places(text)]


@pytest.mark.parametrize("seed, surface, place_id, admin1, country", [
    ("000", "Dera Ismail Khan", "dera_ismail_khan", "Khyber Pakhtunkhwa", "PAK"),   # incident dik-2023-12-12
    ("001", "Khost province", "khost", "Khost", "AFG"),                              # khost-2020-01
    ("001", "Rawalpindi", "rawalpindi", "Punjab", "PAK"),
    ("001", "Doha", "doha", "Doha", "QAT"),
    ("002", "Bajaur", "bajaur", "Khyber Pakhtunkhwa", "PAK"),                        # kp-2025-11-17
    ("002", "North Waziristan", "north_waziristan", "Khyber Pakhtunkhwa", "PAK"),
    ("002", "KP", "khyber_pakhtunkhwa", "Khyber Pakhtunkhwa", "PAK"),
    ("003", "Istanbul", "istanbul", "Istanbul", "TUR"),
    ("004", "Turkiye", "turkey", None, "TUR"),
])
def test_gold_places_in_the_seeds(seed, surface, place_id, admin1, country):
    hits = [p for p in places(SEEDS[seed]) if p["surface"] == surface]
    assert hits, surface
    assert {(p["place_id"], p["admin1"], p["country"]) for p in hits} == {(place_id, admin1, country)}


def test_border_region_spans_two_countries():
    # A5's "Afghan-Pakistani border" is the gold's "Afghanistan–Pakistan border" (incident border-2025-10)
    border = [p for p in places(SEEDS["003"]) if p["place_id"] == "afghanistan_pakistan_border"]
    assert [p["surface"] for p in border] == ["Afghan-Pakistani border"]
    assert border[0]["type"] == "region" and border[0]["country"] is None
    assert sorted(border[0]["countries"]) == ["AFG", "PAK"]
    assert place_ids("fighting along the Pak–Afghan border") == ["afghanistan_pakistan_border"]


def test_spellings_of_one_place():
    text = "D.I. Khan, DI Khan and Dera Ismail Khan; KPK, Khyber-Pakhtunkhwa; Türkiye and Turkey."
    assert place_ids(text) == ["dera_ismail_khan"] * 3 + ["khyber_pakhtunkhwa"] * 2 + ["turkey"] * 2


def test_organisation_names_are_not_places_but_local_bodies_keep_theirs():
    # "Pakistan" in the TTP's or the army's name is no place; "Dera Ismail Khan police" is news from D.I. Khan
    assert place_ids("Tehreek-e-Taliban Pakistan fought the Pakistan Army.") == []
    assert place_ids("Dera Ismail Khan police said so.") == ["dera_ismail_khan"]


def test_english_words_need_their_qualifier():
    # "Tank" is a district only as "Tank district"
    assert place_ids("A tank fired. Tank crews left.") == []
    assert place_ids("an attack in Tank district") == ["tank"]


def test_most_specific_places_and_their_record():
    hits = places("Clashes in Bajaur district near the Khyber Pass, in Khyber Pakhtunkhwa.")
    assert [(p["surface"], p["type"]) for p in hits] == [
        ("Bajaur", "district"), ("Khyber Pass", "region"), ("Khyber Pakhtunkhwa", "province")]
    assert hits[0]["sentence_index"] == 0
    assert (hits[0]["latitude"], hits[0]["longitude"]) == (34.73, 71.52)


def test_coordinates_fall_in_their_country():
    boxes = {"PAK": (23.5, 37.5, 60.5, 78.0), "AFG": (29.0, 38.5, 60.5, 75.0)}
    for p in LEX.places.values():
        if p["country"] in boxes and p["type"] != "country":
            lat0, lat1, lon0, lon1 = boxes[p["country"]]
            assert lat0 <= p["latitude"] <= lat1 and lon0 <= p["longitude"] <= lon1, p["id"]


def test_coverage_of_the_region():
    by_type = {}
    for p in LEX.places.values():
        by_type.setdefault((p["type"], p["admin1"] if p["country"] == "PAK" else p["country"]), []).append(p["id"])
    assert len([p for p in LEX.places.values() if p["type"] == "province" and p["country"] == "AFG"]) == 34
    assert len(by_type[("district", "Khyber Pakhtunkhwa")]) >= 35
    assert len(by_type[("district", "Balochistan")]) >= 35
    assert len(by_type[("agency", "Khyber Pakhtunkhwa")]) == 7
    assert {"torkham", "chaman", "angoor_adda", "ghulam_khan"} <= set(LEX.places)
    assert {"islamabad", "rawalpindi", "karachi", "lahore", "peshawar", "quetta", "kabul", "kandahar", "jalalabad",
            "doha", "istanbul"} <= set(LEX.places)
    assert all(LEX.places[p]["valid_until"] == "2018-05-31" for p in by_type[("agency", "Khyber Pakhtunkhwa")])


def test_other_dashes_and_apostrophes_keep_their_surface_and_place():
    hits = places("Attacks in Khyber\u2013Pakhtunkhwa and Mazar\u2011i\u2011Sharif.")
    assert [(p["surface"], p["place_id"]) for p in hits] == [
        ("Khyber\u2013Pakhtunkhwa", "khyber_pakhtunkhwa"), ("Mazar\u2011i\u2011Sharif", "mazar_i_sharif")]
