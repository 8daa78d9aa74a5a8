"""Helpers over an rdflib ``Dataset`` shared by the stages after loading.

Validation, release diffs and anything else that reads "all the statements"
take the union of the named graphs from here, so they all see the same graph.
"""

from __future__ import annotations

from rdflib import Dataset, Graph


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph in one graph, keeping the dataset's prefixes."""
    graph = Graph()
    for prefix, ns in dataset.namespaces():
        graph.bind(prefix, ns, override=False)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
