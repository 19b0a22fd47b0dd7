"""A plain-regex extractor: the baseline the benchmark runs beside the real pipeline.

What a quick script does (and what the literature scores at about 0.1 exact match): one regular expression for
"<number> <noun> killed|injured" and a scan for a few actor names. No sentences, no dates, no vague quantities, no
negation, no merge. It takes the same articles and returns rows shaped like the pipeline's.
"""

from __future__ import annotations

import re

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
CASUALTY = re.compile(
    r"(?=[\dOoTtFfSsEeNn])\b(?P<n>\d+|" + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in NUMBER_WORDS) + r")\s+"
    r"(?:[A-Za-z]+\s+){0,2}?"
    r"(?P<noun>people|persons|soldiers|troops|militants|attackers|civilians|policemen|terrorists)\s+"
    r"(?:were\s+|have\s+been\s+|had\s+been\s+|are\s+)?(?P<status>killed|injured|wounded|dead)\b",
)
ACTORS = {
    "TTP": "ttp", "Pakistani Taliban": "ttp", "Pakistan Taliban": "ttp", "Afghan Taliban": "afghan_taliban",
    "Taliban": "afghan_taliban", "BLA": "bla", "ISKP": "iskp", "Islamic State": "iskp", "TJP": "tjp",
    "Pakistan army": "pakistan_army", "ISPR": "pakistan_army", "security forces": "pakistan_army",
}
ACTOR = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(ACTORS, key=len, reverse=True))) + r")\b")
STATUS = {"killed": "killed", "dead": "killed", "injured": "injured", "wounded": "injured"}


def extract(article: dict) -> dict[str, list[dict]]:
    """Casualty figures and actor mentions of one article, by regular expression alone."""
    text = article["text"]
    aid = article.get("article_id") or article.get("id")
    casualties = [
        {
            "article_id": aid,
            "start": m.start(),
            "end": m.end(),
            "status": STATUS[m.group("status").lower()],
            "best": int(n) if (n := m.group("n").lower()).isdigit() else NUMBER_WORDS[n],
            "surface": m.group(0),
        }
        for m in CASUALTY.finditer(text)
    ]
    mentions = [
        {"article_id": aid, "start": m.start(), "end": m.end(), "surface": m.group(0), "actor_id": ACTORS[m.group(0)]}
        for m in ACTOR.finditer(text)
    ]
    return {"actor_mentions": mentions, "casualties": casualties}
