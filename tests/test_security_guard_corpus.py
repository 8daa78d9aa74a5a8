"""The adversarial SERVICE / FROM / LOAD corpus against live servers on every store.

Each entry of ``tests/adversarial/service_corpus.py`` is sent as a raw HTTP
request to ``asu-graph serve`` on each embedded store and to replicas in
front of a real ``oxigraph serve`` and of Virtuoso (which would follow
SERVICE themselves); the answer must be a 4xx with a message, and the
listener the entries aim at must not see a single connection. The control
test shows the entries are live ammunition: run by Oxigraph itself, with no
check in front, most of them do connect.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .adversarial.listener import Listener
from .adversarial.service_corpus import Entry, corpus
from .stores import OxigraphServer, Virtuoso
from .support import asu_server, run_cli

STORES = [
    "oxigraph",
    "oxigraph:DIR",
    "oxrdflib",
    "memory",
    "replica of oxigraph serve",
    "replica of virtuoso",
]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    instance = Listener()
    yield instance
    instance.close()


@pytest.fixture(scope="module", params=STORES)
def store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("corpus")
    if request.param.startswith("replica"):
        # A real store would follow SERVICE itself: the app in front must never
        # forward such a query.
        virtuoso = request.param.endswith("virtuoso")
        backing: OxigraphServer | Virtuoso = (Virtuoso if virtuoso else OxigraphServer)(
            tmp / "backing"
        )
        env = {"ASU_STORE_USER": "dba", "ASU_STORE_PASSWORD": "dba"} if virtuoso else {}
        backing.start()
        try:
            done = run_cli(
                "publish",
                "--to",
                backing.gsp_url,
                "--query-url",
                backing.query_url,
                "--grace",
                "0",
                env=env,
            )
            assert done.returncode == 0, done.stderr
            with asu_server(tmp, "--store", backing.query_url, env=env) as url:
                yield url
        finally:
            backing.stop()
        return
    store = request.param.replace("DIR", str(tmp / "store"))
    with asu_server(tmp, "--store", store, "--query-timeout", "10") as url:
        yield url


def send(base: str, entry: Entry) -> tuple[int, str]:
    method, target, body, headers = entry.request()
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, target, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_corpus_is_large_and_varied() -> None:
    entries = corpus(1)
    assert len(entries) >= 150
    assert {e.transport for e in entries} == {"get", "form", "direct"}
    assert {e.param for e in entries} == {"query", "update"}


def test_every_entry_is_refused_and_nothing_connects(store_server: str, listener: Listener) -> None:
    failures = []
    entries = corpus(listener.port)
    for entry in entries:
        before = len(listener.connections)
        status, text = send(store_server, entry)
        if not 400 <= status < 500 or not text.strip():
            failures.append(f"{entry.name}: {status} {text[:200]!r}")
        if len(listener.connections) != before:
            failures.append(f"{entry.name}: the listener was contacted")
    assert not failures, f"{len(failures)} of {len(entries)}:\n" + "\n".join(failures)
    assert listener.connections == []


def test_control_the_corpus_connects_when_nothing_checks_it() -> None:
    """Run straight on Oxigraph (no check), most SERVICE entries reach the listener."""
    import pyoxigraph as ox

    own = Listener()
    try:
        store = ox.Store()
        store.add(
            ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
        )
        reached = 0
        services = [e for e in corpus(own.port) if e.name.startswith("service-")]
        for entry in services:
            before = len(own.connections)
            try:
                result = store.query(entry.text)
                if not isinstance(result, bool):
                    list(result)
            except Exception:  # noqa: BLE001,S110 - the listener answers nothing useful
                pass
            reached += len(own.connections) > before
        assert reached > len(services) // 2, (reached, len(services))
    finally:
        own.close()
