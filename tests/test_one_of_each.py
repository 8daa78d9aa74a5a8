"""Each concept in one place: namespaces, app state and its caches, the job module, retries.

These check what the single places promise: a cached body never crosses from
one root URL to another, registering a blueprint does nothing, the worker
transport keeps an error's status, the retry helper retries only what is
transient, and every term the package takes from a closed rdflib namespace
exists there.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest
import rdflib.namespace
from flask import Flask
from flask.testing import FlaskClient

from asu_graph.config import Settings
from asu_graph.query.jobs import Job, NotAcceptable, QueryTimeout
from asu_graph.store.http import StoreDown, StoreError, StoreRefused
from asu_graph.web import create_app

PACKAGE = Path(__file__).resolve().parent.parent / "asu_graph"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    out = tmp_path_factory.mktemp("out")
    return create_app(Settings.from_env(out_dir=str(out))).test_client()


# -- namespaces -----------------------------------------------------------------------


def test_every_closed_namespace_term_the_package_uses_exists() -> None:
    # rdflib's closed namespaces only warn on a misspelt term and still return an
    # IRI: the warning would be the only sign of a wrong IRI in published data.
    closed = {
        name: getattr(rdflib.namespace, name)
        for name in (
            "DCTERMS",
            "FOAF",
            "ORG",
            "OWL",
            "PROV",
            "RDF",
            "RDFS",
            "SH",
            "SKOS",
            "VOID",
            "XSD",
        )
    }
    pattern = re.compile(r"\b(" + "|".join(closed) + r")\.([A-Za-z_]\w*)")
    missing = []
    for path in PACKAGE.rglob("*.py"):
        for namespace, term in pattern.findall(path.read_text(encoding="utf-8")):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    getattr(closed[namespace], term)
                except (UserWarning, AttributeError):
                    missing.append(f"{path.name}: {namespace}.{term}")
    assert missing == []


def test_no_module_defines_a_namespace_of_its_own() -> None:
    defined = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "Namespace(" in path.read_text(encoding="utf-8")
    ]
    assert defined == ["namespaces.py"]


def test_query_page_prefixes_are_the_project_prefixes(client: FlaskClient) -> None:
    from asu_graph.namespaces import project_prefixes

    settings = client.application.extensions["asu"].settings
    response = client.get("/query/prefixes.json")
    assert response.status_code == 200
    assert response.get_json() == project_prefixes(settings)
    assert response.get_json()["schema"] == "https://schema.org/"


# -- app state and its caches ------------------------------------------------------------


def test_a_page_cached_under_one_root_is_not_served_under_another(client: FlaskClient) -> None:
    # A request with another Host and script root fills the cache first; the
    # page a client then gets under the usual root carries its own links only.
    for path in ("/page/mnhn", "/"):
        odd = client.get(path, base_url="http://attacker.example/prefix")
        assert odd.status_code == 200
        assert b"/prefix/" in odd.data
        usual = client.get(path)
        assert usual.status_code == 200
        assert b"attacker.example" not in usual.data
        assert b"/prefix/" not in usual.data


def test_the_service_description_page_keys_on_the_root(client: FlaskClient) -> None:
    odd = client.get(
        "/sparql", base_url="http://other.example/mounted", headers={"Accept": "text/html"}
    )
    assert odd.status_code == 200 and b"http://other.example/mounted/sparql?" in odd.data
    usual = client.get("/sparql", headers={"Accept": "text/html"})
    assert usual.status_code == 200 and b"http://localhost/sparql?" in usual.data
    assert b"other.example" not in usual.data and b"/mounted/" not in usual.data


def test_registering_the_blueprints_does_no_io(tmp_path: Path) -> None:
    from asu_graph.web.downloads import blueprint as downloads
    from asu_graph.web.fragments import blueprint as fragments

    app = Flask(__name__)
    app.register_blueprint(downloads)
    app.register_blueprint(fragments)
    assert app.extensions == {}
    assert list(tmp_path.iterdir()) == []


def test_the_app_factory_builds_the_state(client: FlaskClient) -> None:
    from asu_graph.web import AppState

    state = client.application.extensions["asu_state"]
    assert isinstance(state, AppState)
    assert Path(state.publishing.folder).is_dir()  # the dumps this app serves
    assert client.application.extensions["asu_queries"] is state.queries


def test_the_page_cache_is_bounded() -> None:
    from asu_graph.cache import ResultCache

    cache: ResultCache[bytes] = ResultCache(2, 10)
    made = [cache.get_or_make(key, lambda k=key: k.encode() * 3, len) for key in "abc"]
    assert made == [b"aaa", b"bbb", b"ccc"]
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") == b"ccc"
    # Larger than the byte budget: answered, not kept.
    assert cache.get_or_make("big", lambda: b"x" * 11, len) == b"x" * 11
    assert cache.get("big") is None


# -- jobs: the service and the workers --------------------------------------------------


def test_executor_does_not_import_the_query_service() -> None:
    tree = ast.parse((PACKAGE / "query" / "executor.py").read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "asu_graph.query.service" not in imported
    assert "asu_graph.query.jobs" in imported


def test_a_timeout_is_not_a_refusal() -> None:
    from asu_graph.sparql.guard import QueryRefused

    assert not issubclass(QueryTimeout, QueryRefused)
    assert QueryTimeout("stopped").status == 503
    assert NotAcceptable("GRAPH").status == 406


def test_worker_errors_come_back_with_their_kind_and_status(tmp_path: Path) -> None:
    from asu_graph.query.executor import ProcessExecutor
    from asu_graph.store import QuerySyntaxError
    from asu_graph.store.memory import MemoryStore

    executor = ProcessExecutor(MemoryStore, sandbox="off")
    try:
        # SELECT is asked for, but only a graph format is acceptable.
        with pytest.raises(NotAcceptable) as caught:
            executor.run(Job("SELECT * WHERE { ?s ?p ?o }", (("GRAPH", "turtle"),)), 30)
        assert caught.value.kind == "SELECT" and caught.value.status == 406
        with pytest.raises(QuerySyntaxError):
            executor.run(Job("SELECT WHERE {", (("SELECT", "json"),)), 30)
        answer = executor.run(Job("ASK { }", (("ASK", "json"),)), 30)
        assert answer.kind == "ASK" and b"true" in answer.body
    finally:
        executor.close()


# -- retries ------------------------------------------------------------------------------


def test_retrying_retries_transient_failures_and_not_refusals() -> None:
    from asu_graph.publishing.remote import retrying

    said: list[str] = []
    calls = iter([StoreDown("down"), StoreDown("down"), "done"])

    def flaky() -> str:
        outcome = next(calls)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert retrying(flaky, retries=2, backoff=0, progress=said.append) == "done"
    assert [m.split(" Retrying")[0] for m in said] == ["down", "down"]
    assert "(2/2)" in said[-1]

    def refused() -> None:
        raise StoreRefused("no")

    said.clear()
    with pytest.raises(StoreRefused):
        retrying(
            refused, retries=5, backoff=0, progress=said.append, transient=(StoreDown, StoreError)
        )
    assert said == []

    def always_down() -> None:
        raise StoreDown("down")

    with pytest.raises(StoreDown):
        retrying(always_down, retries=1, backoff=0, progress=said.append)
    assert len(said) == 1


# -- identifiers ----------------------------------------------------------------------------


def _code_strings(path: Path) -> list[str]:
    """String literals of a module's code (docstrings and comments left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_release_and_dataset_iris_are_minted_in_one_module() -> None:
    # The path tails under the base that name the dataset and its releases ("catalog"
    # is also the location /catalog, a URL of the answering server, so it is not counted).
    tails = ("dataset", "dataset/release/", "graph/release/", "graph/current")
    found = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(text in tails for text in _code_strings(path))
    )
    assert found == ["iris.py"]


def test_blueprint_modules_do_not_import_the_web_package_back() -> None:
    # web/__init__.py imports the blueprints; they reach the app state through
    # web/state.py, so the package and its modules form no import circle.
    back = []
    for path in (PACKAGE / "web").glob("*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 1
                and node.module is None
                and any(
                    alias.name.startswith("current_") or alias.name == "create_app"
                    for alias in node.names
                )
            ):
                back.append(path.name)
    assert back == []
