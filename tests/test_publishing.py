"""Dumps, VoID, DCAT, sitemap and robots.txt as a live server publishes them."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
import requests
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from .support import SHARED

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ID = "https://w3id.org/asu/id/"
PARSERS = {
    "turtle": "turtle",
    "nt": "nt",
    "json-ld": "json-ld",
    "rdfxml": "xml",
    "trig": "trig",
    "nquads": "nquads",
}
QUADS = {"trig", "nquads"}
# ../shared/reference next to the checkout; ASU_REFERENCE_DIR points elsewhere if needed.
DCAT_AP = Path(os.environ.get("ASU_REFERENCE_DIR", SHARED / "reference")) / "dcat-ap-3.0.1"


def index(server: str) -> dict:
    response = requests.get(
        server + "/download/", headers={"Accept": "application/json"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def parse_dump(body: bytes, fmt: str) -> tuple[int, Graph | Dataset]:
    if fmt in QUADS:
        dataset = Dataset()
        dataset.parse(data=body, format=PARSERS[fmt])
        return sum(1 for _ in dataset.quads((None, None, None, None))), dataset
    graph = Graph().parse(data=body, format=PARSERS[fmt])
    return len(graph), graph


def sparql_count(server: str, query: str) -> int:
    response = requests.get(
        server + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def dumps(server: str) -> dict[str, bytes]:
    listing = index(server)
    return {row["name"]: requests.get(row["url"], timeout=30).content for row in listing["files"]}


@pytest.fixture(scope="module")
def void(server: str) -> Graph:
    response = requests.get(
        server + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


def test_every_dump_downloads_matches_checksum_and_reparses(server: str) -> None:
    listing = index(server)
    files = {row["name"]: row for row in listing["files"]}
    expected = {
        f"asu.{ext}{gz}"
        for ext in ("ttl", "nt", "jsonld", "rdf", "trig", "nq")
        for gz in ("", ".gz")
    }
    assert expected <= set(files)
    triples = sparql_count(
        server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    quads = sparql_count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert triples > 100 and quads >= triples
    sums = requests.get(server + "/download/SHA256SUMS", timeout=10).text
    listed = dict(line.split()[::-1] for line in sums.splitlines())
    for name, row in files.items():
        response = requests.get(row["url"], timeout=30)
        assert response.status_code == 200, name
        body = response.content
        assert hashlib.sha256(body).hexdigest() == row["sha256"] == listed[name], name
        assert len(body) == row["bytes"] == int(response.headers["Content-Length"]), name
        assert response.headers["ETag"] == f'"{row["sha256"]}"', name
        assert "Last-Modified" in response.headers
        if name.endswith(".gz"):
            assert response.headers["Content-Type"] == "application/gzip", name
            assert "Content-Encoding" not in response.headers
            body = gzip.decompress(body)
        else:
            assert response.headers["Content-Type"].startswith(row["media_type"]), name
        count, _ = parse_dump(body, row["format"])
        assert count == (quads if row["format"] in QUADS else triples), name


def test_download_index_html_lists_every_file(server: str) -> None:
    response = requests.get(server + "/download/", headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Accept" in response.headers["Vary"]
    for row in index(server)["files"]:
        assert row["name"] in response.text and row["sha256"] in response.text
        assert f"{row['bytes']:,}" in response.text


def test_downloads_answer_conditional_requests(server: str) -> None:
    first = requests.get(server + "/download/asu.nt.gz", timeout=10)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(
        server + "/download/asu.nt.gz", headers={"If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304 and again.content == b""
    since = requests.get(
        server + "/download/asu.nt.gz", headers={"If-Modified-Since": modified}, timeout=10
    )
    assert since.status_code == 304
    other = requests.get(
        server + "/download/asu.nt.gz", headers={"If-None-Match": '"x"'}, timeout=10
    )
    assert other.status_code == 200 and other.content == first.content
    for path in ("/download/", "/void", "/catalog"):
        response = requests.get(server + path, timeout=10)
        assert response.headers.get("ETag") and response.headers.get("Last-Modified"), path
        assert "Accept" in response.headers.get("Vary", ""), path
        cached = requests.get(
            server + path, headers={"If-None-Match": response.headers["ETag"]}, timeout=10
        )
        assert cached.status_code == 304, path


def raw_get(server: str, path: str, hops: int = 3) -> tuple[int, bytes]:
    """GET a path byte for byte (no client-side normalisation of '..' or '%2F')."""
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    status, body, location = response.status, response.read(), response.getheader("Location")
    connection.close()
    if status in (301, 302, 307, 308) and location and hops:
        target = urlsplit(location)
        assert target.hostname in (None, parts.hostname), location
        return raw_get(server, target.path + ("?" + target.query if target.query else ""), hops - 1)
    return status, body


@pytest.mark.parametrize(
    "path",
    [
        "/download/../manifest.json",
        "/download/..%2Fmanifest.json",
        "/download/%2e%2e/%2e%2e/etc/passwd",
        "/download/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/download/%2Fetc%2Fpasswd",
        "//download//etc/passwd",
        "/download/asu.ttl%00",
        "/download/.asu.ttl",
        "/download/latest",
        "/download/serve.log",
        "/download/releases/..%2Flatest/asu.ttl",
        "/download/releases/../latest/asu.ttl",
        "/download/releases/nope/asu.ttl",
        "/download/releases/%2E%2E/asu.ttl",
    ],
)
def test_paths_outside_the_manifest_are_not_found(server: str, path: str) -> None:
    status, body = raw_get(server, path)
    assert status == 404, (path, status)
    assert b"root:" not in body and b"@prefix" not in body


def test_void_counts_equal_the_real_counts(
    server: str, void: Graph, dumps: dict[str, bytes]
) -> None:
    data = Graph().parse(data=dumps["asu.nt"], format="nt")
    quads = Dataset()
    quads.parse(data=dumps["asu.nq"], format="nquads")
    dataset = next(
        s for s in void.subjects(RDF.type, VOID.Dataset) if (s, VOID.classPartition, None) in void
    )
    assert dataset is not None

    def number(node, prop) -> int:
        value = void.value(node, prop)
        assert value is not None and value.datatype == XSD.integer, (node, prop)
        return int(value)

    assert number(dataset, VOID.triples) == len(data)
    assert number(dataset, VOID.distinctSubjects) == len(set(data.subjects()))
    assert number(dataset, VOID.distinctObjects) == len(set(data.objects()))
    entities = {s for s in data.subjects() if str(s).startswith(ID)}
    assert number(dataset, VOID.entities) == len(entities)
    assert str(void.value(dataset, VOID.uriSpace)) == ID

    classes = {
        void.value(p, VOID["class"]): number(p, VOID.entities)
        for p in void.objects(dataset, VOID.classPartition)
    }
    real_classes = {
        c: len(set(data.subjects(RDF.type, c))) for c in set(data.objects(None, RDF.type))
    }
    assert classes == real_classes
    properties = {
        void.value(p, VOID.property): number(p, VOID.triples)
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    real_properties = {p: len(list(data.triples((None, p, None)))) for p in set(data.predicates())}
    assert properties == real_properties
    assert number(dataset, VOID.classes) == len(real_classes)
    assert number(dataset, VOID.properties) == len(real_properties)

    subsets = {s: number(s, VOID.triples) for s in void.objects(dataset, VOID.subset)}
    assert subsets == {g.identifier: len(g) for g in quads.graphs() if len(g)}
    derived = 0
    for subset in subsets:
        for source in void.objects(subset, PROV.wasDerivedFrom):
            assert (subset, PROV.wasDerivedFrom, source) in data
            derived += 1
    # the ontology, sources and curated-queries graphs name no page
    assert derived >= len(subsets) - 3


def test_void_links_the_endpoint_dumps_licence_and_report(server: str, void: Graph) -> None:
    dataset = next(
        s for s in void.subjects(RDF.type, VOID.Dataset) if (s, VOID.classPartition, None) in void
    )
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(server + "/sparql")
    assert void.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(dataset, DCTERMS.modified).datatype == XSD.dateTime
    assert URIRef(server + "/validation") in set(void.objects(dataset, None))
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert len(dumps) == 6
    for dump in dumps:
        assert requests.head(str(dump), timeout=10).status_code == 200, dump
    for example in void.objects(dataset, VOID.exampleResource):
        assert str(example).startswith(ID)
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {"http://www.w3.org/ns/org#", "https://w3id.org/asu/ontology#"} <= vocabularies
    assert (
        requests.get(server + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200
    )


@pytest.mark.parametrize("path", ["/.well-known/void", "/void", "/catalog"])
def test_rdf_documents_negotiate(server: str, path: str) -> None:
    sizes = set()
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = requests.get(server + path, headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200, (path, accept)
        assert response.headers["Content-Type"].startswith(accept)
        assert "Accept" in response.headers["Vary"]
        sizes.add(len(Graph().parse(data=response.content, format=fmt)))
    assert len(sizes) == 1  # the same triples in every format
    refused = requests.get(server + path, headers={"Accept": "image/png"}, timeout=10)
    assert refused.status_code == 406 and "text/turtle" in refused.text
    bad = requests.get(server + path, params={"format": "pdf"}, timeout=10)
    assert bad.status_code == 406 and "format=" in bad.text


def shapes_dcat_ap() -> Graph:
    if not (DCAT_AP / "dcat-ap-SHACL.ttl").is_file():
        pytest.skip(
            f"DCAT-AP 3.0.1 shapes not found in {DCAT_AP}: copy dcat-ap-SHACL.ttl and "
            "ranges.ttl from the SEMICeu/DCAT-AP repository, releases/3.0.1/shacl/"
        )
    shapes = Graph()
    shapes.parse(DCAT_AP / "dcat-ap-SHACL.ttl", format="turtle")
    shapes.parse(DCAT_AP / "ranges.ttl", format="turtle")
    # The 3.0.1 files name a few property shapes they never define (SEMICeu/DCAT-AP
    # issue 448); engines refuse such references, and they constrain nothing.
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, SH.path, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


def assert_dcat_ap(catalog: Graph) -> None:
    from pyshacl import validate

    conforms, _, text = validate(catalog, shacl_graph=shapes_dcat_ap(), inference="none")
    assert conforms, text


def test_dcat_catalogue_passes_dcat_ap_3(server: str) -> None:
    response = requests.get(server + "/catalog", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    catalog = Graph().parse(data=response.content, format="turtle")
    assert_dcat_ap(catalog)


def test_dcat_distributions_match_the_downloads(server: str) -> None:
    catalog = Graph().parse(server + "/catalog", format="turtle")
    root = next(catalog.subjects(RDF.type, DCAT.Catalog))
    datasets = set(catalog.objects(root, DCAT.dataset))
    living = next(d for d in datasets if (d, DCTERMS.isVersionOf, None) not in catalog)
    assert catalog.value(living, DCAT.version) is not None
    assert catalog.value(living, DCTERMS.publisher) is not None
    files = {row["url"]: row for row in index(server)["files"]}
    seen = set()
    for dist in catalog.objects(living, DCAT.distribution):
        url = catalog.value(dist, DCAT.downloadURL)
        if url is None:  # the endpoint, reached through its data service
            assert catalog.value(dist, DCAT.accessService) is not None
            continue
        row = files[str(url)]
        seen.add(str(url))
        size = catalog.value(dist, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == row["bytes"]
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == row["sha256"]
        media = str(catalog.value(dist, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
    assert seen == set(files)
    service = next(catalog.subjects(DCAT.endpointURL, URIRef(server + "/sparql")))
    assert (service, RDF.type, DCAT.DataService) in catalog
    assert catalog.value(service, DCAT.servesDataset) == living
    assert (root, DCAT.service, service) in catalog
    assert catalog.value(living, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_sitemap_points_crawlers_at_pages_dumps_and_endpoint(server: str) -> None:
    response = requests.get(server + "/sitemap.xml", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    tree = ET.fromstring(response.content)
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "sc": "http://sw.deri.org/2007/07/sitemapextension/scschema.xsd",
    }
    locations = {loc.text for loc in tree.findall("s:url/s:loc", ns)}
    assert server + "/page/mnhn" in locations and server + "/" in locations
    dataset = tree.find("sc:dataset", ns)
    assert dataset.find("sc:sparqlEndpointLocation", ns).text == server + "/sparql"
    assert dataset.find("sc:linkedDataPrefix", ns).text == server + "/id/"
    dumps = {d.text for d in dataset.findall("sc:dataDumpLocation", ns)}
    assert server + "/download/asu.nt" in dumps and len(dumps) == 6
    robots = requests.get(server + "/robots.txt", timeout=10)
    assert robots.status_code == 200
    assert f"Sitemap: {server}/sitemap.xml" in robots.text


@pytest.mark.parametrize("path", ["/void", "/catalog"])
def test_browsers_get_readable_documents(server: str, path: str) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(server + path, headers={"Accept": browser}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "format=json-ld" in response.text and "&lt;https://w3id.org/asu/" in response.text
    # In the site's layout: scripts are files only (the policy forbids inline script).
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", response.text))
    assert 'class="site"' in response.text
    plain = requests.get(server + path, headers={"Accept": "*/*"}, timeout=10)
    assert plain.headers["Content-Type"].startswith("text/turtle")


def test_statistics_are_the_same_through_every_embedded_store() -> None:
    # VoID numbers are asked with SPARQL, so any store must give the same ones.
    from asu_graph.config import Settings
    from asu_graph.publication import prepare
    from asu_graph.publishing.stats import compute_stats

    found = []
    for store in ("oxigraph", "memory"):
        publication = prepare(Settings.from_env(store=store))
        found.append(compute_stats(publication.store, publication.settings))
    assert found[0] == found[1]
    assert found[0].triples > 0 and found[0].graphs
