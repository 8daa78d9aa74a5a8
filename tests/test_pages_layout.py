"""The standalone pages in the site's layout, in both languages, on a 390 px phone.

Downloads, releases, VoID, DCAT, fragments, a named graph and the 404 page
are opened in headless Chromium the way a person does (Accept text/html).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph

from .test_axe import graph_name

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/download/",
    "/download/releases/",
    "/void",
    "/catalog",
    "/fragments",
    "/search?q=museum",
    "/query",
    "/page/mnhn",
    "/ontology",
    "GRAPH",
    "/no/such/page",
]
HEADINGS = {  # one word of each page's heading that differs between the languages
    "/download/": ("Downloads", "Téléchargements"),
    "/void": ("VoID description", "Description VoID"),
    "/catalog": ("DCAT catalogue", "Catalogue DCAT"),
    "/fragments": ("Triple Pattern Fragment", "Fragment de motif de triplets"),
}


@pytest.fixture(params=["en", "fr"])
def phone(browser, request) -> Iterator[tuple[object, str]]:
    lang = request.param
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale=f"{lang}-FR" if lang == "fr" else "en-GB",
        extra_http_headers={"Accept-Language": lang},
    )
    try:
        yield context.new_page(), lang
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_fits_a_phone_in_the_site_layout(server: str, phone, path: str) -> None:
    page, lang = phone
    if path == "GRAPH":
        path = graph_name(server)
    response = page.goto(server + path)
    assert response.status == (404 if path.startswith("/no/") else 200)
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("header.site #site-search").count() == 1
    assert page.locator("footer.site").count() == 1
    if path in HEADINGS:
        assert page.inner_text("h1") == HEADINGS[path][lang == "fr"]
    # Nothing sticks out sideways: the page does not scroll horizontally.
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide on a {widths[1]} px screen"


def test_graph_page_lists_its_statements(server: str, browser) -> None:
    path = graph_name(server)
    data = requests.get(server + path, headers={"Accept": "application/n-triples"}, timeout=30)
    assert data.status_code == 200
    triples = len(Graph().parse(data=data.text, format="nt"))
    assert triples > 0
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(server + path + "?lang=en")
        rows = page.locator("section.statements table.triples tbody tr")
        assert rows.count() == triples
        # Names and readable values, no RDF syntax: no quoted literal, no <IRI>.
        text = page.inner_text("section.statements table.triples tbody")
        assert "^^" not in text and "<http" not in text
    finally:
        context.close()


def test_sparql_in_a_browser_is_the_query_page(server: str, browser) -> None:
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        response = page.goto(server + "/sparql")
        assert response.status == 200
        page.wait_for_selector(".yasqe .CodeMirror")
        assert page.locator("#curated").count() == 1
    finally:
        context.close()
    # An RDF client asking the same URL still gets the service description.
    got = requests.get(server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/turtle")
    assert "ServiceDescription" in got.text or "sd:Service" in got.text
    vary = got.headers.get("vary", "")
    assert "Accept" in vary
