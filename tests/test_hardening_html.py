"""Markup in the data is shown as text: one extra hostile label, a live server, Chromium.

Checked on the entity page and in the query page's result table.

The data folder is a copy of the published one plus one more triple: an
English ``skos:altLabel`` of the Museum, which its page shows under "also
known as" (no shape limits alternative labels, so the data still validates).
The label tries every way into a page: closing tags, a script element, an
event handler, a javascript: link. Chromium must show it as text, run none
of it, and report no Content-Security-Policy violation from the page's own
scripts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests

from .support import ROOT, asu_server

HOSTILE = (
    "</td></script><script>window.pwned=1</script>"
    '<img src=x onerror="window.pwned=2"><a href="javascript:window.pwned=3">x</a>'
)
EXTRA = (
    f"\n<https://w3id.org/asu/id/mnhn> <http://www.w3.org/2004/02/skos/core#altLabel> "
    f'"{HOSTILE.replace(chr(34), chr(92) + chr(34))}"@en .\n'
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hostile-label")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    target = next(
        p
        for p in sorted(data.glob("*.ttl"))
        if "w3id.org/asu/id/mnhn>" in p.read_text(encoding="utf-8")
        or "id:mnhn" in p.read_text(encoding="utf-8")
    )
    with target.open("a", encoding="utf-8") as handle:
        handle.write(EXTRA)
    with asu_server(tmp, env={"ASU_DATA_DIR": str(data)}) as url:
        yield url


def test_the_label_is_published(hostile: str) -> None:
    query = (
        "SELECT ?l WHERE { <https://w3id.org/asu/id/mnhn> "
        "<http://www.w3.org/2004/02/skos/core#altLabel> ?l }"
    )
    rows = requests.get(f"{hostile}/sparql", params={"query": query}, timeout=30).json()
    assert HOSTILE in [row["l"]["value"] for row in rows["results"]["bindings"]]


def test_entity_page_escapes_the_label(hostile: str) -> None:
    response = requests.get(f"{hostile}/page/mnhn?lang=en", timeout=30)
    assert response.status_code == 200
    html = response.text
    assert "<script>window.pwned" not in html and 'onerror="window' not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.browser
def test_browser_shows_the_label_as_text_and_runs_none_of_it(hostile: str, browser) -> None:
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(f"{hostile}/page/mnhn?lang=en")
        page.wait_for_load_state("networkidle")
        assert "<script>window.pwned=1</script>" in page.inner_text("body")
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("a[href^='javascript:']").count() == 0
        assert violations == []
    finally:
        context.close()


@pytest.mark.browser
def test_query_page_shows_the_label_as_text_and_runs_none_of_it(hostile: str, browser) -> None:
    query = (
        "SELECT ?alt WHERE { <https://w3id.org/asu/id/mnhn> "
        "<http://www.w3.org/2004/02/skos/core#altLabel> ?alt }"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        blocked: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        response = page.goto(f"{hostile}/query?{urlencode({'query': query})}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".yasqe .CodeMirror")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table.dataTable tbody tr td")
        cells = page.eval_on_selector_all(
            ".yasr table.dataTable tbody td", "cells => cells.map(td => td.innerText)"
        )
        assert any(HOSTILE in cell for cell in cells), cells
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.locator(".yasr img[src=x]").count() == 0
        assert page.locator(".yasr a[href^='javascript:']").count() == 0
        assert errors == []
        # The editor's own files all load under the policy; the only thing it may
        # block is the label's event handler (the result table parses cell text).
        assert all("inline event handler" in text for text in blocked), blocked
    finally:
        context.close()
