"""Dumps, releases, VoID, DCAT, sitemap and robots.txt.

Files are served only by a name their folder's ``manifest.json`` lists; the
request path is never joined onto the file system as given. ``.gz`` files are
sent as ``application/gzip`` without ``Content-Encoding``: clients store the
exact bytes whose SHA-256 the manifest gives (no transparent decompression).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, request, send_file
from markupsafe import escape
from rdflib import Graph

from asu_graph import formats
from asu_graph.iris import dataset_iri
from asu_graph.publishing.dcat import catalog_graph
from asu_graph.publishing.export import sha256
from asu_graph.publishing.html import document_page, number, site_page
from asu_graph.publishing.layout import find_release, list_releases, served_file
from asu_graph.publishing.sitemap import robots_txt, sitemap_xml
from asu_graph.publishing.state import PublishingState
from asu_graph.publishing.void import dump_names, void_graph
from asu_graph.web import negotiation as neg
from asu_graph.web.http import conditional, error, etag_for
from asu_graph.web.state import current_state

blueprint = Blueprint("downloads", __name__)

# RDF documents (VoID, DCAT) are offered in every RDF format; Turtle by default.
DOCUMENT_FORMATS = neg.RDF_PREFERENCE
# Index pages change only with a new build or release: short cache.
INDEX_MAX_AGE = 60
RELEASE_MAX_AGE = 86400


def publishing() -> PublishingState:
    # Built by the app factory (``create_app``), before the server forks.
    return current_state().publishing


def root_url() -> str:
    """The URL this server answers at (host mapped, so it works behind any domain)."""
    return request.url_root


def _modified(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- content negotiation ---------------------------------------------------------

HTML = formats.HTML


def _offers(offered: tuple[str, ...], default: str, html: bool) -> tuple[neg.Offer, ...]:
    # The default first: */* and no Accept get it; a browser's text/html gets the page.
    keys = (default, *(k for k in offered if k != default))
    return neg.offers(keys, html="last" if html else None)


def negotiate(offered: tuple[str, ...], default: str, html: bool = False) -> str | None:
    """Format key from ?format= or Accept among ``offered``; None when nothing fits.

    With ``html``, a client that prefers text/html (a browser) gets ``"html"``;
    ``*/*`` alone, or no Accept, gets ``default``.
    """
    return neg.choose(
        _offers(offered, default, html),
        neg.words(offered, html),
        request.args.getlist("format"),
        request.headers.get("Accept"),
    )


def format_links(
    path: str, offered: tuple[str, ...], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Links to ``path`` in each offered format (for the HTML views)."""
    return {
        formats.RDF_FORMATS[k].media_type: f"{path}?{urlencode({**(extra or {}), 'format': k})}"
        for k in offered
    }


def not_acceptable(offered: tuple[str, ...]) -> Response:
    return error(
        406,
        neg.not_acceptable_message(
            request.path,
            _offers(offered, offered[0], True),
            neg.words(offered, True),
            request.headers.get("Accept"),
            request.args.getlist("format"),
        ),
    )


def rdf_document(name: str, build: Callable[[PublishingState, str], Graph]) -> Response:
    """A small RDF document (VoID, DCAT) negotiated, cached per host and format."""
    key = negotiate(DOCUMENT_FORMATS, "turtle", html=True)
    if key is None:
        return not_acceptable(DOCUMENT_FORMATS)
    lang = page_language() if key == HTML else ""
    if isinstance(lang, Response):
        return lang
    state = publishing()
    root = root_url()

    def render() -> bytes:
        graph: Graph = build(state, root)
        if key == HTML:
            return document_page(
                TEXT[lang][name],
                formats.serialize(graph, "turtle").decode("utf-8"),
                format_links(request.base_url, DOCUMENT_FORMATS),
                lang,
            ).encode("utf-8")
        return formats.serialize(graph, key)

    body = state.rendered((name, root, key, lang, _releases_key()), render)
    response = Response(body, content_type=formats.content_type(key))
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    # The ETag is the body's own hash: equal bytes, equal tag, in every worker.
    etag = etag_for(state.publication.version, hashlib.sha256(body).hexdigest())
    return conditional(response, etag, state.publication.modified, INDEX_MAX_AGE)


def _releases_key() -> str:
    """Changes when a release is added while the server runs (part of ETags)."""
    return ",".join(m["release"] for m in list_releases(publishing().publication.settings))


# -- VoID, DCAT, sitemap, robots --------------------------------------------------


def _void(state: PublishingState, root: str) -> Graph:
    return void_graph(
        state.publication.settings, state.stats, root, state.manifest, state.publication.modified
    )


@blueprint.route("/.well-known/void")
@blueprint.route("/void")
def void() -> Response:
    return rdf_document("void", _void)


def _catalog(state: PublishingState, root: str) -> Graph:
    return catalog_graph(
        state.publication.settings, root, state.manifest, list_releases(state.publication.settings)
    )


@blueprint.route("/catalog")
def catalog() -> Response:
    return rdf_document("catalog", _catalog)


@blueprint.route("/sitemap.xml")
def sitemap() -> Response:
    state = publishing()
    root = root_url()
    settings = state.publication.settings

    def render() -> bytes:
        return sitemap_xml(
            root,
            settings.id_ns,
            state.stats.entity_iris,
            dataset_iri(settings.base),
            [n for n, _ in dump_names(state.manifest)],
            state.manifest["modified"][:10],
        )

    body = state.rendered(("sitemap", root), render)
    response = Response(body, content_type="application/xml; charset=utf-8")
    return conditional(
        response,
        etag_for(state.publication.version, "sitemap", root),
        state.publication.modified,
        INDEX_MAX_AGE,
    )


@blueprint.route("/robots.txt")
def robots() -> Response:
    root = root_url()
    response = Response(robots_txt(root), content_type="text/plain; charset=utf-8")
    return conditional(
        response,
        etag_for(publishing().publication.version, "robots", root),
        publishing().publication.modified,
        INDEX_MAX_AGE,
    )


# -- download indexes and files --------------------------------------------------

_INDEX_OFFERS: tuple[neg.Offer, ...] = (
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("application/json", "json"),
)


def _wants_json() -> bool:
    asked = request.args.get("format")
    if asked:
        return asked.lower() in ("json", "application/json")
    return neg.negotiate(request.headers.get("Accept"), _INDEX_OFFERS) == "json"


def _entries(manifest: dict, base_url: str) -> list[dict]:
    return [
        {
            "name": name,
            "url": base_url + name,
            "format": meta.get("format"),
            "media_type": _media_type(name, meta),
            "bytes": meta["bytes"],
            "sha256": meta["sha256"],
            "gzip": bool(meta.get("gzip")),
        }
        for name, meta in sorted(manifest["files"].items())
    ]


def _media_type(name: str, meta: dict) -> str:
    return "application/gzip" if name.endswith(".gz") else meta["media_type"]


# Interface text of the download pages; values (names, versions, dates) are the data's.
TEXT = {
    "en": {
        "void": "VoID description",
        "catalog": "DCAT catalogue",
        "downloads": "Downloads",
        "releases": "Releases",
        "release": "Release {version}",
        "file": "File",
        "media_type": "Media type",
        "bytes": "Bytes",
        "version": "Version",
        "released": "Released",
        "triples": "Triples",
        "changes": "Changes",
        "no_release": "No release yet.",
        "current": "Current dumps",
        "what_changed": "What changed",
        "intro": "Version {version}, {triples} triples, built {built}. Licence: {licence}. "
        "Check a download with {check}.",
        "release_intro": "Released {released}, {triples} triples",
        "previous": "; previous release {link}",
        "first": "; first release",
    },
    "fr": {
        "void": "Description VoID",
        "catalog": "Catalogue DCAT",
        "downloads": "Téléchargements",
        "releases": "Versions publiées",
        "release": "Version {version}",
        "file": "Fichier",
        "media_type": "Type de média",
        "bytes": "Octets",
        "version": "Version",
        "released": "Publiée le",
        "triples": "Triplets",
        "changes": "Changements",
        "no_release": "Aucune version publiée pour l'instant.",
        "current": "Fichiers actuels",
        "what_changed": "Ce qui a changé",
        "intro": "Version {version}, {triples} triplets, construite le {built}. "
        "Licence : {licence}. Vérifiez un téléchargement avec {check}.",
        "release_intro": "Publiée le {released}, {triples} triplets",
        "previous": " ; version précédente {link}",
        "first": " ; première version",
    },
}


def page_language() -> str | Response:
    """The language of an HTML view (``?lang=``, then Accept-Language), as on every page."""
    from asu_graph.web.http import language

    return language()


def _catalogue_alternates() -> dict[str, str]:
    """The DCAT catalogue describes these files as RDF: linked from each index page."""
    catalog = root_url() + "catalog"
    return {formats.RDF_FORMATS[k].media_type: f"{catalog}?format={k}" for k in DOCUMENT_FORMATS}


def _html_page(title: str, intro: str, rows: list[dict], lang: str, extra: str = "") -> str:
    tx = TEXT[lang]
    lines = [
        f'<tr><td><a href="{escape(r["url"])}">{escape(r["name"])}</a></td>'
        f'<td>{escape(r["media_type"])}</td><td class="number">'
        f"{number(r['bytes'], lang)}</td>"
        f"<td><code>{escape(r['sha256'])}</code></td></tr>"
        for r in rows
    ]
    return site_page(
        title,
        f"<p>{intro}</p>{extra}"
        '<div class="table-scroll"><table class="report files"><thead><tr>'
        f"<th>{tx['file']}</th><th>{tx['media_type']}</th><th>{tx['bytes']}</th>"
        "<th>SHA-256</th></tr></thead><tbody>" + "".join(lines) + "</tbody></table></div>",
        lang,
        _catalogue_alternates(),
    )


def _index_response(
    payload: dict, html: str, etag_parts: tuple[str, ...], modified: datetime, max_age: int
) -> Response:
    if _wants_json():
        response = Response(json.dumps(payload, indent=2) + "\n", content_type="application/json")
    else:
        response = Response(html, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    kind = "json" if _wants_json() else "html"
    lang = ""
    if kind == "html":
        response.vary.add("Accept-Language")
        lang = str(page_language())
    return conditional(response, etag_for(*etag_parts, kind, lang, root_url()), modified, max_age)


@blueprint.route("/download/")
def download_index() -> Response:
    state = publishing()
    manifest = state.manifest
    base = root_url() + "download/"
    rows = _entries(manifest, base)
    releases = list_releases(state.publication.settings)
    payload = {
        "version": manifest["version"],
        "modified": manifest["modified"],
        "triples": manifest["triples"],
        "license": "CC BY 4.0",
        "files": rows,
        "releases": base + "releases/",
        "void": root_url() + ".well-known/void",
        "catalog": root_url() + "catalog",
    }
    lang = page_language()
    if isinstance(lang, Response):
        return lang
    tx = TEXT[lang]
    intro = tx["intro"].format(
        version=escape(manifest["version"]),
        triples=number(manifest["triples"], lang),
        built=escape(manifest["modified"]),
        licence='<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>',
        check="<code>sha256sum -c SHA256SUMS</code>",
    )
    extra = (
        f'<p><a href="releases/">{tx["releases"]}</a> ({len(releases)}) · '
        '<a href="../.well-known/void">VoID</a> · <a href="../catalog">DCAT</a> · '
        '<a href="SHA256SUMS">SHA256SUMS</a> · '
        '<a href="manifest.json">manifest.json</a></p>'
    )
    return _index_response(
        payload,
        _html_page(tx["downloads"], intro, rows, lang, extra),
        (state.publication.version, "download-index", _releases_key()),
        _modified(manifest["modified"]),
        INDEX_MAX_AGE,
    )


def _send(folder: Path, manifest: dict, name: str, max_age: int) -> Response:
    path = served_file(folder, manifest, name)
    if path is None:
        return error(404, f"No file named {name!r} here; see the index for what exists.")
    meta = manifest["files"].get(name)
    if meta is None:  # manifest.json / SHA256SUMS themselves
        # Werkzeug adds "; charset=utf-8" to text/* itself: naming it here doubled it.
        media = "application/json" if name.endswith(".json") else "text/plain"
        etag = sha256(path)
    else:
        media, etag = _media_type(name, meta), meta["sha256"]
    response = send_file(
        path,
        mimetype=media,
        conditional=True,
        etag=etag,
        last_modified=_modified(manifest.get("released") or manifest["modified"]),
        max_age=max_age,
    )
    if name.endswith(".gz"):
        # The bytes are the gzip file itself: tell proxies not to re-encode them.
        response.headers["Cache-Control"] = f"public, max-age={max_age}, no-transform"
    return response


@blueprint.route("/download/<name>")
def download_file(name: str) -> Response:
    state = publishing()
    return _send(state.folder, state.manifest, name, INDEX_MAX_AGE)


@blueprint.route("/download/releases/")
def releases_index() -> Response:
    state = publishing()
    settings = state.publication.settings
    releases = list_releases(settings)
    base = root_url() + "download/releases/"
    items = [
        {
            "version": m["release"],
            "url": f"{base}{m['release']}/",
            "released": m["released"],
            "previous": m.get("previous"),
            "triples": m["triples"],
            "added": m.get("changes", {}).get("added"),
            "removed": m.get("changes", {}).get("removed"),
        }
        for m in reversed(releases)
    ]
    payload = {"releases": items, "latest": items[0]["version"] if items else None}
    lang = page_language()
    if isinstance(lang, Response):
        return lang
    tx = TEXT[lang]
    rows = "".join(
        f'<tr><td><a href="{escape(i["version"])}/">{escape(i["version"])}</a></td>'
        f'<td>{escape(i["released"])}</td><td class="number">{number(i["triples"], lang)}</td>'
        f"<td>+{i['added'] or 0} / -{i['removed'] or 0}</td></tr>"
        for i in items
    )
    html = site_page(
        tx["releases"],
        (
            f"<p>{tx['no_release']}</p>"
            if not items
            else '<div class="table-scroll"><table class="report"><thead><tr>'
            f"<th>{tx['version']}</th><th>{tx['released']}</th><th>{tx['triples']}</th>"
            f"<th>{tx['changes']}</th></tr></thead><tbody>" + rows + "</tbody></table></div>"
        )
        + f'<p><a href="../">{tx["current"]}</a></p>',
        lang,
        _catalogue_alternates(),
    )
    modified = _modified(releases[-1]["released"]) if releases else state.publication.modified
    return _index_response(
        payload, html, ("releases-index", _releases_key()), modified, INDEX_MAX_AGE
    )


def _release_or_404(version: str) -> tuple[dict | None, Response | None]:
    manifest = find_release(publishing().publication.settings, version)
    if manifest is None:
        return None, error(404, f"No release named {version!r}; see /download/releases/.")
    return manifest, None


@blueprint.route("/download/releases/<version>/")
def release_index(version: str) -> Response:
    manifest, problem = _release_or_404(version)
    if problem is not None:
        return problem
    base = f"{root_url()}download/releases/{version}/"
    rows = _entries(manifest, base)
    payload = {
        "version": version,
        "released": manifest["released"],
        "previous": manifest.get("previous"),
        "triples": manifest["triples"],
        "changes": manifest.get("changes", {}),
        "files": rows,
    }
    previous = manifest.get("previous")
    lang = page_language()
    if isinstance(lang, Response):
        return lang
    tx = TEXT[lang]
    link = f'<a href="../{escape(previous)}/">{escape(previous)}</a>' if previous else ""
    intro = (
        tx["release_intro"].format(
            released=escape(manifest["released"]), triples=number(manifest["triples"], lang)
        )
        + (tx["previous"].format(link=link) if previous else tx["first"])
        + "."
    )
    summary = (
        f'<p><a href="changes.md">{tx["what_changed"]}</a></p>'
        if "changes.md" in manifest["files"]
        else ""
    )
    return _index_response(
        payload,
        _html_page(tx["release"].format(version=version), intro, rows, lang, summary),
        ("release-index", version, manifest.get("sha256sums", "")),
        _modified(manifest["released"]),
        RELEASE_MAX_AGE,
    )


@blueprint.route("/download/releases/<version>/<name>")
def release_file(version: str, name: str) -> Response:
    manifest, problem = _release_or_404(version)
    if problem is not None:
        return problem
    # A release never changes once written: clients may cache it for long.
    return _send(Path(manifest["folder"]), manifest, name, RELEASE_MAX_AGE)
