"""The query page ``/query``: YASGUI on this server's endpoint, with the curated queries.

Everything the page loads comes from this app (it works offline on
localhost): the editor's two files are served from an npm install of
``@zazuko/yasgui`` (``ASU_YASGUI_DIR``, else the copy the wheel carries, else
``node_modules`` of the source checkout). Without them the page still works
as a plain form that posts to ``/sparql``.

The page holds no inline script, so a ``script-src 'self'`` policy applies:
its settings travel in a JSON data block read by ``static/query.js``.

Each curated query is also a resource ``{base}query/{name}``, served here at
``/query/{name}`` (the page with that query loaded, its SPARQL text, or its
description in RDF).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request, send_file
from rdflib import Graph, URIRef

from asu_graph import formats
from asu_graph.config import Settings
from asu_graph.namespaces import project_prefixes
from asu_graph.paths import yasgui_folders
from asu_graph.pipeline.curated import CuratedQuery, curated_queries, query_iri
from asu_graph.sparql.guard import scan
from asu_graph.store import QuerySyntaxError
from asu_graph.web import negotiation as neg
from asu_graph.web.http import conditional, error, etag_for
from asu_graph.web.linked_data import PAGE_OFFERS, embed_json, finish, html, language, serialize
from asu_graph.web.state import current_publication, current_service, current_state

blueprint = Blueprint("query_page", __name__)

# The only files of the package the page needs (the source maps help debugging).
YASGUI_FILES = {
    "yasgui.min.js": "text/javascript",
    "yasgui.min.css": "text/css",
    "yasgui.min.js.map": "application/json",
}
SPARQL_QUERY_TYPE = "application/sparql-query"

TEXT = {
    "en": {
        "title": "Query the data",
        "tools": "Share and download",
        "endpoint": "Endpoint:",
        "lead": "Write SPARQL against this server's endpoint, or start from one of the example "
        "queries. IRIs in the results link to their pages.",
        "examples": "Example queries",
        "choose": "Choose an example…",
        "load": "Load",
        "federated_short": "federated, not run here",
        "missing_title": "The query editor is not installed.",
        "missing_body": "This form still runs queries. The editor (syntax highlighting, "
        "completion, result table) needs the files of @zazuko/yasgui 4.6.2; "
        "point the server at a folder that holds them:",
        "format": "Result format",
        "run": "Run query",
        "share": "Share:",
        "share_link": "link to this query",
        "copy_link": "Copy link",
        "copied": "Copied.",
        "download": "Download the results:",
        "federated_note": "This query calls another endpoint with SERVICE, which this server "
        "refuses; run it on your own machine (see its description).",
        "running": "Running the query…",
        "stop": "Stop the query",
        "stopped": "Query stopped.",
        "done": "{rows} rows in {seconds} s.",
        "failed": "The query failed.",
        "timeline": "Timeline of the dated rows",
        "editor": "SPARQL query",
        "page_size": "Rows per page",
        "timeline_summary": "{count} dated rows from {first} to {last}.",
    },
    "fr": {
        "title": "Interroger les données",
        "tools": "Partager et télécharger",
        "endpoint": "Point d'accès :",
        "lead": "Écrivez du SPARQL pour le point d'accès de ce serveur, ou partez d'une des "
        "requêtes d'exemple. Les IRI des résultats mènent à leurs pages.",
        "examples": "Requêtes d'exemple",
        "choose": "Choisir un exemple…",
        "load": "Charger",
        "federated_short": "fédérée, non exécutée ici",
        "missing_title": "L'éditeur de requêtes n'est pas installé.",
        "missing_body": "Ce formulaire exécute quand même les requêtes. L'éditeur "
        "(coloration, complétion, tableau de résultats) a besoin des fichiers "
        "de @zazuko/yasgui 4.6.2 ; indiquez au serveur un dossier qui les "
        "contient :",
        "format": "Format des résultats",
        "run": "Exécuter",
        "share": "Partager :",
        "share_link": "lien vers cette requête",
        "copy_link": "Copier le lien",
        "copied": "Copié.",
        "download": "Télécharger les résultats :",
        "federated_note": "Cette requête appelle un autre point d'accès avec SERVICE, ce que ce "
        "serveur refuse ; lancez-la sur votre machine (voir sa description).",
        "running": "Requête en cours…",
        "stop": "Arrêter la requête",
        "stopped": "Requête arrêtée.",
        "done": "{rows} lignes en {seconds} s.",
        "failed": "La requête a échoué.",
        "timeline": "Chronologie des lignes datées",
        "editor": "Requête SPARQL",
        "page_size": "Lignes par page",
        "timeline_summary": "{count} lignes datées, de {first} à {last}.",
    },
}


def find_yasgui(settings: Settings) -> Path | None:
    """Where the editor's files are for these settings, or None when not installed."""
    configured = settings.yasgui_dir
    candidates = [Path(configured)] if configured else yasgui_folders()
    for folder in candidates:
        if (folder / "yasgui.min.js").is_file() and (folder / "yasgui.min.css").is_file():
            return folder
    return None


def yasgui_dir() -> Path | None:
    return find_yasgui(current_publication().settings)


def _curated() -> dict[str, CuratedQuery]:
    # The build has already checked them; a serving process reads them once.
    settings = current_publication().settings
    return current_state().derived(
        "curated_queries", lambda: curated_queries(settings, federated=True)
    )


def _terms() -> dict[str, list[str]]:
    """The properties and classes the data uses, for the editor's completion."""
    service = current_service()

    def make() -> dict[str, list[str]]:
        properties = service.run("SELECT DISTINCT ?term WHERE { ?s ?term ?o }").rows()
        classes = service.run("SELECT DISTINCT ?term WHERE { ?s a ?term }").rows()
        return {
            "properties": sorted(str(r["term"]) for r in properties),
            "classes": sorted(str(r["term"]) for r in classes if isinstance(r["term"], URIRef)),
        }

    return current_state().derived("query_terms", make)


def _default_query() -> str:
    prefixes = project_prefixes(current_publication().settings)
    shown = ("asu", "id", "org", "schema", "skos", "rdfs", "dcterms", "prov", "owl", "xsd")
    head = "\n".join(f"PREFIX {p}: <{prefixes[p]}>" for p in shown if p in prefixes)
    return (
        head + "\n\nSELECT ?member ?name WHERE {\n"
        "  id:alliance-sorbonne-universite org:hasMember ?member .\n"
        "  ?member skos:prefLabel ?name .\n"
        '  FILTER(LANG(?name) = "en")\n'
        "}\nORDER BY ?name\n"
    )


def _link_rules(root: str) -> list[list[str]]:
    """Canonical IRI prefix -> path on this host, for links in the results table."""
    s = current_publication().settings
    return [
        [s.id_ns, f"{root}/page/"],
        [s.ontology_ns, f"{root}/ontology#"],
        [s.base + "query/", f"{root}/query/"],
    ]


@blueprint.route("/query")
def query_page(described_by: list[dict[str, str]] | None = None) -> Response:
    """The query page; ``described_by`` adds ``<link rel="alternate">`` to the RDF
    descriptions of the URL it is served at (the service description at /sparql)."""
    lang = language()
    if isinstance(lang, Response):
        return lang
    curated = _curated()
    name = request.args.get("name")
    text = request.args.get("query")
    if name is not None and name not in curated:
        return error(
            404, f"No curated query is named {name!r}. Curated queries: " + ", ".join(curated)
        )
    if text is None:
        text = curated[name].body if name else _default_query()
    settings = current_publication().settings
    root = request.script_root
    assets = yasgui_dir()
    entries = [
        {
            "name": q.name,
            "title": (q.title_fr or q.title) if lang == "fr" else q.title,
            "description": (q.description_fr or q.description) if lang == "fr" else q.description,
            "query": q.body,
            "federated": q.federated,
        }
        for q in curated.values()
    ]
    endpoint = request.host_url.rstrip("/") + root + "/sparql"
    config = {
        "endpoint": endpoint,
        "page": root + "/query",
        "prefixes": project_prefixes(settings),
        "prefixesUrl": root + "/query/prefixes.json",
        "links": _link_rules(root),
        "queries": entries,
        "resultFormats": list(formats.RESULT_FORMATS),
        "graphFormats": [k for k, f in formats.RDF_FORMATS.items() if not f.quads],
        "extensions": {
            k: f.extension for k, f in {**formats.RESULT_FORMATS, **formats.RDF_FORMATS}.items()
        },
        "lang": lang,
        "terms": _terms(),
        "text": {
            k: TEXT[lang][k]
            for k in (
                "copied",
                "federated_note",
                "running",
                "stopped",
                "done",
                "failed",
                "timeline",
                "timeline_summary",
                "editor",
                "page_size",
            )
        },
    }
    body = html(
        "query.html",
        lang=lang,
        tx=TEXT[lang],
        endpoint=endpoint,
        queries=entries,
        selected=name,
        text=text,
        assets=assets is not None,
        config=embed_json(json.dumps(config)),
        result_formats=list(formats.RESULT_FORMATS),
        alternates=(_curated_alternates(root, name) if name else []) + (described_by or []),
        # A federated example is refused here: no link that cannot work.
        downloads=[] if name and curated[name].federated else _download_links(root, text),
        page_lang_links={
            code: f"{root}/query?"
            + urlencode({k: v for k, v in (("lang", code), ("name", name)) if v})
            for code in ("en", "fr")
        },
    )
    # The page depends on its arguments and on the host (the endpoint it names).
    response = Response(body, content_type="text/html; charset=utf-8")
    response.vary.add("Accept-Language")
    publication = current_publication()
    return conditional(
        response,
        etag_for(publication.version, request.full_path, request.host_url, lang),
        publication.modified,
    )


@blueprint.route("/query/yasgui/<filename>")
def yasgui_asset(filename: str) -> Response:
    if filename not in YASGUI_FILES:
        return error(404, f"Not found: {filename} is not one of the query editor's files.")
    folder = yasgui_dir()
    if folder is None or not (folder / filename).is_file():
        return error(
            404,
            "The query editor's files are not part of this installation; "
            "ASU_YASGUI_DIR names a folder that holds them (docs/queries.md).",
        )
    response = send_file(
        folder / filename, mimetype=YASGUI_FILES[filename], max_age=86400, conditional=True
    )
    return response


@blueprint.route("/query/prefixes.json")
def prefixes() -> Response:
    """The prefixes the editor proposes after ``PREFIX`` (the format prefix.cc uses)."""
    body = json.dumps(project_prefixes(current_publication().settings), indent=1)
    return finish(200, body.encode(), "application/json", "json")


# The page (a 303 to /query?name=), the description in RDF, or the SPARQL text
# for a client that names application/sparql-query.
_CURATED_OFFERS: tuple[neg.Offer, ...] = (*PAGE_OFFERS, (SPARQL_QUERY_TYPE, "rq"))
_CURATED_WORDS = {**neg.words(neg.RDF_PREFERENCE, html=True), "rq": "rq", "sparql": "rq"}


def _download_links(root: str, text: str) -> list[tuple[str, str, str]]:
    """(format, URL, file name) of the page's query answered by /sparql, without script.

    The script keeps them in step with the editor; these make the same links
    for a browser that runs no script.
    """
    form = "SELECT"
    try:
        words = (t.text.upper() for t in scan(text, lenient=True) if t.kind == "word")
        form = next((w for w in words if w in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), form)
    except QuerySyntaxError:
        pass
    table = (
        formats.RESULT_FORMATS
        if form in ("SELECT", "ASK")
        else {k: f for k, f in formats.RDF_FORMATS.items() if not f.quads}
    )
    return [
        (
            key,
            f"{root}/sparql?{urlencode({'query': text, 'format': key})}",
            f"results.{fmt.extension}",
        )
        for key, fmt in table.items()
    ]


def _curated_alternates(root: str, name: str) -> list[dict[str, str]]:
    """The curated query's description in each RDF format, and its SPARQL text."""
    found = [
        {
            "type": formats.RDF_FORMATS[k].media_type,
            "href": f"{root}/query/{name}?{urlencode({'format': k})}",
        }
        for k in neg.RDF_PREFERENCE
    ]
    return [*found, {"type": SPARQL_QUERY_TYPE, "href": f"{root}/query/{name}.rq"}]


@blueprint.route("/query/<name>")
def curated_resource(name: str) -> Response:
    """``{base}query/{name}`` on this host: page (HTML), SPARQL text, or RDF description."""
    stem, dot, ext = name.partition(".")
    curated = _curated()
    if stem not in curated:
        return error(
            404, f"No curated query is named {stem!r}. Curated queries: " + ", ".join(curated)
        )
    query = curated[stem]
    if dot:
        if ext != "rq":
            return error(
                404, f"Not found: /query/{stem} is offered as .rq only (or by content negotiation)."
            )
        return _sparql_text(query)
    choice = neg.for_request(f"the curated query {stem!r}", _CURATED_OFFERS, _CURATED_WORDS)
    if choice.problem is not None:
        return choice.problem
    if choice.key == "rq":
        return _sparql_text(query)
    if choice.key == formats.HTML:
        target = f"{request.script_root}/query?{urlencode({'name': stem})}"
        return redirect(target, code=303)
    key = choice.key
    body = serialize(_description(query), key)
    return finish(200, body, formats.content_type(key), key)


def _sparql_text(query: CuratedQuery) -> Response:
    return finish(200, query.text.encode("utf-8"), f"{SPARQL_QUERY_TYPE}; charset=utf-8", "rq")


def _description(query: CuratedQuery) -> Graph:
    publication = current_publication()
    settings = publication.settings
    node = query_iri(settings, query.name)
    graph = Graph()
    for prefix, namespace in project_prefixes(settings).items():
        graph.bind(prefix, namespace)
    for s, p, o, _ in publication.dataset.quads((node, None, None, None)):
        graph.add((s, p, o))
    graph.bind("query", URIRef(settings.base + "query/"))
    return graph
