"""Real SPARQL clients against the live endpoint, each checked against known answers:
SPARQLWrapper (every result format, GET and POST), rdflib's SPARQLStore and URL
parsing, the Comunica command line, and Oxigraph federating into the endpoint
with SERVICE.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from urllib.parse import urlencode

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from .support import ROOT

ID = "https://w3id.org/asu/id/"
ORG = "http://www.w3.org/ns/org#"
ALLIANCE = URIRef(ID + "alliance-sorbonne-universite")
MEMBERS = {
    ID + slug
    for slug in (
        "sorbonne-universite",
        "mnhn",
        "insead",
        "utc",
        "pspbb",
        "france-education-international",
    )
}
MEMBERS_QUERY = f"SELECT ?m WHERE {{ <{ALLIANCE}> <{ORG}hasMember> ?m }}"
MEMBERS_CONSTRUCT = (
    f"CONSTRUCT {{ ?m <{ORG}memberOf> <{ALLIANCE}> }} WHERE {{ <{ALLIANCE}> <{ORG}hasMember> ?m }}"
)
MNHN_NAME = Literal("Muséum national d'Histoire naturelle", lang="fr")


def _wrapper(server: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method == POST:
        client.setMethod(POST)
    elif method == POSTDIRECTLY:
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    return client


# -- SPARQLWrapper -------------------------------------------------------------------------


@pytest.mark.parametrize("method", [None, POST, POSTDIRECTLY], ids=["get", "post", "direct"])
def test_sparqlwrapper_select_json(server: str, method: str | None) -> None:
    result = _wrapper(server, MEMBERS_QUERY, JSON, method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    data = result.convert()
    assert data["head"]["vars"] == ["m"]
    assert {b["m"]["value"] for b in data["results"]["bindings"]} == MEMBERS


def test_sparqlwrapper_select_xml(server: str) -> None:
    document = _wrapper(server, MEMBERS_QUERY, XML).query().convert()
    values = {node.firstChild.data for node in document.getElementsByTagName("uri")}
    assert values == MEMBERS


def test_sparqlwrapper_select_csv(server: str) -> None:
    body = _wrapper(server, MEMBERS_QUERY, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["m"]
    assert {row[0] for row in rows[1:]} == MEMBERS


def test_sparqlwrapper_select_tsv(server: str) -> None:
    body = _wrapper(server, MEMBERS_QUERY, TSV).query().convert()
    lines = body.decode("utf-8").strip("\n").split("\n")
    assert lines[0] == "?m"
    assert {line.strip("<>") for line in lines[1:]} == MEMBERS


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: str, fmt: str) -> None:
    yes = _wrapper(server, f"ASK {{ <{ALLIANCE}> <{ORG}hasMember> <{ID}mnhn> }}", fmt)
    no = _wrapper(server, f"ASK {{ <{ALLIANCE}> <{ORG}hasMember> <{ID}cnrs> }}", fmt)
    if fmt == JSON:
        assert yes.query().convert()["boolean"] is True
        assert no.query().convert()["boolean"] is False
    else:

        def boolean(client: SPARQLWrapper) -> str:
            return client.query().convert().getElementsByTagName("boolean")[0].firstChild.data

        assert (boolean(yes), boolean(no)) == ("true", "false")


def test_sparqlwrapper_construct_turtle(server: str) -> None:
    body = _wrapper(server, MEMBERS_CONSTRUCT, TURTLE).query().convert()
    graph = Graph().parse(data=body, format="turtle")
    assert {str(s) for s in graph.subjects(URIRef(ORG + "memberOf"), ALLIANCE)} == MEMBERS
    assert len(graph) == 6


def test_sparqlwrapper_construct_jsonld(server: str) -> None:
    result = _wrapper(server, MEMBERS_CONSTRUCT, JSONLD).query()
    assert result.response.headers["Content-Type"].startswith("application/ld+json")
    graph = result.convert()  # SPARQLWrapper parses JSON-LD into an rdflib Graph
    assert {str(s) for s in graph.subjects(URIRef(ORG + "memberOf"), ALLIANCE)} == MEMBERS


def test_sparqlwrapper_describe_rdfxml(server: str) -> None:
    graph = _wrapper(server, f"DESCRIBE <{ID}mnhn>", XML).query().convert()
    assert MNHN_NAME in set(graph.objects(URIRef(ID + "mnhn"), None))


# -- rdflib ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(server: str, method: str) -> None:
    graph = Graph(store=SPARQLStore(f"{server}/sparql", method=method))
    members = {str(row.m) for row in graph.query(MEMBERS_QUERY)}
    assert members == MEMBERS
    assert graph.query(f"ASK {{ <{ALLIANCE}> <{ORG}hasMember> <{ID}mnhn> }}").askAnswer is True
    # Triple-pattern access is turned into SELECT queries by the store.
    assert MNHN_NAME in set(graph.objects(URIRef(ID + "mnhn"), None))
    constructed = graph.query(MEMBERS_CONSTRUCT).graph
    assert {str(s) for s in constructed.subjects()} == MEMBERS


def test_rdflib_parses_a_construct_url(server: str) -> None:
    url = f"{server}/sparql?" + urlencode({"query": MEMBERS_CONSTRUCT})
    graph = Graph().parse(url)
    assert {str(s) for s in graph.subjects(URIRef(ORG + "memberOf"), ALLIANCE)} == MEMBERS


# -- Comunica --------------------------------------------------------------------------------


def test_comunica_select_gets_the_same_rows(server: str) -> None:
    comunica = ROOT / "node_modules" / ".bin" / "comunica-sparql"
    if not comunica.exists():
        pytest.fail(f"{comunica} is missing: run the tests through ./dev.sh test (npm ci)")
    completed = subprocess.run(
        [
            str(comunica),
            f"sparql@{server}/sparql",
            "-t",
            "application/sparql-results+json",
            MEMBERS_QUERY,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert {b["m"]["value"] for b in data["results"]["bindings"]} == MEMBERS


# -- federation: Oxigraph runs SERVICE <our endpoint> ----------------------------------------


def test_oxigraph_federates_into_the_endpoint(server: str) -> None:
    pattern = (
        f"<{ALLIANCE}> <{ORG}hasMember> ?m . "
        "?m <http://www.w3.org/2004/02/skos/core#prefLabel> ?name"
    )
    direct = SPARQLWrapper(f"{server}/sparql")
    direct.setQuery(f"SELECT ?m ?name WHERE {{ {pattern} }}")
    direct.setReturnFormat(JSON)
    expected = {
        (b["m"]["value"], b["name"]["value"], b["name"].get("xml:lang"))
        for b in direct.query().convert()["results"]["bindings"]
    }
    assert len(expected) >= 12  # six members, names in English and French

    engine = pyoxigraph.Store()  # empty: every row has to come over HTTP
    solutions = engine.query(
        f"SELECT ?m ?name WHERE {{ SERVICE <{server}/sparql> {{ {pattern} }} }}"
    )
    federated = {(s["m"].value, s["name"].value, s["name"].language) for s in solutions}
    assert federated == expected
