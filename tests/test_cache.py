"""cache: per-article results reused across runs by content hash, invalidated by changed lexicon, parameters, code."""

from __future__ import annotations

import hashlib

from conflictlens import cache, engines

# The incremental run's cases: yesterday's articles again (reused), one new article (extracted), and the same
# text twice in one batch (a wire copy: extracted once).
OLD = ["Gunmen killed 23 soldiers in Bajaur.", "Talks resumed in Istanbul on Thursday."]
NEW = "A suicide bomber killed four policemen in Bannu."
LEXICON_V1, LEXICON_V2, PARAMS = "lex-v1", "lex-v2", cache.fingerprint({"vague_convention": "acled"})


def article(text: str) -> dict:
    return {"text": text, "content_hash": hashlib.sha256(text.encode()).hexdigest()}


def key_v1(a: dict) -> cache.CacheKey:
    return cache.CacheKey(a["content_hash"], LEXICON_V1, PARAMS)


def key_v2(a: dict) -> cache.CacheKey:
    return cache.CacheKey(a["content_hash"], LEXICON_V2, PARAMS)


class Counting:
    """A per-article step that counts its calls (the loop engine runs it in this process)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, a: dict) -> dict:
        self.calls.append(a["text"])
        return {"casualties": [{"surface": w} for w in a["text"].split() if w.isdigit()], "n_words": len(a["text"].split())}


def test_fingerprint_ignores_key_order_and_sees_values():
    assert cache.fingerprint({"a": 1, "b": [2, 3]}) == cache.fingerprint({"b": [2, 3], "a": 1})
    assert cache.fingerprint({"a": 1}) != cache.fingerprint({"a": 2})
    assert len(cache.fingerprint({})) == 16


def test_put_get_roundtrip_persists_and_counts(tmp_path):
    a, b = article(OLD[0]), article(OLD[1])
    with cache.ExtractionCache(tmp_path) as c:
        assert c.put_many([(key_v1(a), {"casualties": [{"best": 23}]})]) == 1
        assert c.get_many([key_v1(a), key_v1(b)]) == {key_v1(a): {"casualties": [{"best": 23}]}}
        assert c.stats() == {"hits": 1, "misses": 1, "invalidated": 0, "stored": 1, "reasons": {"new": 1}}
    with cache.ExtractionCache(tmp_path) as again:  # a later run opens the same file
        assert len(again) == 1
        assert again.get_many([key_v1(a)])[key_v1(a)]["casualties"][0]["best"] == 23


def test_changed_lexicon_misses_and_counts_what_it_invalidated(tmp_path):
    a = article(OLD[0])
    with cache.ExtractionCache(tmp_path) as c:
        c.put_many([(key_v1(a), {"n": 1})])
        assert c.get_many([key_v2(a), key_v2(article(NEW))]) == {}
        assert c.stats()["misses"] == 2
        assert c.stats()["invalidated"] == 1  # the old article was cached under the old lexicon; NEW never was
        assert c.stats()["reasons"] == {"lexicon": 1, "new": 1}


def test_a_miss_is_explained_by_what_changed_since_the_articles_latest_result(tmp_path):
    a, b = article(OLD[0]), article(OLD[1])
    with cache.ExtractionCache(tmp_path) as c:
        c.put_many([(cache.CacheKey(a["content_hash"], "lex", "p1", "code1"), 1),
                    (cache.CacheKey(b["content_hash"], "lex", "p1", "code1"), 2)])
        c.put_many([(cache.CacheKey(b["content_hash"], "lex", "p2", "code1"), 3)])  # b's latest: other params
        wanted = [cache.CacheKey(x["content_hash"], "lex", "p2", "code2") for x in (a, b)]
        assert c.get_many(wanted) == {}
        assert c.stats()["reasons"] == {"params+code": 1, "code": 1}


def test_keep_only_drops_the_results_of_other_configurations(tmp_path):
    a, b = article(OLD[0]), article(OLD[1])
    with cache.ExtractionCache(tmp_path) as c:
        c.put_many([(key_v1(a), 1), (key_v2(a), 2), (key_v2(b), 3)])
        assert c.keep_only(LEXICON_V2, PARAMS) == 1
        assert len(c) == 2 and c._db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 2
        assert c.get_many([key_v2(a), key_v2(b)]) == {key_v2(a): 2, key_v2(b): 3}


def test_map_cached_reextracts_only_new_articles_in_input_order(tmp_path):
    first_run = [article(t) for t in OLD]
    second_run = [article(OLD[0]), article(NEW), article(NEW), article(OLD[1])]
    step = Counting()
    with cache.ExtractionCache(tmp_path) as c, engines.Engine("local", batch_size=3) as eng:
        first = list(cache.map_cached(step, first_run, key_v1, c, eng))
        assert step.calls == OLD
        step.calls.clear()
        second = list(cache.map_cached(step, second_run, key_v1, c, eng))
        assert step.calls == [NEW]  # the old two reused, the wire copy of NEW extracted once
        assert second == [first[0], step(article(NEW)), step(article(NEW)), first[1]]
        assert c.stats() == {"hits": 2, "misses": 3, "invalidated": 0, "stored": 3, "reasons": {"new": 3}}


def test_map_cached_with_a_new_lexicon_extracts_everything_again(tmp_path):
    docs = [article(t) for t in OLD]
    step = Counting()
    with cache.ExtractionCache(tmp_path) as c, engines.Engine("local") as eng:
        list(cache.map_cached(step, docs, key_v1, c, eng))
        step.calls.clear()
        list(cache.map_cached(step, docs, key_v2, c, eng))
        assert step.calls == OLD
        assert c.stats()["invalidated"] == 2


def test_map_cached_on_a_process_pool_matches_the_loop(tmp_path):
    docs = [article(f"{i} soldiers killed in Kurram on day {i}.") for i in range(50)]
    expected = [Counting()(a) for a in docs]
    with cache.ExtractionCache(tmp_path) as c, engines.Engine("local", workers=2, batch_size=7) as eng:
        assert list(cache.map_cached(Counting(), docs[:20], key_v1, c, eng)) == expected[:20]
        assert list(cache.map_cached(Counting(), docs, key_v1, c, eng)) == expected
        assert c.stats()["hits"] == 20 and c.stats()["stored"] == 50


def test_map_cached_without_loading_hits_yields_none_for_them(tmp_path):
    # A rerun whose old rows are already written needs only the new results: hits are looked up, not loaded.
    step = Counting()
    with cache.ExtractionCache(tmp_path) as c, engines.Engine("local", batch_size=2) as eng:
        list(cache.map_cached(step, [article(t) for t in OLD], key_v1, c, eng))
        rerun = [article(OLD[0]), article(NEW), article(OLD[1])]
        assert list(cache.map_cached(step, rerun, key_v1, c, eng, load_hits=False)) == [None, step(article(NEW)), None]
        assert c.known_many([key_v1(article(NEW)), key_v2(article(NEW))]) == {key_v1(article(NEW))}


def test_storing_a_key_again_replaces_its_result_and_an_old_cache_file_is_rebuilt(tmp_path):
    a = article(OLD[0])
    with cache.ExtractionCache(tmp_path) as c:
        c.put_many([(key_v1(a), {"n": 1})])
        c.put_many([(key_v1(a), {"n": 2})])
        assert len(c) == 1 and c.get_many([key_v1(a)]) == {key_v1(a): {"n": 2}}
        assert c._db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1  # the replaced result is gone
        c._db.execute("PRAGMA user_version = 2")  # as a file written by an earlier version
    with cache.ExtractionCache(tmp_path) as again:
        assert len(again) == 0
