"""Oxigraph (pyoxigraph) as the embedded query engine: in memory or on disk."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from asu_graph.formats import OXIGRAPH_RDF, OXIGRAPH_RESULTS
from asu_graph.namespaces import XSD
from asu_graph.sparql.text import has_dataset_clause
from asu_graph.store.base import (
    QueryAnswerError,
    QueryResult,
    QuerySyntaxError,
    Store,
    readable_syntax_error,
)

_RESULTS = OXIGRAPH_RESULTS
_RDF = OXIGRAPH_RDF


_XSD_STRING = str(XSD.string)


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


# Where the merged default graph lives when triples repeat across named graphs.
# Oxigraph's own union (use_default_graph_as_union) is a bag over quads: a fact
# stated by two sources would come back twice, where SPARQL's default graph is
# an RDF graph, a set (Jena's union default graph behaves so too).
UNION_GRAPH = "urn:x-asu-graph:union-default-graph"
_UNION = ox.NamedNode(UNION_GRAPH)


class UnionView:
    """How to ask one pyoxigraph store for the service's default dataset."""

    def __init__(self, native: ox.Store) -> None:
        self.native = native
        self.merged = native.contains_named_graph(_UNION)
        self.named = [g for g in native.named_graphs() if g != _UNION] if self.merged else None

    @classmethod
    def prepare(cls, native: ox.Store, on_disk: bool = False) -> UnionView:
        """After a load: materialise the merged default graph if (and only if) needed."""
        if native.contains_named_graph(_UNION):
            native.remove_graph(_UNION)
        distinct = _count(
            native, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
        )
        if distinct != len(native):
            if on_disk:
                # A SPARQL INSERT is one transaction, slow on RocksDB; bulk
                # writes skip it (measured 3x faster on 100k triples).
                native.bulk_extend(
                    ox.Quad(q.subject, q.predicate, q.object, _UNION)
                    for q in native.quads_for_pattern(None, None, None)
                )
            else:
                # In memory the engine's own INSERT beats a Python loop (2x on 1M).
                native.update(
                    f"INSERT {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} "
                    "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
                )
        return cls(native)

    def kwargs(
        self,
        sparql: str,
        union_default_graph: bool,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
    ) -> dict:
        """pyoxigraph query arguments for this dataset.

        The protocol's dataset wins over FROM in the query, the query's FROM
        wins over the service default (SPARQL 1.1 Protocol 2.1.4, Query 13.2).
        """
        hidden = {"named_graphs": self.named} if self.merged else {}
        if default_graphs is None and named_graphs is None:
            if has_dataset_clause(sparql):
                return {}
            return {**hidden, **self._default()} if union_default_graph else hidden
        kwargs = dict(hidden)
        if default_graphs is not None:
            kwargs["default_graph"] = [_graph_name(g) for g in default_graphs]
        elif union_default_graph:
            kwargs.update(self._default())
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return kwargs

    def _default(self) -> dict:
        if self.merged:
            return {"default_graph": [_UNION]}
        return {"use_default_graph_as_union": True}


def _count(native: ox.Store, sparql: str) -> int:
    result = native.query(sparql, use_default_graph_as_union=True)
    return int(next(iter(result))[0].value)


class OxigraphStore(Store):
    name = "oxigraph"

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._store = ox.Store(path) if path else ox.Store()
        self._union = UnionView(self._store)

    @classmethod
    def over(cls, native: ox.Store, union: UnionView | None = None) -> OxigraphStore:
        """A query view over an existing pyoxigraph store (shared, not copied)."""
        view = cls.__new__(cls)
        view.path = None
        view._store = native
        view._union = union or UnionView(native)
        return view

    @property
    def native(self) -> ox.Store:
        return self._store

    def load(self, dataset: Dataset) -> None:
        # rdflib writes N-Quads and Oxigraph parses them in one native call:
        # faster than building ox.Quad objects one by one in Python.
        data = dataset.serialize(format="nquads", encoding="utf-8")
        self._store.clear()
        self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        self._loaded()

    def load_file(self, path: str | Path) -> None:
        """Replace the content with an RDF file, parsed natively (the fast path)."""
        fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))
        if fmt is None:
            raise ValueError(f"{path}: unknown RDF file extension")
        self._store.clear()
        self._store.bulk_load(path=str(path), format=fmt)
        self._loaded()

    def _loaded(self) -> None:
        self._union = UnionView.prepare(self._store, on_disk=bool(self.path))
        if self.path:
            self._store.optimize()

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        kwargs = self._union.kwargs(sparql, union_default_graph, default_graphs, named_graphs)

        def run():
            try:
                return self._store.query(sparql, base_iri=base_iri, **kwargs)
            except SyntaxError as exc:
                raise QuerySyntaxError(readable_syntax_error(str(exc), sparql)) from None
            except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors
                raise QueryAnswerError(f"The query could not be evaluated: {exc}") from None

        return OxigraphResult(run(), run)

    def triple_count(self) -> int:
        # Distinct triples of the union, like the other stores (len() counts quads).
        if self._union.merged:
            return _count(
                self._store, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}"
            )
        return _count(
            self._store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
        )

    def close(self) -> None:
        del self._store
