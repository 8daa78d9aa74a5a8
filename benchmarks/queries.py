"""The fixed query mix: the curated queries plus LUBM-style queries on the synthetic data.

Every query names only entities the generator always writes (university 0,
its first department, topic 0), so it has answers at every size.
"""

from __future__ import annotations

from dataclasses import dataclass

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX asu: <https://w3id.org/asu/ontology#>
PREFIX syn: <http://bench.example.org/id/>
"""


@dataclass(frozen=True)
class BenchQuery:
    name: str
    group: str  # "curated" or "mix"
    kind: str  # what it exercises
    text: str


_MIX: list[tuple[str, str, str]] = [
    (
        "lookup",
        "bound subject",
        """
SELECT ?p ?o WHERE { syn:person-0-0-0 ?p ?o }""",
    ),
    (
        "members-of-university",
        "2-hop join",
        """
SELECT ?person ?name WHERE {
  ?dept org:unitOf syn:university-0 .
  ?person org:memberOf ?dept ; foaf:name ?name .
}""",
    ),
    (
        "same-department-teaching",
        "LUBM Q9-like triangle",
        """
SELECT (COUNT(*) AS ?n) WHERE {
  ?run schema:instructor ?teacher ; schema:attendee ?student .
  ?teacher org:memberOf ?dept .
  ?student org:memberOf ?dept .
  ?dept org:unitOf syn:university-0 .
}""",
    ),
    (
        "recent-publications-filter",
        "FILTER on dates and strings",
        """
SELECT ?pub ?title ?date WHERE {
  ?pub a schema:ScholarlyArticle ; dcterms:title ?title ; dcterms:issued ?date .
  FILTER(?date >= "2023-01-01"^^xsd:date && CONTAINS(LCASE(STR(?title)), "graph network"))
}
ORDER BY DESC(?date) ?pub LIMIT 100""",
    ),
    (
        "publications-per-university",
        "GROUP BY aggregate over 3 joins",
        """
SELECT ?university (COUNT(DISTINCT ?pub) AS ?publications) WHERE {
  ?pub dcterms:creator ?author .
  ?author org:memberOf ?dept .
  ?dept org:unitOf ?university .
  ?university a schema:CollegeOrUniversity .
}
GROUP BY ?university ORDER BY DESC(?publications) ?university LIMIT 20""",
    ),
    (
        "people-optional",
        "OPTIONAL",
        """
SELECT ?person ?name ?mbox ?headed WHERE {
  ?person org:memberOf syn:department-0-0 ; foaf:name ?name .
  OPTIONAL { ?person foaf:mbox ?mbox }
  OPTIONAL { ?person org:headOf ?headed }
}
ORDER BY ?name ?person ?mbox ?headed""",
    ),
    (
        "sub-organisations-path",
        "property path +",
        """
SELECT (COUNT(DISTINCT ?unit) AS ?n) WHERE { ?unit org:subOrganizationOf+ syn:university-0 }""",
    ),
    (
        "topic-tree-path",
        "property path * after a join",
        """
SELECT (COUNT(DISTINCT ?pub) AS ?n) WHERE {
  ?pub dcterms:subject/skos:broader* syn:topic-0 .
}""",
    ),
    (
        "roles-count",
        "GROUP BY on memberships",
        """
SELECT ?role (COUNT(*) AS ?members) WHERE {
  ?m a org:Membership ; org:role ?role .
} GROUP BY ?role ORDER BY ?role""",
    ),
    (
        "name-regex",
        "REGEX FILTER over a whole class",
        """
SELECT (COUNT(*) AS ?n) WHERE {
  ?person a foaf:Person ; foaf:familyName ?family .
  FILTER(REGEX(?family, "^Mar"))
}""",
    ),
    (
        "alliance-institutes",
        "UNION and labels in two languages",
        """
SELECT ?alliance ?unit ?label WHERE {
  ?alliance a asu:Alliance .
  { ?unit org:unitOf ?alliance } UNION { ?member org:memberOf ?alliance . ?member asu:leads ?unit }
  ?unit skos:prefLabel ?label . FILTER(LANG(?label) = "fr")
}""",
    ),
    (
        "course-ask",
        "ASK",
        """
ASK { ?run schema:attendee syn:person-0-0-20 }""",
    ),
    (
        "department-construct",
        "CONSTRUCT",
        """
CONSTRUCT { ?course schema:name ?name ; schema:provider syn:department-0-0 }
WHERE { ?course schema:provider syn:department-0-0 ; schema:name ?name }""",
    ),
]


def mix_queries() -> list[BenchQuery]:
    return [
        BenchQuery(name, "mix", kind, PREFIXES + text.strip() + "\n") for name, kind, text in _MIX
    ]


def curated(settings: Settings | None = None) -> list[BenchQuery]:
    found = curated_queries(settings or Settings.from_env())
    return [BenchQuery(name, "curated", "curated", q.text) for name, q in found.items()]


def all_queries(settings: Settings | None = None) -> list[BenchQuery]:
    return curated(settings) + mix_queries()
