"""The function policy and the remote store's stream readers, without a remote store.

The live attacks on Oxigraph server and Virtuoso are in test_security_remote.py;
here: what the policy lets through and what it refuses, read from tokens;
the allowlist setting; the same refusal on the embedded store; Virtuoso's
blank node labels rewritten across any split of the stream; the dataset a
query's FROM clauses name; the text a remote store receives.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import requests

from asu_graph.config import Settings
from asu_graph.sparql.functions import (
    FunctionRefused,
    canonical,
    check_functions,
    check_vendor_text,
    dataset_clause,
)
from asu_graph.store import QuerySyntaxError
from asu_graph.store.remote import _VirtuosoBlankNodes

XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
EX = "PREFIX ex: <http://example.org/fn#> "


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT (COUNT(DISTINCT ?s) AS ?n) (GROUP_CONCAT(?o; SEPARATOR=', ') AS ?all) "
        "WHERE { ?s a ?o FILTER NOT EXISTS { ?s ?p 1 } } GROUP BY ?o HAVING(COUNT(*) > 1)",
        "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), '^a', 'i') && LANGMATCHES(LANG(?o), 'en')"
        " && ?o IN (1, 2) && ?o NOT IN (3)) } ORDER BY DESC(STRLEN(?o)) LIMIT 5 OFFSET 1",
        XSD + "SELECT (xsd:integer('7') AS ?n) (xsd:dateTime(NOW()) AS ?t) WHERE {}",
        "SELECT (<http://www.w3.org/2001/XMLSchema#decimal>('1.5') AS ?d) WHERE {}",
        "SELECT ?x WHERE { VALUES (?x ?y) { (1 2) (UNDEF 3) } BIND(IF(BOUND(?y), ?y, 0) AS ?z) }",
        "ASK { FILTER(true) }",
        "SELECT ('bif:http_get(1) is just text' AS ?x) WHERE {}",  # in a string: no call
        "SELECT ?bif WHERE { ?bif ?p ?o } # bif:http_get('x') in a comment",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DESCRIBE <http://example.org/x>",
        "SELECT (TRIPLE(?s, ?p, ?o) AS ?t) WHERE { ?s ?p ?o }",
        "VERSION '1.2' SELECT * { ?s ?p ?o LATERAL { SELECT ?x { BIND(ADJUST(NOW()) AS ?x) } } }",
    ],
)
def test_standard_sparql_passes(text: str) -> None:
    check_functions(text)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("SELECT (bif:http_get('http://127.0.0.1:1/') AS ?x) {}", "bif:http_get"),
        ("SELECT (sql:anything(1) AS ?x) {}", "sql:anything"),
        ("SELECT (<bif:exec>('select 1') AS ?x) {}", "<bif:exec>"),
        (
            "SELECT (<http://www.openlinksw.com/schemas/bif#http_get>('u') AS ?x) {}",
            "openlinksw.com/schemas/bif#http_get",
        ),
        (EX + "SELECT (ex:f(1) AS ?x) {}", "<http://example.org/fn#f>"),
        ("PREFIX b: <bif:> SELECT * { ?s ?p ?o FILTER b:http_get('u') }", "<bif:http_get>"),
        ("BASE <bif:> SELECT (<http_get>('u') AS ?x) {}", "<http_get>()"),
        ("SELECT (http_get('u') AS ?x) {}", "http_get()"),
        ("SELECT ?s { ?s ?p ?o } ORDER BY bif:rand(1)", "bif:rand"),
        (XSD + "SELECT (xsd:anyURI('u') AS ?x) {}", "XMLSchema#anyURI"),  # not a SPARQL cast
    ],
)
def test_other_functions_are_refused_with_403_naming_them(text: str, named: str) -> None:
    with pytest.raises(FunctionRefused) as refused:
        check_functions(text)
    assert refused.value.status == 403
    assert named in refused.value.message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("DEFINE input:default-graph-uri <http://x> SELECT * { ?s ?p ?o }", "'DEFINE'"),
        ("SPARQL SELECT * { ?s ?p ?o }", "'SPARQL'"),
        ("SELECT * { ?s foaf:name ?o }", "prefix foaf:"),
    ],
)
def test_what_is_not_sparql_is_malformed(text: str, says: str) -> None:
    with pytest.raises(QuerySyntaxError, match=says):
        check_functions(text)


def test_the_allowlist_lets_named_functions_through() -> None:
    settings = Settings.from_env(
        {"ASU_FUNCTION_ALLOWLIST": "http://example.org/fn#f, http://example.org/fn#g"}
    )
    assert settings.function_allowlist == ("http://example.org/fn#f", "http://example.org/fn#g")
    check_functions(EX + "SELECT (ex:f(ex:g(1)) AS ?x) {}", settings.function_allowlist)
    with pytest.raises(FunctionRefused, match="ex:h"):
        check_functions(EX + "SELECT (ex:h(1) AS ?x) {}", settings.function_allowlist)
    assert Settings.from_env({}).function_allowlist == ()


def test_vendor_namespaces_are_refused_anywhere_in_a_remote_query() -> None:
    for text in (
        "SELECT ('bif:http_get' AS ?x) {}",
        "SELECT * {} # SQL:x",
        "SELECT * { <http://www.openlinksw.com/x> ?p ?o }",
        "SELECT ('\\u0062if:x' AS ?x) {}",
    ):
        with pytest.raises(FunctionRefused) as refused:
            check_vendor_text(text)
        assert refused.value.status == 403
    check_vendor_text("SELECT ?sqlish ?bifocal WHERE { ?sqlish ?p ?bifocal }")


def test_the_embedded_store_gives_the_same_refusal(server: str) -> None:
    answer = requests.get(
        server + "/sparql",
        params={"query": "SELECT (bif:http_get('http://127.0.0.1:9/x') AS ?x) {}"},
        timeout=30,
    )
    assert answer.status_code == 400, answer.text  # /sparql: refusals are 400
    assert "bif:http_get() is refused" in answer.text and "ASU_FUNCTION_ALLOWLIST" in answer.text
    answer = requests.get(
        server + "/sparql",
        params={"query": 'DEFINE input:same-as "yes" SELECT * { ?s ?p ?o }'},
        timeout=30,
    )
    assert answer.status_code == 400 and ("DEFINE" in answer.text or "Malformed" in answer.text)


def test_dataset_clauses_are_read_with_prefixes_base_and_escapes() -> None:
    assert dataset_clause("SELECT * { ?s ?p ?o }") is None
    assert dataset_clause(
        "PREFIX g: <http://x/graph/> BASE <http://x/> SELECT * FROM g:a "
        "from named <graph/b> FROM NAMED g:c { ?s ?p ?o }"
    ) == (("http://x/graph/a",), ("http://x/graph/b", "http://x/graph/c"))
    assert dataset_clause("SELECT * \\u0046ROM <http://x/a> { ?s ?p ?o }") == (("http://x/a",), ())
    # A comment or a string naming FROM is no dataset clause.
    assert dataset_clause("SELECT ('FROM <http://x/a>' AS ?x) { } # FROM <http://x/b>") is None


class _Trickle(io.RawIOBase):
    """Gives ``data`` ``size`` bytes per read."""

    def __init__(self, data: bytes, size: int) -> None:
        self._data, self._size = data, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk, self._data = (
            self._data[: min(self._size, len(buffer))],
            self._data[min(self._size, len(buffer)) :],
        )
        buffer[: len(chunk)] = chunk
        return len(chunk)


VIRTUOSO_JSON = (
    b'{ "head": { "link": [], "vars": ["b", "x"] },\n'
    b'  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    b'    { "b": { "type": "bnode", "value": "nodeID://b10000" }\t, "x": { "type": '
    b'"literal", "value": "nodeID://kept as written" }},\n'
    b'    { "b": { "type": "bnode", "value": "nodeID://b10001" }\t, "x": { "type": '
    b'"uri", "value": "http://example.org/a" }} ] } }'
)


@pytest.mark.parametrize("size", [1, 2, 7, 13, 64, 65536])
def test_virtuoso_blank_node_labels_are_rewritten_across_reads(size: int) -> None:
    stream = _VirtuosoBlankNodes(_Trickle(VIRTUOSO_JSON, size))
    rows = list(ox.parse_query_results(stream, ox.QueryResultsFormat.JSON))
    assert [row["b"] for row in rows] == [ox.BlankNode("b10000"), ox.BlankNode("b10001")]
    assert rows[0]["x"] == ox.Literal("nodeID://kept as written")


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        (
            "SELECT * # a comment\nWHERE { ?s ?p 'it\\'s'@en FILTER(?s<?p) }",
            'SELECT *            \nWHERE { ?s ?p "it\'s"@en FILTER(?s < ?p) }',
        ),
        # What a lexer without long strings would read as FROM <p> stays inside the string.
        (
            "SELECT ('''x' AS ?a) FROM <p> { } # ''' AS ?b) {}",
            'SELECT ("x\' AS ?a) FROM <p> { } # " AS ?b) {}',
        ),
        (
            'SELECT * \\u0046ROM <http://x/g> { ?s ?p """two\nlines""" }',
            'SELECT * FROM <http://x/g> { ?s ?p "two\\nlines"\n }',
        ),
        (
            'SELECT * { ex:a\\.b ?p 1.5e3, true ; ex:q "x"^^xsd:string . }',
            'SELECT * { ex:a\\.b ?p 1.5e3, true ; ex:q "x"^^xsd:string . }',
        ),
    ],
)
def test_a_remote_store_receives_the_query_as_it_was_checked(text: str, sent: str) -> None:
    assert canonical(text) == sent
    assert canonical(text).count("\n") == text.count("\n")  # the store's lines are ours


def test_invalid_string_escapes_are_malformed() -> None:
    with pytest.raises(QuerySyntaxError, match="escape"):
        canonical("SELECT ('a\\qb' AS ?x) {}")
