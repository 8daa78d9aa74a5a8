"""rdflib's own in-memory store and SPARQL engine (slow, but pure Python)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import rdflib.plugins.sparql
from pyparsing import ParseResults
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier

from asu_graph.rdf_writers import serialize_graph
from asu_graph.store.base import (
    QueryAnswerError,
    QueryResult,
    QuerySyntaxError,
    Store,
    readable_syntax_error,
)

# FROM <iri> names a graph of the dataset; never fetch it from the web.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


def _tsv(result: Result) -> bytes:
    out = io.StringIO()
    out.write("\t".join(f"?{v}" for v in result.vars) + "\n")
    for row in result:
        cells = []
        for var in result.vars:
            term = row[var]
            cells.append("" if term is None else term.n3())
        out.write("\t".join(cells) + "\n")
    return out.getvalue().encode("utf-8")


def _csv(result: Result) -> bytes:
    # rdflib writes CRLF rows like the spec, but bnode / literal details differ
    # from other engines; write plain lexical values as SPARQL 1.1 CSV says.
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(v) for v in result.vars])
    for row in result:
        writer.writerow(["" if row[v] is None else str(row[v]) for v in result.vars])
    return out.getvalue().encode("utf-8")


class MemoryResult(QueryResult):
    def __init__(self, result: Result) -> None:
        self._result = result
        self.kind = {"SELECT": "SELECT", "ASK": "ASK"}.get(result.type, "GRAPH")

    def serialize(self, fmt: str) -> bytes:
        if self.kind == "GRAPH":
            return serialize_graph(self._result.graph, fmt)
        if fmt == "tsv":
            return _tsv(self._result) if self.kind == "SELECT" else _bool_tsv(self._result)
        if fmt == "csv":
            return _csv(self._result) if self.kind == "SELECT" else _bool_tsv(self._result)
        if fmt not in ("json", "xml"):
            raise ValueError(f"a {self.kind} result cannot be written as {fmt!r}")
        return self._result.serialize(format=fmt, encoding="utf-8")

    @property
    def variables(self) -> list[str]:
        return [str(v) for v in self._result.vars or []]

    def rows(self) -> list[dict[str, Identifier]]:
        if self.kind != "SELECT":
            return []
        return [{str(k): v for k, v in row.asdict().items()} for row in self._result]

    @property
    def boolean(self) -> bool | None:
        return bool(self._result.askAnswer) if self.kind == "ASK" else None

    def graph(self) -> Graph:
        return self._result.graph if self.kind == "GRAPH" else Graph()


def _bool_tsv(result: Result) -> bytes:
    return ("true" if result.askAnswer else "false").encode("ascii") + b"\n"


# Characters no IRI may hold (RFC 3987; as N-Triples' IRIREF excludes them).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')

# A \uXXXX / \UXXXXXXXX escape of a UTF-16 surrogate, or such a code point itself.
_SURROGATE = re.compile(
    r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}"
    r"|[\ud800-\udfff]"
)


def _legal(subject: Identifier, predicate: Identifier, obj: Identifier) -> bool:
    """Whether a constructed triple is RDF: IRI or blank subject, IRI predicate, valid IRIs.

    SPARQL 1.1 (16.2) leaves out of a CONSTRUCT answer every triple that would
    not be RDF; rdflib's engine keeps them (a literal subject, a blank node
    predicate, an IRI with a space), which no RDF writer can write.
    """
    if not isinstance(subject, URIRef | BNode) or not isinstance(predicate, URIRef):
        return False
    return not any(
        isinstance(term, URIRef) and _NOT_IN_IRI.search(term) for term in (subject, predicate, obj)
    )


def _evaluated(result: Result) -> Result:
    """Run the lazy parts of rdflib's answer now, so that engine errors surface here."""
    if result.type == "SELECT":
        result.bindings  # noqa: B018 - materialises the solutions
    elif result.type in ("CONSTRUCT", "DESCRIBE") and result.graph is not None:
        illegal = [triple for triple in result.graph if not _legal(*triple)]
        for triple in illegal:
            result.graph.remove(triple)
    return result


def _translate(parsed: object, base: str | None = None) -> tuple:
    undeclared = _used_prefixes(parsed) - {
        decl.get("prefix") or "" for decl in parsed[0] if decl.name == "PrefixDecl"
    }
    if undeclared:
        # rdflib quietly knows rdf:, rdfs:, xsd:, owl:; SPARQL engines (and the
        # other stores) refuse a prefix the query does not declare.
        raise QuerySyntaxError(
            "undeclared prefix: " + ", ".join(f"{p}:" for p in sorted(undeclared))
        )
    query = translateQuery(parsed, base=base)
    return query.prologue, query.algebra


def _used_prefixes(node: object, found: set[str] | None = None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, CompValue):
        if node.name == "pname":
            found.add(node.get("prefix") or "")
        for value in node.values():
            _used_prefixes(value, found)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            _used_prefixes(value, found)
    return found


class MemoryStore(Store):
    name = "memory"

    def __init__(self) -> None:
        self._dataset = Dataset(default_union=True)

    def load(self, dataset: Dataset) -> None:
        fresh = Dataset(default_union=True)
        for quad in dataset.quads((None, None, None, None)):
            fresh.add(quad)
        for prefix, ns in dataset.namespaces():
            fresh.bind(prefix, ns, override=False)
        self._dataset = fresh

    def load_file(self, path: str | Path) -> None:
        fresh = Dataset(default_union=True)
        fresh.parse(str(path))
        self._dataset = fresh

    def _view(
        self, union: bool, default_graphs: list[str] | None, named_graphs: list[str] | None
    ) -> Dataset | Graph:
        if default_graphs is None and named_graphs is None:
            return Dataset(store=self._dataset.store, default_union=union)
        # A restricted dataset: copy the chosen graphs (small data, rarely used).
        view = Dataset(default_union=False)
        # An empty list is an empty default graph (protocol dataset with only
        # named-graph-uri), not "no restriction".
        for name in (
            default_graphs
            if default_graphs is not None
            else ([] if not union else [str(c.identifier) for c in self._dataset.contexts()])
        ):
            source = self._dataset.graph(URIRef(name)) if name else self._dataset.default_context
            for triple in source:
                view.default_context.add(triple)
        names = (
            named_graphs
            if named_graphs is not None
            else [str(c.identifier) for c in self._dataset.contexts()]
        )
        for name in names:
            target = view.graph(URIRef(name))
            for triple in self._dataset.graph(URIRef(name)):
                target.add(triple)
        return view

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        surrogate = _SURROGATE.search(sparql)
        if surrogate:
            # rdflib would expand it into text no document can carry; Oxigraph
            # refuses it while parsing, as the grammar says.
            shown = surrogate.group(0).encode("ascii", "backslashreplace").decode()
            raise QuerySyntaxError(
                f"{shown} at offset {surrogate.start()} is a surrogate code point, not a character"
            )
        try:
            parsed = parseQuery(sparql)
            prepared = Query(*_translate(parsed, base_iri))
        except QuerySyntaxError as exc:
            raise QuerySyntaxError(readable_syntax_error(str(exc), sparql)) from None
        except Exception as exc:  # pyparsing's ParseException and friends
            raise QuerySyntaxError(readable_syntax_error(str(exc), sparql)) from None
        if default_graphs is not None or named_graphs is not None:
            # The protocol's dataset replaces the query's FROM / FROM NAMED
            # (SPARQL 1.1 Protocol 2.1.4), as in the other stores.
            prepared.algebra["datasetClause"] = None
        target = self._view(union_default_graph, default_graphs, named_graphs)
        try:
            return MemoryResult(_evaluated(target.query(prepared)))
        except MemoryError:
            raise
        except Exception as exc:  # an invalid regex or language tag met while evaluating
            raise QueryAnswerError(f"The query could not be evaluated: {exc}") from None

    def triple_count(self) -> int:
        return len(set(self._dataset.triples((None, None, None))))


__all__ = ["MemoryStore", "MemoryResult"]
