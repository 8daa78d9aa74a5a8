"""The result cap: at most ``cap`` rows or triples per answer, and say so when cut.

A capped answer is never silent: ``Capped.truncated`` becomes the
``X-ASU-Result-Truncated`` header, and the body carries a note where its
format has room for one (a ``"truncated"`` member in SPARQL JSON results, an
XML comment in SPARQL XML results and RDF/XML, a ``#`` comment in Turtle,
N-Triples, TriG and N-Quads). CSV, TSV and JSON-LD have no comment syntax, so
for those the header is the only sign.

With Oxigraph the solutions are read lazily and only ``cap + 1`` of them are
ever produced, so a query matching millions of rows costs no more than one
matching ``cap + 1``. The kept rows are written back as SPARQL TSV (Oxigraph
prints every term in its N-Triples form) and re-serialised by Oxigraph
itself, so capped and uncapped answers come out of the same serializer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result

from .formats import RDF_FORMATS, RESULT_FORMATS
from .store import QueryAnswerError, QueryResult

_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_RDF = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
        "json-ld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


@dataclass(frozen=True)
class Capped:
    body: bytes
    truncated: bool
    count: int          # rows or triples in the body (ASK: 1)


def note(cap: int, what: str) -> str:
    return (f"Result truncated: this answer holds only the first {cap:,} {what} "
            f"(the service's result cap). Use ORDER BY with LIMIT and OFFSET to page "
            f"through the rest.")


def serialize(result: QueryResult, fmt: str, cap: int) -> Capped:
    """``result`` in format key ``fmt``, cut to ``cap`` rows / triples (cap <= 0: no cap).

    Raises ``QueryAnswerError`` (400 / 406 with a message) when the engine fails
    while producing the answer or the format cannot write it: an answer is
    either written or refused with a reason, never an internal error.
    """
    try:
        return _serialize(result, fmt, cap)
    except (QueryAnswerError, MemoryError):
        raise
    except UnicodeError as exc:
        # A lone surrogate (written as a \uD800 escape in the query) is no character.
        raise QueryAnswerError(f"The answer holds text that is not valid Unicode ({exc}); "
                               "no document format can carry it.") from None
    except Exception as exc:  # the writer of that format refused the terms
        raise unwritable(fmt, exc) from None


def unwritable(fmt: str, exc: Exception) -> QueryAnswerError:
    """406: the chosen format cannot write this answer; say why and what else to ask for."""
    known = RDF_FORMATS.get(fmt) or RESULT_FORMATS.get(fmt)
    name = known.media_type if known is not None else fmt
    others = RDF_FORMATS if fmt in RDF_FORMATS else RESULT_FORMATS
    choices = ", ".join(f.media_type for key, f in others.items() if key != fmt)
    return QueryAnswerError(f"The answer cannot be written as {name}: {exc}. "
                            f"Ask for another format ({choices}).", status=406)


def evaluation_failed(exc: Exception) -> QueryAnswerError:
    """400: the engine could not evaluate a well-formed query."""
    return QueryAnswerError(f"The query could not be evaluated: {exc}")


def _serialize(result: QueryResult, fmt: str, cap: int) -> Capped:
    if result.kind == "ASK":
        return Capped(result.serialize(fmt), False, 1)
    raw = _oxigraph_answer(result)
    if result.kind == "SELECT":
        capped = _oxigraph_select(raw, fmt, cap) if raw is not None else \
            _generic_select(result, fmt, cap)
    else:
        capped = _oxigraph_graph(raw, fmt, cap) if raw is not None else \
            _generic_graph(result, fmt, cap)
    if capped.truncated:
        what = "rows" if result.kind == "SELECT" else "triples"
        return Capped(_mark(capped.body, fmt, note(cap, what)), True, capped.count)
    return capped


def _oxigraph_answer(result: QueryResult) -> object | None:
    """The single-use pyoxigraph iterator behind an Oxigraph result, else None."""
    take = getattr(result, "native_answer", None)
    return take() if callable(take) else None


def _limit(cap: int) -> int | None:
    return cap + 1 if cap > 0 else None


def _oxigraph_select(solutions: ox.QuerySolutions, fmt: str, cap: int) -> Capped:
    if fmt not in _RESULTS:
        raise ValueError(f"a SELECT result cannot be written as {fmt!r}")
    names = [v.value for v in solutions.variables]
    lines = ["\t".join("?" + name for name in names)]
    try:
        for solution in islice(solutions, _limit(cap)):
            lines.append("\t".join("" if term is None else _tsv_term(term)
                                   for term in solution))
    except (OSError, ValueError, RuntimeError) as exc:   # raised while evaluating
        raise evaluation_failed(exc) from None
    truncated = cap > 0 and len(lines) - 1 > cap
    if truncated:
        lines.pop()
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
        format=_RESULTS[fmt])
    return Capped(body, truncated, len(lines) - 1)


def _tsv_term(term: object) -> str:
    """A term as SPARQL TSV writes it; RDF 1.2 triple terms as ``<<( s p o )>>``."""
    if isinstance(term, ox.Triple):
        return (f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} "
                f"{_tsv_term(term.object)} )>>")
    return str(term)


def _oxigraph_graph(triples: ox.QueryTriples, fmt: str, cap: int) -> Capped:
    if fmt not in _RDF:
        raise ValueError(f"a graph result cannot be written as {fmt!r}")
    try:
        kept = list(islice(triples, _limit(cap)))
    except (OSError, ValueError, RuntimeError) as exc:   # raised while evaluating
        raise evaluation_failed(exc) from None
    truncated = cap > 0 and len(kept) > cap
    if truncated:
        kept.pop()
    return Capped(ox.serialize(kept, format=_RDF[fmt]), truncated, len(kept))


def _generic_select(result: QueryResult, fmt: str, cap: int) -> Capped:
    rows = result.rows()
    if cap <= 0 or len(rows) <= cap:
        return Capped(result.serialize(fmt), False, len(rows))
    from .store.memory import MemoryResult  # rdflib's serializers, as the memory store

    cut = Result("SELECT")
    cut.vars = [Variable(name) for name in result.variables]
    cut.bindings = [{Variable(k): v for k, v in row.items()} for row in rows[:cap]]
    return Capped(MemoryResult(cut).serialize(fmt), True, cap)


def _generic_graph(result: QueryResult, fmt: str, cap: int) -> Capped:
    graph = result.graph()
    if cap <= 0 or len(graph) <= cap:
        return Capped(result.serialize(fmt), False, len(graph))
    kept = Graph()
    for prefix, namespace in graph.namespaces():
        kept.bind(prefix, namespace, override=False)
    for triple in islice(iter(graph), cap):
        kept.add(triple)
    from .store.memory import MemoryResult

    cut = Result("CONSTRUCT")
    cut.graph = kept
    return Capped(MemoryResult(cut).serialize(fmt), True, cap)


def _mark(body: bytes, fmt: str, text: str) -> bytes:
    """Add ``text`` to ``body`` where the format allows a note; unchanged otherwise."""
    if fmt == "json":
        document = json.loads(body)
        results = document.setdefault("results", {})
        document["results"] = {"truncated": True, "note": text, **results}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt in ("xml", "rdfxml"):
        comment = f"<!-- {text.replace('--', '- -')} -->\n".encode()
        if body.startswith(b"<?xml"):
            end = body.index(b"?>") + 2
            return body[:end] + b"\n" + comment + body[end:].lstrip(b"\n")
        return comment + body
    if fmt in RDF_FORMATS and fmt not in ("json-ld",):
        return f"# {text}\n".encode() + body
    return body
