"""The protocol dataset means the same on every store: only named graphs given
gives an empty default graph, the protocol dataset replaces the query's FROM,
and DESCRIBE gives the same bounded description whatever engine runs it.
(The endpoint's own HTTP tests run on the default store; these run the same
query path, ``QueryService``, on each store in this process.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from asu_graph.config import Settings
from asu_graph.pipeline.build import dataset_version, load_dataset
from asu_graph.publication import Publication
from asu_graph.query.executor import InlineExecutor
from asu_graph.query.service import DatasetSpec, QueryService
from asu_graph.store import open_store

ALLIANCE = "https://w3id.org/asu/graph/alliance"
ROR = "https://w3id.org/asu/graph/identifiers-ror"
MEMBER = (
    "<https://w3id.org/asu/id/alliance-sorbonne-universite> "
    "<http://www.w3.org/ns/org#hasMember> <https://w3id.org/asu/id/mnhn>"
)
ROR_FACT = (
    "<https://w3id.org/asu/id/mnhn> <http://www.w3.org/2004/02/skos/core#exactMatch> "
    "<https://ror.org/03wkt5x30>"
)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(Settings.from_env())


def _service(dataset: Dataset, store_name: str) -> QueryService:
    """The published data on one store; the SHACL gate is tested elsewhere."""
    settings = Settings.from_env(store=store_name)
    store = open_store(store_name, settings)
    store.load(dataset)
    publication = Publication(
        settings, dataset, None, dataset_version(dataset), datetime.now(UTC), store
    )
    # In this thread: no worker processes to start or stop for these checks.
    return QueryService(publication, executor=InlineExecutor(store))


@pytest.fixture(scope="module", params=["oxigraph", "memory", "oxrdflib"])
def service(request: pytest.FixtureRequest, dataset: Dataset) -> Iterator[QueryService]:
    yield _service(dataset, request.param)


def test_only_named_graphs_means_an_empty_default_graph(service: QueryService) -> None:
    named = DatasetSpec((), (ALLIANCE, ROR))
    assert service.run("ASK { ?s ?p ?o }", named).boolean is False
    assert (
        service.run(f"ASK {{ GRAPH ?a {{ {MEMBER} }} GRAPH ?b {{ {ROR_FACT} }} }}", named).boolean
        is True
    )


def test_default_graph_uris_are_merged(service: QueryService) -> None:
    both = DatasetSpec((ALLIANCE, ROR), ())
    assert service.run(f"ASK {{ {MEMBER} . {ROR_FACT} }}", both).boolean is True
    one = DatasetSpec((ALLIANCE,), ())
    assert service.run(f"ASK {{ {MEMBER} . {ROR_FACT} }}", one).boolean is False


def test_protocol_dataset_replaces_from(service: QueryService) -> None:
    query = (
        f"ASK FROM <https://w3id.org/asu/graph/su-merger> "
        f"{{ GRAPH ?a {{ {MEMBER} }} GRAPH ?b {{ {ROR_FACT} }} }}"
    )
    assert service.run(query, DatasetSpec((), (ALLIANCE, ROR))).boolean is True


@pytest.fixture(scope="module")
def oxigraph_description(dataset: Dataset) -> Graph:
    return _service(dataset, "oxigraph").run("DESCRIBE <https://w3id.org/asu/id/mnhn>").graph()


def test_describe_is_the_same_on_every_store(
    service: QueryService, oxigraph_description: Graph
) -> None:
    expected = oxigraph_description
    got = service.run("DESCRIBE <https://w3id.org/asu/id/mnhn>").graph()
    assert len(got) > 20 and isomorphic(got, expected)
    only_ror = service.run(
        "DESCRIBE <https://w3id.org/asu/id/mnhn>", DatasetSpec((ROR,), ())
    ).graph()
    assert {str(p).rsplit("#", 1)[-1] for p in only_ror.predicates()} >= {"exactMatch"}
    assert "memberOf" not in {str(p).rsplit("#", 1)[-1] for p in only_ror.predicates()}


BLANK_NODES = """
@prefix ex: <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/g> {
  ex:thing rdfs:label "thing" ;
      ex:address [ ex:street "1 rue X" ; ex:geo [ ex:lat 48.8 ; ex:long 2.3 ] ] ;
      ex:partOf ex:whole .
  ex:whole rdfs:label "whole" ; ex:size 3 .
  ex:other ex:likes ex:thing .
}
"""


@pytest.mark.parametrize("store_name", ["oxigraph", "memory"])
def test_describe_follows_blank_nodes_and_labels_what_it_links_to(store_name: str) -> None:
    from rdflib import Literal, URIRef

    from asu_graph.query import describe

    store = open_store(store_name)
    store.load(Dataset().parse(data=BLANK_NODES, format="trig"))
    graph = describe.query(store, "DESCRIBE <https://example.org/thing>").graph()
    ex = "https://example.org/"
    assert {str(o) for o in graph.objects(None, URIRef(ex + "street"))} == {"1 rue X"}
    assert {float(o) for o in graph.objects(None, URIRef(ex + "lat"))} == {48.8}
    # The label of what it links to, not the rest of that resource ...
    assert (
        URIRef(ex + "whole"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
        Literal("whole"),
    ) in graph
    assert not list(graph.triples((URIRef(ex + "whole"), URIRef(ex + "size"), None)))
    # ... and not what links to it.
    assert not list(graph.triples((None, URIRef(ex + "likes"), None)))
    assert len(graph) == 8  # 3 own, 2 + 2 under the blank nodes, 1 label
