"""HTTP to a remote triple store: one connection pool per process, credentials, errors.

Shared by the remote query store (``remote.py``) and the Graph Store Protocol
publisher (``asu_graph/publishing/remote.py``). Credentials come only from settings
(environment variables) and are never part of a message, a log line or a URL.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPDigestAuth, _basic_auth_str
from urllib3.util.retry import Retry

from asu_graph.store.base import QueryAnswerError, QuerySyntaxError, StoreUnavailable

log = logging.getLogger("asu_graph.store")

USER_AGENT = "asu-graph (+https://w3id.org/asu/)"
CONNECT_TIMEOUT = 5.0


class StoreError(StoreUnavailable):
    """The store answered, but not with an answer (5xx, refused credentials): HTTP 502."""

    status = 502


class StoreRefused(StoreError):
    """The store refused our credentials (HTTP 401 / 403)."""


class StoreDown(StoreUnavailable):
    """The store cannot be reached or did not answer in time: HTTP 503."""

    status = 503


class AnswerTooLarge(StoreError):
    """The store's answer outgrew ``ASU_STORE_MAX_BYTES``: the query asks too much (400).

    Nothing is wrong with the store and the same query would fail again, so
    not a 5xx; 400 is also the status whose message SPARQLWrapper shows.
    """

    status = 400

    hint = (
        "Ask for less: add a LIMIT, select fewer variables or shorter values, or page "
        "with ORDER BY, LIMIT and OFFSET."
    )


_DEADLINE: ContextVar[float | None] = ContextVar("asu_store_deadline", default=None)


@contextmanager
def deadline_within(seconds: float | None) -> Iterator[None]:
    """Every exchange with a store inside this block ends within ``seconds``, all together.

    One request may ask the store several queries (a DESCRIBE asks two per
    resource it describes); the query timeout bounds them all, not each one.
    """
    if not seconds or seconds <= 0:
        yield
        return
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def current_deadline() -> float | None:
    """The monotonic time by which the current request's store exchanges must end."""
    return _DEADLINE.get()


def check_url(url: str, what: str = "store URL") -> str:
    """An http(s) URL without credentials in it (they belong in the environment)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL, not {shown(url)!r}")
    if parts.username or parts.password:
        raise ValueError(
            f"{what} must not carry credentials; set ASU_STORE_USER and "
            "ASU_STORE_PASSWORD (or ASU_STORE_TOKEN) in the environment instead"
        )
    return url


def shown(url: str) -> str:
    """The URL as it may appear in messages: no user info, no query string."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class _StoreAuth(HTTPDigestAuth):
    """User and password, in the scheme the store asks for: Basic or Digest.

    Nothing is sent until the store challenges (401 with WWW-Authenticate);
    Virtuoso, for one, answers a Basic header on a Digest endpoint with a bare
    401. After the first challenge each thread answers in that scheme up front
    (requests' digest handler keeps the nonce per thread).
    """

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        self.init_per_thread_state()
        if getattr(self._thread_local, "basic", False):
            r.headers["Authorization"] = _basic_auth_str(self.username, self.password)
        return super().__call__(r)

    def handle_401(self, r: requests.Response, **kwargs: object) -> requests.Response:
        challenge = r.headers.get("www-authenticate", "").lower()
        if (
            "basic" in challenge
            and "digest" not in challenge
            and not getattr(self._thread_local, "basic", False)
        ):
            self._thread_local.basic = True
            if self._thread_local.pos is not None:
                r.request.body.seek(self._thread_local.pos)
            r.content  # noqa: B018 - read the body so the connection can be reused
            r.close()
            again = r.request.copy()
            again.headers["Authorization"] = _basic_auth_str(self.username, self.password)
            answer = r.connection.send(again, **kwargs)
            answer.history.append(r)
            answer.request = again
            return answer
        return super().handle_401(r, **kwargs)

    def __repr__(self) -> str:  # never show the password, even in a debugger dump
        return "<store credentials>"


class _Bearer(AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:
        return "<store token>"


def auth_from(settings: object) -> AuthBase | None:
    token = getattr(settings, "store_token", "")
    if token:
        return _Bearer(token)
    user = getattr(settings, "store_user", "")
    if user:
        return _StoreAuth(user, getattr(settings, "store_password", ""))
    return None


class StoreClient:
    """A pooled, authenticated HTTP client for one store.

    the server forks its workers after the app is built, and a pooled socket
    must never be shared by two processes, so each process makes its own
    session the first time it sends something.
    """

    def __init__(self, settings: object, *, timeout: float, pool_size: int = 10) -> None:
        self.timeout = timeout if timeout and timeout > 0 else None
        self.pool_size = pool_size
        self._auth = auth_from(settings)
        self._sessions: dict[int, requests.Session] = {}
        self._lock = threading.Lock()

    def session(self) -> requests.Session:
        pid = os.getpid()
        found = self._sessions.get(pid)
        if found is not None:
            return found
        with self._lock:
            if pid not in self._sessions:
                session = requests.Session()
                # One quick reconnect covers a pooled connection the store closed
                # while idle (a restart); real outages surface as StoreDown.
                retry = Retry(
                    total=1,
                    connect=1,
                    read=0,
                    status=0,
                    other=0,
                    allowed_methods=None,
                    raise_on_status=False,
                )
                adapter = HTTPAdapter(
                    pool_connections=2, pool_maxsize=self.pool_size, max_retries=retry
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = USER_AGENT
                session.auth = self._auth
                session.trust_env = False  # no proxies or .netrc credentials picked up
                self._sessions = {pid: session}
            return self._sessions[pid]

    def send(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """One request; connection failures and time-outs become StoreDown.

        ``stream``: only the headers are read; read the body with :class:`BoundedBody`.
        """
        read = timeout if timeout is not None else self.timeout
        try:
            return self.session().request(
                method,
                url,
                data=data,
                headers=headers,
                params=params,
                timeout=(CONNECT_TIMEOUT, read),
                stream=stream,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            # A send that times out surfaces as a ConnectionError ("timed out").
            if isinstance(exc, requests.ConnectTimeout):
                within = CONNECT_TIMEOUT
            elif isinstance(exc, requests.Timeout) or _reason(exc) == "timed out":
                within = self.timeout or read or CONNECT_TIMEOUT  # the setting, not the rest
            else:
                raise StoreDown(
                    f"The triple store at {shown(url)} cannot be reached "
                    f"({_reason(exc)}); try again later."
                ) from None
            raise StoreDown(
                f"The triple store at {shown(url)} did not answer within {within:g} s."
            ) from None
        except requests.RequestException as exc:
            raise StoreError(
                f"Talking to the triple store at {shown(url)} failed: {_reason(exc)}"
            ) from None

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions = {}


def _reason(exc: Exception) -> str:
    # urllib3 nests the useful part ("Connection refused") deep inside.
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "timed out",
        "Connection reset",
        "Remote end closed connection",
        "No route to host",
    ):
        if marker in text:
            return marker
    return type(exc).__name__


class BoundedBody(io.RawIOBase):
    """A streamed answer's body, read within a wall-clock deadline and a byte cap.

    A per-read socket timeout does not bound the whole answer: a store that
    trickles a byte now and then, or streams a huge answer quickly, would keep
    a serving thread (and its memory) for as long as it likes. So a timer shuts
    the connection down at the deadline, which ends any read in progress, and
    every byte is counted as it arrives. Past either limit the read raises
    StoreDown (503, out of time) or AnswerTooLarge (400), and the connection is
    dropped, which tells the store to stop.
    """

    def __init__(
        self,
        response: requests.Response,
        *,
        timeout: float | None,
        deadline: float | None,
        max_bytes: int,
        what: str = "its answer",
    ) -> None:
        super().__init__()
        self._response = response
        self._raw = response.raw
        self._deadline = deadline
        self._max = max_bytes if max_bytes > 0 else None
        self._what = what
        self._timeout = timeout
        self.received = 0
        self._expired = False
        self._timer: threading.Timer | None = None
        if deadline is not None:
            self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self._expired = True
        connection = getattr(self._raw, "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the reader sees the end of the stream anyway

    def _out_of_time(self) -> StoreDown:
        limit = f" within {self._timeout:g} s" if self._timeout else ""
        return StoreDown(
            f"The triple store at {shown(self._response.url)} did not finish "
            f"{self._what}{limit} (ASU_QUERY_TIMEOUT); the query was stopped. "
            "Try a more selective query."
        )

    @property
    def content_type(self) -> str:
        return self._response.headers.get("Content-Type", "")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._expired:
            raise self._out_of_time()
        try:
            chunk = self._raw.read(min(len(buffer), 65536), decode_content=True)
        except Exception as exc:  # noqa: BLE001 - urllib3 / socket errors of a cut stream
            if self._expired:
                raise self._out_of_time() from None
            raise StoreDown(
                f"The triple store at {shown(self._response.url)} broke off "
                f"{self._what} ({_reason(exc)})."
            ) from None
        if self._expired:
            raise self._out_of_time()
        self.received += len(chunk)
        if self._max is not None and self.received > self._max:
            raise AnswerTooLarge(
                f"The triple store's answer to this query is larger than {self._max:,} bytes "
                "(ASU_STORE_MAX_BYTES); it was cut off."
            )
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._response.close()
        super().close()


def body_text(response: requests.Response, limit: int = 300) -> str:
    """The start of an error body, on one line, for messages (at most 4000 bytes read)."""
    if response._content is False:  # noqa: SLF001 - a streamed body not read yet
        try:
            head = response.raw.read(4000, decode_content=True) or b""
        except Exception:  # noqa: BLE001 - the error status says enough
            head = b""
        response._content = head  # noqa: SLF001
        response.close()
    text = response.content[:4000].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


_VIRTUOSO_QUERY_FAULT = re.compile(r"\s*Virtuoso (?:22|42)[0-9A-Z]{3} Error")
# The Oxigraph server answers 500 for a function it does not know.
_OXIGRAPH_QUERY_FAULT = re.compile(r"\s*The custom function <[^>]*> is not supported")


def raise_for_status(response: requests.Response, what: str, *, query: bool = False) -> None:
    """Map an unsuccessful answer to the project's errors.

    ``query``: a 400 (and Virtuoso's SQL state 37000 inside a 500) means the
    query text is malformed, which is the caller's fault, not the store's.
    """
    status = response.status_code
    if status < 400:
        return
    where = shown(response.url)
    detail = body_text(response)
    # Virtuoso appends the query as it ran it, with the store's own graph names:
    # the client is told the reason only.
    reason = detail.split(" SPARQL query:", 1)[0]
    if query and (status == 400 or (status == 500 and "37000" in detail)):
        raise QuerySyntaxError(reason or f"HTTP {status}")
    if (
        query
        and status == 500
        and (_VIRTUOSO_QUERY_FAULT.match(detail) or _OXIGRAPH_QUERY_FAULT.match(detail))
    ):
        # SQL state class 22, a data exception (an invalid regular expression or
        # language tag, a division by zero), or 42, a query Virtuoso's SQL
        # compiler refuses (a variable selected twice, an unknown function):
        # the query's fault, not the store's.
        raise QueryAnswerError(f"The query could not be evaluated by the triple store: {reason}")
    if status in (401, 403):
        raise StoreRefused(
            f"The triple store at {where} refused {what} (HTTP {status}): "
            "check ASU_STORE_USER / ASU_STORE_PASSWORD or ASU_STORE_TOKEN."
        )
    if status in (502, 503, 504):
        raise StoreDown(f"The triple store at {where} is unavailable (HTTP {status}).")
    raise StoreError(f"The triple store at {where} failed {what} (HTTP {status}): {detail}")
