"""The web app (Flask application factory)."""

from __future__ import annotations

import logging

from flask import Flask

from ..config import Settings
from ..publication import Publication, prepare
from ..query_service import QueryService


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
    app.extensions["asu"] = publication
    app.extensions["asu_queries"] = QueryService(publication)
    logging.getLogger("asu_graph").setLevel(settings.log_level.upper())

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


def current_publication() -> Publication:
    from flask import current_app

    return current_app.extensions["asu"]


def current_service() -> QueryService:
    from flask import current_app

    return current_app.extensions["asu_queries"]
