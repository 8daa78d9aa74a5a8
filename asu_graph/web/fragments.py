"""Triple Pattern Fragments (Linked Data Fragments) at ``/fragments``.

``?subject=&predicate=&object=`` select the matching triples of the default
graph (the union of the named graphs), a fixed number per page (``page=``).
Each response carries the count, paging links and the Hydra search form that
lets a client such as Comunica build the next request. Terms use Hydra's
explicit representation: IRIs as they are, literals quoted (``"x"@en``,
``"5"^^<datatype>`` or ``"5"^^datatype``), variables (``?x``) or nothing for any.

In TriG, N-Quads and JSON-LD the metadata and controls are in their own named
graph (``{fragment}#metadata``, its ``foaf:primaryTopic`` the fragment), as the
TPF specification asks, so clients can tell them from the data (see
``_metadata`` for the order Comunica needs). Turtle and N-Triples cannot name
graphs, so there both are in one graph. No quad pattern fragments: the
interface serves the default graph only (docs/publishing.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from rdflib import BNode, Literal, URIRef

from asu_graph import formats
from asu_graph.namespaces import DCTERMS, FOAF, HYDRA, RDF, VOID, XSD
from asu_graph.publishing.html import fragment_page
from asu_graph.store import QuerySyntaxError
from asu_graph.web.downloads import HTML, format_links, negotiate, not_acceptable
from asu_graph.web.http import conditional, error, etag_for
from asu_graph.web.state import current_publication, current_state

blueprint = Blueprint("fragments", __name__)


PAGE_SIZE = 100
MAX_PAGE = 1_000_000
OFFERED = ("trig", "nquads", "json-ld", "turtle", "nt")
_QUAD_FORMATS = {"trig", "nquads", "json-ld"}

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_LITERAL = re.compile(
    r'^"(?P<value>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)'
    r"|\^\^<?(?P<datatype>[^<>]+?)>?)?$",
    re.DOTALL,
)


class BadTerm(ValueError):
    pass


def parse_term(text: str, position: str) -> URIRef | Literal | None:
    """One position of the pattern; None for a wildcard (empty or a variable)."""
    text = text.strip()
    if not text or text.startswith("?"):
        return None
    if text.startswith("_:"):
        raise BadTerm(f"{position}: blank nodes cannot be asked for; leave it empty instead")
    if text.startswith('"'):
        if position != "object":
            raise BadTerm(f"{position}: a literal can only be the object")
        match = _LITERAL.match(text)
        if match is None:
            raise BadTerm(
                f'{position}: malformed literal {text!r}; write "text", '
                '"text"@lang or "value"^^datatype-IRI'
            )
        value = match.group("value")
        if match.group("lang"):
            return Literal(value, lang=match.group("lang"))
        datatype = match.group("datatype")
        if datatype:
            if _BAD_IRI.search(datatype) or ":" not in datatype:
                raise BadTerm(f"{position}: malformed datatype IRI {datatype!r}")
            if datatype == str(XSD.string):
                return Literal(value)
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if _BAD_IRI.search(text) or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
        raise BadTerm(f"{position}: {text!r} is not an absolute IRI")
    return URIRef(text)


def _pattern(terms: dict[str, object]) -> tuple[str, list[str]]:
    parts, variables = [], []
    for name in ("s", "p", "o"):
        term = terms[name]
        if term is None:
            parts.append("?" + name)
            variables.append(name)
        else:
            parts.append(term.n3())
    return " ".join(parts), variables


def matching(store, terms: dict[str, object], offset: int, limit: int) -> tuple[list, int]:
    """One page of distinct matching triples (stable order) and the total count."""
    pattern, variables = _pattern(terms)
    if not variables:
        found = store.query(f"ASK {{ {pattern} }}").boolean
        triple = (terms["s"], terms["p"], terms["o"])
        return ([triple] if found and offset == 0 else []), int(bool(found))
    selected = " ".join("?" + v for v in variables)
    inner = f"SELECT DISTINCT {selected} WHERE {{ {pattern} }}"
    total = int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {inner} }}").rows()[0]["n"])
    rows = store.query(f"{inner} ORDER BY {selected} LIMIT {limit} OFFSET {offset}").rows()
    triples = [
        tuple(row[n] if terms[n] is None else terms[n] for n in ("s", "p", "o")) for row in rows
    ]
    return triples, total


def _param_text(term: object) -> str:
    if isinstance(term, Literal):
        if term.language:
            return f'"{term}"@{term.language}'
        if term.datatype is not None:
            return f'"{term}"^^{term.datatype}'
        return f'"{term}"'
    return str(term)


def fragment_url(root: str, terms: dict[str, object], page: int) -> str:
    params = [
        (name, _param_text(terms[key]))
        for key, name in (("s", "subject"), ("p", "predicate"), ("o", "object"))
        if terms[key] is not None
    ]
    if page > 1:
        params.append(("page", str(page)))
    return root + "fragments" + ("?" + urlencode(params) if params else "")


Triple = tuple[object, object, object]


def _metadata(
    root: str, fragment: URIRef, here: URIRef, terms: dict, page: int, total: int
) -> list[Triple]:
    """The controls and metadata of one page, in the order they are written.

    ``fragment`` is the fragment itself (its URL without ``page``), ``here``
    the page asked for. The order matters to Comunica: it takes the subject
    of the last ``void:subset <here>`` triple as the fragment, and the graph
    whose ``foaf:primaryTopic`` that fragment is as the metadata graph. So
    ``<fragment> void:subset <here>`` comes after ``<dataset> void:subset``,
    as in the reference server, also on a first page where both IRIs are one.
    """
    dataset = URIRef(root + "fragments#dataset")
    search = BNode("tpf-search")
    meta: list[Triple] = [
        (dataset, RDF.type, VOID.Dataset),
        (dataset, RDF.type, HYDRA.Collection),
        (dataset, VOID.subset, here),
    ]
    if fragment != here:
        meta.append((dataset, VOID.subset, fragment))
    meta += [
        (dataset, HYDRA.search, search),
        (search, RDF.type, HYDRA.IriTemplate),
        (search, HYDRA.template, Literal(root + "fragments{?subject,predicate,object}")),
        (search, HYDRA.variableRepresentation, HYDRA.ExplicitRepresentation),
    ]
    for variable, prop in (
        ("subject", RDF.subject),
        ("predicate", RDF.predicate),
        ("object", RDF.object),
    ):
        mapping = BNode("tpf-" + variable)
        meta += [
            (search, HYDRA.mapping, mapping),
            (mapping, RDF.type, HYDRA.IriTemplateMapping),
            (mapping, HYDRA.variable, Literal(variable)),
            (mapping, HYDRA.property, prop),
        ]
    meta += [
        (fragment, VOID.subset, here),
        (here, RDF.type, HYDRA.PartialCollectionView),
        (here, DCTERMS.title, Literal("Triple Pattern Fragment", lang="en")),
        (here, DCTERMS.source, dataset),
        (here, VOID.triples, Literal(total, datatype=XSD.integer)),
        (here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)),
        (here, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)),
    ]
    for rel, url in paging(root, terms, page, total).items():
        meta.append((here, HYDRA[rel], URIRef(url)))
    return meta


def paging(root: str, terms: dict, page: int, total: int) -> dict[str, str]:
    """hydra:first / previous / next / last of this page."""
    last = max(1, -(-total // PAGE_SIZE))
    links = {"first": fragment_url(root, terms, 1)}
    if page > 1:
        links["previous"] = fragment_url(root, terms, page - 1)
    if page < last:
        links["next"] = fragment_url(root, terms, page + 1)
    links["last"] = fragment_url(root, terms, last)
    return links


def _nt(term: object) -> str:
    """A term in N-Triples syntax (also valid in N-Quads, Turtle and TriG)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    value = (
        str(term)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    if term.language:
        return f'"{value}"@{term.language}'
    if term.datatype is not None and term.datatype != XSD.string:
        return f'"{value}"^^<{term.datatype}>'
    return f'"{value}"'


def _lines(triples, graph: URIRef | None = None) -> list[str]:
    tail = f" {_nt(graph)} ." if graph is not None else " ."
    return [f"{_nt(s)} {_nt(p)} {_nt(o)}{tail}" for s, p, o in triples]


def _jsonld_term(term: object) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    if term.language:
        return {"@value": str(term), "@language": term.language}
    if term.datatype is not None and term.datatype != XSD.string:
        return {"@value": str(term), "@type": str(term.datatype)}
    return {"@value": str(term)}


def _jsonld_nodes(triples: list[Triple]) -> list[dict]:
    """Expanded JSON-LD node objects, subjects and properties in first-seen order."""
    nodes: dict[str, dict] = {}
    for s, p, o in triples:
        node = nodes.setdefault(_jsonld_term(s)["@id"], {"@id": _jsonld_term(s)["@id"]})
        key = "@type" if p == RDF.type and isinstance(o, URIRef) else str(p)
        value = str(o) if key == "@type" else _jsonld_term(o)
        node.setdefault(key, []).append(value)
    return list(nodes.values())


def _body(
    key: str,
    triples: list,
    root: str,
    fragment: URIRef,
    here: URIRef,
    terms: dict,
    page: int,
    total: int,
) -> bytes:
    """The page in format ``key``: data in the default graph, metadata in its own graph.

    Written by hand, in order (see ``_metadata``): rdflib's writers order
    triples as they please, and cost ~20 ms per page where this takes <1 ms.
    """
    meta_name = URIRef(str(fragment) + "#metadata")
    # Named first, as the reference server does, so streaming clients know the
    # metadata graph before its content.
    meta = [
        (meta_name, FOAF.primaryTopic, fragment),
        *_metadata(root, fragment, here, terms, page, total),
    ]
    if key == "json-ld":
        document = [*_jsonld_nodes(triples), {"@id": str(meta_name), "@graph": _jsonld_nodes(meta)}]
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if key == "trig":
        lines = [*_lines(triples), f"{_nt(meta_name)} {{", *_lines(meta), "}"]
    elif key == "nquads":
        lines = [*_lines(triples), *_lines(meta, meta_name)]
    else:  # Turtle, N-Triples: no named graphs, data and controls together
        lines = [*_lines(triples), *_lines(meta)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@blueprint.route("/fragments")
def fragments() -> Response:
    try:
        terms = {
            key: parse_term(request.args.get(name, ""), name)
            for key, name in (("s", "subject"), ("p", "predicate"), ("o", "object"))
        }
    except BadTerm as exc:
        return error(400, f"Bad triple pattern: {exc}")
    page_text = request.args.get("page", "1").strip()
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        return error(400, f"page must be a whole number from 1 to {MAX_PAGE}, got {page_text!r}")
    page = int(page_text)
    key = negotiate(OFFERED, "trig", html=True)
    if key is None:
        return not_acceptable(OFFERED)
    publication = current_publication()
    root = request.url_root
    # The exact URL asked for names the fragment, so clients find its metadata.
    query = request.query_string.decode("latin-1")
    here = URIRef(request.base_url + ("?" + query if query else ""))
    # The fragment is the pattern, whatever the page: the same URL without ``page``.
    rest = "&".join(part for part in query.split("&") if part and part.split("=", 1)[0] != "page")
    fragment = URIRef(request.base_url + ("?" + rest if rest else ""))
    # Finished bytes per data version, format, language and the exact URL (host
    # and root included).
    cache = current_state().fragments
    lang = ""
    if key == HTML:  # the page is in the reader's language; the RDF is the same for all
        from asu_graph.web.downloads import page_language

        lang = page_language()
        if isinstance(lang, Response):
            return lang
    cache_key = (publication.version, key, lang, str(here))
    cached = cache.get(cache_key) if cache.enabled else None
    if cached is not None:
        return _respond(cached, key, publication)
    try:
        triples, total = matching(publication.store, terms, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    except QuerySyntaxError as exc:  # a term the engine refuses (e.g. odd datatype)
        return error(400, f"Bad triple pattern: {exc}")
    if key == HTML:
        asked = {name: request.args.get(name, "") for name in ("subject", "predicate", "object")}
        own = {k: v for k, v in asked.items() if v}
        body = fragment_page(
            root,
            asked,
            triples,
            total,
            page,
            PAGE_SIZE,
            paging(root, terms, page, total),
            format_links(root + "fragments", OFFERED, own),
            lang,
        ).encode("utf-8")
    else:
        body = _body(key, triples, root, fragment, here, terms, page, total)
    if cache.enabled:
        cache.put(cache_key, body, len(body))
    return _respond(body, key, publication)


def _respond(body: bytes, key: str, publication) -> Response:
    media = "text/html" if key == HTML else formats.RDF_FORMATS[key].media_type
    response = Response(body, content_type=f"{media}; charset=utf-8")
    response.vary.add("Accept")
    if key == HTML:
        response.vary.add("Accept-Language")
    etag = etag_for(publication.version, hashlib.sha256(body).hexdigest())
    return conditional(response, etag, publication.modified, 300)
