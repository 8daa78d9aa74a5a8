"""Dataset statistics asked through the store with SPARQL (any backend).

Counts are over distinct triples of the union of the named graphs, which is
exactly what the triple dumps (Turtle, N-Triples, JSON-LD, RDF/XML) contain;
engines that keep a triple once per graph in the union would otherwise count
it twice, hence the ``DISTINCT`` sub-selects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asu_graph.config import Settings
from asu_graph.store import Store

_DISTINCT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class DatasetStats:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int] = field(default_factory=dict)  # class -> instances
    properties: dict[str, int] = field(default_factory=dict)  # property -> triples
    graphs: dict[str, int] = field(default_factory=dict)  # named graph -> triples
    derived_from: dict[str, list[str]] = field(default_factory=dict)  # graph -> source pages
    entity_iris: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def _count(store: Store, query: str) -> int:
    return int(store.query(query).rows()[0]["n"])


def _pairs(store: Store, query: str, key: str, value: str) -> dict[str, int]:
    return {str(row[key]): int(row[value]) for row in store.query(query).rows()}


def compute_stats(store: Store, settings: Settings) -> DatasetStats:
    id_ns = settings.id_ns
    triples = _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }}")
    subjects = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    objects = _count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    classes = _pairs(
        store,
        """SELECT ?c (COUNT(DISTINCT ?s) AS ?n)
        WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c""",
        "c",
        "n",
    )
    properties = _pairs(
        store,
        f"""SELECT ?p (COUNT(*) AS ?n)
        WHERE {{ {_DISTINCT} }} GROUP BY ?p ORDER BY ?p""",
        "p",
        "n",
    )
    graphs = _pairs(
        store,
        """SELECT ?g (COUNT(*) AS ?n)
        WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g""",
        "g",
        "n",
    )
    derived: dict[str, list[str]] = {}
    for row in store.query("""SELECT DISTINCT ?g ?src WHERE {
            ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?src } ORDER BY ?g ?src""").rows():
        if str(row["g"]) in graphs:
            derived.setdefault(str(row["g"]), []).append(str(row["src"]))
    # Entities are the resources in the dataset's own URI space (void:uriSpace).
    entity_iris = [
        str(row["s"])
        for row in store.query(f"""SELECT DISTINCT ?s WHERE {{
            ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id_ns}")) }}
            ORDER BY ?s""").rows()
    ]
    # Example resources: the most described entities, a fair first look.
    examples = [
        str(row["s"])
        for row in store.query(f"""SELECT ?s (COUNT(*) AS ?n) WHERE {{
            ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id_ns}")) }}
            GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 3""").rows()
    ]
    return DatasetStats(
        triples,
        len(entity_iris),
        subjects,
        objects,
        classes,
        properties,
        graphs,
        derived,
        entity_iris,
        examples,
    )
