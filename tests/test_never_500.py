"""Engine and writer errors are answered 4xx (or 503) with a message, never 500, on every store.

Each case is a query that once made one of the embedded stores answer 500:
RDF 1.2 triple terms in SELECT answers and in JSON-LD, RDF/XML of predicates
that have no local name, N-Quads of a CONSTRUCT answer, invalid language
tags, an invalid regular expression, lone surrogates, DESCRIBE of a value
that is no IRI. They are sent over HTTP to ``asu-graph serve`` on each store;
then a seeded sample of the fuzz stream of ``benchmarks/fuzz.py``; the same
on replicas in front of an Oxigraph server and Virtuoso.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from rdflib import Dataset, Graph

from benchmarks.fuzz import acceptable, curated_seeds, generate, published_store, send

from .support import asu_server

STORES = ["oxigraph", "oxigraph:DIR", "oxrdflib", "memory"]
OXIGRAPH_ENGINES = {"oxigraph", "oxigraph:DIR", "oxrdflib"}

TRIPLE_TERM_SELECT = "SELECT ?t WHERE { BIND(<<( <urn:a> <urn:b> <urn:c> )>> AS ?t) }"
TRIPLE_TERM_CONSTRUCT = "CONSTRUCT { <urn:a> <urn:b> <<( <urn:a> <urn:b> <urn:c> )>> } WHERE {}"
ODD_PREDICATES = "CONSTRUCT { <urn:a> <urn:b/> <urn:c> . <urn:a> <http://ex.org/1> 1 } WHERE {}"
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


@pytest.fixture(scope="module", params=STORES)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(store name, base URL) of ``asu-graph serve`` on that store; no result cache."""
    folder: Path = tmp_path_factory.mktemp(request.param.replace(":", "-"))
    spec = f"oxigraph:{folder / 'store'}" if request.param == "oxigraph:DIR" else request.param
    with asu_server(
        folder, "--store", spec, "--query-timeout", "10", env={"ASU_CACHE_SIZE": "0"}
    ) as url:
        yield request.param, url


def _ask(url: str, query: str, accept: str) -> requests.Response:
    response = requests.get(
        f"{url}/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60
    )
    assert response.status_code != 500, (query, accept, response.text[:300])
    if response.status_code >= 400:  # every refusal says why, as text
        assert response.headers["Content-Type"].startswith("text/plain")
        assert len(response.text.strip()) > 20, response.text
    return response


@pytest.mark.parametrize("accept", RESULT_TYPES)
def test_triple_terms_in_select(served: tuple[str, str], accept: str) -> None:
    store, url = served
    response = _ask(url, TRIPLE_TERM_SELECT, accept)
    if store in OXIGRAPH_ENGINES:
        assert response.status_code == 200, response.text
        if accept.endswith("json"):
            assert response.json()["results"]["bindings"][0]["t"]["type"] == "triple"
        elif accept.endswith("xml"):
            assert "<triple>" in response.text
        elif "tab" in accept:
            assert "<<( <urn:a> <urn:b> <urn:c> )>>" in response.text
        else:
            assert "urn:a" in response.text
    else:  # rdflib's parser reads SPARQL 1.1 only
        assert response.status_code == 400 and "Malformed" in response.text


def test_triple_terms_in_json_ld_are_406_with_the_other_formats(served: tuple[str, str]) -> None:
    store, url = served
    response = _ask(url, TRIPLE_TERM_CONSTRUCT, "application/ld+json")
    if store in OXIGRAPH_ENGINES:
        assert response.status_code == 406
        assert "application/ld+json" in response.text and "text/turtle" in response.text
        turtle = _ask(url, TRIPLE_TERM_CONSTRUCT, "text/turtle")
        assert turtle.status_code == 200 and "<<( <urn:a> <urn:b> <urn:c> )>>" in turtle.text
    else:
        assert response.status_code == 400


def test_rdf_xml_of_predicates_without_local_name(served: tuple[str, str]) -> None:
    store, url = served
    response = _ask(url, ODD_PREDICATES, "application/rdf+xml")
    if store == "oxigraph" or store == "oxigraph:DIR":
        assert response.status_code == 200  # Oxigraph's writer manages
    else:  # rdflib's writer cannot: say so
        assert response.status_code == 406
        assert "application/rdf+xml" in response.text and "text/turtle" in response.text
    assert _ask(url, ODD_PREDICATES, "text/turtle").status_code == 200


@pytest.mark.parametrize("accept", ["application/n-quads", "application/trig"])
def test_construct_as_quads(served: tuple[str, str], accept: str) -> None:
    _, url = served
    response = _ask(url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5", accept)
    assert response.status_code == 200, response.text
    dataset = Dataset()
    dataset.parse(data=response.text, format="nquads" if "quads" in accept else "trig")
    assert len(dataset) == 5


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { BIND(STRLANG("a", "not a tag!") AS ?x) }',
        'CONSTRUCT { <urn:a> <urn:b> ?x } WHERE { BIND(STRLANG("a", "1 2") AS ?x) }',
        'SELECT * WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "[") } LIMIT 1',
    ],
)
def test_evaluation_errors(served: tuple[str, str], query: str) -> None:
    store, url = served
    response = _ask(url, query, "application/sparql-results+json, text/turtle;q=0.9")
    if store == "memory":  # rdflib raises; the client learns why
        assert response.status_code == 400
        assert response.text.startswith("The query could not be evaluated")
    else:  # Oxigraph leaves the value unbound, as SPARQL says
        assert response.status_code == 200


@pytest.mark.parametrize("accept", RESULT_TYPES[:2])
def test_lone_surrogates(served: tuple[str, str], accept: str) -> None:
    _, url = served
    response = _ask(url, 'SELECT * WHERE { BIND("\\uD800" AS ?x) }', accept)
    assert response.status_code == 400


def test_lone_surrogate_in_a_described_iri(served: tuple[str, str]) -> None:
    """The error message quotes the IRI: it must still be UTF-8 (found by the fuzz run)."""
    _, url = served
    response = _ask(url, "DESCRIBE <https://w3id.org/asu/id/mn\\uD83Dhn>", "text/turtle")
    assert response.status_code in (200, 400)
    response.content.decode("utf-8")


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_describe_of_a_value_that_is_no_iri(served: tuple[str, str], accept: str) -> None:
    _, url = served
    response = _ask(url, 'DESCRIBE ?x WHERE { BIND(IRI("a b") AS ?x) }', accept)
    assert response.status_code == 200


def test_constructed_triples_that_are_not_rdf_are_left_out(served: tuple[str, str]) -> None:
    """SPARQL 1.1 16.2: a literal subject, a blank predicate or a bad IRI drops the triple."""
    _, url = served
    query = (
        'CONSTRUCT { ?x <urn:p> 1 . "l" <urn:p> 2 . <urn:s> ?b 3 . <urn:s> <urn:p> 4 } '
        'WHERE { BIND(IRI("a b") AS ?x) BIND(BNODE() AS ?b) }'
    )
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = _ask(url, query, accept)
        assert response.status_code == 200, response.text
        graph = Graph().parse(data=response.text, format=fmt)
        assert len(graph) == 1, response.text


def test_unbound_variables_in_xml_results(served: tuple[str, str]) -> None:
    _, url = served
    response = _ask(
        url,
        "SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?x } } LIMIT 3",
        "application/sparql-results+xml",
    )
    assert response.status_code == 200 and response.text.count("<result>") == 3


def test_fuzz_sample_gets_no_500(served: tuple[str, str]) -> None:
    """A seeded sample of the stream ``python -m benchmarks.fuzz`` sends 10,000 of."""
    _fuzz_sample(served[1])


def test_an_unread_body_does_not_cost_the_next_request(served: tuple[str, str]) -> None:
    """405 and 415 answers leave the body unread; the kept-alive connection must still work."""
    _, url = served
    with requests.Session() as session:
        for index in range(60):
            body = bytes(range(256)) * 2
            if index % 2:
                refused = session.put(f"{url}/sparql", data=body, timeout=30)
                assert refused.status_code == 405
            else:
                refused = session.post(
                    f"{url}/sparql", data=body, timeout=30, headers={"Content-Type": "text/plain"}
                )
                assert refused.status_code == 415
            assert (
                session.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30).status_code
                == 200
            )


# -- a replica in front of an Oxigraph server ------------------------------------------


@pytest.fixture(scope="module", params=["remote-oxigraph", "remote-virtuoso"])
def replica(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(kind, base URL) of a front end in front of a real store it published to."""
    folder = tmp_path_factory.mktemp(request.param)
    with ExitStack() as stack:
        query_url, env = published_store(request.param, stack, folder / "store")
        yield (
            request.param,
            stack.enter_context(
                asu_server(
                    folder,
                    "--store",
                    query_url,
                    "--query-timeout",
                    "10",
                    env={"ASU_CACHE_SIZE": "0", **env},
                )
            ),
        )


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (TRIPLE_TERM_SELECT, "application/sparql-results+json"),
        (TRIPLE_TERM_CONSTRUCT, "text/turtle"),
    ],
)
def test_replica_refuses_triple_terms_with_a_message(
    replica: tuple[str, str], query: str, accept: str
) -> None:
    kind, url = replica
    response = _ask(url, query, accept)
    assert response.status_code == 400
    if kind == "remote-oxigraph":  # Virtuoso 7 does not parse them: a syntax error
        assert "triple terms" in response.text
    assert "release/" not in response.text  # not the store's own graph names


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "[") } LIMIT 1',
        'SELECT ?x WHERE { BIND(STRLANG("a", "not a tag!") AS ?x) }',
        "SELECT (1/0 AS ?y) WHERE {}",
    ],
)
def test_replica_evaluation_errors(replica: tuple[str, str], query: str) -> None:
    kind, url = replica
    response = _ask(url, query, "application/sparql-results+json")
    if kind == "remote-virtuoso":  # Virtuoso answers 500 (SQL state 22...): the query's fault
        assert response.status_code == 400
        assert response.text.startswith("The query could not be evaluated")
        assert "release/" not in response.text  # not the store's own graph names
    else:
        assert response.status_code == 200


def test_replica_unknown_function_is_400(replica: tuple[str, str]) -> None:
    """Virtuoso's SQL compiler (state 42...) and the Oxigraph server answer 500: 400 here.

    The function policy (function_policy.py) refuses the call before any store.
    """
    kind, url = replica
    response = _ask(
        url,
        'SELECT (<http://www.w3.org/2001/XMLSchema#integr>("1") AS ?i) WHERE {}',
        "application/sparql-results+json",
    )
    assert response.status_code == 400
    assert "<http://www.w3.org/2001/XMLSchema#integr>() is refused" in response.text


def test_replica_lone_surrogate_in_a_described_iri(replica: tuple[str, str]) -> None:
    response = _ask(replica[1], "DESCRIBE <https://w3id.org/asu/id/mn\\uD83Dhn>", "text/turtle")
    assert response.status_code in (200, 400)


def test_replica_fuzz_sample_gets_no_500(replica: tuple[str, str]) -> None:
    _fuzz_sample(replica[1])


def _fuzz_sample(url: str) -> None:
    seeds = curated_seeds()
    with requests.Session() as session:
        for request in generate(seed=11, count=120, seeds=seeds):
            response = send(session, url, request)
            assert acceptable(response), (
                response.status_code,
                request.describe(),
                response.text[:300],
            )
            if response.status_code >= 400 and request.method != "HEAD":
                assert response.content.strip(), request.describe()
