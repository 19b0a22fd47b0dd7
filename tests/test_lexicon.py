"""The lexicon loader: every yaml file, checks with one-line errors, fingerprint and cache, the alias index."""

from __future__ import annotations

import pytest
import yaml

from conflictlens import paths
from conflictlens.lexicon import (
    AliasIndex, LexiconError, alias_regex, case_variants, fingerprint, lexicon_from_files, load_lexicon, normalise,
)

GOLD = yaml.safe_load(paths.GOLD.read_text(encoding="utf-8"))
ACTOR = b"actors:\n  - {id: ttp, name: TTP, type: militant_group, country: PAK, aliases: [TTP]}\n"
PLACE = b"places:\n  - {id: kabul, name: Kabul, type: city, country: AFG, latitude: 34.53, longitude: 69.17}\n"


def error(files: dict[str, bytes]) -> str:
    with pytest.raises(LexiconError) as err:
        lexicon_from_files(files)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_package_lexicon_loads_every_yaml_and_is_cached():
    lex = load_lexicon()
    stems = {p.stem for p in paths.LEXICON.glob("*.yaml")}
    assert {"actors", "places"} <= stems and set(lex.raw) == stems
    assert all(isinstance(v, dict) for v in lex.raw.values())  # events, topic...: raw dicts for their modules
    assert load_lexicon(paths.LEXICON) is lex
    files = {p.name: p.read_bytes() for p in paths.LEXICON.glob("*.yaml")}
    assert lex.fingerprint == fingerprint(files)


def test_fingerprint_follows_the_bytes():
    a = lexicon_from_files({"actors.yaml": ACTOR})
    b = lexicon_from_files({"actors.yaml": ACTOR + b"# a comment\n"})
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == lexicon_from_files({"actors.yaml": ACTOR}).fingerprint


def test_gold_actors_are_in_the_lexicon_with_their_type_country_and_affiliation():
    lex = load_lexicon()
    for actor_id, spec in GOLD["actors"].items():
        actor = lex.actors[actor_id]
        assert actor["type"] == spec["type"], actor_id
        assert actor["country"] == spec.get("country", actor["country"]), actor_id
        assert actor["affiliation"] == spec.get("affiliation"), actor_id
    assert lex.actors["afghan_republic"]["valid_until"] == "2021-08-15"


def test_lexicon_covers_the_regions_main_actors():
    lex = load_lexicon()
    wanted = {"jamaat_ul_ahrar", "hizb_ul_ahrar", "bla", "blf", "iskp", "lej", "jem", "let", "frontier_corps_kp",
              "frontier_corps_balochistan", "ctd", "levies", "kp_police", "balochistan_police", "punjab_police",
              "isi", "saudi_arabia", "china", "unama", "unhcr"}
    assert wanted <= set(lex.actors)
    aliases = {a for actor in lex.actors.values() for a in actor["aliases"]}
    assert {"ISPR", "Türkiye", "Turkiye", "Hafiz Gul Bahadur group", "interior ministry", "Kabul"} <= aliases
    # news outlets are sources, not actors
    assert not aliases & {"Reuters", "Geo News", "Arab News", "Al Arabiya", "AP", "AFP", "Moneycontrol"}


def test_alias_rules_keep_their_flags():
    army = {r["alias"]: r for r in load_lexicon().actors["pakistan_army"]["alias_rules"]}
    assert army["military"]["generic"] and army["military"]["attributive"]
    assert army["military"]["requires_country"] == "PAK"  # a generic alias needs its actor's country by default
    assert not army["ISPR"]["generic"] and army["ISPR"]["requires_country"] is None
    kabul = {r["alias"]: r for r in load_lexicon().actors["afghan_taliban"]["alias_rules"]}["Kabul"]
    assert (kabul["valid_from"], kabul["default"]) == ("2021-08-15", True)


@pytest.mark.parametrize("files, expected", [
    ({"actors.yaml": b"actors: [\n"}, "actors.yaml: yaml syntax error at line"),
    ({"actors.yaml": b"- a list\n"}, "actors.yaml: the top level must be a mapping"),
    ({"actors.yaml": ACTOR.replace(b"militant_group", b"gang")}, "actors.yaml: actor ttp: type 'gang'"),
    ({"actors.yaml": ACTOR + ACTOR[8:]}, "actors.yaml: actors: duplicate id 'ttp'"),
    ({"actors.yaml": ACTOR.replace(b"aliases: [TTP]", b"aliases: []")}, "at least one alias"),
    ({"actors.yaml": ACTOR.replace(b"country: PAK", b"country: Pakistan")}, "must be an ISO3 code"),
    ({"actors.yaml": ACTOR.replace(b"}", b", affiliation: nobody}")}, "affiliation 'nobody' is not an actor id"),
    ({"actors.yaml": ACTOR.replace(b"}", b", valid_until: soon}")}, "'soon' is not a date"),
    ({"actors.yaml": ACTOR.replace(b"[TTP]", b"[{alias: TTP, genric: true}]")}, "unknown key 'genric'"),
    ({"actors.yaml": ACTOR + ACTOR[8:].replace(b"id: ttp", b"id: tjp")},
     "alias 'TTP': names tjp, ttp: mark exactly one `default: true`"),
    ({"places.yaml": PLACE.replace(b"34.53", b"134.5")}, "places.yaml: place kabul: latitude 134.5"),
    ({"places.yaml": PLACE.replace(b"country: AFG, ", b"")}, "needs `country` (ISO3) or `countries`"),
    ({"places.yaml": PLACE.replace(b"type: city", b"type: town, aliases: [Kabul]")
      + PLACE[8:].replace(b"id: kabul", b"id: kabul_city")}, "alias 'Kabul' already names place kabul"),
    ({"actors.yaml": b"\xff\xfe"}, "actors.yaml: not UTF-8"),
])
def test_malformed_lexicon_names_the_file_and_the_problem(files, expected):
    assert expected in error(files)


def test_missing_folder_is_a_lexicon_error():
    with pytest.raises(LexiconError, match="not a folder"):
        load_lexicon(paths.LEXICON / "no-such-folder")


def test_normalise_and_case_variants():
    assert normalise("Pakistan’s  foreign–office") == "Pakistan's foreign-office"
    assert case_variants("foreign office") == {"foreign office", "Foreign office", "foreign Office", "Foreign Office"}


def test_alias_index_longest_first_on_word_boundaries():
    index = AliasIndex(["Baloch", "Balochistan Liberation Army", "Pakistan", "Pakistan Taliban", "army", "US"])
    text = "Balochistan: the Balochistan Liberation Army, Baloch, Pakistan Taliban and the army; us, US, USA."
    assert [h[2] for h in index.find(text)] == [
        "Balochistan Liberation Army", "Baloch", "Pakistan Taliban", "army", "US"]
    # an alias inside a word is no match, and neither is a lower-case alias glued to a word
    assert index.find("Pakistani paramilitary") == []


def test_alias_regex_matches_any_apostrophe_dash_and_spacing():
    pattern = alias_regex(["Pakistan's army", "Tehreek-e-Taliban Pakistan"])
    assert [m.group() for m in pattern.finditer("Pakistan’s  army and Tehreek–e–Taliban Pakistan")] == [
        "Pakistan’s  army", "Tehreek–e–Taliban Pakistan"]
    assert pattern.search("Pakistan's\narmy") is None  # a line break ends a sentence in this corpus


def test_alias_index_finds_lower_case_aliases_by_their_first_words_as_a_full_scan_would():
    from conflictlens.lexicon import AliasIndex

    index = AliasIndex(["army", "armed forces", "foreign office", "Pakistan Army", "al-Qaeda"])
    assert index.starts[1] == ("al", "armed", "army", "foreign")  # str.find on four words, not re on every letter
    text = "The Pakistan Army and the armed forces; a foreign office note; al-Qaeda, local armyworms, the navy's army."
    found = [(t, text[s:e]) for s, e, t in index.find(text)]
    assert found == [("Pakistan Army", "Pakistan Army"), ("armed forces", "armed forces"),
                     ("foreign office", "foreign office"), ("al-Qaeda", "al-Qaeda"), ("army", "army")]


def test_alias_index_merges_upper_and_lower_case_hits_leftmost_longest():
    from conflictlens.lexicon import AliasIndex

    index = AliasIndex(["Pakistan army", "Pakistan", "army", "al-Qaeda", "al Qaeda", "Qaeda"])
    text = "The Pakistan army and the army; al-Qaeda, also local al\u00a0Qaeda."
    assert [t for _, _, t in index.find(text)] == ["Pakistan army", "army", "al-Qaeda", "al\u00a0Qaeda"]


def test_leftmost_places_the_second_scans_hits_into_the_first():
    from conflictlens.lexicon import _leftmost

    first = [(0, 5, "a"), (10, 15, "b"), (16, 20, "c"), (30, 35, "d")]
    assert _leftmost(list(first), []) == first
    assert _leftmost([], [(1, 2, "x")]) == [(1, 2, "x")]
    # inside a kept hit: dropped; before and covering two hits: replaces them; between hits: kept
    assert _leftmost(list(first), [(3, 8, "x"), (9, 21, "y"), (25, 28, "z")]) == [
        (0, 5, "a"), (9, 21, "y"), (25, 28, "z"), (30, 35, "d")]
    # at the start of a hit of the first scan: the longer wins, the first scan's on a tie
    assert _leftmost(list(first), [(10, 18, "x")]) == [(0, 5, "a"), (10, 18, "x"), (30, 35, "d")]
    assert _leftmost(list(first), [(10, 15, "x")]) == first


def test_short_start_words_are_found_at_word_starts_by_regex():
    from conflictlens.lexicon import _word_start_regex

    regex = _word_start_regex("al")
    assert [m.start() for m in regex.finditer("al also local (al _al 9al")] == [0, 3, 15]
    assert _word_start_regex("army") is None  # long: found with str.find, rarely inside a word


def test_not_actors_must_be_a_list_of_names():
    assert "actors.yaml: not_actors: must be a list of names" in error(
        {"actors.yaml": ACTOR + b"not_actors: Washington Post\n"})
