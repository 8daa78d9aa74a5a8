"""Every query store gives the same answers: curated queries, real data, generated data.

The stores are real engines (rdflib, pyoxigraph in memory and on disk,
oxrdflib); answers are compared term by term, CONSTRUCT results by graph
isomorphism, and the serialized bytes are parsed back by rdflib.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from rdflib.query import Result

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries
from asu_graph.publication import build_and_validate
from asu_graph.store import QuerySyntaxError, Store, open_store, store_names
from benchmarks.generate import generate
from benchmarks.queries import mix_queries

from .support import asu_server, run_cli

GRAPH = "https://w3id.org/asu/graph/"
STORES = ["oxigraph", "oxigraph:DIR", "oxrdflib", "memory"]


@pytest.fixture(scope="module")
def publication():
    return build_and_validate(Settings.from_env())


def _open(spec: str, tmp: Path) -> Store:
    return open_store(spec.replace("DIR", str(tmp / "oxigraph-db")))


@pytest.fixture(scope="module")
def real_stores(publication, tmp_path_factory) -> Iterator[dict[str, Store]]:
    tmp = tmp_path_factory.mktemp("real")
    stores = {spec: _open(spec, tmp) for spec in STORES}
    for store in stores.values():
        store.load(publication.dataset)
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "alliance.nq"
    generate(path, 4000, seed=7)
    return path


@pytest.fixture(scope="module")
def generated_stores(generated_file, tmp_path_factory) -> Iterator[dict[str, Store]]:
    tmp = tmp_path_factory.mktemp("gen")
    stores = {spec: _open(spec, tmp) for spec in STORES}
    for store in stores.values():
        store.load_file(generated_file)
    yield stores
    for store in stores.values():
        store.close()


def _canonical(rows: list[dict]) -> list[tuple]:
    """Rows as comparable tuples; blank node labels are engine-specific."""
    return [
        tuple(sorted((k, "_:b" if isinstance(v, BNode) else v) for k, v in row.items()))
        for row in rows
    ]


def _same_answers(stores: dict[str, Store], text: str, **dataset) -> None:
    reference_name = "oxigraph"
    reference = stores[reference_name].query(text, **dataset)
    for name, store in stores.items():
        result = store.query(text, **dataset)
        assert result.kind == reference.kind, name
        if result.kind == "SELECT":
            expected = _canonical(stores[reference_name].query(text, **dataset).rows())
            got = _canonical(result.rows())
            if "ORDER BY" not in text.upper():
                expected, got = sorted(expected, key=repr), sorted(got, key=repr)
            assert got == expected, f"{name} differs from {reference_name}"
        elif result.kind == "ASK":
            assert result.boolean == stores[reference_name].query(text, **dataset).boolean, name
        else:
            assert isomorphic(result.graph(), reference.graph()), name


def test_stores_are_registered_and_oxigraph_is_the_default():
    assert {"oxigraph", "oxrdflib", "memory"} <= set(store_names())
    assert Settings().store == "oxigraph"


@pytest.mark.parametrize("name", sorted(curated_queries(Settings.from_env())))
def test_curated_queries_same_answers_everywhere(real_stores, name):
    text = curated_queries(Settings.from_env())[name].text
    rows = real_stores["oxigraph"].query(text).rows()
    assert rows, f"curated query {name} has no answer on the real data"
    _same_answers(real_stores, text)


@pytest.mark.parametrize("query", mix_queries(), ids=lambda q: q.name)
def test_generated_data_same_answers_everywhere(generated_stores, query):
    _same_answers(generated_stores, query.text)


def test_generated_data_has_answers(generated_stores):
    store = generated_stores["oxigraph"]
    empty = [
        q.name
        for q in mix_queries()
        if q.text.lstrip().split("\n")[-1]
        and store.query(q.text).kind == "SELECT"
        and not store.query(q.text).rows()
    ]
    assert not empty, f"queries without answers on generated data: {empty}"


def test_same_triple_count_everywhere(real_stores, generated_stores, publication):
    assert {s.triple_count() for s in real_stores.values()} == {publication.triple_count}
    assert len({s.triple_count() for s in generated_stores.values()}) == 1


def test_protocol_dataset_same_everywhere(real_stores):
    text = "SELECT ?g ?s WHERE { { ?s a ?type } UNION { GRAPH ?g { ?s a ?type } } }"
    _same_answers(
        real_stores, text, default_graphs=[GRAPH + "alliance"], named_graphs=[GRAPH + "institutes"]
    )
    _same_answers(real_stores, "ASK { ?s ?p ?o }", union_default_graph=False)
    for store in real_stores.values():
        assert store.query("ASK { ?s ?p ?o }", union_default_graph=False).boolean is False


def test_default_graph_is_a_set_even_when_sources_repeat_a_fact(real_stores):
    """A fact stated by two source graphs is one triple of the default graph.

    Oxigraph's own union is a bag over quads; the store answers with the RDF
    merge, as SPARQL's default graph (and Jena's union graph) is a set.
    """
    both = "PREFIX asu: <https://w3id.org/asu/ontology#>\nPREFIX id: <https://w3id.org/asu/id/>\n"
    sources = both + "SELECT ?g WHERE { GRAPH ?g { id:mnhn asu:leads id:ibees } }"
    count = both + "SELECT (COUNT(*) AS ?n) WHERE { id:mnhn asu:leads id:ibees }"
    for name, store in real_stores.items():
        assert len(store.query(sources).rows()) >= 2, name
        assert int(store.query(count).rows()[0]["n"]) == 1, name


def test_hidden_merge_graph_never_shows(real_stores):
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    expected = {GRAPH + "alliance", GRAPH + "sources", "https://w3id.org/asu/ontology"}
    for name, store in real_stores.items():
        graphs = {str(row["g"]) for row in store.query(text).rows()}
        assert expected <= graphs, name
        assert all(g.startswith("https://w3id.org/asu/") for g in graphs), (name, graphs)


def test_from_in_the_query_is_honoured(real_stores):
    text = "SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <" + GRAPH + "sources> WHERE { ?s ?p ?o }"
    everything = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
    counts = {name: int(store.query(text).rows()[0]["n"]) for name, store in real_stores.items()}
    assert len(set(counts.values())) == 1, counts
    assert 0 < counts["oxigraph"] < int(real_stores["oxigraph"].query(everything).rows()[0]["n"])
    named = "SELECT DISTINCT ?g FROM NAMED <" + GRAPH + "alliance> WHERE { GRAPH ?g { ?s ?p ?o } }"
    for name, store in real_stores.items():
        assert [str(r["g"]) for r in store.query(named).rows()] == [GRAPH + "alliance"], name


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_result_formats_parse_back_to_the_same_rows(real_stores, fmt):
    text = curated_queries(Settings.from_env())["members"].text
    expected = real_stores["oxigraph"].query(text).rows()
    for name, store in real_stores.items():
        body = store.query(text).serialize(fmt)
        if fmt in ("json", "xml"):
            parsed = Result.parse(io.BytesIO(body), format=fmt)
            rows = [{str(k): v for k, v in row.asdict().items()} for row in parsed]
            assert _canonical(rows) == _canonical(expected), name
        else:
            lines = body.decode("utf-8").splitlines()
            assert len(lines) == len(expected) + 1, name
            header = lines[0].split("," if fmt == "csv" else "\t")
            assert [h.lstrip("?") for h in header] == ["member", "name_en", "name_fr"], name


@pytest.mark.parametrize("fmt", ["turtle", "nt", "json-ld", "rdfxml"])
def test_graph_formats_parse_back(real_stores, fmt):
    text = (
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "CONSTRUCT { ?a org:hasMember ?m } WHERE { ?a org:hasMember ?m }"
    )
    expected = real_stores["memory"].query(text).graph()
    assert len(expected) == 6
    for name, store in real_stores.items():
        body = store.query(text).serialize(fmt)
        parsed = Graph().parse(data=body, format={"rdfxml": "xml"}.get(fmt, fmt))
        assert isomorphic(parsed, expected), name


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p }",
        "SELECT * WHERE { ?s rdfs:label ?o }",  # undeclared prefix
        "SELEKT * WHERE { ?s ?p ?o }",
    ],
)
def test_malformed_queries_are_refused_by_every_store(real_stores, text):
    for name, store in real_stores.items():
        with pytest.raises(QuerySyntaxError):
            store.query(text)
        assert name


def test_unknown_store_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown store 'nosuch'.*oxigraph"):
        open_store("nosuch")
    done = run_cli("query", "members", "--store", "nosuch")
    assert done.returncode == 2
    assert "unknown store 'nosuch'" in done.stderr


def test_on_disk_store_keeps_its_data(tmp_path, publication):
    path = tmp_path / "db"
    store = open_store(f"oxigraph:{path}")
    store.load(publication.dataset)
    count = store.triple_count()
    store.close()
    del store
    assert any(path.iterdir())
    reopened = open_store(f"oxigraph:{path}")
    assert reopened.triple_count() == count


@pytest.mark.parametrize("store", ["oxrdflib", "memory"])
def test_served_answers_do_not_depend_on_the_store(tmp_path, server, store):
    """``asu-graph serve --store X`` over HTTP answers byte-for-byte like the default.

    Compared as parsed SPARQL JSON (rdflib and Oxigraph space JSON differently).
    """
    texts = [q.text for q in curated_queries(Settings.from_env()).values()]
    with asu_server(tmp_path, "--store", store) as url:
        for text in texts:
            answers = []
            for base in (server, url):
                response = requests.post(
                    base + "/sparql",
                    data={"query": text},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=30,
                )
                assert response.status_code == 200, response.text
                answers.append(json.loads(response.content))
            got, expected = answers[1], answers[0]
            assert got["head"]["vars"] == expected["head"]["vars"]
            assert _plain(got) == _plain(expected)


def _plain(results: dict) -> list:
    rows = results["results"]["bindings"]
    return [
        {
            k: {f: v[f] for f in ("type", "value", "xml:lang", "datatype") if f in v}
            for k, v in row.items()
        }
        for row in rows
    ]
