"""A literal's lexical form is the same in every RDF answer, on every store.

rdflib writes ``"38000000"^^xsd:decimal`` as the bare token ``38000000.0`` in
Turtle and TriG: a different RDF term. The stores that serialise through
rdflib (memory, oxrdflib, remote) must give the same bytes' meaning as the
embedded Oxigraph store. Each store runs behind ``asu-graph serve``; the
client is rdflib, parsing what it gets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .remote_acceptance import deploy
from .support import asu_server

VALUE = URIRef("https://schema.org/value")
QUERIES = {
    "CONSTRUCT": f"CONSTRUCT {{ ?s <{VALUE}> ?v }} WHERE {{ ?s <{VALUE}> ?v }}",
    "DESCRIBE": "DESCRIBE <https://w3id.org/asu/id/idex-super-pia3-funding-amount>",
}
FORMATS = [
    ("text/turtle", "turtle"),
    ("application/trig", "trig"),
    ("application/n-triples", "nt"),
    ("application/n-quads", "nquads"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
]


@pytest.fixture(scope="module", params=["oxigraph", "memory", "oxrdflib", "remote"])
def endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "oxigraph":
        yield request.getfixturevalue("server")
    elif request.param == "remote":
        for deployment in deploy("oxigraph", tmp_path_factory):
            yield deployment.app
    else:
        with asu_server(tmp_path_factory.mktemp(request.param), "--store", request.param) as url:
            yield url


def _decimals(text: bytes, fmt: str) -> set[str]:
    graph = Dataset() if fmt in ("trig", "nquads") else Graph()
    graph.parse(data=text, format=fmt)
    return {
        str(o)
        for _, _, o in graph.triples((None, None, None))
        if isinstance(o, Literal) and o.datatype == XSD.decimal
    }


@pytest.mark.parametrize("form", sorted(QUERIES))
@pytest.mark.parametrize("accept,fmt", FORMATS)
def test_decimals_keep_their_lexical_form(endpoint: str, form: str, accept: str, fmt: str) -> None:
    response = requests.post(
        endpoint + "/sparql", data={"query": QUERIES[form]}, headers={"Accept": accept}, timeout=60
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(accept)
    found = _decimals(response.content, fmt)
    # As written in data/*.ttl: whole amounts, no ".0" added.
    assert "38000000" in found
    assert not any(value.endswith(".0") for value in found), found
    if fmt in ("turtle", "trig"):
        assert b"38000000.0" not in response.content


def test_relative_iris_and_error_positions_on_every_store(endpoint: str) -> None:
    # The base IRI goes to the engine (or, for a remote store, in front of the
    # text with its columns moved back): positions are those of the client's text.
    ask = requests.get(
        endpoint + "/sparql",
        params={"query": "ASK {\n <id/mnhn> ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    bad = requests.get(endpoint + "/sparql", params={"query": "ASK { <id/mnhn> ?p ?o"}, timeout=60)
    assert bad.status_code == 400
    assert bad.text.startswith("Malformed SPARQL query: line 1, column 22"), bad.text
    assert len(bad.text) < 300, bad.text
