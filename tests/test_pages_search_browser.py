"""The header search box in headless Chromium, the way a visitor uses it.

Each way people write the Muséum's name reaches its page: typing fills the
box's suggestions, submitting lists it on the results page, and choosing the
suggestion opens the page directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .test_linked_data import label

pytestmark = pytest.mark.browser

SPELLINGS = ["museum", "Muséum", "MNHN", "museum national"]


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def suggestions(page) -> list[str]:
    return page.eval_on_selector_all("#site-search-list option", "os => os.map(o => o.value)")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_header_box_reaches_the_museum(server: str, page, spelling: str) -> None:
    name = label("mnhn", "en")
    page.goto(f"{server}/ontology")  # any page: the box is in the header
    box = page.locator("header.site #site-search")
    box.click()
    box.press_sequentially(spelling, delay=30)
    # Typing shows suggestions, the Muséum among them.
    page.wait_for_function(
        "name => [...document.querySelectorAll('#site-search-list option')]"
        ".some(o => o.value === name)",
        arg=name,
        timeout=10000,
    )
    assert name in suggestions(page)

    # Submitting lists the Muséum on the results page; its link opens its page.
    box.press("Enter")
    page.wait_for_url("**/search?*")
    first = page.locator("ol.search-results li a").first
    assert first.get_attribute("href").endswith("/page/mnhn")
    first.click()
    page.wait_for_url(f"{server}/page/mnhn*")
    assert page.locator("h1").inner_text() == name


def test_choosing_a_suggestion_opens_the_page(server: str, page) -> None:
    name = label("mnhn", "fr")
    page.goto(f"{server}/?lang=fr")
    box = page.locator("#site-search")
    box.press_sequentially("MNHN", delay=30)
    page.wait_for_function(
        "name => [...document.querySelectorAll('#site-search-list option')]"
        ".some(o => o.value === name)",
        arg=name,
        timeout=10000,
    )
    # Picking an option from a datalist sets the value and fires "input".
    box.fill(name)
    page.wait_for_url(f"{server}/page/mnhn*")
    assert page.locator("h1").inner_text() == name
    assert page.locator("html").get_attribute("lang") == "fr"
