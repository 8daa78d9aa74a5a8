"""axe-core in headless Chromium on every kind of page: no critical or serious violation.

axe-core comes from node_modules (a dev dependency in package.json) and is
injected into each page once it has settled (the graph view drawn, the query
editor built, a query's results shown), so what is checked is what people see.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .support import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def graph_name(server: str) -> str:
    """A named graph of the served release, as its /graph/ page path."""
    got = requests.post(
        server + "/sparql",
        timeout=30,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert got.status_code == 200, got.text
    iri = got.json()["results"]["bindings"][0]["g"]["value"]
    assert "/graph/" in iri
    return "/graph/" + iri.rsplit("/graph/", 1)[1]


# (page, what to wait for before checking)
PAGES = [
    ("/", "figure.graph-view[data-state=settled]"),
    ("/page/mnhn?lang=en", "h1"),
    ("/page/mnhn?lang=fr", "h1"),
    ("/ontology", "h1"),
    ("/shapes", "h1"),
    ("/validation", "h1"),
    ("GRAPH", "h1"),
    ("/download/", "h1"),
    ("/download/releases/", "h1"),
    ("/void", "h1"),
    ("/catalog", "h1"),
    ("/fragments", "h1"),
    ("/query?name=timeline", ".yasqe .CodeMirror"),
    ("/search?q=museum", "ol.search-results"),
    ("/no/such/page", "h1"),
]


@pytest.fixture
def context(browser) -> Iterator[object]:
    # bypass_csp lets the test inject axe-core; the pages' own scripts are files anyway.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        yield context
    finally:
        context.close()


def serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    found = []
    for v in result["violations"]:
        if v["impact"] in ("critical", "serious"):
            targets = [json.dumps(n["target"]) for n in v["nodes"][:5]]
            found.append(f"{v['impact']} {v['id']}: {v['help']} at {', '.join(targets)}")
    return found


@pytest.mark.parametrize(("path", "ready"), PAGES, ids=[p for p, _ in PAGES])
def test_no_serious_violation(server: str, context, path: str, ready: str) -> None:
    assert AXE.exists(), "axe-core is missing: npm install (package.json devDependencies)"
    if path == "GRAPH":
        path = graph_name(server)
    page = context.new_page()
    page.goto(server + path)
    page.wait_for_selector(ready, timeout=20000)
    if path.startswith("/query"):
        # Check the page with results, a timeline and the progress line filled in.
        page.click(".yasqe_queryButton")
        page.wait_for_selector("#timeline svg g.event")
    found = serious(page)
    assert found == [], "\n".join(found)


def test_axe_finds_a_planted_violation(server: str, context) -> None:
    """The check itself works: an unlabelled image link is reported."""
    page = context.new_page()
    page.goto(server + "/ontology")
    page.evaluate("""() => {
        const a = document.createElement('a');
        a.href = '/';
        a.appendChild(document.createElement('img'));
        document.querySelector('main').appendChild(a); }""")
    assert any("image-alt" in v or "link-name" in v for v in serious(page))


def test_axe_script_is_the_installed_one() -> None:
    meta = json.loads(Path(AXE.parent / "package.json").read_text())
    assert meta["version"].startswith("4.")
