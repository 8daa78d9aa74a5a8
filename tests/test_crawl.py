"""A crawler's walk over the server started exactly as the README says.

``asu-graph serve`` from an empty working directory, no settings, no
``--out-dir`` (only a free port): every link of every page and every IRI of
the project's namespace, in HTML, Turtle, JSON-LD, RDF/XML and N-Triples,
answers 2xx or 303; every RDF body parses; every HTML representation of a
resource links its RDF alternates; every download matches its checksum. Then
the same after two ``asu-graph release`` runs in that directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests
from rdflib import Dataset, Namespace, URIRef
from rdflib.namespace import DCAT

from asu_graph.config import DEFAULT_BASE, Settings

from .support import ROOT, free_port, stop, wait_for_http

pytestmark = pytest.mark.slow

# Accept headers of the clients that meet the IRIs: a browser, then RDF clients.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_ACCEPTS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SPDX = Namespace("http://spdx.org/rdf/terms#")
RDF_PARSERS = {**RDF_ACCEPTS, "application/trig": "trig", "application/n-quads": "nquads"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.alternates: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        for name in ("href", "src"):
            if found.get(name):
                self.hrefs.append(found[name])
        if tag == "link" and "alternate" in found.get("rel", "").split():
            self.alternates.append((found.get("type", ""), found.get("href", "")))


def test_settings_folders_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"ASU_OUT_DIR": "build", "ASU_YASGUI_DIR": "~/yasgui"})
    assert settings.out_dir == tmp_path / "build"
    assert settings.yasgui_dir.is_absolute() and "~" not in str(settings.yasgui_dir)
    for folder in (settings.data_dir, settings.ontology_dir, settings.queries_dir):
        assert folder.is_absolute()
    # The default too, and a later change of directory does not move it.
    default = Settings.from_env({})
    monkeypatch.chdir("/")
    assert default.out_dir == tmp_path / "build"


def _serve(cwd: Path, port: int) -> subprocess.Popen:
    # The README's command; the console script of this environment, no --out-dir.
    script = shutil.which("asu-graph", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "asu_graph"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASU_")}
    log = (cwd.parent / f"serve-{port}.log").open("wb")
    return subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _release(cwd: Path, version: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASU_")}
    done = subprocess.run(
        [sys.executable, "-m", "asu_graph", "release", "--version", version],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    cwd = tmp_path_factory.mktemp("crawl") / "empty"
    cwd.mkdir()
    port = free_port()
    process = _serve(cwd, port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/sparql?query=ASK%7B%7D", timeout=180, process=process)
        yield url, cwd
    finally:
        stop(process)


class Crawler:
    def __init__(self, root: str) -> None:
        self.root = root
        self.session = requests.Session()
        self.problems: list[str] = []
        self.seen_links: set[str] = set()
        self.seen_iris: set[str] = set()
        self.links: list[str] = []
        self.iris: list[str] = []
        self.checked_downloads = 0
        self.rdf_bodies = 0
        # DCAT's word on each download: URL -> SHA-256 (spdx:checksum).
        self.dcat_checksums: dict[str, str] = {}

    # -- queueing --------------------------------------------------------------
    def link(self, url: str) -> None:
        url = urldefrag(url)[0]
        if not url.startswith(self.root + "/") or url in self.seen_links:
            return
        self.seen_links.add(url)
        self.links.append(url)

    def iri(self, iri: str) -> None:
        iri = urldefrag(iri)[0]
        if iri.startswith(DEFAULT_BASE):
            local = iri[len(DEFAULT_BASE) :]
            if local == "" or local.startswith("download/"):
                # Release files name their locations under the base (no request
                # told them the host): documents, fetched as they are.
                self.link(self.root + "/" + local)
            elif iri not in self.seen_iris:
                self.seen_iris.add(iri)
                self.iris.append(iri)
        elif iri.startswith(self.root + "/"):
            self.link(iri)

    # -- fetching ----------------------------------------------------------------
    def get(self, url: str, accept: str, hops: int = 5) -> requests.Response | None:
        """Follow 303s only; anything but 2xx or 303 is a problem."""
        for _ in range(hops):
            response = self.session.get(
                url, headers={"Accept": accept}, allow_redirects=False, timeout=60
            )
            if response.status_code == 303:
                url = urljoin(url, response.headers["Location"])
                continue
            if not 200 <= response.status_code < 300:
                self.problems.append(
                    f"{response.status_code} {url} (Accept: {accept}): {response.text[:120]!r}"
                )
                return None
            return response
        self.problems.append(f"redirect loop at {url}")
        return None

    def page(self, response: requests.Response, must_have_rdf: bool) -> None:
        parser = _Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            self.link(urljoin(response.url, href))
        rdf = [(t, h) for t, h in parser.alternates if t in RDF_PARSERS]
        for _, href in rdf:
            self.link(urljoin(response.url, href))
        if must_have_rdf and not rdf:
            self.problems.append(f"HTML page {response.url} links no RDF alternate")

    def rdf(self, response: requests.Response) -> None:
        media = response.headers.get("Content-Type", "").split(";")[0].strip()
        graph = Dataset()
        try:
            graph.parse(data=response.content, format=RDF_PARSERS[media], publicID=response.url)
        except Exception as exc:  # noqa: BLE001 - every parser error is a finding
            self.problems.append(f"{response.url} ({media}) does not parse: {exc}")
            return
        self.rdf_bodies += 1
        for dist, url in graph.subject_objects(DCAT.downloadURL):
            for checksum in graph.objects(dist, SPDX.checksum):
                for value in graph.objects(checksum, SPDX.checksumValue):
                    self.dcat_checksums[self.located(str(url))] = str(value)
        for quad in graph.quads():
            for term in quad:
                if isinstance(term, URIRef):
                    self.iri(str(term))

    def visit_iri(self, iri: str) -> None:
        url = self.root + "/" + iri[len(DEFAULT_BASE) :]
        response = self.get(url, BROWSER)
        if response is not None:
            if not response.headers["Content-Type"].startswith("text/html"):
                self.problems.append(f"{iri} gives a browser {response.headers['Content-Type']}")
            else:
                self.page(response, must_have_rdf=True)
        for accept in RDF_ACCEPTS:
            response = self.get(url, accept)
            if response is None:
                continue
            media = response.headers.get("Content-Type", "").split(";")[0].strip()
            if media != accept:
                self.problems.append(f"{iri} asked as {accept} gives {media}")
            if media in RDF_PARSERS:
                self.rdf(response)

    def visit_link(self, url: str) -> None:
        response = self.get(url, BROWSER)
        if response is None:
            return
        media = response.headers.get("Content-Type", "").split(";")[0].strip()
        if media == "text/html":
            # Pages of data link it; the query page is a tool (a curated query's
            # page links the query's description, checked as an IRI).
            path = urlsplit(response.url).path
            self.page(response, must_have_rdf=not path.startswith("/query"))
        elif media in RDF_PARSERS:
            self.rdf(response)

    def run(self, limit: int = 20000) -> None:
        self.link(self.root + "/")
        self.link(self.root + "/sitemap.xml")
        for path in ("/robots.txt", "/.well-known/void", "/catalog", "/sparql"):
            self.link(self.root + path)
        steps = 0
        while (self.links or self.iris) and steps < limit:
            steps += 1
            if self.iris:
                self.visit_iri(self.iris.pop())
            else:
                url = self.links.pop()
                if url.endswith("/sitemap.xml"):
                    self.sitemap(url)
                else:
                    self.visit_link(url)
        assert steps < limit, "the crawl did not end"

    def sitemap(self, url: str) -> None:
        response = self.get(url, "application/xml")
        if response is None:
            return
        for found in re.findall(
            r"<(?:loc|sc:datasetURI|sc:dataDumpLocation|"
            r"sc:sparqlEndpointLocation)>([^<]+)<",
            response.text,
        ):
            self.iri(found.strip())

    def located(self, url: str) -> str:
        """A URL under the canonical base (written in release files) on this server."""
        return self.root + "/" + url[len(DEFAULT_BASE) :] if url.startswith(DEFAULT_BASE) else url

    def dcat_downloads(self) -> None:
        """Every download the DCAT documents list has the SHA-256 they give it."""
        for url, digest in sorted(self.dcat_checksums.items()):
            body = self.session.get(url, timeout=60)
            if body.status_code != 200:
                self.problems.append(f"{body.status_code} {url} (a DCAT downloadURL)")
            elif hashlib.sha256(body.content).hexdigest() != digest:
                self.problems.append(f"{url}: SHA-256 differs from its DCAT spdx:checksum")

    def downloads(self, index: str) -> None:
        """Every file an index lists has the bytes and SHA-256 it says (also SHA256SUMS)."""
        listing = self.session.get(index, headers={"Accept": "application/json"}, timeout=30)
        assert listing.status_code == 200, listing.text
        payload = listing.json()
        for entry in payload["files"]:
            body = self.session.get(entry["url"], timeout=60)
            if body.status_code != 200:
                self.problems.append(f"{body.status_code} {entry['url']}: {body.text[:120]!r}")
                continue
            self.checked_downloads += 1
            if hashlib.sha256(body.content).hexdigest() != entry["sha256"]:
                self.problems.append(f"{entry['url']}: SHA-256 differs from the index")
            if len(body.content) != entry["bytes"]:
                self.problems.append(f"{entry['url']}: size differs from the index")
        sums = self.session.get(index + "SHA256SUMS", timeout=30)
        assert sums.status_code == 200, sums.text
        listed = {e["name"]: e["sha256"] for e in payload["files"]}
        for line in sums.text.splitlines():
            digest, name = line.split(maxsplit=1)
            name = name.lstrip("*")
            if name in listed and listed[name] != digest:
                self.problems.append(f"SHA256SUMS and the index disagree on {name}")


def _crawl(root: str) -> Crawler:
    crawler = Crawler(root)
    crawler.run()
    crawler.downloads(root + "/download/")
    releases = requests.get(
        root + "/download/releases/", headers={"Accept": "application/json"}, timeout=30
    ).json()
    for release in releases["releases"]:
        crawler.downloads(release["url"])
    crawler.dcat_downloads()
    return crawler


def test_crawl_with_the_readme_defaults(readme_server: tuple[str, Path]) -> None:
    root, cwd = readme_server
    crawler = _crawl(root)
    assert not crawler.problems, "\n".join(crawler.problems[:40])
    # The walk reached what a harvester looks for (a guard against an empty crawl).
    for iri in (
        "https://w3id.org/asu/dataset",
        "https://w3id.org/asu/id/mnhn",
        "https://w3id.org/asu/publisher",
        "https://w3id.org/asu/contact",
        "https://w3id.org/asu/service/sparql",
        "https://w3id.org/asu/service/fragments",
        "https://w3id.org/asu/dataset/distribution/asu.ttl",
    ):
        assert iri in crawler.seen_iris, iri
    assert crawler.checked_downloads >= 12 and crawler.rdf_bodies > 100
    assert len(crawler.dcat_checksums) >= 12
    # The dumps were written where the README says: build/ in the working directory.
    assert (cwd / "build" / "latest" / "asu.ttl").is_file()

    # Two releases, written from the same folder with no settings, while it serves.
    _release(cwd, "2026.1")
    _release(cwd, "2026.2")
    crawler = _crawl(root)
    assert not crawler.problems, "\n".join(crawler.problems[:40])
    for iri in (
        "https://w3id.org/asu/dataset/release/2026.1",
        "https://w3id.org/asu/dataset/release/2026.2",
        "https://w3id.org/asu/dataset/release/2026.2/asu.nt",
    ):
        assert iri in crawler.seen_iris, iri
    assert crawler.checked_downloads >= 36 and len(crawler.dcat_checksums) >= 36


def test_unknown_catalogue_iris_are_404_in_the_asked_representation(
    readme_server: tuple[str, Path],
) -> None:
    root, _ = readme_server
    for path in ("/dataset/distribution/nothing.ttl", "/dataset/release/0.0", "/service/nothing"):
        response = requests.get(
            root + path, headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30
        )
        assert response.status_code == 404, path
        assert response.headers["Content-Type"].startswith("text/turtle")
        assert "Not found" in response.text
    browser = requests.get(root + "/dataset/release/0.0", headers={"Accept": BROWSER}, timeout=30)
    assert browser.status_code == 404 and browser.headers["Content-Type"].startswith("text/html")


def test_a_dataset_iri_names_a_thing_and_sees_other(readme_server: tuple[str, Path]) -> None:
    root, _ = readme_server
    for accept, media in (
        ("text/turtle; charset=utf-8", "text/turtle"),
        (BROWSER, "text/html"),
        ("application/ld+json", "application/ld+json"),
    ):
        response = requests.get(
            root + "/dataset", headers={"Accept": accept}, allow_redirects=False, timeout=30
        )
        assert response.status_code == 303 and "Accept" in response.headers["Vary"]
        target = requests.get(
            urljoin(root + "/dataset", response.headers["Location"]),
            headers={"Accept": accept},
            timeout=30,
        )
        assert target.headers["Content-Type"].split(";")[0] == media
        if media != "text/html":
            graph = Dataset().parse(data=target.content, format=RDF_PARSERS[media])
            assert (URIRef(DEFAULT_BASE + "dataset"), None, None) in graph
    assert urlsplit(root).hostname == "127.0.0.1"


def test_the_readmes_comunica_example_runs_as_written(readme_server: tuple[str, Path]) -> None:
    """The README's ``npx`` line, pinned to Comunica 4, over this server's fragments."""
    root, _ = readme_server
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"`(npx -p @comunica/query-sparql@4 comunica-sparql) "
        r"http://127\.0\.0\.1:8000/fragments '",
        readme,
    )
    assert found, "the README's Comunica example is not pinned to version 4"
    query = (
        "SELECT ?m WHERE { <https://w3id.org/asu/id/alliance-sorbonne-universite> "
        "<http://www.w3.org/ns/org#hasMember> ?m }"
    )
    # npm resolves the pinned package from package-lock.json's node_modules or its cache.
    env = {**os.environ, "npm_config_offline": "true"}
    process = subprocess.Popen(
        [*found.group(1).split(), root + "/fragments", query],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=180)
    finally:
        stop(process)
    assert process.returncode == 0, err[-2000:]
    members = set(re.findall(r"https://w3id\.org/asu/id/[a-z0-9-]+", out))
    assert "https://w3id.org/asu/id/mnhn" in members and len(members) == 6, out[-2000:]
