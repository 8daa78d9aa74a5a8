"""rdflib's API over Oxigraph: an rdflib ``Dataset`` backed by the oxrdflib store plugin.

Code written against rdflib (``Graph.query``, ``triples``) keeps working while
Oxigraph evaluates the SPARQL. Answers come back as rdflib ``Result`` objects
and are serialized by rdflib, which is why this store sits between ``memory``
and ``oxigraph`` in speed (see docs/performance.md).
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

import oxrdflib
import pyoxigraph as ox
from rdflib import XSD, Dataset, Graph, Literal
from rdflib.query import Result
from rdflib.term import Identifier

from asu_graph.store.base import QueryResult, QuerySyntaxError, Store, readable_syntax_error
from asu_graph.store.memory import MemoryResult
from asu_graph.store.oxigraph import OxigraphStore, UnionView


class _NoPrefixes(oxrdflib.OxigraphStore):
    """oxrdflib's store without bound prefixes.

    oxrdflib hands the store's prefixes (rdflib binds a dozen by default) to
    every query, which would make undeclared prefixes work here and fail in
    every other store and SPARQL endpoint.
    """

    def bind(self, prefix: str, namespace: object, override: bool = True) -> None:
        return None


# The base IRI of the query being run in this thread: rdflib's Graph.query has
# no way to hand it to oxrdflib (which refuses extra arguments), so the
# wrapper below reads it from here.
_BASE_IRI: ContextVar[str | None] = ContextVar("asu_oxrdflib_base_iri", default=None)


class _UnionAware:
    """The pyoxigraph store as oxrdflib sees it, with the service's default dataset.

    oxrdflib asks for Oxigraph's bag union; this answers with the merged
    default graph instead (see ``UnionView``) and honours FROM in the query.
    """

    def __init__(self, native: ox.Store, view: UnionView) -> None:
        self._native = native
        self._view = view

    def query(
        self,
        sparql: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: object = None,
        **rest: object,
    ) -> object:
        if default_graph is None or isinstance(default_graph, ox.DefaultGraph):
            kwargs = self._view.kwargs(sparql, use_default_graph_as_union, None, None)
        else:
            kwargs = {"default_graph": default_graph}
        return self._native.query(sparql, **kwargs, **rest, base_iri=_BASE_IRI.get())

    def __getattr__(self, name: str) -> object:
        return getattr(self._native, name)


class OxrdflibStore(Store):
    name = "oxrdflib"

    def __init__(self) -> None:
        self._dataset = self._fresh()
        self._view = UnionView(self._dataset.store._inner)

    @staticmethod
    def _fresh() -> Dataset:
        return Dataset(store=_NoPrefixes(), default_union=True)

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store underneath (oxrdflib keeps it as ``_inner``)."""
        inner = self._dataset.store._inner
        return inner._native if isinstance(inner, _UnionAware) else inner

    def _loaded(self, fresh: Dataset) -> None:
        native = fresh.store._inner
        self._view = UnionView.prepare(native)
        fresh.store._store = _UnionAware(native, self._view)
        self._dataset = fresh

    def load(self, dataset: Dataset) -> None:
        fresh = self._fresh()
        # Oxigraph parses N-Quads far faster than rdflib adds quads one by one.
        fresh.parse(data=dataset.serialize(format="nquads", encoding="utf-8"), format="ox-nquads")
        self._loaded(fresh)

    def load_file(self, path: str | Path) -> None:
        fresh = self._fresh()
        fresh.store._inner.bulk_load(path=str(path), format=_file_format(path))
        self._loaded(fresh)

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        if default_graphs is not None or named_graphs is not None:
            # oxrdflib has no protocol dataset (FROM / FROM NAMED by parameter):
            # ask the Oxigraph store underneath directly.
            view = OxigraphStore.over(self.native, self._view)
            return view.query(
                sparql,
                union_default_graph=union_default_graph,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                base_iri=base_iri,
            )
        target = (
            self._dataset
            if union_default_graph
            else Dataset(store=self._dataset.store, default_union=False)
        )
        token = _BASE_IRI.set(base_iri)
        try:
            result = _plain_strings(target.query(sparql))
        except SyntaxError as exc:
            raise QuerySyntaxError(readable_syntax_error(str(exc), sparql)) from None
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - an answer rdflib cannot hold: see below
            result = None
        finally:
            _BASE_IRI.reset(token)
        if result is None or _has_triple_terms(result):
            # rdflib has no RDF 1.2 triple terms (oxrdflib hands them over as
            # tuples, which no rdflib writer takes): the Oxigraph store
            # underneath answers such queries itself, and reports its own errors.
            view = OxigraphStore.over(self.native, self._view)
            return view.query(sparql, union_default_graph=union_default_graph, base_iri=base_iri)
        return MemoryResult(result)

    def triple_count(self) -> int:
        return OxigraphStore.over(self.native, self._view).triple_count()


def _file_format(path: str | Path) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF file extension")
    return fmt


def _plain(term: Identifier | None) -> Identifier | None:
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _plain_strings(result: Result) -> Result:
    """Simple literals as rdflib writes them (no ^^xsd:string), like the other stores.

    oxrdflib turns Oxigraph's simple literals into ``Literal(v, datatype=xsd:string)``;
    the same RDF 1.1 term, but rdflib would serialize the datatype and compare
    it as a different term.
    """
    if result.type == "SELECT":
        # Unbound variables are left out of a row, as rdflib's own engine does
        # (its writers fail on a None value).
        rows = [
            {var: _plain(value) for var, value in row.items() if value is not None}
            for row in result.bindings
        ]
        result.bindings = rows
    elif result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        for s, p, o in result.graph:
            graph.add((s, p, _plain(o)))
        result.graph = graph
    return result


def _has_triple_terms(result: Result) -> bool:
    if result.type == "SELECT":
        return any(isinstance(value, tuple) for row in result.bindings for value in row.values())
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return any(isinstance(term, tuple) for triple in result.graph for term in triple)
    return False
