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

from .formats import OXIGRAPH_RDF, OXIGRAPH_RESULTS, RDF_FORMATS
from .store import QueryResult

_RESULTS = OXIGRAPH_RESULTS
_RDF = OXIGRAPH_RDF


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
    """``result`` in format key ``fmt``, cut to ``cap`` rows / triples (cap <= 0: no cap)."""
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
    for solution in islice(solutions, _limit(cap)):
        lines.append("\t".join("" if term is None else str(term) for term in solution))
    truncated = cap > 0 and len(lines) - 1 > cap
    if truncated:
        lines.pop()
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
        format=_RESULTS[fmt])
    return Capped(body, truncated, len(lines) - 1)


def _oxigraph_graph(triples: ox.QueryTriples, fmt: str, cap: int) -> Capped:
    if fmt not in _RDF:
        raise ValueError(f"a graph result cannot be written as {fmt!r}")
    kept = list(islice(triples, _limit(cap)))
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
