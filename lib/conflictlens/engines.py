"""Run the per-article step over a stream of articles: a plain loop, a process pool, or a Dask cluster.

Articles go out in batches and results come back in input order. At most ``in_flight`` batches are out at once,
so memory is bounded by the batch size, never by the corpus: the same code runs over the five seed files and over
a million articles. On a Dask cluster each batch is one task (a map over partitions); the cross-article merge is
the caller's reduce over the stream.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import lru_cache
from itertools import chain, islice
from typing import Any

ENGINES = ("local", "dask")
DEFAULT_BATCH_SIZE = 2000
CONNECT_TIMEOUT_S = 10


class EngineError(Exception):
    """An engine that cannot run: unknown name, bad option, unreachable scheduler (a user error)."""


def batched(items: Iterable[Any], size: int) -> Iterator[list]:
    """Consecutive lists of ``size`` items (the last may be shorter), read lazily."""
    if size < 1:
        raise EngineError(f"batch size must be at least 1, not {size}")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def apply_batch(fn: Callable[[Any], Any], batch: list) -> list:
    """``fn`` over one batch: the task each worker runs."""
    return [fn(item) for item in batch]


@lru_cache(maxsize=4)
def _unpickled(fn_bytes: bytes) -> Callable[[Any], Any]:
    """The function shipped to a pool worker, unpickled once per worker process (compiled patterns and lexicons
    inside it are rebuilt once, not once per batch)."""
    return pickle.loads(fn_bytes)


def _apply_pickled(fn_bytes: bytes, batch: list) -> list:
    return apply_batch(_unpickled(fn_bytes), batch)


def _done(value: Any) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


class Engine:
    """Where batches run. Use as a context manager; ``map`` streams results in input order.

    ``engine="local"``: a plain loop in this process when ``workers`` is None or 1, else a process pool of
    ``workers`` (spawned, so it is safe beside threads). ``engine="dask"``: a ``distributed.Client`` on
    ``scheduler`` when given, else on a LocalCluster of ``workers`` (default 2) single-threaded processes.
    ``in_flight`` bounds the batches out at once (default: twice the parallel slots); ``connect_timeout`` (seconds)
    is how long to try a scheduler before giving up.
    """

    def __init__(
        self,
        engine: str = "local",
        *,
        scheduler: str | None = None,
        workers: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        in_flight: int | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        if engine not in ENGINES:
            raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
        if scheduler is not None and engine != "dask":
            raise EngineError("--scheduler needs --engine dask")
        if workers is not None and workers < 1:
            raise EngineError(f"workers must be at least 1, not {workers}")
        if batch_size < 1:
            raise EngineError(f"batch size must be at least 1, not {batch_size}")
        self.kind = engine
        self.scheduler = scheduler
        self.workers = workers
        self.batch_size = batch_size
        self._in_flight = in_flight
        self.connect_timeout = connect_timeout
        self._pool: ProcessPoolExecutor | None = None
        self._client = None
        self._cluster = None
        self._shipped: dict[int, Any] = {}

    # -- life cycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Open the cluster connection (a process pool opens when a map first needs it: a run with one batch to
        extract never spawns one)."""
        if self.kind == "dask" and self._client is None:
            self._client = self._connect()

    @property
    def _pooled(self) -> bool:
        return self.kind == "local" and (self.workers or 1) > 1

    def _started_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _connect(self):
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            try:
                return Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as err:
                raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: {err}") from None
        self._cluster = LocalCluster(
            n_workers=self.workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return Client(self._cluster, set_as_default=False)

    def close(self) -> None:
        """Close what ``start`` opened."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
        self._shipped.clear()

    # -- work -------------------------------------------------------------------------------------------------
    @property
    def slots(self) -> int:
        """Batches that can run at the same time."""
        if self._client is not None:
            return max(1, sum(self._client.nthreads().values()))
        return self.workers or (1 if self.kind == "local" else 2)

    @property
    def in_flight(self) -> int:
        """Batches out at once: the bound on memory held by the engine."""
        if self._in_flight is not None:
            return max(1, self._in_flight)
        return 2 * self.slots if self._pooled or self._client is not None else 1

    def _ship(self, fn: Callable[[Any], Any]) -> Any:
        """``fn`` as the workers receive it: pickled bytes for the pool, a broadcast future on Dask."""
        key = id(fn)
        if key not in self._shipped:
            if self._pooled:
                self._shipped[key] = (fn, pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL))
            else:
                self._shipped[key] = (fn, self._client.scatter(fn, broadcast=True, hash=False))
        return self._shipped[key][1]

    def batches(self, items: Iterable[Any]) -> tuple[Iterator[list], bool]:
        """``items`` in batches, and whether they are one lone batch (then :meth:`submit` runs it here on a process
        pool: one worker would run it all the same, after unpickling ``fn`` (a lexicon) and warming up, which costs
        more than a scheduled run's few new articles). Only a pool looks a batch ahead to know."""
        it = batched(items, self.batch_size)
        if not self._pooled:
            return it, False
        head = list(islice(it, 2))
        return chain(head, it), len(head) == 1

    def submit(self, fn: Callable[[Any], Any], batch: list, lone: bool = False) -> Future:
        """Start ``fn`` over one batch; a future of the list of results (already done for the plain loop, and for
        a ``lone`` batch on a process pool: :meth:`batches`)."""
        if self._pooled and not lone:
            return self._started_pool().submit(_apply_pickled, self._ship(fn), batch)
        if self._client is not None:
            return self._client.submit(apply_batch, self._ship(fn), batch, pure=False)
        if self.kind == "dask":
            raise EngineError("the Dask engine is not started: use it as a context manager")
        return _done(apply_batch(fn, batch))

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over every item, streamed back in input order with at most ``in_flight`` batches out."""
        pending: deque = deque()
        batches, lone = self.batches(items)
        for batch in batches:
            pending.append(self.submit(fn, batch, lone))
            if len(pending) >= self.in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def map_articles(
    fn: Callable[[dict], Any],
    articles: Iterable[dict],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
) -> Iterator[Any]:
    """``fn(article)`` for every article, in input order, streaming. Options are checked now; the engine opens
    at the first result and closes when the stream ends or is closed."""
    return _streamed(Engine(engine, scheduler=scheduler, workers=workers, batch_size=batch_size), fn, articles)


def _streamed(eng: Engine, fn: Callable[[dict], Any], articles: Iterable[dict]) -> Iterator[Any]:
    with eng:
        yield from eng.map(fn, articles)
