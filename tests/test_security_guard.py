"""The query check reads what the engines read: glued keywords, '<' as less-than, limits."""

from __future__ import annotations

import pytest

from asu_graph.sparql.guard import Limits, QueryRefused, check, scan, tokenize
from asu_graph.store import QuerySyntaxError

OWN = "https://w3id.org/asu/graph/alliance"
EVIL = "http://127.0.0.1:9/"


def refusal(text: str, **kwargs: object) -> QueryRefused | QuerySyntaxError:
    with pytest.raises((QueryRefused, QuerySyntaxError)) as caught:
        check(text, allowed_graphs={OWN}, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"PREFIX : <{EVIL}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}", "SERVICE <"),
        (f"PREFIX : <{EVIL}> SELECT * {{ service:x {{ ?s ?p ?o }} }}", "SERVICE <"),
        (f"PREFIX : <{EVIL}x> SELECT * {{ SERVICE: {{ ?s ?p ?o }} }}", "SERVICE <"),
        (f"PREFIX X: <{EVIL}> SELECT * {{ SERVICEX:y {{ ?s ?p ?o }} }}", "SERVICEX:y"),
        (f"PREFIX : <{EVIL}> SELECT * {{ SERVICESILENT:x {{ ?s ?p ?o }} }}", "SERVICESILENT:x"),
        (f"PREFIX : <{EVIL}> SELECT * {{ SERVICE SILENT:x {{ ?s ?p ?o }} }}", "SERVICE"),
        (f"PREFIX : <{EVIL}> ASK {{ FILTER EXISTS {{ SERVICE:x {{ }} }} }}", "SERVICE <"),
        (
            f"PREFIX : <{EVIL}> CONSTRUCT WHERE "
            f"{{ {{ SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }} }} }}",
            "SERVICE <",
        ),
        (f"PREFIX : <{EVIL}> SELECT * FROM:g {{ ?s ?p ?o }}", "FROM"),
        (f"PREFIX : <{EVIL}> SELECT * FROMNAMED:g {{ ?s ?p ?o }}", "FROM"),
        (f"PREFIX G: <{EVIL}> DESCRIBE ?s FROMG:g {{ ?s ?p ?o }}", "FROM"),
        (f"PREFIX : <{EVIL}> LOAD:x", "read-only"),
        (f"PREFIX : <{EVIL}> LOADSILENT:x", "read-only"),
        ("INSERTDATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("PREFIX : <urn:x:> DROPSILENT GRAPH:g", "read-only"),
    ],
)
def test_keywords_glued_to_names_are_read_as_the_engine_reads_them(text: str, says: str) -> None:
    problem = refusal(text)
    assert isinstance(problem, QueryRefused) and problem.status == 403
    assert says in problem.message


@pytest.mark.parametrize(
    "text",
    [
        # A comparison without spaces: Oxigraph reads '<' as less-than, so what
        # follows is a string and a SERVICE, not one IRI and a string.
        f"SELECT * {{ ?a ?b ?c FILTER(?c<'>') SERVICE <{EVIL}> {{ ?s ?p ?o }} FILTER(?a != '') }}",
        f"SELECT * {{ ?a ?b ?c FILTER(?c<?d#>\n) SERVICE <{EVIL}> {{ }} }}",
        f"SELECT * {{ ?a ?b ?c FILTER(?c<=?d&&?d>?c) SERVICE <{EVIL}> {{ }} }}",
        f"SELECT ?a (?a<'>' AS ?x) {{ ?a ?b ?c SERVICE <{EVIL}> {{ }} }} GROUP BY ?a ('' AS ?y)",
    ],
)
def test_less_than_is_read_as_the_grammar_reads_it(text: str) -> None:
    problem = refusal(text)
    assert "SERVICE" in str(problem) or "ambiguous" in str(problem)


def test_a_collection_that_could_hide_text_is_refused_as_ambiguous() -> None:
    problem = refusal("SELECT * { ?s ?p (?o <x'> ?q) }")
    assert isinstance(problem, QuerySyntaxError) and "ambiguous" in str(problem)


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX service: <urn:x:> PREFIX load: <urn:y:> ASK { service:a load:b service:from }",
        "PREFIX from: <urn:x:> SELECT * { ?s from:p ?o }",
        "PREFIX services: <urn:x:> SELECT * { services:a ?p ?o }",
        "SELECT * { ?s <http://example.org/vocab#p> ?o . ?o ?p <http://example.org/x#y> }",
        "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) FILTER(?o<3&&?o>1) }",
        "SELECT * { ?s ?p ?o FILTER(?o IN (<urn:a>, <urn:b>)) } ORDER BY ?s <urn:f>(?o)",
        "SELECT * { VALUES (?a ?b) { (<urn:a#x> <urn:b#y>) (UNDEF <urn:c#z>) } }",
        "SELECT ?s (COUNT(?o) AS ?n) { ?s ?p (<urn:a> <urn:b#c>) } GROUP BY ?s HAVING (?n > 1)",
        "SELECT * { ?s ?p ?o FILTER(DATATYPE(?o) = <http://www.w3.org/2001/XMLSchema#string>) }",
        "PREFIX g: <https://w3id.org/asu/graph/> SELECT * FROM g:alliance { ?s ?p ?o }",
        "SELECT * { ?s <http://x/\\u0041> ?o }",
    ],
)
def test_ordinary_queries_still_pass(text: str) -> None:
    check(text, allowed_graphs={OWN})


def test_lexer_reads_less_than_after_an_operand_in_an_expression() -> None:
    texts = [t.text for t in tokenize("ASK { FILTER(?a<'>') }")]
    assert texts == ["ASK", "{", "FILTER", "(", "?a", "<", "'>'", ")", "}"]
    assert [t.kind for t in tokenize("ASK { ?a <urn:p> ?b }")][3] == "iri"
    assert "".join(t.text for t in scan("ASK {\n`} # x", lenient=True)) == "ASK {\n`} # x"


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("ASK { FILTER(" + "!" * 300 + "true) }", "ASK_MAX_EXPRESSION_OPERATORS"),
        ("ASK { FILTER(1" + "+1" * 300 + " > 0) }", "ASK_MAX_EXPRESSION_OPERATORS"),
        ("ASK { FILTER(" + " || ".join(["?a"] * 300) + ") }", "ASK_MAX_EXPRESSION_OPERATORS"),
        (
            "ASK { FILTER(EXISTS { FILTER(1" + "+1" * 200 + " > 0) } && 1" + "+1" * 100 + ") }",
            "ASK_MAX_EXPRESSION_OPERATORS",
        ),
        ('ASK { FILTER(STRLEN("' + "x" * 20000 + '") > 0) }', "ASK_MAX_EXPRESSION_BYTES"),
        ("ASK { ?s " + "/".join(["<urn:p>"] * 300) + " ?o }", "ASK_MAX_PATH_OPERATORS"),
        ("ASK { ?s ?p ?o " + "MINUS { } " * 300 + "}", "ASK_MAX_GROUP_PATTERNS"),
        (
            "ASK { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(300)) + " }",
            "ASK_MAX_GROUP_PATTERNS",
        ),
        ("ASK { " + " UNION ".join(["{ ?s ?p ?o }"] * 300) + " }", "ASK_MAX_GROUP_PATTERNS"),
        ("ASK { " + " . ".join(["?s ?p ?o"] * 600) + " }", "ASK_MAX_TRIPLE_PATTERNS"),
    ],
)
def test_complexity_limits_name_their_setting(text: str, limit: str) -> None:
    problem = refusal(text)
    assert isinstance(problem, QueryRefused) and problem.status == 400
    assert limit.replace("ASK_", "ASU_") in problem.message


def test_limits_follow_the_settings_and_zero_turns_one_off() -> None:
    text = "ASK { FILTER(" + "!" * 20 + "true) }"
    check(text, allowed_graphs=())
    with pytest.raises(QueryRefused):
        check(text, allowed_graphs=(), limits=Limits(expression_operators=10))
    check(text, allowed_graphs=(), limits=Limits(expression_operators=0))


@pytest.mark.parametrize(
    "text",
    [
        'DEFINE input:grab-all "yes" SELECT * { <http://127.0.0.1:9/doc> ?p ?o }',
        'define get:soft "soft" SELECT * FROM <https://w3id.org/asu/graph/alliance> { ?s ?p ?o }',
    ],
)
def test_virtuoso_pragmas_are_refused(text: str) -> None:
    """With the store's credentials, Virtuoso fetches IRIs named under such a pragma."""
    problem = refusal(text)
    assert isinstance(problem, QueryRefused) and problem.status == 403
    assert "DEFINE" in problem.message and "Virtuoso" in problem.message
