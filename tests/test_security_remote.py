"""A replica in front of a real store, attacked: vendor functions and other graphs.

For each store (Oxigraph server and Virtuoso 7, started on 127.0.0.1 and
stopped by PID) the bundled data is published as a release, then the store is
given graphs that are not part of it, holding a secret literal: a private
graph, a graph named like an unpublished release, and (Oxigraph) the store's
own default graph. ``asu-graph serve --store`` runs in front of it, through a
recording proxy that keeps every request the app sends to the store, and a
listener on 127.0.0.1 counts every connection a store might be tricked into
opening.

Checked: vendor functions (``bif:http_get``, ``bif:exec``, ``sql:``...) in
many spellings are refused (400 on /sparql, with a message naming them) and
the listener gets no connection, while sent straight to
Virtuoso the first one does connect (the listener works, the attack is real);
dataset tricks never return the secret; and every query the store received
carried a protocol dataset made of the release's graphs only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from asu_graph.store.releases import pointer_query

from .adversarial.listener import Listener
from .adversarial.service_corpus import corpus
from .stores import OxigraphServer, StoreProcess, Virtuoso
from .support import free_port, run_cli, stop, wait_for_http

BASE = "https://w3id.org/asu/"
SECRET = "SECRET-7f3a-not-published"
PRIVATE = "http://private.example/graph/secret"
FAKE_RELEASE = BASE + "graph/release/unpublished/graph/ibees"
RESULTS_JSON = "application/sparql-results+json"


# -- helpers shared with test_security_remote_bounds.py ------------------------------------


@dataclass
class Seen:
    """One request the app sent to the store."""

    method: str
    query: str
    default_graphs: list[str]
    named_graphs: list[str]


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that keeps the SPARQL requests passing to ``upstream``."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = f"{parts.scheme}://{parts.netloc}"  # requests keep their path
        self.seen: list[Seen] = []
        proxy = self
        session = requests.Session()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: object) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                params = parse_qs(urlsplit(self.path).query)
                if self.headers.get("Content-Type", "").startswith(
                    "application/x-www-form-urlencoded"
                ):
                    for key, values in parse_qs(body.decode()).items():
                        params.setdefault(key, []).extend(values)
                if "query" in params:
                    proxy.seen.append(
                        Seen(
                            self.command,
                            params["query"][0],
                            params.get("default-graph-uri", []),
                            params.get("named-graph-uri", []),
                        )
                    )
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                answer = session.request(
                    self.command,
                    proxy.upstream + self.path,
                    data=body or None,
                    headers=headers,
                    timeout=60,
                )
                content = answer.content
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "content-encoding",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}" + urlsplit(upstream).path
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serve_app(
    folder: Path, store_url: str, env: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``asu-graph serve --store URL`` on a free port: its URL and its process."""
    port = free_port()
    log = open(folder / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "asu_graph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--out-dir",
            str(folder / f"out-{port}"),
            "--store",
            store_url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/sparql?query=ASK%7B%7D", timeout=120, process=process)
        yield url, process
    finally:
        stop(process)
        log.close()


def group_rss_kib(pgid: int) -> int:
    """Resident memory of every process in a process group, in KiB (from /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return total


def publish(store: StoreProcess, env: dict[str, str]) -> str:
    done = run_cli(
        "publish", "--to", store.gsp_url, "--query-url", store.query_url, "--grace", "0", env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def store_env(store: StoreProcess) -> dict[str, str]:
    return (
        {"ASU_STORE_USER": "dba", "ASU_STORE_PASSWORD": "dba"}
        if isinstance(store, Virtuoso)
        else {}
    )


def add_private_graphs(store: StoreProcess) -> None:
    """Graphs that are no part of any release, each holding the secret."""
    triples = f'<http://private.example/s> <http://private.example/p> "{SECRET}"'
    update = (
        f"INSERT DATA {{ GRAPH <{PRIVATE}> {{ {triples} }} "
        f"GRAPH <{FAKE_RELEASE}> {{ {triples} }} }}"
    )
    if isinstance(store, Virtuoso):
        store.isql(f"SPARQL {update};")
        return
    for text in (update, f"INSERT DATA {{ {triples} }}"):  # also Oxigraph's default graph
        answer = requests.post(store.base_url + "/update", data={"update": text}, timeout=30)
        assert answer.status_code in (200, 204), answer.text


def secret_is_there(store: StoreProcess) -> bool:
    """The secret, asked of the store directly (so its absence elsewhere means something)."""
    answer = requests.post(
        store.query_url,
        data={"query": f'ASK {{ GRAPH <{PRIVATE}> {{ ?s ?p "{SECRET}" }} }}'},
        headers={"Accept": RESULTS_JSON},
        timeout=30,
    )
    return answer.json()["boolean"] is True


# -- the replicas -----------------------------------------------------------------------


@dataclass
class Replica:
    kind: str
    store: StoreProcess
    proxy: RecordingProxy
    app: str
    release: str
    listener: Listener
    extra: dict = field(default_factory=dict)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def replica(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replica]:
    folder = tmp_path_factory.mktemp(f"secure-{request.param}")
    store: StoreProcess = (
        OxigraphServer(folder / "store")
        if request.param == "oxigraph"
        else Virtuoso(folder / "store")
    )
    listener = Listener()
    proxy = None
    store.start()
    try:
        env = store_env(store)
        release = publish(store, env)
        add_private_graphs(store)
        assert secret_is_there(store)
        proxy = RecordingProxy(store.query_url)
        with serve_app(
            folder, proxy.url, {**env, "ASU_WORKERS": "1", "ASU_STORE_RELEASE_TTL": "60"}
        ) as (app, _):
            yield Replica(request.param, store, proxy, app, release, listener)
    finally:
        if proxy is not None:
            proxy.close()
        listener.close()
        store.stop()


def sparql(
    app: str, text: str, method: str = "GET", **params: str | list[str]
) -> requests.Response:
    if method == "GET":
        return requests.get(
            app + "/sparql",
            params={"query": text, **params},
            headers={"Accept": RESULTS_JSON},
            timeout=60,
        )
    if method == "FORM":
        return requests.post(
            app + "/sparql",
            data={"query": text, **params},
            headers={"Accept": RESULTS_JSON},
            timeout=60,
        )
    return requests.post(
        app + "/sparql",
        params=params,
        data=text.encode(),
        headers={"Accept": RESULTS_JSON, "Content-Type": "application/sparql-query"},
        timeout=60,
    )


# -- vendor functions ----------------------------------------------------------------------


def function_spellings(url: str) -> list[tuple[str, str]]:
    """(query, what the refusal names) for Virtuoso's functions, written many ways."""
    get = f"'{url}'"
    bif = "http://www.openlinksw.com/schemas/bif#"
    return [
        (f"SELECT (bif:http_get({get}) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (BIF:HTTP_GET({get}) AS ?x) {{}}", "BIF:HTTP_GET"),
        (f"SELECT (Bif:Http_Get({get}) AS ?x) {{}}", "Bif:Http_Get"),
        (f"SELECT (<bif:http_get>({get}) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (<BIF:HTTP_GET>({get}) AS ?x) {{}}", "BIF:HTTP_GET"),
        (f"SELECT (<{bif}http_get>({get}) AS ?x) {{}}", "http_get"),
        (f"PREFIX b: <bif:> SELECT (b:http_get({get}) AS ?x) {{}}", "bif:http_get"),
        (f"PREFIX bif: <bif:> SELECT (bif:http_get({get}) AS ?x) {{}}", "bif:http_get"),
        (f"PREFIX : <bif:> SELECT (:http_get({get}) AS ?x) {{}}", "bif:http_get"),
        (f"BASE <bif:> SELECT (<http_get>({get}) AS ?x) {{}}", "http_get"),
        (f"SELECT (bif:http_get ({get}) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (bif:http_get#(\n({get}) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (b\\u0069f:http_get({get}) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (sql:http_get({get}) AS ?x) {{}}", "sql:http_get"),
        (f"SELECT (<sql:http_get>({get}) AS ?x) {{}}", "sql:http_get"),
        ("SELECT (bif:exec('create table DB.DBA.ASU_PWNED (a integer)') AS ?x) {}", "bif:exec"),
        (f"SELECT ?x {{ BIND(bif:http_get({get}) AS ?x) }}", "bif:http_get"),
        (f"SELECT * {{ ?s ?p ?o FILTER(bif:http_get({get}) != '') }} LIMIT 1", "bif:http_get"),
        (f"SELECT * {{ ?s ?p ?o FILTER bif:http_get({get}) }} LIMIT 1", "bif:http_get"),
        (f"SELECT * {{ ?s ?p ?o FILTER(STRLEN(bif:http_get({get})) > 0) }}", "bif:http_get"),
        (
            f"SELECT * {{ ?s ?p ?o FILTER EXISTS {{ BIND(bif:http_get({get}) AS ?y) }} }}",
            "bif:http_get",
        ),
        (f"SELECT ?s {{ ?s ?p ?o }} ORDER BY bif:http_get({get}) LIMIT 1", "bif:http_get"),
        (f"SELECT ?s {{ ?s ?p ?o }} ORDER BY DESC(bif:http_get({get})) LIMIT 1", "bif:http_get"),
        (f"SELECT ?x {{ ?s ?p ?o }} GROUP BY (bif:http_get({get}) AS ?x)", "bif:http_get"),
        (
            f"SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o }} GROUP BY ?s HAVING(bif:http_get({get}))",
            "bif:http_get",
        ),
        (f"SELECT * {{ {{ SELECT (bif:http_get({get}) AS ?x) {{}} }} }}", "bif:http_get"),
        (
            f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SELECT ?x {{ BIND(bif:http_get({get}) AS ?x) }} }} "
            f"}} LIMIT 1",
            "bif:http_get",
        ),
        (f"ASK {{ FILTER(bif:http_get({get}) = 'x') }}", "bif:http_get"),
        (
            f"CONSTRUCT {{ ?s ?p ?x }} WHERE {{ ?s ?p ?o BIND(bif:http_get({get}) AS ?x) }}",
            "bif:http_get",
        ),
        (f"SELECT (COALESCE(bif:http_get({get}), 1) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (IF(true, bif:http_get({get}), 0) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT ?x {{ VALUES ?u {{ {get} }} BIND(bif:http_get(?u) AS ?x) }}", "bif:http_get"),
        (
            f"PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:string(bif:http_get("
            f"{get})) AS ?x) {{}}",
            "bif:http_get",
        ),
        (f"SELECT (bif:http_get(CONCAT('{url[:10]}', '{url[10:]}')) AS ?x) {{}}", "bif:http_get"),
        (f"SELECT (bif:sprintf('%s', bif:http_get({get})) AS ?x) {{}}", "bif:sprintf"),
        (f"SELECT * {{ ?s ?p ?o FILTER(?o < <bif:http_get>({get})) }}", "bif:http_get"),
        (
            f"PREFIX bif: <http://example.org/> SELECT * {{ ?s ?p ?o "
            f"FILTER(?o <bif:http_get>({get}) > 1) }}",
            "bif:",
        ),
        (f"SELECT (http_get({get}) AS ?x) {{}}", "http_get"),
        (f'DEFINE get:soft "soft" SELECT * {{ GRAPH <{url}> {{ ?s ?p ?o }} }}', "DEFINE"),
        (f'SELECT * {{ GRAPH <{url}> {{ ?s ?p ?o OPTION (get:soft "soft") }} }}', "OPTION"),
        (f"SELECT * FROM <{url}> {{ ?s ?p ?o }}", "FROM"),
        (f"SELECT ('x' AS ?y) {{}} # \" bif:http_get({get}) \"", "bif:"),
        (f"SELECT ('bif:http_get({url})' AS ?y) {{}}", "bif:"),
    ]


def _refused(answer: requests.Response, names: str) -> None:
    # /sparql answers every refusal 400, the status whose message SPARQLWrapper shows.
    assert answer.status_code == 400, (answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("text/plain")
    # DEFINE input:... is first of all an undeclared prefix to the guard.
    assert names in answer.text or (names == "DEFINE" and "not declared" in answer.text), (
        answer.text
    )


def test_vendor_functions_never_reach_the_store(replica: Replica) -> None:
    url = f"http://127.0.0.1:{replica.listener.port}/x"
    if replica.kind == "virtuoso":
        # Sent straight to Virtuoso, the first spelling makes it connect: the
        # listener hears it, and the refusals below are what stops it.
        requests.post(
            replica.store.query_url,
            data={"query": function_spellings(url)[0][0]},
            headers={"Accept": RESULTS_JSON},
            timeout=30,
        )
        assert len(replica.listener.connections) == 1
        # bif:exec runs SQL statements given as text.
        direct = requests.post(
            replica.store.query_url,
            data={"query": "SELECT (bif:exec('select 1') AS ?x) {}"},
            timeout=30,
        )
        assert direct.status_code == 200 and "<result>" in direct.text, direct.text[:300]
    before = len(replica.listener.connections)
    seen = len(replica.proxy.seen)
    spellings = function_spellings(url)
    assert len(spellings) >= 30
    methods = ("GET", "FORM", "DIRECT")
    for number, (text, names) in enumerate(spellings):
        answer = sparql(replica.app, text, methods[number % 3])
        _refused(answer, names)
        if names not in ("DEFINE", "FROM"):
            assert "is refused" in answer.text or "namespace" in answer.text, answer.text
    # A researcher's script sees the status and the message.
    client = SPARQLWrapper(replica.app + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(spellings[0][0])
    with pytest.raises(QueryBadFormed) as raised:
        client.queryAndConvert()
    assert "bif:http_get" in str(raised.value)
    time.sleep(1)  # a connection the store might still be opening
    assert len(replica.listener.connections) == before
    forwarded = replica.proxy.seen[seen:]
    assert not [
        s.query
        for s in forwarded
        if any(w in s.query.lower() for w in ("bif", "sql:", "http_get", "define"))
    ]


def test_standard_functions_and_xsd_casts_still_work(replica: Replica) -> None:
    text = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        "SELECT (xsd:integer('7') + STRLEN(UCASE('ab')) AS ?n) "
        "(CONCAT(SUBSTR('abc', 2), LCASE('D')) AS ?s) WHERE {}"
    )
    answer = sparql(replica.app, text)
    assert answer.status_code == 200, answer.text
    row = answer.json()["results"]["bindings"][0]
    assert row["n"]["value"] == "9" and row["s"]["value"] == "bcd"


def test_the_service_corpus_is_refused_and_nothing_connects(replica: Replica) -> None:
    """The independent SERVICE / FROM / LOAD corpus, against the replica."""
    before = len(replica.listener.connections)
    seen = len(replica.proxy.seen)
    entries = corpus(replica.listener.port)
    assert len(entries) >= 150
    failures = []
    for entry in entries:
        method, target, body, headers = entry.request()
        answer = requests.request(
            method, replica.app + target, data=body or None, headers=headers, timeout=60
        )
        if not 400 <= answer.status_code < 500 or not answer.text.strip():
            failures.append(f"{entry.name}: {answer.status_code} {answer.text[:200]!r}")
    time.sleep(1)  # a connection the store might still be opening
    assert not failures, f"{len(failures)} of {len(entries)}:\n" + "\n".join(failures)
    assert len(replica.listener.connections) == before
    # Refused before the store: not one of them was forwarded.
    pointer = pointer_query(BASE)
    assert [s.query for s in replica.proxy.seen[seen:] if s.query != pointer] == []


# -- only the release's graphs ------------------------------------------------------------


def dataset_tricks(replica: Replica) -> list[tuple[str, dict]]:
    """(query, protocol parameters) that try to read graphs outside the release."""
    store = replica.store.query_url
    any_ = "{ ?s ?p ?o }"
    return [
        (f"SELECT * WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {any_} }} GROUP BY ?g", {}),
        (f"SELECT * WHERE {{ GRAPH <{PRIVATE}> {any_} }}", {}),
        (f"SELECT * WHERE {{ GRAPH <{FAKE_RELEASE}> {any_} }}", {}),
        (f"SELECT * WHERE {any_}", {}),
        (f'SELECT * WHERE {{ ?s ?p "{SECRET}" }}', {}),
        ('SELECT * WHERE { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "SECRET")) } }', {}),
        (f"SELECT * FROM <{PRIVATE}> WHERE {any_}", {}),
        (f"SELECT * FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"SELECT * from named <{PRIVATE}> WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"PREFIX p: <http://private.example/graph/> SELECT * FROM p:secret WHERE {any_}", {}),
        (
            f"PREFIX p: <http://private.example/graph/> SELECT * FROM NAMED p:secret "
            f"WHERE {{ GRAPH ?g {any_} }}",
            {},
        ),
        (f"BASE <http://private.example/graph/> SELECT * FROM <secret> WHERE {any_}", {}),
        (f"SELECT * FROM <{FAKE_RELEASE}> WHERE {any_}", {}),
        (
            f"SELECT * FROM <{BASE}graph/ibees> FROM NAMED <{PRIVATE}> WHERE {{ GRAPH ?g {any_} }}",
            {},
        ),
        (f"SELECT * FROM NAMED <{BASE}graph/ibees> WHERE {any_}", {}),
        (f"SELECT * FROM NAMED <{BASE}graph/ibees> WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"SELECT * \\u0046ROM <{PRIVATE}> WHERE {any_}", {}),
        (f"SELECT * FROM <{PRIVATE}\\u003e WHERE {any_}", {}),
        (f"SELECT * WHERE {{ GRAPH ?g {any_} }}", {"default-graph-uri": PRIVATE}),
        (f"SELECT * WHERE {{ GRAPH ?g {any_} }}", {"named-graph-uri": PRIVATE}),
        (f"SELECT * WHERE {any_}", {"default-graph-uri": FAKE_RELEASE}),
        (
            f"SELECT * WHERE {{ GRAPH ?g {any_} }}",
            {"named-graph-uri": [f"{BASE}graph/ibees", PRIVATE]},
        ),
        (f"SELECT * WHERE {{ SERVICE <{store}> {{ GRAPH ?g {any_} }} }}", {}),
        (f"SELECT * WHERE {{ SERVICE SILENT <{store}> {{ GRAPH ?g {any_} }} }}", {}),
        (f"PREFIX s: <{store}> SELECT * WHERE {{ SERVICE s: {{ GRAPH ?g {any_} }} }}", {}),
        (f"SELECT * WHERE {{ BIND(<{store}> AS ?e) SERVICE ?e {{ GRAPH ?g {any_} }} }}", {}),
        (f"DEFINE input:default-graph-uri <{PRIVATE}> SELECT * WHERE {any_}", {}),
        (f"DEFINE input:named-graph-uri <{PRIVATE}> SELECT * WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"SELECT * WHERE {{ GRAPH ?g {any_} }} OPTION (QUIETCAST)", {}),
        (f"SPARQL SELECT * FROM <{PRIVATE}> WHERE {any_}", {}),
        ("DESCRIBE <http://private.example/s>", {}),
        (f'DESCRIBE ?s WHERE {{ GRAPH ?g {{ ?s ?p "{SECRET}" }} }}', {}),
        (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {any_} }}", {}),
        (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{PRIVATE}> WHERE {any_}", {}),
        (f'ASK {{ GRAPH ?g {{ ?s ?p "{SECRET}" }} }}', {}),
        (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{PRIVATE}> {any_} }}", {}),
    ]


def test_the_store_sees_only_the_release_graphs(replica: Replica) -> None:
    start = len(replica.proxy.seen)
    tricks = dataset_tricks(replica)
    for number, (text, params) in enumerate(tricks):
        answer = sparql(replica.app, text, ("GET", "FORM", "DIRECT")[number % 3], **params)
        assert answer.status_code < 500, (text, answer.status_code, answer.text[:300])
        assert SECRET not in answer.text, text
        assert "private.example/graph" not in answer.text or answer.status_code >= 400, text
        if text.startswith("ASK"):
            assert answer.json()["boolean"] is False
    # The ones that ran were each sent with the release's graphs as their dataset.
    pointer = pointer_query(BASE)
    ran = [s for s in replica.proxy.seen[start:] if s.query != pointer]
    assert len(ran) >= 10
    for seen in ran:
        assert seen.default_graphs and seen.named_graphs, seen
        for graph in seen.default_graphs + seen.named_graphs:
            assert graph == replica.release or graph.startswith(replica.release + "/"), seen


def test_published_graphs_still_answer_with_their_own_dataset(replica: Replica) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ibees = f"{BASE}graph/ibees"
    numbers = {}
    for name, text in (
        ("from", f"SELECT (COUNT(*) AS ?n) FROM <{ibees}> WHERE {{ ?s ?p ?o }}"),
        ("graph", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ibees}> {{ ?s ?p ?o }} }}"),
        (
            "named",
            f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ibees}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        ),
        ("named-only", f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ibees}> WHERE {{ ?s ?p ?o }}"),
        ("all", count),
    ):
        answer = sparql(replica.app, text)
        assert answer.status_code == 200, answer.text
        numbers[name] = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert numbers["from"] == numbers["graph"] == numbers["named"] > 0
    assert numbers["named-only"] == 0  # FROM NAMED alone: an empty default graph
    assert numbers["all"] > numbers["from"]


def test_what_the_store_does_with_from_and_a_protocol_dataset(replica: Replica) -> None:
    """Why the checked text matters: Virtuoso adds a query's FROM graphs to the
    protocol's dataset, where Oxigraph lets the protocol's dataset win. Asked
    directly, with the release as protocol dataset, FROM <private> reads the
    secret on Virtuoso only; the replica refuses that FROM before any store."""
    text = f"SELECT ?o FROM <{PRIVATE}> WHERE {{ ?s ?p ?o }}"
    direct = requests.post(
        replica.store.query_url,
        data={
            "query": text,
            "default-graph-uri": replica.release,
            "named-graph-uri": replica.release,
        },
        headers={"Accept": RESULTS_JSON},
        timeout=30,
    )
    assert direct.status_code == 200
    assert (SECRET in direct.text) is (replica.kind == "virtuoso")
    answer = sparql(replica.app, text)
    assert answer.status_code == 400 and SECRET not in answer.text
    assert "FROM" in answer.text
