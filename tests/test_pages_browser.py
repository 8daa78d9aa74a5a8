"""The HTML pages in headless Chromium: language, navigation, the graph view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import URIRef

from .test_linked_data import DATA, ID, ORG, bilingual_entity, label

pytestmark = pytest.mark.browser

ALLIANCE = ID["alliance-sorbonne-universite"]
MEMBERS = sorted(str(m) for m in DATA.objects(ALLIANCE, ORG.hasMember))


@pytest.fixture
def page_fr(browser) -> Iterator[object]:
    context = browser.new_context(
        locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page_en(browser) -> Iterator[object]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def test_entity_page_in_french_and_its_links_navigate(server: str, page_fr) -> None:
    slug = bilingual_entity()
    page = page_fr
    page.goto(f"{server}/id/{slug}")  # the 303 is followed like any browser does
    assert page.url == f"{server}/page/{slug}"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == label(slug, "fr")

    # A value link goes to the linked entity's page, still in French.
    page.locator('table.properties a[href="/page/alliance-sorbonne-universite"]').first.click()
    page.wait_for_url(f"{server}/page/alliance-sorbonne-universite")
    assert page.locator("h1").inner_text() == label("alliance-sorbonne-universite", "fr")

    # A property label goes to its documentation in the ontology page.
    page.locator('table.properties a[href="/ontology#hasResearchPartner"]').first.click()
    page.wait_for_url(f"{server}/ontology#hasResearchPartner")
    assert page.locator("#hasResearchPartner").is_visible()

    # The language switch turns the page to English.
    page.goto(f"{server}/page/{slug}")
    page.locator('a[hreflang="en"]').click()
    page.wait_for_url(f"{server}/page/{slug}?lang=en")
    assert page.locator("h1").inner_text() == label(slug, "en")


def test_graph_view_draws_the_six_members(server: str, page_en) -> None:
    page = page_en
    page.goto(f"{server}/")
    page.wait_for_selector("figure.graph-view[data-state]")
    drawn = page.eval_on_selector_all(
        "figure.graph-view svg g.node[data-iri]",
        "nodes => nodes.map(n => [n.getAttribute('data-iri'), n.getAttribute('data-group')])",
    )
    groups = dict(drawn)
    assert len(MEMBERS) == 6
    for member in MEMBERS:
        assert groups.get(member) == "member", member
    assert groups[str(ALLIANCE)] == "alliance"
    research = {
        str(r)
        for r in DATA.objects(ALLIANCE, URIRef("https://w3id.org/asu/ontology#hasResearchPartner"))
    }
    assert research and all(groups.get(r) == "research-organisation" for r in research)
    assert page.locator("figure.graph-view svg line[data-kind=member]").count() >= 6
    # Node labels are drawn as SVG text.
    assert page.locator(f'g.node[data-iri="{ID.mnhn}"] text').text_content().strip()


def test_graph_view_nodes_drag_and_click_through(server: str, page_en) -> None:
    page = page_en
    page.goto(f"{server}/")
    page.wait_for_selector("figure.graph-view[data-state=settled]", timeout=20000)
    node = page.locator(f'g.node[data-iri="{ID.cnrs}"]')
    circle = node.locator("circle")

    def centre() -> tuple[float, float]:
        box = circle.bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    x, y = centre()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=8)
    # While held, the node sits under the pointer.
    page.wait_for_function(
        """([iri, x, y]) => {
             const c = document.querySelector(`g.node[data-iri="${iri}"] circle`);
             const b = c.getBoundingClientRect();
             return Math.abs(b.x + b.width / 2 - x) < 2 && Math.abs(b.y + b.height / 2 - y) < 2;
           }""",
        arg=[str(ID.cnrs), x + 60, y + 40],
    )
    page.mouse.up()
    assert page.url == f"{server}/"  # a drag is not a click
    node.locator("circle").click()
    page.wait_for_url(f"{server}/page/cnrs")
    assert page.locator("h1").inner_text() == label("cnrs", "en")
