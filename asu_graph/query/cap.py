"""The result cap: at most ``cap`` rows or triples per answer, and never a cut answer.

An answer that would pass the cap is not sent cut short: a client, or an
engine calling in through ``SERVICE``, would take the first ``cap`` rows for
the whole answer (no client reads a header saying otherwise). ``serialize``
reports it as ``truncated`` with an empty body, and the endpoint refuses it
with a message that points to LIMIT/OFFSET and the dumps (web/sparql.py).

With Oxigraph the solutions are read lazily and only ``cap + 1`` of them are
ever produced, so a query matching millions of rows costs no more than one
matching ``cap + 1``. The kept rows are written back as SPARQL TSV (Oxigraph
prints every term in its N-Triples form) and re-serialised by Oxigraph
itself, so every answer comes out of the same serializer.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from asu_graph.formats import OXIGRAPH_RDF, OXIGRAPH_RESULTS, RDF_FORMATS, RESULT_FORMATS
from asu_graph.store import QueryAnswerError, QueryResult

_RESULTS = OXIGRAPH_RESULTS
_RDF = OXIGRAPH_RDF


@dataclass(frozen=True)
class Capped:
    body: bytes
    truncated: bool
    count: int  # rows or triples in the body (ASK: 1)


def serialize(result: QueryResult, fmt: str, cap: int) -> Capped:
    """``result`` in format key ``fmt``; over ``cap`` rows / triples, truncated and empty.

    ``cap <= 0``: no cap. Raises ``QueryAnswerError`` (400 / 406 with a message)
    when the engine fails while producing the answer or the format cannot write
    it: an answer is either written or refused with a reason, never an
    internal error.
    """
    try:
        return _serialize(result, fmt, cap)
    except (QueryAnswerError, MemoryError):
        raise
    except UnicodeError as exc:
        # A lone surrogate (written as a \uD800 escape in the query) is no character.
        raise QueryAnswerError(
            f"The answer holds text that is not valid Unicode ({exc}); "
            "no document format can carry it."
        ) from None
    except Exception as exc:  # the writer of that format refused the terms
        raise unwritable(fmt, exc) from None


def unwritable(fmt: str, exc: Exception) -> QueryAnswerError:
    """406: the chosen format cannot write this answer; say why and what else to ask for."""
    known = RDF_FORMATS.get(fmt) or RESULT_FORMATS.get(fmt)
    name = known.media_type if known is not None else fmt
    others = RDF_FORMATS if fmt in RDF_FORMATS else RESULT_FORMATS
    choices = ", ".join(f.media_type for key, f in others.items() if key != fmt)
    return QueryAnswerError(
        f"The answer cannot be written as {name}: {exc}. Ask for another format ({choices}).",
        status=406,
    )


def evaluation_failed(exc: Exception) -> QueryAnswerError:
    """400: the engine could not evaluate a well-formed query."""
    return QueryAnswerError(f"The query could not be evaluated: {exc}")


def _serialize(result: QueryResult, fmt: str, cap: int) -> Capped:
    if result.kind == "ASK":
        return Capped(result.serialize(fmt), False, 1)
    raw = _oxigraph_answer(result)
    if result.kind == "SELECT":
        return (
            _oxigraph_select(raw, fmt, cap)
            if raw is not None
            else _generic_select(result, fmt, cap)
        )
    return _oxigraph_graph(raw, fmt, cap) if raw is not None else _generic_graph(result, fmt, cap)


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
            lines.append("\t".join("" if term is None else _tsv_term(term) for term in solution))
    except (OSError, ValueError, RuntimeError) as exc:  # raised while evaluating
        raise evaluation_failed(exc) from None
    if cap > 0 and len(lines) - 1 > cap:
        return Capped(b"", True, len(lines) - 1)
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
        format=_RESULTS[fmt]
    )
    return Capped(body, False, len(lines) - 1)


def _tsv_term(term: object) -> str:
    """A term as SPARQL TSV writes it; RDF 1.2 triple terms as ``<<( s p o )>>``."""
    if isinstance(term, ox.Triple):
        return (
            f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} "
            f"{_tsv_term(term.object)} )>>"
        )
    return str(term)


def _oxigraph_graph(triples: ox.QueryTriples, fmt: str, cap: int) -> Capped:
    if fmt not in _RDF:
        raise ValueError(f"a graph result cannot be written as {fmt!r}")
    try:
        kept = list(islice(triples, _limit(cap)))
    except (OSError, ValueError, RuntimeError) as exc:  # raised while evaluating
        raise evaluation_failed(exc) from None
    if cap > 0 and len(kept) > cap:
        return Capped(b"", True, len(kept))
    return Capped(ox.serialize(kept, format=_RDF[fmt]), False, len(kept))


def _generic_select(result: QueryResult, fmt: str, cap: int) -> Capped:
    rows = result.rows()
    if cap > 0 and len(rows) > cap:
        return Capped(b"", True, len(rows))
    return Capped(result.serialize(fmt), False, len(rows))


def _generic_graph(result: QueryResult, fmt: str, cap: int) -> Capped:
    graph = result.graph()
    if cap > 0 and len(graph) > cap:
        return Capped(b"", True, len(graph))
    return Capped(result.serialize(fmt), False, len(graph))
