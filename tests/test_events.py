"""Event mentions: kinds from cues, denials, possibilities, general talk of violence, places and dates."""

from types import SimpleNamespace

import pytest
import yaml

from conflictlens import events, paths
from conflictlens.events import find_events
from conflictlens.text import sentence_spans

CONFIG = yaml.safe_load((paths.LEXICON / "events.yaml").read_text(encoding="utf-8"))


def run(text, dates=(), places=(), casualties=()):
    return find_events(text, sentence_spans(text), CONFIG, list(dates), list(places), [], list(casualties))


def test_denial_of_talks_is_a_statement_and_negated_talks():
    # The hard case of seed A1: "denied reports of talks" must not count as talks.
    rows = run("Pakistan’s foreign office on Thursday strongly denied reports of talks with the TTP.")
    kinds = {(r["kind"], r["negated"]) for r in rows}
    assert ("statement", False) in kinds
    assert ("talks", True) in kinds
    assert not any(r["kind"] == "talks" and not r["negated"] for r in rows)


NOT_DENIALS = [
    "No group has claimed responsibility for the attack in Bannu on Monday.",
    "It was not immediately clear who carried out the attack.",
    "Police said no one was killed in the blast in Peshawar on Friday.",
    "There were no casualties in the attack on the check post in Tank.",
    "The TTP denied involvement in the attack on a police station in Bannu.",
    "The Taliban denied carrying out the attack in Khost.",
    "The militants attacked the post without warning.",
]


@pytest.mark.parametrize("text", NOT_DENIALS, ids=[t[:40] for t in NOT_DENIALS])
def test_a_negation_of_something_else_leaves_the_event_standing(text):
    # "no one was killed", "no group has claimed", "denied involvement": the attack itself happened
    rows = [r for r in run(text) if r["family"] == "violence"]
    assert rows and not any(r["negated"] for r in rows)


@pytest.mark.parametrize("text", [
    "Kabul denied reports that its forces had attacked Pakistani posts in Kurram.",
    "The military denied that any soldier was kidnapped.",
    "There was no attack on the convoy, the police said.",
])
def test_a_denied_happening_stays_negated(text):
    rows = [r for r in run(text) if r["family"] in ("violence", "abduction")]
    assert rows and all(r["negated"] for r in rows)


@pytest.mark.parametrize("text", [
    "Zabihullah Mujahid said Pakistani jets bombed four locations in Khost and Paktika.",
    "Drones struck a compound in North Waziristan.",
])
def test_aircraft_that_bomb_are_an_airstrike(text):
    assert [r["kind"] for r in run(text) if r["family"] == "violence"] == ["airstrike"]


def test_gunmen_who_open_fire_attack():
    rows = [r for r in run("On Sunday night, unidentified gunmen opened fire on a police checkpost in Tank.")
            if r["family"] == "violence"]
    assert [(r["kind"], r["cue"]) for r in rows] == [("attack", "opened fire")]


def test_possible_talks_are_hypothetical():
    rows = run("Asif said talks between Pakistan and Afghanistan could resume if Kabul signalled a shift.")
    talks = [r for r in rows if r["kind"] == "talks"]
    assert talks and all(r["hypothetical"] for r in talks)


def test_agenda_items_are_not_happenings():
    rows = run("The agenda included arresting or expelling key figures and measurable action such as raids, arrests.")
    assert rows and all(r["hypothetical"] for r in rows if r["kind"] in ("arrest", "expulsion", "military_operation"))


def test_most_specific_kind_of_a_family_names_the_event():
    # "explosive-laden truck" (suicide bombing) and "attack" in one sentence are one happening.
    rows = run("Six attackers drove an explosive-laden truck into a military camp in an attack on Tuesday.")
    violence = [r for r in rows if r["family"] == "violence"]
    assert [r["kind"] for r in violence] == ["suicide_bombing"]


def test_general_talk_of_violence_is_generic():
    rows = run("Militant attacks have risen sharply since 2021 in areas bordering Afghanistan.")
    assert rows and all(r["generic"] for r in rows if r["kind"] == "attack")


def test_date_and_place_list_of_the_sentence():
    text = "The operations took place on Nov. 17–18 in Bajaur, North Waziristan and Dera Ismail Khan."
    d = SimpleNamespace(start=text.index("Nov."), end=text.index(" in B"), text="Nov. 17–18", date_start="2025-11-17",
                        date_end="2025-11-18", precision="day", kind="range", sentence_index=0)
    places = []
    for name, pid in (("Bajaur", "bajaur"), ("North Waziristan", "north_waziristan"), ("Dera Ismail Khan", "dera_ismail_khan")):
        i = text.index(name)
        places.append({"start": i, "end": i + len(name), "surface": name, "sentence_index": 0, "place_id": pid,
                       "name": name, "type": "district", "admin1": "Khyber Pakhtunkhwa", "country": "PAK",
                       "latitude": 0.0, "longitude": 0.0})
    (ev,) = run(text, [d], places)
    assert ev["kind"] == "military_operation"
    assert (ev["date_start"], ev["date_end"], ev["date_precision"]) == ("2025-11-17", "2025-11-18", "day")
    assert ev["places"] == ["bajaur", "north_waziristan", "dera_ismail_khan"]
    assert ev["admin1"] == "Khyber Pakhtunkhwa" and ev["country"] == "PAK"
    assert ev["acled_event_type"] == "Battles" and ev["cameo_root"] == "19"


def test_named_victim_killed_is_a_targeted_killing():
    text = "On Thursday, Islamabad announced that it had killed Qari Amjad in what it called a cross-border operation."
    i = text.index("killed")
    cas = [{"start": i, "end": text.index(" in what"), "surface": "killed Qari Amjad", "status": "killed",
            "victim_is_person": True, "sentence_index": 0}]
    rows = run(text, casualties=cas)
    kinds = [r["kind"] for r in rows]
    assert "targeted_killing" in kinds and "military_operation" not in kinds


def test_a_cue_pattern_is_spelled_out_when_its_strings_are_few_and_left_as_a_pattern_when_open():
    assert sorted(events.spellings("air ?strikes?")) == ["air strike", "air strikes", "airstrike", "airstrikes"]
    assert sorted(events.spellings("cease-?fire")) == ["cease-fire", "ceasefire"]
    assert events.spellings(r"closed (?:the )?[\w\s-]{0,30}?(?:border|frontier)") is None  # an open gap


def test_cue_matches_are_leftmost_longest_and_named_by_their_kind():
    rules = events.compile_rules(CONFIG)
    low = "a suicide attack and an attack; officials closed the torkham border and talks were held"
    hits = [(low[s:e], kind) for s, e, kind in events.cue_matches(low, rules)]
    # "suicide attack" is one cue, not "attack" inside it; the open border-closure pattern is found beside the trie
    assert hits == [("suicide attack", "suicide_bombing"), ("attack", "attack"),
                    ("closed the torkham border", "border_closure"), ("talks", "talks")]
    assert events.cue_matches("the counterattack was repelled", rules) == []  # no cue inside a word


def test_a_place_is_locative_after_a_preposition_and_at_most_three_place_words():
    assert events.locative_before("attacked a checkpost in ")
    assert events.locative_before("fighting in the remote district of ")
    assert events.locative_before("a drone strike in Afghanistan’s eastern ")
    assert events.locative_before("(in ")                       # a bracket before the preposition is a word edge
    assert not events.locative_before("in the remote tribal eastern ")  # four words between: too far
    assert events.locative_before("kidnapped in Khyber Pakhtunkhwa's ")  # the owner's name: "... 's Tank district"
    assert events.locative_before("an operation in North Waziristan’s ")
    assert not events.locative_before("said Imran Khan's ")
    assert not events.locative_before("within ")                # "in" inside a word is not the preposition
    assert not events.locative_before("Islamabad and ")         # no preposition: an actor, not a place
    assert not events.locative_before("in")                     # the place must follow a space


def test_word_windows_are_the_non_space_runs_around_an_offset():
    # The windows split with str.split(), which must give the words of re's \S+ for every kind of whitespace
    # (a no-break space, an em space, a line feed; a zero-width space is no whitespace), cut at the window's edge.
    import re

    low = "x\u00a0denied\treports\n\nof\u2003the  talks\u200bthere, said the ministry-spokesman yesterday"
    for pos in range(len(low) + 1):
        for n in (1, 2, 5, 8):
            assert events._words_before(low, 2, pos, n) == " ".join(
                re.findall(r"\S+", low[max(2, pos - 12 * n) : pos])[-n:])
            assert events._words_after(low, pos, len(low) - 3, n) == " ".join(
                re.findall(r"\S+", low[pos : min(len(low) - 3, pos + 12 * n)])[:n])
    assert events._words_before(low, 0, low.index("there"), 2) == "the talks\u200b"
    assert events._words_after(low, low.index("said"), len(low), 1) == "said"
    assert events._words_after(low, low.index("ministry"), len(low), 1) == "ministry-spo"  # 12 characters a word


def test_place_picked_alone_or_from_a_list():
    text = "Troops raided a compound in Bajaur on Monday."
    i = text.index("Bajaur")
    bajaur = {"start": i, "end": i + 6, "sentence_index": 0, "place_id": "bajaur", "name": "Bajaur",
              "type": "district", "country": "PAK"}
    assert events.pick_places(text, 0, [bajaur], text.index("raided"), text.index(" a comp")) == [bajaur]
    assert events.pick_places(text, 0, [], 0, 6) == []


def test_where_the_wounded_were_treated_is_not_where_it_happened():
    from conflictlens.events import care_place

    assert care_place("passengers were being treated in ", " hospitals.")
    assert care_place("the injured were shifted to ", " for treatment")
    assert care_place("taken to ", "’s Lady Reading Hospital")
    assert not care_place("an attack in ", " on Monday")
    assert not care_place("fighting in ", " and the hospital said")
    assert care_place("and were taken to hospitals in ", " and Peshawar.")
    assert care_place("were rushed to two hospitals in ", ",")
    assert not care_place("a suicide attack on a hospital in ", " killed 70")  # the hospital is where it happened
    assert not care_place("The death toll from Monday's suicide bombing at ", "'s Civil Hospital rose to 70")
    assert care_place("the wounded are at ", "'s Civil Hospital")


def test_where_the_speakers_are_is_not_where_it_happened():
    from conflictlens.events import speakers_place

    assert speakers_place("but security officials in ", " said the jets had targeted hideouts")
    assert speakers_place("diplomats in ", " told Reuters")
    assert speakers_place("a Taliban spokesman in ", ", however, said")
    assert not speakers_place("officials in ", " were among the dead")  # they were attacked there
    assert not speakers_place("police in ", " said")  # the police are usually where it happened
    assert not speakers_place("an attack in ", " said to be")


def _day(text, phrase, iso):
    i = text.index(phrase)
    return SimpleNamespace(start=i, end=i + len(phrase), text=phrase, date_start=iso, date_end=iso, precision="day",
                           kind="weekday", sentence_index=0)


def test_a_violent_happening_spans_its_sentences_days():
    # Jaffar Express: stormed on Tuesday, siege ended on Wednesday: one happening from the 11th to the 12th.
    text = ("Security forces on Wednesday ended a day-long siege of the train, after fighters blew up the track and "
            "stormed the train on Tuesday.")
    (ev,) = run(text, [_day(text, "on Wednesday", "2025-03-12"), _day(text, "on Tuesday", "2025-03-11")])
    assert (ev["kind"], ev["date_start"], ev["date_end"], ev["date_precision"]) == ("attack", "2025-03-11",
                                                                                     "2025-03-12", "day")
    assert ev["date_text"] == "on Wednesday … on Tuesday"


def test_a_reporting_day_or_a_distant_day_does_not_widen_the_happening():
    said = "Militants attacked a checkpost on Monday, the military said on Wednesday."
    (ev,) = run(said, [_day(said, "on Monday", "2025-03-10"), _day(said, "on Wednesday", "2025-03-12")])
    assert (ev["date_start"], ev["date_end"]) == ("2025-03-10", "2025-03-10")
    far = "Militants attacked a checkpost on March 1, a week after the raid of February 20."
    (ev,) = run(far, [_day(far, "on March 1", "2025-03-01"), _day(far, "of February 20", "2025-02-20")])
    assert ev["date_start"] == ev["date_end"]  # nine days apart: two happenings, one day each
    talks = "Delegates met on Monday and talks resumed on Tuesday."  # not violence: each kind keeps its own day
    assert all(r["date_start"] == r["date_end"] for r in run(talks, [_day(talks, "on Monday", "2025-03-10"),
                                                                      _day(talks, "on Tuesday", "2025-03-11")]))


def _article_events(text, published):
    from conflictlens.lexicon import load_lexicon
    from conflictlens.pipeline import DEFAULT_PARAMS, extract_article

    article = {"article_id": "a", "text": text, "published": published, "title": None}
    return extract_article(article, load_lexicon(None), dict(DEFAULT_PARAMS))["events"]


def test_an_event_dated_after_its_article_is_a_plan():
    rows = _article_events("The two sides will meet again in Istanbul on October 25 to discuss a mechanism to "
                           "monitor the truce.", "2025-10-20")
    (truce,) = [r for r in rows if r["kind"] == "ceasefire"]
    assert (truce["date_start"], truce["hypothetical"]) == ("2025-10-25", True)
    # the same words in an article written after that day report a happening
    (truce,) = [r for r in _article_events("The two sides met in Istanbul on October 25 to discuss the truce.",
                                           "2025-10-27") if r["kind"] == "ceasefire"]
    assert (truce["date_start"], truce["hypothetical"]) == ("2025-10-25", False)


def test_places_named_inside_the_cue_are_the_event_place():
    (closure,) = [r for r in _article_events("Pakistan closed the Torkham and Chaman crossings on Oct 12.",
                                             "2025-10-20") if r["kind"] == "border_closure"]
    assert closure["place"] == "Torkham; Chaman" and closure["date_start"] == "2025-10-12"


def test_a_search_operation_after_an_attack_leaves_it_an_attack():
    # the press ends most attack reports with the hunt for the attackers: it names no new happening
    rows = [r for r in run("Militants attacked a checkpost in Bannu, and a search operation was launched.")
            if r["family"] == "violence"]
    assert [r["kind"] for r in rows] == ["attack"]
    (only,) = [r for r in run("Police launched a search operation in the area.") if r["family"] == "violence"]
    assert only["kind"] == "search_operation"


def test_the_kinds_of_the_schema_and_the_merge_are_the_lexicon_kinds():
    from conflictlens import incidents, schema

    assert set(schema.EVENT_KINDS) == set(CONFIG["kinds"]) == set(incidents.KIND_PRIORITY)
    assert incidents.KIND_FAMILY == {k: v["family"] for k, v in CONFIG["kinds"].items()}


def test_where_they_came_from_is_not_where_it_happened_when_where_they_went_is_named():
    from conflictlens.lexicon import load_lexicon
    from conflictlens.places import find_place_mentions
    from conflictlens.text import sentence_spans

    lexicon = load_lexicon(None)
    for text, cue, expected in (
        ("Troops killed 54 militants trying to cross into North Waziristan from Afghanistan in one engagement.",
         "engagement", ["north_waziristan"]),
        ("Fighters infiltrated from Afghanistan into Bajaur before the clash.", "clash", ["bajaur"]),
        # alone, or beside a place of something else, the origin stays: the attacks come from Afghanistan
        ("Talks had begun in Istanbul on Wednesday, but Islamabad’s long-standing concern of terror attacks "
         "emanating from Afghanistan was the bone of contention.",
         "attacks", ["afghanistan"]),
    ):
        places = find_place_mentions(text, sentence_spans(text), lexicon)
        start = text.index(cue)
        assert [p["place_id"] for p in events.pick_places(text, 0, places, start, start + len(cue))] == expected, text


def test_a_finite_cue_with_a_look_ahead_is_checked_on_its_hits():
    from conflictlens.events import _lookahead_tail, compile_rules, cue_matches
    from conflictlens.lexicon import load_lexicon

    assert _lookahead_tail("strikes(?= (?:\\w+ ){0,3}?hit\\b)") == ("strikes", " (?:\\w+ ){0,3}?hit\\b")
    assert _lookahead_tail("air ?strikes?") is None and _lookahead_tail("(?=x)") is None
    rules = compile_rules(load_lexicon(None).raw["events"])
    assert "strikes" in rules.followed_by  # in the trie, not an open pattern tried at every position
    kinds = lambda low: [(low[s:e], k) for s, e, k in cue_matches(low, rules)]  # noqa: E731
    assert kinds("the strikes late on tuesday hit several villages") == [("strikes", "airstrike")]
    assert kinds("the strikes were called off by the traders") == []  # no hit, no kill: not an air strike
    assert kinds("the strikes on ttp hideouts") == [("strikes on", "airstrike")]  # the longer cue still wins


def test_where_people_come_from_is_not_where_it_happened():
    from conflictlens.lexicon import load_lexicon
    from conflictlens.places import find_place_mentions
    from conflictlens.text import sentence_spans

    text = ("Armed men blocked a highway in Balochistan's Musakhel district on Monday and shot dead 23 people, most "
            "of them from Punjab, officials said.")
    places = find_place_mentions(text, sentence_spans(text), load_lexicon(None))
    start = text.index("shot dead")
    assert [p["place_id"] for p in events.pick_places(text, 0, places, start, start + 9)] == ["musakhel"]


def test_a_quadcopter_that_drops_an_explosive_is_an_air_strike():
    from conflictlens.events import compile_rules, cue_matches
    from conflictlens.lexicon import load_lexicon

    rules = compile_rules(load_lexicon(None).raw["events"])
    low = "four children were killed when a quadcopter dropped an explosive on a house"
    assert [(low[s:e], k) for s, e, k in cue_matches(low, rules)] == [("quadcopter dropped", "airstrike")]


def test_only_cues_with_open_gaps_are_left_out_of_the_cue_trie():
    # An open pattern is tried at every position of every text: a finite cue that spells out to too many phrases
    # (over 512) would silently land there and slow extraction (a 14-noun by 5-auxiliary by 9-verb air strike cue
    # once cost 4 %). Split such a cue in two.
    import re

    from conflictlens.events import _lookahead_tail, spellings
    from conflictlens.lexicon import load_lexicon

    for kind, spec in load_lexicon(None).raw["events"]["kinds"].items():
        for cue in spec["cues"]:
            split = _lookahead_tail(cue.lower())
            if spellings(split[0] if split else cue.lower()) is None:
                assert re.search(r"\{\d*,\d*\}|[*+]", cue), (kind, cue)
