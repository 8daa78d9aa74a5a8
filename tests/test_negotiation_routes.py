"""One negotiator on every route, over the one format table, met by real clients.

The same Accept header gets the same answer everywhere: parameters such as
``charset`` do not make a type unacceptable, the aliases RDF clients send
(``text/n3``, ``application/x-turtle``) are understood, the dataset formats
are offered wherever RDF is, and a browser gets a page where there is one.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from SPARQLWrapper import TURTLE, SPARQLWrapper

from asu_graph import formats
from asu_graph.web import negotiation as neg

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
MNHN = URIRef("https://w3id.org/asu/id/mnhn")
SD_SERVICE = URIRef("http://www.w3.org/ns/sparql-service-description#Service")
PARSER = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

# Every route that serves RDF, as a crawler meets it.
RDF_ROUTES = (
    "/id/mnhn",
    "/data/mnhn",
    "/ontology",
    "/void",
    "/.well-known/void",
    "/catalog",
    "/fragments",
    "/validation",
    "/graph/alliance",
    "/shapes",
    "/sparql",
    "/dataset",
    "/publisher",
    "/query/members",
)


def _follow(url: str, accept: str) -> requests.Response:
    response = requests.get(url, headers={"Accept": accept}, allow_redirects=False, timeout=60)
    if response.status_code == 303:
        response = requests.get(
            urljoin(url, response.headers["Location"]),
            headers={"Accept": accept},
            allow_redirects=False,
            timeout=60,
        )
    return response


def _rdf(response: requests.Response) -> Dataset:
    media = response.headers["Content-Type"].split(";")[0]
    return Dataset().parse(data=response.content, format=PARSER[media])


@pytest.mark.parametrize("path", RDF_ROUTES)
@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle; charset=utf-8", "text/turtle"),
        ("text/n3", "text/turtle"),
        ("application/x-turtle;q=0.9, */*;q=0.1", "text/turtle"),
        ("application/trig", "application/trig"),
        ("application/n-quads; charset=UTF-8", "application/n-quads"),
        (
            'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
            "application/ld+json",
        ),
    ],
)
def test_same_accept_same_answer_on_every_route(
    server: str, path: str, accept: str, media: str
) -> None:
    response = _follow(server + path, accept)
    assert response.status_code == 200, (path, accept, response.text[:300])
    assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    assert len(_rdf(response)) > 0


@pytest.mark.parametrize("path", [p for p in RDF_ROUTES if p != "/data/mnhn"])
def test_browsers_get_a_page_and_the_page_links_the_data(server: str, path: str) -> None:
    response = _follow(server + path, BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert 'rel="alternate" type="text/turtle"' in response.text


@pytest.mark.parametrize("path", RDF_ROUTES)
def test_nothing_acceptable_is_a_406_that_lists_the_offers(server: str, path: str) -> None:
    response = _follow(server + path, "image/png")
    assert response.status_code == 406
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "image/png" in response.text and "text/turtle" in response.text


def test_service_description_in_every_rdf_format_and_as_a_page(server: str) -> None:
    for fmt in formats.RDF_FORMATS.values():
        response = requests.get(server + "/sparql", headers={"Accept": fmt.media_type}, timeout=30)
        assert response.headers["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
        graph = _rdf(response)
        assert any(graph.quads((URIRef(server + "/sparql"), RDF.type, SD_SERVICE, None)))
    # A browser gets the query page; the description stays readable at ?format=html.
    page = requests.get(server + "/sparql", headers={"Accept": BROWSER}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html")
    assert 'id="curated"' in page.text and "Accept" in page.headers["Vary"]
    page = requests.get(server + "/sparql?format=html", headers={"Accept": BROWSER}, timeout=30)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "sd:Service" in page.text and 'href="' + server + '/query"' in page.text
    # curl's */* and no Accept at all still get Turtle.
    for headers in ({"Accept": "*/*"}, {}):
        plain = requests.get(server + "/sparql", headers=headers, timeout=30)
        assert plain.headers["Content-Type"].startswith("text/turtle")


def test_rdflib_dereferences_entities_and_catalogue_iris(server: str) -> None:
    entity = Graph().parse(server + "/id/mnhn")
    assert (MNHN, None, None) in entity
    dataset = Graph().parse(server + "/dataset")
    assert (URIRef("https://w3id.org/asu/dataset"), None, None) in dataset
    trig = Dataset().parse(server + "/graph/alliance.trig", format="trig")
    names = {str(g.identifier) for g in trig.graphs() if len(g)}
    assert names == {"https://w3id.org/asu/graph/alliance"}


def test_sparqlwrapper_gets_a_construct_as_turtle(server: str) -> None:
    sparql = SPARQLWrapper(server + "/sparql")
    sparql.setReturnFormat(TURTLE)
    sparql.setQuery(f"CONSTRUCT {{ <{MNHN}> ?p ?o }} WHERE {{ <{MNHN}> ?p ?o }}")
    graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")
    assert (MNHN, None, None) in graph


def test_offers_come_from_the_format_table() -> None:
    # Every canonical media type and alias of the table is offered for graphs.
    offered = {media for media, _ in neg.GRAPH_OFFERS}
    for fmt in formats.RDF_FORMATS.values():
        assert set(fmt.media_types) <= offered
    # A generic type is offered only where it names one format of the answer.
    assert ("application/json", "json-ld") in neg.GRAPH_OFFERS
    assert ("application/json", "json") in neg.RESULT_OFFERS
    both = neg.offers(["json", "json-ld"])
    assert "application/json" not in {media for media, _ in both}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "html"),
        ("*/*", "html"),
        ("text/turtle; charset=utf-8", "turtle"),
        ("text/*", "html"),
        ("text/turtle, */*", "turtle"),
        (BROWSER, "html"),
        ("application/rdf+xml, text/rdf+n3;q=0.9, */*;q=0.1", "rdfxml"),
        ("text/html;q=0, */*", "turtle"),
        ("image/png", None),
        ("application/xhtml+xml", None),
    ],
)
def test_pages_first_negotiation(accept: str | None, expected: str | None) -> None:
    assert neg.negotiate(accept, neg.offers(neg.RDF_PREFERENCE, html="first")) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "turtle"),
        ("*/*", "turtle"),
        (BROWSER, "html"),
        ("text/html", "html"),
        ("application/trig", "trig"),
    ],
)
def test_documents_negotiation(accept: str | None, expected: str) -> None:
    assert neg.negotiate(accept, neg.offers(neg.RDF_PREFERENCE, html="last")) == expected
