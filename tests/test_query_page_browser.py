"""The query page in headless Chromium: pick, run, share, follow an IRI, download.

A screenshot goes to the test's temporary folder (a test run never changes
the tree); the pictures in docs/ come from ``docs/screenshots.py``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

from .support import asu_server

pytestmark = pytest.mark.browser

SH = "http://www.w3.org/ns/shacl#"
CURATED = curated_queries(Settings.from_env(), federated=True)
MEMBERS = [
    "id:france-education-international",
    "id:insead",
    "id:mnhn",
    "id:pspbb",
    "id:sorbonne-universite",
    "id:utc",
]


@pytest.fixture
def page(browser, server: str) -> Iterator[object]:
    """A fresh page that may only talk to 127.0.0.1 (the page must work offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    problems: list[str] = []

    def only_loopback(route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "Failed to load resource" not in m.text
            and problems.append(f"console: {m.text}")
        ),
    )
    yield page
    context.close()
    assert outside == [], "the page reached outside this server"
    assert problems == []


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")


def set_editor_text(page, text: str) -> None:
    page.evaluate("t => document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(t)", text)


def run_and_read(page) -> list[list[str]]:
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr td a.iri")
    return page.eval_on_selector_all(
        ".yasr table.dataTable tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].slice(1)"
        ".map(td => (td.querySelector('a.iri') || td).innerText.trim()))",
    )


def screenshot_path(tmp_path: Path) -> Path:
    return tmp_path / "query-page.png"


def test_pick_run_share_and_follow(page, server: str, tmp_path: Path) -> None:
    response = page.goto(server + "/query")
    # served under the app's content security policy: no inline script runs
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "PREFIX id: <https://w3id.org/asu/id/>" in editor_text(page)

    page.select_option("#curated", "members")
    assert editor_text(page).strip() == CURATED["members"].body.strip()
    assert "six institutions" in page.inner_text("#curated-description")
    rows = run_and_read(page)
    assert [r[0] for r in rows] == MEMBERS
    # literals read as plain text; the language tag is on hover
    assert rows[5][2] == "Université de technologie de Compiègne"
    assert page.url == server + "/query?name=members"

    downloads = {
        a["format"]: a["href"]
        for a in page.eval_on_selector_all(
            "#download-links a", "as => as.map(a => ({format: a.dataset.format, href: a.href}))"
        )
    }
    assert set(downloads) == {"json", "xml", "csv", "tsv"}
    got = requests.get(downloads["csv"], timeout=30)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(got.text)))
    assert table[0] == ["member", "name_en", "name_fr"] and len(table) == 7
    assert requests.get(downloads["xml"], timeout=30).text.lstrip().startswith("<?xml")

    page.screenshot(path=str(screenshot_path(tmp_path)), full_page=True)

    # the shareable URL restores the query in a new page
    share = page.get_attribute("#share-link", "href")
    other = page.context.new_page()
    other.goto(server + share)
    other.wait_for_selector(".yasqe .CodeMirror")
    assert editor_text(other) == editor_text(page)
    assert other.input_value("#curated") == "members"
    other.close()

    # click an IRI: its entity page opens
    with page.context.expect_page() as opened:
        page.click(".yasr a.iri:text-is('id:mnhn')")
    entity = opened.value
    entity.wait_for_load_state()
    assert urlsplit(entity.url).path == "/page/mnhn"
    assert "Muséum national d'Histoire naturelle" in entity.inner_text("h1")
    entity.close()


def test_edited_query_is_shared_in_the_url(page, server: str) -> None:
    page.goto(server + "/query?name=research-organisations")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.input_value("#curated") == "research-organisations"
    edited = CURATED["research-organisations"].body.replace(
        "ORDER BY ?name_en", "ORDER BY DESC(?name_en)"
    )
    set_editor_text(page, edited)
    assert page.input_value("#curated") == ""
    shared = urlsplit(page.url)
    assert parse_qs(shared.query)["query"] == [edited]
    rows = run_and_read(page)
    # The order the endpoint gives for the edited query (names come from the data).
    answer = requests.post(
        server + "/sparql",
        data={"query": edited},
        timeout=30,
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    expected = [
        "id:" + b["organisation"]["value"].rsplit("/", 1)[1] for b in answer["results"]["bindings"]
    ]
    assert len(expected) == 4 and [r[0] for r in rows] == expected

    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector(".yasqe .CodeMirror")
    assert editor_text(other) == edited
    other.close()


def test_long_query_goes_in_the_fragment(page, server: str) -> None:
    page.goto(server + "/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    filler = "\n".join(f"# note {n}: " + "x" * 80 for n in range(40))
    long_query = filler + "\n" + CURATED["members"].body
    set_editor_text(page, long_query)
    assert "#query=" in page.url and "?query=" not in page.url
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector(".yasqe .CodeMirror")
    assert editor_text(other) == long_query
    other.close()


def test_completion_proposes_the_dataset_terms(page, server: str) -> None:
    page.goto(server + "/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    set_editor_text(
        page,
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "PREFIX asu: <https://w3id.org/asu/ontology#>\n"
        "SELECT * WHERE { ?s org:mem",
    )
    page.evaluate("""() => { const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;
                             cm.focus(); cm.setCursor(cm.lineCount(), 0); }""")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.innerText)")
    assert "org:memberOf" in hints
    page.keyboard.press("Escape")
    set_editor_text(
        page, "PREFIX asu: <https://w3id.org/asu/ontology#>\nSELECT * WHERE { ?s a asu:Inst"
    )
    page.evaluate("""() => { const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;
                             cm.focus(); cm.setCursor(cm.lineCount(), 0); }""")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.innerText)")
    assert "asu:Institute" in hints


def test_french_page(page, server: str) -> None:
    page.goto(server + "/query?lang=fr")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.inner_text("h1") == "Interroger les données"
    options = page.eval_on_selector_all("#curated option", "os => os.map(o => o.textContent)")
    assert "Membres de l'Alliance Sorbonne Université" in options
    page.select_option("#curated", "members")
    assert urlsplit(page.url).query == "lang=fr&name=members"


def test_federated_example_is_explained(page, server: str) -> None:
    page.goto(server + "/query?name=wikidata-inception")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "SERVICE <https://query.wikidata.org/sparql>" in editor_text(page)
    assert "refuses" in page.inner_text("#curated-description")


# -- without the editor's files ---------------------------------------------------


@pytest.fixture(scope="module")
def bare_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    empty = tmp_path_factory.mktemp("no-yasgui")
    with asu_server(tmp_path_factory.mktemp("bare"), env={"ASU_YASGUI_DIR": str(empty)}) as url:
        yield url


def test_without_editor_files_the_page_is_a_working_form(browser, bare_server: str) -> None:
    page = browser.new_page()
    page.goto(bare_server + "/query")
    notice = page.inner_text("#editor-missing")
    # It names the setting, never a command for a source folder the user may not have.
    assert "ASU_YASGUI_DIR" in notice and "npm" not in notice
    assert page.is_visible("#plain-form textarea")
    page.select_option("#curated", "members")
    assert page.input_value("#query-text").strip() == CURATED["members"].body.strip()
    page.select_option("#plain-form select[name=format]", "csv")
    captured: dict[str, object] = {}

    def keep(route) -> None:  # the browser may download the CSV: read it on the way
        answer = route.fetch()
        captured.update(status=answer.status, body=answer.text(), form=route.request.post_data)
        route.fulfill(response=answer)

    page.route("**/sparql", keep)
    with page.expect_response(lambda r: r.url.endswith("/sparql")):
        page.click("#plain-form button[type=submit]")
    assert captured["status"] == 200
    assert captured["body"].splitlines()[0].strip() == "member,name_en,name_fr"
    assert "https://w3id.org/asu/id/mnhn" in captured["body"]
    page.close()
    missing = requests.get(bare_server + "/query/yasgui/yasgui.min.js", timeout=30)
    assert missing.status_code == 404 and "ASU_YASGUI_DIR" in missing.text


# -- the page and the query resources over plain HTTP --------------------------------


def test_unknown_curated_name_is_a_404_listing_the_names(server: str) -> None:
    for path in ("/query?name=nope", "/query/nope", "/query/nope.rq"):
        response = requests.get(server + path, timeout=30)
        assert response.status_code == 404, path
        assert "No curated query is named 'nope'" in response.text
        assert "members" in response.text


def test_bad_language_and_unknown_asset(server: str) -> None:
    response = requests.get(server + "/query?lang=de", timeout=30)
    assert response.status_code == 400 and "Unsupported lang 'de'" in response.text
    response = requests.get(server + "/query/yasgui/other.js", timeout=30)
    assert response.status_code == 404 and "not one of the query editor's files" in response.text
    response = requests.get(server + "/query/members.txt", timeout=30)
    assert response.status_code == 404 and ".rq only" in response.text


def test_query_resource_redirects_browsers_to_the_page(server: str) -> None:
    response = requests.get(
        server + "/query/members",
        headers={"Accept": "text/html"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/query?name=members")


def test_query_resource_as_sparql_and_rdf(server: str) -> None:
    text = requests.get(server + "/query/members.rq", timeout=30)
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("application/sparql-query")
    assert text.text == CURATED["members"].text
    negotiated = requests.get(
        server + "/query/members", headers={"Accept": "application/sparql-query"}, timeout=30
    )
    assert negotiated.text == CURATED["members"].text
    turtle = requests.get(server + "/query/members", headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200
    graph = Graph().parse(data=turtle.text, format="turtle")
    node = URIRef("https://w3id.org/asu/query/members")
    assert graph.value(node, URIRef(SH + "select")) == Literal(CURATED["members"].body)
    refused = requests.get(server + "/query/members", headers={"Accept": "image/png"}, timeout=30)
    assert refused.status_code == 406


def test_prefixes_for_the_editor(server: str) -> None:
    response = requests.get(server + "/query/prefixes.json", timeout=30)
    assert response.status_code == 200
    assert response.json()["id"] == "https://w3id.org/asu/id/"
