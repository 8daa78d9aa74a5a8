"""A remote triple store (Virtuoso, Oxigraph server, Fuseki, GraphDB...) as a Store.

Queries go over the SPARQL 1.1 Protocol with SPARQLWrapper building each
request (query, dataset parameters, method), sent through a pooled,
authenticated ``requests`` session (``http.py``): SPARQLWrapper's own
transport is urllib, which opens a connection per query and installs digest
handlers process-wide.

The store holds releases written by ``asu-graph publish`` (see
``releases.py``). Every query is answered from the current release only: its
union graph as the default graph and its named graphs as the named graphs,
given explicitly as ``default-graph-uri`` / ``named-graph-uri``, so a release
being uploaded, an old one being dropped or anything else in the store is
never seen. The current release is read from the pointer graph and kept for
``settings.store_release_ttl`` seconds.

Answers are fetched as SPARQL JSON results or N-Triples, renamed back to the
published names, and re-serialized in whatever format the client asked for,
so every format key works whatever the store offers.

Every answer is bounded: it is parsed as it streams in, reading stops after
``settings.result_cap + 1`` rows or triples (the rest is never downloaded),
and the whole exchange must end within the query timeout and
``settings.store_max_bytes`` bytes (``http.BoundedBody``).

What a query may ask of the store is checked here too, whatever called this
store: only standard SPARQL 1.1 and the allowed functions reach it
(``function_policy.py``), rebuilt from the tokens the checks read, with its
dataset always the release's graphs, also when the query names its own with
FROM / FROM NAMED. (Virtuoso adds a query's FROM graphs to the protocol's
dataset instead of giving the protocol precedence, so for it the checked
text is what keeps other graphs out.)
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
import warnings
from collections.abc import Callable
from itertools import islice
from typing import IO

import pyoxigraph as ox
import requests
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier
from SPARQLWrapper import POST, SPARQLWrapper

from asu_graph.namespaces import XSD
from asu_graph.sparql import functions as function_policy
from asu_graph.sparql.guard import QueryRefused
from asu_graph.sparql.text import query_form
from asu_graph.store.base import (
    QueryAnswerError,
    QueryResult,
    QuerySyntaxError,
    Store,
    StoreUnavailable,
    readable_syntax_error,
)
from asu_graph.store.http import (
    BoundedBody,
    StoreClient,
    StoreDown,
    StoreError,
    check_url,
    current_deadline,
    raise_for_status,
    shown,
)
from asu_graph.store.memory import MemoryResult
from asu_graph.store.releases import Release, pointer_query, release_from_rows
from asu_graph.store.virtuoso import is_virtuoso, repair_lexical, repair_rows

log = logging.getLogger("asu_graph.store")

_XSD_STRING = str(XSD.string)
_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


class _Response:
    """What SPARQLWrapper's QueryResult expects of a urllib response."""

    def __init__(self, response) -> None:
        self._response = response

    def info(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self._response.headers.items()}

    def read(self) -> bytes:
        return self._response.content

    @property
    def server(self) -> str:
        return self._response.headers.get("Server", "")

    def geturl(self) -> str:
        return self._response.url


class PooledSPARQLWrapper(SPARQLWrapper):
    """SPARQLWrapper whose requests go through a StoreClient (pool, auth, errors)."""

    def __init__(self, endpoint: str, client: StoreClient) -> None:
        super().__init__(endpoint)
        self._client = client
        self.setMethod(POST)  # no URL length limit, nothing cached on the way
        self.setOnlyConneg(True)  # the Accept header only, no format=/output= guesses

    def _query(self):
        return _Response(self.open(None)), self.returnFormat

    def open(self, timeout: float | None) -> requests.Response:
        """Send the query; the answer's headers are read, its body is left streaming."""
        if self.isSparqlUpdateRequest():  # never: the store only ever receives queries
            raise QuerySyntaxError("only queries are sent to the store")
        request = self._createRequest()
        headers = {
            name: value for name, value in request.header_items() if name.lower() != "user-agent"
        }
        response = self._client.send(
            request.get_method(),
            request.full_url,
            data=request.data,
            headers=headers,
            timeout=timeout,
            stream=True,
        )
        raise_for_status(response, "the query", query=True)
        return response


# -- answers -----------------------------------------------------------------------


def _bnode(label: str) -> BNode:
    # Virtuoso labels blank nodes "nodeID://b10000": keep them valid in N-Triples/TSV.
    return BNode(re.sub(r"[^A-Za-z0-9]", "", label) or "b")


def _literal(value: str, lang: str | None, datatype: str | None, virtuoso: bool) -> Literal:
    if lang:
        return Literal(value, lang=lang)
    if not datatype or datatype == _XSD_STRING:
        return Literal(value)  # RDF 1.1 simple literal, as the embedded stores give it
    if virtuoso:
        value = repair_lexical(value, datatype)
    return Literal(value, datatype=URIRef(datatype))


def json_term(cell: dict, virtuoso: bool = False) -> Identifier:
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return _bnode(value)
    if kind in ("literal", "typed-literal"):
        return _literal(value, cell.get("xml:lang"), cell.get("datatype"), virtuoso)
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def ox_term(term: object, virtuoso: bool = False) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return _bnode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value, virtuoso)
    raise ValueError(f"unsupported term in a graph answer: {term!r}")


class RemoteResult(MemoryResult):
    """An answer from the store, held as an rdflib Result (serializes to every format)."""


def _select_result(document: dict, rename, virtuoso: bool = False) -> Result:
    result = Result("SELECT")
    names = document.get("head", {}).get("vars", [])
    result.vars = [Variable(v) for v in names]
    rows = []
    for binding in document.get("results", {}).get("bindings", []):
        rows.append(
            {Variable(k): rename(json_term(v, virtuoso)) for k, v in binding.items() if k in names}
        )
    result.bindings = rows
    return result


class _VirtuosoBlankNodes(io.RawIOBase):
    """Virtuoso's SPARQL JSON with its blank node labels ("nodeID://b1") made valid ("b1").

    Rewritten as the bytes stream through; a label cut between two reads is
    kept back until the next one completes it.
    """

    _LABEL = re.compile(
        rb'("type"\s{0,8}:\s{0,8}"bnode"\s{0,8},\s{0,8}"value"\s{0,8}:'
        rb'\s{0,8}")nodeID://'
    )
    _KEEP = 96  # longer than any match of _LABEL (at most 81 bytes)

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__()
        self._source = source
        self._pending = b""
        self._ready = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._ready and not (self._done and not self._pending):
            chunk = self._source.read(65536) if not self._done else b""
            if not chunk:
                self._done = True
            text = self._LABEL.sub(rb"\1", self._pending + chunk)
            cut = len(text) if self._done else max(len(text) - self._KEEP, 0)
            self._ready, self._pending = text[:cut], text[cut:]
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


def _limit(cap: int) -> int | None:
    """How many rows or triples to read: one more than the cap tells that it cut."""
    return cap + 1 if cap > 0 else None


def _parsed_select(body: IO[bytes], rename: Callable, virtuoso: bool, cap: int, url: str) -> Result:
    """SPARQL JSON results read as they arrive, at most ``cap + 1`` rows."""
    stream = _VirtuosoBlankNodes(body) if virtuoso else body
    try:
        answer = ox.parse_query_results(stream, ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
            return result
        result = Result("SELECT")
        names = [v.value for v in answer.variables]
        result.vars = [Variable(name) for name in names]
        rows = []
        for solution in islice(answer, _limit(cap)):
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[Variable(name)] = rename(ox_term(term, virtuoso))
            rows.append(row)
        result.bindings = rows
        return result
    except SyntaxError as exc:
        raise StoreError(
            f"The triple store at {shown(url)} sent results that are not SPARQL JSON: {exc}"
        ) from None
    except ValueError as exc:  # a term rdflib cannot hold (ox_term)
        raise _unreadable_term(exc) from None


def _graph_result(
    body: IO[bytes], content_type: str, rename, virtuoso: bool = False, cap: int = 0
) -> Result:
    media = content_type.split(";")[0].strip().lower()
    fmt = ox.RdfFormat.from_media_type(media) if media else None
    if media == "text/plain":  # N-Triples under its old media type
        fmt = ox.RdfFormat.N_TRIPLES
    if fmt is None or fmt.supports_datasets:
        raise StoreError(
            f"The triple store answered a graph query with {media or 'no type'}, "
            "which this service cannot read."
        )
    graph = Graph()
    most = _limit(cap)
    try:
        for triple in ox.parse(body, format=fmt):
            graph.add(
                tuple(
                    rename(ox_term(t, virtuoso))
                    for t in (triple.subject, triple.predicate, triple.object)
                )
            )
            if most is not None and len(graph) >= most:
                break  # the cap is exceeded: the rest is never downloaded
    except SyntaxError as exc:
        raise StoreError(f"The triple store sent an unreadable graph: {exc}") from None
    except ValueError as exc:  # a term rdflib cannot hold (ox_term)
        raise _unreadable_term(exc) from None
    result = Result("CONSTRUCT")
    result.graph = graph
    return result


def _unreadable_term(exc: ValueError) -> QueryAnswerError:
    # The answers of a remote store are held as rdflib terms, which have no
    # RDF 1.2 triple terms: a clear refusal instead of an internal error.
    return QueryAnswerError(
        f"The answer holds a term this service cannot pass on from its "
        f"triple store ({exc}); RDF 1.2 triple terms are not supported "
        "with a remote store."
    )


def _unshift(message: str, columns: int) -> str:
    """Positions on line 1 of ``message`` as in the text before ``columns`` were put in front."""
    return re.sub(
        r"\b1:(\d+)|(line:? ?1, col(?:umn)?:? ?)(\d+)",
        lambda m: (
            f"1:{max(1, int(m.group(1)) - columns)}"
            if m.group(1)
            else f"{m.group(2)}{max(1, int(m.group(3)) - columns)}"
        ),
        message,
    )


# -- the store -----------------------------------------------------------------------


class RemoteStore(Store):
    """Reads the current release of a triple store over the SPARQL 1.1 Protocol."""

    name = "remote"

    def __init__(self, url: str, settings: object) -> None:
        self.url = check_url(url)
        self.settings = settings
        self.base: str = getattr(settings, "base", "https://w3id.org/asu/")
        timeout = float(getattr(settings, "query_timeout", 30.0))
        threads = int(getattr(settings, "threads", 4))
        self.client = StoreClient(settings, timeout=timeout, pool_size=max(threads, 2))
        self.release_ttl = float(getattr(settings, "store_release_ttl", 5.0))
        self._release: Release | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self.virtuoso = False  # set from the Server header of the store's answers

    def __repr__(self) -> str:
        return f"RemoteStore({shown(self.url)!r})"

    # -- what a front end does not do ----------------------------------------------
    def load(self, dataset) -> None:
        """Nothing is uploaded from a front end: ``asu-graph publish`` writes releases.

        Say which release the store serves, or why it cannot be read yet (the
        front end still starts: it answers 503 until the store is back).
        """
        try:
            release = self.current_release()
            log.info(
                "remote store %s serves release %s (version %s)",
                shown(self.url),
                release.iri,
                release.version,
            )
        except StoreUnavailable as exc:
            log.warning("remote store not ready: %s", exc)

    # -- the current release -------------------------------------------------------
    def current_release(self) -> Release:
        now = time.monotonic()
        if self._release is not None and now - self._checked < self.release_ttl:
            return self._release
        with self._lock:
            if self._release is not None and time.monotonic() - self._checked < self.release_ttl:
                return self._release
            found = self.read_pointer()
            if found is None:
                if self._release is not None:
                    # The pointer is being rewritten (not every store replaces a
                    # graph atomically): keep answering from the release we know.
                    return self._release
                raise StoreDown(
                    f"The triple store at {shown(self.url)} holds no published "
                    "release yet: run asu-graph publish first."
                )
            if self._release is None or found.iri != self._release.iri:
                log.info("current release is now %s", found.iri)
            self._release, self._checked = found, time.monotonic()
            return found

    def read_pointer(self) -> Release | None:
        """The release the pointer graph names now (None: nothing published), uncached."""
        document = self.send(pointer_query(self.base), _RESULTS_JSON, None, None)
        result = _select_result(json.loads(document[0]), lambda t: t)
        rows = [{str(k): v for k, v in row.items()} for row in result.bindings]
        return release_from_rows(rows)

    def data_token(self) -> str | None:
        """Changes when another release becomes current (keys the result cache)."""
        return self.current_release().iri

    # -- queries -----------------------------------------------------------------------
    def _open(
        self,
        text: str,
        accept: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        form: str,
        deadline: float | None,
    ) -> BoundedBody:
        """Send query text as it is (no renaming, no release dataset); the body to read."""
        wrapper = PooledSPARQLWrapper(self.url, self.client)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            wrapper.setQuery(text)
        # SPARQLWrapper guesses the form by searching keywords anywhere in the
        # text ("added" in a comment reads as ADD, an update); query_form()
        # reads the tokens after the prologue, so its answer is the one used.
        wrapper.queryType = form
        for graph in default_graphs or ():
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph)
        wrapper.addCustomHttpHeader("Accept", accept)
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise StoreDown(
                f"The triple store at {shown(self.url)} did not finish its answers "
                f"to this request within {self.client.timeout:g} s "
                "(ASU_QUERY_TIMEOUT); the query was stopped. Try a more selective "
                "query."
            )
        response = wrapper.open(remaining)
        self.virtuoso = is_virtuoso(response.headers.get("Server", ""))
        return BoundedBody(
            response,
            timeout=self.client.timeout,
            deadline=deadline,
            max_bytes=int(getattr(self.settings, "store_max_bytes", 0)),
        )

    def _deadline(self) -> float | None:
        """This exchange's deadline: the query timeout, within the request's own deadline."""
        timeout = self.client.timeout
        own = time.monotonic() + timeout if timeout else None
        candidates = [d for d in (own, current_deadline()) if d is not None]
        return min(candidates) if candidates else None

    def send(
        self,
        text: str,
        accept: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        form: str = "SELECT",
    ) -> tuple[bytes, str]:
        """Send query text as it is (no renaming, no release dataset): body and media type.

        The whole body is read (within the time and byte bounds): for short
        answers of the service's own queries (the release pointer, counts).
        """
        with self._open(text, accept, default_graphs, named_graphs, form, self._deadline()) as body:
            return body.read(), body.content_type

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        # The protocol has no base IRI parameter: a BASE goes in front of the
        # text (the renaming below resolves relative IRIs with it), on line 1
        # so that only line 1's columns move, and they are moved back.
        prologue = f"BASE <{base_iri}> " if base_iri is not None else ""
        try:
            return self._query(prologue + sparql, union_default_graph, default_graphs, named_graphs)
        except QuerySyntaxError as exc:
            message = _unshift(str(exc), len(prologue)) if prologue else str(exc)
            raise QuerySyntaxError(readable_syntax_error(message, sparql)) from None

    def _query(
        self,
        sparql: str,
        union_default_graph: bool,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
    ) -> QueryResult:
        deadline = self._deadline()
        try:
            form = query_form(sparql)
        except ValueError as exc:
            raise QuerySyntaxError(str(exc)) from None
        # Only standard SPARQL and allowed functions reach the store, whoever
        # calls (the web layer has checked the same already).
        function_policy.check_functions(sparql, getattr(self.settings, "function_allowlist", ()))
        function_policy.check_vendor_text(sparql)
        release = self.current_release()
        names = release.renamer(self.base)
        # The store gets the text as the checks read it (function_policy.canonical):
        # no comment, escape or string spelling it could read differently.
        text = names.to_store_query(function_policy.canonical(sparql))
        if default_graphs is None and named_graphs is None:
            own = function_policy.dataset_clause(sparql)
            if own is not None:
                # The query's own FROM / FROM NAMED define its dataset, and are
                # sent as the protocol's dataset too, so that the store's
                # dataset is always given by us in the release's graph names
                # (a store that preferred the query's clauses finds the same).
                default_graphs, named_graphs = list(own[0]), list(own[1])
        try:
            if default_graphs is not None:
                defaults = [names.graph_name(g) for g in default_graphs]
            else:
                defaults = [release.iri if union_default_graph else names.default_graph]
            nameds = (
                [names.graph_name(g) for g in named_graphs]
                if named_graphs is not None
                else list(release.graphs)
            )
        except ValueError as exc:
            raise QueryRefused(
                f"Only the graphs this service publishes can be queried: {exc}."
            ) from None
        # An empty list cannot be sent as parameters (and a store given none
        # uses all its graphs): name one that the release never writes.
        defaults = defaults or [names.empty_graph]
        nameds = nameds or [names.empty_graph]
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        cap = int(getattr(self.settings, "result_cap", 0))
        rename = names.from_store_term
        with self._open(
            text, _GRAPH_ACCEPT if graph_form else _RESULTS_JSON, defaults, nameds, form, deadline
        ) as body:
            if graph_form:
                return RemoteResult(
                    _graph_result(body, body.content_type, rename, self.virtuoso, cap)
                )
            result = _parsed_select(body, rename, self.virtuoso, cap, self.url)
        if self.virtuoso and result.type == "SELECT":
            repair_rows(sparql, result.bindings)
        return RemoteResult(result)

    def triple_count(self) -> int:
        release = self.current_release()
        if release.triples is not None:
            return release.triples
        return super().triple_count()

    def close(self) -> None:
        self.client.close()
