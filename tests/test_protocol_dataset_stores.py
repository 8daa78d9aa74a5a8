"""The protocol dataset means the same on every store: only named graphs given
gives an empty default graph, the protocol dataset replaces the query's FROM,
and DESCRIBE gives the same bounded description whatever engine runs it.
(The endpoint's own HTTP tests run on the default store; these run the same
query path, ``QueryService``, on each store in this process.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from asu_graph.config import Settings
from asu_graph.executor import InlineExecutor
from asu_graph.publication import prepare
from asu_graph.query_service import DatasetSpec, QueryService

ALLIANCE = "https://w3id.org/asu/graph/alliance"
ROR = "https://w3id.org/asu/graph/identifiers-ror"
MEMBER = ("<https://w3id.org/asu/id/alliance-sorbonne-universite> "
          "<http://www.w3.org/ns/org#hasMember> <https://w3id.org/asu/id/mnhn>")
ROR_FACT = ("<https://w3id.org/asu/id/mnhn> <http://www.w3.org/2002/07/owl#sameAs> "
            "<https://ror.org/03wkt5x30>")


@pytest.fixture(scope="module", params=["oxigraph", "memory", "oxrdflib"])
def service(request: pytest.FixtureRequest) -> Iterator[QueryService]:
    publication = prepare(Settings.from_env(store=request.param))
    # In this thread: no worker processes to start or stop for these checks.
    yield QueryService(publication, executor=InlineExecutor(publication.store))


def test_only_named_graphs_means_an_empty_default_graph(service: QueryService) -> None:
    named = DatasetSpec((), (ALLIANCE, ROR))
    assert service.run("ASK { ?s ?p ?o }", named).boolean is False
    assert service.run(f"ASK {{ GRAPH ?a {{ {MEMBER} }} GRAPH ?b {{ {ROR_FACT} }} }}",
                       named).boolean is True


def test_default_graph_uris_are_merged(service: QueryService) -> None:
    both = DatasetSpec((ALLIANCE, ROR), ())
    assert service.run(f"ASK {{ {MEMBER} . {ROR_FACT} }}", both).boolean is True
    one = DatasetSpec((ALLIANCE,), ())
    assert service.run(f"ASK {{ {MEMBER} . {ROR_FACT} }}", one).boolean is False


def test_protocol_dataset_replaces_from(service: QueryService) -> None:
    query = (f"ASK FROM <https://w3id.org/asu/graph/su-merger> "
             f"{{ GRAPH ?a {{ {MEMBER} }} GRAPH ?b {{ {ROR_FACT} }} }}")
    assert service.run(query, DatasetSpec((), (ALLIANCE, ROR))).boolean is True


@pytest.fixture(scope="module")
def oxigraph_description() -> Graph:
    reference = prepare(Settings.from_env(store="oxigraph"))
    return QueryService(reference, executor=InlineExecutor(reference.store)).run(
        "DESCRIBE <https://w3id.org/asu/id/mnhn>").graph()


def test_describe_is_the_same_on_every_store(service: QueryService,
                                             oxigraph_description: Graph) -> None:
    expected = oxigraph_description
    got = service.run("DESCRIBE <https://w3id.org/asu/id/mnhn>").graph()
    assert len(got) > 20 and isomorphic(got, expected)
    only_ror = service.run("DESCRIBE <https://w3id.org/asu/id/mnhn>",
                           DatasetSpec((ROR,), ())).graph()
    assert {str(p).rsplit("#", 1)[-1] for p in only_ror.predicates()} >= {"sameAs"}
    assert "memberOf" not in {str(p).rsplit("#", 1)[-1] for p in only_ror.predicates()}
