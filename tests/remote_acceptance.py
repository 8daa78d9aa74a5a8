"""Acceptance tests shared by the remote stores (Oxigraph server, Virtuoso).

``test_remote_oxigraph.py`` and ``test_remote_virtuoso.py`` each provide a
module-scoped ``deployed`` fixture (made with :func:`deploy`) and import the
tests below, so each store's run is its own file.

For each store, started on 127.0.0.1 by the test and stopped by PID: publish
the validated graph over the Graph Store Protocol, serve it with
``asu-graph serve --store URL`` and compare every curated query, through
SPARQLWrapper, with the embedded store; publish a second release while a
reader polls; stop and restart the store under a running app; try a wrong
password. Oxigraph server has no access control of its own, so, as in a
deployment, it sits behind an authenticating proxy (``tests/auth_proxy.py``).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

from .stores import AuthProxy, OxigraphServer, StoreProcess, Virtuoso, count_all, count_graph
from .support import asu_server, run_cli

BASE = "https://w3id.org/asu/"
POINTER = BASE + "graph/current"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ACCEPTANCE = [
    "test_publish_writes_a_verified_release_and_points_at_it",
    "test_every_curated_query_answers_as_on_the_embedded_store",
    "test_counts_graph_provenance_and_formats_match",
    "test_entity_data_comes_from_the_store",
    "test_readers_switch_only_to_a_complete_release",
    "test_publishing_the_current_version_again_changes_nothing",
    "test_store_outage_gives_503_then_answers_again",
    "test_wrong_password_is_refused_and_changes_nothing",
]
PROXY_USER, PROXY_PASSWORD, PROXY_TOKEN = "publisher", "s3cret-proxy-pass", "t0ken-for-tests"


@dataclass
class Deployment:
    """A store, how publish and serve reach it, and an app serving from it."""

    kind: str
    store: StoreProcess
    gsp_url: str
    query_url: str  # what publish and the app use (maybe through the proxy)
    direct_query_url: str  # the store itself, for the tests' own checks
    env: dict[str, str]
    wrong_env: dict[str, str]
    folder: Path
    app: str = ""
    releases: list[str] = field(default_factory=list)

    def publish(self, *args: str, env: dict[str, str] | None = None):
        return run_cli(
            "publish",
            "--to",
            self.gsp_url,
            "--query-url",
            self.query_url,
            *args,
            env={**self.env, **(env or {})},
        )


def _start(kind: str, folder: Path) -> tuple[list[StoreProcess], Deployment]:
    if kind == "oxigraph":
        store = OxigraphServer(folder / "store")
        store.start()
        proxy = AuthProxy(
            folder / "proxy",
            store.base_url,
            user=PROXY_USER,
            password=PROXY_PASSWORD,
            token=PROXY_TOKEN,
        )
        proxy.start()
        return [proxy, store], Deployment(
            kind,
            store,
            proxy.base_url + "/store",
            proxy.base_url + "/query",
            store.query_url,
            {"ASU_STORE_USER": PROXY_USER, "ASU_STORE_PASSWORD": PROXY_PASSWORD},
            {"ASU_STORE_USER": PROXY_USER, "ASU_STORE_PASSWORD": "not-the-password"},
            folder,
        )
    store = Virtuoso(folder / "store")
    store.start()
    return [store], Deployment(
        kind,
        store,
        store.gsp_url,
        store.query_url,
        store.query_url,
        {"ASU_STORE_USER": "dba", "ASU_STORE_PASSWORD": "dba"},
        {"ASU_STORE_USER": "dba", "ASU_STORE_PASSWORD": "wrong"},
        folder,
    )


def deploy(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Start the store, publish the bundled data, serve it; stop everything by PID after."""
    folder = tmp_path_factory.mktemp(f"remote-{kind}")
    processes, deployment = _start(kind, folder)
    try:
        done = deployment.publish("--grace", "0")
        assert done.returncode == 0, done.stderr
        deployment.releases.append(done.stdout.strip())
        env = {**deployment.env, "ASU_STORE_RELEASE_TTL": "0.5", "ASU_WORKERS": "2"}
        with asu_server(folder, "--store", deployment.query_url, env=env) as url:
            deployment.app = url
            yield deployment
    finally:
        for process in processes:
            process.stop()


def ask(endpoint: str, text: str) -> list[dict]:
    """A SELECT through SPARQLWrapper, as a researcher's script would send it."""
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(text)
    return client.queryAndConvert()["results"]["bindings"]


def canonical(bindings: list[dict]) -> list[tuple]:
    """Solutions as sorted tuples; blank node labels are the engines' own, so not compared."""
    rows = []
    for binding in bindings:
        row = []
        for name, cell in sorted(binding.items()):
            value = "_:" if cell["type"] == "bnode" else cell["value"]
            datatype = cell.get("datatype")
            if datatype == "http://www.w3.org/2001/XMLSchema#string":
                datatype = None
            kind = "literal" if cell["type"] == "typed-literal" else cell["type"]
            row.append((name, kind, value, cell.get("xml:lang"), datatype))
        rows.append(tuple(row))
    return sorted(rows)


def test_publish_writes_a_verified_release_and_points_at_it(deployed: Deployment) -> None:
    release = deployed.releases[0]
    settings = Settings.from_env()
    assert release.startswith(BASE + "graph/release/")
    pointer = ask(
        deployed.direct_query_url,
        f"""SELECT ?r WHERE {{ GRAPH <{POINTER}> {{
        <{BASE}dataset> <http://www.w3.org/ns/dcat#hasCurrentVersion> ?r }} }}""",
    )
    assert [row["r"]["value"] for row in pointer] == [release]
    # The union of the release holds every distinct triple of the validated dataset ...
    from asu_graph.publication import build_and_validate

    publication = build_and_validate(settings)
    assert count_graph(deployed.direct_query_url, release) == publication.triple_count
    # ... and each source graph is stored on its own, with its own count.
    for stem in ("alliance", "sources", "ibees"):
        local = len(publication.dataset.graph(settings.graph_ns + stem))
        assert count_graph(deployed.direct_query_url, f"{release}/graph/{stem}") == local


def test_every_curated_query_answers_as_on_the_embedded_store(
    deployed: Deployment, server: str
) -> None:
    queries = curated_queries(Settings.from_env())
    assert len(queries) >= 8
    for name, query in queries.items():
        embedded = ask(server + "/sparql", query.text)
        remote = ask(deployed.app + "/sparql", query.text)
        assert embedded, f"{name}: no answer on the embedded store"
        assert canonical(remote) == canonical(embedded), name


def test_counts_graph_provenance_and_formats_match(deployed: Deployment, server: str) -> None:
    for text in (
        COUNT,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        f"SELECT ?p WHERE {{ GRAPH <{BASE}graph/ibees> {{ ?s ?p ?o }} }}",
        f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}graph/')) }}",
        f"PREFIX g: <{BASE}graph/> SELECT ?o WHERE {{ g:ibees ?p ?o }}",
        "SELECT ?p ?o WHERE { GRAPH <graph/ibees> { <id/mnhn> ?p ?o } }",
    ):
        assert canonical(ask(deployed.app + "/sparql", text)) == canonical(
            ask(server + "/sparql", text)
        ), text
    # The protocol's dataset (default-graph-uri / named-graph-uri) names published graphs.
    for params in (
        {"default-graph-uri": f"{BASE}graph/ibees"},
        {"named-graph-uri": [f"{BASE}graph/ibees", f"{BASE}graph/sources"]},
        {"default-graph-uri": f"{BASE}graph/sources", "named-graph-uri": f"{BASE}graph/alliance"},
    ):
        # (Not one query with { ?s ?p ?o } UNION { GRAPH ?g {...} } GROUP BY ?g:
        # Virtuoso 7.2 miscounts that one when given many named graphs.)
        for text in (
            COUNT,
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ):
            answers = [
                requests.get(
                    url + "/sparql",
                    params={"query": text, **params},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=30,
                )
                for url in (deployed.app, server)
            ]
            assert answers[0].status_code == 200, answers[0].text
            assert canonical(answers[0].json()["results"]["bindings"]) == canonical(
                answers[1].json()["results"]["bindings"]
            ), (params, text)
    # Every result format is produced by the app, whatever the store sends it.
    for accept in ("application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        answer = requests.get(
            deployed.app + "/sparql",
            params={"query": COUNT},
            headers={"Accept": accept},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith(accept)
        assert str(_count(server)) in answer.text
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BASE}graph/ibees> {{ ?s ?p ?o }} }}"
    describe = "DESCRIBE <id/mnhn>"
    graphs = [
        Graph().parse(
            data=requests.get(
                url + "/sparql",
                params={"query": describe},
                headers={"Accept": "text/turtle"},
                timeout=30,
            ).text,
            format="turtle",
        )
        for url in (deployed.app, server)
    ]
    assert len(graphs[0]) > 10 and isomorphic(graphs[0], graphs[1])
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        graphs = [
            Graph().parse(
                data=requests.get(
                    url + "/sparql",
                    params={"query": construct},
                    headers={"Accept": accept},
                    timeout=30,
                ).content,
                format=fmt,
            )
            for url in (deployed.app, server)
        ]
        assert len(graphs[0]) > 0 and isomorphic(graphs[0], graphs[1]), accept


def test_entity_data_comes_from_the_store(deployed: Deployment, server: str) -> None:
    graphs = []
    for url in (deployed.app, server):
        answer = requests.get(url + "/id/mnhn", headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200, answer.text
        graphs.append(Graph().parse(data=answer.text, format="turtle"))
    assert len(graphs[0]) > 10
    assert isomorphic(graphs[0], graphs[1])


def _changed_data(folder: Path, label: str = "second release") -> Path:
    """The bundled data plus one more label: another, different, valid release."""
    data = folder / f"data-{label.replace(' ', '-')}"
    if not data.exists():
        shutil.copytree(Settings.from_env().data_dir, data)
        with open(data / "alliance.ttl", "a", encoding="utf-8") as out:
            out.write(
                f'\n<{BASE}id/mnhn> <http://www.w3.org/2004/02/skos/core#altLabel> "{label}"@en .\n'
            )
    return data


def _count(app: str) -> int:
    rows = ask(app + "/sparql", COUNT)
    return int(rows[0]["n"]["value"])


def test_readers_switch_only_to_a_complete_release(deployed: Deployment) -> None:
    before = _count(deployed.app)
    seen: list[int | str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(_count(deployed.app))
            except Exception as exc:  # noqa: BLE001 - recorded, then asserted below
                seen.append(repr(exc))
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = deployed.publish(
            "--grace",
            "1.5",
            env={
                "ASU_DATA_DIR": str(_changed_data(deployed.folder)),
                "ASU_STORE_RELEASE_TTL": "0.5",
            },
        )
        assert done.returncode == 0, done.stderr
        time.sleep(1.0)  # longer than the app's release TTL
    finally:
        stop.set()
        reader.join()
    new = done.stdout.strip()
    old = deployed.releases[-1]
    deployed.releases.append(new)
    assert new != old
    after = before + 1
    assert set(seen) <= {before, after}, [s for s in seen if s not in (before, after)]
    assert seen[0] == before and seen[-1] == after
    # The previous release was dropped once the new one was current.
    assert count_graph(deployed.direct_query_url, old) == 0
    assert count_graph(deployed.direct_query_url, old + "/graph/alliance") == 0
    assert count_graph(deployed.direct_query_url, new) == after
    assert "dropped the previous release" in done.stderr


def test_publishing_the_current_version_again_changes_nothing(deployed: Deployment) -> None:
    before = count_all(deployed.direct_query_url)
    done = deployed.publish(env={"ASU_DATA_DIR": str(_changed_data(deployed.folder))})
    assert done.returncode == 0, done.stderr
    assert "nothing to do" in done.stderr
    assert done.stdout.strip() == deployed.releases[-1]
    assert count_all(deployed.direct_query_url) == before


def test_store_outage_gives_503_then_answers_again(deployed: Deployment) -> None:
    expected = _count(deployed.app)
    deployed.store.stop()
    try:
        for i in range(3):  # a new text each time, so no cached answer can hide the outage
            answer = requests.get(
                deployed.app + "/sparql",
                params={"query": f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i + 1}"},
                timeout=30,
            )
            assert answer.status_code == 503, answer.text
            assert "triple store" in answer.text
            assert answer.headers["Retry-After"].isdigit()
        page = requests.get(deployed.app + "/data/cnrs.ttl", timeout=30)
        assert page.status_code in (502, 503), page.text
    finally:
        deployed.store.start()
    # The same app, not restarted, answers again.
    assert _count(deployed.app) == expected
    answer = requests.get(
        deployed.app + "/sparql",
        params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 7"},
        timeout=30,
    )
    assert answer.status_code == 200


def test_wrong_password_is_refused_and_changes_nothing(deployed: Deployment) -> None:
    before = count_all(deployed.direct_query_url)
    done = run_cli(
        "publish",
        "--to",
        deployed.gsp_url,
        "--query-url",
        deployed.query_url,
        "--retries",
        "0",
        env={
            **deployed.wrong_env,
            "ASU_DATA_DIR": str(_changed_data(deployed.folder, "third release")),
        },
    )
    assert done.returncode == 4, done.stderr
    assert "refused" in done.stderr and "HTTP 401" in done.stderr
    assert deployed.wrong_env["ASU_STORE_PASSWORD"] not in done.stderr + done.stdout
    assert count_all(deployed.direct_query_url) == before
    assert _count(deployed.app) > 0


def test_bearer_token_instead_of_a_password(deployed: Deployment) -> None:
    """A token instead of user and password (the proxy before Oxigraph takes both)."""
    done = deployed.publish(
        env={
            "ASU_STORE_USER": "",
            "ASU_STORE_PASSWORD": "",
            "ASU_STORE_TOKEN": PROXY_TOKEN,
            "ASU_DATA_DIR": str(_changed_data(deployed.folder)),
        }
    )
    assert done.returncode == 0, done.stderr
    refused = deployed.publish(
        env={"ASU_STORE_USER": "", "ASU_STORE_PASSWORD": "", "ASU_STORE_TOKEN": "wrong-token"}
    )
    assert refused.returncode == 4
    assert "wrong-token" not in refused.stderr


def test_refused_credentials_give_502_with_a_message(deployed: Deployment) -> None:
    """A front end whose credentials the store (here its proxy) refuses: 502, not a crash."""
    env = {**deployed.env, "ASU_STORE_PASSWORD": "an-old-password"}
    with asu_server(
        deployed.folder, "--store", deployed.query_url, env=env, ready_path="/ontology.ttl"
    ) as url:
        answer = requests.get(url + "/sparql", params={"query": COUNT}, timeout=30)
        assert answer.status_code == 502, answer.text
        assert "refused" in answer.text and "HTTP 401" in answer.text
        assert "an-old-password" not in answer.text
        # What does not need the store is still served from the local build.
        assert requests.get(url + "/ontology.ttl", timeout=30).status_code == 200
