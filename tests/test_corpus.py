"""The corpus reader: the seeds against the gold ``articles`` section, page structure, every kind of bad input,
HTML, jsonl/csv records, exact and near duplicates, the topic rule and the manifest's account of every input."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import random
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from datasketch import MinHash

from conflictlens import corpus, paths, schema
from conflictlens.corpus import CorpusError, read_corpus, split_stories

CRYPTO_TITLE = "Pakistan, global crypto exchange discuss modernizing digital payments, creating job prospects"

# A wire-style report long enough to be compared (the near-duplicate tests vary one word of it).
REPORT = (
    "PESHAWAR: Militants attacked a police checkpoint in the Khyber district late on Monday, and 23 soldiers were "
    "killed in the fighting that followed, officials said. The attackers used rocket-propelled grenades and "
    "automatic weapons before reinforcements arrived from the nearby garrison.\n\n"
    "A spokesman for the provincial government said a search operation was under way in the surrounding hills "
    "and that the road to the border crossing had been closed to traffic until further notice. No group has "
    "claimed responsibility, but officials blamed the banned Tehreek-e-Taliban Pakistan for the attack.\n\n"
    "Residents said they heard heavy gunfire for more than two hours and that several houses near the checkpoint "
    "were damaged in the exchange of fire between the security forces and the attackers."
)


@pytest.fixture(scope="module")
def seeds() -> corpus.Corpus:
    return read_corpus(paths.SEEDS)


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return yaml.safe_load(paths.GOLD.read_text(encoding="utf-8"))["articles"]


def _by_gold(seeds: corpus.Corpus, g: dict) -> dict:
    """The article matching a gold entry: by title, or by its only file when the gold has no title."""
    if g["title"]:
        found = [a for a in seeds.articles if a["title"] == g["title"]]
    else:
        found = [a for a in seeds.articles if a["files"] == g["files"]]
    assert len(found) == 1, g["id"]
    return found[0]


def _write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _inputs(c: corpus.Corpus) -> dict[str, dict]:
    return {i["path"]: i for i in c.inputs}


# ------------------------------------------------------------------------------------------ the seeds and gold

def test_seeds_give_six_articles_as_in_gold(seeds, gold):
    assert len(seeds.articles) == len(gold) == 6
    for g in gold:
        a = _by_gold(seeds, g)
        assert a["title"] == g["title"], g["id"]
        assert a["dateline"] == (g["dateline"] or None), g["id"]
        assert a["topic"] == g["topic"], g["id"]
        assert a["files"] == sorted(g["files"]), g["id"]
        assert a["n_copies"] == len(g["files"]), g["id"]
        stamp = g["stamp"] or {}
        assert a["stamp_text"] == stamp.get("text"), g["id"]
        assert a["stamp_kind"] == stamp.get("kind"), g["id"]
        assert a["stamp_date"] == (stamp["date"].isoformat() if stamp else None), g["id"]


def test_seed_dates_and_their_kinds(seeds, gold):
    got = {g["id"]: _by_gold(seeds, g) for g in gold}
    assert (got["A1"]["published"], got["A1"]["date_kind"]) == ("2023-12-14", "inferred")  # not the update stamp
    assert (got["A2"]["published"], got["A2"]["date_kind"]) == ("2025-12-05", "updated")
    assert (got["A3"]["published"], got["A3"]["date_kind"]) in {("2020-05-08", "inferred"), ("2020-05-09", "updated")}
    assert (got["A4"]["published"], got["A4"]["date_kind"]) == ("2025-11-19", "updated")
    assert (got["A5"]["published"], got["A5"]["date_kind"], got["A5"]["date_precision"]) == (None, "unknown", "unknown")
    assert (got["A6"]["published"], got["A6"]["date_kind"]) == ("2025-10-30", "published")
    for a in got.values():
        assert a["date_kind"] in schema.DATE_KINDS and a["date_precision"] in schema.DATE_PRECISIONS
        assert a["date_note"]


def test_crypto_story_is_one_off_topic_article_from_three_files(seeds):
    crypto = [a for a in seeds.articles if a["title"] == CRYPTO_TITLE]
    assert len(crypto) == 1
    a = crypto[0]
    assert a["topic"] == "off_topic" and a["n_copies"] == 3
    assert a["files"] == ["000_0516a4ba446335d0.txt", "001_5ca38b958166c7ca.txt", "002_aa8a6b5cbb6bce6f.txt"]
    assert a["source_ids"] == a["files"]
    assert all(o["topic"] == "conflict" for o in seeds.articles if o is not a)
    assert a["topic_score"] < corpus.load_topic_rule().threshold < min(o["topic_score"] for o in seeds.articles
                                                                         if o is not a)


def test_seed_text_layout_furniture_captions_outlets(seeds, gold):
    got = {g["id"]: _by_gold(seeds, g) for g in gold}
    for a in seeds.articles:
        assert list(a) == schema.ARTICLES
        assert re.fullmatch(r"a[0-9a-f]{12}", a["article_id"])
        text = a["text"]
        for furniture in ("Short Url", "\nFollow", "Updated ", "Discover the latest Business News", "  •", "•"):
            assert furniture not in text, (a["article_id"], furniture)
        for caption in a["captions"]:
            assert caption not in text
        if a["title"]:
            assert text.startswith(a["title"] + "\n\n")
            assert text.count(a["title"]) == 1  # the repeated headline is gone
        if a["summary"]:
            assert "\n".join(a["summary"]) in text[:a["body_start"]]
    a1 = got["A1"]
    assert a1["text"][a1["body_start"]:].startswith("ISLAMABAD: Pakistan’s foreign office on Thursday")
    assert a1["summary"][0].startswith("Foreign office urges Afghan government")
    assert a1["captions"] == [c for c in a1["captions"] if c.endswith("(AP)")] and len(a1["captions"]) == 1
    assert got["A4"]["text"][got["A4"]["body_start"]:].startswith("KARACHI: ")
    assert got["A5"]["body_start"] == 0 and got["A5"]["text"].startswith("Just a day after peace talks")
    assert got["A5"]["text"].endswith("a peaceful resolution.")  # promo tail removed
    assert got["A6"]["text"].startswith("Defence Minister Khawaja Asif")  # "date 2025-10-30" token removed
    assert [got[k]["outlet"] for k in ("A1", "A2", "A3", "A4")] == ["Arab News"] * 4
    assert got["A5"]["outlet"] == "Moneycontrol"
    assert got["A6"]["outlet"] is None  # "an exclusive interview with Geo News" names no outlet
    # A3's paragraphs are single lines in the file: each becomes a paragraph of its own.
    body3 = got["A3"]["text"][got["A3"]["body_start"]:]
    assert "the military said in a statement.\n\nGen. Bajwa" in body3


def test_seed_inputs_accounted_with_hashes(seeds):
    inputs = _inputs(seeds)
    crypto = next(a["article_id"] for a in seeds.articles if a["title"] == CRYPTO_TITLE)
    # SOURCE.md and sources.yaml describe the corpus: they are not inputs
    assert sorted(inputs) == sorted(p.name for p in paths.SEEDS.glob("*.txt"))
    recorded = {f["file"]: f for f in yaml.safe_load((paths.SEEDS / "sources.yaml").read_text())["files"]}
    for name, entry in inputs.items():
        data = (paths.SEEDS / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() == recorded[name]["sha256"]
        assert entry["size"] == len(data) == recorded[name]["bytes"]
        assert entry["fate"] == "loaded" and entry["encoding"] == "utf-8" and entry["encoding_note"] is None
    first = inputs["000_0516a4ba446335d0.txt"]
    assert first["stories"] == 2 and crypto in first["articles"] and first["merged_into"] == []
    assert inputs["001_5ca38b958166c7ca.txt"]["merged_into"] == [crypto]
    assert inputs["002_aa8a6b5cbb6bce6f.txt"]["merged_into"] == [crypto]
    assert seeds.summary() == {"files": 5, "files_loaded": 5, "files_skipped": 0, "instances": 8, "articles": 6,
                               "duplicates_merged": 2, "off_topic": 1, "records_skipped": 0,
                               "near_duplicates_refused": 0}


def test_article_ids_are_stable_and_content_hash_normalises(seeds):
    again = read_corpus(paths.SEEDS)
    assert [a["article_id"] for a in again.articles] == [a["article_id"] for a in seeds.articles]
    assert [a["article_id"] for a in seeds.articles] == sorted(a["article_id"] for a in seeds.articles)
    # curly and straight quotes, dashes and spacing are one text
    assert corpus.content_hash("Pakistan’s  “truce” – over") == corpus.content_hash("pakistan's \"truce\" - over")
    assert corpus.content_hash("23 soldiers") != corpus.content_hash("24 soldiers")


# ------------------------------------------------------------------------------------------------ page structure

def test_split_appended_story_with_its_own_stamp():
    # the hard case: a related story appended under the page, recognisable only by its own header
    page = ("Army says four militants killed\n\nShort Url\nUpdated 19 November 2025\nFollow\n\n"
            "Army says four militants killed\n\n  • Army attributes killings to operations\n\n"
            "KARACHI: Pakistan’s military said on Wednesday four militants were killed.\n\n\n"
            "Crypto exchange meets officials \n\nUpdated 05 December 2025\nFollow\n\n"
            "Crypto exchange meets officials \n\n"
            "ISLAMABAD: Officials met a crypto exchange on Friday.")
    first, second = split_stories(page)
    assert first["title"] == "Army says four militants killed"
    assert first["summary"] == ["Army attributes killings to operations"]
    assert first["body"] == "KARACHI: Pakistan’s military said on Wednesday four militants were killed."
    assert (first["stamp_kind"], first["stamp_date"], first["dateline"]) == ("updated", date(2025, 11, 19), "KARACHI")
    assert second["title"] == "Crypto exchange meets officials" and second["stamp_date"] == date(2025, 12, 5)
    assert second["body"] == "ISLAMABAD: Officials met a crypto exchange on Friday."
    assert first["outlet"] == second["outlet"] == "Arab News"


def test_split_untitled_text_keeps_first_sentence_as_body():
    # a first line that is a sentence is not a headline; a mid-text subheading stays in the body
    text = ("Defence Minister Asif said talks could resume.\n\nObstacles in reaching agreement\n\n"
            "The TTP must be stopped.")
    (story,) = split_stories(text)
    assert story["title"] is None and story["stamp_text"] is None
    assert story["body"] == text


def test_split_date_token_and_caption():
    # a bare "date YYYY-MM-DD" opening the file is a published stamp; a credited photo line is a caption
    text = (" date 2025-10-30 Asif said on Thursday talks could resume.\n\n"
            "Troops patrol a street in Swat on April 25, 2023. (AFP/File)\n\nThe delegation stayed in Istanbul.")
    (story,) = split_stories(text)
    assert (story["stamp_text"], story["stamp_kind"], story["stamp_date"]) == ("date 2025-10-30", "published",
                                                                              date(2025, 10, 30))
    assert story["captions"] == ["Troops patrol a street in Swat on April 25, 2023. (AFP/File)"]
    assert story["body"] == "Asif said on Thursday talks could resume.\n\nThe delegation stayed in Istanbul."


def test_split_joins_hard_wrapped_lines_but_not_one_line_paragraphs():
    # wrapped at 60 columns: one paragraph; a file with one paragraph per line (like seed 001) stays as it is
    wrapped = ("Pakistan’s foreign office on Thursday strongly denied reports\nof talks with the Tehrik-e Taliban "
               "Pakistan, saying that\nno dialogue was taking place.")
    (story,) = split_stories(wrapped)
    assert story["body"] == wrapped.replace("\n", " ")
    lines = "The envoy met the army chief on Friday in Rawalpindi.\nIt is his second visit to Pakistan in a month."
    assert split_stories(lines)[0]["body"] == lines.replace("\n", "\n\n")


def test_parse_stamp_and_date_forms():
    assert corpus.parse_stamp("Updated 15 February 2024") == ("Updated 15 February 2024", "updated", date(2024, 2, 15))
    assert corpus.parse_stamp("Published on: Feb. 15, 2024 10:31 PKT")[1:] == ("published", date(2024, 2, 15))
    assert corpus.parse_stamp("Updated at the request of readers") is None
    assert corpus.parse_date("Thursday, 14 December 2023") == date(2023, 12, 14)
    assert corpus.parse_date("2025-10-30T08:00:00Z") == date(2025, 10, 30)
    assert corpus.parse_date("31 February 2024") is None  # not a day: unknown, never a guess
    assert corpus.parse_date("sometime in 2024") is None


# -------------------------------------------------------------------------------------------------- bad inputs

def test_missing_path_is_a_one_line_error(tmp_path):
    with pytest.raises(CorpusError) as e:
        read_corpus(tmp_path / "nope")
    assert "nope: no such file or directory" in str(e.value) and "\n" not in str(e.value)


def test_bad_files_are_skipped_with_reasons_and_good_ones_load(tmp_path):
    _write(tmp_path, "good.txt", REPORT)
    _write(tmp_path, "empty.txt", "")
    _write(tmp_path, "blank.md", "   \n\n  ")
    _write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    _write(tmp_path, "undecodable.txt", b"caf\xe9 \x81\x8d " * 10)  # neither UTF-8 nor cp1252
    _write(tmp_path, "image.png", b"\x89PNG")
    _write(tmp_path, "tiny.txt", "Too short to be a story.")
    _write(tmp_path, "furniture.txt", "Short Url\nFollow\n\nAdvertisement\n")
    _write(tmp_path, ".hidden/ignored.txt", REPORT)  # hidden folders are not part of a corpus
    _write(tmp_path, "README.md", "# About this corpus\n\n" + REPORT)  # nor is its description
    c = read_corpus(tmp_path)
    inputs = _inputs(c)
    assert sorted(inputs) == ["binary.txt", "blank.md", "empty.txt", "furniture.txt", "good.txt", "image.png",
                              "tiny.txt", "undecodable.txt"]
    assert inputs["good.txt"]["fate"] == "loaded" and len(c.articles) == 1
    reasons = {k: v["reason"] for k, v in inputs.items() if v["fate"] == "skipped"}
    assert reasons["empty.txt"] == "empty file" and reasons["blank.md"] == "empty file"
    assert reasons["binary.txt"] == "binary file (NUL bytes)"
    assert reasons["undecodable.txt"].startswith("undecodable bytes")
    assert reasons["image.png"].startswith("not a corpus file (.png)")
    assert reasons["tiny.txt"].startswith("no usable story (story 1: too short")
    assert reasons["furniture.txt"] == "no usable story (only page furniture, no story text)"
    assert all(v["sha256"] and "\n" not in v["reason"] for v in inputs.values() if v["fate"] == "skipped")
    assert c.summary()["files_skipped"] == 7


def test_encodings_utf8_bom_utf16_bom_and_cp1252_fallback(tmp_path):
    text = REPORT.replace("officials said", "officials said – “today”")
    _write(tmp_path, "bom8.txt", codecs.BOM_UTF8 + text.encode("utf-8"))
    _write(tmp_path, "bom16.txt", text.replace("23", "31").encode("utf-16"))  # BOM included by Python
    _write(tmp_path, "legacy.txt", text.replace("23", "41").encode("cp1252"))
    c = read_corpus(tmp_path)
    inputs = _inputs(c)
    assert (inputs["bom8.txt"]["encoding"], inputs["bom16.txt"]["encoding"]) == ("utf-8-sig", "utf-16")
    assert inputs["legacy.txt"]["encoding"] == "cp1252"
    assert "not UTF-8" in inputs["legacy.txt"]["encoding_note"] and "cp1252" in inputs["legacy.txt"]["encoding_note"]
    assert len(c.articles) == 3  # the three differ in a number: three reports
    for a in c.articles:
        assert "– “today”" in a["text"] and not a["text"].startswith("\ufeff")


def test_oversized_file_is_skipped_not_read(tmp_path):
    _write(tmp_path, "big.txt", REPORT * 40)  # ~36 KB
    _write(tmp_path, "ok.txt", REPORT)
    c = read_corpus(tmp_path, max_file_mb=0.01)
    entry = _inputs(c)["big.txt"]
    assert entry["fate"] == "skipped" and "over the 0.01 MB limit (max_file_mb)" in entry["reason"]


def test_a_real_50_mb_file_is_skipped_at_the_default_limit(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: seek past 50 MB and write one byte
        fh.seek(50 * corpus.MB)
        fh.write(b"x")
    _write(tmp_path, "ok.txt", REPORT)
    entry = _inputs(read_corpus(tmp_path))["huge.txt"]
    assert entry["fate"] == "skipped" and entry["reason"].startswith("file is 50 MB, over the 20 MB limit")
    assert entry["size"] == 50 * corpus.MB + 1


def test_unreadable_file_is_skipped(tmp_path, monkeypatch):
    locked = _write(tmp_path, "locked.txt", REPORT)
    _write(tmp_path, "ok.txt", REPORT.replace("23", "29"))
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything: make the read fail as it would for a user
            real_open = Path.open

            def deny(self, *args, **kwargs):
                if self.name == "locked.txt":
                    raise PermissionError(13, "Permission denied", str(self))
                return real_open(self, *args, **kwargs)

            monkeypatch.setattr(Path, "open", deny)
        entry = _inputs(read_corpus(tmp_path))["locked.txt"]
    finally:
        locked.chmod(0o644)
    assert entry["fate"] == "skipped" and entry["reason"] == "unreadable (Permission denied)"


def test_no_usable_article_is_an_error_that_says_so(tmp_path):
    _write(tmp_path, "empty.txt", "")
    _write(tmp_path, "binary.txt", b"\x00\x01\x02" * 50)
    with pytest.raises(CorpusError, match="no usable article") as e:
        read_corpus(tmp_path)
    assert "\n" not in str(e.value)
    with pytest.raises(CorpusError, match=r"empty\.txt: no usable article \(empty file\)"):
        read_corpus(tmp_path / "empty.txt")


# --------------------------------------------------------------------------------------------- records: csv, jsonl

def test_csv_with_columns_and_a_multiline_field(tmp_path):
    rows = [{"id": "r1", "title": "Attack in Khyber", "date": "2025-11-18", "source": "Dawn", "url": "https://x/1",
             "text": REPORT}, {"id": "r2", "title": "", "date": "", "source": "", "url": "", "text": ""}]
    path = tmp_path / "news.csv"
    import csv as _csv
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = _csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    c = read_corpus(path)
    (a,) = c.articles
    assert (a["title"], a["published"], a["date_kind"], a["outlet"], a["url"]) == (
        "Attack in Khyber", "2025-11-18", "published", "Dawn", "https://x/1")
    assert a["source_ids"] == ["r1"] and a["files"] == ["news.csv"] and a["dateline"] == "PESHAWAR"
    assert "\n\nA spokesman" in a["text"]  # the quoted multi-line field kept its paragraphs
    assert c.skipped_records == [{"path": "news.csv", "record": 3, "reason": "row 3: no 'text'"}]
    assert _inputs(c)["news.csv"]["records"] == 2


def test_csv_without_text_column_is_a_one_line_error(tmp_path):
    path = _write(tmp_path, "x.csv", "id,body\n1,Militants attacked a checkpoint\n")
    with pytest.raises(CorpusError) as e:
        read_corpus(path)
    assert str(e.value) == f"{path}: no usable article (no 'text' column (columns: id, body))"


def test_jsonl_with_a_broken_line_loads_the_good_ones(tmp_path):
    lines = [json.dumps({"id": "j1", "text": REPORT, "date": "18 November 2025"}),
             '{"id": "j2", "text": "broken',
             json.dumps({"id": "j3", "text": REPORT.replace("Khyber", "Bajaur")}),
             json.dumps(["not", "an", "object"]),
             ""]
    path = _write(tmp_path, "news.jsonl", "\n".join(lines))
    c = read_corpus(path)
    assert sorted(s for a in c.articles for s in a["source_ids"]) == ["j1", "j3"]  # a place differs: two reports
    reasons = {s["record"]: s["reason"] for s in c.skipped_records}
    assert reasons[2].startswith("line 2: not JSON") and reasons[4] == "line 4: not a JSON object"
    j1 = next(a for a in c.articles if a["source_ids"] == ["j1"])
    assert (j1["published"], j1["stamp_kind"]) == ("2025-11-18", "published")
    entry = _inputs(c)["news.jsonl"]
    assert entry["fate"] == "loaded" and entry["records"] == 4 and len(entry["articles"]) == 2


def test_iter_documents_streams_a_jsonl(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("\ufeff")  # a BOM before the first record
        for i in range(2000):
            fh.write(json.dumps({"id": f"n{i}", "text": f"Record {i}. " + REPORT}) + "\n")
    stream = corpus.iter_documents(path)
    first = next(stream)  # one record read, the rest still on disk
    assert first["kind"] == "document" and first["source_id"] == "n0" and first["text"].startswith("Record 0.")
    rest = list(stream)
    assert sum(1 for d in rest if d["kind"] == "document") == 1999
    assert rest[-1]["kind"] == "file" and rest[-1]["records"] == 2000 and rest[-1]["encoding"] == "utf-8-sig"


# ------------------------------------------------------------------------------------------------- html, markdown

def test_html_through_a_parser(tmp_path):
    html = """<html><head><title>Site | Blast</title><meta property="og:site_name" content="Daily Example">
    <meta property="article:published_time" content="2025-11-18T09:00:00Z"><script>var x = "killed 99";</script>
    </head><body><nav>Home World</nav><header><a href="/">Daily Example</a></header><div>World › Asia</div>
    <div class="story"><h1>Blast kills 23 soldiers in Khyber</h1>
    <ul><li>Militants attack a checkpoint</li><li>Search operation under way</li></ul>
    <figure><img src="a.jpg"><figcaption>Soldiers at the site on Nov. 18, 2025. (AFP)</figcaption></figure>
    <p>PESHAWAR: Militants attacked a police checkpoint in the <b>Khyber</b> district late on Monday, and 23 soldiers
    were killed in the fighting that followed, officials said.</p><p>A spokesman said a search operation was under
    way in the surrounding hills and the road to the border crossing had been closed.</p><!-- a comment -->
    </div><footer>© Daily Example</footer></body></html>"""  # no <article>: the chrome before the h1 goes
    path = _write(tmp_path, "page.html", html)
    (a,) = read_corpus(path).articles
    assert a["title"] == "Blast kills 23 soldiers in Khyber"
    assert a["summary"] == ["Militants attack a checkpoint", "Search operation under way"]
    assert a["captions"] == ["Soldiers at the site on Nov. 18, 2025. (AFP)"]
    assert (a["published"], a["outlet"], a["dateline"]) == ("2025-11-18", "Daily Example", "PESHAWAR")
    body = a["text"][a["body_start"]:]
    assert body.startswith("PESHAWAR: Militants attacked a police checkpoint in the Khyber district late on Monday")
    assert "\n\nA spokesman" in body
    for junk in ("killed 99", "Home World", "Daily Example", "World ›", "a comment", "©", "(AFP)"):
        assert junk not in a["text"]


def test_markdown_headings_are_plain_text(tmp_path):
    path = _write(tmp_path, "note.md", "# Blast kills 23 soldiers in Khyber\n\n" + REPORT)
    (a,) = read_corpus(path).articles
    assert a["title"] == "Blast kills 23 soldiers in Khyber" and not a["text"].startswith("#")


# ------------------------------------------------------------------------------------------------- duplicates

def test_truncated_copy_and_other_furniture_merge(tmp_path):
    # the hard case: a copy cut mid-word at the end, another with page furniture around it, both one article
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "b.txt", REPORT[: len(REPORT) // 2 - 3])
    _write(tmp_path, "c.txt", "Short Url\nFollow\n\n" + REPORT + "\n\nAll rights reserved © 2025 Example News")
    c = read_corpus(tmp_path)
    (a,) = c.articles
    assert a["n_copies"] == 3 and a["files"] == ["a.txt", "b.txt", "c.txt"] and a["text"] == REPORT
    fates = {k: v["fate"] for k, v in _inputs(c).items()}
    assert fates == {"a.txt": "loaded", "b.txt": "merged", "c.txt": "merged"}
    assert _inputs(c)["b.txt"]["merged_into"] == [a["article_id"]]


def test_a_changed_number_or_place_is_another_report(tmp_path):
    # the hard case: a reused wire template or an updated toll, alike in every other word
    _write(tmp_path, "a.txt", REPORT)
    _write(tmp_path, "b.txt", REPORT.replace("23 soldiers", "24 soldiers"))
    _write(tmp_path, "c.txt", REPORT.replace("Khyber district", "Bajaur district"))
    _write(tmp_path, "d.txt", REPORT.replace("late on Monday", "late on Tuesday"))
    # a change past the lead: LSH proposes the pair, verification refuses it and says why
    _write(tmp_path, "e.txt", REPORT.replace("more than two hours", "more than three hours"))
    c = read_corpus(tmp_path)
    assert len(c.articles) == 5 and all(a["n_copies"] == 1 for a in c.articles)
    # changes in the lead salt the shingles apart (never compared); the late change is refused with its reason
    reasons = " ".join(r["reason"] for r in c.refused_near_duplicates)
    assert "'three'" in reasons or "'two'" in reasons
    assert c.summary()["near_duplicates_refused"] == len(c.refused_near_duplicates) >= 1


def test_a_truncated_copy_does_not_chain_two_reports():
    # the truncation stops before the number that tells the two full reports apart: it joins one, never both
    full_a = REPORT
    full_b = REPORT.replace("several houses", "eleven houses")
    cut = REPORT[:600]
    clusters, refused = corpus.group_copies([full_a, full_b, cut], [None] * 3, 0.8)
    assert sorted(map(sorted, clusters)) in ([[0, 2], [1]], [[0], [1, 2]])
    assert refused


def test_compare_reports_reasons():
    assert corpus.compare_reports(REPORT, REPORT.replace("said", "stated", 1))[0]  # a changed verb: same report
    same, reason = corpus.compare_reports(REPORT, REPORT.replace("23", "twenty-four"))
    assert not same and "23" in reason
    # a copy cut inside a word ("hill" of "hills") is still a copy; one with a changed sentence is not
    assert corpus.compare_reports(REPORT, REPORT[:REPORT.index("hills") + 4])[0]
    assert not corpus.compare_reports(REPORT, REPORT.replace("Residents said", "Witnesses in Jamrud said"))[0]


def test_checks_before_the_alignment_give_its_verdict(seeds):
    # _inside and _bound_refusal stand in for the alignment: on edited copies of the seed reports (cut, a sentence
    # dropped or added, a name or number changed, paragraphs swapped), whatever they decide, the alignment decides
    rnd = random.Random(5)
    texts = [a["text"] for a in seeds.articles] + [REPORT]

    def edited(text: str) -> str:
        for _ in range(rnd.randint(1, 3)):
            paras, words = text.split("\n\n"), text.split(" ")
            k = rnd.randrange(len(words))
            edit = rnd.choice(("cut", "drop", "add", "name", "number", "swap"))
            if edit == "cut":
                text = text[:rnd.randrange(len(text) // 2, len(text))]
            elif edit == "drop" and len(paras) > 2:
                text = "\n\n".join(p for i, p in enumerate(paras) if i != rnd.randrange(1, len(paras)))
            elif edit == "add":
                text = " ".join(words[:k] + ["Officials in Quetta said 14 people were hurt."] + words[k:])
            elif edit in ("name", "number"):
                text = " ".join(words[:k] + ["Zhob" if edit == "name" else "41"] + words[k + 1:])
            elif len(paras) > 2:
                i = rnd.randrange(len(paras) - 1)
                text = "\n\n".join(paras[:i] + [paras[i + 1], paras[i]] + paras[i + 2:])
        return text

    fired = {"inside": 0, "bound": 0}
    for _ in range(80):
        text = rnd.choice(texts)
        a, b = corpus._tokens(edited(text)), corpus._tokens(rnd.choice((text, edited(text))))
        if len(a.lower) > len(b.lower):
            a, b = b, a
        if len(a.lower) < corpus.MIN_NEAR_TOKENS:
            continue
        n_a = a.compared
        same, reason = corpus._aligned(a, n_a, b, 0.8)
        if corpus._inside(a, b):
            fired["inside"] += 1
            assert (same, reason) == (True, f"{n_a}/{n_a} words shared")
        if corpus._bound_refusal(a, n_a, b, 0.8 * n_a):
            fired["bound"] += 1
            assert not same, reason
    assert fired["inside"] >= 5 and fired["bound"] >= 5, fired


def test_a_refusal_without_the_alignment_names_the_missing_facts():
    # a place changed near the start, another added near the end: no stretch between them can hold 80 % of the words
    moved = REPORT.replace("Khyber district", "Bajaur district").replace("Residents said", "Witnesses in Jamrud said")
    assert corpus.compare_reports(REPORT, moved) == (False, "differ in 'Bajaur', 'Jamrud' (not in the other text)")
    a, b = corpus._tokens(REPORT), corpus._tokens(moved)
    assert corpus._aligned(a, a.compared, b, 0.8) == (False, "differ in 'Khyber' ('Khyber' vs 'Bajaur')")


def test_sketch_is_the_datasketch_minhash():
    rng = np.random.default_rng(0)
    for n in (1, 3, 500):
        shingles = rng.integers(0, 2**32, n, dtype=np.uint64)
        expected = MinHash(num_perm=corpus.NUM_PERM, hashfunc=int)
        expected.update_batch(shingles)
        assert np.array_equal(corpus._sketch(shingles).hashvalues, expected.hashvalues)


# ---------------------------------------------------------------------------------------------------- topic

def test_topic_rule_is_lexicon_driven_and_a_parameter(tmp_path):
    rule = corpus.load_topic_rule()
    # "suicide bombers" counts once as a phrase, not as two terms; a short text counts as min_words long
    assert corpus.topic_score("suicide bombers", rule) == 1000 * 3 / rule.min_words
    assert corpus.topic_score("Blockchain payments and bank bonds.", rule) == 0.0
    # one passing "security" in a short business brief is not a conflict report; a two-line blast report is
    bank = "The central bank raised rates on Thursday, the ministry said in a statement on the security of deposits."
    blast = "A bomb blast at a market in Quetta killed five people on Monday, police said. The city has seen attacks."
    assert corpus.topic_score(bank, rule) < rule.threshold < corpus.topic_score(blast, rule)
    _write(tmp_path, "war.txt", REPORT)
    assert read_corpus(tmp_path).articles[0]["topic"] == "conflict"
    assert read_corpus(tmp_path, topic_threshold=10_000).articles[0]["topic"] == "off_topic"


def test_bad_topic_lexicon_and_thresholds_are_user_errors(tmp_path):
    bad = _write(tmp_path, "topic.yaml", "terms: [1, 2]\n")
    with pytest.raises(CorpusError, match="not a topic lexicon"):
        corpus.load_topic_rule(bad)
    with pytest.raises(CorpusError, match="near_duplicate_threshold"):
        read_corpus(paths.SEEDS, near_duplicate_threshold=0)
    with pytest.raises(CorpusError, match="max_file_mb"):
        read_corpus(paths.SEEDS, max_file_mb=0)


def test_record_title_fills_a_silent_text_and_utf16_jsonl(tmp_path):
    # a record title that the text repeats as a plain first line (not headline-like) is not body text
    record = {"id": "u1", "title": "Breaking news", "text": "Breaking news\n\n" + REPORT}
    path = _write(tmp_path, "u.jsonl", (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-16"))
    c = read_corpus(path)
    (a,) = c.articles
    assert a["title"] == "Breaking news" and a["text"] == "Breaking news\n\n" + REPORT and a["body_start"] == 15
    assert _inputs(c)["u.jsonl"]["encoding"] == "utf-16"


def test_record_over_the_size_limit_is_skipped_and_the_rest_read(tmp_path):
    # the limit applies to each record of a collection: one long line is skipped, the file still streams
    short = "Militants attacked a police checkpoint in Khyber late on Monday and two soldiers were killed, police said."
    lines = [json.dumps({"id": "long", "text": REPORT}), json.dumps({"id": "short", "text": short})]
    path = _write(tmp_path, "mixed.jsonl", "\n".join(lines) + "\n")
    c = read_corpus(path, max_file_mb=0.0005)  # 524 bytes
    assert [a["source_ids"] for a in c.articles] == [["short"]]
    assert c.skipped_records == [{"path": "mixed.jsonl", "record": 1,
                                  "reason": "line 1: over the 0.0005 MB limit (max_file_mb)"}]
