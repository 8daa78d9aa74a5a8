"""Helpers over an rdflib ``Dataset`` shared by the stages after loading.

Validation, release diffs and anything else that reads "all the statements"
take the union of the named graphs from here, so they all see the same graph.
Loading (``build``) and validation (``validate``) share the error type and the
parser's quiet mode from here, so neither needs to import the other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rdflib import Dataset, Graph


class BuildError(Exception):
    """A source file is missing or cannot be parsed."""


@contextmanager
def quiet_ill_typed_literals() -> Iterator[None]:
    """Silence rdflib's traceback for a literal such as "2018-13-01"^^xsd:date.

    Such a value is kept as written, and the gate reports it with the resource
    and the rule it breaks; the traceback would only bury that answer.
    """
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph in one graph, keeping the dataset's prefixes."""
    graph = Graph()
    for prefix, ns in dataset.namespaces():
        graph.bind(prefix, ns, override=False)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
