"""The result cache: keys, LRU bounds, thread safety, and what users see over HTTP."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from asu_graph.cache import ResultCache
from asu_graph.config import Settings
from asu_graph.publication import prepare
from asu_graph.query.executor import InlineExecutor
from asu_graph.query.service import DatasetSpec, QueryService
from asu_graph.sparql.text import normalise_query
from asu_graph.store import QuerySyntaxError, open_store

from .support import asu_server

FORMATS = {"SELECT": "json", "ASK": "json", "GRAPH": "turtle"}
MEMBERS = """PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?m WHERE {
  ?a org:hasMember ?m .   # every member
}"""


# -- normalisation ----------------------------------------------------------


def test_layout_and_comments_do_not_matter():
    one = "SELECT  ?s\n\tWHERE { ?s ?p ?o }  # all\n"
    two = "SELECT ?s WHERE {\n  ?s ?p ?o\n}"
    assert normalise_query(one) == normalise_query(two)


@pytest.mark.parametrize(
    "a,b",
    [
        ('ASK { ?s ?p "a  b" }', 'ASK { ?s ?p "a b" }'),
        ('ASK { ?s ?p "x # y" }', 'ASK { ?s ?p "x " }'),
        ("ASK { ?s ?p '''multi\n  line''' }", "ASK { ?s ?p '''multi line''' }"),
        ("ASK { ?s <http://e/#a> ?o }", "ASK { ?s <http://e/> ?o }"),
        ("ASK { ?s ex:a\\#b ?o }", "ASK { ?s ex:a ?o }"),
        ("SELECT ?s WHERE { ?s ?p ?o }", "select ?s where { ?s ?p ?o }"),
    ],
)
def test_meaningful_differences_keep_queries_apart(a, b):
    assert normalise_query(a) != normalise_query(b)


@given(
    st.text(
        alphabet=st.characters(blacklist_characters='"\\\n\r', blacklist_categories=("Cs",)),
        max_size=30,
    ),
    st.sampled_from([" ", "  ", "\n", "\t\n  ", " # note\n"]),
)
def test_literal_content_survives_and_normalising_is_idempotent(content, gap):
    text = f'SELECT ?s{gap}WHERE {{{gap}?s ?p "{content}"{gap}}}'
    once = normalise_query(text)
    assert f'"{content}"' in once
    assert normalise_query(once) == once


# -- the LRU ----------------------------------------------------------------


def test_lru_evicts_least_recently_used_by_count_and_bytes():
    cache: ResultCache[str] = ResultCache(max_entries=2, max_bytes=100)
    cache.put("a", "A", 10)
    cache.put("b", "B", 10)
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C", 10)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("d", "D", 95)  # byte budget pushes out everything else
    assert len(cache) == 1 and cache.size_bytes == 95
    assert cache.put("huge", "H", 101) is False
    assert cache.get("huge") is None and cache.get("d") == "D"


def test_zero_size_turns_the_cache_off():
    cache: ResultCache[str] = ResultCache(max_entries=0, max_bytes=100)
    assert not cache.enabled
    assert cache.put("a", "A", 1) is False and cache.get("a") is None


def test_many_threads_keep_the_bounds():
    cache: ResultCache[int] = ResultCache(max_entries=50, max_bytes=10_000)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(2000):
                key = (offset + i) % 120
                if cache.get(key) is None:
                    cache.put(key, key, 100)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(cache) <= 50 and cache.size_bytes == 100 * len(cache)
    assert cache.hits + cache.misses == 8 * 2000


# -- the query service --------------------------------------------------------


@pytest.fixture(scope="module")
def publication():
    return prepare(Settings.from_env())


def test_second_answer_comes_from_the_cache_without_the_engine(publication):
    # In-thread execution that follows publication.store, so that swapping the
    # store below is seen (worker processes keep the store they were forked with).
    service = QueryService(publication, executor=InlineExecutor(lambda: publication.store))
    first = service.answer(MEMBERS, FORMATS)
    assert not first.cached and first.kind == "SELECT"
    # Swap in an empty store: a cached answer must not consult the engine.
    real = publication.store
    publication.store = open_store("oxigraph")
    try:
        again = service.answer(MEMBERS.replace("   # every member", ""), FORMATS)
        assert again.cached and again.body == first.body
        fresh = service.answer(MEMBERS, {**FORMATS, "SELECT": "csv"})
        assert not fresh.cached and fresh.body.strip() == b"m"  # empty store: header only
    finally:
        publication.store = real


def test_key_covers_version_dataset_and_format(publication):
    service = QueryService(publication)
    base = service.cache_key(MEMBERS, FORMATS, DatasetSpec())
    assert base == service.cache_key(MEMBERS + "\n\n", FORMATS, DatasetSpec())
    assert base != service.cache_key(MEMBERS, {**FORMATS, "SELECT": "xml"}, DatasetSpec())
    spec = DatasetSpec(default_graphs=("https://w3id.org/asu/graph/alliance",))
    assert base != service.cache_key(MEMBERS, FORMATS, spec)
    service.answer(MEMBERS, FORMATS, spec)
    assert not service.answer(MEMBERS, FORMATS).cached
    other = QueryService(publication)
    publication.version, old = "another-version", publication.version
    try:
        assert base != other.cache_key(MEMBERS, FORMATS, DatasetSpec())
    finally:
        publication.version = old


def test_errors_are_not_cached(publication):
    service = QueryService(publication)
    for _ in range(2):
        with pytest.raises(QuerySyntaxError):
            service.answer("SELECT * WHERE { ?s ?p }", FORMATS)
    assert len(service.cache) == 0


def test_cache_off_by_setting(publication):
    settings = publication.settings.with_(cache_size=0)
    publication.settings, old = settings, publication.settings
    try:
        service = QueryService(publication)
        assert not service.answer(MEMBERS, FORMATS).cached
        assert not service.answer(MEMBERS, FORMATS).cached
    finally:
        publication.settings = old


# -- over HTTP --------------------------------------------------------------


def _unique_query() -> str:
    # A literal no other test sends, so the first answer is a miss in every worker.
    tag = uuid.uuid4().hex
    return (
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        f'SELECT ?m ("{tag}" AS ?tag) WHERE {{ ?a org:hasMember ?m }}'
    )


def test_http_repeated_query_is_a_hit_with_the_same_body(server):
    text = _unique_query()
    workers = Settings().workers
    # workers + 1 requests: by the pigeonhole principle one worker sees it twice.
    responses = [
        requests.post(server + "/sparql", data={"query": text}, timeout=30)
        for _ in range(workers + 1)
    ]
    assert all(r.status_code == 200 for r in responses)
    assert responses[0].headers["X-Cache"] == "miss"
    assert any(r.headers["X-Cache"] == "hit" for r in responses[1:])
    assert len({r.content for r in responses}) == 1
    csv = requests.post(
        server + "/sparql", data={"query": text}, headers={"Accept": "text/csv"}, timeout=30
    )
    assert csv.headers["X-Cache"] == "miss" and csv.headers["Content-Type"].startswith("text/csv")


def test_http_bad_query_is_refused_every_time(server):
    for _ in range(3):
        response = requests.post(
            server + "/sparql", data={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30
        )
        assert response.status_code == 400
        assert "Malformed SPARQL query" in response.text
        assert "X-Cache" not in response.headers


def test_http_cache_can_be_turned_off(tmp_path):
    text = _unique_query()
    with asu_server(tmp_path, "--workers", "1", env={"ASU_CACHE_SIZE": "0"}) as url:
        answers = [
            requests.post(url + "/sparql", data={"query": text}, timeout=30) for _ in range(3)
        ]
    assert [r.headers["X-Cache"] for r in answers] == ["miss"] * 3
    assert len({r.content for r in answers}) == 1
