"""Availability of ``asu-graph serve`` against clients that hold connections open.

Real server processes on 127.0.0.1; the slow and idle clients are plain
sockets, the probe is an ordinary ``requests`` call. The probes' timeouts are
upper bounds with a wide margin: a server that lets these clients hold its
threads does not answer at all while they are connected (they keep sending),
so the margin cannot hide a regression.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests

from .support import asu_server

SIMPLE = ("SELECT ?m WHERE { <https://w3id.org/asu/id/alliance-sorbonne-universite> "
          "<http://www.w3.org/ns/org#hasMember> ?m }")
JSON = {"Accept": "application/sparql-results+json"}
PROBE_TIMEOUT = 5.0     # the requirement is 1 s; this bound leaves room for a loaded machine


def _probe(url: str) -> requests.Response:
    response = requests.get(f"{url}/sparql", params={"query": SIMPLE}, headers=JSON,
                            timeout=PROBE_TIMEOUT)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 6
    return response


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


@contextmanager
def _clients(url: str, count: int, slow: bool, interval: float = 4.0) -> Iterator[None]:
    """``count`` connections that send one header line every ``interval`` s (slow) or
    nothing at all (idle); a connection the server closes is opened again."""
    stop = threading.Event()
    sockets: list[socket.socket | None] = [None] * count

    def start(index: int) -> None:
        sock = _connect(url)
        if slow:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        sockets[index] = sock

    def keep_going() -> None:
        while not stop.wait(interval):
            for index, sock in enumerate(sockets):
                try:
                    if sock is None:
                        start(index)
                    elif slow:
                        sock.sendall(b"X-Slow: 1\r\n")
                    else:   # idle: only notice a close, and reconnect
                        sock.setblocking(False)
                        try:
                            if sock.recv(1) == b"":
                                raise ConnectionResetError
                        except BlockingIOError:
                            pass
                        finally:
                            sock.setblocking(True)
                except OSError:
                    if sock is not None:
                        sock.close()
                    sockets[index] = None

    for index in range(count):
        start(index)
    feeder = threading.Thread(target=keep_going, daemon=True)
    feeder.start()
    try:
        yield
    finally:
        stop.set()
        feeder.join(10)
        for sock in sockets:
            if sock is not None:
                sock.close()


def test_slow_and_idle_clients_do_not_stall_a_simple_query(tmp_path: Path) -> None:
    with asu_server(tmp_path) as url:
        _probe(url)
        with _clients(url, 64, slow=True):
            time.sleep(1.0)                 # all 64 are in the middle of their headers
            for _ in range(3):
                _probe(url)
            time.sleep(4.5)                 # ... and still are, one line later
            _probe(url)
        with _clients(url, 64, slow=False, interval=1.0):
            time.sleep(1.0)
            for _ in range(3):
                _probe(url)
            time.sleep(2.0)
            _probe(url)
        with _clients(url, 64, slow=True), _clients(url, 64, slow=False, interval=1.0):
            time.sleep(1.0)
            _probe(url)


def test_get_carries_a_query_up_to_the_configured_limit(tmp_path: Path) -> None:
    # A query just under ASU_MAX_QUERY_BYTES, sent by GET: far longer than the
    # 8 KB request lines many servers accept (the HTTP layer takes request
    # targets up to 64 KB; longer queries go by POST).
    padding = "# " + "x" * 200 + "\n"
    limit = 32768
    text = SIMPLE
    while len(text) + len(padding) < limit - 100:
        text = padding + text
    assert 4 * 8190 < len(quote(text)) < 40000
    with asu_server(tmp_path, env={"ASU_MAX_QUERY_BYTES": str(limit)}) as url:
        response = requests.get(f"{url}/sparql", params={"query": text}, headers=JSON,
                                timeout=30)
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["results"]["bindings"]) == 6
        # Over the limit: the app's own refusal, in plain text, naming the setting.
        over = requests.get(f"{url}/sparql", params={"query": padding * 100 + text},
                            headers=JSON, timeout=30)
        assert over.status_code in (400, 413, 414), over.status_code
        assert over.headers["Content-Type"].startswith("text/plain")
        assert f"{limit:,}" in over.text, over.text
