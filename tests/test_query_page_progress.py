"""The query page while a query runs and after: progress, stop, readable cells, timeline.

Headless Chromium on the served app (the ``page`` fixture keeps the page on
127.0.0.1 and fails on any page error or failed request).
"""

from __future__ import annotations

import pytest
import requests
from rdflib import URIRef

from .test_linked_data import DATA, SKOS
from .test_query_page_browser import CURATED, page  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def endpoint_rows(server: str, name: str) -> list[dict]:
    got = requests.post(
        server + "/sparql",
        data={"query": CURATED[name].body},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert got.status_code == 200
    return got.json()["results"]["bindings"]


def test_timeline_query_draws_its_dated_rows(page, server: str) -> None:  # noqa: F811
    rows = endpoint_rows(server, "timeline")
    assert len(rows) >= 3
    page.goto(server + "/query?name=timeline")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.locator("#timeline").is_hidden()
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#timeline svg g.event")

    # One dot and one line of text per dated row, in date order, with the English event word.
    drawn = page.eval_on_selector_all(
        "#timeline svg g.event",
        "gs => gs.map(g => [...g.querySelectorAll('text')].map(t => t.textContent))",
    )
    assert len(drawn) == len(rows)
    assert [d[0] for d in drawn] == sorted(r["date"]["value"][:10] for r in rows)
    first = min(rows, key=lambda r: r["date"]["value"])
    assert drawn[0][1].startswith(first["event_en"]["value"])
    # Dots and labels stay inside the picture.
    inside = page.evaluate("""() => {
        const svg = document.querySelector('#timeline svg').getBoundingClientRect();
        return [...document.querySelectorAll('#timeline svg g.event')].every(g => {
          const b = g.getBoundingClientRect();
          return b.left >= svg.left - 1 && b.right <= svg.right + 1
              && b.top >= svg.top - 1 && b.bottom <= svg.bottom + 1; }); }""")
    assert inside
    # The status line tells how many rows came back.
    assert str(len(rows)) in page.inner_text("#query-status")
    assert page.locator("#stop-query").is_hidden()


def test_cells_show_names_beside_iris_and_plain_literals(page, server: str) -> None:  # noqa: F811
    page.goto(server + "/query?name=members")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr a.iri + .iri-label")
    mnhn = URIRef("https://w3id.org/asu/id/mnhn")
    (name,) = [str(o) for o in DATA.objects(mnhn, SKOS.prefLabel) if o.language == "en"]
    assert page.inner_text(".yasr a.iri:text-is('id:mnhn') + .iri-label") == name
    # A French name: no quotes, no @fr in the cell; the language is on the element.
    cell = page.locator(".yasr span.plain-literal[lang=fr]").first
    text = cell.inner_text()
    assert text and not text.startswith('"') and "@fr" not in text
    assert cell.get_attribute("title") == "@fr"


def test_running_query_shows_progress_and_stops(page, server: str) -> None:  # noqa: F811
    # The server is made slow by holding the request in the browser: the
    # answer never comes until the user stops the query.
    held: list[object] = []
    failed: list[str] = []
    page.route("**/sparql", lambda route: held.append(route))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(server + "/query?name=members")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#stop-query:visible")
    assert page.locator(".query-progress.running").count() == 1
    assert page.inner_text("#query-status").startswith("Running the query")
    # The elapsed time counts up while it runs.
    page.wait_for_function(
        "() => / [1-9]\\d* s$/.test(document.getElementById('query-status').textContent)",
        timeout=10000,
    )
    page.click("#stop-query")
    page.wait_for_function(
        "() => document.getElementById('query-status').textContent === 'Query stopped.'"
    )
    assert page.locator("#stop-query").is_hidden()
    assert page.locator(".query-progress.running").count() == 0
    assert held, "the query never left the page"
    assert any(url.endswith("/sparql") for url in failed), "the request was not cancelled"
    page.unroute("**/sparql")
    # After a stop the page still runs queries.
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr a.iri")
    page.wait_for_function(
        "() => /^6 rows/.test(document.getElementById('query-status').textContent)"
    )
