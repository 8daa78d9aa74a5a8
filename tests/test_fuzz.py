"""Property-based fuzzing of /sparql on a live server: whatever arrives, never a 500.

Hypothesis sends token soups built from SPARQL's own vocabulary (so that
many inputs get past the first character and reach the guard and the
engine), mutated real queries, arbitrary text and arbitrary bytes, by GET,
form POST and direct POST, with arbitrary ``format`` values and Accept
headers. The only 5xx allowed is a query stopped by the (short) timeout.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import asu_server

TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "FROM",
    "NAMED",
    "GRAPH",
    "SERVICE",
    "SILENT",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "EXISTS",
    "NOT",
    "BIND",
    "AS",
    "VALUES",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "DISTINCT",
    "COUNT",
    "PREFIX",
    "BASE",
    "LOAD",
    "INSERT",
    "DELETE",
    "DATA",
    "a",
    "*",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "?s",
    "?p",
    "?o",
    "$x",
    "<urn:x>",
    "<file:///etc/passwd>",
    "<http://127.0.0.1:9/sparql>",
    "<https://w3id.org/asu/graph/alliance>",
    "ex:",
    "ex:a",
    ":b",
    "_:b",
    '"x"',
    "'y'",
    '"""z"""',
    '"v"@en',
    '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
    "1",
    "-2.5",
    "3e9",
    "true",
    "#",
    "\n",
    "||",
    "&&",
    "!",
    "=",
    "<",
    ">",
    "/",
    "^",
    "|",
    "+",
    "\\u0053",
    "STR",
    "REGEX",
    "CONCAT",
    "IRI",
    "?",
    "@",
    "ASC",
    "DESC",
]
QUERIES = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "PREFIX org: <http://www.w3.org/ns/org#> SELECT ?m WHERE { ?a org:hasMember ?m }",
    "DESCRIBE <https://w3id.org/asu/id/mnhn>",
]
FORMATS = [
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "nt",
    "json-ld",
    "rdfxml",
    "srj",
    "text",
    "application/sparql-results+json",
    "",
    "x" * 300,
]
ACCEPTS = [
    "*/*",
    "text/html",
    "application/sparql-results+json",
    "text/turtle",
    "application/json;q=0.1, text/csv;q=0.9",
    "image/png",
    "*/*;q=0",
    ";;;,,,",
    "text/*",
    "application/ld+json, */*;q=0.1",
]
_TEXT = st.characters(blacklist_categories=("Cs",))


@st.composite
def query_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["soup", "mutant", "text"]))
    if kind == "soup":
        return " ".join(draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40)))
    if kind == "mutant":
        text = draw(st.sampled_from(QUERIES))
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            if draw(st.booleans()):
                text = text[:at] + draw(st.text(_TEXT, max_size=4)) + text[at:]
            else:
                text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        return text
    return draw(st.text(_TEXT, max_size=200))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with asu_server(
        tmp_path_factory.mktemp("fuzz"), "--query-timeout", "2", env={"ASU_CACHE_SIZE": "0"}
    ) as url:
        yield url


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as instance:
        yield instance


def _acceptable(response: requests.Response) -> bool:
    if response.status_code < 500:
        return True
    # A query stopped by the timeout is a 400 (above); a worker lost to its memory
    # limit is a 503 with a message; never a 500 (see web/sparql.py).
    return response.status_code == 503 and "stopped" in response.text


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=query_texts(),
    how=st.sampled_from(["get", "form", "direct"]),
    fmt=st.one_of(st.none(), st.sampled_from(FORMATS)),
    accept=st.one_of(st.none(), st.sampled_from(ACCEPTS), st.text(_TEXT, max_size=60)),
)
def test_no_query_gets_a_server_error(
    fuzz_server: str,
    session: requests.Session,
    text: str,
    how: str,
    fmt: str | None,
    accept: str | None,
) -> None:
    headers = {}
    if accept is not None and accept.isascii():
        # What a client can send at all: printable ASCII, no leading or trailing space.
        cleaned = "".join(ch for ch in accept if " " <= ch <= "~").strip()
        if cleaned:
            headers["Accept"] = cleaned
    params = {"format": fmt} if fmt is not None else {}
    url = f"{fuzz_server}/sparql"
    if how == "get":
        response = session.get(url, params={"query": text, **params}, headers=headers, timeout=30)
    elif how == "form":
        response = session.post(url, data={"query": text, **params}, headers=headers, timeout=30)
    else:
        response = session.post(
            url,
            params=params,
            data=text.encode("utf-8"),
            timeout=30,
            headers={**headers, "Content-Type": "application/sparql-query"},
        )
    assert _acceptable(response), (response.status_code, text, response.text[:300])
    if response.status_code >= 400:  # every refusal says why
        assert response.content.strip(), (response.status_code, text)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/x-www-form-urlencoded",
            "application/sparql-query; charset=utf-16",
            "multipart/form-data; boundary=x",
            "text/plain",
            "",
        ]
    ),
)
def test_no_body_gets_a_server_error(
    fuzz_server: str, session: requests.Session, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = session.post(f"{fuzz_server}/sparql", data=body, headers=headers, timeout=30)
    assert _acceptable(response), (response.status_code, body, response.text[:300])
