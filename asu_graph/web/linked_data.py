"""Dereferenceable URIs: ``/id/{slug}`` -> 303 -> ``/page/{slug}`` or ``/data/{slug}.{ext}``.

Follows the W3C "Cool URIs for the Semantic Web" 303 pattern for entities and
the hash pattern for ontology terms (``{base}ontology#X`` is served at
``/ontology`` by content negotiation). The canonical base maps onto the
serving host: HTML links use this server's paths, RDF keeps canonical IRIs.
Everything here is read-only and depends only on the published release, so
each response carries an ETag tied to it and rendered bodies are cached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Blueprint, Response, redirect, render_template, request, url_for
from jinja2 import pass_context
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from asu_graph import formats
from asu_graph.namespaces import PROV, jsonld_context, project_prefixes
from asu_graph.query.describe import describe
from asu_graph.query.search_index import Hit, SearchIndex
from asu_graph.web import negotiation as neg
from asu_graph.web.http import conditional, error, etag_for, language, not_found_message
from asu_graph.web.pages import (
    LANGUAGES,
    MESSAGES,
    SLUG,
    EntityBuilder,
    Links,
    Vocabulary,
    ontology_terms,
    title_of,
)
from asu_graph.web.readable import readable
from asu_graph.web.state import current_publication, current_service, current_state

blueprint = Blueprint("linked_data", __name__)

# What /data/{slug}.{ext}, /ontology.{ext}, /graph/{stem}.{ext} and /shapes.{ext} serve:
# every RDF format of the table (a dataset format holds the graph as its default
# graph, or as the named graph it is).
EXTENSION_OF: dict[str, str] = {k: formats.RDF_FORMATS[k].extension for k in neg.RDF_PREFERENCE}
EXTENSIONS: dict[str, str] = {ext: key for key, ext in EXTENSION_OF.items()}
# text/html first so that */* (curl, links) and no Accept get the page.
PAGE_OFFERS = neg.offers(neg.RDF_PREFERENCE, html="first")
DATA_OFFERS = neg.offers(neg.RDF_PREFERENCE)


# -- helpers ------------------------------------------------------------------


def negotiate(allow_html: bool = True) -> str | None:
    """The representation key for this request's Accept: 'html', an RDF key, or None."""
    return neg.negotiate(request.headers.get("Accept"), PAGE_OFFERS if allow_html else DATA_OFFERS)


def not_acceptable(html_too: bool) -> Response:
    return error(
        406,
        neg.not_acceptable_message(
            request.path,
            PAGE_OFFERS if html_too else DATA_OFFERS,
            {},
            request.headers.get("Accept"),
            (),
        ),
    )


def links() -> Links:
    return Links(current_publication().settings, request.script_root)


def vocabulary() -> Vocabulary:
    publication = current_publication()
    return current_state().derived(
        "vocabulary",
        lambda: Vocabulary(publication.dataset.graph(URIRef(publication.settings.ontology_iri))),
    )


def rendered(key: tuple, produce: Callable[[], tuple[int, bytes, str]]) -> tuple[int, bytes, str]:
    """(status, body, content type) of ``produce()``, kept in the app's page cache.

    Pages carry links built from the request's root URL (scheme, host, path
    prefix), so the root is part of every key: a request sent with another
    Host can never change what other clients receive. The release never
    changes under a running app, so nothing else needs to be in the key.
    """
    return current_state().pages.get_or_make(
        (request.url_root, *key), produce, lambda value: len(value[1])
    )


def finish(
    status: int,
    body: bytes,
    content_type: str,
    representation: str,
    lang: str = "",
    extra_vary: tuple[str, ...] = (),
) -> Response:
    """Vary / ETag / Last-Modified / CORS on every RDF and HTML answer; 304 when it matches."""
    publication = current_publication()
    response = Response(body, status=status, content_type=content_type)
    response.vary.add("Accept")
    for header in extra_vary:
        response.vary.add(header)
    response.headers["Access-Control-Allow-Origin"] = "*"
    if status != 200:
        return response
    etag = etag_for(publication.version, request.path, representation, lang)
    return conditional(response, etag, publication.modified)


def serialize(graph: Graph, key: str, name: str | None = None) -> bytes:
    """A graph in an RDF format key, with the project's prefixes / JSON-LD context.

    In a dataset format (TriG, N-Quads) the graph is the named graph ``name``,
    or the default graph.
    """
    settings = current_publication().settings
    for prefix, ns in project_prefixes(settings).items():
        graph.bind(prefix, ns, override=True, replace=True)
    if key == "json-ld":
        return graph.serialize(
            format="json-ld", context=jsonld_context(settings), auto_compact=True, encoding="utf-8"
        )
    return formats.serialize(graph, key, name)


def rdf_content_type(key: str) -> str:
    return formats.content_type(key)


def html(template: str, status: int = 200, **context) -> bytes:
    return render_template(template, **context).encode("utf-8")


def _alternates(path_stem: str) -> list[dict]:
    root = request.script_root
    return [
        {
            "href": f"{root}{path_stem}.{ext}",
            "type": formats.RDF_FORMATS[key].media_type,
            "name": formats.RDF_FORMATS[key].key,
            "ext": ext,
        }
        for ext, key in EXTENSIONS.items()
    ]


def document_alternates(path: str) -> list[dict]:
    """``path`` (a document negotiated with ``?format=``) in every RDF format."""
    return [
        {"href": f"{path}?format={key}", "type": formats.RDF_FORMATS[key].media_type, "name": key}
        for key in neg.RDF_PREFERENCE
    ]


def link_header(alternates: list[dict]) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in alternates)


def embed_json(data: str) -> str:
    """JSON made safe inside <script>: no '</script>', no '<!--', no HTML entities."""
    return (
        data.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# -- not found ------------------------------------------------------------------


def not_found(what: str, representation: str | None, lang: str = "en") -> Response:
    """404 in the representation asked for: an HTML page, an empty RDF document, or text."""
    message = f"Not found: {what} is not described in this dataset."
    if representation == "html":
        body = html(
            "not_found.html",
            lang=lang,
            message=what,
            links=links(),
            page_lang_links=_lang_links(),
            suggestions=suggestions_for(what, lang),
        )
        return finish(404, body, "text/html; charset=utf-8", "html", lang)
    if representation in ("turtle", "nt", "trig", "nquads"):
        body = f"# {message}\n".encode()
        return finish(404, body, rdf_content_type(representation), representation)
    if representation == "json-ld":
        # Keys that are not terms are dropped by JSON-LD processors: an empty graph.
        body = json.dumps({"@graph": [], "error": message}).encode()
        return finish(404, body, rdf_content_type(representation), representation)
    if representation == "rdfxml":
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f"<!-- {message.replace('--', '- -')} -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        ).encode()
        return finish(404, body, rdf_content_type(representation), representation)
    return finish(404, message.encode() + b"\n", "text/plain; charset=utf-8", "text")


def _lang_links() -> dict[str, str]:
    return {code: f"{request.script_root}{request.path}?lang={code}" for code in LANGUAGES}


def _exists(iri: str) -> bool:
    def ask() -> tuple[int, bytes, str]:
        query = f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"
        return (200 if current_service().run(query).boolean else 404), b"", ""

    return rendered(("exists", iri), ask)[0] == 200


class _ServiceStore:
    """The query service seen as a store, so describe() goes through its caps and timeouts."""

    def query(self, sparql: str, **_ignored):
        return current_service().run(sparql)


# -- entities -------------------------------------------------------------------


@blueprint.route("/id/<slug>")
def dereference(slug: str) -> Response:
    representation = negotiate()
    settings = current_publication().settings
    if representation is None:
        return not_acceptable(True)
    if not SLUG.fullmatch(slug) or not _exists(settings.id_ns + slug):
        lang = language()
        return not_found(
            f"<{settings.id_ns}{slug}>", representation, lang if isinstance(lang, str) else "en"
        )
    if representation == "html":
        target = url_for("linked_data.page", slug=slug)
    else:
        target = url_for("linked_data.data_file", name=f"{slug}.{EXTENSION_OF[representation]}")
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _entity_graph(slug: str) -> Graph:
    iri = current_publication().settings.id_ns + slug
    return describe(_ServiceStore(), iri, inbound=True)


@blueprint.route("/data/<name>")
def data_file(name: str) -> Response:
    if "." in name:
        slug, ext = name.rsplit(".", 1)
        representation = EXTENSIONS.get(ext)
        if representation is None:
            return not_found(
                f"/data/{name} (extensions: {', '.join('.' + e for e in EXTENSIONS)})", "text"
            )
    else:
        slug = name
        representation = negotiate(allow_html=False)
        if representation is None:
            return not_acceptable(False)
    settings = current_publication().settings
    iri = settings.id_ns + slug
    if not SLUG.fullmatch(slug):
        return not_found(f"<{iri}>", representation)

    def produce() -> tuple[int, bytes, str]:
        graph = _entity_graph(slug)
        if len(graph) == 0:
            return 404, b"", ""
        return 200, serialize(graph, representation), rdf_content_type(representation)

    status, body, content_type = rendered(("data", slug, representation), produce)
    if status == 404:
        return not_found(f"<{iri}>", representation)
    response = finish(200, body, content_type, representation)
    if "." not in name:
        response.headers["Content-Location"] = url_for(
            "linked_data.data_file", name=f"{slug}.{EXTENSION_OF[representation]}"
        )
    response.headers["Link"] = (
        link_header(_alternates(f"/data/{slug}"))
        + f', <{url_for("linked_data.page", slug=slug)}>; rel="alternate"; type="text/html"'
    )
    return response


def _statement_sources(iri: str) -> dict[tuple[str, Node], list[str]]:
    """(predicate, object) -> source pages, from the named graph each statement is in."""
    pages = _graph_pages()
    query = (
        f"SELECT DISTINCT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} FILTER(!isBlank(?o)) }}"
    )
    found: dict[tuple[str, Node], list[str]] = {}
    for row in current_service().run(query).rows():
        for page in pages.get(str(row["g"]), ()):
            found.setdefault((str(row["p"]), row["o"]), []).append(page)
    return found


def _graph_pages() -> dict[str, list[str]]:
    """Named graph -> the pages it was derived from (``data/sources.ttl``)."""
    publication = current_publication()

    def make() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for graph, page in publication.dataset.subject_objects(PROV.wasDerivedFrom):
            if str(graph).startswith(publication.settings.graph_ns):
                found.setdefault(str(graph), []).append(str(page))
        return found

    return current_state().derived("graph_pages", make)


def _entity_jsonld(graph: Graph, iri: str) -> str:
    """The entity's own statements (and its blank nodes) as JSON-LD for embedding."""
    own = Graph()
    stack, seen = [URIRef(iri)], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            own.add((node, p, o))
            if isinstance(o, BNode):
                stack.append(o)
    return embed_json(serialize(own, "json-ld").decode("utf-8"))


def _violations_for(iri: str) -> list:
    return [v for v in current_publication().report.violations if v.focus == iri]


@blueprint.route("/page/<slug>")
def page(slug: str) -> Response:
    lang = language()
    if isinstance(lang, Response):
        return lang
    settings = current_publication().settings
    iri = settings.id_ns + slug
    if not SLUG.fullmatch(slug):
        return not_found(f"<{iri}>", "html", lang)

    def produce() -> tuple[int, bytes, str]:
        graph = _entity_graph(slug)
        if len(graph) == 0:
            return 404, b"", ""
        ln = links()
        view = EntityBuilder(
            graph, vocabulary(), ln, lang, statement_sources=_statement_sources(iri)
        ).build(iri)
        alternates = _alternates(f"/data/{slug}")
        body = html(
            "entity.html",
            lang=lang,
            view=view,
            links=ln,
            slug=slug,
            alternates=alternates,
            jsonld=_entity_jsonld(graph, iri),
            warnings=_violations_for(iri),
            page_lang_links=_lang_links(),
            id_href=url_for("linked_data.dereference", slug=slug),
        )
        return 200, body, "text/html; charset=utf-8"

    status, body, content_type = rendered(("page", slug, lang), produce)
    if status == 404:
        return not_found(f"<{iri}>", "html", lang)
    response = finish(200, body, content_type, "html", lang, ("Accept-Language",))
    response.headers["Link"] = link_header(_alternates(f"/data/{slug}"))
    response.headers["Content-Language"] = lang
    return response


@blueprint.route("/id/<path:rest>")
@blueprint.route("/page/<path:rest>")
@blueprint.route("/data/<path:rest>")
def bad_path(rest: str) -> Response:
    """Anything with a slash after /id/, /page/ or /data/: never a file read, always 404."""
    representation = negotiate() or "text"
    lang = language()
    return not_found(request.path, representation, lang if isinstance(lang, str) else "en")


@blueprint.route("/id/")
@blueprint.route("/page/")
@blueprint.route("/data/")
@blueprint.route("/graph/")
def bare_prefix() -> Response:
    """No slug: a 404 in the asked representation (entities are listed on the landing page)."""
    return bad_path("")


# -- ontology, context, validation -------------------------------------------------


def _ontology_graph() -> Graph:
    publication = current_publication()
    graph = Graph()
    graph += publication.dataset.graph(URIRef(publication.settings.ontology_iri))
    return graph


def _ontology_response(representation: str) -> Response:
    lang = language()
    if isinstance(lang, Response):
        return lang
    if representation == "html":

        def produce() -> tuple[int, bytes, str]:
            ontology = _ontology_graph()
            ln = links()
            voc = vocabulary()
            classes, properties = ontology_terms(ontology, voc, ln, lang)
            settings = current_publication().settings
            meta = URIRef(settings.ontology_iri)
            from rdflib.namespace import DCTERMS, OWL

            return (
                200,
                html(
                    "ontology.html",
                    lang=lang,
                    links=ln,
                    classes=classes,
                    properties=properties,
                    title=title_of(ontology, meta, lang) or "Ontology",
                    description=_pick(ontology, meta, DCTERMS.description, lang),
                    version=ontology.value(meta, OWL.versionInfo),
                    license=ontology.value(meta, DCTERMS.license),
                    iri=settings.ontology_iri,
                    namespace=settings.ontology_ns,
                    alternates=_alternates("/ontology"),
                    page_lang_links=_lang_links(),
                ),
                "text/html; charset=utf-8",
            )

        _, body, content_type = rendered(("ontology", "html", lang), produce)
        response = finish(200, body, content_type, "html", lang, ("Accept-Language",))
        response.headers["Content-Language"] = lang
    else:
        _, body, content_type = rendered(
            ("ontology", representation, ""),
            lambda: (
                200,
                serialize(_ontology_graph(), representation),
                rdf_content_type(representation),
            ),
        )
        response = finish(200, body, content_type, representation)
    response.headers["Link"] = link_header(_alternates("/ontology"))
    return response


def _pick(graph: Graph, node: URIRef, predicate: URIRef, lang: str) -> str | None:
    from asu_graph.web.pages import pick_literal

    found = pick_literal(list(graph.objects(node, predicate)), lang)
    return str(found) if found is not None else None


@blueprint.route("/ontology")
def ontology() -> Response:
    representation = negotiate()
    if representation is None:
        return not_acceptable(True)
    response = _ontology_response(representation)
    if representation != "html" and response.status_code in (200, 304):
        response.headers["Content-Location"] = (
            f"{request.script_root}/ontology.{EXTENSION_OF[representation]}"
        )
    return response


@blueprint.route("/ontology.<ext>")
def ontology_file(ext: str) -> Response:
    representation = EXTENSIONS.get(ext)
    if representation is None:
        return error(
            404,
            f"Not found: /ontology.{ext} (extensions: {', '.join('.' + e for e in EXTENSIONS)})",
        )
    return _ontology_response(representation)


@blueprint.route("/context.jsonld")
def context() -> Response:
    """The JSON-LD context at a stable URL, with this deployment's base."""
    settings = current_publication().settings
    body = json.dumps({"@context": jsonld_context(settings)}, indent=2, ensure_ascii=False).encode(
        "utf-8"
    )
    return finish(200, body, "application/ld+json; charset=utf-8", "context")


# The SHACL report is also a JSON summary and a text listing; those take the
# generic application/json and text/plain here (not JSON-LD / N-Triples).
_REPORT_OFFERS: tuple[neg.Offer, ...] = (
    *((mt, key) for mt, key in PAGE_OFFERS if mt not in ("application/json", "text/plain")),
    ("application/json", "json"),
    ("text/plain", "text"),
)
_REPORT_WORDS = {**neg.words(neg.RDF_PREFERENCE, html=True), "json": "json", "text": "text"}


@blueprint.route("/validation")
def validation() -> Response:
    """The SHACL report of the published release, by content negotiation or ?format=."""
    lang = language()
    if isinstance(lang, Response):
        return lang
    choice = neg.for_request("the validation report", _REPORT_OFFERS, _REPORT_WORDS)
    if choice.problem is not None:
        return choice.problem
    representation = choice.key
    report = current_publication().report

    def produce() -> tuple[int, bytes, str]:
        if representation == "html":
            severities: dict[str, int] = {}
            for v in report.violations:
                severities[v.severity] = severities.get(v.severity, 0) + 1
            return (
                200,
                html(
                    "validation.html",
                    lang=lang,
                    report=report,
                    links=links(),
                    severities=severities,
                    alternates=document_alternates(f"{request.script_root}/validation"),
                    page_lang_links=_lang_links(),
                    publication=current_publication(),
                ),
                "text/html; charset=utf-8",
            )
        if representation == "json":
            return 200, report.json().encode("utf-8"), "application/json; charset=utf-8"
        if representation == "text":
            return 200, report.text().encode("utf-8") + b"\n", "text/plain; charset=utf-8"
        graph = Graph()
        graph += report.graph
        return 200, serialize(graph, representation), rdf_content_type(representation)

    _, body, content_type = rendered(("validation", representation, lang), produce)
    response = finish(
        200,
        body,
        content_type,
        representation,
        lang if representation == "html" else "",
        ("Accept-Language",),
    )
    return response


@blueprint.app_template_filter("curie")
def _curie_filter(iri: str) -> str:
    return links().curie(str(iri))


@blueprint.app_template_global("href")
def _href(iri: str) -> str:
    return links().href(str(iri))


@blueprint.app_template_global("t")
@pass_context
def _translate(context, key: str) -> str:
    """Interface text in the page's language (``lang`` of the template context)."""
    table = MESSAGES.get(context.get("lang", "en"), MESSAGES["en"])
    return table.get(key) or MESSAGES["en"][key]


# -- named graphs and shapes -------------------------------------------------------


def _negotiated_name(name: str) -> tuple[str, str | None, Response | None]:
    """``stem`` or ``stem.ext`` -> (stem, representation, problem response)."""
    if "." in name:
        stem, ext = name.rsplit(".", 1)
        representation = EXTENSIONS.get(ext)
        if representation is None:
            return (
                stem,
                None,
                not_found(
                    f"{request.path} (extensions: {', '.join('.' + e for e in EXTENSIONS)})", "text"
                ),
            )
        return stem, representation, None
    representation = negotiate()
    if representation is None:
        return name, None, not_acceptable(True)
    return name, representation, None


@blueprint.route("/graph/<name>")
def named_graph(name: str) -> Response:
    """A named graph IRI ({base}graph/{stem}): its contents as RDF, or a page about it."""
    lang = language()
    if isinstance(lang, Response):
        return lang
    stem, representation, problem = _negotiated_name(name)
    if problem is not None:
        return problem
    publication = current_publication()
    iri = publication.settings.graph_ns + stem
    if not SLUG.fullmatch(stem) or iri not in current_publication().graph_names:
        return not_found(f"<{iri}>", representation, lang)

    def contents() -> Graph:
        # From the published dataset, like the dumps: the same triples byte for byte
        # (an engine may rewrite literals to canonical form, e.g. decimals).
        graph = Graph()
        graph += publication.dataset.graph(URIRef(iri))
        return graph

    def produce() -> tuple[int, bytes, str]:
        if representation != "html":
            return 200, serialize(contents(), representation, iri), rdf_content_type(representation)
        graph = contents()
        about = describe(_ServiceStore(), iri, inbound=False)
        ln = links()
        view = EntityBuilder(about, vocabulary(), ln, lang).build(iri)
        subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str)
        described = [
            {
                "href": ln.href(str(s)),
                "iri": str(s),
                "label": title_of(graph, s, lang)
                or title_of(publication.dataset, s, lang)
                or ln.curie(str(s)),
            }
            for s in subjects
        ]
        return (
            200,
            html(
                "graph.html",
                lang=lang,
                view=view,
                links=ln,
                triples=len(graph),
                described=described,
                graph_rows=_graph_statements(graph, lang, ln, GRAPH_PAGE_ROWS),
                alternates=_alternates(f"/graph/{stem}"),
                page_lang_links=_lang_links(),
            ),
            "text/html; charset=utf-8",
        )

    _, body, content_type = rendered(("graph", stem, representation, lang), produce)
    response = finish(
        200,
        body,
        content_type,
        representation,
        lang if representation == "html" else "",
        ("Accept-Language",),
    )
    response.headers["Link"] = link_header(_alternates(f"/graph/{stem}"))
    return response


GRAPH_PAGE_ROWS = 1000  # a page, not a dump: the RDF links give the whole graph


def _graph_statements(graph: Graph, lang: str, ln: Links, limit: int) -> list[dict]:
    """The graph's triples for people: names beside IRIs, literals readable, sorted."""
    vocab = vocabulary()
    names: dict[Node, dict] = {}

    def term(node: Node) -> dict:
        if node not in names:
            if isinstance(node, Literal):
                names[node] = {
                    "text": readable(node, lang),
                    "lang": node.language,
                    "title": str(node.datatype or ""),
                }
            elif isinstance(node, URIRef):
                iri = str(node)
                label = title_of(graph, node, lang) or title_of(
                    current_publication().dataset, node, lang
                )
                names[node] = {"text": label or ln.curie(iri), "href": ln.href(iri), "title": iri}
            else:
                names[node] = {"text": node.n3()}
        return names[node]

    rows = []
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))[:limit]:
        rows.append(
            {
                "s": term(s),
                "o": term(o),
                "p": {
                    "text": vocab.label(str(p), lang, ln),
                    "href": ln.href(str(p)),
                    "title": str(p),
                },
            }
        )
    return rows


@blueprint.route("/graph/<path:rest>")
def bad_graph_path(rest: str) -> Response:
    return bad_path(rest)


def _shapes_graph() -> Graph:
    from asu_graph.pipeline.build import load_shapes

    settings = current_publication().settings
    cached = current_state().derived("shapes", lambda: load_shapes(settings))
    graph = Graph()
    graph += cached
    return graph


@blueprint.route("/shapes")
@blueprint.route("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    """The SHACL shapes the release was validated with ({base}shapes#X lands here)."""
    lang = language()
    if isinstance(lang, Response):
        return lang
    stem, representation, problem = _negotiated_name("shapes" + (f".{ext}" if ext else ""))
    if problem is not None:
        return problem
    settings = current_publication().settings
    namespace = settings.base + "shapes#"

    def produce() -> tuple[int, bytes, str]:
        graph = _shapes_graph()
        if representation != "html":
            return 200, serialize(graph, representation), rdf_content_type(representation)
        ln = links()
        builder = EntityBuilder(graph, vocabulary(), ln, lang)
        named = sorted(
            {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)},
            key=str,
        )
        views = [(str(s)[len(namespace) :], builder.build(str(s))) for s in named]
        head = URIRef(settings.base + "shapes")
        return (
            200,
            html(
                "shapes.html",
                lang=lang,
                links=ln,
                shapes=views,
                title=title_of(graph, head, lang) or "SHACL shapes",
                description=_pick(
                    graph, head, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), lang
                ),
                alternates=_alternates("/shapes"),
                page_lang_links=_lang_links(),
            ),
            "text/html; charset=utf-8",
        )

    _, body, content_type = rendered(("shapes", representation, lang), produce)
    response = finish(
        200,
        body,
        content_type,
        representation,
        lang if representation == "html" else "",
        ("Accept-Language",),
    )
    response.headers["Link"] = link_header(_alternates("/shapes"))
    return response


# -- the dataset, its distributions, releases, publisher, contact and services ------


def _catalogue_subjects() -> frozenset[str]:
    """Every IRI the live DCAT catalogue describes (dataset, releases, distributions ...)."""
    from asu_graph.web.downloads import _catalog, _releases_key, publishing, root_url

    state = publishing()

    def render() -> bytes:
        graph = _catalog(state, root_url())
        return "\n".join(
            sorted({str(s) for s in graph.subjects() if isinstance(s, URIRef)})
        ).encode("utf-8")

    body = state.rendered(("catalogue-subjects", root_url(), _releases_key()), render)
    return frozenset(body.decode("utf-8").split("\n"))


@blueprint.route("/dataset")
@blueprint.route("/dataset/<path:rest>")
@blueprint.route("/publisher")
@blueprint.route("/contact")
@blueprint.route("/service/<path:rest>")
def catalogue_resource(rest: str = "") -> Response:
    """IRIs minted for the catalogue (``{base}dataset``, its distributions and releases,
    ``{base}publisher``, ``{base}contact``, ``{base}service/...``).

    They name things, not documents, so they answer 303 See Other to the DCAT
    catalogue that describes them all, in the representation asked for: the
    catalogue's page for a browser, its RDF for an RDF client.
    """
    representation = negotiate()
    if representation is None:
        return not_acceptable(True)
    iri = current_publication().settings.base + request.path.lstrip("/")
    if iri not in _catalogue_subjects():
        lang = language()
        return not_found(f"<{iri}>", representation, lang if isinstance(lang, str) else "en")
    target = url_for("downloads.catalog")
    if representation != formats.HTML:
        target += f"?format={representation}"
    response = redirect(target, code=303)
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


# -- search index (the search blueprint and the 404 page use it) -------------------


def search_index() -> SearchIndex:
    """The index of the release being served (built once per app)."""
    publication = current_publication()
    return current_state().derived(
        "search_index",
        lambda: SearchIndex.from_dataset(publication.dataset, publication.settings.id_ns),
    )


def hit_json(hit: Hit, lang: str) -> dict:
    entry = hit.entry
    vocab = vocabulary()
    return {
        "id": entry.iri,
        "label": entry.label(lang),
        "matched": hit.matched,
        "score": round(hit.score, 1),
        "types": [{"id": t, "label": vocab.label(t, lang)} for t in entry.types],
        "description": entry.description(lang),
        "url": links().href(entry.iri),
    }


def suggestions_for(path: str, lang: str, limit: int = 5) -> list[dict]:
    """Entities whose names resemble the words of a path that was not found (404 page)."""
    words = " ".join(re.split(r"[^0-9A-Za-z\u00c0-\uffff]+", path.rsplit("/", 1)[-1]))
    if not words.strip():
        return []
    return [hit_json(h, lang) for h in search_index().search(words, limit=limit)]


@blueprint.app_errorhandler(404)
def _not_found_for_people(exc: Exception) -> Response:
    """A person who followed a broken link gets the site's page, with suggestions;
    machines (no Accept, or one preferring text or JSON) keep the short text answer."""
    accept = request.headers.get("Accept")
    offers = [("text/plain", "text"), ("application/json", "text"), ("text/html", "html")]
    if accept and neg.negotiate(accept, offers) == "html":
        lang = language()
        return not_found(request.path, "html", lang if isinstance(lang, str) else "en")
    return error(404, not_found_message())
