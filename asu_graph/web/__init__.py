"""The web app (Flask application factory).

Everything a request may reuse (the publishing state with its dumps and
statistics, the caches of finished bodies: ``state.AppState``) is built here,
once per app, in the server's main process before any worker forks:
registering a blueprint does no I/O, and no module keeps state of its own
between requests.
"""

from __future__ import annotations

import logging

from flask import Flask

from asu_graph.config import Settings
from asu_graph.publication import Publication, prepare
from asu_graph.web.state import AppState, current_publication, current_service, current_state

__all__ = ["AppState", "create_app", "current_publication", "current_service", "current_state"]


def create_app(settings: Settings | None = None, publication: Publication | None = None) -> Flask:
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

    from asu_graph.web.downloads import blueprint as downloads
    from asu_graph.web.errors_remote import install as install_store_errors
    from asu_graph.web.fragments import blueprint as fragments
    from asu_graph.web.http import install as install_http
    from asu_graph.web.landing import blueprint as landing
    from asu_graph.web.linked_data import blueprint as linked_data
    from asu_graph.web.query_page import blueprint as query_page
    from asu_graph.web.reconcile import blueprint as reconcile
    from asu_graph.web.search import blueprint as search
    from asu_graph.web.security import install as install_security
    from asu_graph.web.sparql import blueprint as sparql

    install_http(app)
    install_security(app, settings)
    install_store_errors(app)

    for blueprint in (
        sparql,
        linked_data,
        landing,
        downloads,
        fragments,
        query_page,
        search,
        reconcile,
    ):
        app.register_blueprint(blueprint)
    return app
