"""SPARQL 1.1 Protocol, query side, at ``/sparql``."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .. import formats
from ..query_service import NotAcceptable
from ..store import QuerySyntaxError
from . import current_service
from .http import error

blueprint = Blueprint("sparql", __name__)

_DEFAULT = {"SELECT": "json", "ASK": "json", "GRAPH": "turtle"}


def _query_text() -> tuple[str | None, Response | None]:
    if request.method == "GET":
        if "update" in request.args:
            return None, error(405, "This endpoint is read-only: SPARQL Update is refused.")
        return request.args.get("query"), None
    mime = request.mimetype
    if mime == "application/sparql-update" or "update" in request.form:
        return None, error(403, "This endpoint is read-only: SPARQL Update is refused.")
    if mime == "application/x-www-form-urlencoded":
        return request.form.get("query"), None
    if mime == "application/sparql-query":
        try:
            return request.get_data().decode("utf-8"), None
        except UnicodeDecodeError:
            return None, error(400, "The query body is not valid UTF-8.")
    return None, error(415, f"Unsupported Content-Type {mime or '(none)'}: send "
                            "application/x-www-form-urlencoded or application/sparql-query.")


def choose_format(kind: str) -> str | None:
    """The format key for this answer, from ?format= / ?output= or Accept."""
    return wanted_formats()[kind]


def wanted_formats() -> dict[str, str | None]:
    """The format key this request gets for each kind of answer (None: not acceptable)."""
    values = request.values
    asked = values.get("format") or values.get("output") or ""
    accept = request.headers.get("Accept", "")
    return {kind: _negotiate(kind, asked, accept) for kind in ("SELECT", "ASK", "GRAPH")}


@lru_cache(maxsize=1024)
def _negotiate(kind: str, asked: str, accept_header: str) -> str | None:
    # Memoised: clients send a handful of distinct Accept headers, and parsing
    # and matching them three times per request was a fifth of the time an
    # answer from the result cache took (docs/performance.md).
    offered = formats.RDF_FORMATS if kind == "GRAPH" else formats.RESULT_FORMATS
    if asked:
        key = formats.resolve(asked)
        return key if key in offered else None
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept or accept.best in (None, "*/*"):
        return _DEFAULT[kind]
    best = accept.best_match([f.media_type for f in offered.values()] + ["application/json"])
    if best is None:
        return None
    return "json" if best == "application/json" and kind != "GRAPH" else \
        (formats.by_media_type(best).key if formats.by_media_type(best) else None)


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    text, problem = _query_text()
    if problem is not None:
        return problem
    if not text:
        return error(400, "Missing 'query' parameter.")
    service = current_service()
    wanted = wanted_formats()
    try:
        answer = service.answer(text, wanted)
    except QuerySyntaxError as exc:
        return error(400, f"Malformed SPARQL query: {exc}")
    except NotAcceptable as exc:
        offered = formats.RDF_FORMATS if exc.kind == "GRAPH" else formats.RESULT_FORMATS
        return error(406, "None of the accepted types can be produced. Offered: "
                          + ", ".join(f.media_type for f in offered.values()))
    fmt = (formats.RDF_FORMATS if answer.kind == "GRAPH" else formats.RESULT_FORMATS)[answer.fmt]
    response = Response(answer.body, content_type=f"{fmt.media_type}; charset=utf-8")
    response.vary.add("Accept")
    response.headers["X-Cache"] = "hit" if answer.cached else "miss"
    if answer.truncated:  # never silent: see asu_graph/cap.py
        response.headers["X-ASU-Result-Truncated"] = "true"
    return response
