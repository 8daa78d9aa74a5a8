"""Query worker processes: one memory budget for all of them, recycling after large
answers, and a zygote that comes back after kill -9. Real processes, no HTTP."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from asu_graph.query.executor import Job, ProcessExecutor, QueryFailed, _children
from asu_graph.store.oxigraph import OxigraphStore

FORMATS = (("SELECT", "json"), ("ASK", "json"), ("GRAPH", "turtle"))
# About 75 MB of text held at once by the engine (1,200 x 1,200 rows concatenated).
LARGE = "SELECT (STRLEN(GROUP_CONCAT(?c)) AS ?n) { ?a ?b ?c . ?d ?e ?f }"
SMALL = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    store = OxigraphStore()
    lines = "".join(
        f'<http://example.org/s{i}> <http://example.org/p> "{"v" * 50}{i}" .\n' for i in range(1200)
    )
    store.native.load(lines.encode(), ox.RdfFormat.N_TRIPLES)
    return store


def _executor(store: OxigraphStore, **limits: int) -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(lambda: store, **limits)
    try:
        yield executor
    finally:
        executor.close()


def _count(executor: ProcessExecutor, text: str) -> int:
    body = json.loads(executor.run(Job(text, FORMATS), 60).body)
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_all_query_workers_share_one_memory_budget(store: OxigraphStore) -> None:
    for executor in _executor(store, total_memory_bytes=48 << 20):
        # Each query alone is within the per-query limit (none here), but it
        # alone exceeds what all workers together may hold: it is stopped.
        with pytest.raises(QueryFailed, match="all running queries"):
            _count(executor, LARGE)
        assert _count(executor, SMALL) == 1200  # the next query is answered
    for executor in _executor(store, total_memory_bytes=0):
        assert _count(executor, LARGE) > 70_000_000  # the same query, with no budget


def test_a_worker_that_grew_is_not_kept_idle(store: OxigraphStore) -> None:
    for executor in _executor(store, recycle_bytes=32 << 20):
        assert _count(executor, SMALL) == 1200
        assert len(executor._idle) == 1  # small answers: the worker is kept
        small_worker = executor._idle[0].pid
        assert _count(executor, LARGE) > 70_000_000
        assert [w.pid for w in executor._idle] == []  # the large one was let go
        # ... and it exits, giving its memory back.
        deadline = time.monotonic() + 10
        while len(_children(executor.zygote_pid)) > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _children(executor.zygote_pid) == []
        assert small_worker not in _children(executor.zygote_pid)
        assert _count(executor, SMALL) == 1200


def test_the_zygote_comes_back_after_kill_9(store: OxigraphStore) -> None:
    for executor in _executor(store):
        assert _count(executor, SMALL) == 1200
        first = executor.zygote_pid
        os.kill(first, signal.SIGKILL)
        # The pooled worker still answers; new workers come from a new zygote.
        assert _count(executor, SMALL) == 1200
        executor._idle.clear()
        for _ in range(3):
            assert _count(executor, SMALL) == 1200
            executor._idle.clear()
        assert executor.zygote_pid != first
        # Killed again, while no worker is pooled: the next query waits for the new one.
        second = executor.zygote_pid
        os.kill(second, signal.SIGKILL)
        assert _count(executor, SMALL) == 1200
        assert executor.zygote_pid not in (first, second)


def test_an_executor_nobody_holds_still_stops_its_zygote(store: OxigraphStore) -> None:
    import gc

    executor = ProcessExecutor(lambda: store)
    zygote = executor.zygote_pid
    assert _count(executor, SMALL) == 1200
    del executor
    gc.collect()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(zygote, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"zygote {zygote} still runs")
