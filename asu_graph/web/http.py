"""HTTP behaviour shared by every blueprint.

Helpers (plain-text errors, ETags and conditional GET) and the app-wide
hooks ``install`` registers: CORS for browser clients on other origins, gzip
when the client asks for it, one structured log line per query, and readable
plain-text answers for every HTTP error (never an HTML page or a stack trace).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import re
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, InternalServerError

from asu_graph.web.pages import LANGUAGES, choose_language

query_log = logging.getLogger("asu_graph.query")


def error(status: int, message: str) -> Response:
    """A short, readable error; never a stack trace.

    Messages quote the client's text, which may hold lone surrogates (from
    ``\ud800`` escapes): those are written as escapes, not as invalid UTF-8.
    """
    body = (message.rstrip() + "\n").encode("utf-8", "backslashreplace")
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


def etag_for(version: str, *parts: str) -> str:
    """A strong ETag from the graph version and what shaped the response."""
    digest = hashlib.sha256("\x1f".join((version, *parts)).encode("utf-8")).hexdigest()
    return digest[:32]


def conditional(
    response: Response, etag: str, last_modified: datetime | None = None, max_age: int | None = None
) -> Response:
    """Set ETag / Last-Modified / Cache-Control and turn a matching request into a 304."""
    return _validators(response, etag, last_modified, max_age).make_conditional(request)


def _validators(
    response: Response, etag: str, last_modified: datetime | None, max_age: int | None
) -> Response:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    if max_age is not None:
        response.cache_control.public = True
        response.cache_control.max_age = max_age
    return response


def not_modified(
    etag: str, last_modified: datetime | None = None, max_age: int | None = None
) -> Response | None:
    """A 304 when a GET's If-None-Match already holds ``etag``, before any work is done."""
    if request.method not in ("GET", "HEAD") or not request.if_none_match:
        return None
    if not request.if_none_match.contains_weak(etag):
        return None
    return _validators(Response(status=304), etag, last_modified, max_age)


# -- CORS ----------------------------------------------------------------------------
#
# Everything here is public and read-only, so any origin may read it; the
# wildcard origin is never combined with credentials (browsers refuse that
# pair, and an echoed origin with credentials would expose logged-in state).

CORS_METHODS = "GET, POST, OPTIONS"
CORS_DEFAULT_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since"
CORS_EXPOSED = (
    "ETag, Last-Modified, Content-Length, Content-Encoding, Vary, Location, Link, "
    "Retry-After, X-Cache"
)
_HEADER_LIST = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$")


def _cors(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.pop("Access-Control-Allow-Credentials", None)
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        asked = request.headers.get("Access-Control-Request-Headers", "").strip()
        # Clients send headers we cannot list ahead (tracing, client names);
        # well-formed header names are allowed back as asked.
        allowed = asked if asked and _HEADER_LIST.match(asked) else CORS_DEFAULT_HEADERS
        response.headers["Access-Control-Allow-Headers"] = allowed
        response.headers["Access-Control-Max-Age"] = "86400"


# -- gzip ----------------------------------------------------------------------------

_COMPRESSIBLE = re.compile(
    r"^(text/.*|application/(.*\+)?(json|xml)|application/ld\+json|"
    r"application/n-triples|application/n-quads|application/trig|"
    r"application/javascript)$"
)
_GZIP = re.compile(r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*(?:,|$)", re.IGNORECASE)


def accepts_gzip() -> bool:
    match = _GZIP.search(request.headers.get("Accept-Encoding", ""))
    if not match:
        return False
    try:
        return match.group(1) is None or float(match.group(1)) > 0
    except ValueError:
        return False


def _gzip(response: Response) -> None:
    # Files sent as they are (dumps, which have their own .gz) and streamed
    # bodies are left alone; so is anything already encoded.
    if (
        not _COMPRESSIBLE.match(response.mimetype or "")
        or response.headers.get("Content-Encoding")
        or response.direct_passthrough
        or response.is_streamed
    ):
        return
    response.vary.add("Accept-Encoding")
    if not accepts_gzip() or response.status_code not in (200, 304):
        return
    # The gzip bytes are a different representation of the same answer: the
    # ETag becomes weak (as nginx does), so If-None-Match still finds it.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    if response.status_code != 200:
        return
    body = response.get_data()
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"


# -- the query log -------------------------------------------------------------------


def count_results(kind: str, fmt: str, body: bytes) -> int | None:
    """Rows (SELECT), triples (graphs) or 1 (ASK) in a finished answer, when cheap to tell."""
    if kind == "ASK":
        return 1
    try:
        if kind == "SELECT":
            if fmt == "json":
                return len(json.loads(body)["results"]["bindings"])
            if fmt == "xml":
                return body.count(b"<result>") + body.count(b"<result ")
            if fmt == "tsv":
                return max(0, body.count(b"\n") - 1)
            if fmt == "csv":
                return max(0, sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1)
        elif fmt in ("nt", "nquads"):
            return sum(
                1
                for line in body.splitlines()
                if line.strip() and not line.lstrip().startswith(b"#")
            )
    except (ValueError, KeyError, UnicodeDecodeError):
        return None
    return None


def _log_query(response: Response) -> None:
    text = g.get("query_text")
    if text is None:
        return
    answer = g.get("query_answer")
    size = None
    if answer is not None:
        size = (
            answer.size
            if answer.size is not None
            else count_results(answer.kind, answer.fmt, answer.body)
        )
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "bytes": response.calculate_content_length() or 0,
        "kind": answer.kind if answer is not None else None,
        "format": answer.fmt if answer is not None else None,
        "result_size": size,
        "duration_ms": round(
            (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2
        ),
        "query_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        "query": text if len(text) <= 2000 else text[:2000] + "...",
    }
    query_log.info(json.dumps(record, ensure_ascii=False))


def _ensure_log_handler() -> None:
    # The HTTP server only sets up its own loggers; without a handler the query
    # lines would be dropped (the root logger prints warnings only).
    if not query_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        query_log.addHandler(handler)
        query_log.propagate = False


def _drain_body() -> None:
    """Read what is left of the request body before answering (within the body limit).

    Answers that never look at the body (405, 415, a refusal) would otherwise
    leave it unread on a kept-alive connection; the HTTP server may then drop
    that connection, and the client's next request on it fails with no
    answer at all (seen as "connection closed without response").
    """
    try:
        stream = request.stream
        exhaust = getattr(stream, "exhaust", None)
        if callable(exhaust):
            exhaust()
        else:
            while stream.read(1 << 16):
                pass
    except Exception:  # noqa: BLE001 - a body over the limit or a broken client: nothing to do
        pass


# -- installation --------------------------------------------------------------------


def install(app: Flask) -> None:
    """Register the app-wide hooks and the plain-text error handlers on ``app``."""
    _ensure_log_handler()

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        _cors(response)
        _gzip(response)
        _log_query(response)
        _drain_body()
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        if isinstance(exc, InternalServerError):
            return _internal(exc)
        code = exc.code or 500
        messages = {
            404: not_found_message(),
            405: f"Method {request.method} is not allowed on {request.path}."
            + (
                f" Allowed: {', '.join(exc.valid_methods)}."
                if getattr(exc, "valid_methods", None)
                else ""
            ),
        }
        response = error(code, messages.get(code, f"{exc.name}: {exc.description}"))
        if code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(InternalServerError)
    def _internal(exc: InternalServerError) -> Response:
        original = getattr(exc, "original_exception", None)
        if original is not None:
            app.logger.error(
                "unhandled error on %s %s", request.method, request.path, exc_info=original
            )
        return error(500, "Internal error: the request could not be answered. It has been logged.")


def language() -> str | Response:
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        return error(400, f"Unsupported lang {asked!r}: choose one of {', '.join(LANGUAGES)}.")
    return choose_language(asked, request.accept_languages.best_match(LANGUAGES))


def not_found_message() -> str:
    return f"Not found: {request.path}. The SPARQL endpoint is at /sparql."
