"""Entity reconciliation at ``/reconcile``: match a spreadsheet's names against the Alliance.

The W3C Entity Reconciliation Community Group's API, as OpenRefine 3.x speaks
it (version 0.2: one URL taking ``queries=`` or ``extend=``, suggest, preview
and property proposals), and the 1.0 draft's request forms under
``/reconcile/1.0-draft`` (``POST match`` with ``conditions``). Entity
identifiers are the slugs of ``{base}id/{slug}``, as Wikidata's are Q-ids.

Candidates come from the search index (names, acronyms, variants in both
languages); property constraints on ROR and Wikidata identifiers, acronyms and
websites raise or lower them. ``match: true`` is given only to an exact
official name or an exact identifier, never to a near name or an acronym.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from markupsafe import escape
from rdflib import Dataset, Literal, URIRef
from rdflib.term import Node

from asu_graph import __version__
from asu_graph.namespaces import ORG, OWL, RDF, RDFS, SCHEMA, SKOS
from asu_graph.query.search_index import Entry, SearchIndex, fold
from asu_graph.web.http import error
from asu_graph.web.linked_data import search_index
from asu_graph.web.state import current_publication, current_state

blueprint = Blueprint("reconcile", __name__)

ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6}[0-9]{2})$")
WIKIDATA = re.compile(r"^(?:https?://www\.wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]{1,11}$")
MAX_BATCH = 100
MAX_LIMIT = 50
_IDENTITY = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, SCHEMA.sameAs)


# -- what the service knows of each entity ---------------------------------------


@dataclass(frozen=True)
class Prop:
    id: str
    name: str
    description: str
    kind: str  # "str" or "entity"
    values: Callable[[Dataset, URIRef], list[Node]]


def _objects(*predicates: URIRef) -> Callable[[Dataset, URIRef], list[Node]]:
    def read(data: Dataset, node: URIRef) -> list[Node]:
        found: list[Node] = []
        for p in predicates:
            for o in data.objects(node, p, unique=True):
                if o not in found:
                    found.append(o)
        return found

    return read


def _identity_values(pattern: re.Pattern[str]) -> Callable[[Dataset, URIRef], list[Node]]:
    """Identifier values from identity links and from ``schema:identifier`` values."""

    def read(data: Dataset, node: URIRef) -> list[Node]:
        found: list[str] = []
        candidates: list[Node] = []
        for p in _IDENTITY:
            candidates += list(data.objects(node, p, unique=True))
        for ident in data.objects(node, SCHEMA.identifier, unique=True):
            candidates.append(ident)
            candidates += list(data.objects(ident, SCHEMA.value, unique=True))
            candidates += list(data.objects(ident, SCHEMA.url, unique=True))
        for c in candidates:
            m = pattern.match(str(c))
            if m and m.group(1) not in found:
                found.append(m.group(1))
        return [Literal(v) for v in found]

    return read


def _labels(lang: str) -> Callable[[Dataset, URIRef], list[Node]]:
    def read(data: Dataset, node: URIRef) -> list[Node]:
        return [
            o
            for o in data.objects(node, SKOS.prefLabel, unique=True)
            if isinstance(o, Literal) and o.language == lang
        ]

    return read


def _acronyms(data: Dataset, node: URIRef) -> list[Node]:
    found: list[Node] = []
    for p in (SKOS.altLabel, SCHEMA.alternateName):
        for o in data.objects(node, p, unique=True):
            if (
                isinstance(o, Literal)
                and ACRONYM.match(str(o))
                and all(str(o) != str(f) for f in found)
            ):
                found.append(Literal(str(o)))
    return found


def _inverse(predicate: URIRef, inverse_of: URIRef) -> Callable[[Dataset, URIRef], list[Node]]:
    def read(data: Dataset, node: URIRef) -> list[Node]:
        found = list(data.objects(node, predicate, unique=True))
        for s in data.subjects(inverse_of, node, unique=True):
            if s not in found:
                found.append(s)
        return found

    return read


PROPERTIES: tuple[Prop, ...] = (
    Prop(
        "ror",
        "ROR ID",
        "Research Organization Registry identifier (9 characters)",
        "str",
        _identity_values(ROR),
    ),
    Prop(
        "wikidata",
        "Wikidata ID",
        "Wikidata item identifier (Q-id)",
        "str",
        _identity_values(WIKIDATA),
    ),
    Prop("acronym", "Acronym", "Acronyms among the entity's alternative names", "str", _acronyms),
    Prop("website", "Website", "Official website", "str", _objects(SCHEMA.url)),
    Prop("label_en", "Name (English)", "Preferred name in English", "str", _labels("en")),
    Prop("label_fr", "Name (French)", "Preferred name in French", "str", _labels("fr")),
    Prop(
        "member_of",
        "Member of",
        "Organisations this one is a member of",
        "entity",
        _inverse(ORG.memberOf, ORG.hasMember),
    ),
    Prop(
        "members",
        "Members",
        "Members of this organisation",
        "entity",
        _inverse(ORG.hasMember, ORG.memberOf),
    ),
    Prop(
        "parent",
        "Part of",
        "Organisations this one is a unit of",
        "entity",
        _inverse(ORG.subOrganizationOf, ORG.hasSubOrganization),
    ),
    Prop("type", "Type", "Classes of the entity", "entity", _objects(RDF.type)),
)
PROPERTY_BY_ID = {p.id: p for p in PROPERTIES}
IDENTIFIER_PROPERTIES = ("ror", "wikidata")


class Catalogue:
    """The entities, their types (with super-classes) and property values, per release."""

    def __init__(self, data: Dataset, index: SearchIndex, id_ns: str, ontology: URIRef) -> None:
        self.data = data
        self.index = index
        self.id_ns = id_ns
        self.entries = {e.iri: e for e in index.entries}
        vocab = data.graph(ontology)
        self._supers: dict[str, set[str]] = {}
        for e in index.entries:
            closure: set[str] = set()
            todo = [URIRef(t) for t in e.types]
            while todo:
                t = todo.pop()
                if str(t) in closure:
                    continue
                closure.add(str(t))
                todo += [s for s in vocab.objects(t, RDFS.subClassOf) if isinstance(s, URIRef)]
            self._supers[e.iri] = closure
        self.types = sorted({t for e in index.entries for t in e.types})
        self._type_labels = {
            t: self._label(vocab, URIRef(t))
            for t in {t for ts in self._supers.values() for t in ts}
        }

    @staticmethod
    def _label(vocab: Any, node: URIRef) -> dict[str, str]:
        labels = {
            o.language or "": str(o)
            for o in vocab.objects(node, RDFS.label)
            if isinstance(o, Literal)
        }
        if not labels:
            local = re.split(r"[#/]", str(node))[-1]
            labels = {"": re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()}
        return labels

    def type_name(self, iri: str, lang: str = "en") -> str:
        labels = self._type_labels.get(iri) or self._label(self.data, URIRef(iri))
        return labels.get(lang) or labels.get("en") or labels.get("") or iri

    def slug(self, iri: str) -> str:
        return iri[len(self.id_ns) :] if iri.startswith(self.id_ns) else iri

    def entry(self, ident: str) -> Entry | None:
        iri = ident if ident.startswith(self.id_ns) else self.id_ns + ident
        return self.entries.get(iri)

    def has_type(self, entry: Entry, types: Iterable[str]) -> bool:
        return bool(self._supers.get(entry.iri, set()).intersection(types))

    def values(self, entry: Entry, prop: Prop) -> list[Node]:
        return prop.values(self.data, URIRef(entry.iri))


def catalogue() -> Catalogue:
    publication = current_publication()
    index = search_index()
    return current_state().derived(
        "reconcile_catalogue",
        lambda: Catalogue(
            publication.dataset,
            index,
            publication.settings.id_ns,
            URIRef(publication.settings.ontology_iri),
        ),
    )


# -- matching -------------------------------------------------------------------------


class BadRequest(Exception):
    pass


def _normalise_value(pid: str, value: Any) -> str:
    if isinstance(value, dict):  # {"id": ..., "name": ...} from a reconciled column
        value = value.get("id") or value.get("name") or ""
    text = str(value).strip()
    if pid == "ror":
        m = ROR.match(text.lower())
        return m.group(1) if m else fold(text)
    if pid == "wikidata":
        m = WIKIDATA.match(text[:1].upper() + text[1:] if text else text)
        return m.group(1) if m else fold(text)
    if pid == "website":
        return re.sub(r"^https?://(www\.)?", "", text.lower()).rstrip("/")
    return fold(text)


def _candidate_values(cat: Catalogue, entry: Entry, pid: str) -> set[str]:
    prop = PROPERTY_BY_ID[pid]
    out = set()
    for v in cat.values(entry, prop):
        out.add(_normalise_value(pid, cat.slug(str(v)) if prop.kind == "entity" else str(v)))
        if prop.kind == "entity" and isinstance(v, URIRef):
            e = cat.entries.get(str(v))
            if e is not None:
                out.update(n.folded for n in e.names)
    return out


@dataclass
class Query:
    text: str
    types: list[str]
    limit: int
    constraints: list[tuple[str, list[Any]]]


def reconcile(cat: Catalogue, q: Query, lang: str) -> list[dict[str, Any]]:
    """Candidates for one query, best first, with features and ``match``."""
    scored: dict[str, dict[str, Any]] = {}
    if q.text.strip():
        for hit in cat.index.search(q.text, limit=MAX_LIMIT):
            scored[hit.entry.iri] = {"entry": hit.entry, "name_score": hit.score}
    if q.constraints:  # identifiers alone may find an entity whose name was written otherwise
        for entry in cat.index.entries:
            scored.setdefault(entry.iri, {"entry": entry, "name_score": 0.0})
    exact_names = fold(q.text)
    results = []
    for item in scored.values():
        entry: Entry = item["entry"]
        if q.types and not cat.has_type(entry, q.types):
            continue
        score = float(item["name_score"])
        exact_name = bool(exact_names) and any(
            n.kind == "name" and n.folded == exact_names for n in entry.names
        )
        features = [{"id": "name", "name": "name similarity", "value": round(score, 1)}]
        identifier_hit = False
        constraint_hit = False
        for pid, wanted in q.constraints:
            have = _candidate_values(cat, entry, pid)
            asked = {_normalise_value(pid, v) for v in wanted if str(v).strip()}
            if not asked:
                continue
            hit = bool(have & asked)
            features.append(
                {"id": pid, "name": f"{PROPERTY_BY_ID[pid].name} matches", "value": hit}
            )
            if hit:
                constraint_hit = True
                score += 40.0 if pid in IDENTIFIER_PROPERTIES else 15.0
                identifier_hit = identifier_hit or pid in IDENTIFIER_PROPERTIES
            elif have:
                score -= 60.0 if pid in IDENTIFIER_PROPERTIES else 20.0
        if not q.text.strip() and not constraint_hit:
            continue
        if score <= 0:
            continue
        results.append(
            {
                "id": cat.slug(entry.iri),
                "name": entry.label(lang),
                "description": entry.description(lang) or "",
                "score": round(min(score, 100.0), 1),
                "features": features,
                "match": exact_name or identifier_hit,
                "type": [{"id": t, "name": cat.type_name(t, lang)} for t in entry.types],
            }
        )
    results.sort(key=lambda r: (-r["score"], r["name"]))
    results = results[: q.limit]
    # A certain match must be the only one: two exact names would be a coin toss.
    if sum(1 for r in results if r["match"]) > 1:
        for r in results:
            r["match"] = False
    for r in results:
        if not r["description"]:
            del r["description"]
    return results


def _limit(value: Any) -> int:
    if value is None:
        return 10
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise BadRequest("limit must be a positive number.")
    return min(int(value), MAX_LIMIT)


def _types(value: Any) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadRequest("type must be a type identifier or a list of them.")
    return values


def _constraint(pid: Any, value: Any) -> tuple[str, list[Any]]:
    if pid not in PROPERTY_BY_ID:
        raise BadRequest(
            f"Unknown property {pid!r}; this service knows: " + ", ".join(PROPERTY_BY_ID) + "."
        )
    return pid, value if isinstance(value, list) else [value]


def parse_v02(raw: dict[str, Any]) -> Query:
    if not isinstance(raw, dict):
        raise BadRequest("Each query must be a JSON object.")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise BadRequest("query must be a string.")
    constraints = []
    for p in raw.get("properties") or []:
        if not isinstance(p, dict) or "pid" not in p or "v" not in p:
            raise BadRequest("Each property constraint needs pid and v.")
        constraints.append(_constraint(p["pid"], p["v"]))
    if not text.strip() and not constraints:
        raise BadRequest("A query needs a query text or property constraints.")
    return Query(text, _types(raw.get("type")), _limit(raw.get("limit")), constraints)


def parse_v1(raw: dict[str, Any]) -> Query:
    if not isinstance(raw, dict) or not isinstance(raw.get("conditions"), list):
        raise BadRequest("Each query must be an object with a list of conditions.")
    names: list[str] = []
    constraints = []
    for c in raw["conditions"]:
        if not isinstance(c, dict) or "propertyValue" not in c:
            raise BadRequest("Each condition needs matchType and propertyValue.")
        kind = c.get("matchType", "name")
        if kind == "name":
            names.append(str(c["propertyValue"]))
        elif kind == "id":
            constraints.append(("id", [c["propertyValue"]]))
        elif kind == "property":
            constraints.append(_constraint(c.get("propertyId"), c["propertyValue"]))
        else:
            raise BadRequest(f"Unknown matchType {kind!r}: use name, id or property.")
    ids = [v for pid, vs in constraints if pid == "id" for v in vs]
    constraints = [(p, v) for p, v in constraints if p != "id"]
    query = Query(" ".join(names), _types(raw.get("type")), _limit(raw.get("limit")), constraints)
    if ids:
        query.text = query.text or " ".join(str(i) for i in ids)
    if not query.text.strip() and not constraints:
        raise BadRequest("A query needs a name, an id or a property condition.")
    return query


# -- HTTP -------------------------------------------------------------------------------


def _lang() -> str:
    lang = request.values.get("lang") or request.accept_languages.best_match(["en", "fr"])
    return lang if lang in ("en", "fr") else "en"


def _json(data: Any, status: int = 200) -> Response:
    callback = request.args.get("callback")
    body = json.dumps(data, ensure_ascii=False)
    if callback:  # JSONP, still sent by older OpenRefine versions
        if not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$.]{0,63}", callback):
            return error(400, "callback must be a JavaScript identifier.")
        return Response(
            f"/**/{callback}({body});",
            status=status,
            content_type="application/javascript; charset=utf-8",
        )
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _json_param(name: str) -> Any:
    raw = request.values.get(name)
    if raw is None and request.is_json:
        body = request.get_json(silent=True)
        raw = json.dumps(body.get(name)) if isinstance(body, dict) and name in body else None
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} is not valid JSON: {exc}.") from exc


def _root() -> str:
    return request.url_root.rstrip("/")


def manifest_v02() -> dict[str, Any]:
    cat = catalogue()
    root = _root()
    settings = current_publication().settings
    return {
        "versions": ["0.2"],
        "name": "Alliance Sorbonne Université (asu-graph)",
        "identifierSpace": settings.id_ns,
        "schemaSpace": settings.ontology_ns,
        "documentation": f"{root}/search",
        "serviceVersion": __version__,
        "view": {"url": f"{root}/id/{{{{id}}}}"},
        "defaultTypes": [{"id": t, "name": cat.type_name(t)} for t in cat.types],
        "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 200},
        "suggest": {
            "entity": {"service_url": root, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {
                "service_url": root,
                "service_path": "/reconcile/propose_properties",
            },
            "property_settings": [],
        },
    }


@blueprint.route("/reconcile", methods=["GET", "POST"])
def reconcile_v02() -> Response:
    try:
        queries = _json_param("queries")
        extend = _json_param("extend")
        if queries is not None:
            return _json(_batch(queries))
        if extend is not None:
            return _json(_extend(extend))
    except BadRequest as exc:
        return error(400, str(exc))
    return _json(manifest_v02())


def _batch(queries: Any) -> dict[str, Any]:
    if not isinstance(queries, dict):
        raise BadRequest("queries must be a JSON object of named queries.")
    if len(queries) > MAX_BATCH:
        raise BadRequest(f"A batch holds at most {MAX_BATCH} queries; this one has {len(queries)}.")
    cat, lang = catalogue(), _lang()
    parsed = {key: parse_v02(raw) for key, raw in queries.items()}
    return {key: {"result": reconcile(cat, q, lang)} for key, q in parsed.items()}


def _value_json(cat: Catalogue, prop: Prop, value: Node, lang: str) -> dict[str, Any]:
    if prop.kind == "entity":
        entry = cat.entries.get(str(value))
        if entry is not None:
            return {"id": cat.slug(entry.iri), "name": entry.label(lang)}
        return {"id": str(value), "name": cat.type_name(str(value), lang)}
    return {"str": str(value)}


def _extend(extend: Any) -> dict[str, Any]:
    if (
        not isinstance(extend, dict)
        or not isinstance(extend.get("ids"), list)
        or not isinstance(extend.get("properties"), list)
    ):
        raise BadRequest("extend must be an object with ids and properties lists.")
    if len(extend["ids"]) > 10 * MAX_BATCH:
        raise BadRequest(f"At most {10 * MAX_BATCH} ids per extension request.")
    cat, lang = catalogue(), _lang()
    props = []
    for p in extend["properties"]:
        pid = p.get("id") if isinstance(p, dict) else None
        if pid not in PROPERTY_BY_ID:
            raise BadRequest(
                f"Unknown property {pid!r}; this service knows: " + ", ".join(PROPERTY_BY_ID) + "."
            )
        props.append(PROPERTY_BY_ID[pid])
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for ident in extend["ids"]:
        entry = cat.entry(str(ident))
        row: dict[str, list[dict[str, Any]]] = {}
        for prop in props:
            values = cat.values(entry, prop) if entry is not None else []
            row[prop.id] = [_value_json(cat, prop, v, lang) for v in values]
        rows[str(ident)] = row
    meta = []
    for prop in props:
        item: dict[str, Any] = {"id": prop.id, "name": prop.name}
        if prop.kind == "entity" and prop.id != "type":
            item["type"] = {"id": str(ORG.Organization), "name": "organisation"}
        meta.append(item)
    return {"meta": meta, "rows": rows}


@blueprint.route("/reconcile/propose_properties")
def propose_properties() -> Response:
    type_id = request.args.get("type", "")
    try:
        limit = _limit(int(request.args["limit"])) if "limit" in request.args else len(PROPERTIES)
    except ValueError:
        return error(400, "limit must be a positive number.")
    props = [{"id": p.id, "name": p.name, "description": p.description} for p in PROPERTIES]
    return _json({"type": type_id, "properties": props[:limit], "limit": limit})


def _prefix() -> str:
    return request.args.get("prefix", "")[:200]


@blueprint.route("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    cat, lang = catalogue(), _lang()
    hits = cat.index.search(_prefix(), limit=10) if _prefix().strip() else []
    result = []
    for hit in hits:
        item: dict[str, Any] = {
            "id": cat.slug(hit.entry.iri),
            "name": hit.entry.label(lang),
            "notable": [{"id": t, "name": cat.type_name(t, lang)} for t in hit.entry.types],
        }
        description = hit.entry.description(lang)
        if description:
            item["description"] = description
        result.append(item)
    return _json({"result": result})


def _suggest_from(items: list[tuple[str, str, str]]) -> Response:
    wanted = fold(_prefix())
    result = [
        {"id": i, "name": n, "description": d}
        for i, n, d in items
        if not wanted
        or any(w.startswith(wanted) for w in fold(n).split())
        or fold(i).startswith(wanted)
    ]
    return _json({"result": result[:20]})


@blueprint.route("/reconcile/suggest/type")
def suggest_type() -> Response:
    cat, lang = catalogue(), _lang()
    return _suggest_from([(t, cat.type_name(t, lang), t) for t in cat.types])


@blueprint.route("/reconcile/suggest/property")
def suggest_property() -> Response:
    return _suggest_from([(p.id, p.name, p.description) for p in PROPERTIES])


@blueprint.route("/reconcile/preview")
def preview() -> Response:
    cat, lang = catalogue(), _lang()
    entry = cat.entry(request.args.get("id", ""))
    if entry is None:
        return error(404, "No entity with this id in the Alliance's data.")
    ror = cat.values(entry, PROPERTY_BY_ID["ror"])
    types = ", ".join(cat.type_name(t, lang) for t in entry.types)
    body = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(entry.label(lang))}</title></head>"
        '<body style="font:14px/1.4 system-ui,sans-serif;margin:.5rem">'
        f'<p style="margin:0"><strong><a href="{escape(_root())}/id/'
        f'{escape(cat.slug(entry.iri))}" target="_blank">{escape(entry.label(lang))}</a>'
        f"</strong> <small>{escape(types)}</small></p>"
        + (f'<p style="margin:.3rem 0">{escape(entry.description(lang) or "")}</p>')
        + (f'<p style="margin:0"><small>ROR {escape(str(ror[0]))}</small></p>' if ror else "")
        + "</body></html>"
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    # Shown in an iframe of the reconciling tool (OpenRefine), which runs on another origin.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
    )
    return response


# -- the 1.0 draft's forms ---------------------------------------------------------


@blueprint.route("/reconcile/1.0-draft")
def manifest_v1() -> Response:
    root = _root()
    cat = catalogue()
    return _json(
        {
            "versions": ["1.0-draft"],
            "name": "Alliance Sorbonne Université (asu-graph)",
            "lang": "en",
            "documentation": f"{root}/search",
            "serviceVersion": __version__,
            "view": {"url": f"{root}/id/{{id}}"},
            "defaultTypes": [{"id": t, "name": cat.type_name(t)} for t in cat.types],
            "suggest": {"entity": True, "property": True, "type": True},
            "preview": {"url": f"{root}/reconcile/preview?id={{id}}", "width": 420, "height": 200},
            "extend": {"propose_properties": True, "property_settings": []},
        }
    )


@blueprint.route("/reconcile/1.0-draft/match", methods=["POST"])
def match_v1() -> Response:
    try:
        body = request.get_json(silent=True)
        if body is None:
            body = _json_param("queries")
            body = {"queries": body} if body is not None else None
        if not isinstance(body, dict) or not isinstance(body.get("queries"), list):
            raise BadRequest('Send {"queries": [...]} as JSON.')
        if len(body["queries"]) > MAX_BATCH:
            raise BadRequest(f"A batch holds at most {MAX_BATCH} queries.")
        cat, lang = catalogue(), _lang()
        parsed = [parse_v1(q) for q in body["queries"]]
    except BadRequest as exc:
        return error(400, str(exc))
    return _json({"results": [{"candidates": reconcile(cat, q, lang)} for q in parsed]})


@blueprint.route("/reconcile/1.0-draft/extend", methods=["POST"])
def extend_v1() -> Response:
    try:
        body = request.get_json(silent=True)
        answer = _extend(body)
    except BadRequest as exc:
        return error(400, str(exc))
    rows = [
        {"id": ident, "properties": [{"id": pid, "values": values} for pid, values in row.items()]}
        for ident, row in answer["rows"].items()
    ]
    return _json({"meta": answer["meta"], "rows": rows})


@blueprint.route("/reconcile/1.0-draft/suggest/<kind>")
def suggest_v1(kind: str) -> Response:
    views = {"entity": suggest_entity, "type": suggest_type, "property": suggest_property}
    if kind not in views:
        return error(404, "Suggest services: entity, type, property.")
    return views[kind]()


@blueprint.route("/reconcile/1.0-draft/extend/propose")
def propose_v1() -> Response:
    return propose_properties()
