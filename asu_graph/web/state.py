"""What one web app shares between its requests, and how a request reaches it.

Built by the app factory (``create_app``), once per app, in the server's main
process before any worker forks. The blueprint modules import this module,
never the package's ``__init__`` (which imports them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from flask import current_app

from asu_graph.cache import ResultCache
from asu_graph.publication import Publication
from asu_graph.publishing.state import PublishingState, build_state
from asu_graph.query.service import QueryService

T = TypeVar("T")

# Rendered pages and documents: the release never changes under a running app, so
# only the number of distinct URLs (and Host headers) bounds them.
_PAGES_MAX_ENTRIES = 2048
_DOCUMENTS_MAX_ENTRIES = 256


@dataclass
class AppState:
    """What one app shares between its requests; ``app.extensions["asu_state"]``.

    Every cache key holds everything the body depends on (the request's root
    URL among them where the body carries links), so a request sent with an
    unusual Host or script root can never change what another client receives.
    """

    publication: Publication
    queries: QueryService
    publishing: PublishingState
    # (status, body, content type) of entity pages, graphs, ontology, landing page.
    pages: ResultCache[tuple[int, bytes, str]]
    # Bodies of the service description, TPF fragments.
    documents: ResultCache[bytes]
    fragments: ResultCache[bytes]
    # Small values computed once per published version (service description counts).
    computed: ResultCache[object] = field(default_factory=lambda: ResultCache(16, 16))
    # Derived from the publication on first use (search index, vocabulary ...):
    # building them all at start-up would slow every start for pages not asked for.
    _derived: dict[str, object] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock)

    def derived(self, name: str, make: Callable[[], T]) -> T:
        """``make()`` once for this app (one thread builds it, the others wait).

        One lock per name: building one value (the query editor's term lists
        run queries) does not hold up requests that need another.
        """
        with self._locks_lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._derived:
                self._derived[name] = make()
            return cast(T, self._derived[name])

    @classmethod
    def build(cls, publication: Publication) -> AppState:
        settings = publication.settings
        body_bytes = settings.cache_max_bytes
        return cls(
            publication=publication,
            queries=QueryService(publication),
            # Writes the dumps of this version if missing and counts the statistics.
            publishing=build_state(publication),
            pages=ResultCache(_PAGES_MAX_ENTRIES, body_bytes),
            documents=ResultCache(_DOCUMENTS_MAX_ENTRIES, body_bytes),
            # Clients such as Comunica ask the same fragments again and again.
            fragments=ResultCache(settings.cache_size, body_bytes),
        )


def current_state() -> AppState:
    return current_app.extensions["asu_state"]


def current_publication() -> Publication:
    return current_app.extensions["asu"]


def current_service() -> QueryService:
    return current_app.extensions["asu_queries"]
