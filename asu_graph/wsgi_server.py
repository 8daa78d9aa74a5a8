"""Production serving under Granian, embedded so ``asu-graph serve`` is one command.

Why Granian rather than a pure-Python server: its HTTP layer (Rust, hyper on
tokio) reads requests without holding a Python thread. A client that sends
one header line every few seconds, or opens a connection and says nothing,
costs a little memory in the event loop, not one of the few threads that run
the app; so 64 such clients do not keep a simple query from being answered.
With gunicorn's sync and gthread workers each of them holds a thread (or a
whole worker) until it finishes its headers.

The app is built once in this process (the graph, the query zygote, the
shared rate-limit table), then Granian forks its worker processes, which
inherit all of it; each worker runs the app on ``settings.threads`` threads.
SIGTERM stops the workers gracefully, then this process.

Granian passes the peer's address as ``REMOTE_ADDR`` and never rewrites it
from ``X-Forwarded-*`` headers: those are believed only from
``ASU_TRUSTED_PROXIES``, by the app itself (web/security.py).
"""

from __future__ import annotations

import logging
import multiprocessing
from typing import Any

from flask import Flask

from asu_graph.config import Settings

log = logging.getLogger("asu_graph.server")

# hyper's default read buffer for one request head (request line and headers).
_DEFAULT_HEAD_BYTES = 8192 + 4096 * 100


def head_limit(settings: Settings) -> int:
    """Bytes allowed for the request head: a GET of the longest accepted query fits.

    Percent-encoding makes a query up to three times longer in the URL; a
    request between the query limit and this one reaches the app, which
    refuses it with its own message (a 413 naming ``ASU_MAX_QUERY_BYTES``).
    """
    return max(_DEFAULT_HEAD_BYTES, 3 * settings.max_query_bytes + 64 * 1024)


def _log_level(settings: Settings) -> Any:
    from granian.log import LogLevels

    try:
        return LogLevels(settings.log_level.lower())
    except ValueError:
        return LogLevels.info


def granian_server(app: Flask, settings: Settings) -> Any:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import MPServer

    # Granian forks its workers with multiprocessing; they must inherit the
    # loaded app and the zygote, not import them again.
    if multiprocessing.get_start_method(allow_none=True) != "fork":
        multiprocessing.set_start_method("fork", force=True)
    server = MPServer(
        "asu_graph",  # a label: the app object is handed over below, not imported
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        blocking_threads=settings.threads,
        http=HTTPModes.http1,
        # Connections a worker holds at once (Granian's default is backlog /
        # workers): slow and idle clients count too, so keep it far above the
        # threads, and let the header timeout below free the slots.
        backlog=2048,
        http1_settings=HTTP1Settings(
            # A client that has not sent its whole head within this time is
            # disconnected (slow senders cost a socket, never a thread).
            header_read_timeout=30_000,
            keep_alive=True,
            max_buffer_size=head_limit(settings),
        ),
        log_level=_log_level(settings),
        # A worker that dies (out of memory, a crash) is replaced.
        respawn_failed_workers=True,
        workers_kill_timeout=10,
    )
    return server


def run_granian(app: Flask, settings: Settings) -> None:
    server = granian_server(app, settings)
    server.serve(target_loader=lambda _target: app)
