"""The landing page and its graph-view data, against the live server."""

from __future__ import annotations

import json

import requests
from rdflib.namespace import RDF

from .test_linked_data import ASU, BASE, DATA, ID, ORG, _Page, get, label

ALLIANCE = ID["alliance-sorbonne-universite"]


def sparql_count(server: str, query: str) -> int:
    answer = requests.get(
        f"{server}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    binding = answer.json()["results"]["bindings"][0]
    return int(binding["n"]["value"])


def test_landing_page_counts_are_the_endpoints(server: str) -> None:
    response = get(f"{server}/", "text/html")
    assert response.status_code == 200
    assert "Accept" in response.headers["Vary"]
    text = response.text
    triples = sparql_count(
        server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    shown = text.split('data-count="triples"><span class="n">', 1)[1].split("<", 1)[0]
    assert int(shown.replace("\u202f", "")) == triples
    entities = sparql_count(
        server,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}',
    )
    assert f'data-count="entities"><span class="n">{entities}<' in text
    institutes = sparql_count(
        server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{ASU.Institute}> }}"
    )
    assert institutes > 0
    assert f'data-class="{ASU.Institute}">{institutes}<' in text


def test_landing_page_links_everywhere_a_user_starts(server: str) -> None:
    page = _Page(get(f"{server}/?lang=en").text)
    hrefs = {a["href"] for a in page.anchors}
    for path in (
        "/download/",
        "/sparql",
        "/query",
        "/ontology",
        "/validation",
        "/void",
        "/catalog",
        "/fragments",
        "https://creativecommons.org/licenses/by/4.0/",
    ):
        assert path in hrefs, path
    # Every entity is one click away (people and crawlers start here).
    for subject in set(DATA.subjects(RDF.type, None)):
        if str(subject).startswith(f"{BASE}id/"):
            assert f"/page/{str(subject)[len(BASE) + 3 :]}" in hrefs, subject


def test_landing_page_has_schema_org_dataset_markup(server: str) -> None:
    page = _Page(get(f"{server}/").text)
    (markup,) = [
        json.loads(body)
        for attrs, body in page.scripts
        if attrs.get("type") == "application/ld+json"
    ]
    assert markup["@context"] == "https://schema.org/"
    assert markup["@type"] == "Dataset"
    assert markup["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert markup["name"] and markup["description"] and markup["url"] == f"{server}/"
    assert markup["creator"]["@type"] == "Organization"
    downloads = markup["distribution"]
    formats = {d["encodingFormat"] for d in downloads}
    assert {
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/gzip",
    } <= formats
    index = requests.get(
        f"{server}/download/", headers={"Accept": "application/json"}, timeout=10
    ).json()
    assert {d["contentUrl"] for d in downloads} == {f["url"] for f in index["files"]}
    for download in downloads:
        assert download["@type"] == "DataDownload"
        fetched = requests.get(download["contentUrl"], timeout=10)
        assert fetched.status_code == 200, download["contentUrl"]
        assert download["contentSize"] == f"{len(fetched.content)} B"


def test_landing_page_in_french_and_cached(server: str) -> None:
    response = get(f"{server}/", "text/html", **{"Accept-Language": "fr"})
    assert _Page(response.text).lang == "fr"
    assert response.headers["Content-Language"] == "fr"
    again = get(
        f"{server}/",
        "text/html",
        **{"Accept-Language": "fr", "If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    assert get(f"{server}/?lang=xx").status_code == 400


def test_graph_view_data_is_the_alliance(server: str) -> None:
    response = get(f"{server}/graph-view.json?lang=fr")
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    nodes = {n["id"]: n for n in data["nodes"]}
    members = {str(m) for m in DATA.objects(ALLIANCE, ORG.hasMember)}
    assert len(members) == 6
    assert {i for i, n in nodes.items() if n["group"] == "member"} == members
    partners = {str(r) for r in DATA.objects(ALLIANCE, ASU.hasResearchPartner)}
    assert {i for i, n in nodes.items() if n["group"] == "research-organisation"} == partners
    assert nodes[str(ALLIANCE)]["group"] == "alliance"
    assert nodes[str(ALLIANCE)]["name"] == label("alliance-sorbonne-universite", "fr")
    for node in nodes.values():
        assert node["href"] == "/page/" + node["id"][len(BASE) + 3 :]
    for link in data["links"]:
        assert link["source"] in nodes and link["target"] in nodes
    edges = {(e["source"], e["kind"], e["target"]) for e in data["links"]}
    for leader, led in DATA.subject_objects(ASU.leads):
        assert (str(leader), "leads", str(led)) in edges
        assert (str(leader), "involved-in", str(led)) not in edges
    for member in members:
        assert (member, "member", str(ALLIANCE)) in edges
    assert data["groups"]["member"] == "membre"
    assert "Accept" in response.headers["Vary"]
