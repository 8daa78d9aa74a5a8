"""Dereferenceable URIs against the live server: 303s, content negotiation, 404s, 304s.

Everything goes over HTTP to ``asu-graph serve`` (Granian) on 127.0.0.1, with
rdflib and requests as the clients a harvester would use.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/asu/"
ID = Namespace(BASE + "id/")
ASU = Namespace(BASE + "ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"

RDF_TYPES = [
    ("text/turtle", "ttl", "turtle"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "rdf", "xml"),
]


def source_data() -> Graph:
    """The fact files as written (the expected values come from them, not from memory)."""
    graph = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


DATA = source_data()


def label(slug_or_iri: str, lang: str) -> str:
    node = URIRef(slug_or_iri if ":" in slug_or_iri else ID[slug_or_iri])
    (found,) = [o for o in DATA.objects(node, SKOS.prefLabel) if o.language == lang]
    return str(found)


def bilingual_entity() -> str:
    """An entity whose English and French names differ, to see which one a page shows."""
    for slug in ("sorbonne-universite", "alliance-sorbonne-universite", "cnrs", "mnhn"):
        if label(slug, "en") != label(slug, "fr"):
            return slug
    raise AssertionError("no entity with different English and French names")


def get(url: str, accept: str | None = None, **headers: str) -> requests.Response:
    if accept is not None:
        headers["Accept"] = accept
    return requests.get(url, headers=headers, allow_redirects=False, timeout=10)


def parse(response: requests.Response, fmt: str) -> Graph:
    return Graph().parse(data=response.content, format=fmt)


# -- 303 See Other --------------------------------------------------------------


def test_rdflib_follows_the_303_and_gets_the_entity(server: str) -> None:
    graph = Graph().parse(f"{server}/id/mnhn")
    mnhn = ID.mnhn
    assert (mnhn, ORG.memberOf, ID["alliance-sorbonne-universite"]) in graph
    assert (mnhn, RDFS.label, Literal("Muséum national d'Histoire naturelle", lang="fr")) in graph
    assert (mnhn, SKOS.exactMatch, URIRef("https://ror.org/03wkt5x30")) in graph
    # Inbound links and the labels of what it links to come with it.
    assert (ID["alliance-sorbonne-universite"], ORG.hasMember, mnhn) in graph
    assert (ID.ibees, SKOS.prefLabel, None) in graph


@pytest.mark.parametrize("accept,ext,_fmt", RDF_TYPES)
def test_each_rdf_type_is_a_303_to_its_document(
    server: str, accept: str, ext: str, _fmt: str
) -> None:
    response = get(f"{server}/id/mnhn", accept)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/data/mnhn.{ext}")
    assert "Accept" in response.headers["Vary"]
    followed = requests.get(f"{server}/id/mnhn", headers={"Accept": accept}, timeout=10)
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].split(";")[0] == accept


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "text/html", "*/*", None])
def test_browsers_and_plain_clients_are_sent_to_the_page(server: str, accept: str | None) -> None:
    response = get(f"{server}/id/mnhn", accept)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/page/mnhn")
    page = requests.get(server + response.headers["Location"], timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")


def test_quality_values_decide(server: str) -> None:
    response = get(
        f"{server}/id/mnhn", "text/html;q=0.3, text/turtle;q=0.5, application/rdf+xml;q=0.9"
    )
    assert response.headers["Location"].endswith("/data/mnhn.rdf")
    response = get(f"{server}/data/mnhn", "application/n-triples;q=0.4, application/ld+json")
    assert response.headers["Content-Type"].startswith("application/ld+json")
    assert response.headers["Content-Location"].endswith("/data/mnhn.jsonld")


def test_unacceptable_types_get_406(server: str) -> None:
    response = get(f"{server}/id/mnhn", "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.text and "text/html" in response.text
    response = get(f"{server}/data/mnhn", "text/html")
    assert response.status_code == 406
    assert "application/ld+json" in response.text


# -- /data ---------------------------------------------------------------------


@pytest.mark.parametrize("accept,ext,fmt", RDF_TYPES)
def test_every_format_carries_the_same_description(
    server: str, accept: str, ext: str, fmt: str
) -> None:
    by_extension = get(f"{server}/data/idex-super-pia3-funding.{ext}")
    negotiated = get(f"{server}/data/idex-super-pia3-funding", accept)
    turtle = parse(get(f"{server}/data/idex-super-pia3-funding.ttl"), "turtle")
    for response in (by_extension, negotiated):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == accept
        assert "Accept" in response.headers["Vary"]
        assert isomorphic(parse(response, fmt), turtle)
    funding = ID["idex-super-pia3-funding"]
    # The amount it links to is labelled, the calls it came through too.
    assert (ID["idex-super-pia3-funding-amount"], RDFS.label, None) in turtle
    assert (funding, ASU.obtainedThrough, ID["call-integration-development-idex-isite"]) in turtle


def test_data_keeps_canonical_iris(server: str) -> None:
    text = get(f"{server}/data/mnhn.nt").text
    assert "<https://w3id.org/asu/id/mnhn>" in text
    assert "127.0.0.1" not in text


def test_jsonld_uses_the_published_context(server: str) -> None:
    document = get(f"{server}/data/mnhn.jsonld").json()
    assert document["@context"]["memberOf"]["@id"] == "org:memberOf"
    context = get(f"{server}/context.jsonld")
    assert context.headers["Content-Type"].startswith("application/ld+json")
    assert context.json()["@context"] == document["@context"]
    assert context.headers["Access-Control-Allow-Origin"] == "*"


# -- unknown and malformed ------------------------------------------------------


def test_unknown_slug_is_a_404_in_the_asked_representation(server: str) -> None:
    page = get(f"{server}/id/no-such-thing", BROWSER_ACCEPT)
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html")
    assert "no-such-thing" in page.text and "<h1>" in page.text

    turtle = get(f"{server}/id/no-such-thing", "text/turtle")
    assert turtle.status_code == 404
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert len(parse(turtle, "turtle")) == 0
    assert "not described" in turtle.text

    jsonld = get(f"{server}/data/no-such-thing.jsonld")
    assert jsonld.status_code == 404
    assert len(parse(jsonld, "json-ld")) == 0
    assert "not described" in jsonld.json()["error"]

    rdfxml = get(f"{server}/data/no-such-thing", "application/rdf+xml")
    assert rdfxml.status_code == 404
    assert len(parse(rdfxml, "xml")) == 0

    html = get(f"{server}/page/no-such-thing")
    assert html.status_code == 404 and "not described" in html.text


@pytest.mark.parametrize(
    "path",
    [
        "/id/MNHN",
        "/id/mn_hn",
        "/id/mnhn%20",
        "/id/-mnhn",
        "/id/a--b",
        "/page/mnhn.ttl",
        "/id/..%2F..%2Fpyproject.toml",
        "/data/..%2Fpyproject.toml",
        "/page/%2E%2E",
        "/data/mnhn/extra",
        "/id/a/b",
        "/page/a/../../etc/passwd",
        "/data/mnhn.exe",
        "/data/.ttl",
        "/id/%3Cscript%3E",
        "/id/",
        "/page/",
        "/data/",
        "/graph/",
    ],
)
def test_malformed_paths_are_404_never_a_file(server: str, path: str) -> None:
    response = requests.get(server + path, timeout=10, allow_redirects=False)
    assert response.status_code == 404, path
    assert "[build-system]" not in response.text and "root:" not in response.text
    assert "<script>" not in response.text


def test_unknown_extension_says_which_exist(server: str) -> None:
    response = get(f"{server}/data/mnhn.exe")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert ".ttl" in response.text and ".jsonld" in response.text


def test_unknown_language_is_a_400(server: str) -> None:
    response = get(f"{server}/page/mnhn?lang=de")
    assert response.status_code == 400
    assert "de" in response.text and "en, fr" in response.text


# -- caching ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,accept",
    [
        ("/page/mnhn", "text/html"),
        ("/data/mnhn.ttl", None),
        ("/data/mnhn", "application/ld+json"),
        ("/ontology", "text/html"),
        ("/ontology", "text/turtle"),
        ("/validation", "text/html"),
        ("/context.jsonld", None),
    ],
)
def test_conditional_requests_get_304(server: str, path: str, accept: str | None) -> None:
    first = get(server + path, accept)
    assert first.status_code == 200
    assert "Accept" in first.headers["Vary"]
    assert first.headers["Last-Modified"]
    etag = first.headers["ETag"]
    again = get(server + path, accept, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    since = get(server + path, accept, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = get(server + path, accept, **{"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_etag_depends_on_representation_and_language(server: str) -> None:
    tags = {
        get(f"{server}/page/mnhn?lang=en").headers["ETag"],
        get(f"{server}/page/mnhn?lang=fr").headers["ETag"],
        get(f"{server}/data/mnhn", "text/turtle").headers["ETag"],
        get(f"{server}/data/mnhn", "application/ld+json").headers["ETag"],
        get(f"{server}/data/cnrs", "text/turtle").headers["ETag"],
    }
    assert len(tags) == 5
    # A French ETag does not validate the English page.
    fr = get(f"{server}/page/mnhn?lang=fr").headers["ETag"]
    assert get(f"{server}/page/mnhn?lang=en", **{"If-None-Match": fr}).status_code == 200


# -- HTML pages -----------------------------------------------------------------


class _Page(HTMLParser):
    """Just enough of an HTML page to test it: links, alternates, scripts, <h1>."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.anchors: list[dict] = []
        self.scripts: list[tuple[dict, str]] = []
        self.h1 = ""
        self.lang = None
        self._in: str | None = None
        self._attrs: dict = {}
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "link":
            self.links.append(attrs)
        if tag in ("a", "script", "h1"):
            self._in, self._attrs, self._text = tag, attrs, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._in:
            return
        text = "".join(self._text)
        if tag == "a":
            self.anchors.append({**self._attrs, "text": text.strip()})
        elif tag == "script":
            self.scripts.append((self._attrs, text))
        elif tag == "h1":
            self.h1 = text.strip()
        self._in = None


def test_page_language_follows_accept_language_and_lang(server: str) -> None:
    slug = bilingual_entity()
    fr = _Page(get(f"{server}/page/{slug}", **{"Accept-Language": "fr-FR,fr;q=0.9"}).text)
    assert fr.lang == "fr" and fr.h1 == label(slug, "fr")
    en = _Page(get(f"{server}/page/{slug}").text)
    assert en.lang == "en" and en.h1 == label(slug, "en")
    forced = get(f"{server}/page/{slug}?lang=en", **{"Accept-Language": "fr"})
    assert _Page(forced.text).h1 == label(slug, "en")
    assert forced.headers["Content-Language"] == "en"
    assert "Accept-Language" in forced.headers["Vary"]
    switch = {a.get("hreflang"): a["href"] for a in en.anchors if a.get("hreflang")}
    assert switch == {"fr": f"/page/{slug}?lang=fr"}


def test_page_links_every_property_and_value(server: str) -> None:
    text = get(f"{server}/page/mnhn?lang=fr").text
    page = _Page(text)
    hrefs = {a["href"]: a["text"] for a in page.anchors}
    # Property labels from the ontology, linked to its documentation.
    assert hrefs["/ontology#helpedPrepare"] == "a contribué à préparer"
    assert hrefs["/ontology#leads"] == "pilote"
    # Values are links to the entity pages on this host, labelled in French.
    assert hrefs["/page/alliance-sorbonne-universite"] == label(
        "alliance-sorbonne-universite", "fr"
    )
    assert hrefs["/page/ibees"] == label("ibees", "fr")
    # External identifiers and sources.
    assert hrefs["https://ror.org/03wkt5x30"] == "03wkt5x30"
    assert hrefs["http://www.wikidata.org/entity/Q838691"] == "Q838691"
    assert "https://www.mnhn.fr/en/alliance-sorbonne-universite" in hrefs
    assert "https://github.com/ror-community/ror-records" in hrefs
    assert "/validation" in hrefs
    # Inbound: one row per property, pointing back here, with the alliance as the subject.
    inbound = text.split('class="inbound"', 1)[1].split("</section>", 1)[0]
    assert re.search(
        r'<th scope="row"><span aria-hidden="true">&larr;</span> <a href="http://'
        r'www.w3.org/ns/org#hasMember" title="org:hasMember">a pour membre</a></th>'
        r'\s*<td><div><a href="/page/alliance-sorbonne-universite"[^>]*>'
        + re.escape(label("alliance-sorbonne-universite", "fr")),
        inbound,
    )
    # Outside pages naming this resource are not mixed into it.
    assert "mnhn.fr" not in inbound
    # Every internal link goes to this host, not to the canonical domain.
    assert not any(h.startswith(BASE) for h in hrefs)


def test_page_declares_alternates_and_embeds_jsonld(server: str) -> None:
    response = get(f"{server}/page/mnhn")
    page = _Page(response.text)
    alternates = {
        link["type"]: link["href"]
        for link in page.links
        if link.get("rel") == "alternate" and "type" in link
    }
    languages = {link["hreflang"]: link["href"] for link in page.links if "hreflang" in link}
    assert languages == {"en": "/page/mnhn?lang=en", "fr": "/page/mnhn?lang=fr"}
    (canonical,) = [link["href"] for link in page.links if link.get("rel") == "canonical"]
    assert canonical == f"{server}/page/mnhn"
    assert alternates == {
        "text/turtle": "/data/mnhn.ttl",
        "application/ld+json": "/data/mnhn.jsonld",
        "application/n-triples": "/data/mnhn.nt",
        "application/rdf+xml": "/data/mnhn.rdf",
        "application/trig": "/data/mnhn.trig",
        "application/n-quads": "/data/mnhn.nq",
    }
    assert 'rel="alternate"; type="text/turtle"' in response.headers["Link"]
    embedded = [body for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(embedded) == 1
    graph = Graph().parse(data=embedded[0], format="json-ld")
    own = Graph().parse(data=get(f"{server}/data/mnhn.ttl").text, format="turtle")
    assert (ID.mnhn, ORG.memberOf, ID["alliance-sorbonne-universite"]) in graph
    assert set(graph) == set(own.triples((ID.mnhn, None, None)))


def test_page_shows_linked_amounts_and_typed_values(server: str) -> None:
    amount = "idex-super-pia3-funding-amount"
    text = get(f"{server}/page/idex-super-pia3-funding?lang=en").text
    assert f'<a href="/page/{amount}" title="{ID[amount]}">{label(amount, "en")}</a>' in text
    # durations in words, the exact term on hover
    assert ">10 years</span>" in text and 'title="&#34;P10Y&#34;^^xsd:duration"' in text
    page = _Page(get(f"{server}/page/{amount}").text)
    assert page.h1 == label(amount, "en")
    value = DATA.value(ID[amount], URIRef("https://schema.org/value"))
    assert str(value) == "38000000"
    assert ">€38,000,000</span>" in get(f"{server}/page/{amount}").text


# -- ontology, validation -----------------------------------------------------


def test_ontology_is_documented_in_html_and_served_as_rdf(server: str) -> None:
    source = Graph().parse(ROOT / "ontology" / "asu.ttl", format="turtle")
    classes = {str(c)[len(str(ASU)) :] for c in source.subjects(RDF.type, OWL.Class)}
    html = get(f"{server}/ontology", BROWSER_ACCEPT, **{"Accept-Language": "fr"}).text
    for name in classes:
        assert f'id="{name}"' in html
    for term in source.subjects(RDFS.label, None):
        french = [o for o in source.objects(term, RDFS.label) if o.language == "fr"]
        if str(term).startswith(str(ASU)) and french:
            assert f'<dd lang="fr">{french[0]}' in unescape(html), term
    assert 'href="/ontology#ResearchOrganisation"' in html  # a range, linked
    for accept, ext, fmt in RDF_TYPES:
        negotiated = get(f"{server}/ontology", accept)
        assert negotiated.headers["Content-Type"].split(";")[0] == accept
        assert isomorphic(parse(negotiated, fmt), source)
        assert isomorphic(parse(get(f"{server}/ontology.{ext}"), fmt), source)
    # A term IRI ({base}ontology#X) is dereferenced without its fragment.
    assert get(f"{server}/ontology.owl").status_code == 404


def test_validation_report_in_three_representations(server: str) -> None:
    html = get(f"{server}/validation", BROWSER_ACCEPT)
    assert 'data-conforms="true"' in html.text
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        response = get(f"{server}/validation", accept)
        assert response.headers["Content-Type"].split(";")[0] == accept
        report = parse(response, fmt)
        node = report.value(None, RDF.type, SH.ValidationReport)
        assert node is not None
        assert report.value(node, SH.conforms).toPython() is True
    assert get(f"{server}/validation?format=json").json()["conforms"] is True
    bad = get(f"{server}/validation?format=pdf")
    assert bad.status_code == 406 and "pdf" in bad.text and "turtle" in bad.text


def test_every_page_type_sends_cors_and_vary(server: str) -> None:
    for path in ("/page/cnrs", "/data/cnrs.ttl", "/ontology", "/validation"):
        response = get(server + path)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in response.headers["Vary"]


def test_embedded_json_is_safe_in_a_script_element() -> None:
    from asu_graph.web.linked_data import embed_json

    hostile = json.dumps({"label": "</script><script>alert(1)</script><!-- & \u2028"})
    safe = embed_json(hostile)
    assert "</" not in safe and "<!--" not in safe and "&" not in safe
    assert json.loads(safe) == json.loads(hostile)


def test_every_entity_dereferences_with_all_its_statements(server: str) -> None:
    entities = {s for s in DATA.subjects() if str(s).startswith(str(ID))}
    assert len(entities) > 20
    for entity in sorted(entities):
        slug = str(entity)[len(str(ID)) :]
        described = parse(get(f"{server}/data/{slug}.nt"), "nt")
        expected = set(DATA.triples((entity, None, None))) | set(DATA.triples((None, None, entity)))
        assert expected <= set(described), slug
        page = get(f"{server}/page/{slug}")
        assert page.status_code == 200, slug
        assert _Page(page.text).h1 == label(slug, "en"), slug


# -- named graphs and shapes ------------------------------------------------------


def test_named_graph_iris_dereference(server: str) -> None:
    for path in sorted((ROOT / "data").glob("*.ttl")):
        source = Graph().parse(path, format="turtle")
        served = get(f"{server}/graph/{path.stem}", "text/turtle")
        assert served.status_code == 200, path.stem
        assert isomorphic(parse(served, "turtle"), source), path.stem
    page = get(f"{server}/graph/alliance", BROWSER_ACCEPT, **{"Accept-Language": "fr"})
    graph_iri = URIRef(BASE + "graph/alliance")
    (title,) = [o for o in DATA.objects(graph_iri, RDFS.label) if o.language == "fr"]
    assert _Page(page.text).h1 == str(title)
    hrefs = {a["href"] for a in _Page(page.text).anchors}
    assert "/page/mnhn" in hrefs
    assert str(DATA.value(graph_iri, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) in hrefs
    assert (
        get(f"{server}/graph/alliance.jsonld")
        .headers["Content-Type"]
        .startswith("application/ld+json")
    )
    for missing in ("/graph/nope", "/graph/Alliance", "/graph/alliance/x", "/graph/ontology"):
        assert get(server + missing).status_code == 404, missing
    assert get(f"{server}/graph/alliance.txt").status_code == 404


def test_shapes_are_served_and_documented(server: str) -> None:
    source = Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    assert isomorphic(parse(get(f"{server}/shapes", "text/turtle"), "turtle"), source)
    assert isomorphic(parse(get(f"{server}/shapes.jsonld"), "json-ld"), source)
    html = get(f"{server}/shapes", BROWSER_ACCEPT).text
    namespace = BASE + "shapes#"
    for shape in {s for s in source.subjects() if str(s).startswith(namespace)}:
        assert f'id="{str(shape)[len(namespace) :]}"' in html, shape
    # Lists read as their members: no rdf:first in the page.
    assert "rdf:first" not in html
    # The validation page names each rule with a link to its shape.
    assert 'href="/shapes"' in get(f"{server}/validation", BROWSER_ACCEPT).text
