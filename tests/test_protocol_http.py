"""HTTP around the protocol, on live servers: content negotiation (q-values,
?format=, 406), charset and Vary, ETag / 304 / Cache-Control, gzip, CORS (with a
real cross-origin browser request), the service description, the query log,
and production serving under Granian (--workers / --threads) versus --dev.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from .support import asu_server, free_port, stop, wait_for_http

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ID = "https://w3id.org/asu/id/"
ALLIANCE_GRAPH = "https://w3id.org/asu/graph/alliance"
MEMBERS_QUERY = (
    f"SELECT ?m WHERE {{ <{ID}alliance-sorbonne-universite> "
    "<http://www.w3.org/ns/org#hasMember> ?m }"
)
CONSTRUCT = (
    f"CONSTRUCT {{ ?m <http://www.w3.org/ns/org#memberOf> ?a }} WHERE {{ "
    f"BIND(<{ID}alliance-sorbonne-universite> AS ?a) ?a "
    "<http://www.w3.org/ns/org#hasMember> ?m }"
)


def _get(server: str, query: str, accept: str | None = None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(f"{server}/sparql", params={"query": query, **params}, headers=headers)


# -- negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (MEMBERS_QUERY, None, "application/sparql-results+json"),
        (MEMBERS_QUERY, "*/*", "application/sparql-results+json"),
        (MEMBERS_QUERY, "application/json", "application/sparql-results+json"),
        (
            MEMBERS_QUERY,
            "text/csv;q=0.4, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
        ),
        (
            MEMBERS_QUERY,
            "application/sparql-results+json;q=0, */*;q=0.1",
            "application/sparql-results+xml",
        ),
        (MEMBERS_QUERY, "text/*", "text/csv"),
        (MEMBERS_QUERY, "text/tab-separated-values", "text/tab-separated-values"),
        ("ASK {}", "application/sparql-results+xml", "application/sparql-results+xml"),
        (CONSTRUCT, None, "text/turtle"),
        (CONSTRUCT, "application/ld+json", "application/ld+json"),
        (CONSTRUCT, "application/rdf+xml;q=0.5, application/n-triples", "application/n-triples"),
        (CONSTRUCT, "text/turtle;q=0, application/*;q=0.5", "application/ld+json"),
        (CONSTRUCT, "application/x-turtle", "text/turtle"),
        (CONSTRUCT, "text/plain", "application/n-triples"),
        # A browser's Accept: no HTML here, so the */* range picks the default.
        (
            CONSTRUCT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/rdf+xml",
        ),
    ],
)
def test_accept_with_q_values(server: str, query: str, accept: str | None, expected: str) -> None:
    response = _get(server, query, accept)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "fmt", "expected"),
    [
        (MEMBERS_QUERY, "json", "application/sparql-results+json"),
        (MEMBERS_QUERY, "xml", "application/sparql-results+xml"),
        (MEMBERS_QUERY, "csv", "text/csv"),
        (MEMBERS_QUERY, "tsv", "text/tab-separated-values"),
        (MEMBERS_QUERY, "application/sparql-results+xml", "application/sparql-results+xml"),
        (CONSTRUCT, "xml", "application/rdf+xml"),  # same word, graph answer
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "ttl", "text/turtle"),
        (CONSTRUCT, "nt", "application/n-triples"),
        (CONSTRUCT, "trig", "application/trig"),
        (CONSTRUCT, "nquads", "application/n-quads"),
    ],
)
def test_format_parameter_wins_over_accept(
    server: str, query: str, fmt: str, expected: str
) -> None:
    for param in ("format", "output"):
        response = _get(server, query, "image/png", **{param: fmt})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == f"{expected}; charset=utf-8"


def test_format_parameter_in_a_form_post(server: str) -> None:
    response = requests.post(f"{server}/sparql", data={"query": MEMBERS_QUERY, "format": "csv"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.text.splitlines()[0] == "m"


@pytest.mark.parametrize(
    ("query", "accept", "params", "offered"),
    [
        (MEMBERS_QUERY, "image/png", {}, "application/sparql-results+json"),
        (MEMBERS_QUERY, "text/turtle", {}, "text/csv"),
        (CONSTRUCT, "text/csv", {}, "application/n-quads"),
        (MEMBERS_QUERY, None, {"format": "yaml"}, "text/tab-separated-values"),
    ],
)
def test_406_lists_what_is_offered(
    server: str, query: str, accept: str | None, params: dict, offered: str
) -> None:
    response = _get(server, query, accept, **params)
    assert response.status_code == 406
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Not acceptable" in response.text and offered in response.text


# -- ETag, 304, Cache-Control -----------------------------------------------------------------


def test_etag_and_304(server: str) -> None:
    plain = {"Accept-Encoding": "identity"}
    first = requests.get(f"{server}/sparql", params={"query": MEMBERS_QUERY}, headers=plain)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Last-Modified"]
    assert "max-age=300" in first.headers["Cache-Control"]
    again = requests.get(
        f"{server}/sparql",
        params={"query": MEMBERS_QUERY},
        headers={**plain, "If-None-Match": etag},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    # The ETag follows the request: another format, dataset or query is another entity.
    others = {
        _get(server, MEMBERS_QUERY, "text/csv").headers["ETag"],
        _get(server, MEMBERS_QUERY, None, **{"default-graph-uri": ALLIANCE_GRAPH}).headers["ETag"],
        _get(server, MEMBERS_QUERY + " LIMIT 2").headers["ETag"],
    }
    assert len(others) == 3 and all(other.strip("W/") != etag for other in others)
    changed = requests.get(
        f"{server}/sparql",
        params={"query": MEMBERS_QUERY},
        headers={"Accept": "text/csv", "If-None-Match": etag},
    )
    assert changed.status_code == 200


def test_304_for_a_gzip_client(server: str) -> None:
    first = requests.get(
        f"{server}/sparql", params={"query": MEMBERS_QUERY}, headers={"Accept-Encoding": "gzip"}
    )
    assert first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # the gzip bytes are another representation
    again = requests.get(
        f"{server}/sparql",
        params={"query": MEMBERS_QUERY},
        headers={"Accept-Encoding": "gzip", "If-None-Match": etag},
    )
    assert again.status_code == 304


def test_gzip_only_when_asked(server: str) -> None:
    raw = requests.get(
        f"{server}/sparql",
        params={"query": CONSTRUCT},
        headers={"Accept-Encoding": "gzip", "Accept": "application/n-triples"},
        stream=True,
    )
    compressed = raw.raw.read(decode_content=False)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in raw.headers["Vary"] and "Accept" in raw.headers["Vary"]
    assert int(raw.headers["Content-Length"]) == len(compressed)
    assert len(gzip.decompress(compressed).decode("utf-8").strip().splitlines()) == 6
    plain = requests.get(
        f"{server}/sparql",
        params={"query": CONSTRUCT},
        headers={"Accept-Encoding": "identity", "Accept": "application/n-triples"},
    )
    assert "Content-Encoding" not in plain.headers
    refused = requests.get(
        f"{server}/sparql", params={"query": CONSTRUCT}, headers={"Accept-Encoding": "gzip;q=0"}
    )
    assert "Content-Encoding" not in refused.headers


# -- CORS --------------------------------------------------------------------------------------


def test_cors_headers_and_preflight(server: str) -> None:
    origin = {"Origin": "https://notebook.example"}
    response = requests.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=origin)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = requests.options(
        f"{server}/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-client",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    # Errors carry it too, so a browser script can read the message.
    bad = requests.get(f"{server}/sparql", params={"query": "ASK {"}, headers=origin)
    assert bad.status_code == 400 and bad.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.browser
def test_browser_on_another_origin_can_query(server: str, browser, tmp_path: Path) -> None:
    """Chromium, on a page from another origin, POSTs a query (preflighted) and reads it."""
    (tmp_path / "index.html").write_text("<!doctype html><title>other origin</title>")
    port = free_port()
    other = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/index.html", process=other)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/index.html")
        result = page.evaluate(
            """async ([url, query]) => {
            const response = await fetch(url, {method: "POST", body: query, headers: {
                "Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json"}});
            return [response.status, await response.json()];
        }""",
            [f"{server}/sparql", MEMBERS_QUERY],
        )
        page.close()
    finally:
        stop(other)
    status, data = result
    assert status == 200
    assert len(data["results"]["bindings"]) == 6


# -- the service description --------------------------------------------------------------------


def _count(server: str, query: str, **params: str) -> int:
    data = _get(server, query, "application/sparql-results+json", **params).json()
    return int(data["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        (None, "turtle"),
    ],
)
def test_service_description(server: str, accept: str | None, fmt: str) -> None:
    response = requests.get(f"{server}/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["Content-Type"].endswith("; charset=utf-8")
    assert "Accept" in response.headers["Vary"] and response.headers["ETag"]
    graph = Graph().parse(data=response.text, format=fmt)
    endpoint = URIRef(f"{server}/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    result_formats = set(graph.objects(endpoint, SD.resultFormat))
    assert {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["JSON-LD"],
        FORMATS["N-Triples"],
        FORMATS.RDF_XML,
        FORMATS.TriG,
        FORMATS["N-Quads"],
    } == result_formats
    # The default dataset with its VoID statistics, equal to what queries count.
    dataset = graph.value(endpoint, SD.defaultDataset)
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples) == Literal(
        _count(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    )
    assert graph.value(default, VOID.distinctSubjects) == Literal(
        _count(server, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }")
    )
    names = {
        str(graph.value(n, SD.name)): graph.value(graph.value(n, SD.graph), VOID.triples)
        for n in graph.objects(dataset, SD.namedGraph)
    }
    assert "https://w3id.org/asu/ontology" in names
    assert names[ALLIANCE_GRAPH] == Literal(
        _count(server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ALLIANCE_GRAPH}> {{ ?s ?p ?o }} }}")
    )
    assert len(names) == _count(
        server, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    )


def test_service_description_conditional_and_406(server: str) -> None:
    first = requests.get(f"{server}/sparql", headers={"Accept": "text/turtle"})
    again = requests.get(
        f"{server}/sparql",
        headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    refused = requests.get(f"{server}/sparql", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "text/turtle" in refused.text


# -- production serving, the query log, the union setting ------------------------------------


def _log_records(path: Path) -> list[dict]:
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{") and '"query_sha256"' in line:
            records.append(json.loads(line))
    return records


def test_server_workers_threads_log_and_separate_default_graph(tmp_path: Path) -> None:
    env = {"ASU_UNION_DEFAULT_GRAPH": "false", "ASU_LOG_LEVEL": "info"}
    with asu_server(tmp_path, "--workers", "3", "--threads", "2", env=env) as url:
        port = url.rsplit(":", 1)[1]
        rows = _get(url, MEMBERS_QUERY, "application/sparql-results+json")
        assert rows.headers["Server"].startswith("granian")
        # The default graph is now its own (empty) graph, and the description says so.
        assert rows.json()["results"]["bindings"] == []
        in_graph = _get(url, MEMBERS_QUERY.replace("WHERE {", "WHERE { GRAPH ?g {") + " }")
        assert len(in_graph.json()["results"]["bindings"]) == 6
        description = Graph().parse(data=requests.get(f"{url}/sparql").text, format="turtle")
        assert (URIRef(f"{url}/sparql"), SD.feature, SD.UnionDefaultGraph) not in description
        assert _get(url, "ASK {").status_code == 400
        log = tmp_path / f"serve-{port}.log"
        # Workers boot one after the other; the first answer can come before
        # the last one has logged, so wait for the main process's lines.
        deadline = time.monotonic() + 30
        while True:
            text = log.read_text(errors="replace")
            workers = {
                line.rsplit(":", 1)[1].strip()
                for line in text.splitlines()
                if "Spawning worker-" in line and "PID:" in line
            }
            if len(workers) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(workers) == 3
        assert "3 workers x 2 threads" in text
        for pid in workers:  # live children of the serving process
            stat = Path(f"/proc/{pid}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            assert Path(f"/proc/{parent}/cmdline").read_bytes().find(b"asu_graph") >= 0
    records = _log_records(log)
    select = next(r for r in records if r["query"] == MEMBERS_QUERY and r["status"] == 200)
    assert select["method"] == "GET" and select["kind"] == "SELECT"
    assert select["result_size"] == 0 and select["bytes"] > 0
    assert isinstance(select["duration_ms"], float) and select["time"].endswith("Z")
    graph_rows = next(r for r in records if "GRAPH ?g" in r["query"])
    assert graph_rows["result_size"] == 6
    bad = next(r for r in records if r["query"] == "ASK {")
    assert bad["status"] == 400 and bad["result_size"] is None
    # One line per query (the readiness probe's ASK{} included); the service
    # description is not a query and is not logged.
    assert len(records) == 4 and sum(r["query"] == "ASK{}" for r in records) == 1


def test_dev_flag_runs_the_flask_development_server(tmp_path: Path) -> None:
    with asu_server(tmp_path, "--dev") as url:
        response = _get(url, MEMBERS_QUERY)
        assert response.headers["Server"].startswith("Werkzeug")
        assert len(response.json()["results"]["bindings"]) == 6
