"""The bad-request corpus against a live server: right 4xx, a message, no 500, no leak.

A socket server on 127.0.0.1 records every connection it receives; the
queries of the corpus aim SERVICE, FROM and LOAD at it (and at local files).
It must receive nothing, on every embedded backend. Control tests show that
the engines themselves would connect if the guard let such a query through,
so the listener test can fail.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from .adversarial.listener import Listener
from .bad_requests import FILE_CONTENT_MARKERS, Case, all_cases, outbound_cases
from .support import asu_server


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    instance = Listener()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def memory_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """rdflib's own engine, which fetches FROM and SERVICE IRIs when nothing stops it."""
    with asu_server(
        tmp_path_factory.mktemp("memory"), "--store", "memory", "--query-timeout", "2"
    ) as url:
        yield url


def send(base: str, case: Case) -> tuple[int, str, bytes]:
    """The request exactly as written in the case (no client-side path clean-up)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest(case.method, case.target, skip_accept_encoding=True)
        for name, value in case.headers.items():
            conn.putheader(name, value)
        if case.body or case.method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(case.body)))
        conn.endheaders(case.body or None)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


_NAMES = [case.name for case in all_cases("http://127.0.0.1:1/sparql")]
_OUTBOUND = [case.name for case in outbound_cases("http://127.0.0.1:1/sparql")]


def _check(base: str, case: Case, listener: Listener) -> None:
    before = len(listener.connections)
    status, content_type, body = send(base, case)
    text = body.decode("utf-8", "replace")
    assert status != 500 and status < 500, f"{case.name}: {status} {text[:300]}"
    assert status in case.expect, f"{case.name}: got {status}, want {case.expect}: {text[:300]}"
    assert text.strip() or case.bare, f"{case.name}: {status} without a message"
    if content_type.startswith("text/plain"):
        assert len(text) < 5000 and "Traceback" not in text, text[:300]
    if case.says:
        assert case.says.lower() in text.lower(), f"{case.name}: {text[:300]}"
    for marker in FILE_CONTENT_MARKERS:
        assert marker not in text, f"{case.name}: server file content in the body"
    assert len(listener.connections) == before, f"{case.name}: the listener was contacted"


@pytest.mark.parametrize("name", _NAMES)
def test_bad_request(server: str, listener: Listener, name: str) -> None:
    case = next(c for c in all_cases(listener.url) if c.name == name)
    _check(server, case, listener)


@pytest.mark.parametrize("name", _OUTBOUND)
def test_outbound_refused_on_rdflib_engine(
    memory_server: str, listener: Listener, name: str
) -> None:
    case = next(c for c in outbound_cases(listener.url) if c.name == name)
    _check(memory_server, case, listener)


def test_corpus_is_large_and_the_listener_stayed_silent(listener: Listener) -> None:
    assert len(_NAMES) >= 50
    assert listener.connections == []


def test_control_engines_would_connect_without_the_guard(listener: Listener) -> None:
    """Without the guard, both engines do open a connection: the listener test can fail."""
    from asu_graph.store.memory import MemoryStore
    from asu_graph.store.oxigraph import OxigraphStore

    query = f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    before = len(listener.connections)
    with pytest.raises(Exception):  # noqa: B017 - the listener answers nothing useful
        OxigraphStore().query(query).serialize("json")
    assert len(listener.connections) > before
    before = len(listener.connections)
    with pytest.raises(Exception):  # noqa: B017
        MemoryStore().query(query).serialize("json")
    assert len(listener.connections) > before
    # Keep the shared record clean for the final check above.
    del listener.connections[:]


def test_valid_queries_still_answer(server: str) -> None:
    """The guard refuses by reading, not by pattern: look-alikes in strings pass."""
    import requests

    texts = [
        'SELECT ?service WHERE { BIND("SERVICE <http://127.0.0.1:1/> {}" AS ?service) }',
        "SELECT * { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:1/> LOAD <file:///x>",
        'ASK { BIND("""FROM <file:///etc/passwd>""" AS ?from) }',
        "PREFIX service: <https://w3id.org/asu/> ASK { ?s ?p service:load }",
        'SELECT ?load ?insert { BIND("drop" AS ?load) BIND(<urn:from> AS ?insert) }',
    ]
    for text in texts:
        response = requests.get(f"{server}/sparql", params={"query": text}, timeout=30)
        assert response.status_code == 200, (text, response.text)


def test_timeout_holds_on_rdflib_engine_too(memory_server: str) -> None:
    """The worker-process timeout is not Oxigraph-specific."""
    import time

    import requests

    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = requests.post(f"{memory_server}/sparql", data={"query": query}, timeout=60)
    assert response.status_code == 400 and "stopped" in response.text
    assert time.monotonic() - started < 2 + 2
    simple = requests.get(
        f"{memory_server}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30
    )
    assert simple.status_code == 200 and simple.json()["boolean"] is True
