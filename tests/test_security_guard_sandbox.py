"""No network from the query processes, even when the query check is bypassed on purpose.

An app is served for real (werkzeug's HTTP server on 127.0.0.1) with its
query check switched off on that one instance, so SERVICE queries reach the
engines; the listener they aim at must see no connection, and the client
gets a 4xx/503 with a message. The control serves the same app with the
sandbox off: there the same queries do connect, so the test can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from asu_graph.config import Settings
from asu_graph.query.executor import Job, ProcessExecutor
from asu_graph.query.sandbox import SandboxError, isolate
from asu_graph.sparql.guard import QueryRefused
from asu_graph.store.memory import MemoryStore
from asu_graph.store.oxigraph import OxigraphStore

from .adversarial.listener import Listener
from .adversarial.service_corpus import corpus
from .support import ROOT, run_cli


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    instance = Listener()
    yield instance
    instance.close()


def _serve_unchecked(tmp: Path, store: str, sandbox: str) -> Iterator[str]:
    """The app on a free port, its query check disabled for this instance only."""
    from asu_graph.web import create_app

    settings = Settings.from_env(
        out_dir=tmp / "out", store=store, query_sandbox=sandbox, query_timeout=20.0, cache_size=0
    )
    app = create_app(settings)
    service = app.extensions["asu_queries"]
    service.check = lambda *args, **kwargs: None  # the bypass this test is about
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        service.executor.close()


@pytest.fixture(scope="module", params=["oxigraph", "oxigraph:DIR", "oxrdflib", "memory"])
def unchecked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("sandboxed")
    yield from _serve_unchecked(tmp, request.param.replace("DIR", str(tmp / "store")), "auto")


@pytest.fixture(scope="module")
def unchecked_open(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve_unchecked(tmp_path_factory.mktemp("open"), "oxigraph", "off")


def _service_query(port: int, silent: bool = False) -> str:
    return (
        f"SELECT * WHERE {{ SERVICE {'SILENT ' if silent else ''}"
        f"<http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    )


def test_service_gets_no_connection_and_a_clear_answer(unchecked: str, listener: Listener) -> None:
    before = len(listener.connections)
    response = requests.get(
        f"{unchecked}/sparql", timeout=60, params={"query": _service_query(listener.port)}
    )
    assert len(listener.connections) == before
    assert response.status_code in (400, 403, 503), response.text[:300]
    assert "network" in response.text
    silent = requests.post(
        f"{unchecked}/sparql",
        timeout=60,
        data={"query": _service_query(listener.port, silent=True)},
    )
    assert len(listener.connections) == before
    assert silent.status_code < 500, silent.text[:300]


def test_no_corpus_entry_connects_with_the_check_bypassed(
    unchecked: str, listener: Listener
) -> None:
    before = len(listener.connections)
    blocked = 0
    for entry in corpus(listener.port):
        if entry.name.startswith("service-"):
            response = requests.post(f"{unchecked}/sparql", timeout=60, data={"query": entry.text})
            blocked += 400 <= response.status_code < 500 and "network" in response.text
    assert len(listener.connections) == before
    assert blocked >= 20  # entries did try, and were told why they failed


def test_control_without_the_sandbox_the_same_query_connects(
    unchecked_open: str, listener: Listener
) -> None:
    before = len(listener.connections)
    requests.get(
        f"{unchecked_open}/sparql",
        timeout=60,
        params={"query": _service_query(listener.port, silent=True)},
    )
    assert len(listener.connections) > before


@pytest.mark.parametrize("method", ["netns", "userns", "seccomp"])
def test_each_method_blocks_the_workers(method: str, listener: Listener) -> None:
    executor = ProcessExecutor(lambda: OxigraphStore(), sandbox=method)
    try:
        before = len(listener.connections)
        answer = executor.run(
            Job(_service_query(listener.port, silent=True), (("SELECT", "json"),)), 20
        )
        assert answer.kind == "SELECT"  # SILENT: the failure becomes no data
        with pytest.raises(QueryRefused, match="network") as caught:
            executor.run(Job(_service_query(listener.port), (("SELECT", "json"),)), 20)
        assert caught.value.status == 403
        assert len(listener.connections) == before
    finally:
        executor.close()


def test_memory_store_workers_are_blocked_too(listener: Listener) -> None:
    executor = ProcessExecutor(lambda: MemoryStore(), sandbox="auto")
    try:
        before = len(listener.connections)
        with pytest.raises(Exception) as caught:  # noqa: PT011 - status checked below
            executor.run(Job(_service_query(listener.port), (("SELECT", "json"),)), 20)
        assert getattr(caught.value, "status", 500) in (403, 503), caught.value
        assert len(listener.connections) == before
    finally:
        executor.close()


def test_unknown_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(SandboxError, match="auto, off, netns"):
        isolate("bogus")


def test_fails_closed_with_a_message_when_no_method_works(tmp_path: Path) -> None:
    """As an unprivileged user, a new network namespace alone is not allowed: no start."""
    script = (  # imports first: the interpreter's files may not be readable by nobody
        "import os\n"
        "from asu_graph.query.executor import ProcessExecutor\n"
        "from asu_graph.store.memory import MemoryStore\n"
        "from asu_graph.query.sandbox import SandboxError\n"
        "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
        "try:\n"
        "    ProcessExecutor(lambda: MemoryStore(), sandbox='netns')\n"
        "except SandboxError as exc:\n"
        "    print('REFUSED', exc)\n"
        "else:\n"
        "    print('STARTED')\n"
        "ex = ProcessExecutor(lambda: MemoryStore(), sandbox='auto')\n"
        "print('AUTO', ex.zygote_pid > 0)\n"
        "ex.close()\n"
    )
    if os.getuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    tmp_path.chmod(0o777)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert "REFUSED" in result.stdout, result.stdout + result.stderr
    assert "ASU_QUERY_SANDBOX=off" in result.stdout
    assert "AUTO True" in result.stdout, result.stdout + result.stderr


def test_serve_refuses_to_start_without_a_sandbox_and_says_why(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        "--port",
        "0",
        "--out-dir",
        str(tmp_path / "out"),
        env={"ASU_QUERY_SANDBOX": "bogus"},
    )
    assert result.returncode == 4
    assert "ASU_QUERY_SANDBOX" in result.stderr and "Traceback" not in result.stderr
