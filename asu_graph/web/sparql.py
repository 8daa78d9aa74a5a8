"""SPARQL 1.1 Protocol, query side, at ``/sparql``.

One request is a short sequence of steps: read the operation (GET, form
POST or direct POST; updates refused), check the protocol dataset, choose
the formats, answer 304 when the client already has this answer, run the
query through the QueryService, send it with ETag and Cache-Control. Without
a query, ``GET /sparql`` is the service description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, Response, g, request

from asu_graph import formats
from asu_graph.query.jobs import NotAcceptable, QueryError, QueryTimeout
from asu_graph.query.service import DatasetSpec
from asu_graph.sparql.guard import QueryRefused
from asu_graph.store import QuerySyntaxError, StoreUnavailable
from asu_graph.web import negotiation as neg
from asu_graph.web import service_description as sd
from asu_graph.web.errors_remote import store_failed
from asu_graph.web.http import conditional, error, etag_for, not_modified
from asu_graph.web.security import limited_client
from asu_graph.web.state import current_publication, current_service

blueprint = Blueprint("sparql", __name__)

READ_ONLY = (
    "This endpoint is read-only: SPARQL Update is not accepted here. "
    "The data can be downloaded from the dumps and changed in a copy."
)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Operation:
    query: str | None  # None: no query at all (service description)
    dataset: DatasetSpec


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"More than one '{name}' parameter: send exactly one query.")
    return values[0] if values else None


def _charset_is_utf8() -> bool:
    charset = request.mimetype_params.get("charset")
    return charset is None or charset.strip().lower() in ("utf-8", "utf8")


def read_operation() -> Operation:
    """The query and protocol dataset of this request, or a ProtocolError."""
    if request.method in ("GET", "HEAD"):  # HEAD: the GET answer's headers
        if "update" in request.args:
            raise ProtocolError(400, READ_ONLY)
        query = _one(request.args.getlist("query"), "query")
    else:
        mime = request.mimetype
        if mime == "application/sparql-update":
            raise ProtocolError(400, READ_ONLY)
        if mime == "application/x-www-form-urlencoded":
            if not _charset_is_utf8():
                raise ProtocolError(415, "Form bodies must be UTF-8.")
            if "update" in request.form or "update" in request.args:
                raise ProtocolError(400, READ_ONLY)
            query = _one(request.form.getlist("query") + request.args.getlist("query"), "query")
        elif mime == "application/sparql-query":
            if not _charset_is_utf8():
                raise ProtocolError(
                    415,
                    "The query body must be UTF-8 "
                    f"(got charset={request.mimetype_params['charset']}).",
                )
            if "query" in request.args:
                raise ProtocolError(
                    400,
                    "A direct POST carries the query in its body; "
                    "do not also send a 'query' URL parameter.",
                )
            try:
                query = request.get_data(cache=True).decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "The query body is not valid UTF-8.") from None
        else:
            raise ProtocolError(
                415,
                f"Unsupported Content-Type {mime or '(none)'}: POST "
                "application/x-www-form-urlencoded (query=...) or "
                "application/sparql-query (the query as the body).",
            )
        if query is None:
            raise ProtocolError(400, "Missing 'query' parameter in the POST body.")
    return Operation(query, _dataset())


def _values(name: str) -> list[str]:
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        values += request.form.getlist(name)
    return [v.strip() for v in values]


def _dataset() -> DatasetSpec:
    """default-graph-uri / named-graph-uri: only this dataset's own graphs may be named.

    When either is given, the dataset is exactly what they say (SPARQL 1.1
    Protocol, 2.1.4): the other list, if absent, is empty.
    """
    defaults, named = _values("default-graph-uri"), _values("named-graph-uri")
    if not defaults and not named:
        return DatasetSpec()
    known = current_publication().graph_names
    for param, iris in (("default-graph-uri", defaults), ("named-graph-uri", named)):
        for iri in iris:
            if iri not in known:
                shown = ", ".join(sorted(known)[:40])
                raise ProtocolError(
                    400,
                    f"{param}={iri} is not a graph of this dataset. "
                    f"Its graphs (see GET /sparql): {shown}",
                )
    return DatasetSpec(tuple(dict.fromkeys(defaults)), tuple(dict.fromkeys(named)))


def _format_values() -> list[str]:
    return [v for name in neg.FORMAT_PARAMS for v in request.values.getlist(name)]


def choose_formats() -> dict[str, str | None]:
    """The format key to send for each kind of answer (None: not acceptable)."""
    return dict(_formats_for(request.headers.get("Accept"), tuple(_format_values())))


@lru_cache(maxsize=1024)
def _formats_for(accept: str | None, values: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    # Memoised: clients send a handful of distinct Accept headers, and parsing
    # them for every request is a visible share of a cached answer's time.
    return tuple((kind, _format_for(kind, accept, values)) for kind in ("SELECT", "ASK", "GRAPH"))


def _format_for(kind: str, accept: str | None, values: tuple[str, ...]) -> str | None:
    """``?format=`` if it names a format of this kind, else Accept, else the default.

    A client sets one format word for all its queries (SPARQLWrapper sends
    ``format=turtle`` with a SELECT when told to return Turtle): a word that
    names a format of the other kinds of answer falls back to Accept and then
    to the kind's first offer, as Fuseki and Virtuoso do. A word that names
    no format at all stays a 406 that lists the words.
    """
    offers, words = neg.OFFERS_BY_KIND[kind], neg.WORDS_BY_KIND[kind]
    chosen = neg.choose(offers, words, values, accept)
    if chosen is not None or not any(v.strip() for v in values):
        return chosen
    known = any(
        neg.from_words(values, neg.WORDS_BY_KIND[other], neg.OFFERS_BY_KIND[other])
        for other in ("SELECT", "GRAPH")
    )
    if not known:
        return None
    return neg.negotiate(accept, offers) or offers[0][1]


def _not_acceptable(kind: str | None) -> Response:
    """406 naming what is offered for ``kind`` (None: for any kind of answer)."""
    what = {
        "GRAPH": "a graph (CONSTRUCT/DESCRIBE) answer",
        "ASK": "an ASK answer",
        "SELECT": "a SELECT answer",
        None: "the answer",
    }[kind]
    offers = neg.OFFERS_BY_KIND[kind] if kind else neg.RESULT_OFFERS + neg.GRAPH_OFFERS
    words = (
        neg.WORDS_BY_KIND[kind]
        if kind
        else {**neg.WORDS_BY_KIND["SELECT"], **neg.WORDS_BY_KIND["GRAPH"]}
    )
    return error(
        406,
        neg.not_acceptable_message(
            what, offers, words, request.headers.get("Accept"), _format_values()
        ),
    )


def _negotiated(body: bytes, media_type: str) -> Response:
    response = Response(body, content_type=f"{media_type}; charset=utf-8")
    response.vary.add("Accept")
    return response


def service_description() -> Response:
    return sd.respond(_format_values())


def _refused(exc: QueryRefused) -> Response:
    """A refusal with a status whose body the common clients show.

    SPARQLWrapper shows the server's message for 400, 404, 414 and 500 only;
    for any other status its users read ``HTTP Error 403: Forbidden`` and
    nothing else (rdflib's SPARQLStore shows no message at all). So on this
    endpoint a refused query (SERVICE, FROM, update, size or shape limits) is
    a 400, a query over the size limit a 414 when it came in the URL, and a
    query stopped at the timeout a 400 too: the same query would fail again,
    so a "retry later" status would mislead, and this service never answers
    500 for a request it understood.
    """
    status = {
        403: 400,
        413: 414 if request.method in ("GET", "HEAD") else 400,
    }.get(exc.status, exc.status)
    response = error(status, exc.message)
    if status in (429, 503):  # running queries (this client's, or the process's) end soon
        response.headers["Retry-After"] = "1"
    return response


def _unanswered(exc: QueryError) -> Response:
    """A query that ran and was not answered.

    Stopped at the timeout: a 400, like a refusal (see ``_refused``): the same
    query would fail again, so a "retry later" status would mislead. A worker
    lost for another reason (engine crash, memory limit, restart) stays a 503.
    """
    if isinstance(exc, QueryTimeout):
        return error(400, exc.message)
    return error(exc.status, exc.message)


def _capped(limit: int, kind: str) -> Response:
    """400 for an answer the cap would cut: a partial answer must not pass for a whole one."""
    what = "triples" if kind == "GRAPH" else "rows"
    return error(
        400,
        f"The answer has more than {limit:,} {what}, the most this endpoint "
        f"sends at once, and is not sent cut short. Page through it with "
        f"ORDER BY and LIMIT {limit:,} (or less) with OFFSET, or download the "
        f"whole dataset from /download/.",
    )


@blueprint.route("/sparql", methods=["GET", "POST"])
@blueprint.route("/sparql/", methods=["GET", "POST"])  # the same endpoint, not a 404
def sparql() -> Response:
    try:
        operation = read_operation()
    except ProtocolError as exc:
        return error(exc.status, exc.message)
    if operation.query is None:
        return service_description()
    text = g.query_text = operation.query
    if not text.strip():
        return error(400, "Empty query: the 'query' parameter holds no SPARQL text.")

    wanted = choose_formats()
    if all(key is None for key in wanted.values()):
        return _not_acceptable(None)

    publication = current_publication()
    max_age = publication.settings.cache_max_age
    dataset = operation.dataset
    # A remote store's current release is part of what an answer depends on.
    token = publication.store.data_token() if publication.store is not None else None
    version = publication.version if token is None else f"{publication.version} {token}"
    etag = etag_for(
        version,
        text,
        repr(sorted(wanted.items())),
        repr(dataset.default_graphs),
        repr(dataset.named_graphs),
    )
    early = not_modified(etag, publication.modified, max_age)
    if early is not None:
        early.vary.add("Accept")
        return early

    try:
        # Relative IRIs resolve against the dataset's base IRI (so <id/mnhn>
        # names the Museum): the service gives it to the engine. Running
        # queries are counted per client (see RunningQueries).
        client = limited_client(request.remote_addr, publication.settings)
        answer = current_service().answer(text, wanted, dataset, client)
    except QuerySyntaxError as exc:
        return error(400, f"Malformed SPARQL query: {exc}")
    except QueryRefused as exc:
        return _refused(exc)
    except NotAcceptable as exc:
        return _not_acceptable(exc.kind)
    except QueryError as exc:
        return _unanswered(exc)
    except StoreUnavailable as exc:
        return store_failed(exc)  # 503 + Retry-After, or 502 (errors_remote.py)
    g.query_answer = answer
    if answer.truncated:  # see asu_graph/query/cap.py
        return _capped(publication.settings.result_cap, answer.kind)
    fmt = (formats.RDF_FORMATS if answer.kind == "GRAPH" else formats.RESULT_FORMATS)[answer.fmt]
    response = _negotiated(answer.body, fmt.media_type)
    response.headers["X-Cache"] = "hit" if answer.cached else "miss"
    if request.method == "POST":  # POST answers are not cached by HTTP caches
        response.set_etag(etag)
        return response
    return conditional(response, etag, publication.modified, max_age)
