"""engines: the per-article map in a loop, a process pool and on a Dask LocalCluster, in order and streaming."""

from __future__ import annotations

import re
import socket
from functools import partial
from itertools import count, islice

import pytest

from conflictlens import engines

# Two short articles per case; the hard case is order: results must come back in input order whichever worker
# finishes first, and the second article here is much longer than the first.
ARTICLES = [
    {"article_id": f"a{i}", "text": "Gunmen killed 23 soldiers in Bajaur. " * (1 + 40 * (i % 2))} for i in range(23)
]
NUMBER = re.compile(r"\d+")


def words(article: dict) -> int:
    """The toy per-article step: a word count."""
    return len(article["text"].split())


def numbers(article: dict, pattern: re.Pattern) -> list[str]:
    """A toy step carrying a compiled pattern, as the real one carries the lexicon."""
    return pattern.findall(article["text"])


EXPECTED = [words(a) for a in ARTICLES]


def test_batched_splits_lazily_with_a_short_last_batch():
    assert list(engines.batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(engines.batched([], 3)) == []
    assert next(engines.batched(count(), 2)) == [0, 1]  # an endless source: nothing read beyond the batch


def test_local_loop_keeps_input_order():
    assert list(engines.map_articles(words, ARTICLES, batch_size=4)) == EXPECTED
    assert list(engines.map_articles(words, [], batch_size=4)) == []


def test_local_loop_streams_with_bounded_reads():
    pulled = []

    def source():
        for i in count():
            pulled.append(i)
            yield {"text": "x " * i}

    first = list(islice(engines.map_articles(words, source(), batch_size=5), 3))
    assert first == [0, 1, 2]
    assert len(pulled) == 5  # one batch read, not the (endless) corpus


def test_process_pool_gives_the_loop_results_in_order():
    fn = partial(numbers, pattern=NUMBER)
    expected = [fn(a) for a in ARTICLES]
    assert list(engines.map_articles(fn, ARTICLES, workers=2, batch_size=3)) == expected


def pid(_: object) -> int:
    import os

    return os.getpid()


def test_a_lone_batch_runs_here_and_more_on_the_pool():
    """One batch cannot be shared: this process runs it rather than a worker that would first warm up."""
    import os

    with engines.Engine("local", workers=2, batch_size=4) as eng:
        assert set(eng.map(pid, ARTICLES[:4])) == {os.getpid()}
        assert os.getpid() not in set(eng.map(pid, ARTICLES[:5]))


def test_engine_bounds_batches_in_flight():
    with engines.Engine("local", workers=2, batch_size=4) as eng:
        assert eng.slots == 2 and eng.in_flight == 4
        pulled = []

        def source():
            for a in ARTICLES:
                pulled.append(a)
                yield a

        stream = eng.map(words, source())
        assert next(stream) == EXPECTED[0]
        assert len(pulled) <= eng.in_flight * eng.batch_size
        assert [EXPECTED[0], *stream] == EXPECTED


def test_dask_local_cluster_keeps_order_across_batches():
    fn = partial(numbers, pattern=NUMBER)
    expected = [fn(a) for a in ARTICLES]
    with engines.Engine("dask", workers=2, batch_size=5) as eng:  # no address: a LocalCluster of its own
        assert eng.slots == 2 and eng.in_flight == 4
        assert list(eng.map(fn, ARTICLES)) == expected
        assert list(eng.map(words, ARTICLES)) == EXPECTED  # a second map on the same cluster
    assert eng._client is None and eng._cluster is None  # closed what it opened


@pytest.fixture(scope="module")
def scheduler():
    """A running scheduler to join by address (`--scheduler ADDRESS`). Its two workers are threads of this
    process, reached over TCP: tasks and results are serialised as on a real cluster, without the seconds each
    worker process would spend importing the pipeline."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"engine": "spark"}, "unknown engine 'spark'"),
        ({"engine": "local", "scheduler": "tcp://127.0.0.1:8786"}, "--scheduler needs --engine dask"),
        ({"engine": "local", "workers": 0}, "workers must be at least 1"),
        ({"engine": "local", "batch_size": 0}, "batch size must be at least 1"),
    ],
)
def test_bad_options_are_one_line_errors_before_any_work(kwargs, message):
    with pytest.raises(engines.EngineError, match=re.escape(message)):
        engines.map_articles(words, ARTICLES, **kwargs)


def test_unreachable_scheduler_is_an_engine_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    eng = engines.Engine("dask", scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=0.5)
    with pytest.raises(engines.EngineError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        eng.start()


def test_dask_engine_gives_the_local_engine_tables_on_the_seeds(scheduler):
    # The contract of issue 5: the same code on a cluster, the same tables (the seeds hold the hard cases: a
    # story appended to three pages, undated articles dated from a witness, incidents merged across articles).
    import pandas.testing as pdt

    from conflictlens import paths, pipeline

    local = pipeline.extract(paths.SEEDS, engine="local")
    dask = pipeline.extract(paths.SEEDS, engine="dask", scheduler=scheduler)
    assert dask.manifest["engine"] == "dask" and dask.manifest["counts"] == local.manifest["counts"]
    assert len(local.casualties) and len(local.incidents)
    for (name, expected), (_, got) in zip(local.items(), dask.items()):
        pdt.assert_frame_equal(got, expected, obj=name)


def test_a_delta_run_on_dask_gives_the_full_local_runs_tables(scheduler, tmp_path, generate):
    """A scheduled run on a cluster: the first run on this machine, the rerun after new records arrive on Dask."""
    import json

    import pandas.testing as pdt

    from conflictlens import store
    from conflictlens.pipeline import extract_to

    corpus, out, fresh = tmp_path / "corpus", tmp_path / "out", tmp_path / "fresh"
    corpus.mkdir()
    lines = [json.dumps(r) + "\n" for r in generate.records(130, seed=11)]
    (corpus / "day-0.jsonl").write_text("".join(lines[:100]))
    extract_to(corpus, out, cache_dir=out, batch_articles=20)
    (corpus / "day-1.jsonl").write_text("".join(lines[100:]))
    manifest = extract_to(corpus, out, engine="dask", scheduler=scheduler, cache_dir=out, batch_articles=20)
    assert manifest["engine"] == "dask" and manifest["run"]["mode"] == "delta", manifest["run"]
    assert manifest["reuse"]["articles_extracted"] == manifest["run"]["articles_new"] > 10
    extract_to(corpus, fresh)
    for name in ("articles", "actor_mentions", "events", "casualties", "incidents"):
        pdt.assert_frame_equal(store.read_table(out, name), store.read_table(fresh, name), obj=name)
