"""What SPARQL clients meet at the edges of the protocol, with the clients themselves.

HEAD, ``/sparql/``, the size limit in front of the cache, error positions and
readable syntax errors; messages that SPARQLWrapper, rdflib and curl users
actually see for every refusal; an answer over the result cap refused rather
than cut (also for an engine calling in through SERVICE); a ``format=`` word
of the other kind of answer falling back to Accept.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Namespace
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .support import asu_server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CAP = 50
MAX_BYTES = 3000
TIMEOUT = 1
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
SERVICE_MESSAGE = "SERVICE <http://example.org/sparql> is refused"
LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?s ?l WHERE { ?s rdfs:label ?l }"
)


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a small result cap, query size limit and timeout, cache on."""
    env = {"ASU_RESULT_CAP": str(CAP), "ASU_MAX_QUERY_BYTES": str(MAX_BYTES)}
    # One worker process: the cache the size test fills is the one it then meets.
    with asu_server(
        tmp_path_factory.mktemp("edges"), "--query-timeout", str(TIMEOUT), "--workers", "1", env=env
    ) as url:
        yield url


def _wrapper(url: str, query: str, fmt: str = JSON, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def _raised(call) -> str:
    """The text a user sees for the exception ``call`` raises (with its cause)."""
    with pytest.raises(Exception) as caught:
        call()
    exc = caught.value
    return " | ".join(str(e) for e in (exc, exc.__cause__, exc.__context__) if e is not None)


# -- 7. protocol edges ------------------------------------------------------------------


def test_head_answers_like_get_without_a_body(server: str) -> None:
    for params in ({}, {"query": "ASK {}"}):
        get = requests.get(server + "/sparql", params=params, timeout=30)
        head = requests.head(server + "/sparql", params=params, timeout=30)
        assert get.status_code == head.status_code == 200, head.headers
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.content == b""


def test_trailing_slash_is_the_same_endpoint(server: str) -> None:
    query = "SELECT ?l WHERE { <https://w3id.org/asu/id/mnhn> ?p ?l } LIMIT 3"
    plain = requests.post(server + "/sparql", data={"query": query}, timeout=30)
    slash = requests.post(server + "/sparql/", data={"query": query}, timeout=30)
    assert slash.status_code == 200 and slash.json() == plain.json()
    client = SPARQLWrapper(server + "/sparql/")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    assert len(client.queryAndConvert()["results"]["bindings"]) == 3
    # Its service description names the endpoint without the slash.
    description = requests.get(server + "/sparql/", headers={"Accept": "text/turtle"}, timeout=30)
    assert description.status_code == 200
    graph = Graph().parse(data=description.text, format="turtle")
    endpoints = {str(o) for o in graph.objects(None, SD.endpoint)}
    assert endpoints == {server + "/sparql"}


def test_size_limit_holds_when_the_answer_is_cached(edges: str) -> None:
    query = "SELECT ?s WHERE { ?s a ?t } LIMIT 2"
    first = requests.post(edges + "/sparql", data={"query": query}, timeout=30)
    assert first.status_code == 200
    again = requests.post(edges + "/sparql", data={"query": query}, timeout=30)
    assert again.headers["X-Cache"] == "hit"
    padded = query + "\n#" + "x" * MAX_BYTES
    refused = requests.post(edges + "/sparql", data={"query": padded}, timeout=30)
    assert refused.status_code == 400, refused.text  # POST: a status SPARQLWrapper shows
    assert f"at most {MAX_BYTES:,} bytes" in refused.text


@pytest.mark.parametrize(
    "query,where,says",
    [
        ("ASK {", "line 1, column 6", "not complete"),
        ("SELECT * WHERE {\n  ?s ex:p ?o }", "line 2, column 6", "ex:"),
        (
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * WHERE {\n"
            "  ?s rdfs:label ?o\n  FILTER(?o = ) }",
            "line 4, column",
            "",
        ),
        # relative IRIs resolve against the dataset's base, with nothing put in front
        ("SELECT * WHERE { <id/mnhn> ?p ?o } LIMT 3", "line 1, column", ""),
    ],
)
def test_syntax_errors_are_short_and_point_at_the_client_text(
    server: str, query: str, where: str, says: str
) -> None:
    response = requests.get(server + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 400
    text = response.text.strip()
    assert text.startswith("Malformed SPARQL query: " + where), text
    assert says in text
    assert len(text) < 220 and "\\u{" not in text and "..=" not in text, text
    # SPARQLWrapper shows the same sentence.
    assert where in _raised(lambda: _wrapper(server, query).query())


def test_an_undeclared_prefix_is_named(server: str) -> None:
    text = _raised(lambda: _wrapper(server, "SELECT * WHERE { ?s dct:title ?t }").query())
    assert "prefix dct: is not declared" in text and "PREFIX dct:" in text


def test_relative_iris_and_base_work_on_every_line(server: str) -> None:
    rows = _wrapper(
        server, "SELECT ?o WHERE {\n <id/mnhn> <http://www.w3.org/2000/01/rdf-schema#label> ?o }"
    ).queryAndConvert()["results"]["bindings"]
    assert rows
    own = _wrapper(server, "BASE <https://w3id.org/asu/id/>\nASK { <mnhn> ?p ?o }")
    assert own.queryAndConvert()["boolean"] is True


def test_checksum_list_says_its_charset_once(server: str) -> None:
    response = requests.get(server + "/download/SHA256SUMS", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


# -- 8. messages clients show ------------------------------------------------------------


def test_sparqlwrapper_users_read_why_a_service_call_is_refused(server: str) -> None:
    text = _raised(lambda: _wrapper(server, SERVICE_QUERY).query())
    assert SERVICE_MESSAGE in text
    post = _raised(lambda: _wrapper(server, SERVICE_QUERY, method="POST").query())
    assert SERVICE_MESSAGE in post


def test_sparqlwrapper_users_read_size_timeout_and_format_refusals(edges: str) -> None:
    too_long = "ASK { ?s ?p ?o }\n#" + "x" * MAX_BYTES
    assert f"at most {MAX_BYTES:,} bytes" in _raised(
        lambda: _wrapper(edges, too_long, method="POST").query()
    )
    timed_out = _raised(lambda: _wrapper(edges, CROSS_PRODUCT).query())
    assert "did not finish within" in timed_out
    # Stopped at the timeout: a 400 whose message SPARQLWrapper shows (never a 500).
    with pytest.raises(Exception) as caught:
        _wrapper(edges, CROSS_PRODUCT).query()
    assert type(caught.value).__name__ == "QueryBadFormed"


def test_curl_like_clients_get_a_plain_text_message(server: str) -> None:
    for params in ({"query": SERVICE_QUERY}, {"query": "ASK {"}):
        response = requests.get(server + "/sparql", params=params, timeout=30)
        assert response.status_code == 400
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert len(response.text) < 300 and response.text.endswith("\n")
    assert (
        SERVICE_MESSAGE
        in requests.get(server + "/sparql", params={"query": SERVICE_QUERY}, timeout=30).text
    )


def test_a_long_query_in_the_url_is_a_414_with_the_limit(edges: str) -> None:
    too_long = "ASK { ?s ?p ?o }\n#" + "x" * MAX_BYTES
    assert f"at most {MAX_BYTES:,} bytes" in _raised(lambda: _wrapper(edges, too_long).query())
    response = requests.get(edges + "/sparql", params={"query": too_long}, timeout=30)
    assert response.status_code == 414


def test_rdflib_users_get_an_error_with_the_status(server: str) -> None:
    # rdflib's SPARQLStore replaces any HTTP error by a generic ValueError and
    # never reads the body; the chained HTTPError still says 400, not 403.
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    assert "HTTP Error 400" in _raised(lambda: list(graph.query(SERVICE_QUERY)))


# -- 9. a capped answer is refused, never cut ---------------------------------------------


def test_sparqlwrapper_gets_an_error_not_the_first_rows(edges: str) -> None:
    text = _raised(lambda: _wrapper(edges, LABELS).queryAndConvert())
    assert f"more than {CAP} rows" in text and "LIMIT" in text and "/download/" in text
    paged = _wrapper(edges, LABELS + f" ORDER BY ?s ?l LIMIT {CAP} OFFSET {CAP}")
    assert len(paged.queryAndConvert()["results"]["bindings"]) == CAP


def test_rdflib_gets_an_error_not_the_first_rows(edges: str) -> None:
    graph = Graph(store=SPARQLStore(edges + "/sparql"))
    assert "HTTP Error 400" in _raised(lambda: list(graph.query(LABELS)))
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    assert "HTTP Error 400" in _raised(lambda: list(graph.query(construct)))
    assert len(list(graph.query(LABELS + " LIMIT 10"))) == 10
    # The CONSTRUCT refusal names triples (for clients that read the body).
    response = requests.post(edges + "/sparql", data={"query": construct}, timeout=30)
    assert f"more than {CAP} triples" in response.text


def test_an_engine_calling_in_through_service_fails_instead_of_reading_part(edges: str) -> None:
    local = ox.Store()
    with pytest.raises(OSError) as caught:
        list(local.query(f"SELECT * WHERE {{ SERVICE <{edges}/sparql> {{ ?s ?p ?o }} }}"))
    assert f"more than {CAP} rows" in str(caught.value)
    rows = list(
        local.query(
            f"SELECT * WHERE {{ SERVICE <{edges}/sparql> {{ SELECT * {{ ?s ?p ?o }} LIMIT 20 }} }}"
        )
    )
    assert len(rows) == 20


# -- 10. a format word of the other kind falls back ----------------------------------------


def test_sparqlwrapper_asking_turtle_for_a_select_gets_results(server: str) -> None:
    query = "SELECT ?s WHERE { ?s a ?t } LIMIT 2"
    answer = _wrapper(server, query, TURTLE).query()
    assert answer.response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert b'"bindings"' in answer.response.read()


@pytest.mark.parametrize(
    "fmt,query,expected",
    [
        (CSV, "CONSTRUCT WHERE { ?s a ?t } LIMIT 2", "text/turtle"),
        (XML, "CONSTRUCT WHERE { ?s a ?t } LIMIT 2", "application/rdf+xml"),
        (TURTLE, "ASK {}", "application/sparql-results+json"),
    ],
)
def test_format_words_fall_back_to_accept_then_default(
    server: str, fmt: str, query: str, expected: str
) -> None:
    answer = _wrapper(server, query, fmt).query()
    assert answer.response.headers["Content-Type"].startswith(expected)
    # Without any Accept, the kind's default.
    plain = requests.get(
        server + "/sparql",
        params={"query": query, "format": fmt},
        headers={"Accept": ""},
        timeout=30,
    )
    assert plain.status_code == 200


def test_accept_still_chooses_when_the_word_does_not_fit(server: str) -> None:
    response = requests.get(
        server + "/sparql",
        params={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 2", "format": "turtle"},
        headers={"Accept": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")


def test_a_word_that_names_no_format_is_still_406(server: str) -> None:
    response = requests.get(
        server + "/sparql", params={"query": "ASK {}", "format": "xlsx"}, timeout=30
    )
    assert response.status_code == 406
    assert "format=xlsx" in response.text and "Format names for ?format=" in response.text


def test_sparqlwrapper_400_still_carries_the_body(server: str) -> None:
    with pytest.raises(QueryBadFormed) as caught:
        _wrapper(server, "ASK {").query()
    assert "line 1, column 6" in str(caught.value)
