"""Build realistic corpora of any size from the seed stories, for the benchmarks.

Each seed story (the five files, split where a page appended the crypto story, page furniture stripped) becomes a
template once: literal text with slots for dates, weekdays, places, casualty numbers and armed groups. An article
is a template rendered with a fresh context: its date moved somewhere in 2019-2026 with every date and weekday in
the text moved with it (so "on Tuesday" still names the day of the attack), districts swapped (the province
follows), casualty counts redrawn (the same count twice in a story stays one number), groups swapped for ones
active in that province; it keeps its story's title and lead, 5 in 8 of its paragraphs, and is filled back to
about the story's length with paragraphs of the other conflict stories. About one article in ten is a wire copy
of a recent one: the same text under another outlet, with page furniture added, a tail added, or cut short.
Deterministic for a seed, and prefix-stable: the first k records of ``records(n)`` are ``records(k)``.

    python bench/generate.py --n 10000 --out /tmp/c.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from conflictlens import paths

FORMATS = ("jsonl", "csv")
FIELDS = ("id", "title", "date", "source", "text")
APPENDED_TITLE = "Pakistan, global crypto exchange discuss"
WIRE_SHARE = 0.10
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2026, 12, 31)

SOURCES = ("Arab News", "Dawn", "The Express Tribune", "Reuters", "AP", "AFP", "Geo News", "The News", "Mint", "APP")
PROVINCE_DISTRICTS = {
    "Khyber Pakhtunkhwa": (
        "Bajaur", "Khyber", "Kurram", "North Waziristan", "South Waziristan", "Bannu", "Lakki Marwat", "Tank",
        "Dera Ismail Khan", "Mohmand", "Orakzai", "Swat", "Lower Dir", "Mansehra",
    ),
    "Balochistan": ("Quetta", "Kech", "Gwadar", "Zhob", "Panjgur", "Mastung", "Nushki", "Kalat", "Dera Bugti"),
}
AFGHAN_PROVINCES = ("Khost", "Paktika", "Kunar", "Nangarhar", "Paktia", "Kandahar", "Helmand")
# (short, long, alias, provinces where active)
GROUPS = (
    ("TTP", "Tehreek-e-Taliban Pakistan", "Pakistani Taliban", ("Khyber Pakhtunkhwa", "Balochistan")),
    ("TJP", "Tehreek-e-Jihad Pakistan", "Tehreek-e-Jihad", ("Khyber Pakhtunkhwa",)),
    ("ISKP", "Islamic State Khorasan Province", "Islamic State", ("Khyber Pakhtunkhwa", "Balochistan")),
    ("JuA", "Jamaat-ul-Ahrar", "Ahrar faction", ("Khyber Pakhtunkhwa",)),
    ("HGB", "Hafiz Gul Bahadur group", "Gul Bahadur group", ("Khyber Pakhtunkhwa",)),
    ("BLA", "Baloch Liberation Army", "Baloch separatists", ("Balochistan",)),
    ("BLF", "Balochistan Liberation Front", "Baloch insurgents", ("Balochistan",)),
    ("LeJ", "Lashkar-e-Jhangvi", "Lashkar-e-Jhangvi", ("Balochistan",)),
)
# The seeds' group forms: form -> (group, which form)
SEED_GROUP_FORMS = {
    "TTP": ("TTP", 0), "Tehrik-e Taliban Pakistan": ("TTP", 1), "Tehreek-e-Taliban Pakistan": ("TTP", 1),
    "Tehreek-i-Taliban Pakistan": ("TTP", 1), "Pakistan Taliban": ("TTP", 2), "Pakistani Taliban": ("TTP", 2),
    "TJP": ("TJP", 0), "Tahreek-e-Jihad Pakistan": ("TJP", 1), "Gul Bahadur group": ("HGB", 2),
}
SEED_PLACES = {"Dera Ismail Khan": "pk", "Bajaur": "pk", "North Waziristan": "pk", "Mansehra": "pk", "Khost": "af"}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
MONTH_NUMBER = {m: i + 1 for i, m in enumerate(MONTHS)} | {
    m.rstrip("."): i + 1 for i, m in enumerate(AP_MONTHS) if m.endswith(".")} | {"Sep": 9}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
WORD_VALUE = {w: i for i, w in enumerate(WORDS)} | {w.capitalize(): i for i, w in enumerate(WORDS)}

_ABBR = r"(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\."
_FULL = "|".join(MONTHS)
_CASUALTY_NOUN = (r"(?:soldiers|troops|militants|attackers|people|civilians|policemen|personnel|terrorists|"
                  r"insurgents|fighters|killed|dead|injured|wounded)")
SLOTS = re.compile(
    r"(?P<day>(?P<mon>" + _ABBR + "|" + _FULL + r") (?P<d1>\d{1,2})(?:(?P<dash>[–-])(?P<d2>\d{1,2}))?(?![\d,])"
    r"(?:, (?P<y>(?:19|20)\d\d))?)"
    r"|(?P<month>\b(?P<mmon>" + _FULL + r")\b(?: (?P<my>(?:19|20)\d\d)\b)?)"
    r"|(?P<year>(?<![\d,.])(?:19|20)\d\d(?![\d,]))"
    r"|(?P<weekday>\b(?:" + "|".join(WEEKDAYS) + r")\b)"
    r"|(?P<group>" + "|".join(sorted(map(re.escape, SEED_GROUP_FORMS), key=len, reverse=True)) + r")\b"
    r"|(?P<place>\b(?:" + "|".join(map(re.escape, SEED_PLACES)) + r")\b)"
    r"|(?P<province>Khyber Pakhtunkhwa)"
    r"|(?P<num>(?<![\w,.$])(?:\d{1,3}|" + "|".join(WORD_VALUE) + r")(?=(?:\s+[\w-]+){0,2}?\s+" + _CASUALTY_NOUN + r"\b))"
)
# The day each seed story was written (tests/data/seeds_gold.yaml, `written_on`): a page's stamp is not always it
# (the first story's stamp is an update two months later). A new seed file falls back to its stamp.
WRITTEN_ON = {"000": date(2023, 12, 14), "001": date(2020, 5, 8), "002": date(2025, 11, 19),
              "003": date(2025, 10, 30), "004": date(2025, 10, 30), "appended": date(2025, 12, 5)}
FURNITURE_LINE = re.compile(r"^(?:Short Url|Follow|Updated \d{1,2} \w+ \d{4})\s*$")
STAMP = re.compile(r"(?:Updated (\d{1,2} \w+ \d{4}))|(?:^\s*date (\d{4}-\d{2}-\d{2}))", re.MULTILINE)
TAILS = ("Discover the latest Business News, Sensex, and Nifty updates.",)


@dataclass(frozen=True)
class Story:
    """One seed story as a template: paragraphs of literal text and slots, dated relative to the story's day."""

    title: tuple | str | None
    lead: tuple  # always kept: the bullet summary and the first paragraph of the body
    body: tuple  # each kept or left out
    body_sizes: tuple  # about how long each body paragraph renders
    conflict: bool


# -- templates --------------------------------------------------------------------------------------------------
def _stories_text() -> list[tuple[str, str]]:
    """(key, text) of each seed story, in file order: the files split where the crypto story was appended (that
    story taken once, keyed "appended"), the others keyed by the file's number."""
    stories, appended = [], None
    for path in sorted(paths.SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        cut = text.find("\n" + APPENDED_TITLE)
        if cut >= 0:
            appended = appended or text[cut + 1 :]
            text = text[:cut]
        stories.append((path.name.split("_")[0], text))
    return stories + ([("appended", appended)] if appended else [])


def _reference_day(text: str) -> date | None:
    m = STAMP.search(text)
    if not m:
        return None
    if m.group(1):
        day, month, year = m.group(1).split()
        return date(int(year), MONTH_NUMBER[month], int(day))
    return date.fromisoformat(m.group(2))


def _clean(text: str) -> tuple[str | None, list[str]]:
    """(title, paragraphs) of a seed story with page furniture removed, roughly."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    lines[0] = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", lines[0])
    title = None
    follow = next((i for i, line in enumerate(lines[:10]) if line.strip() == "Follow"), None)
    if follow is not None:
        title = lines[0].strip()
        lines = [line for line in lines[follow + 1 :] if line.strip() != title]
    paragraphs: list[str] = []
    for line in lines:
        if not line.strip() or FURNITURE_LINE.match(line.strip()) or line.startswith(TAILS):
            continue
        if paragraphs and _is_bullet(line) and _is_bullet(paragraphs[-1]):
            paragraphs[-1] += "\n" + line  # a bullet summary stays one block of lines
        else:
            paragraphs.append(line)
    return title, paragraphs


def _is_bullet(line: str) -> bool:
    return line.lstrip().startswith("•")


def _infer_year(month: int, day: int, ref: date) -> int:
    """The year a date printed without one most likely has, in a story written on ``ref``."""
    return ref.year if (month, day) <= (ref.month + 1, ref.day) else ref.year - 1


def _template(text: str, ref: date) -> tuple | str:
    """``text`` itself when it has no slot, else literal strings and slots, dates as offsets from ``ref``:
    ("day", days, span_days, (abbreviated, dash), has_year) | ("month", days, has_year) | ("year", years) |
    ("weekday", days after the story's weekday) |
    ("group", seed_group, form) | ("place", name) | ("province",) | ("num", value, style)."""
    parts: list = []
    pos = 0
    for m in SLOTS.finditer(text):
        parts.append(text[pos : m.start()])
        pos = m.end()
        if m.group("day"):
            month = MONTH_NUMBER[m.group("mon").rstrip(".")]
            d1 = int(m.group("d1"))
            year = int(m.group("y")) if m.group("y") else _infer_year(month, d1, ref)
            try:
                start = date(year, month, d1)
            except ValueError:  # not a date after all: keep the text
                parts.append(m.group(0))
                continue
            span = int(m.group("d2")) - d1 if m.group("d2") else None
            style = (m.group("mon").endswith("."), m.group("dash") or "")
            parts.append(("day", (start - ref).days, span, style, bool(m.group("y"))))
        elif m.group("month"):
            month = MONTH_NUMBER[m.group("mmon")]
            year = int(m.group("my")) if m.group("my") else _infer_year(month, 15, ref)
            parts.append(("month", (date(year, month, 15) - ref).days, bool(m.group("my"))))
        elif m.group("year"):
            parts.append(("year", int(m.group("year")) - ref.year))
        elif m.group("weekday"):
            parts.append(("weekday", (WEEKDAYS.index(m.group("weekday")) - ref.weekday()) % 7))
        elif m.group("group"):
            parts.append(("group", *SEED_GROUP_FORMS[m.group("group")]))
        elif m.group("place"):
            parts.append(("place", m.group("place")))
        elif m.group("province"):
            parts.append(("province",))
        else:
            raw = m.group("num")
            if raw.isdigit():
                parts.append(("num", int(raw), "digits"))
            else:
                parts.append(("num", WORD_VALUE[raw], "Word" if raw[0].isupper() else "word"))
    parts.append(text[pos:])
    return tuple(p for p in parts if p != "") if len(parts) > 1 else text


def _chars(template: tuple | str) -> int:
    """About how long a template renders."""
    return len(template) if template.__class__ is str else sum(len(p) if p.__class__ is str else 8 for p in template)


def load_stories() -> list[Story]:
    """The seed stories as templates."""
    texts = _stories_text()
    refs = [WRITTEN_ON.get(key) or _reference_day(text) for key, text in texts]
    fallback = max(r for r in refs if r is not None)  # a story with no date: as recent as the latest one
    stories = []
    for (_, text), ref in zip(texts, refs):
        ref = ref or fallback
        title, paragraphs = _clean(text)
        templates = [_template(p, ref) for p in paragraphs]
        n_lead = next(i for i, p in enumerate(paragraphs) if not _is_bullet(p)) + 1
        stories.append(
            Story(
                title=_template(title, ref) if title else None,
                lead=tuple(templates[:n_lead]),
                body=tuple(templates[n_lead:]),
                body_sizes=tuple(map(_chars, templates[n_lead:])),
                conflict=not text.startswith(APPENDED_TITLE),
            )
        )
    return stories


# -- rendering --------------------------------------------------------------------------------------------------
@dataclass
class _Context:
    """One article's values: its day, districts (in one province), groups and casualty counts."""

    day: date
    places: dict[str, str]
    province: str
    groups: dict[str, tuple]
    numbers: dict[int, int]
    rng: random.Random

    def number(self, value: int) -> int:
        """The count that replaces ``value`` in this article (the same every time it is printed)."""
        if value not in self.numbers:
            r = self.rng.random()
            self.numbers[value] = (
                self.rng.randint(1, 12) if r < 0.6 else self.rng.randint(13, 40) if r < 0.9 else self.rng.randint(41, 150)
            )
        return self.numbers[value]


def _month_name(d: date, abbreviated: bool) -> str:
    return AP_MONTHS[d.month - 1] if abbreviated else MONTHS[d.month - 1]


def _render(parts: tuple | str, ctx: _Context) -> str:
    if parts.__class__ is str:
        return parts
    out = []
    for part in parts:
        if part.__class__ is str:
            out.append(part)
            continue
        kind = part[0]
        if kind == "day":
            _, days, span, (abbr, dash), has_year = part
            new = ctx.day + timedelta(days=days)
            text = f"{_month_name(new, abbr)} {new.day}"
            if span is not None:
                end = new + timedelta(days=span)
                text += f"{dash}{end.day}" if end.month == new.month else f"{dash}{_month_name(end, abbr)} {end.day}"
            out.append(f"{text}, {new.year}" if has_year else text)
        elif kind == "month":
            new = ctx.day + timedelta(days=part[1])
            out.append(f"{MONTHS[new.month - 1]} {new.year}" if part[2] else MONTHS[new.month - 1])
        elif kind == "year":
            out.append(str(ctx.day.year + part[1]))
        elif kind == "weekday":
            out.append(WEEKDAYS[(ctx.day.weekday() + part[1]) % 7])
        elif kind == "group":
            out.append(ctx.groups[part[1]][part[2]])
        elif kind == "place":
            out.append(ctx.places[part[1]])
        elif kind == "province":
            out.append(ctx.province)
        else:
            value = ctx.number(part[1])
            word = part[2] != "digits" and value < len(WORDS)
            text = WORDS[value] if word else str(value)
            out.append(text.capitalize() if part[2] == "Word" and word else text)
    return "".join(out)


_PROVINCES = tuple(PROVINCE_DISTRICTS)
_ACTIVE = {p: [g for g in GROUPS if p in g[3]] for p in _PROVINCES}


def _context(rng: random.Random, day: date) -> _Context:
    province = _PROVINCES[rng.getrandbits(1)]
    districts = PROVINCE_DISTRICTS[province]
    first = int(rng.random() * len(districts))
    places = {name: districts[(first + i) % len(districts)] for i, name in enumerate(SEED_PLACES)}
    places["Khost"] = AFGHAN_PROVINCES[int(rng.random() * len(AFGHAN_PROVINCES))]
    active = _ACTIVE[province]
    first = int(rng.random() * len(active))
    groups = {seed: active[(first + i) % len(active)] for i, seed in enumerate(("TTP", "TJP", "HGB"))}
    return _Context(day, places, province, groups, {}, rng)


class Generator:
    """Records one after another; the state is the random stream and the recent originals (for wire copies).

    An original keeps its story's title and lead, each body paragraph with probability 5/8, and is filled back to
    about its story's length (x0.8-1.2) with paragraphs of the other conflict stories: alike enough to be read the
    same way, different enough that two originals are not near duplicates (word 5-shingle Jaccard ~0.3).
    """

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.stories = load_stories()
        self.fill = [
            [pair for other in self.stories if other.conflict and other is not s
             for pair in zip(other.body, other.body_sizes)]
            if s.conflict else []
            for s in self.stories
        ]
        self.recent: deque[dict] = deque(maxlen=64)
        self.wire_copies = 0
        self.span_days = (LAST_DAY - FIRST_DAY).days

    def record(self, i: int) -> dict:
        """The ``i``-th record (records must be asked for in order: the random stream is shared)."""
        rng = self.rng
        if self.recent and rng.random() < WIRE_SHARE:
            return self._wire_copy(i, self.recent[rng.randrange(len(self.recent))])
        random_ = rng.random  # int(random_() * n) draws below n, faster than randrange
        k = int(random_() * len(self.stories))
        story, fill = self.stories[k], self.fill[k]
        ctx = _context(rng, FIRST_DAY + timedelta(days=int(random_() * self.span_days)))
        bits = rng.getrandbits(3 * len(story.body))  # three bits a paragraph: kept when they read 0-4 (5 in 8)
        kept = [j for j in range(len(story.body)) if (bits >> 3 * j) & 7 < 5]
        body = [story.body[j] for j in kept]
        size = sum(story.body_sizes[j] for j in kept)
        target = sum(story.body_sizes) * (0.8 + 0.4 * random_())
        while fill and size < target:
            paragraph, chars = fill[int(random_() * len(fill))]
            body.insert(int(random_() * (len(body) + 1)), paragraph)
            size += chars
        rec = {
            "id": f"gen{self.seed}-{i:08d}",
            "title": _render(story.title, ctx) if story.title else None,
            "date": ctx.day.isoformat(),
            "source": SOURCES[int(random_() * len(SOURCES))],
            "text": "\n\n".join([_render(p, ctx) for p in story.lead] + [_render(p, ctx) for p in body]),
        }
        self.recent.append(rec)
        return rec

    def _wire_copy(self, i: int, original: dict) -> dict:
        """The same report under another outlet: furniture added, a tail added, cut short, or as it was."""
        rng = self.rng
        self.wire_copies += 1
        text = original["text"]
        how = rng.random()
        if how < 0.3:
            day = date.fromisoformat(original["date"])
            text = f"Short Url\nUpdated {day.day:02d} {MONTHS[day.month - 1]} {day.year}\nFollow\n\n{text}"
        elif how < 0.45:
            text = f"{text}\n\n{TAILS[0]}"
        elif how < 0.7:
            paragraphs = text.split("\n\n")
            text = "\n\n".join(paragraphs[: max(2, (len(paragraphs) * 3 + 4) // 5)])
        source = rng.choice([s for s in SOURCES if s != original["source"]])
        return {"id": f"gen{self.seed}-{i:08d}", "title": original["title"], "date": original["date"],
                "source": source, "text": text}


def records(n_articles: int, seed: int = 0) -> Iterator[dict]:
    """``n_articles`` generated records (id, title, date, source, text), lazily."""
    gen = Generator(seed)
    return (gen.record(i) for i in range(n_articles))


def generate(n_articles: int, out: Path, fmt: str = "jsonl", seed: int = 0) -> dict:
    """Write ``n_articles`` records to ``out`` (jsonl: one JSON object a line; csv: a header and one row each),
    streaming. Returns counts: articles, wire_copies, bytes, seconds."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    gen = Generator(seed)
    part = out.with_name(out.name + ".part")  # renamed when complete: an interrupted run leaves no corpus behind
    with part.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.writer(fh)
            writer.writerow(FIELDS)
        for i in range(n_articles):
            rec = gen.record(i)
            if fmt == "jsonl":
                fh.write(json.dumps(rec) + "\n")  # ASCII with \u escapes, as most JSON writers do
            else:
                writer.writerow([rec[f] for f in FIELDS])
    part.replace(out)
    return {"articles": n_articles, "wire_copies": gen.wire_copies, "bytes": out.stat().st_size,
            "seconds": time.perf_counter() - start}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output file (.jsonl or .csv)")
    parser.add_argument("--fmt", choices=FORMATS, help="format (default: from the file's suffix, else jsonl)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same corpus)")
    args = parser.parse_args(argv)
    fmt = args.fmt or (args.out.suffix.lstrip(".") if args.out.suffix.lstrip(".") in FORMATS else "jsonl")
    stats = generate(args.n, args.out, fmt, args.seed)
    mb = stats["bytes"] / 1e6
    print(f"{stats['articles']} articles, {mb:.1f} MB in {stats['seconds']:.1f} s "
          f"({mb / stats['seconds']:.0f} MB/s) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
