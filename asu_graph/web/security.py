"""App-wide protections: refusal errors, body limit message, rate limit, security headers.

Installed once by ``create_app``; every blueprint gets them without doing
anything. The query-level refusals themselves (SERVICE, FROM, updates,
timeouts, sizes) are decided in ``guard.py`` and ``executor.py``; this module
only turns them into HTTP answers.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import math
import mmap
import os
import re
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as WerkzeugResponse

from asu_graph.config import Settings
from asu_graph.query.jobs import QueryError
from asu_graph.sparql.guard import QueryRefused
from asu_graph.store import QueryAnswerError
from asu_graph.web.http import error

# Pages may only load what this site serves; data shown on them can never
# become script (inline script is not allowed at all), and no other site may
# frame them. Inline style stays allowed: the query editor sets styles at run time.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
REFERRER_POLICY = "same-origin"


class RateLimiter:
    """Requests per minute per client, shared by all serving processes.

    The generic cell rate algorithm: each client has a "theoretical arrival
    time"; a request moves it forward by 60/limit seconds, and a client whose
    arrival time runs more than a minute ahead of now is refused until it
    falls back. This allows a burst of ``limit`` requests, then a steady
    ``limit`` per minute. The table lives in an anonymous shared memory map
    created before the server forks, so every worker process sees the same
    counts; a fixed number of slots keeps its size bounded whatever the
    number of clients.

    It never fails open. Slots are found by a hash keyed with a secret drawn
    at start, so nobody can pick addresses that crowd out a chosen client;
    a client whose slots are all taken by clients still within their minute
    is refused (429) rather than let through uncounted. The lock across
    processes is a POSIX record lock, which the kernel releases when its
    holder dies, so a worker killed while counting cannot leave it stuck.
    """

    _SLOT = struct.Struct("=Qd")  # client key (keyed hash of the client), arrival time
    _SLOTS = 65536  # 1 MiB of shared memory
    _PROBES = 32

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.interval = 60.0 / per_minute
        self.burst = 60.0 - self.interval
        self._table = mmap.mmap(-1, self._SLOT.size * self._SLOTS)
        self._secret = os.urandom(16)
        # Record locks belong to a process (threads share them), hence a thread lock too.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the limiter
        self._threads = threading.Lock()

    def _key(self, client: str) -> int:
        digest = hashlib.blake2b(client.encode(), digest_size=8, key=self._secret).digest()
        return int.from_bytes(digest, "big") or 1

    def hit(self, client: str, now: float | None = None) -> float:
        """Count one request; 0 if allowed, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        key = self._key(client)
        with self._threads:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                return self._hit(key, now)
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)

    def _hit(self, key: int, now: float) -> float:
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
                # Every slot this client may use holds a client still within its
                # minute: refuse until the first of them frees its slot.
                return max(1.0, min(self._arrivals(key)) - now)
            offset, arrival = free, now
        arrival = max(arrival, now)
        if arrival - now > self.burst:
            return arrival - now - self.burst
        self._SLOT.pack_into(self._table, offset, key, arrival + self.interval)
        return 0.0

    def _arrivals(self, key: int) -> list[float]:
        return [
            self._SLOT.unpack_from(self._table, ((key + probe) % self._SLOTS) * self._SLOT.size)[1]
            for probe in range(self._PROBES)
        ]


def client_key(address: str | None, ipv6_prefix: int = 64) -> str:
    """What the rate limit counts: an IPv4 address, or the IPv6 network it belongs to.

    One IPv6 customer usually holds a whole /64 (2^64 addresses), so counting
    single IPv6 addresses would give each client an unlimited budget.
    """
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, ipv6_prefix), strict=False))
    return str(ip)


def limited_client(address: str | None, settings: Settings) -> str | None:
    """The client the per-client limits count (rate, running queries), or None for a
    loopback client when ``ASU_RATE_LIMIT_LOOPBACK`` leaves those alone."""
    if _is_loopback(address) and not settings.rate_limit_loopback:
        return None
    return client_key(address, settings.rate_limit_ipv6_prefix)


def _drain(environ: dict, max_body_bytes: int) -> None:
    """Read (and drop) a refused body, up to a bound, before answering.

    The HTTP server closes a connection whose body was left unread; a client
    still sending would then see a reset instead of the 413 and its message.
    Beyond the bound (a few times the limit) the connection is let go.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length <= 0 or length > 4 * max_body_bytes + (1 << 20):
        return
    stream = environ.get("wsgi.input")
    if stream is None:
        return
    try:
        while length > 0:
            chunk = stream.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)
    except (OSError, ValueError):
        return


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


# A path prefix as a proxy may set it: "/segment/segment", never "//host" or a full URL.
_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")
_FORWARDED = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_SCRIPT_NAME",
)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class ProxyHeaders:
    """WSGI middleware: forwarding headers are believed only from a trusted proxy.

    Links, redirects and cached pages are built from the request's scheme, host
    and path prefix (``SCRIPT_NAME``). A client talking to the server directly
    must not be able to set them: its ``X-Forwarded-*`` headers are dropped and
    a path prefix that is not a plain path (``//evil.example`` would make
    ``Location: //evil.example/page/x``) is refused. Requests from an address
    in ``ASU_TRUSTED_PROXIES`` go through werkzeug's ``ProxyFix`` (one proxy
    hop: the last ``X-Forwarded-For`` entry is the client).
    """

    def __init__(self, app: WSGIApp, trusted: Iterable[str], mount: str = "") -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(item, strict=False) for item in trusted]
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
        mount = mount.rstrip("/")
        if not _PREFIX.fullmatch(mount):
            raise ValueError(f"SCRIPT_NAME: {mount!r} is not a plain path such as /lod")
        self.mount = mount

    def trusted(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address((address or "").split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (
            self.mount
            and not environ.get("SCRIPT_NAME")
            and (path == self.mount or path.startswith(self.mount + "/"))
        ):
            # Served under a path prefix set by the operator (the SCRIPT_NAME
            # environment variable, as gunicorn reads it), when the server
            # itself did not split it off.
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = self.mount, path[len(self.mount) :]
        if not _PREFIX.fullmatch(environ.get("SCRIPT_NAME", "")):
            return _refuse(
                environ, start_response, "The path prefix (SCRIPT_NAME) is not a plain path."
            )
        if self.networks and self.trusted(environ.get("REMOTE_ADDR")):
            prefix = environ.get("HTTP_X_FORWARDED_PREFIX")
            if prefix is not None and not _PREFIX.fullmatch(
                prefix.split(",")[-1].strip().rstrip("/")
            ):
                return _refuse(environ, start_response, "X-Forwarded-Prefix is not a plain path.")
            return self.proxied(environ, start_response)
        for name in _FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)


def _refuse(environ: dict, start_response: Callable, message: str) -> Iterable[bytes]:
    return WerkzeugResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")(
        environ, start_response
    )


def install(app: Flask, settings: Settings) -> None:
    """Register the hooks and error handlers on ``app`` (before the blueprints)."""
    # "/id//etc/passwd" (an encoded slash decodes to one) is a 404 like any other
    # unknown path, not a redirect that cleans it up for the client.
    app.url_map.merge_slashes = False
    app.wsgi_app = ProxyHeaders(  # type: ignore[method-assign]
        app.wsgi_app, settings.trusted_proxies, os.environ.get("SCRIPT_NAME", "")
    )

    @app.errorhandler(QueryRefused)
    def refused(exc: QueryRefused) -> Response:
        response = error(exc.status, exc.message)
        if exc.status == 429:  # too many queries running for this client: soon again
            response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(QueryError)
    def unanswered(exc: QueryError) -> Response:
        # A timeout or a lost worker on a route that runs a query (pages, fragments).
        return error(exc.status, exc.message)

    @app.errorhandler(QueryAnswerError)
    def unanswerable(exc: QueryAnswerError) -> Response:
        return error(exc.status, exc.message)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> Response:
        _drain(request.environ, settings.max_body_bytes)
        return error(
            413,
            f"The request body is larger than this service accepts "
            f"({settings.max_body_bytes:,} bytes).",
        )

    per_minute = settings.effective_rate_limit
    if per_minute > 0:
        limiter = RateLimiter(per_minute)

        @app.before_request
        def rate_limit() -> Response | None:
            client = limited_client(request.remote_addr, settings)
            if client is None:
                return None
            wait = limiter.hit(client)
            if wait <= 0:
                return None
            seconds = max(1, math.ceil(wait))
            response = error(
                429,
                f"Too many requests from {client}: this service answers "
                f"{per_minute} requests per minute per client. "
                f"Retry after {seconds} seconds.",
            )
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
