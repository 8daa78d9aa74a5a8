"""The landing page ``/`` and the data behind its graph view (``/graph-view.json``).

Every number and every node comes from SPARQL answers through the query
service, so the page describes the release being served, not a drawing.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request
from rdflib import URIRef

from asu_graph.namespaces import OWL, RDFS, SKOS
from asu_graph.publishing.terms import LICENSE
from asu_graph.web.linked_data import (
    document_alternates,
    embed_json,
    finish,
    html,
    language,
    links,
    rendered,
    vocabulary,
)
from asu_graph.web.pages import Links, pick_literal
from asu_graph.web.state import current_publication, current_service, current_state

blueprint = Blueprint("landing", __name__)


_PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX asu: <{ontology}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""

# Who belongs to, works with, is part of, leads or is involved in what.
_EDGES = """SELECT DISTINCT ?from ?kind ?to WHERE {
  { ?to a asu:Alliance ; org:hasMember ?from . BIND("member" AS ?kind) }
  UNION { ?from org:memberOf ?to . ?to a asu:Alliance . BIND("member" AS ?kind) }
  UNION { ?to a asu:Alliance ; asu:hasResearchPartner ?from . BIND("research-partner" AS ?kind) }
  UNION { ?from asu:researchPartnerOf ?to . ?to a asu:Alliance .
          BIND("research-partner" AS ?kind) }
  UNION { ?from org:subOrganizationOf ?to . ?to a asu:Alliance . BIND("part-of" AS ?kind) }
  UNION { ?to a asu:Alliance ; org:hasSubOrganization ?from . BIND("part-of" AS ?kind) }
  UNION { ?from asu:leads ?to . BIND("leads" AS ?kind) }
  UNION { ?from asu:involvedIn ?to . FILTER NOT EXISTS { ?from asu:leads ?to }
          BIND("involved-in" AS ?kind) }
  UNION { ?from asu:holds ?to . BIND("holds" AS ?kind) }
  UNION { ?from asu:won ?to . BIND("won" AS ?kind) }
  UNION { ?from asu:underProgramme ?to . BIND("under-programme" AS ?kind) }
  UNION { ?from asu:obtainedThrough ?to . BIND("obtained-through" AS ?kind) }
  UNION { ?from schema:fundedItem ?to ; asu:obtainedThrough [] . BIND("funds" AS ?kind) }
}"""

_NODES = """SELECT ?node ?type ?p ?label WHERE {{
  VALUES ?node {{ {nodes} }}
  {{ ?node a ?type . FILTER(?type IN (asu:Alliance, asu:ResearchOrganisation,
                                       asu:Institute, asu:Initiative, asu:ExcellenceInitiative,
                                       asu:InvestmentProgramme, asu:CallForProjects,
                                       schema:MonetaryGrant)) }}
  UNION {{ ?node ?p ?label . FILTER(?p IN (skos:prefLabel, skos:altLabel, rdfs:label)) }}
}}"""

GROUPS = (
    "alliance",
    "member",
    "research-organisation",
    "institute",
    "initiative",
    "programme",
    "call",
    "funding",
    "other",
)
KINDS = (
    "member",
    "research-partner",
    "part-of",
    "leads",
    "involved-in",
    "holds",
    "won",
    "under-programme",
    "obtained-through",
    "funds",
)
TEXT = {
    "en": {
        "alliance": "alliance",
        "member": "member",
        "research-organisation": "research organisation",
        "institute": "institute",
        "initiative": "initiative",
        "other": "other",
        "research-partner": "research partner",
        "part-of": "part of",
        "leads": "leads",
        "involved-in": "involved in",
        "programme": "programme",
        "call": "call for projects",
        "funding": "funding",
        "holds": "holds",
        "won": "won",
        "under-programme": "under the programme",
        "obtained-through": "obtained through",
        "funds": "funds",
    },
    "fr": {
        "alliance": "alliance",
        "member": "membre",
        "research-organisation": "organisme de recherche",
        "institute": "institut",
        "initiative": "initiative",
        "other": "autre",
        "research-partner": "partenaire de recherche",
        "part-of": "fait partie de",
        "leads": "pilote",
        "involved-in": "impliqué dans",
        "programme": "programme",
        "call": "appel à projets",
        "funding": "financement",
        "holds": "détient",
        "won": "a remporté",
        "under-programme": "relève du programme",
        "obtained-through": "obtenu par",
        "funds": "finance",
    },
}
LEAD = {
    "en": "Linked open data about the Alliance Sorbonne Université: its member institutions, "
    "the national research organisations associated with it, its institutes and "
    "initiatives, and the funding it holds. Every statement names the public page it "
    "was taken from, and the whole graph is checked against SHACL shapes before it is "
    "published.",
    "fr": "Données ouvertes et liées sur l'Alliance Sorbonne Université : ses établissements "
    "membres, les organismes nationaux de recherche qui lui sont associés, ses instituts "
    "et initiatives, et les financements qu'elle détient. Chaque déclaration indique la "
    "page publique dont elle provient, et l'ensemble du graphe est vérifié par des "
    "formes SHACL avant d'être publié.",
}


def _prefixes() -> str:
    return _PREFIXES.format(ontology=current_publication().settings.ontology_ns)


def _run(query: str):
    return current_service().run(_prefixes() + query)


def graph_view(lang: str, ln: Links) -> dict:
    """Nodes and links of the alliance picture, labelled in ``lang``."""
    edges = [(str(r["from"]), str(r["kind"]), str(r["to"])) for r in _run(_EDGES).rows()]
    iris = sorted({e[0] for e in edges} | {e[2] for e in edges})
    nodes: dict[str, dict] = {iri: {"types": set(), "labels": {}} for iri in iris}
    if iris:
        values = " ".join(f"<{iri}>" for iri in iris)
        for row in _run(_NODES.format(nodes=values)).rows():
            node = nodes[str(row["node"])]
            if "type" in row:  # the local name: Alliance, CallForProjects, MonetaryGrant...
                node["types"].add(str(row["type"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1])
            else:
                node["labels"].setdefault(str(row["p"]), []).append(row["label"])
    members = {e[0] for e in edges if e[1] == "member"}
    out = []
    for iri in iris:
        node = nodes[iri]
        labels = node["labels"]
        full = pick_literal(
            labels.get(str(SKOS.prefLabel), []) or labels.get(str(RDFS.label), []), lang
        )
        name = str(full) if full is not None else ln.curie(iri)
        short = [
            str(v)
            for v in labels.get(str(SKOS.altLabel), [])
            if getattr(v, "language", None) in (lang, None)
        ]
        short = sorted((s for s in short if len(s) <= 12), key=lambda s: (len(s), s))
        label = short[0] if short and len(name) > 12 else name
        types = node["types"]
        group = (
            "alliance"
            if "Alliance" in types
            else "member"
            if iri in members
            else "research-organisation"
            if "ResearchOrganisation" in types
            else "institute"
            if "Institute" in types
            else "programme"
            if types & {"ExcellenceInitiative", "InvestmentProgramme"}
            else "initiative"
            if "Initiative" in types
            else "call"
            if "CallForProjects" in types
            else "funding"
            if "MonetaryGrant" in types
            else "other"
        )
        out.append({"id": iri, "label": label, "name": name, "group": group, "href": ln.href(iri)})
    return {
        "lang": lang,
        "nodes": out,
        "links": [{"source": s, "kind": k, "target": t} for s, k, t in edges],
        "groups": {g: TEXT[lang][g] for g in GROUPS},
        "kinds": {k: TEXT[lang][k] for k in KINDS},
    }


def counts(lang: str, ln: Links) -> dict:
    settings = current_publication().settings
    triples = _run(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    ).rows()[0]["n"]
    graphs = _run("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows()[0][
        "n"
    ]
    entities = _run(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{settings.id_ns}")) }}'
    ).rows()[0]["n"]
    per_class = _run(
        f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class "
        f'FILTER(STRSTARTS(STR(?s), "{settings.id_ns}")) }} '
        f"GROUP BY ?class ORDER BY DESC(?n) ?class"
    ).rows()
    voc = vocabulary()
    return {
        "triples": int(triples),
        "graphs": int(graphs),
        "entities": int(entities),
        "classes": [
            {
                "iri": str(r["class"]),
                "href": ln.href(str(r["class"])),
                "label": voc.label(str(r["class"]), lang, ln),
                "count": int(r["n"]),
            }
            for r in per_class
        ],
    }


def entity_index(lang: str, ln: Links) -> list[dict]:
    """Every entity with its name, for browsing (and for crawlers that start here)."""
    settings = current_publication().settings
    rows = _run(
        f"SELECT ?s ?label WHERE {{ ?s skos:prefLabel|rdfs:label ?label "
        f'FILTER(STRSTARTS(STR(?s), "{settings.id_ns}")) }}'
    ).rows()
    labels: dict[str, list] = {}
    for row in rows:
        labels.setdefault(str(row["s"]), []).append(row["label"])
    items = [
        {"iri": iri, "href": ln.href(iri), "label": str(pick_literal(values, lang))}
        for iri, values in labels.items()
    ]
    return sorted(items, key=lambda item: item["label"].lower())


def _dump_files() -> list[dict]:
    """The dumps being served, from the manifest /download/ serves (``/download/{name}``)."""
    state = current_state().publishing
    return [{"name": name, **meta} for name, meta in sorted(state.manifest["files"].items())]


def schema_org(lang: str, numbers: dict) -> dict:
    """schema.org ``Dataset`` markup for dataset search engines."""
    publication = current_publication()
    settings = publication.settings
    root = request.url_root
    ontology = publication.dataset.graph(URIRef(settings.ontology_iri))
    alliance = settings.id_ns + "alliance-sorbonne-universite"
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": settings.base,
        "name": TEXT_SITE[lang],
        "alternateName": TEXT_SITE["fr" if lang == "en" else "en"],
        "description": LEAD[lang],
        "url": root,
        "sameAs": settings.base,
        "license": LICENSE,
        "isAccessibleForFree": True,
        "inLanguage": ["en", "fr"],
        "version": publication.version,
        "dateModified": publication.modified.isoformat(),
        "keywords": [
            "Alliance Sorbonne Université",
            "linked open data",
            "higher education",
            "research organisations",
            "RDF",
            "SPARQL",
        ],
        "creator": {
            "@type": "Organization",
            "@id": alliance,
            "name": "Alliance Sorbonne Université",
            "url": root + "id/alliance-sorbonne-universite",
        },
        "publisher": {
            "@type": "Organization",
            "@id": alliance,
            "name": "Alliance Sorbonne Université",
        },
        "variableMeasured": [
            f"{numbers['triples']} RDF triples",
            f"{numbers['entities']} described entities",
        ],
        "measurementTechnique": "SHACL-validated RDF built from cited public web pages",
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f["name"],
                "contentUrl": f"{root}download/{f['name']}",
                "encodingFormat": "application/gzip" if f.get("gzip") else f["media_type"],
                **({"contentSize": f"{f['bytes']} B"} if "bytes" in f else {}),
            }
            for f in _dump_files()
        ],
        "includedInDataCatalog": {"@type": "DataCatalog", "url": root + "catalog"},
        "isBasedOn": root + "ontology",
        "schemaVersion": str(ontology.value(URIRef(settings.ontology_iri), OWL.versionInfo) or ""),
    }


TEXT_SITE = {
    "en": "Alliance Sorbonne Université linked data",
    "fr": "Données liées de l'Alliance Sorbonne Université",
}


@blueprint.route("/")
def landing() -> Response:
    lang = language()
    if isinstance(lang, Response):
        return lang

    def produce() -> tuple[int, bytes, str]:
        ln = links()
        numbers = counts(lang, ln)
        view = graph_view(lang, ln)
        names = {n["id"]: n for n in view["nodes"]}
        return (
            200,
            html(
                "landing.html",
                lang=lang,
                lead=LEAD[lang],
                numbers=numbers,
                view=view,
                names=names,
                entities=entity_index(lang, ln),
                schema=embed_json(
                    json.dumps(schema_org(lang, numbers), ensure_ascii=False, indent=1)
                ),
                publication=current_publication(),
                # The page presents the dataset: its VoID description is the data behind it.
                alternates=document_alternates(f"{request.script_root}/.well-known/void"),
                page_lang_links={
                    code: f"{request.script_root}/?lang={code}" for code in ("en", "fr")
                },
            ),
            "text/html; charset=utf-8",
        )

    # The markup names absolute download URLs, so the host is part of the key.
    _, body, content_type = rendered(("landing", lang, request.url_root), produce)
    response = finish(
        200, body, content_type, "html", lang + request.url_root, ("Accept-Language",)
    )
    response.headers["Content-Language"] = lang
    return response


@blueprint.route("/graph-view.json")
def graph_view_json() -> Response:
    lang = language()
    if isinstance(lang, Response):
        return lang
    _, body, content_type = rendered(
        ("graph-view", lang),
        lambda: (
            200,
            json.dumps(graph_view(lang, links()), ensure_ascii=False).encode("utf-8"),
            "application/json; charset=utf-8",
        ),
    )
    return finish(200, body, content_type, "json", lang, ("Accept-Language",))


@blueprint.route("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: send them the site's icon."""
    from flask import redirect, url_for

    return redirect(url_for("static", filename="favicon.svg"), code=301)
