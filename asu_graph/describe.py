"""Bounded descriptions of a resource, asked through the store (any backend).

What a reader needs to make sense of one resource: its own triples, the blank
nodes hanging from it (recursively), the labels of what it links to, and, when
asked, the triples pointing at it with the labels of their subjects.
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef

from .store import Store

_LABELS = ("<http://www.w3.org/2000/01/rdf-schema#label>|"
           "<http://www.w3.org/2004/02/skos/core#prefLabel>")

_OUTBOUND = """CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?label . }}
WHERE {{ <{iri}> ?p ?o .
  OPTIONAL {{ FILTER(isIRI(?o)) ?o ?lp ?label . FILTER(?lp IN ({labels})) }} }}"""

_INBOUND = """CONSTRUCT {{ ?s ?p <{iri}> . ?s ?lp ?label . }}
WHERE {{ ?s ?p <{iri}> .
  OPTIONAL {{ FILTER(isIRI(?s)) ?s ?lp ?label . FILTER(?lp IN ({labels})) }} }}"""

_BNODE_DEPTH = 5


def _label_list() -> str:
    return ", ".join(_LABELS.split("|"))


def _bnode_closure(store: Store, iri: str, graph: Graph) -> None:
    # Engines rename blank nodes per answer, so follow them by path from the
    # named resource instead of by label: depth 1 is <iri> ?p1 ?b1, and so on.
    for depth in range(1, _BNODE_DEPTH + 1):
        steps = [f"<{iri}> ?p1 ?b1 . FILTER(isBlank(?b1))"]
        for level in range(2, depth + 1):
            steps.append(f"?b{level - 1} ?p{level} ?b{level} . FILTER(isBlank(?b{level}))")
        pattern = " ".join(steps)
        query = (f"CONSTRUCT {{ ?b{depth} ?q ?v }} WHERE {{ {pattern} ?b{depth} ?q ?v }}")
        found = store.query(query).graph()
        if len(found) == 0:
            return
        graph += found


def describe(store: Store, iri: str, *, inbound: bool = True) -> Graph:
    """The bounded description of ``iri`` as an rdflib graph (empty if unknown)."""
    if any(ch in iri for ch in "<>\"{}|\\^` \n"):
        raise ValueError(f"not an IRI: {iri!r}")
    graph = store.query(_OUTBOUND.format(iri=iri, labels=_label_list())).graph()
    if any(isinstance(o, BNode) for o in graph.objects(URIRef(iri), None)):
        _bnode_closure(store, iri, graph)
    if inbound:
        graph += store.query(_INBOUND.format(iri=iri, labels=_label_list())).graph()
    return graph
