"""Search by name: ``/search?q=`` (HTML or JSON) and ``/search/suggest`` for the header box.

The index (``asu_graph.query.search_index``) is built from the published dataset the
first time the app needs it and kept on the app, so each release served gets
its own index without a separate search server.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from asu_graph.web.http import error
from asu_graph.web.linked_data import (
    finish,
    hit_json,
    html,
    language,
    links,
    search_index,
    vocabulary,
)
from asu_graph.web.negotiation import negotiate

blueprint = Blueprint("search", __name__)

MAX_QUERY_CHARS = 200
MAX_LIMIT = 50
_OFFERS = [("text/html", "html"), ("application/json", "json")]


def _arguments() -> tuple[str, int] | Response:
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        return error(
            400,
            f"The search text is {len(text)} characters long; at most "
            f"{MAX_QUERY_CHARS} are accepted.",
        )
    raw = request.args.get("limit", "10")
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        return error(400, f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return text, int(raw)


def _json(data: dict, representation: str, lang: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return finish(
        200,
        body,
        "application/json; charset=utf-8",
        representation,
        lang,
        extra_vary=("Accept-Language",),
    )


@blueprint.route("/search")
def search() -> Response:
    args = _arguments()
    if isinstance(args, Response):
        return args
    text, limit = args
    lang = language()
    if isinstance(lang, Response):
        return lang
    word = request.args.get("format")
    if word is not None:
        representation = {"json": "json", "html": "html"}.get(word)
        if representation is None:
            return error(400, f"Unknown format {word!r}: use json or html.")
    else:
        representation = negotiate(request.headers.get("Accept"), _OFFERS)
        if representation is None:
            return error(406, "This resource is offered as text/html and application/json.")
    hits = search_index().search(text, limit=limit)
    if representation == "json":
        return _json({"query": text, "results": [hit_json(h, lang) for h in hits]}, "json", lang)
    body = html(
        "search.html",
        lang=lang,
        query=text,
        results=[hit_json(h, lang) for h in hits],
        page_lang_links={
            code: f"{request.script_root}/search?{urlencode({'q': text, 'lang': code})}"
            for code in ("en", "fr")
        },
    )
    return finish(
        200, body, "text/html; charset=utf-8", "html", lang, extra_vary=("Accept-Language",)
    )


@blueprint.route("/search/suggest")
def suggest() -> Response:
    """Autocompletion: the best few entities for what has been typed so far (always JSON)."""
    args = _arguments()
    if isinstance(args, Response):
        return args
    text, limit = args
    lang = language()
    if isinstance(lang, Response):
        return lang
    hits = search_index().search(text, limit=min(limit, 10))
    return _json(
        {
            "query": text,
            "results": [
                {
                    "id": h.entry.iri,
                    "label": h.entry.label(lang),
                    "url": links().href(h.entry.iri),
                    "type": vocabulary().label(h.entry.types[0], lang) if h.entry.types else None,
                }
                for h in hits
            ],
        },
        "suggest",
        lang,
    )
