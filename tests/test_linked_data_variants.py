"""Unusual but valid data on a live server: labels holding HTML and </script>, blank nodes.

The fact files are copied and changed (they still pass the shapes): every
English name of the museum becomes markup, and the museum gets a nested
blank-node amount and an RDF list.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import requests
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from .support import ROOT, asu_server

HOSTILE = "</script><script>window.pwned=1</script><b>bold</b> & <!-- x"
MNHN = URIRef("https://w3id.org/asu/id/mnhn")
SCHEMA = Namespace("https://schema.org/")
BLANK_NODES = """
<https://w3id.org/asu/id/mnhn>
    <https://schema.org/funding> [
        a <https://schema.org/MonetaryAmount> ;
        <https://schema.org/value> "12.5"^^<http://www.w3.org/2001/XMLSchema#decimal> ;
        <https://schema.org/currency> "EUR" ;
        <https://schema.org/valueReference> [ <https://schema.org/name> "deeper value" ] ] ;
    <https://schema.org/keywords> ( "first keyword" "second keyword" ) .
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hostile")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    # Every English name of the museum becomes markup, wherever the files state it.
    for path in data.glob("*.ttl"):
        graph = Graph().parse(path, format="turtle")
        names = [
            (p, o)
            for p, o in graph.predicate_objects(MNHN)
            if p in (RDFS.label, SKOS.prefLabel) and o.language == "en"
        ]
        if names:
            for p, o in names:
                graph.remove((MNHN, p, o))
                graph.add((MNHN, p, Literal(HOSTILE, lang="en")))
            path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    with (data / "alliance.ttl").open("a", encoding="utf-8") as handle:
        handle.write(BLANK_NODES)
    with asu_server(tmp, env={"ASU_DATA_DIR": str(data)}) as url:
        yield url


def _scripts(html: str) -> list[str]:
    from .test_linked_data import _Page

    return [
        body for attrs, body in _Page(html).scripts if attrs.get("type") == "application/ld+json"
    ]


def test_label_markup_is_escaped_in_html(hostile_server: str) -> None:
    html = requests.get(f"{hostile_server}/page/mnhn?lang=en", timeout=10).text
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>window.pwned" not in html
    # The only </script> closings are those of the page's own scripts.
    assert html.count("</script>") == html.count("<script")


def test_embedded_jsonld_round_trips_the_hostile_label(hostile_server: str) -> None:
    html = requests.get(f"{hostile_server}/page/mnhn", timeout=10).text
    (embedded,) = _scripts(html)
    graph = Graph().parse(data=embedded, format="json-ld")
    assert (MNHN, RDFS.label, Literal(HOSTILE, lang="en")) in graph


def test_pages_linking_to_it_escape_it_too(hostile_server: str) -> None:
    html = requests.get(
        f"{hostile_server}/page/alliance-sorbonne-universite?lang=en", timeout=10
    ).text
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    not_found = requests.get(f"{hostile_server}/page/x%3Cb%3E", timeout=10)
    assert not_found.status_code == 404 and "<b>" not in not_found.text


@pytest.mark.browser
def test_browser_shows_the_label_as_text(hostile_server: str, browser) -> None:
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{hostile_server}/page/mnhn")
        assert page.locator("h1").inner_text() == HOSTILE
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("main b").count() == 0
    finally:
        context.close()


def test_blank_nodes_come_with_the_description(hostile_server: str) -> None:
    text = requests.get(f"{hostile_server}/data/mnhn.ttl", timeout=10).text
    graph = Graph().parse(data=text, format="turtle")
    amount = graph.value(MNHN, SCHEMA.funding)
    assert isinstance(amount, BNode)
    assert (amount, RDF.type, SCHEMA.MonetaryAmount) in graph
    assert (amount, SCHEMA.value, Literal("12.5", datatype=XSD.decimal)) in graph
    deeper = graph.value(amount, SCHEMA.valueReference)
    assert graph.value(deeper, SCHEMA.name) == Literal("deeper value")
    head = graph.value(MNHN, SCHEMA.keywords)
    assert [str(v) for v in graph.items(head)] == ["first keyword", "second keyword"]


def test_blank_nodes_are_shown_inline(hostile_server: str) -> None:
    html = requests.get(f"{hostile_server}/page/mnhn?lang=en", timeout=10).text
    nested = html.split('<table class="nested">', 1)[1]
    # the amount reads as money, the exact term stays on hover
    assert "12.5</span>" in nested and "^^xsd:decimal" in nested
    assert ">deeper value</span>" in nested
    assert "rdf:first" not in html and "rdf:rest" not in html
    assert '<span class="list">(' in html and ">second keyword</span>" in html
    (embedded,) = _scripts(html)
    graph = Graph().parse(data=embedded, format="json-ld")
    amount = graph.value(MNHN, SCHEMA.funding)
    assert graph.value(graph.value(amount, SCHEMA.valueReference), SCHEMA.name) == Literal(
        "deeper value"
    )
