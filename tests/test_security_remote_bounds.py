"""Every answer from a remote store is bounded: rows, bytes and wall-clock time.

A real Oxigraph server (127.0.0.1, stopped by PID) holds the published
release; ``asu-graph serve --store`` runs in front of it with different
limits. The query is short and matches about 1.4 million rows (two patterns
of the 1,182 published triples), of which it asks for 500,000: about 65 MB of
SPARQL JSON (and a CONSTRUCT as large). The app must stop reading at the
result cap, cut the answer at ``ASU_STORE_MAX_BYTES`` when there is no cap,
and give up at the query timeout when the store sends slowly; each time it
answers within the timeout and a margin, its memory (every process of the
server, from /proc) grows little, and it answers the next query.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .stores import OxigraphServer
from .test_security_remote import group_rss_kib, publish, serve_app

BIG = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 500000"
BIG_GRAPH = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 500000"
SMALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RESULTS_JSON = "application/sparql-results+json"
MARGIN_S = 15.0  # generous: the machine is shared
RSS_GROWTH_KIB = 400 * 1024  # the unbounded reader grew one process by gigabytes


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("bounds") / "store")
    server.start()
    try:
        publish(server, {})
        yield server
    finally:
        server.stop()


class SlowRelay:
    """A TCP relay to ``upstream`` that passes each connection's first 64 KB of answer
    at full speed, then 1 KB every 0.2 s: a store (or network) that trickles."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, slow: bool) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(1024 if slow and sent >= 65536 else 65536)
                if not data:
                    break
                if slow and sent >= 65536:
                    time.sleep(0.2)
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()
        for end in self._open:
            end.close()


def _measured(app: str, pgid: int, text: str) -> tuple[requests.Response, float, int]:
    """The answer to ``text``, the seconds it took and the peak growth of RSS (KiB)."""
    baseline = group_rss_kib(pgid)
    peak = baseline
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, group_rss_kib(pgid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        answer = requests.get(
            app + "/sparql", params={"query": text}, headers={"Accept": RESULTS_JSON}, timeout=120
        )
    finally:
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
    # Shown with pytest -s: the numbers docs/security.md quotes.
    print(
        f"\n{answer.status_code} in {elapsed:.2f} s, {len(answer.content):,} bytes, "
        f"RSS {baseline // 1024} MiB + {(peak - baseline) // 1024} MiB at peak"
    )
    return answer, elapsed, peak - baseline


def _still_answers(app: str) -> None:
    answer = requests.get(
        app + "/sparql", params={"query": SMALL}, headers={"Accept": RESULTS_JSON}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 1000


def _warm(app: str) -> None:
    _still_answers(app)
    requests.get(
        app + "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 2000"},
        headers={"Accept": RESULTS_JSON},
        timeout=30,
    )


def test_a_huge_answer_is_read_only_up_to_the_result_cap(
    store: OxigraphServer, tmp_path: Path
) -> None:
    timeout = 20
    with serve_app(
        tmp_path,
        store.query_url,
        {"ASU_WORKERS": "1", "ASU_QUERY_TIMEOUT": str(timeout), "ASU_CACHE_SIZE": "0"},
    ) as (app, process):
        _warm(app)
        answer, elapsed, growth = _measured(app, process.pid, BIG)
        # /sparql sends no answer cut short: 400, saying how to page.
        assert answer.status_code == 400, answer.text[:300]
        assert "more than 10,000 rows" in answer.text
        assert elapsed < timeout + MARGIN_S
        assert growth < RSS_GROWTH_KIB, f"RSS grew by {growth // 1024} MiB"
        # A graph answer is read the same way: 10,001 distinct triples, then no more.
        started = time.monotonic()
        graph = requests.get(
            app + "/sparql",
            params={"query": BIG_GRAPH},
            headers={"Accept": "application/n-triples"},
            timeout=120,
        )
        assert graph.status_code == 400, graph.text[:300]
        assert "more than 10,000 triples" in graph.text
        assert time.monotonic() - started < timeout + MARGIN_S
        _still_answers(app)


def test_an_answer_over_the_byte_cap_is_cut_with_a_400(
    store: OxigraphServer, tmp_path: Path
) -> None:
    timeout = 20
    env = {
        "ASU_WORKERS": "1",
        "ASU_QUERY_TIMEOUT": str(timeout),
        "ASU_RESULT_CAP": "0",
        "ASU_STORE_MAX_BYTES": "4000000",
        "ASU_CACHE_SIZE": "0",
    }
    with serve_app(tmp_path, store.query_url, env) as (app, process):
        _warm(app)
        answer, elapsed, growth = _measured(app, process.pid, BIG)
        assert answer.status_code == 400, answer.text[:300]
        assert "larger than 4,000,000 bytes (ASU_STORE_MAX_BYTES)" in answer.text
        assert "LIMIT" in answer.text
        assert elapsed < timeout + MARGIN_S
        assert growth < RSS_GROWTH_KIB, f"RSS grew by {growth // 1024} MiB"
        # What a researcher's script shows: the status and the message.
        client = SPARQLWrapper(app + "/sparql")
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setQuery(BIG)
        with pytest.raises(QueryBadFormed) as raised:
            client.queryAndConvert()
        assert "ASU_STORE_MAX_BYTES" in str(raised.value)
        _still_answers(app)


def test_a_trickling_answer_is_stopped_at_the_query_timeout(
    store: OxigraphServer, tmp_path: Path
) -> None:
    timeout = 5
    relay = SlowRelay(store.http_port)
    env = {"ASU_WORKERS": "1", "ASU_QUERY_TIMEOUT": str(timeout), "ASU_CACHE_SIZE": "0"}
    try:
        url = f"http://127.0.0.1:{relay.port}/query"
        with serve_app(tmp_path, url, env) as (app, process):
            _still_answers(app)
            answer, elapsed, growth = _measured(app, process.pid, BIG)
            assert answer.status_code == 503, answer.text[:300]
            assert f"did not finish its answer within {timeout} s" in answer.text
            assert "Retry-After" in answer.headers
            # Each read of a trickle is quick, so only a wall-clock bound stops it.
            assert timeout - 0.5 < elapsed < timeout + MARGIN_S
            assert growth < RSS_GROWTH_KIB
            _still_answers(app)
            # A DESCRIBE asks the store two queries per resource, each quick on
            # its own: the timeout bounds them all together.
            started = time.monotonic()
            answer = requests.get(
                app + "/sparql",
                params={"query": "DESCRIBE ?s WHERE { ?s ?p ?o }"},
                headers={"Accept": "application/n-triples"},
                timeout=120,
            )
            assert answer.status_code == 503, answer.text[:300]
            assert f"within {timeout} s" in answer.text
            assert time.monotonic() - started < timeout + MARGIN_S
            _still_answers(app)
    finally:
        relay.close()
