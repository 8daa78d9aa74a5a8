"""Oxigraph (pyoxigraph) as the embedded query engine: in memory or on disk."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from .base import QueryResult, QuerySyntaxError, Store

_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_RDF = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
        "json-ld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            # RDF 1.1 simple literal; rdflib would treat ^^xsd:string as a different term
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def _graph_name(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if iri == "" else ox.NamedNode(iri)


class OxigraphResult(QueryResult):
    """Wraps a single-use pyoxigraph answer; materialised once when needed twice."""

    def __init__(self, raw: object, rerun) -> None:
        self._raw = raw
        self._rerun = rerun
        if isinstance(raw, ox.QuerySolutions):
            self.kind = "SELECT"
        elif isinstance(raw, ox.QueryBoolean):
            self.kind = "ASK"
        else:
            self.kind = "GRAPH"
        self._triples: list[ox.Triple] | None = None

    def _take(self):
        raw, self._raw = self._raw, None
        return raw if raw is not None else self._rerun()

    def native_answer(self):
        """The pyoxigraph answer itself, read once (the result cap streams it)."""
        return self._take()

    def serialize(self, fmt: str) -> bytes:
        if self.kind == "GRAPH":
            if fmt not in _RDF:
                raise ValueError(f"a graph result cannot be written as {fmt!r}")
            return ox.serialize(self._triple_list(), format=_RDF[fmt])
        if fmt not in _RESULTS:
            raise ValueError(f"a {self.kind} result cannot be written as {fmt!r}")
        return self._take().serialize(format=_RESULTS[fmt])

    @property
    def variables(self) -> list[str]:
        if self.kind != "SELECT":
            return []
        raw = self._raw if self._raw is not None else self._rerun()
        self._raw = raw
        return [v.value for v in raw.variables]

    def rows(self) -> list[dict[str, Identifier]]:
        if self.kind != "SELECT":
            return []
        raw = self._take()
        names = [v.value for v in raw.variables]
        out = []
        for solution in raw:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = to_rdflib(term)
            out.append(row)
        return out

    @property
    def boolean(self) -> bool | None:
        if self.kind != "ASK":
            return None
        return bool(self._take())

    def _triple_list(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = list(self._take())
        return self._triples

    def graph(self) -> Graph:
        graph = Graph()
        for t in self._triple_list():
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph


class OxigraphStore(Store):
    name = "oxigraph"

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._store = ox.Store(path) if path else ox.Store()

    @property
    def native(self) -> ox.Store:
        return self._store

    def load(self, dataset: Dataset) -> None:
        data = dataset.serialize(format="nquads", encoding="utf-8")
        self._store.clear()
        self._store.load(data, format=ox.RdfFormat.N_QUADS)
        self._store.optimize() if self.path else None

    def load_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.clear()
        self._store.extend(quads)

    def query(self, sparql: str, *, union_default_graph: bool = True,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult:
        kwargs: dict = {}
        if default_graphs is not None:
            kwargs["default_graph"] = [_graph_name(g) for g in default_graphs]
        elif union_default_graph:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]

        def run():
            try:
                return self._store.query(sparql, **kwargs)
            except SyntaxError as exc:
                raise QuerySyntaxError(str(exc)) from None

        return OxigraphResult(run(), run)

    def triple_count(self) -> int:
        return len(self._store)
