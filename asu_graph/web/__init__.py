"""The web app (Flask application factory) and the state each app owns.

Everything a request may reuse (the publishing state with its dumps and
statistics, the caches of finished bodies) is built here, once per app, in
the server's main process before any worker forks: registering a blueprint
does no I/O, and no module keeps state of its own between requests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from flask import Flask, current_app

from ..cache import ResultCache
from ..config import Settings
from ..publication import Publication, prepare
from ..publishing.state import PublishingState, build_state
from ..query_service import QueryService

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


def create_app(settings: Settings | None = None,
               publication: Publication | None = None) -> Flask:
    """Build, validate and load the graph (unless given), then wire the blueprints.

    Raises ``asu_graph.publication.InvalidData`` when the data breaks the shapes:
    an invalid graph is never served.
    """
    settings = settings or (publication.settings if publication else Settings.from_env())
    publication = publication or prepare(settings)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    logging.getLogger("asu_graph").setLevel(settings.log_level.upper())
    state = AppState.build(publication)
    app.extensions["asu_state"] = state
    app.extensions["asu"] = publication
    app.extensions["asu_queries"] = state.queries

    from .downloads import blueprint as downloads
    from .errors_remote import install as install_store_errors
    from .fragments import blueprint as fragments
    from .http import install as install_http
    from .landing import blueprint as landing
    from .linked_data import blueprint as linked_data
    from .query_page import blueprint as query_page
    from .reconcile import blueprint as reconcile
    from .search import blueprint as search
    from .security import install as install_security
    from .sparql import blueprint as sparql

    install_http(app)
    install_security(app, settings)
    install_store_errors(app)

    for blueprint in (sparql, linked_data, landing, downloads, fragments, query_page, search,
                      reconcile):
        app.register_blueprint(blueprint)
    return app


def current_state() -> AppState:
    return current_app.extensions["asu_state"]


def current_publication() -> Publication:
    return current_app.extensions["asu"]


def current_service() -> QueryService:
    return current_app.extensions["asu_queries"]
