"""The output tables' columns: one constant per table that writer, reader, notebooks and tests share.

The first columns of each list are DESIGN.md's contract; the rest are additions.
"""

from __future__ import annotations

ARTICLES = [
    "article_id", "title", "text", "published", "date_kind", "dateline", "topic", "files", "source_ids", "n_copies",
    # additions
    "date_precision",   # day | month | year | approximate | unknown: how precise `published` is
    "date_note",        # how `published` was read or inferred, in words
    "stamp_text",       # the stamp as printed ("Updated 15 February 2024"), or None
    "stamp_kind",       # published | updated | None
    "stamp_date",       # ISO date of the stamp, or None
    "outlet",           # the outlet where recognisable, else None
    "url",              # from jsonl/csv input, else None
    "captions",         # photo captions (list of str), kept apart from the body
    "summary",          # bullet summary lines (list of str), kept apart from the body
    "topic_score",      # conflict-lexicon hits per 1,000 words
    "content_hash",     # sha256 of the normalised text: the key of incremental runs
    "body_start",       # offset in `text` where the body begins (text = title, summary lines, then body)
]

ACTOR_MENTIONS = [
    "article_id", "sentence", "start", "end", "surface", "actor_id", "actor_type", "country",
    # additions
    "sentence_index", "actor_name", "affiliation", "resolution",  # resolution: how an ambiguous alias was read
    "unit",             # the part of the actor named (e.g. a ministry of a government), when the alias says so
]

CASUALTIES = [
    "article_id", "sentence", "start", "end", "status", "category", "best", "low", "high", "vague", "qualifier",
    "incident_id",
    # additions
    "sentence_index", "surface", "victim", "section",  # section: title | summary | body
    "victim_is_person", "date_start", "date_end", "date_precision", "places", "topic",
]

EVENTS = [
    "article_id", "sentence", "start", "end", "kind", "date_start", "date_end", "date_precision", "place", "country",
    "actors", "negated", "incident_id",
    # additions
    "sentence_index", "cue", "hypothetical", "admin1", "latitude", "longitude", "acled_event_type",
    "acled_sub_event_type", "cameo_root", "date_text", "places", "generic", "family", "topic",
]

INCIDENTS = [
    "incident_id", "kind", "date_start", "date_end", "date_precision", "place", "admin1", "country", "actors",
    "killed", "injured", "kidnapped",
    "n_mentions", "n_articles",
    # additions
    "killed_low", "killed_high", "injured_low", "injured_high", "kidnapped_low", "kidnapped_high",
    "killed_by_category", "injured_by_category", "kidnapped_by_category",  # JSON {category: best}
    "arrested", "family", "places", "latitude", "longitude",
    "article_ids", "mentions",  # mentions: "table:article_id:start-end" for every mention merged in
]

TABLES = {
    "articles": ARTICLES,
    "actor_mentions": ACTOR_MENTIONS,
    "casualties": CASUALTIES,
    "events": EVENTS,
    "incidents": INCIDENTS,
}

CASUALTY_STATUSES = ("killed", "injured", "kidnapped", "arrested")
CASUALTY_CATEGORIES = ("security_forces", "militants", "civilians", "people")
DATE_KINDS = ("published", "updated", "inferred", "unknown")
DATE_PRECISIONS = ("day", "month", "year", "approximate", "unknown")
EVENT_KINDS = (
    "attack", "suicide_bombing", "armed_clash", "airstrike", "military_operation", "abduction", "targeted_killing",
    "arrest", "meeting", "talks", "ceasefire", "statement", "expulsion", "border_closure", "search_operation",
)

# Parquet types of the columns that are not text (every other column is a string): one schema for every batch a
# streamed run writes, whatever values a batch happens to hold (an all-empty column stays a string column).
INTEGER_COLUMNS = frozenset({"start", "end", "sentence_index", "n_copies", "body_start", "n_mentions", "n_articles"})
FLOAT_COLUMNS = frozenset({
    "best", "low", "high", "latitude", "longitude", "topic_score", "killed", "injured", "kidnapped", "arrested",
    "killed_low", "killed_high", "injured_low", "injured_high", "kidnapped_low", "kidnapped_high",
})
BOOLEAN_COLUMNS = frozenset({"vague", "victim_is_person", "negated", "hypothetical", "generic"})
LIST_COLUMNS = frozenset({"files", "source_ids", "captions", "summary", "places", "actors", "article_ids", "mentions"})
