"""SPARQL 1.1 Service Description of the endpoint (``GET /sparql`` without a query).

Says what a client needs before its first query: the endpoint, the query
language, the result formats, whether the default graph is the union of the
named graphs (``sd:UnionDefaultGraph``), and the default dataset with its
named graphs and their VoID statistics (counted once through the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from flask import Response, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from asu_graph import formats
from asu_graph.namespaces import DCTERMS, ENTAILMENT, FORMATS, RDF, SD, VOID, XSD, project_prefixes
from asu_graph.publication import Publication
from asu_graph.publishing.html import document_page
from asu_graph.web import negotiation as neg
from asu_graph.web.http import conditional, error, etag_for, not_modified
from asu_graph.web.state import current_publication, current_state

# W3C's unique URIs for file formats, from the format table.
FORMAT_IRIS = {
    f.key: URIRef(f.w3c_iri)
    for table in (formats.RESULT_FORMATS, formats.RDF_FORMATS)
    for f in table.values()
}


@dataclass(frozen=True)
class Statistics:
    triples: int
    subjects: int
    properties: int
    objects: int
    classes: int
    entities: int


@dataclass(frozen=True)
class DatasetStatistics:
    default: Statistics
    named: dict[str, int]  # graph IRI -> triples


_STATS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""
_CLASSES = """SELECT (COUNT(DISTINCT ?c) AS ?classes) (COUNT(DISTINCT ?e) AS ?entities)
WHERE { ?e a ?c FILTER(isIRI(?e)) }"""
_NAMED = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def statistics(publication: Publication) -> DatasetStatistics:
    """VoID counts of the default dataset, computed once per published version.

    Kept by the app that serves the publication (a store may hold a newer
    release: the version is part of the key).
    """
    found = current_state().computed.get_or_make(
        ("service-description-statistics", publication.version),
        lambda: _count(publication),
        lambda _value: 1,
    )
    return cast(DatasetStatistics, found)


def _count(publication: Publication) -> DatasetStatistics:
    store, union = publication.store, publication.settings.union_default_graph

    def one(query: str) -> dict[str, int]:
        rows = store.query(query, union_default_graph=union).rows()
        return {k: int(v) for k, v in rows[0].items()} if rows else {}

    default = {**one(_STATS), **one(_CLASSES)}
    named = {
        str(row["g"]): int(row["triples"])
        for row in store.query(_NAMED, union_default_graph=union).rows()
    }
    # Graphs with no triples do not show up in GRAPH ?g: list them all the same.
    for graph in publication.dataset.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            named.setdefault(str(graph.identifier), 0)
    return DatasetStatistics(
        Statistics(
            *(
                default.get(name, 0)
                for name in ("triples", "subjects", "properties", "objects", "classes", "entities")
            )
        ),
        dict(sorted(named.items())),
    )


def description(publication: Publication, endpoint: str) -> Graph:
    """The ``sd:Service`` graph for the endpoint at ``endpoint``."""
    settings = publication.settings
    stats = statistics(publication)
    graph = Graph()
    for prefix, namespace in project_prefixes(settings).items():
        graph.bind(prefix, namespace)
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    graph.bind("ent", ENTAILMENT)

    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for key in (*formats.RESULT_FORMATS, *formats.RDF_FORMATS):
        graph.add((service, SD.resultFormat, FORMAT_IRIS[key]))
    if settings.union_default_graph:
        graph.add((service, SD.feature, SD.UnionDefaultGraph))

    dataset = BNode("defaultDataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, VOID.sparqlEndpoint, service))
    graph.add(
        (
            dataset,
            DCTERMS.modified,
            Literal(publication.modified.isoformat(), datatype=XSD.dateTime),
        )
    )

    default = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for prop, value in (
        (VOID.triples, stats.default.triples),
        (VOID.distinctSubjects, stats.default.subjects),
        (VOID.properties, stats.default.properties),
        (VOID.distinctObjects, stats.default.objects),
        (VOID.classes, stats.default.classes),
        (VOID.entities, stats.default.entities),
    ):
        graph.add((default, prop, Literal(value)))

    for index, (name, triples) in enumerate(stats.named.items()):
        named = BNode(f"namedGraph{index}")
        inner = BNode(f"graph{index}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(triples)))
    return graph


def render(publication: Publication, endpoint: str, key: str) -> bytes:
    """The description serialized, kept per version, endpoint and format.

    Building and writing the graph with rdflib takes tens of milliseconds,
    far more than anything else on this path, and the answer only changes
    with the published version.
    """

    def make() -> bytes:
        graph = description(publication, endpoint)
        if key == formats.HTML:
            links = {
                formats.RDF_FORMATS[k].media_type: f"{endpoint}?{urlencode({'format': k})}"
                for k in neg.RDF_PREFERENCE
            }
            links["the query page"] = request.url_root + "query"
            return document_page(
                "SPARQL service description", graph.serialize(format="asu-turtle"), links, "en"
            ).encode("utf-8")
        return formats.serialize(graph, key)

    # The page links the query page under the request's root: that root is in the key.
    cache_key = ("service-description", publication.version, request.url_root, endpoint, key)
    return current_state().documents.get_or_make(cache_key, make, len)


def respond(format_values: list[str]) -> Response:
    """``GET /sparql`` without a query: the description, negotiated like every document.

    Browsers get a page (the Turtle with links to each format and to the query
    page); clients that name no type get Turtle.
    """
    publication = current_publication()
    settings = publication.settings
    accept = request.headers.get("Accept")
    key = neg.choose(neg.DESCRIPTION_OFFERS, neg.DESCRIPTION_WORDS, format_values, accept)
    if key is None:
        return error(
            406,
            neg.not_acceptable_message(
                "the service description",
                neg.DESCRIPTION_OFFERS,
                neg.DESCRIPTION_WORDS,
                accept,
                format_values,
            ),
        )
    if key == formats.HTML and not format_values:
        # A person opening /sparql in a browser wants to ask something: the query
        # page (the description stays at ?format=html and for RDF clients).
        from asu_graph.web.query_page import query_page

        endpoint = request.base_url.rstrip("/")
        page = query_page(
            [
                {
                    "type": formats.RDF_FORMATS[k].media_type,
                    "href": f"{endpoint}?{urlencode({'format': k})}",
                }
                for k in neg.RDF_PREFERENCE
            ]
        )
        page.vary.add("Accept")
        return page
    endpoint = request.base_url.rstrip("/")  # /sparql/ is /sparql
    etag = etag_for(publication.version, "service-description", endpoint, key)
    early = not_modified(etag, publication.modified, settings.cache_max_age)
    if early is not None:
        early.vary.add("Accept")
        return early
    response = Response(render(publication, endpoint, key), content_type=formats.content_type(key))
    response.vary.add("Accept")
    return conditional(response, etag, publication.modified, settings.cache_max_age)
