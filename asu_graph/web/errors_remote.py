"""HTTP answers when the triple store behind the app fails: 503 or 502, with a message.

A remote store that cannot be reached (or is overloaded) is a temporary
condition of this service: 503 with ``Retry-After``, and the next request
tries the store again, so the app recovers by itself once the store is back.
A store that answers with an error of its own (5xx, refused credentials) is
a bad gateway: 502. The message never names credentials.
"""

from __future__ import annotations

import logging

from flask import Flask, Response

from asu_graph.store import StoreUnavailable
from asu_graph.web.http import error

log = logging.getLogger("asu_graph.web")

RETRY_AFTER_SECONDS = 5


def store_failed(exc: StoreUnavailable) -> Response:
    status = getattr(exc, "status", 503)
    log.warning("store failure answered with %s: %s", status, exc)
    # An answer too large to read is no outage: such errors carry their own advice.
    hint = getattr(
        exc, "hint", "The query service depends on that triple store; please try again shortly."
    )
    response = error(status, f"{exc}\n{hint}")
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.register_error_handler(StoreUnavailable, store_failed)
