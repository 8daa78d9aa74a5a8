"""Triple Pattern Fragments: Comunica answers from /fragments alone, like /sparql."""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from .support import ROOT

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VOID = Namespace("http://rdfs.org/ns/void#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
COMUNICA = ROOT / "node_modules" / ".bin" / "comunica-sparql"
ID = "https://w3id.org/asu/id/"

QUERIES = [
    # members of the alliance and their labels (a join over two patterns)
    f"""SELECT ?m ?l WHERE {{ <{ID}alliance-sorbonne-universite>
        <http://www.w3.org/ns/org#hasMember> ?m . ?m <{RDFS.label}> ?l }}""",
    # a literal object, with a language tag
    f"""SELECT ?s WHERE {{ ?s <{RDFS.label}> "Sorbonne University"@en }}""",
    # more matches than one page holds: the client must follow the paging
    f"""SELECT ?s ?l WHERE {{ ?s <{RDFS.label}> ?l }}""",
    # a typed literal and a FILTER evaluated by the client
    """SELECT ?s ?p ?o WHERE { ?s ?p ?o
        FILTER(isLiteral(?o) && datatype(?o) = <http://www.w3.org/2001/XMLSchema#gYear>) }""",
]


def sparql_rows(server: str, query: str) -> set[tuple]:
    response = requests.post(
        server + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    names = body["head"]["vars"]
    return {tuple(_term(b.get(n)) for n in names) for b in body["results"]["bindings"]}


def _term(binding: dict | None) -> str | None:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return binding["value"]
    if binding.get("xml:lang"):
        return f'"{binding["value"]}"@{binding["xml:lang"]}'
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{binding["value"]}"^^{datatype}'
    return f'"{binding["value"]}"'


def comunica_rows(server: str, query: str, names: list[str]) -> set[tuple]:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run the tests through ./dev.sh test (npm ci)")
    result = subprocess.run(
        [str(COMUNICA), server + "/fragments", query], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    return {tuple(_comunica_term(row.get(n)) for n in names) for row in rows}


def _comunica_term(text: str | None) -> str | None:
    # Comunica prints IRIs bare and literals in N-Triples-like form.
    if text is None:
        return None
    if text.startswith('"') and '"^^' in text:
        value, _, datatype = text.rpartition("^^")
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return value
        return f"{value}^^{datatype}"
    return text


@pytest.mark.parametrize("query", QUERIES)
def test_comunica_over_fragments_gives_the_endpoint_rows(server: str, query: str) -> None:
    expected = sparql_rows(server, query)
    names = json.loads(requests.post(server + "/sparql", data={"query": query}, timeout=30).text)[
        "head"
    ]["vars"]
    assert expected, "the query should have answers in the data"
    assert comunica_rows(server, query, names) == expected


def fragment(server: str, accept: str = "application/trig", **params: str) -> Dataset:
    response = requests.get(
        server + "/fragments", params=params, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code == 200, response.text
    dataset = Dataset()
    dataset.parse(data=response.content, format="trig")
    return dataset, response


def test_metadata_and_controls_are_in_their_own_graph(server: str) -> None:
    dataset, response = fragment(server, subject=ID + "mnhn")
    assert response.headers["Content-Type"].startswith("application/trig")
    assert "Accept" in response.headers["Vary"]
    here = URIRef(response.url)
    metadata = [g for g in dataset.graphs() if (None, FOAF.primaryTopic, here) in g]
    assert len(metadata) == 1
    meta = metadata[0]
    total = int(meta.value(here, HYDRA.totalItems))
    assert int(meta.value(here, VOID.triples)) == total
    search = next(meta.objects(None, HYDRA.search))
    assert (search, RDF.type, HYDRA.IriTemplate) in meta
    assert str(meta.value(search, HYDRA.template)).endswith("/fragments{?subject,predicate,object}")
    variables = {
        str(meta.value(m, HYDRA.variable)): meta.value(m, HYDRA.property)
        for m in meta.objects(search, HYDRA.mapping)
    }
    assert variables == {"subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object}
    data = dataset.default_graph
    assert len(data) == total > 0
    assert all(s == URIRef(ID + "mnhn") for s in data.subjects())
    assert (None, HYDRA.totalItems, None) not in data


def test_pages_cover_every_match_once(server: str) -> None:
    expected = sparql_rows(server, f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS.label}> ?o }}")
    assert len(expected) > 100, "needs more than one page"
    seen: list = []
    url, params, pages = server + "/fragments", {"predicate": str(RDFS.label)}, 0
    while url:
        response = requests.get(
            url, params=params, headers={"Accept": "application/trig"}, timeout=10
        )
        assert response.status_code == 200
        dataset = Dataset()
        dataset.parse(data=response.content, format="trig")
        here = URIRef(response.url)
        # The metadata graph's topic is the fragment: the page's URL without page=.
        meta = next(g for g in dataset.graphs() if (None, FOAF.primaryTopic, None) in g)
        assert meta.value(meta.identifier, FOAF.primaryTopic) == URIRef(
            response.url.split("&page=")[0]
        )
        assert int(meta.value(here, HYDRA.totalItems)) == len(expected)
        seen += list(dataset.default_graph)
        following = meta.value(here, HYDRA.next)
        if pages:
            assert meta.value(here, HYDRA.previous) is not None
        url, params, pages = (str(following) if following else None), None, pages + 1
    assert pages == -(-len(expected) // 100)
    assert len(seen) == len(expected)
    assert {(str(s), _rdflib_term(o)) for s, _, o in seen} == expected


def _rdflib_term(term: URIRef | Literal) -> str:
    if isinstance(term, Literal):
        return _term(
            {
                "type": "literal",
                "value": str(term),
                "xml:lang": term.language,
                "datatype": str(term.datatype) if term.datatype else None,
            }
        )
    return str(term)


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-quads", "nquads"),
        ("application/n-triples", "nt"),
    ],
)
def test_other_formats_carry_data_and_controls(server: str, accept: str, fmt: str) -> None:
    response = requests.get(
        server + "/fragments",
        params={"subject": ID + "mnhn"},
        headers={"Accept": accept},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    if fmt in ("json-ld", "nquads"):
        parsed = Dataset()
        parsed.parse(data=response.content, format=fmt)
        triples = [(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))]
    else:
        triples = list(Graph().parse(data=response.content, format=fmt))
    assert any(p == HYDRA.search for _, p, _ in triples)
    assert any(s == URIRef(ID + "mnhn") and p == RDFS.label for s, p, _ in triples)


def test_typed_literal_and_exact_triple(server: str) -> None:
    label = '"Sorbonne University"@en'
    dataset, _ = fragment(server, predicate=str(RDFS.label), object=label)
    assert {s for s in dataset.default_graph.subjects()} == {URIRef(ID + "sorbonne-universite")}
    one, _ = fragment(
        server, subject=ID + "sorbonne-universite", predicate=str(RDFS.label), object=label
    )
    assert len(one.default_graph) == 1
    none, _ = fragment(
        server,
        subject=ID + "sorbonne-universite",
        predicate=str(RDFS.label),
        object='"no such label"@en',
    )
    assert len(none.default_graph) == 0


def test_fragments_answer_conditional_requests(server: str) -> None:
    first = requests.get(server + "/fragments", params={"subject": ID + "mnhn"}, timeout=10)
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = requests.get(
        server + "/fragments",
        params={"subject": ID + "mnhn"},
        headers={"If-None-Match": first.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "params,message",
    [
        ({"page": "0"}, "page must be"),
        ({"page": "abc"}, "page must be"),
        ({"page": "-3"}, "page must be"),
        ({"subject": '"a literal"'}, "literal can only be the object"),
        ({"predicate": '"x"@en'}, "literal can only be the object"),
        ({"object": '"unterminated'}, "malformed literal"),
        ({"object": '"5"^^not an iri'}, "malformed datatype"),
        ({"subject": "_:b0"}, "blank nodes"),
        ({"subject": "not an iri"}, "not an absolute IRI"),
        ({"predicate": "http://example.org/a b"}, "not an absolute IRI"),
        ({"subject": "<http://example.org/>>"}, "not an absolute IRI"),
    ],
)
def test_bad_patterns_are_refused_with_a_message(server: str, params: dict, message: str) -> None:
    response = requests.get(server + "/fragments", params=params, timeout=10)
    assert response.status_code == 400, response.text
    assert message in response.text


def test_unacceptable_type_is_refused(server: str) -> None:
    response = requests.get(server + "/fragments", headers={"Accept": "image/png"}, timeout=10)
    assert response.status_code == 406
    assert "application/trig" in response.text


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_browsers_get_a_readable_page_with_the_form(server: str) -> None:
    response = requests.get(
        server + "/fragments",
        params={"subject": ID + "mnhn"},
        headers={"Accept": BROWSER},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    dataset, _ = fragment(server, subject=ID + "mnhn")
    total = len(dataset.default_graph)
    assert f"{total:,} matching triples" in response.text
    assert 'name="subject"' in response.text and f'value="{ID}mnhn"' in response.text
    assert "format=trig" in response.text
    hostile = requests.get(
        server + "/fragments",
        params={"object": '"<script>x()</script>"'},
        headers={"Accept": BROWSER},
        timeout=10,
    )
    assert hostile.status_code == 200
    assert "<script>" not in hostile.text and "&lt;script&gt;" in hostile.text
    # */* alone (and clients that list RDF types) still get RDF.
    plain = requests.get(server + "/fragments", headers={"Accept": "*/*"}, timeout=10)
    assert plain.headers["Content-Type"].startswith("application/trig")


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_every_format_carries_the_exact_literals(server: str, accept: str, fmt: str) -> None:
    # Descriptions hold quotes, apostrophes and accents: a wrong escape changes them.
    description = "http://purl.org/dc/terms/description"
    construct = requests.post(
        server + "/sparql",
        data={"query": f"CONSTRUCT {{ ?s <{description}> ?o }} WHERE {{ ?s <{description}> ?o }}"},
        headers={"Accept": "application/n-triples"},
        timeout=10,
    )
    expected = set(Graph().parse(data=construct.content, format="nt"))
    assert 0 < len(expected) <= 100
    response = requests.get(
        server + "/fragments",
        params={"predicate": description},
        headers={"Accept": accept},
        timeout=10,
    )
    assert response.status_code == 200
    parsed = Dataset()
    parsed.parse(data=response.content, format=fmt)
    got = {(s, p, o) for s, p, o, _ in parsed.quads((None, URIRef(description), None, None))}
    assert got == expected
