"""App-wide protections: refusal errors, body limit message, rate limit, security headers.

Installed once by ``create_app``; every blueprint gets them without doing
anything. The query-level refusals themselves (SERVICE, FROM, updates,
timeouts, sizes) are decided in ``guard.py`` and ``executor.py``; this module
only turns them into HTTP answers.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import mmap
import multiprocessing
import struct
import time
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..config import Settings
from ..guard import QueryRefused
from .http import error

# Pages may only load what this site serves; data shown on them can never
# become script (inline script is not allowed at all), and no other site may
# frame them. Inline style stays allowed: the query editor sets styles at run time.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
REFERRER_POLICY = "same-origin"
TRUNCATED_HEADER = "X-ASU-Result-Truncated"


class RateLimiter:
    """Requests per minute per client address, shared by all serving processes.

    The generic cell rate algorithm: each client has a "theoretical arrival
    time"; a request moves it forward by 60/limit seconds, and a client whose
    arrival time runs more than a minute ahead of now is refused until it
    falls back. This allows a burst of ``limit`` requests, then a steady
    ``limit`` per minute. The table lives in an anonymous shared memory map
    created before the server forks, so every worker process sees the same
    counts; a fixed number of slots keeps its size bounded whatever the
    number of clients (a full table lets requests through rather than
    refusing strangers).
    """

    _SLOT = struct.Struct("=Qd")     # client key (hash of the address), arrival time
    _SLOTS = 8192
    _PROBES = 16

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.interval = 60.0 / per_minute
        self.burst = 60.0 - self.interval
        self._table = mmap.mmap(-1, self._SLOT.size * self._SLOTS)
        self._lock = multiprocessing.Lock()

    @staticmethod
    def _key(client: str) -> int:
        return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(),
                              "big") or 1

    def hit(self, client: str, now: float | None = None) -> float:
        """Count one request; 0 if allowed, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        key = self._key(client)
        if not self._lock.acquire(timeout=1.0):
            return 0.0          # never let a stuck lock take the site down
        try:
            free = None
            for probe in range(self._PROBES):
                offset = ((key + probe) % self._SLOTS) * self._SLOT.size
                stored_key, arrival = self._SLOT.unpack_from(self._table, offset)
                if stored_key == key:
                    break
                if free is None and (stored_key == 0 or arrival <= now):
                    free = offset
            else:
                if free is None:
                    return 0.0
                offset, arrival = free, now
            arrival = max(arrival, now)
            if arrival - now > self.burst:
                return arrival - now - self.burst
            self._SLOT.pack_into(self._table, offset, key, arrival + self.interval)
            return 0.0
        finally:
            self._lock.release()


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _valid_utf8(encoded: bytes) -> bool:
    """Whether percent-encoded form data decodes to UTF-8 (Werkzeug would keep bad bytes
    as literal ``%FF`` text, silently changing a query instead of refusing it)."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def install(app: Flask, settings: Settings) -> None:
    """Register the hooks and error handlers on ``app`` (before the blueprints)."""
    # "/id//etc/passwd" (an encoded slash decodes to one) is a 404 like any other
    # unknown path, not a redirect that cleans it up for the client.
    app.url_map.merge_slashes = False

    @app.errorhandler(QueryRefused)
    def refused(exc: QueryRefused) -> Response:
        return error(exc.status, exc.message)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> Response:
        return error(413, f"The request body is larger than this service accepts "
                          f"({settings.max_body_bytes:,} bytes).")

    if settings.rate_limit > 0:
        limiter = RateLimiter(settings.rate_limit)

        @app.before_request
        def rate_limit() -> Response | None:
            client = request.remote_addr or "unknown"
            if _is_loopback(client) and not settings.rate_limit_loopback:
                return None
            wait = limiter.hit(client)
            if wait <= 0:
                return None
            seconds = max(1, math.ceil(wait))
            response = error(429, f"Too many requests from {client}: this service answers "
                                  f"{settings.rate_limit} requests per minute per client. "
                                  f"Retry after {seconds} seconds.")
            response.headers["Retry-After"] = str(seconds)
            return response

    @app.before_request
    def utf8_only() -> Response | None:
        if not _valid_utf8(request.query_string):
            return error(400, "The query string is not valid UTF-8.")
        if request.mimetype == "application/x-www-form-urlencoded":
            # Read (within MAX_CONTENT_LENGTH) and kept for the form parser.
            if not _valid_utf8(request.get_data(cache=True)):
                return error(400, "The form body is not valid UTF-8.")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype in ("text/html", "application/xhtml+xml"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        return response
