"""HTTP to a remote triple store: one connection pool per process, credentials, errors.

Shared by the remote query store (``remote.py``) and the Graph Store Protocol
publisher (``asu_graph/publish.py``). Credentials come only from settings
(environment variables) and are never part of a message, a log line or a URL.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPDigestAuth, _basic_auth_str
from urllib3.util.retry import Retry

from .base import QueryAnswerError, QuerySyntaxError, StoreUnavailable

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


def check_url(url: str, what: str = "store URL") -> str:
    """An http(s) URL without credentials in it (they belong in the environment)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL, not {shown(url)!r}")
    if parts.username or parts.password:
        raise ValueError(f"{what} must not carry credentials; set ASU_STORE_USER and "
                         "ASU_STORE_PASSWORD (or ASU_STORE_TOKEN) in the environment instead")
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
        if ("basic" in challenge and "digest" not in challenge
                and not getattr(self._thread_local, "basic", False)):
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
                retry = Retry(total=1, connect=1, read=0, status=0, other=0,
                              allowed_methods=None, raise_on_status=False)
                adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self.pool_size,
                                      max_retries=retry)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = USER_AGENT
                session.auth = self._auth
                session.trust_env = False  # no proxies or .netrc credentials picked up
                self._sessions = {pid: session}
            return self._sessions[pid]

    def send(self, method: str, url: str, *, data: bytes | None = None,
             headers: dict[str, str] | None = None,
             params: dict[str, str] | None = None,
             timeout: float | None = None) -> requests.Response:
        """One request; connection failures and time-outs become StoreDown."""
        read = timeout if timeout is not None else self.timeout
        try:
            return self.session().request(method, url, data=data, headers=headers,
                                          params=params, timeout=(CONNECT_TIMEOUT, read))
        except requests.Timeout:
            raise StoreDown(f"The triple store at {shown(url)} did not answer within "
                            f"{read:g} s.") from None
        except requests.ConnectionError as exc:
            raise StoreDown(f"The triple store at {shown(url)} cannot be reached "
                            f"({_reason(exc)}); try again later.") from None
        except requests.RequestException as exc:
            raise StoreError(f"Talking to the triple store at {shown(url)} failed: "
                             f"{_reason(exc)}") from None

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions = {}


def _reason(exc: Exception) -> str:
    # urllib3 nests the useful part ("Connection refused") deep inside.
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "Connection reset", "Remote end closed connection", "No route to host"):
        if marker in text:
            return marker
    return type(exc).__name__


def body_text(response: requests.Response, limit: int = 300) -> str:
    """The start of an error body, on one line, for messages."""
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
    if query and (status == 400 or (status == 500 and "37000" in detail)):
        raise QuerySyntaxError(detail or f"HTTP {status}")
    if query and status == 500 and (_VIRTUOSO_QUERY_FAULT.match(detail)
                                    or _OXIGRAPH_QUERY_FAULT.match(detail)):
        # SQL state class 22, a data exception (an invalid regular expression or
        # language tag, a division by zero), or 42, a query Virtuoso's SQL
        # compiler refuses (a variable selected twice, an unknown function):
        # the query's fault, not the store's.
        # Virtuoso appends the query as it ran it (with the store's graph names): cut.
        reason = detail.split(" SPARQL query:", 1)[0]
        raise QueryAnswerError(f"The query could not be evaluated by the triple store: {reason}")
    if status in (401, 403):
        raise StoreRefused(f"The triple store at {where} refused {what} (HTTP {status}): "
                           "check ASU_STORE_USER / ASU_STORE_PASSWORD or ASU_STORE_TOKEN.")
    if status in (502, 503, 504):
        raise StoreDown(f"The triple store at {where} is unavailable (HTTP {status}).")
    raise StoreError(f"The triple store at {where} failed {what} (HTTP {status}): {detail}")
