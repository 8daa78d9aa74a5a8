"""Triple Pattern Fragments: Comunica 4 tells the controls from the data.

Counts, rows and aggregates computed by Comunica over /fragments must equal
those of /sparql: no Hydra control or fragment title may come back as data.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from .test_fragments import COMUNICA, FOAF, HYDRA, ID, VOID

DCTERMS_TITLE = "http://purl.org/dc/terms/title"


def _comunica(server: str, query: str) -> list[dict]:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run the tests through ./dev.sh test (npm ci)")
    result = subprocess.run(
        [str(COMUNICA), server + "/fragments", query], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _sparql(server: str, query: str) -> list[dict]:
    response = requests.post(
        server + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def _number(text: str) -> int:
    # Comunica prints "1182"^^http://www.w3.org/2001/XMLSchema#integer
    return int(text.split('"')[1])


def test_comunica_counts_every_triple_once_and_nothing_else(server: str) -> None:
    query = "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }"
    expected = int(_sparql(server, query)[0]["c"]["value"])
    assert expected > 1000
    assert _number(_comunica(server, query)[0]["c"]) == expected


def test_comunica_counts_per_predicate_like_the_endpoint(server: str) -> None:
    query = "SELECT ?p (COUNT(*) AS ?c) WHERE { ?s ?p ?o } GROUP BY ?p"
    expected = {row["p"]["value"]: int(row["c"]["value"]) for row in _sparql(server, query)}
    got = {row["p"]: _number(row["c"]) for row in _comunica(server, query)}
    assert got == expected
    # None of the vocabulary of the controls leaks in.
    assert not any(p.startswith(str(HYDRA)) for p in got)


def test_the_fragment_itself_is_not_a_titled_resource(server: str) -> None:
    query = f"SELECT ?s ?t WHERE {{ ?s <{DCTERMS_TITLE}> ?t }}"
    expected = {row["s"]["value"] for row in _sparql(server, query)}
    got = {row["s"] for row in _comunica(server, query)}
    assert got == expected
    assert not any("/fragments" in s for s in got)


def test_a_query_joining_across_pages(server: str) -> None:
    # Labels of every member of the alliance: a join whose second pattern spans pages.
    query = f"""SELECT ?m ?l WHERE {{ <{ID}alliance-sorbonne-universite>
        <http://www.w3.org/ns/org#hasMember> ?m . ?m ?p ?l .
        FILTER(?p = <http://www.w3.org/2000/01/rdf-schema#label>) }}"""
    expected = {(r["m"]["value"], r["l"]["value"]) for r in _sparql(server, query)}
    got = {(r["m"], r["l"].split('"')[1]) for r in _comunica(server, query)}
    assert expected and got == expected


def _comunica_split(quads: list[tuple], url: str) -> tuple[list, list]:
    """Comunica's rule (actor-rdf-metadata-primary-topic), applied to quads in stream order."""
    endpoint, topics = None, {}
    for s, p, o, _ in quads:
        if p == VOID.subset and str(o) == url:
            endpoint = s
        elif p == FOAF.primaryTopic:
            topics[o] = s
    metadata_graph = topics.get(endpoint)
    data = [q for q in quads if q[3] != metadata_graph]
    meta = [q for q in quads if q[3] == metadata_graph]
    return data, meta


@pytest.mark.parametrize(
    "params",
    [
        {"subject": ID + "mnhn"},
        {"predicate": "http://www.w3.org/2000/01/rdf-schema#label", "page": "2"},
        {},
    ],
)
def test_nquads_pages_split_into_data_and_metadata(server: str, params: dict) -> None:
    response = requests.get(
        server + "/fragments", params=params, headers={"Accept": "application/n-quads"}, timeout=10
    )
    assert response.status_code == 200
    quads = []
    for line in response.text.splitlines():
        one = Dataset()
        one.parse(data=line, format="nquads")
        quads += [
            (s, p, o, None if g == one.default_graph.identifier else g)
            for s, p, o, g in one.quads((None, None, None, None))
        ]
    data, meta = _comunica_split(quads, response.url)
    assert meta, "Comunica would find no metadata graph"
    assert all(g is None for *_, g in data)
    here = URIRef(response.url)
    assert any(s == here and p == HYDRA.totalItems for s, p, _, _ in meta)
    assert not any(
        p in (HYDRA.totalItems, HYDRA.search, RDF.type) and str(o).startswith(str(HYDRA))
        for _, p, o, _ in data
    )


def test_graph_queries_are_not_answered_by_fragments(server: str) -> None:
    # /fragments serves triple patterns over the default graph (no quad
    # pattern fragments): a GRAPH query has no named graph to match there.
    rows = _comunica(server, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
    assert rows == []
    assert _sparql(server, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")
