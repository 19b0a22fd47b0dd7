"""Read a corpus into distinct articles, accounting for every input.

Files (.txt, .md, .html; a folder is read recursively in sorted order), or a .jsonl / .csv with a ``text`` column
(streamed record by record). Pages are split into the stories they carry (a related story appended under the main
one), stripped of furniture ("Short Url", "Follow", promo lines), and read for title, dateline, outlet, captions,
bullet summary and date stamp. Exact and near duplicates (a truncated copy, a copy with other furniture) become one
article listing every copy; two texts that differ in a number, a date or a name are kept apart however alike.
Stories under the conflict lexicon's threshold (``lexicon/topic.yaml``) are marked off-topic.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import cached_property, lru_cache, partial
from itertools import accumulate, compress, count, islice
from operator import sub
from pathlib import Path
from typing import BinaryIO

import numpy as np
import yaml
from bs4 import BeautifulSoup, Comment
from datasketch import LeanMinHash, MinHash, MinHashLSH

from . import paths, schema
from .dates import infer_writing_date
from .engines import Engine, batched
from .reading_cache import ReadingCache

MB = 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
RECORD_SUFFIXES = frozenset({".jsonl", ".ndjson", ".csv"})
CORPUS_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES
# Files a corpus folder may hold that describe it (seeds/SOURCE.md, seeds/sources.yaml): not part of the corpus.
DESCRIPTION_FILE = re.compile(r"(?i)^(?:readme|license|licence|changelog|notice|manifest|sources?)(?:\.\w+)?$")
RECORD_FIELDS = ("id", "title", "date", "source", "url")

MIN_STORY_WORDS = 15        # a story shorter than this (after furniture) is skipped with its reason
NUM_PERM = 64               # MinHash permutations
SHINGLE = 3                 # words per shingle
LEAD_TOKENS = 40            # a truncated copy keeps the lead: the first words are a second LSH key
MIN_NEAR_TOKENS = 25        # shorter texts merge only when exactly equal
MAX_CANDIDATES = 16         # near-copy candidates verified per text (largest first): the merge stays linear
TOKENS_CACHED = 4096        # texts whose tokens stay in memory for comparing (the candidates come back)
VERDICTS_BATCH = 2000       # texts placed per lookup of cached near-copy verdicts
TOPIC_LEXICON = paths.LEXICON / "topic.yaml"


class CorpusError(Exception):
    """A user error: str(e) is one line naming the file and the problem."""


@dataclass
class Corpus:
    """Distinct articles (keys = schema.ARTICLES), one entry per input file, and every skipped record."""

    articles: list[dict]
    inputs: list[dict]
    skipped_records: list[dict]
    refused_near_duplicates: list[dict] = field(default_factory=list)  # LSH candidates kept apart, and why
    reading_reuse: dict = field(default_factory=dict)  # with a reading cache: ReadingCache.stats() of this read

    def summary(self) -> dict:
        """Counts: files, files_loaded, files_skipped, instances, articles, duplicates_merged, off_topic."""
        instances = sum(a["n_copies"] for a in self.articles)
        skipped = sum(1 for i in self.inputs if i["fate"] == "skipped")
        return {
            "files": len(self.inputs),
            "files_loaded": len(self.inputs) - skipped,
            "files_skipped": skipped,
            "instances": instances,
            "articles": len(self.articles),
            "duplicates_merged": instances - len(self.articles),
            "off_topic": sum(1 for a in self.articles if a["topic"] == "off_topic"),
            "records_skipped": len(self.skipped_records),
            "near_duplicates_refused": len(self.refused_near_duplicates),
        }


class _Skip(Exception):
    """A file or record that cannot be read; the message is the reason recorded in the manifest."""


# --------------------------------------------------------------------------------------------------- decoding

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c]")
_INVISIBLE = re.compile(r"[\u200b\ufeff]")
_UNCLEAN = ("\r", "\u2028", "\u2029", "\x0b", "\x0c", "\u200b", "\ufeff")  # what the two patterns above match


def clean_text(raw: str) -> str:
    """Newlines as ``\\n``, no-break spaces as spaces, zero-width characters and BOMs removed."""
    if any(map(raw.__contains__, _UNCLEAN)):  # substring tests are far cheaper than substitutions that change nothing
        raw = _INVISIBLE.sub("", _NEWLINES.sub("\n", raw))
    return raw.replace("\u00a0", " ")


def _decode_bytes(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding, note): UTF-8 with or without BOM, UTF-16/32 with BOM, else cp1252 with a note.

    Raises ``_Skip`` for empty, binary (NUL or control bytes) and undecodable input.
    """
    if not data.strip():
        raise _Skip("empty file")
    note = None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif b"\x00" in data:
        raise _Skip("binary file (NUL bytes)")
    else:
        try:
            return _checked(data.decode("utf-8")), "utf-8", None
        except UnicodeDecodeError as e:
            encoding, note = "cp1252", f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}): read as cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        tried = "not UTF-8, not cp1252" if note else f"a {encoding} BOM but not {encoding}"
        raise _Skip(f"undecodable bytes ({tried}: byte 0x{data[e.start]:02x} at offset {e.start})")
    return _checked(text), encoding, note


def _checked(text: str) -> str:
    if not text.strip():
        raise _Skip("empty file")
    n = len(_CONTROL.findall(text))
    if n > max(2, len(text) // 1000):
        raise _Skip(f"binary content ({n} control characters)")
    return clean_text(text)


@dataclass
class _LineState:
    """What reading a record file's lines found: its encoding, lines read as cp1252, lines over the size limit."""

    encoding: str = "utf-8"
    cp1252_lines: int = 0
    oversized: list[int] = field(default_factory=list)


def _decoded_lines(fh: BinaryIO, max_bytes: int, state: _LineState) -> Iterator[tuple[int, str | None]]:
    """(line number, line) of a record file, one at a time; ``None`` for a line over ``max_bytes`` (not read)."""
    head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        state.encoding = "utf-16"
        fh.seek(0)
        stream = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
        for n, line in enumerate(stream, 1):
            if len(line) * 2 > max_bytes:
                state.oversized.append(n)
                yield n, None
            else:
                yield n, line
        return
    if head.startswith(codecs.BOM_UTF8):
        state.encoding = "utf-8-sig"
        fh.seek(3)
    else:
        fh.seek(0)
    n = 0
    while True:
        raw = fh.readline(max_bytes + 1)
        if not raw:
            return
        n += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(MB)
            state.oversized.append(n)
            yield n, None
            continue
        try:
            yield n, raw.decode("utf-8")
        except UnicodeDecodeError:
            state.cp1252_lines += 1
            yield n, raw.decode("cp1252", errors="replace")


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / MB:.3g} MB"


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# ------------------------------------------------------------------------------------------------ html, markdown

_HTML_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "footer", "aside", "form", "button")
_HTML_BLOCKS = ("p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li",
                "blockquote", "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure", "hr")
_META_PUBLISHED = ("article:published_time", "datepublished", "pubdate", "publishdate", "publish-date", "date",
                   "dc.date", "dc.date.issued", "sailthru.date")
_META_UPDATED = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _meta(soup: BeautifulSoup, names: Iterable[str]) -> str | None:
    wanted = set(names)
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        if key in wanted and tag.get("content", "").strip():
            return tag["content"].strip()
    return None


def html_to_document(html: str) -> dict:
    """An HTML page → text (blocks as paragraphs, list items as "• " bullets), title, date, date_kind, captions,
    source (og:site_name) and url, read with BeautifulSoup."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    title = (h1.get_text(" ", strip=True) if h1 else None) or _meta(soup, ("og:title",)) or (
        title_tag.get_text(" ", strip=True) if title_tag else None)
    published, updated = _meta(soup, _META_PUBLISHED), _meta(soup, _META_UPDATED)
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = time_tag["datetime"] if time_tag else None
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or _meta(soup, ("og:url",))
    captions = []
    for cap in soup.find_all("figcaption"):
        text = _SPACES.sub(" ", cap.get_text(" ", strip=True))
        if text:
            captions.append(text)
        cap.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for node in root.find_all(string=True):
        if node.find_parent("pre") is None:
            node.replace_with(re.sub(r"\s+", " ", str(node)))
    for br in root.find_all("br"):
        br.replace_with("\n")
    for tag in root.find_all(_HTML_BLOCKS):
        if tag.name == "li":
            tag.insert(0, "• ")
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    lines = [_SPACES.sub(" ", line).strip() for line in root.get_text().split("\n")]
    if h1 is not None and title in lines:  # what precedes the headline is page chrome (logo, breadcrumbs)
        lines = lines[lines.index(title):]
    text = _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
    return {"text": text, "title": title, "date": published or updated,
            "date_kind": "published" if published else ("updated" if updated else None),
            "captions": captions, "source": _meta(soup, ("og:site_name",)), "url": url}


_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def markdown_to_text(md: str) -> str:
    """Markdown → plain text: heading marks, images, link targets and bold marks removed."""
    return _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", _MD_HEADING.sub("", md))))


# ----------------------------------------------------------------------------------------------- reading inputs

def _document(source_id: str, rel: str, text: str, record: int | None = None, **meta) -> dict:
    doc = {"kind": "document", "source_id": source_id, "file": rel, "record": record, "text": text,
           "title": None, "date": None, "date_kind": None, "url": None, "source": None, "captions": []}
    doc.update({k: v for k, v in meta.items() if v not in (None, "")})
    return doc


def _skip(rel: str, record: int | None, reason: str) -> dict:
    return {"kind": "skip", "file": rel, "record": record, "reason": reason}


def _record_meta(row: dict) -> dict:
    meta = {k: (str(row[k]).strip() if row.get(k) is not None else None) for k in RECORD_FIELDS}
    if meta["date"]:
        meta["date_kind"] = "published"
    return meta


def _record_document(row: object, rel: str, n: int, max_bytes: int, where: str) -> dict:
    """One jsonl/csv record → a document; raises ``_Skip`` with the reason."""
    if not isinstance(row, dict):
        raise _Skip(f"{where}: not a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Skip(f"{where}: no 'text'")
    if len(text) > max_bytes:
        raise _Skip(f"{where}: text over the {_mb(max_bytes)} limit (max_file_mb)")
    meta = _record_meta(row)
    source_id = meta.pop("id") or f"{rel}:{n}"
    return _document(source_id, rel, clean_text(text), n, **meta)


def _iter_jsonl(fh: BinaryIO, rel: str, max_bytes: int, state: _LineState, counts: dict) -> Iterator[dict]:
    for n, line in _decoded_lines(fh, max_bytes, state):
        if line is None:
            yield _skip(rel, n, f"line {n}: over the {_mb(max_bytes)} limit (max_file_mb)")
            continue
        if not line.strip():
            continue
        counts["records"] += 1
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield _skip(rel, n, f"line {n}: not JSON ({e.msg}, column {e.colno})")
            continue
        except RecursionError:
            yield _skip(rel, n, f"line {n}: JSON nested too deeply")
            continue
        try:
            yield _record_document(row, rel, n, max_bytes, f"line {n}")
        except _Skip as e:
            yield _skip(rel, n, str(e))


def _iter_csv(fh: BinaryIO, rel: str, max_bytes: int, state: _LineState, counts: dict) -> Iterator[dict]:
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))
    lines = (line for _, line in _decoded_lines(fh, max_bytes, state) if line is not None)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise _Skip(f"not a readable csv ({e})")
    if header is None:
        raise _Skip("empty file")
    columns = [h.strip().lstrip("\ufeff").lower() for h in header]
    if "text" not in columns:
        raise _Skip(f"no 'text' column (columns: {', '.join(columns)})")
    n, reported = 1, 0
    while True:
        n += 1
        try:
            values = next(reader, None)
        except csv.Error as e:
            yield _skip(rel, n, f"row {n}: csv error ({e}); rest of file unread")
            return
        for line in state.oversized[reported:]:
            yield _skip(rel, None, f"line {line}: over the {_mb(max_bytes)} limit (max_file_mb)")
        reported = len(state.oversized)
        if values is None:
            return
        if not any(v.strip() for v in values):
            continue
        counts["records"] += 1
        try:
            yield _record_document(dict(zip(columns, values)), rel, n, max_bytes, f"row {n}")
        except _Skip as e:
            yield _skip(rel, n, str(e))


def _read_one(path: Path, rel: str, max_bytes: int) -> Iterator[dict]:
    """Items of one file: its documents and record skips, then one ``{"kind": "file", ...}`` entry."""
    entry = {"kind": "file", "path": rel, "sha256": None, "size": None, "encoding": None, "encoding_note": None,
             "fate": "loaded", "reason": None, "records": 0}
    counts = {"records": 0}
    try:
        entry["size"] = path.stat().st_size
        entry["sha256"] = _sha256(path)
        suffix = path.suffix.lower()
        if suffix not in CORPUS_SUFFIXES:
            raise _Skip(f"not a corpus file ({suffix or 'no extension'}): read .txt, .md, .html, .jsonl, .csv")
        if suffix in RECORD_SUFFIXES:
            if entry["size"] == 0:
                raise _Skip("empty file")
            state = _LineState()
            with path.open("rb") as fh:
                reader = _iter_jsonl if suffix in (".jsonl", ".ndjson") else _iter_csv
                yield from reader(fh, rel, max_bytes, state, counts)
            entry["encoding"] = state.encoding
            if state.cp1252_lines:
                entry["encoding_note"] = f"{state.cp1252_lines} lines not UTF-8: read as cp1252"
        else:
            if entry["size"] > max_bytes:
                raise _Skip(f"file is {_mb(entry['size'])}, over the {_mb(max_bytes)} limit (max_file_mb)")
            text, entry["encoding"], entry["encoding_note"] = _decode_bytes(path.read_bytes())
            counts["records"] = 1
            if suffix in HTML_SUFFIXES:
                doc = html_to_document(text)
                yield _document(rel, rel, clean_text(doc.pop("text")), **doc)
            else:
                yield _document(rel, rel, markdown_to_text(text) if suffix in (".md", ".markdown") else text)
    except _Skip as e:
        entry.update(fate="skipped", reason=str(e))
    except OSError as e:
        entry.update(fate="skipped", reason=f"unreadable ({e.strerror or e})")
    except (ValueError, RecursionError) as e:  # a parser giving up on malformed input
        entry.update(fate="skipped", reason=f"unreadable ({type(e).__name__}: {e})".replace("\n", " "))
    entry["records"] = counts["records"]
    if entry["fate"] == "skipped" and counts["records"]:  # records already read stand; the rest is lost
        entry.update(fate="loaded", reason=f"reading stopped after {counts['records']} records: {entry['reason']}")
    yield entry


def _in_corpus(rel: Path) -> bool:
    """Not hidden (".git", "__pycache__") and not a description of the corpus (README, SOURCE.md, sources.yaml)."""
    return not any(part.startswith((".", "__")) for part in rel.parts) and not DESCRIPTION_FILE.match(rel.name)


def iter_documents(path: str | Path, *, max_file_mb: float = 20.0) -> Iterator[dict]:
    """Stream a corpus, one item at a time, never holding a file of records in memory.

    Items have ``kind``: "document" (source_id, file, record, text, title, date, date_kind, url, source, captions),
    "skip" (file, record, reason: a jsonl/csv record that could not be read) and, after each file's documents,
    "file" (path, sha256, size, encoding, encoding_note, fate "loaded"|"skipped", reason, records).
    ``max_file_mb`` caps a file holding one document and each record of a jsonl/csv (collections stream).
    In a folder, hidden files and folders and the corpus's own description (README, SOURCE.md, sources.yaml) are not
    part of the corpus; every other file is an input, read or skipped with its reason.
    """
    root = Path(path)
    if not root.exists():
        raise CorpusError(f"{path}: no such file or directory")
    if max_file_mb <= 0:
        raise CorpusError(f"{path}: max_file_mb must be positive, not {max_file_mb}")
    max_bytes = int(max_file_mb * MB)
    if root.is_dir():
        files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*")
                       if _in_corpus(p.relative_to(root)) and not p.is_dir())
        for rel, p in files:
            yield from _read_one(p, rel, max_bytes)
    else:
        yield from _read_one(root, root.name, max_bytes)


# ----------------------------------------------------------------------------------------------- dates of stamps

_MONTHS = {m: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], 1) for m in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_FORMS = re.compile(
    r"(?i)^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:"
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("month", "m1") + r",?\s+(?P<y1>\d{4})"
    r"|" + _MONTH.replace("month", "m2") + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})"
    r")(?![\d])"
)


def parse_date(text: str) -> date | None:
    """A calendar date written at the start of ``text``: "2024-02-15", "15 February 2024", "Feb. 15, 2024",
    "Thursday, 14 December 2023" (a time may follow); else None."""
    m = _DATE_FORMS.match(text.strip())
    if not m:
        return None
    g = m.groupdict()
    if g["iy"]:
        y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
    elif g["y1"]:
        y, mo, d = int(g["y1"]), _MONTHS[g["m1"].lower()], int(g["d1"])
    else:
        y, mo, d = int(g["y2"]), _MONTHS[g["m2"].lower()], int(g["d2"])
    try:
        return date(y, mo, d)
    except ValueError:
        return None


_STAMP = re.compile(r"(?i)^(?P<label>last\s+updated|updated|last\s+modified|modified|first\s+published|published"
                    r"|posted)(?:\s+on)?\s*:?\s+(?P<date>.{6,60})$")
_STAMP_KINDS = {"updated": "updated", "modified": "updated", "published": "published", "posted": "published"}
_DATE_TOKEN = re.compile(r"(?i)\A\s*date\s*[:=]?\s*(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?"
                         r"(?:Z|[+-]\d{2}:?\d{2})?)?[ \t]*")


def parse_stamp(line: str) -> tuple[str, str, date] | None:
    """"Updated 15 February 2024" → ("Updated 15 February 2024", "updated", date(2024, 2, 15)); else None."""
    m = _STAMP.match(line.strip())
    if not m:
        return None
    day = parse_date(m["date"])
    if day is None:
        return None
    return line.strip(), _STAMP_KINDS[m["label"].split()[-1].lower()], day


# ------------------------------------------------------------------------------------------------ page structure

_FURNITURE = re.compile(
    r"(?i)^(?:short\s?url|follow|following|share(?:\s+this(?:\s+(?:article|story))?)?|tweet|print|e-?mail"
    r"|copy\s+link|link\s+copied|copied|advertisement|sponsored|scroll\s+to\s+continue(?:\s+with\s+content)?"
    r"|skip\s+to\s+(?:main\s+)?content|read\s+more|related(?:\s+(?:stories|articles|news|topics))?|also\s+read"
    r"|most\s+(?:read|popular)|comments?|listen(?:\s+to\s+this\s+(?:article|story))?|font\s+size|subscribe"
    r"|sign\s+in|log\s+in|newsletter|whatsapp|facebook|twitter|x|linkedin|telegram|reddit"
    r"|\d+\s*min(?:ute)?s?\s+read)[.:]?$")
_PROMO = re.compile(
    r"(?i)discover the latest business news|download the [\w ]{1,30}app\b|(?:follow|join) us on "
    r"(?:twitter|facebook|instagram|whatsapp|telegram|google news|x\b)|subscribe to (?:our|the) [\w ]{0,20}newsletter"
    r"|click here to (?:subscribe|read|download|join)|for (?:more|the latest) news,? (?:visit|follow|download)"
    r"|all rights reserved|^copyright\b|^©")
# Words every promo pattern holds: a cheap test before the regular expression.
_PROMO_WORDS = ("discover", "download", " us on ", "newsletter", "click here", " news", "rights reserved",
                "copyright", "©")
_CAPTION = re.compile(
    r"(?i)(?:\((?:[^()]{0,40}/\s*)?(?:ap|afp|reuters|epa|getty(?: images)?|xinhua|anadolu|handout|supplied|file"
    r"|photo|courtesy|screengrab|screenshot)\b[^()]{0,60}\)\s*$|^(?:in this (?:file )?photo|file photo|photo:))")
_BULLET = re.compile(r"^\s*(?:[•\u25cf\u25aa\u25e6\u2023\u2043·]|[-*+](?=\s))\s+(?P<text>\S.*)$")
_TERMINAL = (".", "!", ":", ";", ",")
_CLOSERS = " \t\"'”’)]»"
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.’'\-]*(?: [A-Z][A-Z.’'\-]*){0,3})(?:,\s+[A-Z][\w.’' -]{1,40}?)?"
                       r"\s*(?:\([^()]{1,30}\)\s*)?(?::|\s[—–-])\s+")
_NOT_DATELINES = frozenset({"BREAKING", "BREAKING NEWS", "UPDATE", "UPDATED", "WATCH", "LIVE", "EXCLUSIVE",
                            "ANALYSIS", "OPINION", "EDITORIAL", "PHOTOS", "VIDEO", "FILE", "NOTE", "CORRECTION"})
_OUTLETS = (  # (outlet, text every match holds: a cheap test before the pattern, pattern)
    ("Arab News", "\nFollow",
     re.compile(r"(?m)^Short Url\n(?:.*\n)?(?:Updated|Published) \d{2} [A-Z][a-z]+ \d{4}\nFollow$")),
    ("Arab News", "\nFollow", re.compile(r"(?m)^(?:Updated|Published) \d{2} [A-Z][a-z]+ \d{4}\nFollow$")),
    ("Moneycontrol", "Discover the latest Business News",
     re.compile(r"Discover the latest Business News, Sensex, and Nifty updates.{0,200}Moneycontrol")),
)


def dateline_of(paragraph: str) -> str | None:
    """The place a report is filed from, as printed: "ISLAMABAD: ..." → "ISLAMABAD"; "KABUL, Afghanistan (AP) —"
    → "KABUL"; else None (a label such as "BREAKING:" is not a place)."""
    m = _DATELINE.match(paragraph)
    if not m or len(m["place"].replace(" ", "")) < 3 or m["place"] in _NOT_DATELINES:
        return None
    return m["place"]


def outlet_of(page: str) -> str | None:
    """The outlet whose page furniture ``page`` carries (layout, promo line), else None.

    A mention in the text ("an interview with Geo News") is not furniture and names no outlet.
    """
    for name, held, pattern in _OUTLETS:
        if held in page and pattern.search(page):
            return name
    return None


def _classify(line: str) -> tuple[str, object]:
    """(kind, value) of one line: blank, stamp, furniture, promo, caption, bullet or para."""
    s = line.strip()
    if not s:
        return "blank", None
    if len(s) <= 80:
        stamp = parse_stamp(s)
        if stamp:
            return "stamp", stamp
        if len(s) <= 45 and _FURNITURE.match(s):
            return "furniture", s
    if len(s) <= 400 and any(map(s.lower().__contains__, _PROMO_WORDS)) and _PROMO.search(s):
        return "promo", s
    if (s.endswith(")") or s[:4].lower() in ("in t", "file", "phot")) and len(s.split()) <= 80 and _CAPTION.search(s):
        return "caption", s
    m = _BULLET.match(line)
    if m:
        return "bullet", m["text"].strip()
    return "para", s


def _hard_wrapped(run: list[str]) -> bool:
    """Lines of one paragraph wrapped at a fixed width (joined with spaces), not one paragraph per line."""
    body = run[:-1]
    return (len(run) > 1 and all(40 <= len(s) <= 100 for s in body)
            and sum(not s.rstrip(_CLOSERS).endswith((".", "!", "?")) for s in body) * 2 >= len(body))


def _items(text: str) -> list[tuple[str, object]]:
    """Classified lines, consecutive hard-wrapped lines joined into one paragraph."""
    items: list[tuple[str, object]] = []
    run: list[str] = []

    def flush() -> None:
        if _hard_wrapped(run):
            items.append(("para", " ".join(run)))
        else:
            items.extend(("para", s) for s in run)
        run.clear()

    for line in text.split("\n"):
        kind, value = _classify(line)
        if kind == "para":
            run.append(value)
            continue
        flush()
        items.append((kind, value))
    flush()
    return items


def _title_like(s: str) -> bool:
    words = len(s.split())
    return 3 <= words <= 30 and len(s) <= 250 and not s.rstrip(_CLOSERS).endswith(_TERMINAL)


def _same_line(a: str, b: str) -> bool:
    return _normalise(a) == _normalise(b)


def _story_starts(items: list[tuple[str, object]]) -> list[int]:
    """Item indices where stories begin: each date stamp opens a story whose title is the line before its header
    (or the line after it); stamps separated only by furniture, captions and blanks share one header."""
    starts = [0]
    last_stamp = None
    for i, (kind, _) in enumerate(items):
        if kind != "stamp":
            continue
        if last_stamp is not None and all(k in ("blank", "furniture", "caption")
                                          for k, _ in islice(items, last_stamp + 1, i)):
            last_stamp = i
            continue
        last_stamp = i
        j = i - 1
        while j >= 0 and items[j][0] in ("blank", "furniture", "caption"):
            j -= 1
        start = j + 1
        if j >= 0 and items[j][0] == "para":
            after = next((v for k, v in islice(items, i + 1, None) if k == "para"), None)
            if _title_like(items[j][1]) or (after is not None and _same_line(items[j][1], after)):
                start = j
        if start > starts[-1]:
            starts.append(start)
    return starts


def _story(items: list[tuple[str, object]], outlet: str | None) -> dict:
    title = None
    stamp = None
    captions: list[str] = []
    summary: list[str] = []
    body: list[str] = []
    content = [i for i, (k, _) in enumerate(items) if k in ("para", "bullet")]
    for i, (kind, value) in enumerate(items):
        if kind == "stamp" and stamp is None and not body:
            stamp = value
        elif kind == "caption":
            captions.append(value)
        elif kind == "bullet":
            (body.append("• " + value) if body else summary.append(value))
        elif kind == "para":
            if title is None and not body and not summary and _title_like(value) and i != content[-1]:
                title = value
            elif title is not None and not body and _same_line(value, title):
                continue
            else:
                body.append(value)
    return {"title": title, "stamp_text": stamp[0] if stamp else None, "stamp_kind": stamp[1] if stamp else None,
            "stamp_date": stamp[2] if stamp else None, "dateline": dateline_of(body[0]) if body else None,
            "captions": captions, "summary": summary, "body": "\n\n".join(body), "outlet": outlet}


def split_stories(raw: str) -> list[dict]:
    """A page → its stories, in order. Each: title, stamp_text, stamp_kind (published|updated), stamp_date
    (datetime.date), dateline, captions (list), summary (bullet lines without the glyph), body (paragraphs joined
    by a blank line, dateline prefix kept), outlet. Furniture and promo lines are dropped; a leading
    "date 2025-10-30" token is read as the first story's published stamp and removed from its text."""
    text = clean_text(raw)
    token = _DATE_TOKEN.match(text)
    lead = None
    if token:
        day = parse_date(token[1])
        if day:
            lead = (token[0].strip(), "published", day)
            text = text[token.end():]
    items = _items(text)
    outlet = outlet_of(text)
    starts = _story_starts(items) + [len(items)]
    stories = []
    for k in range(len(starts) - 1):
        story = _story(items[starts[k]:starts[k + 1]], outlet)
        if k == 0 and lead and story["stamp_text"] is None:
            story.update(stamp_text=lead[0], stamp_kind=lead[1], stamp_date=lead[2])
        if story["title"] or story["body"]:
            stories.append(story)
    return stories


# ----------------------------------------------------------------------------------------------- hashing, tokens

_EQUIVALENTS = (("‘", "'"), ("’", "'"), ("‚", "'"), ("′", "'"), ("“", '"'), ("”", '"'), ("„", '"'), ("″", '"'),
                ("–", "-"), ("—", "-"), ("‒", "-"), ("−", "-"), ("\u00ad", ""))
_TOKEN = re.compile(r"\w+(?:[.,'’-]\w+)*")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in _EQUIVALENTS:
        if a in text:
            text = text.replace(a, b)
    return " ".join(text.lower().split())


def content_hash(text: str) -> str:
    """sha256 (hex) of ``text`` normalised: NFKC, straight quotes and hyphens, lower case, single spaces."""
    return hashlib.sha256(_normalise(text).encode()).hexdigest()


def article_id(body_hash: str) -> str:
    """"a" + the first 12 hex digits of the body's :func:`content_hash`: stable across runs and machines."""
    return "a" + body_hash[:12]


# ----------------------------------------------------------------------------------------------------- topic

_TOPIC_WORD = re.compile(r"[^\W_]+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TopicRule:
    """The conflict lexicon compiled: terms indexed by their first three letters, and the off-topic threshold.

    Each index entry is (leading words, last word, wildcard, weight), phrases before single words, so a phrase wins
    over its words.
    """

    index: dict[str, tuple[tuple[list[str], str, bool, float], ...]]
    threshold: float
    min_words: int


@lru_cache(maxsize=8)
def load_topic_rule(path: str | Path = TOPIC_LEXICON) -> TopicRule:
    """``topic.yaml`` (``threshold``, ``min_words``; ``terms``: term → weight, a trailing ``*`` matching any word
    ending)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        terms = [(tuple(_TOPIC_WORD.findall(str(t).lower())), str(t).endswith("*"), float(w))
                 for t, w in data["terms"].items()]
        threshold, min_words = float(data["threshold"]), int(data["min_words"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as e:
        raise CorpusError(f"{path}: not a topic lexicon ({type(e).__name__}: {e})".replace("\n", " "))
    index: dict[str, list] = {}
    for words, wild, weight in sorted((t for t in terms if t[0]), key=lambda t: (-len(t[0]), -len(t[0][-1]))):
        index.setdefault(words[0][:3], []).append((list(words[:-1]), words[-1], wild, weight))
    return TopicRule({k: tuple(v) for k, v in index.items()}, threshold, min_words)


def topic_score(text: str, rule: TopicRule) -> float:
    """Weighted conflict-term hits per 1,000 words of ``text`` (words: runs of letters and digits; a text shorter
    than ``rule.min_words`` counts as that long)."""
    low = text.lower()
    words = (_TOPIC_WORD if "_" in low else _WORD).findall(low)  # without "_", [^\W_]+ and \w+ find the same words
    n = len(words)
    index = rule.index
    total = 0.0
    free = 0  # words before this one are part of a phrase already counted
    for i in [i for i, w in enumerate(words) if w[:3] in index]:
        if i < free:
            continue
        for head, last, wild, weight in index[words[i][:3]]:
            k = len(head) + 1
            if i + k <= n and words[i:i + k - 1] == head and (
                    words[i + k - 1].startswith(last) if wild else words[i + k - 1] == last):
                total += weight
                free = i + k
                break
    return round(1000.0 * total / max(n, rule.min_words, 1), 2)


# ------------------------------------------------------------------------------------------ near duplicates

_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand
    thousands million millions billion dozen dozens score scores first second third fourth fifth sixth seventh
    eighth ninth tenth half""".split())
_DATE_WORDS = frozenset(
    """january february march april june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday yesterday today tomorrow
    tonight""".split())
_PLAIN_CAPS = frozenset(
    """a an the this that these those he she it they we i his her its their our in on at of for to from by with
    but and or as after before while when where if however meanwhile also earlier later""".split())


@dataclass
class _Tokens:
    """A text's tokens (curly apostrophes straightened): original and lower-case forms, and whether the text stops
    mid-sentence (a cut copy, whose last word may be cut too). What :func:`_compare` needs beyond its first check
    (the text between tokens, sets, facts) is computed on first use."""

    text: str
    orig: list[str]
    lower: list[str]
    cut: bool
    numbers: list[int]   # indices of number tokens (digits or number words)

    @property
    def compared(self) -> int:
        """How many words a comparison reads: all but a cut last word."""
        return len(self.lower) - 1 if self.cut else len(self.lower)

    def initial(self, i: int) -> bool:
        """Does token ``i`` start a sentence or a line?"""
        if i == 0:
            return True
        gap = self.gaps[i]
        return "\n" in gap or gap.strip(" \t\"'“”‘([").endswith((".", "!", "?", ":"))

    @cached_property
    def gaps(self) -> list[str]:
        """``gaps[i]``: the text between token ``i - 1`` and token ``i``."""
        return _TOKEN.split(self.text)

    @cached_property
    def vocab(self) -> frozenset[str]:
        """The distinct lower-case words."""
        return frozenset(self.lower)

    @cached_property
    def number_words(self) -> frozenset[str]:
        """The distinct lower-case number tokens."""
        return frozenset(self.lower[i] for i in self.numbers)

    @cached_property
    def inner_numbers(self) -> frozenset[str]:
        """The distinct number tokens among the compared words, the first and last tenth aside."""
        n = self.compared
        return frozenset(self.lower[i] for i in self.numbers if n // 10 <= i < n - n // 10)

    @cached_property
    def joined(self) -> str:
        """The lower-case words between single spaces, a space at each end: a run of words occurs in the text iff
        its own ``joined`` is a substring (a token holds no space)."""
        return " " + " ".join(self.lower) + " "

    @cached_property
    def facts(self) -> list[int]:
        """Indices of the tokens that :func:`_fact` calls facts even when only deleted or inserted: numbers, dates
        and names not starting a sentence."""
        kinds = {w: kind for w in set(self.orig) if (kind := _fact_kind(w))}
        return [i for i in compress(count(), map(kinds.__contains__, self.orig))
                if kinds[self.orig[i]] == "always" or not self.initial(i)]

    @cached_property
    def fact_words(self) -> list[str]:
        """The lower-case form of each of ``facts``."""
        return [self.lower[i] for i in self.facts]

    @cached_property
    def fact_set(self) -> frozenset[str]:
        """The distinct ``fact_words``."""
        return frozenset(self.fact_words)


def _tokens(text: str) -> _Tokens:
    text = text.replace("’", "'")
    orig = _TOKEN.findall(text)
    lower = list(map(str.lower, orig))
    numeric = set(filter(_is_number, set(lower)))
    numbers = list(compress(count(), map(numeric.__contains__, lower)))
    return _Tokens(text, orig, lower, not text.rstrip(_CLOSERS).endswith((".", "!", "?")), numbers)


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1 << 16)  # words recur across texts: classify each once
def _is_number(low: str) -> bool:
    """A lower-case token with a digit, or a number word."""
    return low in _NUMBER_WORDS or _DIGIT.search(low) is not None


@lru_cache(maxsize=1 << 16)
def _fact_kind(word: str) -> str | None:
    """"always" for a number, number word or date word (a fact wherever it differs), "name" for a capitalised word
    (a fact unless it starts a sentence and is only deleted or inserted), else None."""
    low = word.lower()
    if any(map(str.isdigit, word)) or low in _NUMBER_WORDS or low.rstrip(".") in _DATE_WORDS:
        return "always"
    if word[0].isupper() and low not in _PLAIN_CAPS:
        return "name"
    return None


def _words(text: str) -> list[str]:
    """Lower-case words (the LSH view of a text)."""
    return _WORD.findall(text.lower())


def _fact(tok: _Tokens, i: int, replaced: bool) -> bool:
    """A token that makes a report a different report when it changes: a number, a date, a name or place."""
    kind = _fact_kind(tok.orig[i])
    return kind == "always" or (kind == "name" and (replaced or not tok.initial(i)))


def compare_reports(a: str, b: str, threshold: float = 0.8) -> tuple[bool, str]:
    """Is the shorter of two texts a copy of the other? (verdict, reason); see :func:`_compare`."""
    return _compare(_tokens(a), _tokens(b), threshold)


def _compare(a: _Tokens, b: _Tokens, threshold: float) -> tuple[bool, str]:
    """Is the shorter of two texts a copy of the other? (verdict, reason).

    A copy: at least ``threshold`` of the shorter text's words found in order in the longer one, and no number,
    date or name that differs inside the shared part. What only one text has before the shared part begins
    (furniture, a dateline) or after it ends (truncation) does not count. Past the number check the alignment
    (difflib) decides; :func:`_inside` and :func:`_bound_refusal` give its verdict without it when they can.
    """
    if len(a.lower) > len(b.lower):
        a, b = b, a
    if len(a.lower) < MIN_NEAR_TOKENS:
        return a.lower == b.lower, "too short to compare"
    n_a = a.compared  # a copy cut mid-sentence may end inside a word
    # Fast refusal before the alignment: a number inside the shorter text (edges aside) that the longer one lacks.
    if not a.inner_numbers <= b.number_words:
        edge = n_a // 10
        i = next(i for i in a.numbers if edge <= i < n_a - edge and a.lower[i] not in b.number_words)
        return False, f"differ in {a.orig[i]!r} (not in the other text)"
    # The shorter text whole inside the longer one: the alignment is that one block, with only edges around it.
    if _inside(a, b):
        return True, f"{n_a}/{n_a} words shared"
    refusal = _bound_refusal(a, n_a, b, threshold * n_a)
    if refusal:
        return False, refusal
    return _aligned(a, n_a, b, threshold)


def _inside(a: _Tokens, b: _Tokens) -> bool:
    """Do the compared words of ``a`` occur in ``b``, in a row?"""
    return (a.joined[:-len(a.lower[-1]) - 1] if a.cut else a.joined) in b.joined  # a cut last word left out


def _aligned(a: _Tokens, n_a: int, b: _Tokens, threshold: float) -> tuple[bool, str]:
    """:func:`_compare`'s verdict from the alignment of the first ``n_a`` words of ``a`` (the shorter) with ``b``."""
    matcher = SequenceMatcher(None, a.lower[:n_a], b.lower, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    if matched < threshold * n_a:
        return False, f"only {matched}/{n_a} words shared"
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        edge = (n == 0 and i1 == 0 and j1 == 0) or (n == len(ops) - 1 and (i2 == n_a or j2 == len(b.lower)))
        if edge and tag != "replace":
            continue
        replaced = tag == "replace"
        for tok, lo, hi in ((a, i1, i2), (b, j1, j2)):
            for i in range(lo, hi):
                if _fact(tok, i, replaced):
                    other = " ".join(b.orig[j1:j2]) if tok is a else " ".join(a.orig[i1:i2])
                    return False, f"differ in {tok.orig[i]!r} ({' '.join(tok.orig[lo:hi])!r} vs {other!r})"
    return True, f"{matched}/{n_a} words shared"


def _bound_refusal(a: _Tokens, n_a: int, b: _Tokens, need: float) -> str | None:
    """A refusal that :func:`_compare`'s alignment would reach too, found without it; else None.

    A fact that the other text lacks is never matched, so it sits in a deleted, inserted or replaced part; only a
    deleted or inserted part before the first or after the last shared block goes unchecked. So either such a fact
    is checked and refuses, or every shared word lies between two consecutive missing facts (or an end): when no
    such stretch holds ``need`` words that the other text has, fewer than ``need`` words can be shared.
    """
    for tok, n, other in ((a, n_a, b.vocab), (b, len(b.lower), a.vocab)):
        absent = tok.fact_set - other
        missing = list(compress(tok.facts, map(absent.__contains__, tok.fact_words))) if absent else []
        if missing and missing[-1] >= n:  # a cut last word is not compared
            missing.pop()
        if not missing:
            continue
        cuts = [-1, *missing, n]
        if max(map(sub, cuts[1:], cuts)) - 1 >= need:  # word counts first, then shared words
            shared = [0, *accumulate(map(other.__contains__, tok.lower[:n]))]
            if max(shared[hi] - shared[lo + 1] for lo, hi in zip(cuts, cuts[1:])) >= need:
                continue
        names = ", ".join(repr(w) for w in list(dict.fromkeys(tok.orig[i] for i in missing))[:3])
        return f"differ in {names} (not in the other text)"
    return None


# MurmurHash3's 32-bit finalizer and the affine permutations of datasketch's default (affine32) MinHash scheme,
# applied to all shingles of a text at once: the same sketch as MinHash.update_batch, without its per-shingle loop.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_MINHASH = MinHash(num_perm=NUM_PERM)


def _sketch(shingles: np.ndarray) -> LeanMinHash:
    """The MinHash of a text's shingle hashes (each below 2**32), equal to ``MinHash(num_perm=NUM_PERM)`` updated
    with them."""
    s1, m1, s2, m2, s3 = _FMIX32
    hv = shingles.astype(np.uint32)
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    a, b = _MINHASH.permutations
    return LeanMinHash(seed=_MINHASH.seed, hashvalues=(hv[:, None] * a + b).min(axis=0), scheme=_MINHASH.scheme)


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))


def _lead_facts(text: str) -> int:
    """A key of the facts in a text's lead (numbers, number words and capitalised names of its first words).

    Shingles are salted with it, so reports whose leads state different facts (a reused wire template with another
    toll, date or place) land in different LSH buckets instead of one giant bucket; a truncated copy keeps its lead.
    """
    first = text.split(maxsplit=LEAD_TOKENS)[:LEAD_TOKENS]
    facts = sorted({w.strip(".,;:!?()[]“”\"‘’'") for w in first
                    if any(map(str.isdigit, w)) or w.lower() in _NUMBER_WORDS or w[:1].isupper()})
    return zlib.crc32(" ".join(facts).encode())


def _shingles(words: list[str]) -> np.ndarray:
    """32-bit hashes of each run of ``SHINGLE`` words (repeats included: a sketch is a minimum): CRC-32 per word,
    mixed (deterministic across runs, unlike ``hash``, and vectorised)."""
    h = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(h) < SHINGLE:
        return np.array([int(np.bitwise_xor.reduce(h))], dtype=np.uint64)
    mixed = (h[:-2] * _MIX[0]) ^ (h[1:-1] * _MIX[1]) ^ h[2:]
    return (mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)


def near_features(body: str, dateline: str | None) -> tuple[int, LeanMinHash | None, int]:
    """What the near-duplicate index needs of a body: its length in words (longest texts found clusters), its
    MinHash (None below ``MIN_NEAR_TOKENS`` words: such texts merge only when equal) and the key of its lead
    (a truncated copy keeps the lead). Pure, so the workers that parse documents compute it."""
    size = len(body.split())
    if size < MIN_NEAR_TOKENS:
        return size, None, 0
    text = _strip_dateline(body, dateline)
    words = _words(text)
    sketch = _sketch(_shingles(words) ^ np.uint64(_lead_facts(text)))
    return size, sketch, zlib.crc32("\x1f".join(words[:LEAD_TOKENS]).encode())


def _strip_dateline(body: str, dateline: str | None) -> str:
    m = _DATELINE.match(body) if dateline else None
    return body[m.end():] if m else body


def group_copies(bodies: Sequence[str], datelines: list[str | None], threshold: float,
                 keys: list[str] | None = None,
                 features: list[tuple[int, LeanMinHash | None, int]] | None = None,
                 verdicts: ReadingCache | None = None,
                 trace: dict | None = None) -> tuple[list[list[int]], list[dict]]:
    """Clusters of copies (indices; the longest text first) and the LSH candidates refused, with reasons.

    Exact copies share a content hash (``keys``: the bodies' :func:`content_hash`, when known). Near copies are
    found with MinHash LSH over word shingles (Jaccard at ``threshold``) and by a shared lead (a truncated copy),
    then verified with :func:`_compare`. Longest texts found clusters; each shorter text joins at most one cluster,
    so a copy that fits two reports does not chain them together. Memory holds the LSH index and the tokens of the
    texts last compared, not every text's. ``features``: each body's :func:`near_features`, when already computed
    (by the workers that parsed the documents). ``verdicts``: a reading cache whose verdicts of :func:`_compare`
    are used instead of comparing again (looked up a batch of placed texts at a time), and which keeps the new
    ones; the clustering runs as without it, so its result is the same. ``trace``, when given, receives the
    cluster founder of each exact group's first text (``cluster_of``), for a delta read (reading_state.py).
    """
    exact: dict[str, list[int]] = {}
    if keys is None:
        keys = [content_hash(body) for body in bodies]
    for i, key in enumerate(keys):
        exact.setdefault(key, []).append(i)

    def text(i: int) -> str:
        return _strip_dateline(bodies[i], datelines[i])

    @lru_cache(maxsize=TOKENS_CACHED)
    def tokens(i: int) -> _Tokens:
        return _tokens(text(i))

    def compare(i: int, c: int) -> tuple[bool, str]:
        return _compare(tokens(i), tokens(c), threshold)

    reps = [m[0] for m in exact.values()]
    near = {i: features[i] for i in reps} if features is not None else {
        i: near_features(bodies[i], datelines[i]) for i in reps}
    size = {i: near[i][0] for i in reps}  # for the order: longest first
    order = sorted(size, key=lambda i: (-size[i], i))
    rank = dict(zip(order, count()))  # place in ``order``: sorts candidates as the order does, without a lambda
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    leads: dict[int, list[int]] = {}
    cluster_of: dict[int, int] = {}
    refused: list[dict] = []
    eligible = [i for i in order if size[i] >= MIN_NEAR_TOKENS]
    for i in order[len(eligible):]:
        cluster_of[i] = i
    cached = _CachedVerdicts(verdicts, compare, text, threshold) if verdicts is not None else None
    decide = cached if cached is not None else compare
    for batch in (batched(eligible, VERDICTS_BATCH) if cached is not None else [eligible]):
        if cached is not None:
            cached.prefetch(batch)
        for i in batch:
            _, sketch, lead = near[i]
            candidates = sorted(set(lsh.query(sketch)).union(leads.get(lead, ())), key=rank.__getitem__)
            for c in candidates[:MAX_CANDIDATES]:
                same, reason = decide(i, c)
                if same:
                    cluster_of[i] = cluster_of[c]
                    break
                refused.append({"kept": c, "refused": i, "reason": reason})
            else:
                cluster_of[i] = i
                lsh.insert(i, sketch)
                leads.setdefault(lead, []).append(i)
        if cached is not None:
            cached.keep()
    if trace is not None:
        trace["cluster_of"] = cluster_of
    clusters: dict[int, list[int]] = {}
    for i in order:
        clusters.setdefault(cluster_of[i], []).extend(exact[keys[i]])
    return list(clusters.values()), refused


class _CachedVerdicts:
    """:func:`_compare` through a reading cache's verdicts, for :func:`group_copies`: the verdicts on a batch of
    texts about to be placed are looked up at once (:meth:`prefetch`), those missing are run and kept (:meth:`keep`).

    Keys are of the texts as compared (dateline stripped), so they hold whatever a text's index in this run; a
    candidate was placed before the text compared with it, so its key is known by then.
    """

    def __init__(self, verdicts: ReadingCache, compare: Callable[[int, int], tuple[bool, str]],
                 texts: Callable[[int], str], threshold: float) -> None:
        self.verdicts = verdicts
        self.compare = compare
        self.texts = texts
        self.threshold = threshold
        self.keys: dict[int, bytes] = {}
        self.known: dict[tuple[bytes, bytes], tuple[bool, str]] = {}
        self.fresh: list[tuple[bytes, bytes, bool, str]] = []
        self.reused = 0

    def prefetch(self, placed: list[int]) -> None:
        """Look up every cached verdict on the texts ``placed`` next."""
        for i in placed:
            self.keys[i] = self.verdicts.text_key(self.texts(i), self.threshold)
        self.known = self.verdicts.get_verdicts(self.keys[i] for i in placed)

    def __call__(self, i: int, c: int) -> tuple[bool, str]:
        pair = (self.keys[i], self.keys[c])
        verdict = self.known.get(pair)
        if verdict is None:
            verdict = self.known[pair] = self.compare(i, c)
            self.fresh.append((*pair, *verdict))
        else:
            self.reused += 1
        return verdict

    def keep(self) -> None:
        """Store the verdicts run since the last call, and count those reused."""
        self.verdicts.put_verdicts(self.fresh, self.reused)
        self.fresh, self.reused = [], 0


# ---------------------------------------------------------------------------------------------------- articles

def _instances(doc: dict) -> Iterator[dict]:
    """The stories of one document, with the document's metadata filled in where the text is silent (a headline
    printed in the text wins over a record's ``title``; the record's ``date`` wins over a printed stamp)."""
    stories = split_stories(doc["text"])
    for n, story in enumerate(stories):
        if n == 0:
            if doc["title"] and not story["title"]:
                story["title"] = doc["title"]
                first, _, rest = story["body"].partition("\n\n")
                if _same_line(first, doc["title"]):
                    story["body"] = rest
            if doc["date"]:
                day = parse_date(doc["date"])
                if day or not story["stamp_date"]:
                    story.update(stamp_text=doc["date"], stamp_kind=doc["date_kind"] or "published", stamp_date=day)
            story["captions"] = doc["captions"] + story["captions"]
        story.update(source_id=doc["source_id"], file=doc["file"], record=doc["record"], story=n,
                     url=doc["url"], outlet=story["outlet"] or doc["source"])
        yield story


class _Bodies:
    """The stories' bodies, or when a worker built a story's article, cut on demand from the end of its text (a
    sequence for :func:`group_copies`, which reads only the bodies it compares)."""

    def __init__(self, stories: list[dict]) -> None:
        self.stories = stories

    def __len__(self) -> int:
        return len(self.stories)

    def __getitem__(self, i: int) -> str:
        story = self.stories[i]
        if "body" in story:
            return story["body"]
        article = story["article"]
        return article["text"][article["body_start"]:]


def _read_item(item: dict, rule: TopicRule, prebuild: bool = False) -> tuple[str, object, list[dict]]:
    """One item of :func:`iter_documents`, read as far as it can be alone: (kind, payload, skipped records).

    A document gives its stories, each with its ``content_key`` and its :func:`near_features`; with ``prebuild``
    (parallel workers), also the ``article`` it makes when it has no copy, whose text ends with the story's body
    (kept instead of the body); stories too short to be one, or a document of furniture only, are skipped with the
    reason. File entries and skips pass through.
    """
    kind = item.pop("kind")
    if kind == "file":
        return kind, item, []
    if kind == "skip":
        return kind, None, [{"path": item["file"], "record": item["record"], "reason": item["reason"]}]
    found = list(_instances(item))
    skipped: list[dict] = []
    if not found:
        where = f"record {item['record']}: " if item["record"] else ""
        skipped.append({"path": item["file"], "record": item["record"],
                        "reason": f"{where}only page furniture, no story text"})
    stories = []
    for story in found:
        words = len(story["body"].split())
        if words < MIN_STORY_WORDS:
            where = f"story {story['story'] + 1}" + (f" of record {item['record']}" if item["record"] else "")
            skipped.append({"path": story["file"], "record": story["record"],
                            "reason": f"{where}: too short for a story ({words} words of body)"})
        else:
            story["content_key"] = content_hash(story["body"])
            story["near"] = near_features(story["body"], story["dateline"])
            if prebuild:
                story["article"] = _article([story], rule, story["content_key"])
                del story["body"]  # the end of the article's text (see _Bodies): one copy of each text in memory
            stories.append(story)
    return kind, stories, skipped


def _first(copies: list[dict], key: str):
    return next((c[key] for c in copies if c[key] not in (None, "", [])), None)


def _article(copies: list[dict], rule: TopicRule, body_hash: str | None = None) -> dict:
    """One article from its copies (the first is the most complete; ``body_hash``: its body's content hash, when
    known): text laid out as title, summary, body."""
    rep = copies[0]
    title = rep["title"] or _first(copies, "title")
    summary = rep["summary"] or _first(copies, "summary") or []
    stamped = rep if rep["stamp_text"] else next((c for c in copies if c["stamp_text"]), rep)
    captions = list(dict.fromkeys(c for copy in copies for c in copy["captions"]))
    head = "\n\n".join(part for part in (title, "\n".join(summary)) if part)
    text = head + "\n\n" + rep["body"] if head else rep["body"]
    published, kind, precision, note = infer_writing_date(stamped["stamp_date"], stamped["stamp_kind"], rep["body"],
                                                          captions)
    score = topic_score(text, rule)
    article = {
        "article_id": article_id(body_hash or content_hash(rep["body"])),
        "title": title,
        "text": text,
        "published": published.isoformat() if published else None,
        "date_kind": kind,
        "dateline": rep["dateline"] or _first(copies, "dateline"),
        "topic": "conflict" if score >= rule.threshold else "off_topic",
        "files": sorted({c["file"] for c in copies}),
        "source_ids": [c["source_id"] for c in copies],
        "n_copies": len(copies),
        "date_precision": precision,
        "date_note": note,
        "stamp_text": stamped["stamp_text"],
        "stamp_kind": stamped["stamp_kind"],
        "stamp_date": stamped["stamp_date"].isoformat() if stamped["stamp_date"] else None,
        "outlet": rep["outlet"] or _first(copies, "outlet"),
        "url": rep["url"] or _first(copies, "url"),
        "captions": captions,
        "summary": list(summary),
        "topic_score": score,
        "content_hash": content_hash(text),
        "body_start": len(head) + 2 if head else 0,
    }
    assert list(article) == schema.ARTICLES, "article keys out of step with schema.ARTICLES"
    return article


def _no_article_error(root: Path, inputs: list[dict], skipped: list[dict]) -> CorpusError:
    if root.is_file() and inputs and inputs[0]["fate"] == "skipped":
        return CorpusError(f"{root}: no usable article ({inputs[0]['reason']})")
    reasons = [f"{i['path']}: {i['reason']}" for i in inputs if i["fate"] == "skipped"]
    reasons += [f"{s['path']}: {s['reason']}" for s in skipped]
    detail = f"{len(inputs)} files; first problem: {reasons[0]}" if reasons else f"{len(inputs)} files"
    return CorpusError(f"{root}: no usable article ({detail})")


def _read_cached(read: Callable[[dict], tuple[str, object, list[dict]]], items: Iterable[dict],
                 cache: ReadingCache, engine: Engine | None) -> Iterator[tuple[str, object, list[dict]]]:
    """``read`` (a :func:`_read_item` that prebuilds) over ``items``, in order, through ``cache``: a batch of items
    is looked up at once; only the documents not found (and the file and skip entries) are read, on ``engine`` when
    given, and their readings stored. At most ``engine.in_flight`` batches are held at once."""
    engine = engine if engine is not None else Engine()
    pending: deque = deque()

    def release(keys: list[bytes | None], found: dict, future) -> list[tuple[str, object, list[dict]]]:
        read_now = iter(future.result())
        out = [("document", *found[key]) if key in found else next(read_now) for key in keys]
        cache.put_documents([(key, (stories, skips)) for key, (_, stories, skips) in zip(keys, out)
                             if key is not None and key not in found])
        return out

    batches, lone = engine.batches(items)
    for batch in batches:
        keys = [cache.document_key(item) if item["kind"] == "document" else None for item in batch]
        found = cache.get_documents(key for key in keys if key is not None)
        todo = [item for item, key in zip(batch, keys) if key not in found]
        pending.append((keys, found, engine.submit(read, todo, lone)))
        while len(pending) >= engine.in_flight:
            yield from release(*pending.popleft())
    while pending:
        yield from release(*pending.popleft())


def read_corpus(path: str | Path, *, topic_threshold: float | None = None, max_file_mb: float = 20.0,
                near_duplicate_threshold: float = 0.8, engine: Engine | None = None,
                cache_dir: str | Path | None = None, keep: Path | None = None) -> Corpus:
    """Read a folder, a file, or a .jsonl/.csv into distinct articles (sorted by article_id).

    Each document is parsed on ``engine`` when given (a process pool or a Dask cluster: splitting stories,
    reading stamps, the near-duplicate sketch and the single-copy article are pure per document); the
    near-duplicate clustering then runs here, in input order.

    With ``cache_dir``, a rerun reuses what an earlier read of the same documents (or of a part of the corpus)
    computed: each document's reading and each near-copy verdict, kept in ``cache_dir/reading-cache.sqlite``
    (:mod:`conflictlens.reading_cache`); the clustering runs again over every story, so the result is the one an
    uncached read gives. The returned corpus's ``reading_reuse`` tells what was reused and what was computed.

    With ``keep`` (a run's state folder), the read is kept for a later delta read (reading_state.py).

    ``topic_threshold`` overrides ``lexicon/topic.yaml``'s; ``max_file_mb`` skips larger files (with the reason);
    ``near_duplicate_threshold`` is the share of a shorter text that must be found in a longer one to be its copy.
    Raises :class:`CorpusError` for a missing path, bad parameters, or a corpus without one usable article.
    """
    if not 0 < near_duplicate_threshold <= 1:
        raise CorpusError(f"{path}: near_duplicate_threshold must be in (0, 1], not {near_duplicate_threshold}")
    rule = load_topic_rule()
    if topic_threshold is not None:
        rule = TopicRule(rule.index, float(topic_threshold), rule.min_words)
    inputs: list[dict] = []
    skipped: list[dict] = []
    stories: list[dict] = []
    items = iter_documents(path, max_file_mb=max_file_mb)
    cache = ReadingCache(cache_dir, rule) if cache_dir is not None else None
    try:
        # Workers also build each story's own article (most stories have no copy), and so does a cached read (the
        # article is kept with the reading); alone, this process builds articles after the clustering, once per
        # cluster.
        read = partial(_read_item, rule=rule,
                       prebuild=cache is not None or (engine is not None and engine.slots > 1))
        if cache is not None:
            results = _read_cached(read, items, cache, engine)
        else:
            results = engine.map(read, items) if engine is not None else map(read, items)
        for kind, item, skips in results:
            if kind == "file":
                inputs.append(item)
            skipped.extend(skips)
            if kind == "document":
                stories.extend(item)
        keys = [s.pop("content_key") for s in stories]
        bodies = _Bodies(stories)
        near = [s.pop("near") for s in stories]
        trace: dict = {}
        clusters, refused = group_copies(bodies, [s["dateline"] for s in stories], near_duplicate_threshold, keys,
                                         near, verdicts=cache, trace=trace)
        reuse = cache.stats() if cache is not None else {}
    finally:
        if cache is not None:
            cache.close()
    articles = []
    produced: dict[str, list[str]] = {}
    merged: dict[str, list[str]] = {}
    for members in clusters:
        copies = [stories[i] for i in members]
        # A story alone is its own article, already built by the worker that parsed it.
        article = copies[0]["article"] if len(copies) == 1 and "article" in copies[0] else _article(
            [dict(stories[i], body=bodies[i]) for i in members], rule, keys[members[0]])
        articles.append(article)
        produced.setdefault(copies[0]["file"], []).append(article["article_id"])
        for c in copies[1:]:
            if c["file"] != copies[0]["file"]:
                merged.setdefault(c["file"], []).append(article["article_id"])
    _account(inputs, stories, skipped, produced, merged)
    if keep is not None:
        from . import reading_state

        reading_state.record(keep, stories, bodies, keys, near, trace["cluster_of"],
                             Counter(r["refused"] for r in refused), inputs, skipped, near_duplicate_threshold)
    for story in stories:
        story.pop("article", None)
        story.pop("body", None)
    articles.sort(key=lambda a: a["article_id"])
    if len({a["article_id"] for a in articles}) != len(articles):
        raise ValueError("two distinct articles share an article_id")
    if not articles:
        raise _no_article_error(Path(path), inputs, skipped)
    for r in refused:
        for key in ("kept", "refused"):
            story = stories[r[key]]
            r[key] = f"{story['source_id']}#{story['story'] + 1}"
    return Corpus(articles=articles, inputs=inputs, skipped_records=skipped, refused_near_duplicates=refused,
                  reading_reuse=reuse)


def _account(inputs: list[dict], stories: list[dict], skipped: list[dict], produced: dict[str, list[str]],
             merged: dict[str, list[str]]) -> None:
    """Each input's stories, the articles it produced, the articles it was merged into, and its fate."""
    n_stories = Counter(s["file"] for s in stories)
    first_skip: dict[str, str] = {}
    for s in skipped:
        first_skip.setdefault(s["path"], s["reason"])
    for entry in inputs:
        entry["stories"] = n_stories[entry["path"]]
        entry["articles"] = sorted(set(produced.get(entry["path"], [])))
        entry["merged_into"] = sorted(set(merged.get(entry["path"], [])) - set(entry["articles"]))
        if entry["fate"] == "loaded" and not entry["articles"]:
            if entry["merged_into"]:
                entry["fate"] = "merged"
            else:
                reason = first_skip.get(entry["path"])
                entry.update(fate="skipped", reason="no usable story" + (f" ({reason})" if reason else ""))
