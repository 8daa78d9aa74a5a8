"""Finding an entity by name: the index, /search (HTML and JSON), /search/suggest, 404 hints."""

from __future__ import annotations

import statistics
import time

import pytest
from flask.testing import FlaskClient

from asu_graph.query.search_index import SearchIndex, _one_edit_apart, fold
from asu_graph.web import create_app

MNHN = "https://w3id.org/asu/id/mnhn"
# How people write the Muséum: every one of these must find it first.
MUSEUM_SPELLINGS = [
    "museum",
    "Muséum",
    "MNHN",
    "mnhn",
    "museum national",
    "MUSÉUM NATIONAL",
    "Museum national d'histoire naturelle",
    "histoire naturelle",
    "musée",
    "musuem",
    "le museum",
]


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


@pytest.fixture(scope="module")
def index(client: FlaskClient) -> SearchIndex:
    with client.application.app_context():
        from asu_graph.web.linked_data import search_index

        return search_index()


def test_folding_ignores_case_accents_and_punctuation() -> None:
    assert fold("  Muséum national d'Histoire-naturelle ") == "museum national d histoire naturelle"
    assert fold("ÉCOLE") == fold("ecole") == "ecole"
    assert fold("—") == ""


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("museum", "musuem", True),
        ("museum", "museu", True),
        ("museum", "mueum", True),
        ("museum", "museums", True),
        ("museum", "maseum", True),
        ("museum", "musxxm", False),
        ("ab", "ba", True),
        ("abc", "cab", False),
    ],
)
def test_one_typo_is_tolerated_two_are_not(a: str, b: str, near: bool) -> None:
    assert _one_edit_apart(a, b) is near


@pytest.mark.parametrize("text", MUSEUM_SPELLINGS)
def test_every_spelling_of_the_museum_finds_it_first(index: SearchIndex, text: str) -> None:
    hits = index.search(text)
    assert hits, f"nothing found for {text!r}"
    assert hits[0].entry.iri == MNHN, [h.entry.iri for h in hits[:3]]


def test_exact_acronym_ranks_above_a_prefix(index: SearchIndex) -> None:
    hits = index.search("SU")
    assert hits[0].entry.iri.endswith("/sorbonne-universite")


def test_unknown_words_find_nothing(index: SearchIndex) -> None:
    assert index.search("xylophone quartet") == []
    assert index.search("   ") == []


def test_every_named_entity_finds_itself_by_each_of_its_names(index: SearchIndex) -> None:
    missed = []
    for entry in index.entries:
        for name in entry.names:
            found = [h.entry.iri for h in index.search(name.text, limit=50)]
            if entry.iri not in found:
                missed.append((entry.iri, name.text))
    assert not missed


def test_search_json(client: FlaskClient) -> None:
    r = client.get("/search?q=museum", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    first = r.get_json()["results"][0]
    assert first["id"] == MNHN
    assert first["url"] == "/page/mnhn"
    assert first["types"] and first["types"][0]["label"]
    assert first["description"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # ?format=json wins over a browser's Accept
    r = client.get("/search?q=museum&format=json", headers={"Accept": "text/html"})
    assert r.mimetype == "application/json"


def test_search_html_in_both_languages(client: FlaskClient) -> None:
    en = client.get("/search?q=paris 6", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "/page/universite-paris-6" in en and "<h1>Search</h1>" in en
    fr = client.get("/search?q=paris 6&lang=fr").get_data(as_text=True)
    assert "<h1>Recherche</h1>" in fr and 'lang="fr"' in fr


def test_search_page_escapes_what_was_typed(client: FlaskClient) -> None:
    body = client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/search?q=" + "a" * 201, 400, "at most 200"),
        ("/search?q=museum&limit=0", 400, "limit must be"),
        ("/search?q=museum&limit=abc", 400, "limit must be"),
        ("/search?q=museum&format=xml", 400, "Unknown format"),
        ("/search?q=museum&lang=de", 400, "Unsupported lang"),
    ],
)
def test_bad_search_requests_get_a_message(
    client: FlaskClient, url: str, status: int, message: str
) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert message in r.get_data(as_text=True)


def test_search_refuses_types_it_cannot_produce(client: FlaskClient) -> None:
    r = client.get("/search?q=museum", headers={"Accept": "text/turtle"})
    assert r.status_code == 406


def test_suggest_answers_typing_prefixes(client: FlaskClient) -> None:
    labels = [x["label"] for x in client.get("/search/suggest?q=sorb").get_json()["results"]]
    assert any("Sorbonne" in label for label in labels)
    first = client.get("/search/suggest?q=mus&lang=fr").get_json()["results"][0]
    assert first["url"] == "/page/mnhn" and first["type"]


def test_every_page_has_the_search_box(client: FlaskClient) -> None:
    for path in ("/", "/page/mnhn", "/ontology", "/query", "/search"):
        body = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'role="search"' in body and "/search/suggest" in body, path


def test_not_found_pages_suggest_entities(client: FlaskClient) -> None:
    r = client.get("/page/museum", headers={"Accept": "text/html"})
    assert r.status_code == 404 and 'href="/page/mnhn"' in r.get_data(as_text=True)
    r = client.get("/no/such/sorbonne", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert 'href="/page/sorbonne-universite"' in r.get_data(as_text=True)
    # machines keep the short text answer
    r = client.get("/no/such/thing")
    assert r.status_code == 404 and r.mimetype == "text/plain"


def test_search_latency_on_the_real_data_is_recorded(index: SearchIndex) -> None:
    """Not a timing assertion: the median is printed for the record (docs/search.md)."""
    samples = []
    for text in MUSEUM_SPELLINGS * 5:
        start = time.perf_counter()
        index.search(text)
        samples.append(time.perf_counter() - start)
    print(f"search median {statistics.median(samples) * 1000:.2f} ms over {len(samples)}")


def test_favicon(client: FlaskClient) -> None:
    r = client.get("/favicon.ico")
    assert r.status_code == 301
    icon = client.get(r.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
