"""Reading kept between runs, so that a run over a corpus that grew by a few files reads only the new files and
settles again only the near-duplicate decisions they can change (a scheduled run does only what is new).

What is kept (``OUT/.state/reading``): every story's place in the input order, content key, length, lead key and
MinHash sketch, the cluster it joined and how many candidates it refused (``stories.pkl``), its parsed fields and
text (``stories.sqlite``, read only for the stories a change reaches), and the inputs and skipped records.

The clustering (corpus.group_copies) decides each text in one order, longest first, then input order: a text joins
the first cluster founder among its candidates (the founders before it that share an LSH band or its lead) that it
copies, or founds a cluster. A decision depends only on those candidates, so after adding texts only these can
change: the added texts, and, when a text's founding changes, the texts after it that have it as a candidate. They
are decided again in that order, with the same comparisons, and the articles of the clusters that changed are built
again: the result is a full read's. Files that changed or went, or a new exact copy placed before its earlier
copies, need the full read (:class:`ReadingFallback`).
"""

from __future__ import annotations

import heapq
import hashlib
import pickle
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHashLSH

from . import corpus as C

STATE = "reading"
ARRAYS = "stories.pkl"
STORE = "stories.sqlite"
_SQL_VARS = 900


class ReadingFallback(Exception):
    """A change only a full read settles (the message says which)."""


def _sid(story: dict) -> str:
    """A story's place in the input order, as text: file, record, story."""
    return f"{story['file']}\x1f{story['record'] if story['record'] is not None else -1}\x1f{story['story']}"


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Read:
    """What a delta read found: the articles of new and changed clusters (``articles``), the ids of the articles
    whose cluster is gone, and the corpus accounting of a full read."""

    articles: list[dict]
    gone: set[str]
    inputs: list[dict]
    skipped_records: list[dict]
    refused: int
    stories_read: int
    decided_again: int
    _commit: Any = None

    def commit(self) -> None:
        """Keep the new state (once the run that used this read has written its tables)."""
        if self._commit is not None:
            self._commit()


def record(folder: Path, stories: list[dict], bodies: Any, keys: list[str], near: list[tuple],
           cluster_of: dict[int, int], refused_by: Counter, inputs: list[dict], skipped: list[dict],
           threshold: float) -> None:
    """Keep a full read: ``stories`` in input order, their bodies (a sequence), content keys, near features, the
    cluster founder of each exact group's first story (corpus.group_copies) and the candidates each refused."""
    folder = folder / STATE
    folder.mkdir(parents=True, exist_ok=True)
    n = len(stories)
    sketch = np.zeros((n, C.NUM_PERM), dtype=np.uint64)
    for i, (_, s, _) in enumerate(near):
        if s is not None:
            sketch[i] = s.hashvalues
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    arrays = {
        "sid": [_sid(s) for s in stories],
        "file": [s["file"] for s in stories],
        "key": list(keys),
        "size": np.array([f[0] for f in near], dtype=np.int64),
        "lead": np.array([f[2] for f in near], dtype=np.int64),
        "has_sketch": np.array([f[1] is not None for f in near]),
        "sketch": sketch,
        "cluster": np.array([cluster_of[first[k]] for k in keys], dtype=np.int64),  # founder story of each story
        "refused": np.array([refused_by.get(i, 0) for i in range(n)], dtype=np.int64),
        "threshold": threshold,
    }
    with open(folder / ARRAYS, "wb") as fh:
        pickle.dump({"arrays": arrays, "inputs": inputs, "skipped": skipped}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    path = folder / STORE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE stories (sid TEXT PRIMARY KEY, story BLOB) WITHOUT ROWID")
        db.executemany("INSERT INTO stories VALUES (?, ?)",
                       ((sid, _pack(s, bodies[i])) for i, (sid, s) in enumerate(zip(arrays["sid"], stories))))
    db.close()


def _groups(keys: np.ndarray, which: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts ``which`` grouped by equal ``keys``: (each text's group or -1, the members by group, group starts)."""
    _, inverse = np.unique(keys, return_inverse=True)
    group = np.full(n, -1, dtype=np.int64)
    group[which] = inverse
    members = which[np.argsort(inverse, kind="stable")]
    starts = np.concatenate([[0], np.cumsum(np.bincount(inverse))]) if len(which) else np.zeros(1, dtype=np.int64)
    return group, members, starts


def _smallest(ranks: np.ndarray, below: int, k: int, repeats: int) -> np.ndarray:
    """The ``k`` smallest distinct ranks under ``below`` (each rank comes at most ``repeats`` times), ascending."""
    ranks = ranks[ranks < below]
    if len(ranks) > k * repeats:
        ranks = np.partition(ranks, k * repeats - 1)[: k * repeats]
    return np.unique(ranks)[:k]


def _pack(story: dict, body: str) -> bytes:
    kept = {k: v for k, v in story.items() if k not in ("article", "near", "content_key", "body")}
    return pickle.dumps((kept, body), protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(blob: bytes) -> dict:
    kept, body = pickle.loads(blob)
    return dict(kept, body=body)


def read(root: str | Path, folder: Path, rule: C.TopicRule, threshold: float, max_file_mb: float) -> Read:
    """Read only what is new in ``root`` since the state in ``folder`` was kept (see the module's docstring)."""
    state_path = folder / STATE / ARRAYS
    if not state_path.exists():
        raise ReadingFallback("no reading state kept")
    with open(state_path, "rb") as fh:
        kept = pickle.load(fh)
    a = kept["arrays"]
    if a["threshold"] != threshold:
        raise ReadingFallback("another near-duplicate threshold")
    root = Path(root)
    if not root.is_dir():
        raise ReadingFallback("the corpus is one file")
    old_inputs = {e["path"]: e for e in kept["inputs"]}
    now = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*")
                 if C._in_corpus(p.relative_to(root)) and not p.is_dir())
    present = {rel for rel, _ in now}
    if set(old_inputs) - present:
        raise ReadingFallback(f"{sorted(set(old_inputs) - present)[0]} went")
    for rel, p in now:
        e = old_inputs.get(rel)
        if e is not None and (e.get("size") != p.stat().st_size or e.get("sha256") != _file_sha(p)):
            raise ReadingFallback(f"{rel} changed")

    # The new files, read as a full read reads them.
    new_inputs: list[dict] = []
    new_skipped: list[dict] = []
    new_stories: list[dict] = []
    max_bytes = int(max_file_mb * C.MB)
    for rel, p in now:
        if rel in old_inputs:
            continue
        for item in C._read_one(p, rel, max_bytes):
            kind, payload, skips = C._read_item(item, rule)
            new_skipped += skips
            if kind == "file":
                new_inputs.append(payload)
            elif kind == "document":
                new_stories += payload

    n_old, n_new = len(a["sid"]), len(new_stories)
    sids = a["sid"] + [_sid(s) for s in new_stories]
    files = a["file"] + [s["file"] for s in new_stories]
    keys = a["key"] + [s.pop("content_key") for s in new_stories]
    feats = [s.pop("near") for s in new_stories]
    size = np.concatenate([a["size"], np.array([f[0] for f in feats], dtype=np.int64)])
    lead = np.concatenate([a["lead"], np.array([f[2] for f in feats], dtype=np.int64)])
    has_sketch = np.concatenate([a["has_sketch"], np.array([f[1] is not None for f in feats], dtype=bool)])
    sketch = np.zeros((n_old + n_new, C.NUM_PERM), dtype=np.uint64)
    sketch[:n_old] = a["sketch"]
    for j, f in enumerate(feats):
        if f[1] is not None:
            sketch[n_old + j] = f[1].hashvalues
    refused = np.concatenate([a["refused"], np.zeros(n_new, dtype=np.int64)])
    cluster = np.concatenate([a["cluster"], np.full(n_new, -1, dtype=np.int64)])

    # Input order: file, record, story (a full read's index); rank: longest first, then input order.
    order_key = [(f, int(r), int(s)) for f, r, s in (sid.split("\x1f") for sid in sids)]
    position = np.empty(len(sids), dtype=np.int64)
    position[sorted(range(len(sids)), key=order_key.__getitem__)] = np.arange(len(sids))
    # Exact groups: the first story of a key stands for its group.
    group: dict[str, list[int]] = {}
    for i in sorted(range(len(sids)), key=position.__getitem__):
        group.setdefault(keys[i], []).append(i)
    changed: set[int] = set()  # founders whose cluster changed (old or new)
    for j in range(n_old, n_old + n_new):
        members = group[keys[j]]
        if members[0] < n_old:  # a copy of a kept text: its cluster gains a member
            if position[j] < position[members[0]]:
                raise ReadingFallback(f"{new_stories[j - n_old]['file']} holds an exact copy of an earlier text")
            cluster[j] = cluster[members[0]]
            changed.add(int(cluster[members[0]]))
    heads = np.array(sorted({m[0] for m in group.values()}), dtype=np.int64)
    eligible_head = np.zeros(len(sids), dtype=bool)
    eligible_head[heads] = (size[heads] >= C.MIN_NEAR_TOKENS) & has_sketch[heads]
    rank = np.empty(len(sids), dtype=np.int64)
    by_rank = heads[np.lexsort((position[heads], -size[heads]))].tolist()
    rank[by_rank] = np.arange(len(by_rank))
    ranked = np.array(by_rank, dtype=np.int64)  # the text at each rank

    # Who can be whose candidate: texts sharing an LSH band or a lead (a full read's candidates are these). Each key
    # groups the eligible texts as a CSR index: the members of group g are members[starts[g]:starts[g + 1]].
    eligible = np.flatnonzero(eligible_head)
    lsh = MinHashLSH(threshold=threshold, num_perm=C.NUM_PERM)
    keyed = [np.ascontiguousarray(sketch[eligible, s:e]).view(np.dtype((np.void, 8 * (e - s)))).ravel()
             for s, e in lsh.hashranges] + [lead[eligible]]
    index = [_groups(k, eligible, len(sids)) for k in keyed]
    none = np.zeros(0, dtype=np.int64)

    def neighbours(i: int) -> np.ndarray:
        """The texts sharing a band or the lead with text ``i`` (a text may come once per key)."""
        parts = [members[starts[g]:starts[g + 1]] for group, members, starts in index if (g := group[i]) >= 0]
        out = np.concatenate(parts) if parts else none
        return out[out != i]

    store = sqlite3.connect(folder / STATE / STORE)
    fetched: dict[int, dict] = {n_old + j: s for j, s in enumerate(new_stories)}

    def story(i: int) -> dict:
        if i not in fetched:
            blob = store.execute("SELECT story FROM stories WHERE sid=?", (sids[i],)).fetchone()[0]
            fetched[i] = _unpack(blob)
        return fetched[i]

    tokens: dict[int, Any] = {}

    def tok(i: int) -> Any:
        if i not in tokens:
            s = story(i)
            tokens[i] = C._tokens(C._strip_dateline(s["body"], s["dateline"]))
        return tokens[i]

    # Founders as the kept read left them; the new texts found nothing until they are decided.
    founder = np.zeros(len(sids), dtype=bool)
    old_heads = heads[heads < n_old]
    founder[old_heads] = cluster[old_heads] == old_heads
    was_founder = founder.copy()
    demoted = np.zeros(len(sids), dtype=bool)  # founders before that join a cluster now
    dirty = [(int(rank[i]), i) for i in heads.tolist() if i >= n_old and eligible_head[i]]
    for i in heads.tolist():
        if i >= n_old and not eligible_head[i]:
            cluster[i] = i  # too short to be compared: its own cluster (or its exact group's)
            founder[i] = True
            changed.add(i)
    heapq.heapify(dirty)
    seen: set[int] = set()
    while dirty:
        _, i = heapq.heappop(dirty)
        if i in seen:
            continue
        seen.add(i)
        near_i = neighbours(i)
        top = ranked[_smallest(rank[near_i[founder[near_i]]], rank[i], C.MAX_CANDIDATES, len(index))].tolist()
        was = int(cluster[i]) if i < n_old else None
        if was is not None and (was == i or was in top) and not demoted[near_i].any():
            # A kept text whose candidates only gained founders: the ones it refused before refuse it still (a
            # verdict is a function of the two texts), so only the new founders are compared, up to its old choice.
            stop = top.index(was) if was != i else len(top)
            joined = next((c for c in top[:stop] if not was_founder[c]
                           and C._compare(tok(i), tok(c), threshold)[0]), was)
        else:
            joined = next((c for c in top if C._compare(tok(i), tok(c), threshold)[0]), i)
        refused[i] = top.index(joined) if joined != i else len(top)
        if was is None or was != joined:
            for m in group[keys[i]]:
                cluster[m] = joined
            changed.add(joined)
            if was is not None:
                changed.add(was)
        if founder[i] != (joined == i):  # its later neighbours' candidates change
            demoted[i] = founder[i]
            founder[i] = joined == i
            later = np.unique(near_i[rank[near_i] > rank[i]])
            # A later text that joined a founder ranked before this one keeps its choice: its candidates change
            # only after it (a change before it, a founder's or a demotion, puts it in the queue by itself).
            c = cluster[later]
            settled = (c >= 0) & (c != later)
            settled[settled] = (rank[c[settled]] < rank[i]) & founder[c[settled]]
            for k in later[~settled].tolist():
                if k not in seen:
                    heapq.heappush(dirty, (int(rank[k]), k))

    # The articles of the clusters that changed, built as a full read builds them.
    members_of: dict[int, list[int]] = {f: [] for f in changed}
    for u in by_rank:
        f = int(cluster[u])
        if f in members_of:
            members_of[f].extend(group[keys[u]])
    articles, gone = [], set()
    for f in sorted(changed):
        if f < n_old and a["cluster"][f] == f:
            gone.add(C.article_id(keys[f]))
        if members_of[f] and cluster[f] == f:
            articles.append(C._article([story(m) for m in members_of[f]], rule, keys[f]))

    # Every input's accounting, over the whole corpus, as a full read's.
    inputs = sorted(list(old_inputs.values()) + new_inputs, key=lambda e: e["path"])
    for e in inputs:
        if e["fate"] == "merged" or (e["fate"] == "skipped" and e.get("reason", "").startswith("no usable story")):
            e["fate"] = "loaded"
            e.pop("reason", None)
    stories_acc = [{"file": files[i]} for i in range(len(sids))]
    produced: dict[str, list[str]] = {}
    merged: dict[str, list[str]] = {}
    for f in by_rank:
        if cluster[f] != f:
            continue
        aid = C.article_id(keys[f])
        produced.setdefault(files[f], []).append(aid)
    for i in range(len(sids)):
        f = int(cluster[i])
        if files[i] != files[f]:
            merged.setdefault(files[i], []).append(C.article_id(keys[f]))
    skipped = sorted(kept["skipped"] + new_skipped, key=lambda s: s["path"])
    C._account(inputs, stories_acc, skipped, produced, merged)

    def commit() -> None:
        arrays = dict(a, sid=sids, file=files, key=keys, size=size, lead=lead, has_sketch=has_sketch,
                      sketch=sketch, cluster=cluster, refused=refused)
        with open(folder / STATE / ARRAYS, "wb") as fh:
            pickle.dump({"arrays": arrays, "inputs": inputs, "skipped": skipped}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        with store:
            store.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?)",
                              ((sids[n_old + j], _pack(s, s["body"])) for j, s in enumerate(new_stories)))
        store.close()

    return Read(articles=articles, gone=gone, inputs=inputs, skipped_records=skipped, refused=int(refused.sum()),
                stories_read=n_new, decided_again=len(seen), _commit=commit)
