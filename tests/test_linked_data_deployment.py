"""Another base and a path prefix: the canonical base maps onto the serving host and path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .support import asu_server
from .test_linked_data import _Page

BASE = "https://data.example.org/asu/"


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """As behind a reverse proxy that forwards https://example.org/lod/ to this server."""
    tmp = tmp_path_factory.mktemp("prefixed")
    with asu_server(
        tmp, env={"ASU_BASE": BASE, "SCRIPT_NAME": "/lod"}, ready_path="/lod/sparql?query=ASK%7B%7D"
    ) as url:
        yield url + "/lod"


def test_redirects_and_links_stay_under_the_prefix(prefixed: str) -> None:
    response = requests.get(
        f"{prefixed}/id/mnhn", headers={"Accept": "text/html"}, allow_redirects=False, timeout=10
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/lod/page/mnhn"
    page = _Page(requests.get(f"{prefixed}/page/mnhn", timeout=10).text)
    hrefs = {a["href"] for a in page.anchors}
    assert "/lod/page/alliance-sorbonne-universite" in hrefs
    assert "/lod/ontology#helpedPrepare" in hrefs
    assert "/lod/validation" in hrefs
    assert not any(h.startswith(("/page/", "/ontology", BASE)) for h in hrefs)
    alternates = {link["href"] for link in page.links if link.get("rel") == "alternate"}
    assert "/lod/data/mnhn.ttl" in alternates


def test_rdf_uses_the_configured_base(prefixed: str) -> None:
    graph = Graph().parse(f"{prefixed}/id/mnhn")
    mnhn = URIRef(BASE + "id/mnhn")
    assert (mnhn, RDF.type, None) in graph
    assert not any("w3id.org" in str(term) for triple in graph for term in triple)
    ontology = requests.get(
        f"{prefixed}/ontology", headers={"Accept": "text/html"}, timeout=10
    ).text
    assert f"<code>{BASE}ontology#Institute</code>" in ontology
    context = requests.get(f"{prefixed}/context.jsonld", timeout=10).json()["@context"]
    assert context["id"] == BASE + "id/"
