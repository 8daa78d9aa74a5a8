"""Complexity limits on live servers: hostile queries never crash an engine or a store.

Every query of ``tests/adversarial/complexity.py`` is within
``ASU_MAX_QUERY_BYTES`` and over one of the complexity limits. Sent to the
app on the embedded store, each gets a 400 naming its limit and the app keeps
answering; sent to an app in front of a real ``oxigraph serve``, the same,
and the Oxigraph server process is still alive afterwards (without the
limits, some of these queries kill it, see the control test).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .adversarial.complexity import GENERATORS, at_the_limits, hostile
from .stores import OxigraphServer
from .support import asu_server, run_cli

SIMPLE = {"query": "ASK { ?s ?p ?o }"}


def _send_all(app: str) -> list[str]:
    failures = []
    for name, text in hostile():
        response = requests.post(
            f"{app}/sparql",
            data=text.encode("utf-8"),
            timeout=120,
            headers={"Content-Type": "application/sparql-query"},
        )
        if response.status_code != 400 or "ASU_MAX_" not in response.text:
            failures.append(f"{name}: {response.status_code} {response.text[:150]!r}")
    return failures


def test_embedded_engine_refuses_every_hostile_query_and_stays_up(server: str) -> None:
    failures = _send_all(server)
    assert not failures, "\n".join(failures)
    assert requests.get(f"{server}/sparql", params=SIMPLE, timeout=30).json()["boolean"]


def test_queries_at_the_limits_are_answered_on_the_embedded_engine(server: str) -> None:
    for name, text in at_the_limits():
        response = requests.post(f"{server}/sparql", data={"query": text}, timeout=120)
        assert response.status_code in (200, 503), f"{name}: {response.text[:200]}"
    assert requests.get(f"{server}/sparql", params=SIMPLE, timeout=30).json()["boolean"]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    store = OxigraphServer(tmp_path_factory.mktemp("oxigraph-limits") / "store")
    store.start()
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="module")
def replica(oxigraph: OxigraphServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("replica")
    done = run_cli(
        "publish", "--to", oxigraph.gsp_url, "--query-url", oxigraph.query_url, "--grace", "0"
    )
    assert done.returncode == 0, done.stderr
    with asu_server(folder, "--store", oxigraph.query_url) as url:
        yield url


def test_oxigraph_server_behind_the_app_survives_every_hostile_query(
    replica: str, oxigraph: OxigraphServer
) -> None:
    failures = _send_all(replica)
    assert not failures, "\n".join(failures)
    for name, text in at_the_limits():
        response = requests.post(f"{replica}/sparql", data={"query": text}, timeout=120)
        assert response.status_code < 500 or response.status_code == 503, (
            f"{name}: {response.status_code} {response.text[:200]}"
        )
    assert oxigraph.process is not None and oxigraph.process.poll() is None
    assert requests.get(f"{replica}/sparql", params=SIMPLE, timeout=30).json()["boolean"]


def test_control_without_the_limits_such_a_query_kills_oxigraph_server(tmp_path: Path) -> None:
    """The same kind of server, asked directly: 8,000 MINUS blocks (64 KB) end the process."""
    store = OxigraphServer(tmp_path / "store")
    store.start()
    try:
        text = GENERATORS["minus-blocks"](8000)
        try:
            requests.post(
                store.query_url,
                data=text.encode("utf-8"),
                timeout=60,
                headers={"Content-Type": "application/sparql-query"},
            )
        except requests.RequestException:
            pass
        deadline = time.monotonic() + 10
        while (
            store.process is not None
            and store.process.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert store.process is not None and store.process.poll() is not None
    finally:
        store.stop()
