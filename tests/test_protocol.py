"""SPARQL 1.1 Protocol at /sparql, against the live server: the W3C protocol test
cases that apply to a read-only query endpoint, the protocol dataset, DESCRIBE,
and a readable 4xx for every malformed or unsupported request.

The W3C cases (w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl) name
graphs on kasei.us; this endpoint only accepts its own graphs in
default-graph-uri / named-graph-uri, so the same requests are made with two
of the project's graphs whose facts are known:
  graph/alliance        id:alliance-sorbonne-universite org:hasMember id:mnhn
  graph/identifiers-ror id:mnhn skos:exactMatch <https://ror.org/03wkt5x30>
"""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef

BASE = "https://w3id.org/asu/"
ALLIANCE = BASE + "graph/alliance"
ROR = BASE + "graph/identifiers-ror"
MERGER = BASE + "graph/su-merger"
MEMBER_FACT = (
    f"<{BASE}id/alliance-sorbonne-universite> "
    "<http://www.w3.org/ns/org#hasMember> <https://w3id.org/asu/id/mnhn>"
)
ROR_FACT = (
    "<https://w3id.org/asu/id/mnhn> <http://www.w3.org/2004/02/skos/core#exactMatch> "
    "<https://ror.org/03wkt5x30>"
)
MEMBERS = {
    BASE + "id/" + slug
    for slug in (
        "sorbonne-universite",
        "mnhn",
        "insead",
        "utc",
        "pspbb",
        "france-education-international",
    )
}

RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)


def _boolean(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    return response.json()["boolean"]


def _4xx(response: requests.Response, status: int, *words: str) -> None:
    """A refusal: this status, plain text, a message naming the problem, no stack trace."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = response.text
    assert "Traceback" not in body and "<html" not in body.lower()
    for word in words:
        assert word.lower() in body.lower(), body


# -- W3C SPARQL 1.1 protocol test cases -------------------------------------------------


def test_query_post_form(server: str) -> None:
    response = requests.post(
        f"{server}/sparql",
        params={"default-graph-uri": ALLIANCE},
        data="query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert _boolean(response) is True


def test_query_get(server: str) -> None:
    response = requests.get(
        f"{server}/sparql", params={"query": "ASK {}", "default-graph-uri": ALLIANCE}
    )
    assert _boolean(response) is True


def test_query_post_direct(server: str) -> None:
    response = requests.post(
        f"{server}/sparql", data=b"ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert _boolean(response) is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_default_graphs(server: str, method: str) -> None:
    """query_dataset_default_graphs_get / _post: the default graph is the merge of both."""
    query = f"ASK {{ {MEMBER_FACT} . {ROR_FACT} }}"
    params = [("default-graph-uri", ALLIANCE), ("default-graph-uri", ROR)]
    if method == "GET":
        response = requests.get(f"{server}/sparql", params=[("query", query), *params])
    else:
        response = requests.post(
            f"{server}/sparql",
            params=params,
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert _boolean(response) is True
    # Honoured, not ignored: with one of the two graphs only, the pattern fails.
    alone = requests.get(f"{server}/sparql", params={"query": query, "default-graph-uri": ALLIANCE})
    assert _boolean(alone) is False


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_named_graphs(server: str, method: str) -> None:
    """query_dataset_named_graphs_get / _post."""
    query = f"ASK {{ GRAPH ?g1 {{ {MEMBER_FACT} }} GRAPH ?g2 {{ {ROR_FACT} }} }}"
    params = [("named-graph-uri", ALLIANCE), ("named-graph-uri", ROR)]
    if method == "GET":
        response = requests.get(f"{server}/sparql", params=[("query", query), *params])
    else:
        response = requests.post(
            f"{server}/sparql",
            params=params,
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert _boolean(response) is True
    graphs = requests.get(
        f"{server}/sparql",
        params=[("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), *params],
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert {b["g"]["value"] for b in graphs["results"]["bindings"]} == {ALLIANCE, ROR}
    # Only named graphs given: the default graph of that dataset is empty.
    empty = requests.get(f"{server}/sparql", params=[("query", "ASK { ?s ?p ?o }"), *params])
    assert _boolean(empty) is False


def test_query_dataset_full(server: str) -> None:
    query = f"ASK {{ {ROR_FACT} GRAPH ?g1 {{ {MEMBER_FACT} }} }}"
    response = requests.post(
        f"{server}/sparql",
        params=[("default-graph-uri", ROR), ("named-graph-uri", ALLIANCE)],
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _boolean(response) is True


def test_query_multiple_dataset(server: str) -> None:
    """The protocol's dataset wins over the query's FROM."""
    query = f"ASK FROM <{MERGER}> {{ GRAPH ?g1 {{ {MEMBER_FACT} }} GRAPH ?g2 {{ {ROR_FACT} }} }}"
    response = requests.post(
        f"{server}/sparql",
        params=[("named-graph-uri", ALLIANCE), ("named-graph-uri", ROR)],
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _boolean(response) is True


@pytest.mark.parametrize(
    ("query", "types"),
    [
        ("SELECT (1 AS ?value) {}", RESULT_TYPES),  # query_content_type_select
        ("ASK {}", RESULT_TYPES[:2]),  # query_content_type_ask
        ("DESCRIBE <http://example.org/>", RDF_TYPES),  # query_content_type_describe
        ("CONSTRUCT { <s> <p> 1 } WHERE {}", RDF_TYPES),  # query_content_type_construct
    ],
    ids=["select", "ask", "describe", "construct"],
)
def test_query_content_type(server: str, query: str, types: tuple[str, ...]) -> None:
    response = requests.post(
        f"{server}/sparql",
        params={"default-graph-uri": ALLIANCE},
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200, response.text
    media_type, _, params = response.headers["Content-Type"].partition(";")
    assert media_type in types
    assert params.strip().lower() == "charset=utf-8"


def test_bad_query_method(server: str) -> None:
    response = requests.put(
        f"{server}/sparql",
        params={"query": "ASK {}"},
        data="query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _4xx(response, 405, "PUT", "not allowed")
    assert "POST" in response.headers["Allow"] and "GET" in response.headers["Allow"]


def test_bad_multiple_queries(server: str) -> None:
    response = requests.get(
        f"{server}/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")]
    )
    _4xx(response, 400, "more than one")


def test_bad_multiple_queries_form(server: str) -> None:
    response = requests.post(f"{server}/sparql", data=[("query", "ASK {}"), ("query", "ASK {}")])
    _4xx(response, 400, "more than one")


def test_bad_query_wrong_media_type(server: str) -> None:
    response = requests.post(
        f"{server}/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}
    )
    _4xx(response, 415, "text/plain", "application/sparql-query")


@pytest.mark.parametrize(
    "body", [b"query=ASK%20%7B%7D", b"ASK {}"], ids=["missing_form_type", "missing_direct_type"]
)
def test_bad_query_missing_type(server: str, body: bytes) -> None:
    response = requests.post(f"{server}/sparql", data=body)
    assert "Content-Type" not in response.request.headers
    _4xx(response, 415, "(none)")


def test_bad_query_non_utf8(server: str) -> None:
    response = requests.post(
        f"{server}/sparql",
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    _4xx(response, 415, "UTF-8")


def test_bad_query_invalid_utf8_bytes(server: str) -> None:
    response = requests.post(
        f"{server}/sparql",
        data=b"ASK { \xff }",
        headers={"Content-Type": "application/sparql-query"},
    )
    _4xx(response, 400, "UTF-8")


def test_bad_query_syntax(server: str) -> None:
    response = requests.get(f"{server}/sparql", params={"query": "ASK {"})
    _4xx(response, 400, "Malformed SPARQL query")


# -- updates: the update_* cases do not apply; every form of update is refused ----------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
UPDATE = {"Content-Type": "application/sparql-update"}
UPDATES = {  # W3C test name -> request
    "bad_update_get": ("GET", {"params": {"update": "CLEAR ALL"}}),
    "bad_multiple_updates": (
        "POST",
        {"data": "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", "headers": FORM},
    ),
    "update_post_form": ("POST", {"data": "update=CLEAR+ALL", "headers": FORM}),
    "update_post_direct": ("POST", {"data": b"CLEAR ALL", "headers": UPDATE}),
    "bad_update_non_utf8": (
        "POST",
        {
            "data": "CLEAR NAMED".encode("utf-16"),
            "headers": {"Content-Type": "application/sparql-update; charset=UTF-16"},
        },
    ),
    "bad_update_syntax": ("POST", {"data": "update=CLEAR%20XYZ", "headers": FORM}),
    "bad_update_dataset_conflict": (
        "POST",
        {
            "params": {"using-named-graph-uri": "http://example/people"},
            "data": b"WITH <http://example/addresses> DELETE { ?p <x:y> 'Bill' } "
            b"WHERE { ?p <x:y> 'Bill' }",
            "headers": UPDATE,
        },
    ),
}


@pytest.mark.parametrize("name", list(UPDATES))
def test_updates_are_refused(server: str, name: str) -> None:
    method, kwargs = UPDATES[name]
    response = requests.request(method, f"{server}/sparql", **kwargs)
    _4xx(response, 400, "read-only")
    # Nothing was cleared.
    count = requests.get(f"{server}/sparql", params={"query": f"ASK {{ {MEMBER_FACT} }}"})
    assert _boolean(count) is True


@pytest.mark.parametrize(
    "content_type", ["text/plain", None], ids=["wrong_media_type", "missing_form_type"]
)
def test_bad_update_media_type(server: str, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b"CLEAR NAMED" if content_type else b"update=CLEAR%20NAMED"
    response = requests.post(f"{server}/sparql", data=body, headers=headers)
    _4xx(response, 415, "Content-Type")


# -- other malformed or unsupported requests --------------------------------------------


@pytest.mark.parametrize(
    ("param", "iri"),
    [
        ("default-graph-uri", "http://kasei.us/2009/09/sparql/data/data1.rdf"),
        ("named-graph-uri", "https://w3id.org/asu/graph/no-such-graph"),
        ("default-graph-uri", "not an iri"),
    ],
)
def test_foreign_dataset_graphs_are_refused(server: str, param: str, iri: str) -> None:
    response = requests.get(f"{server}/sparql", params={"query": "ASK {}", param: iri})
    _4xx(response, 400, param, "not a graph of this dataset", ALLIANCE)


def test_empty_query(server: str) -> None:
    _4xx(requests.get(f"{server}/sparql", params={"query": "  "}), 400, "empty query")


def test_form_post_without_query(server: str) -> None:
    _4xx(
        requests.post(f"{server}/sparql", data={"default-graph-uri": ALLIANCE}),
        400,
        "missing 'query'",
    )


def test_direct_post_with_query_parameter_too(server: str) -> None:
    response = requests.post(
        f"{server}/sparql",
        params={"query": "ASK {}"},
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    _4xx(response, 400, "body")


def test_unknown_path_and_method(server: str) -> None:
    _4xx(requests.get(f"{server}/no/such/page"), 404, "not found")
    _4xx(requests.delete(f"{server}/sparql"), 405, "DELETE")


def test_body_too_large(server: str) -> None:
    # The default limit is 1 MiB (ASU_MAX_BODY_BYTES).
    response = requests.post(
        f"{server}/sparql",
        data=b"#" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413
    assert "Traceback" not in response.text and response.text.strip()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p }",
        "PREFIX x <y> SELECT",
        "\x00",
        "DESCRIBE",
        "DESCRIBE ?x WHERE {",
        "SELECT * WHERE { ?s undeclared:p ?o }",
    ],
)
def test_malformed_queries_get_400(server: str, query: str) -> None:
    _4xx(requests.get(f"{server}/sparql", params={"query": query}), 400, "malformed")


# -- DESCRIBE: the bounded description ----------------------------------------------------


def test_describe_explicit_iri_is_the_bounded_description(server: str) -> None:
    mnhn = URIRef(BASE + "id/mnhn")
    response = requests.get(
        f"{server}/sparql",
        params={"query": f"DESCRIBE <{mnhn}>"},
        headers={"Accept": "text/turtle"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.text, format="turtle")
    org = "http://www.w3.org/ns/org#"
    skos_pref = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    # Its own triples (from several source graphs) ...
    assert (
        mnhn,
        URIRef(org + "memberOf"),
        URIRef(BASE + "id/alliance-sorbonne-universite"),
    ) in graph
    assert (
        mnhn,
        URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
        URIRef("https://ror.org/03wkt5x30"),
    ) in graph
    # ... and the labels of what it links to.
    labels = {
        str(o) for o in graph.objects(URIRef(BASE + "id/alliance-sorbonne-universite"), skos_pref)
    }
    assert "Alliance Sorbonne Université" in labels
    # Not the inbound links: the alliance's own member list is not part of it.
    assert not list(graph.triples((None, URIRef(org + "hasMember"), None)))


def test_describe_variables_from_where(server: str) -> None:
    query = (
        "PREFIX org: <http://www.w3.org/ns/org#> "
        "DESCRIBE ?m WHERE { <https://w3id.org/asu/id/alliance-sorbonne-universite> "
        "org:hasMember ?m }"
    )
    response = requests.get(
        f"{server}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="nt")
    described = {
        str(s)
        for s in graph.subjects(
            URIRef("http://www.w3.org/ns/org#memberOf"),
            URIRef(BASE + "id/alliance-sorbonne-universite"),
        )
    }
    assert described == MEMBERS


def test_describe_honours_the_protocol_dataset(server: str) -> None:
    query = f"DESCRIBE <{BASE}id/mnhn>"
    only_ror = requests.get(
        f"{server}/sparql",
        params={"query": query, "default-graph-uri": ROR},
        headers={"Accept": "application/n-triples"},
    )
    graph = Graph().parse(data=only_ror.text, format="nt")
    predicates = {str(p) for p in graph.predicates()}
    assert "http://www.w3.org/2004/02/skos/core#exactMatch" in predicates
    assert "http://www.w3.org/ns/org#memberOf" not in predicates


def test_describe_unknown_is_empty_not_an_error(server: str) -> None:
    response = requests.get(
        f"{server}/sparql",
        params={"query": "DESCRIBE <https://example.org/nothing>"},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200 and response.text.strip() == ""


@pytest.mark.parametrize("accept", ["application/trig", "application/n-quads"])
def test_graph_answers_in_dataset_formats(server: str, accept: str) -> None:
    from rdflib import Dataset

    query = (
        "CONSTRUCT { ?m <http://www.w3.org/ns/org#memberOf> ?a } WHERE "
        "{ ?a <http://www.w3.org/ns/org#hasMember> ?m }"
    )
    response = requests.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    dataset = Dataset().parse(
        data=response.text, format="trig" if accept.endswith("trig") else "nquads"
    )
    assert {str(s) for s, _, _, _ in dataset.quads((None, None, None, None))} == MEMBERS


def test_describe_star_with_solution_modifiers(server: str) -> None:
    query = (
        "PREFIX org: <http://www.w3.org/ns/org#> DESCRIBE * WHERE { "
        "<https://w3id.org/asu/id/alliance-sorbonne-universite> org:hasMember ?m } "
        "ORDER BY ?m LIMIT 2"
    )
    response = requests.get(
        f"{server}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}
    )
    graph = Graph().parse(data=response.text, format="nt")
    described = {str(s) for s in graph.subjects(URIRef("http://www.w3.org/ns/org#memberOf"), None)}
    assert described == set(sorted(MEMBERS)[:2])


def test_relative_iris_resolve_against_the_dataset_base(server: str) -> None:
    response = requests.get(
        f"{server}/sparql",
        params={
            "query": "ASK { <id/alliance-sorbonne-universite> "
            "<http://www.w3.org/ns/org#hasMember> <id/mnhn> }"
        },
    )
    assert _boolean(response) is True
    # Error positions are those of the text the client sent.
    bad = requests.get(f"{server}/sparql", params={"query": "ASK {"})
    assert "line 1, column 6" in bad.text
