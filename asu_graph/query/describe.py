"""Bounded descriptions of a resource, asked through the store (any backend).

What a reader needs to make sense of one resource: its own triples, the blank
nodes hanging from it (recursively), the labels of what it links to, and, when
asked, the triples pointing at it with the labels of their subjects.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, URIRef, Variable

from asu_graph.rdf_writers import serialize_graph
from asu_graph.sparql.guard import scan
from asu_graph.store import QueryResult, QuerySyntaxError, Store

_LABELS = (
    "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
)

_OUTBOUND = """CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?label . }}
WHERE {{ <{iri}> ?p ?o .
  OPTIONAL {{ FILTER(isIRI(?o)) ?o ?lp ?label . FILTER(?lp IN ({labels})) }} }}"""

_INBOUND = """CONSTRUCT {{ ?s ?p <{iri}> . ?s ?lp ?label . }}
WHERE {{ ?s ?p <{iri}> .
  OPTIONAL {{ FILTER(isIRI(?s)) ?s ?lp ?label . FILTER(?lp IN ({labels})) }} }}"""

_BNODE_DEPTH = 5
# Characters no IRI may hold; they would also break out of <...> in the queries below.
# Lone surrogates come from \uD800 escapes that rdflib's parser expands.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\ud800-\udfff]')


def _label_list() -> str:
    return ", ".join(_LABELS.split("|"))


def _bnode_closure(store: Store, iri: str, graph: Graph, **options: object) -> None:
    # Engines rename blank nodes per answer, so follow them by path from the
    # named resource instead of by label: depth 1 is <iri> ?p1 ?b1, and so on.
    for depth in range(1, _BNODE_DEPTH + 1):
        steps = [f"<{iri}> ?p1 ?b1 . FILTER(isBlank(?b1))"]
        for level in range(2, depth + 1):
            steps.append(f"?b{level - 1} ?p{level} ?b{level} . FILTER(isBlank(?b{level}))")
        pattern = " ".join(steps)
        query = f"CONSTRUCT {{ ?b{depth} ?q ?v }} WHERE {{ {pattern} ?b{depth} ?q ?v }}"
        found = store.query(query, **options).graph()
        if len(found) == 0:
            return
        graph += found


def describe(store: Store, iri: str, *, inbound: bool = True, **options: object) -> Graph:
    """The bounded description of ``iri`` as an rdflib graph (empty if unknown).

    ``options`` are passed to ``store.query`` (the dataset to describe from).
    """
    if _NOT_IN_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    graph = store.query(_OUTBOUND.format(iri=iri, labels=_label_list()), **options).graph()
    if any(isinstance(o, BNode) for o in graph.objects(URIRef(iri), None)):
        _bnode_closure(store, iri, graph, **options)
    if inbound:
        graph += store.query(_INBOUND.format(iri=iri, labels=_label_list()), **options).graph()
    return graph


# -- DESCRIBE queries ----------------------------------------------------------------
#
# Engines each have their own idea of what DESCRIBE returns (Oxigraph: the
# concise bounded description; rdflib: something else). The endpoint answers
# DESCRIBE with the same bounded description as the resource pages, whatever
# store is behind it: the described IRIs are the explicit ones plus the IRI
# values of the variables, which come from running the WHERE clause as a SELECT.

_MAX_DESCRIBED = 1000


def _describe_split(text: str) -> tuple[int, int] | None:
    """Offsets of the DESCRIBE keyword and of what follows its list of terms."""
    keyword = None
    try:
        for token in scan(text):
            if token.kind in ("ws", "comment"):
                continue
            if keyword is None:
                if token.kind == "word" and token.text.upper() == "DESCRIBE":
                    keyword = token.pos
            elif token.text == "{" or (
                token.kind == "word" and token.text.upper() in ("WHERE", "FROM")
            ):
                return keyword, token.pos
            elif token.kind not in ("var", "iri", "pname") and token.text != "*":
                return None  # not a term: leave the query to the engine
    except QuerySyntaxError:
        return None
    return (keyword, len(text)) if keyword is not None else None


def described_terms(
    text: str, base_iri: str | None = None
) -> tuple[list[str], list[str], str | None] | None:
    """For a DESCRIBE query: (explicit IRIs, variable names or ["*"], SELECT text).

    None when ``text`` is not a DESCRIBE query. The SELECT text, when there is
    a WHERE clause to run, keeps the prologue, FROM clauses, pattern and
    solution modifiers of the DESCRIBE query.
    """
    if "DESCRIBE" not in text.upper():
        return None
    from rdflib.plugins.sparql.algebra import translatePrologue
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except Exception:  # a syntax error: the engine reports it in its own words
        return None
    if getattr(parsed[1], "name", None) != "DescribeQuery":
        return None
    prologue = translatePrologue(parsed[0], base_iri)
    iris, variables = [], []
    for term in parsed[1].var or []:
        value = prologue.absolutize(term)
        if isinstance(value, Variable):
            variables.append(str(value))
        elif isinstance(value, URIRef):
            iris.append(str(value))
    if parsed[1].var is None:
        variables = ["*"]
    split = _describe_split(text)
    where = parsed[1].where
    select = None
    if variables and split is not None and where is not None and where != "":
        start, rest = split
        head = "*" if variables == ["*"] else " ".join("?" + v for v in variables)
        select = f"{text[:start]}SELECT DISTINCT {head} {text[rest:]}"
    return iris, variables, select


class DescriptionResult(QueryResult):
    """A DESCRIBE answer built here (bounded descriptions), serialized like any graph."""

    kind = "GRAPH"

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    def serialize(self, fmt: str) -> bytes:
        return serialize_graph(self._graph, fmt)

    def graph(self) -> Graph:
        return self._graph


def describe_query(
    store: Store,
    text: str,
    *,
    limit: int = _MAX_DESCRIBED,
    prefixes: dict[str, str] | None = None,
    **options: object,
) -> DescriptionResult | None:
    """Answer a DESCRIBE query with merged bounded descriptions; None if not DESCRIBE.

    ``options`` (union_default_graph, default_graphs, named_graphs) go to every
    store query, so the protocol's dataset applies to the description too.
    At most ``limit`` resources are described.
    """
    base_iri = options.get("base_iri")
    terms = described_terms(text, base_iri if isinstance(base_iri, str) else None)
    if terms is None:
        return None
    iris, variables, select = terms
    found = list(dict.fromkeys(iris))
    if select is not None:
        for row in store.query(select, **options).rows():
            for name, value in row.items():
                if (variables == ["*"] or name in variables) and isinstance(value, URIRef):
                    found.append(str(value))
        found = list(dict.fromkeys(found))
    graph = Graph()
    for prefix, namespace in (prefixes or {}).items():
        graph.bind(prefix, namespace)
    # A value that is no IRI (IRI("a b") in rdflib's engine) describes nothing.
    found = [iri for iri in found if not _NOT_IN_IRI.search(iri)]
    for iri in found[:limit]:
        graph += describe(store, iri, inbound=False, **options)
    return DescriptionResult(graph)


def query(
    store: Store,
    text: str,
    *,
    limit: int = _MAX_DESCRIBED,
    prefixes: dict[str, str] | None = None,
    **options: object,
) -> QueryResult:
    """``store.query``, except that DESCRIBE answers with the bounded description."""
    described = describe_query(store, text, limit=limit, prefixes=prefixes, **options)
    return described if described is not None else store.query(text, **options)
