"""The query page (YASGUI) shows the endpoint's message when a query is refused."""

from __future__ import annotations

import pytest

SERVICE_QUERY = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"


@pytest.mark.parametrize(
    "query,says",
    [
        (SERVICE_QUERY, "SERVICE <http://example.org/sparql> is refused"),
        ("SELECT * WHERE { ?s dct:title ?t }", "the prefix dct: is not declared"),
    ],
)
def test_the_query_page_shows_why(browser, server: str, query: str, says: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server + "/query")
        page.wait_for_selector(".yasqe .CodeMirror")
        page.evaluate(
            "t => document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(t)", query
        )
        page.click(".yasqe_queryButton")
        page.wait_for_function(
            "s => document.querySelector('.yasr') && "
            "document.querySelector('.yasr').innerText.includes(s)",
            arg=says,
            timeout=20000,
        )
        assert says in page.inner_text(".yasr")
    finally:
        context.close()
