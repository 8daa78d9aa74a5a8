"""The pieces of the remote store that need no store: names, query text, Virtuoso values, CLI."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD

from asu_graph.sparql.text import query_form
from asu_graph.store.http import check_url, shown
from asu_graph.store.releases import Renamer, release_from_rows
from asu_graph.store.virtuoso import boolean_variables, repair_lexical, repair_rows

from .support import asu_server, free_port, run_cli

BASE = "https://w3id.org/asu/"
RELEASE = BASE + "graph/release/abc123"


@pytest.fixture()
def names() -> Renamer:
    return Renamer(BASE, RELEASE)


def test_published_names_move_under_the_release_and_back(names: Renamer) -> None:
    assert names.graph_name(BASE + "graph/ibees") == RELEASE + "/graph/ibees"
    assert names.graph_name(BASE + "ontology") == RELEASE + "/ontology"
    assert names.graph_name("") == RELEASE + "/default"
    with pytest.raises(ValueError, match="cannot be published"):
        names.graph_name("http://example.org/elsewhere")
    # Terms of the vocabulary and entities are never renamed.
    for iri in (BASE + "ontology#leads", BASE + "id/mnhn", "http://www.w3.org/ns/org#Org"):
        assert names.to_store_iri(iri) == iri
    assert names.from_store_term(URIRef(RELEASE + "/graph/ibees")) == URIRef(BASE + "graph/ibees")
    text = Literal(f"see {RELEASE}/graph/ibees", lang="en")
    assert names.from_store_term(text) == Literal(f"see {BASE}graph/ibees", lang="en")


def test_relative_iris_resolve_against_base_before_renaming(names: Renamer) -> None:
    query = f"BASE <{BASE}> SELECT * {{ GRAPH <graph/ibees> {{ <id/mnhn> ?p ?o }} }}"
    moved = names.to_store_query(query)
    assert f"GRAPH <{RELEASE}/graph/ibees>" in moved
    assert "<id/mnhn>" in moved and f"BASE <{BASE}>" in moved
    assert "<graph/x>" in names.to_store_query("SELECT * { <graph/x> ?p ?o }")  # no BASE


def test_query_text_is_renamed_only_in_iris_and_strings(names: Renamer) -> None:
    query = f"""PREFIX g: <{BASE}graph/>
PREFIX asu: <{BASE}ontology#>
# a comment naming <{BASE}graph/x> stays as written
SELECT ?g WHERE {{ GRAPH ?g {{ ?s asu:leads ?o }} GRAPH g:ibees {{ ?s ?p ?o }}
  GRAPH <{BASE}ontology> {{ ?c ?d ?e }}
  FILTER(STRSTARTS(STR(?g), "{BASE}graph/") && ?o != "{BASE}ontology") }}"""
    moved = names.to_store_query(query)
    assert f"PREFIX g: <{RELEASE}/graph/>" in moved
    assert f"PREFIX asu: <{BASE}ontology#>" in moved
    assert f"# a comment naming <{BASE}graph/x> stays as written" in moved
    assert f"GRAPH <{RELEASE}/ontology>" in moved
    assert f'STRSTARTS(STR(?g), "{RELEASE}/graph/")' in moved
    assert f'?o != "{RELEASE}/ontology"' in moved


pieces = st.sampled_from(
    [BASE + "graph/", BASE + "ontology", RELEASE, "/graph/", "x", "/", "release/", " ", "é"]
)


@given(st.lists(pieces, max_size=8).map("".join))
def test_renaming_text_round_trips(text: str) -> None:
    names = Renamer(BASE, RELEASE)
    assert names.from_store_text(names.to_store_text(text)) == text


@given(st.lists(pieces, max_size=6).map("".join))
def test_renaming_iris_round_trips(tail: str) -> None:
    names = Renamer(BASE, RELEASE)
    iri = "https://w3id.org/asu/" + tail
    assert names.from_store_iri(names.to_store_iri(iri)) == iri


@pytest.mark.parametrize(
    "text,form",
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX a: <http://a/>\nBASE <http://b/>\n# ask?\nask{}", "ASK"),
        ("PREFIX select: <http://a/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("describe <http://a>", "DESCRIBE"),
        ("SELECT*{?s ?p ?o}", "SELECT"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


@pytest.mark.parametrize(
    "text,message",
    [
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "SPARQL Update"),
        ("PREFIX a: <http://a/> LOAD <http://evil/>", "SPARQL Update"),
        ("hello", "expected SELECT"),
        ("", "expected SELECT"),
    ],
)
def test_query_form_refuses_what_is_not_a_query(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        query_form(text)


def test_pointer_rows_give_the_newest_release() -> None:
    old, new = URIRef(BASE + "graph/release/a"), URIRef(BASE + "graph/release/b")
    rows = [
        {
            "release": old,
            "issued": Literal("2026-01-01T00:00:00"),
            "version": Literal("a"),
            "part": URIRef(str(old) + "/graph/x"),
        },
        {
            "release": new,
            "issued": Literal("2026-02-01T00:00:00"),
            "version": Literal("b"),
            "triples": Literal(12),
            "part": URIRef(str(new) + "/graph/x"),
        },
        {
            "release": new,
            "issued": Literal("2026-02-01T00:00:00"),
            "part": URIRef(str(new) + "/graph/y"),
        },
    ]
    release = release_from_rows(rows)
    assert release.iri == str(new) and release.version == "b" and release.triples == 12
    assert release.graphs == (str(new) + "/graph/x", str(new) + "/graph/y")
    assert release_from_rows([]) is None


@pytest.mark.parametrize(
    "lexical,datatype,expected",
    [
        ("1", XSD.boolean, "true"),
        ("0", XSD.boolean, "false"),
        ("true", XSD.boolean, "true"),
        ("120", XSD.duration, "P10Y"),
        ("14", XSD.duration, "P1Y2M"),
        ("0", XSD.duration, "P0M"),
        ("-24", XSD.yearMonthDuration, "-P2Y"),
        ("7200.0", XSD.duration, "PT2H"),
        ("259200.0", XSD.duration, "P3D"),
        ("90.5", XSD.duration, "PT1M30.5S"),
        ("93784", XSD.dayTimeDuration, "P1DT2H3M4S"),
        ("P10Y", XSD.duration, "P10Y"),
        ("12", XSD.integer, "12"),
        ("x", None, "x"),
    ],
)
def test_virtuoso_values_are_put_back(lexical: str, datatype, expected: str) -> None:
    assert repair_lexical(lexical, str(datatype) if datatype else None) == expected


def test_virtuoso_computed_booleans_are_found_in_the_query() -> None:
    query = """SELECT ?x (?a = 1 AS ?y) (COUNT(*) AS ?n) (true AS ?t) WHERE {
        ?a ?b ?c BIND(NOT EXISTS { ?a ?b 1 } AS ?x) } GROUP BY ?x ?a"""
    assert boolean_variables(query) == {"x", "y", "t"}
    one = Literal("1", datatype=XSD.integer)
    rows = [{Variable("x"): one, Variable("n"): one}]
    repair_rows(query, rows)
    assert rows == [{Variable("x"): Literal(True), Variable("n"): one}]
    assert boolean_variables("not sparql at all") == set()


def test_urls_with_credentials_are_refused_and_never_shown() -> None:
    with pytest.raises(ValueError, match="must not carry credentials") as caught:
        check_url("http://admin:hunter2@127.0.0.1:8890/sparql")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValueError, match="http:// or https://"):
        check_url("ftp://127.0.0.1/store")
    assert shown("http://127.0.0.1:8890/sparql?graph=x") == "http://127.0.0.1:8890/sparql"


def test_publish_usage_errors_exit_2() -> None:
    done = run_cli(
        "publish",
        "--query-url",
        "http://127.0.0.1:1/query",
        env={"ASU_STORE_UPDATE_URL": "", "ASU_STORE": "oxigraph"},
    )
    assert done.returncode == 2 and "--to GSP_URL" in done.stderr
    done = run_cli(
        "publish",
        "--to",
        "http://127.0.0.1:1/store",
        env={"ASU_STORE_UPDATE_URL": "", "ASU_STORE": "oxigraph"},
    )
    assert done.returncode == 2 and "--query-url SPARQL_URL" in done.stderr
    done = run_cli(
        "publish",
        "--to",
        "http://dba:s3cr3t@127.0.0.1:1/store",
        "--query-url",
        "http://127.0.0.1:1/query",
    )
    assert done.returncode == 2 and "must not carry credentials" in done.stderr
    assert "s3cr3t" not in done.stderr
    done = run_cli(
        "publish",
        "--to",
        "http://127.0.0.1:1/store",
        "--query-url",
        "http://127.0.0.1:1/query",
        "--retries",
        "-1",
    )
    assert done.returncode == 2 and "--retries" in done.stderr


def test_publish_to_an_unreachable_store_retries_then_exits_4() -> None:
    port = free_port()  # nothing listens there
    done = run_cli(
        "publish",
        "--to",
        f"http://127.0.0.1:{port}/store",
        "--query-url",
        f"http://127.0.0.1:{port}/query",
        "--retries",
        "2",
    )
    assert done.returncode == 4, done.stderr
    assert "cannot be reached" in done.stderr and "Connection refused" in done.stderr
    assert done.stderr.count("Retrying in") == 2
    assert done.stdout == ""


def test_serve_refuses_a_store_url_with_credentials() -> None:
    done = run_cli(
        "serve", "--store", "http://dba:s3cr3t@127.0.0.1:1/sparql", "--port", str(free_port())
    )
    assert done.returncode == 2, done.stderr
    assert "must not carry credentials" in done.stderr and "s3cr3t" not in done.stderr


def test_a_front_end_starts_while_its_store_is_down(tmp_path) -> None:
    """Front ends must not crash-loop during an outage: they start and answer 503."""
    store = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    with asu_server(tmp_path, "--store", store, ready_path="/ontology.ttl") as url:
        answer = requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert answer.status_code == 503
        assert "cannot be reached" in answer.text and answer.headers["Retry-After"] == "5"
        page = requests.get(
            url + "/id/mnhn", headers={"Accept": "text/turtle"}, timeout=30, allow_redirects=False
        )
        assert page.status_code == 503
