"""Query stores, chosen by name like rdflib's plugins.

``open_store("oxigraph")`` embedded Oxigraph in memory, ``"oxigraph:DIR"`` on
disk, ``"oxrdflib"`` an rdflib Dataset over Oxigraph (rdflib API, Oxigraph
engine), ``"memory"`` rdflib's own engine, ``"http(s)://..."`` the current
release of a remote triple store (SPARQL 1.1 Protocol, see ``remote.py``).
Other kinds register themselves with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable

from asu_graph.store.base import (
    QueryAnswerError,
    QueryResult,
    QuerySyntaxError,
    Store,
    StoreUnavailable,
)

_FACTORIES: dict[str, Callable[[str, object], Store]] = {}


def register(scheme: str, factory: Callable[[str, object], Store]) -> None:
    """Make ``open_store`` build ``factory(spec, settings)`` for specs starting with ``scheme``."""
    _FACTORIES[scheme] = factory


def _oxigraph(spec: str, settings: object) -> Store:
    from asu_graph.store.oxigraph import OxigraphStore

    _, _, path = spec.partition(":")
    return OxigraphStore(path or None)


def _memory(spec: str, settings: object) -> Store:
    from asu_graph.store.memory import MemoryStore

    return MemoryStore()


def _oxrdflib(spec: str, settings: object) -> Store:
    from asu_graph.store.oxrdflib import OxrdflibStore

    return OxrdflibStore()


def _remote(spec: str, settings: object) -> Store:
    from asu_graph.store.remote import RemoteStore

    return RemoteStore(spec, settings)


register("oxigraph", _oxigraph)
register("http", _remote)
register("https", _remote)
register("oxrdflib", _oxrdflib)
register("memory", _memory)


def store_names() -> list[str]:
    return sorted(_FACTORIES)


def open_store(spec: str, settings: object = None) -> Store:
    scheme = spec.split(":", 1)[0].lower()
    if scheme not in _FACTORIES:
        raise ValueError(f"unknown store {spec!r}; known: {', '.join(store_names())}")
    return _FACTORIES[scheme](spec, settings)


__all__ = [
    "QueryAnswerError",
    "QueryResult",
    "QuerySyntaxError",
    "Store",
    "StoreUnavailable",
    "open_store",
    "register",
    "store_names",
]
