"""The one place that mints the project's own identifiers (dataset, releases, catalogue).

Every identifier is minted under the canonical base (``settings.base``), so it
is the same wherever the server runs; locations (download links, the endpoint)
are URLs of the server that answers and are not made here.

A release has two names, for two different things:

* ``release_iri``: the release as a ``dcat:Dataset`` in the catalogue
  (``{base}dataset/release/{version}``), a version of ``dataset_iri``;
* ``release_graph_iri``: the named graph that holds the release's union in a
  store (``{base}graph/release/{name}``), under which its source graphs are
  stored, and which the pointer graph ``pointer_graph_iri`` names as current.
"""

from __future__ import annotations

import re

# The name of a release in a store: the data version, possibly with a UTC timestamp.
RELEASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def dataset_iri(base: str) -> str:
    return base + "dataset"


def release_iri(base: str, version: str) -> str:
    return f"{base}dataset/release/{version}"


def catalog_iri(base: str) -> str:
    return base + "catalog"


def publisher_iri(base: str) -> str:
    return base + "publisher"


def service_iri(base: str) -> str:
    return base + "service/sparql"


def pointer_graph_iri(base: str) -> str:
    return base + "graph/current"


def release_graph_prefix(base: str) -> str:
    return base + "graph/release/"


def release_graph_iri(base: str, name: str) -> str:
    """The store graph of release ``name``; a name that would not be one path segment fails."""
    if not RELEASE_NAME.match(name):
        raise ValueError(f"not a usable release name: {name!r}")
    return release_graph_prefix(base) + name
