"""Turtle and TriG writers that keep every literal's lexical form.

rdflib writes numeric and boolean literals as bare tokens, and for
``"38000000"^^xsd:decimal`` the token is ``38000000.0``, which reads back as a
different RDF term. These writers use the bare token only when it reads back
unchanged, and the full ``"..."^^datatype`` form otherwise. They are
registered as rdflib plugins ``asu-turtle`` and ``asu-trig``.
"""

from __future__ import annotations

from rdflib import Dataset
from rdflib.graph import Graph
from rdflib.plugins.serializers.trig import TrigSerializer
from rdflib.plugins.serializers.turtle import _GEN_QNAME_FOR_DT, TurtleSerializer
from rdflib.term import Literal, Node


def _exact_label(serializer: TurtleSerializer, node: Node, position: int) -> str | None:
    if not isinstance(node, Literal) or node.datatype is None:
        return None
    if node._literal_n3(use_plain=True) == str(node):
        return None  # the bare token round-trips; let rdflib write it
    return node._literal_n3(
        use_plain=False, qname_callback=lambda dt: serializer.get_pname(dt, _GEN_QNAME_FOR_DT)
    )


class ExactTurtleSerializer(TurtleSerializer):
    def label(self, node: Node, position: int) -> str:
        return _exact_label(self, node, position) or super().label(node, position)


class ExactTrigSerializer(TrigSerializer):
    def __init__(self, store: Graph) -> None:
        super().__init__(store)
        # rdflib lists the graphs in the order of a set, which changes from one
        # process to the next; by name, equal data gives equal bytes.
        self.contexts.sort(key=lambda graph: graph.identifier.n3())

    def label(self, node: Node, position: int) -> str:
        return _exact_label(self, node, position) or super().label(node, position)


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """``graph`` in format key ``fmt`` (asu_graph.formats), literals exactly as they are.

    The one way every rdflib-held answer (rdflib's engine, oxrdflib, a remote
    store, the bounded descriptions) is written: the format table names the
    lexical-form-preserving writers above for Turtle and TriG. TriG and
    N-Quads are written from a dataset whose default graph holds the triples,
    as an engine's CONSTRUCT answer would be.
    """
    from asu_graph.formats import RDF_FORMATS

    if fmt not in RDF_FORMATS:
        raise ValueError(f"a graph result cannot be written as {fmt!r}")
    target: Graph = graph
    if RDF_FORMATS[fmt].quads:
        target = Dataset()
        for prefix, namespace in graph.namespaces():
            target.bind(prefix, namespace)
        for triple in graph:
            target.add(triple)
    return target.serialize(format=RDF_FORMATS[fmt].rdflib_name, encoding="utf-8")
