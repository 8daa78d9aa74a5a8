"""RDF -> what an HTML page shows: labels in the reader's language, links, inline blank nodes.

Pure functions over rdflib graphs, so the Flask views stay thin and the rules
(which label wins, where a link points, which statements go to which section)
can be read in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from asu_graph.config import Settings
from asu_graph.namespaces import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    project_prefixes,
)
from asu_graph.web.readable import readable

LANGUAGES = ("en", "fr")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# Label predicates in order of preference for a page title.
TITLE_PREDICATES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)
DESCRIPTION_PREDICATES = (DCTERMS.description, SCHEMA.description, RDFS.comment)
SOURCE_PREDICATES = (PROV.wasDerivedFrom, DCTERMS.source)

# Terms of the reused vocabularies (the ASU ontology labels its own terms):
# short interface labels so a page never shows a bare IRI for common terms.
UI_LABELS: dict[str, dict[str, str]] = {
    str(RDF.type): {"en": "type", "fr": "type"},
    str(RDFS.label): {"en": "label", "fr": "libellé"},
    str(RDFS.comment): {"en": "comment", "fr": "commentaire"},
    str(RDFS.seeAlso): {"en": "see also", "fr": "voir aussi"},
    str(SKOS.prefLabel): {"en": "preferred label", "fr": "libellé préféré"},
    str(SKOS.altLabel): {"en": "also known as", "fr": "autre nom"},
    str(DCTERMS.title): {"en": "title", "fr": "titre"},
    str(DCTERMS.description): {"en": "description", "fr": "description"},
    str(DCTERMS.source): {"en": "source", "fr": "source"},
    str(DCTERMS.publisher): {"en": "publisher", "fr": "éditeur"},
    str(PROV.wasDerivedFrom): {"en": "derived from", "fr": "dérivé de"},
    str(OWL.sameAs): {"en": "same as", "fr": "identique à"},
    str(SKOS.exactMatch): {"en": "exact match", "fr": "correspondance exacte"},
    str(ORG.hasMember): {"en": "has member", "fr": "a pour membre"},
    str(ORG.memberOf): {"en": "member of", "fr": "membre de"},
    str(ORG.linkedTo): {"en": "linked to", "fr": "lié à"},
    str(ORG.hasSubOrganization): {"en": "has sub-organisation", "fr": "a pour sous-organisation"},
    str(ORG.subOrganizationOf): {"en": "sub-organisation of", "fr": "sous-organisation de"},
    str(ORG.resultedFrom): {"en": "resulted from", "fr": "issu de"},
    str(ORG.originalOrganization): {"en": "original organisation", "fr": "organisation d'origine"},
    str(ORG.resultingOrganization): {
        "en": "resulting organisation",
        "fr": "organisation résultante",
    },
    str(ORG.FormalOrganization): {"en": "formal organisation", "fr": "organisation formelle"},
    str(ORG.OrganizationalUnit): {"en": "organisational unit", "fr": "unité organisationnelle"},
    str(ORG.ChangeEvent): {"en": "change event", "fr": "changement"},
    str(SCHEMA.url): {"en": "website", "fr": "site web"},
    str(SCHEMA.name): {"en": "name", "fr": "nom"},
    str(SCHEMA.foundingDate): {"en": "founding date", "fr": "date de fondation"},
    str(SCHEMA.startDate): {"en": "start date", "fr": "date de début"},
    str(SCHEMA.founder): {"en": "founder", "fr": "fondateur"},
    str(SCHEMA.fundedItem): {"en": "funded item", "fr": "élément financé"},
    str(SCHEMA.funder): {"en": "funder", "fr": "financeur"},
    str(SCHEMA.amount): {"en": "amount", "fr": "montant"},
    str(SCHEMA.value): {"en": "value", "fr": "valeur"},
    str(SCHEMA.currency): {"en": "currency", "fr": "devise"},
    str(SCHEMA.CollegeOrUniversity): {"en": "college or university", "fr": "université"},
    str(SCHEMA.MonetaryAmount): {"en": "monetary amount", "fr": "montant"},
    str(SCHEMA.MonetaryGrant): {"en": "monetary grant", "fr": "subvention"},
    str(PROV.Entity): {"en": "provenance entity", "fr": "entité de provenance"},
    str(FOAF.Document): {"en": "document", "fr": "document"},
}


def choose_language(asked: str | None, accept_best: str | None) -> str:
    """``?lang=`` wins, then Accept-Language, then English."""
    if asked in LANGUAGES:
        return asked
    return accept_best if accept_best in LANGUAGES else LANGUAGES[0]


def pick_literal(values: list[Node], lang: str) -> Literal | None:
    """The value in ``lang``, else one without a language tag, else English, else any."""
    literals = [v for v in values if isinstance(v, Literal)]
    for test in (
        lambda v: v.language == lang,
        lambda v: not v.language,
        lambda v: v.language == "en",
        lambda v: True,
    ):
        chosen = sorted((v for v in literals if test(v)), key=str)
        if chosen:
            return chosen[0]
    return None


def in_language(values: list[Node], lang: str) -> list[Node]:
    """Language-tagged literals only in ``lang`` when some are; everything else kept."""
    if any(isinstance(v, Literal) and v.language == lang for v in values):
        return [
            v for v in values if not (isinstance(v, Literal) and v.language and v.language != lang)
        ]
    return values


class Links:
    """Where a term points on the serving host; canonical IRIs stay as they are in RDF."""

    def __init__(self, settings: Settings, root: str = "") -> None:
        self.settings = settings
        self.root = root.rstrip("/")
        known = {
            **project_prefixes(settings),
            "asush": settings.base + "shapes#",
            "graph": settings.graph_ns,
        }
        self.prefixes = sorted(known.items(), key=lambda kv: -len(kv[1]))

    def href(self, iri: str) -> str:
        s = self.settings
        if iri.startswith(s.id_ns) and SLUG.fullmatch(iri[len(s.id_ns) :]):
            return f"{self.root}/page/{iri[len(s.id_ns) :]}"
        if iri.startswith(s.ontology_ns):
            return f"{self.root}/ontology#{iri[len(s.ontology_ns) :]}"
        if iri == s.ontology_iri:
            return f"{self.root}/ontology"
        if iri.startswith(s.base):
            return f"{self.root}/{iri[len(s.base) :]}"
        return iri

    def curie(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri


class Vocabulary:
    """Labels and comments of terms: the ASU ontology first, interface labels after."""

    def __init__(self, ontology: Graph) -> None:
        self.graph = ontology

    def label(self, iri: str, lang: str, links: Links | None = None) -> str:
        found = pick_literal(list(self.graph.objects(URIRef(iri), RDFS.label)), lang)
        if found is not None:
            return str(found)
        ui = UI_LABELS.get(iri)
        if ui:
            return ui.get(lang, ui["en"])
        return links.curie(iri) if links else iri

    def comment(self, iri: str, lang: str) -> str | None:
        found = pick_literal(list(self.graph.objects(URIRef(iri), RDFS.comment)), lang)
        return str(found) if found is not None else None


def title_of(graph: Graph, node: Node, lang: str) -> str | None:
    for predicate in TITLE_PREDICATES:
        found = pick_literal(list(graph.objects(node, predicate)), lang)
        if found is not None:
            return str(found)
    return None


# -- view model ---------------------------------------------------------------


@dataclass
class Value:
    kind: str  # "iri", "literal" or "bnode"
    text: str
    href: str | None = None
    title: str | None = None  # canonical IRI or datatype, shown on hover
    lang: str | None = None  # language tag of a literal
    datatype: str | None = None  # CURIE of a literal's datatype
    rows: list[Row] = field(default_factory=list)  # a blank node's own statements
    sources: list[int] = field(default_factory=list)  # footnote numbers
    items: list[Value] = field(default_factory=list)  # members of an RDF list


@dataclass
class Row:
    predicate: str
    label: str
    href: str
    curie: str
    values: list[Value]


@dataclass
class Source:
    number: int
    iri: str
    label: str


@dataclass
class External:
    scheme: str  # ROR, Wikidata, ...
    ident: str
    iri: str


@dataclass
class EntityView:
    iri: str
    lang: str
    title: str
    alt_labels: list[str]
    description: str | None
    types: list[Value]
    rows: list[Row]
    inbound: list[Row]  # property -> the entities whose statements point here
    sources: list[Source]
    identifiers: list[External]
    documents: list[Value] = field(default_factory=list)  # outside pages that point here


_EXTERNAL = (
    ("ROR", re.compile(r"https://ror\.org/(0[a-z0-9]{8})")),
    ("Wikidata", re.compile(r"https?://www\.wikidata\.org/entity/(Q[0-9]+)")),
)


def external_identifier(iri: str) -> External | None:
    for scheme, pattern in _EXTERNAL:
        match = pattern.fullmatch(iri)
        if match:
            return External(scheme, match.group(1), iri)
    return None


class EntityBuilder:
    """Turns a bounded description into an ``EntityView`` for one language."""

    def __init__(
        self,
        graph: Graph,
        vocabulary: Vocabulary,
        links: Links,
        lang: str,
        statement_sources: dict[tuple[str, Node], list[str]] | None = None,
        source_labels: dict[str, str] | None = None,
    ) -> None:
        self.graph = graph
        self.vocabulary = vocabulary
        self.links = links
        self.lang = lang
        self.statement_sources = statement_sources or {}
        self.source_labels = source_labels or {}
        self.sources: dict[str, Source] = {}

    def _source(self, iri: str) -> int:
        if iri not in self.sources:
            label = self.source_labels.get(iri) or title_of(self.graph, URIRef(iri), self.lang)
            self.sources[iri] = Source(len(self.sources) + 1, iri, label or iri)
        return self.sources[iri].number

    def value(
        self, node: Node, depth: int = 0, seen: frozenset = frozenset(), currency: str | None = None
    ) -> Value:
        if isinstance(node, Literal):
            datatype = self.links.curie(str(node.datatype)) if node.datatype else None
            shown = readable(node, self.lang, currency)
            # The exact RDF term stays available on hover.
            title = f'"{node}"^^{datatype}' if datatype else None
            return Value("literal", shown, lang=node.language, datatype=datatype, title=title)
        if isinstance(node, BNode):
            if depth >= 5 or node in seen:
                return Value("bnode", "")
            items = _rdf_list(self.graph, node)
            if items is not None:
                # An RDF collection reads as its members, not as rdf:first / rdf:rest.
                return Value(
                    "list", "", items=[self.value(i, depth + 1, seen | {node}) for i in items]
                )
            return Value("bnode", "", rows=self.rows(node, depth=depth + 1, seen=seen | {node}))
        iri = str(node)
        label = title_of(self.graph, node, self.lang)
        if label is None:
            label = (
                self.vocabulary.label(iri, self.lang, self.links)
                if iri.startswith(self.links.settings.ontology_ns) or iri in UI_LABELS
                else self.links.curie(iri)
            )
        return Value("iri", label, href=self.links.href(iri), title=iri)

    def row(
        self,
        predicate: URIRef,
        objects: list[Node],
        depth: int = 0,
        seen: frozenset = frozenset(),
        currency: str | None = None,
    ) -> Row:
        values = []
        for obj in sorted(in_language(objects, self.lang), key=_sort_key):
            value = self.value(obj, depth, seen, currency)
            if depth == 0:
                value.sources = sorted(
                    {
                        self._source(page)
                        for page in self.statement_sources.get((str(predicate), obj), ())
                    }
                )
            values.append(value)
        iri = str(predicate)
        return Row(
            iri,
            self.vocabulary.label(iri, self.lang, self.links),
            self.links.href(iri),
            self.links.curie(iri),
            values,
        )

    def rows(
        self, subject: Node, skip: tuple = (), depth: int = 0, seen: frozenset = frozenset()
    ) -> list[Row]:
        by_predicate: dict[URIRef, list[Node]] = {}
        for predicate, obj in self.graph.predicate_objects(subject):
            if predicate not in skip:
                by_predicate.setdefault(predicate, []).append(obj)
        currency = next(
            (
                str(c)
                for c in self.graph.objects(subject, SCHEMA.currency)
                if isinstance(c, Literal)
            ),
            None,
        )
        rows = [
            self.row(p, objs, depth, seen, currency if str(p) in MONEY_PROPERTIES else None)
            for p, objs in by_predicate.items()
        ]
        return _fold_super_properties(
            sorted(rows, key=lambda r: (r.label.lower(), r.predicate)), self.vocabulary.graph
        )

    def build(self, iri: str) -> EntityView:
        node = URIRef(iri)
        g = self.graph
        title = title_of(g, node, self.lang) or self.links.curie(iri)
        alt = sorted(
            {str(v) for v in in_language(list(g.objects(node, SKOS.altLabel)), self.lang)} - {title}
        )
        description = pick_literal(list(g.objects(node, DCTERMS.description)), self.lang)
        types = [self.value(t) for t in sorted(g.objects(node, RDF.type), key=str)]
        identifiers = []
        identity = (OWL.sameAs, SKOS.exactMatch)  # the data links with skos:exactMatch
        for same in sorted({o for p in identity for o in g.objects(node, p)}, key=str):
            ext = external_identifier(str(same))
            if ext:
                identifiers.append(ext)
        skip = (RDF.type, SKOS.prefLabel, RDFS.label, *SOURCE_PREDICATES)
        # Pages named as sources are numbered in the order they appear in the list.
        for predicate in SOURCE_PREDICATES:
            for page in sorted(g.objects(node, predicate), key=str):
                if isinstance(page, URIRef):
                    self._source(str(page))
        rows = []
        for row in self.rows(node, skip=skip):
            if row.predicate == str(DCTERMS.description) and description is not None:
                continue
            if row.predicate == str(SKOS.altLabel):
                continue
            if row.predicate in {str(p) for p in identity}:
                row.values = [v for v in row.values if not external_identifier(v.title or "")]
                if not row.values:
                    continue
            rows.append(row)
        # Links from other entities, one row per property (the subjects as values);
        # pages from outside the dataset that point here (source pages naming a
        # publisher) are listed with the sources instead.
        by_predicate: dict[URIRef, list[Node]] = {}
        documents = []
        for subject, predicate in sorted(
            g.subject_predicates(node), key=lambda sp: (str(sp[1]), str(sp[0]))
        ):
            if not isinstance(subject, URIRef):
                continue
            if not str(subject).startswith(self.links.settings.base):
                if str(subject) not in self.sources and all(
                    d.title != str(subject) for d in documents
                ):
                    documents.append(self.value(subject))
                continue
            by_predicate.setdefault(predicate, []).append(subject)
        inbound = sorted(
            (self.row(p, subjects) for p, subjects in by_predicate.items()),
            key=lambda r: (r.label.lower(), r.predicate),
        )
        return EntityView(
            iri=iri,
            lang=self.lang,
            title=title,
            alt_labels=alt,
            description=str(description) if description is not None else None,
            types=types,
            rows=rows,
            inbound=inbound,
            documents=documents,
            sources=sorted(self.sources.values(), key=lambda s: s.number),
            identifiers=identifiers,
        )


MONEY_PROPERTIES = frozenset(str(SCHEMA[p]) for p in ("value", "minValue", "maxValue", "price"))


def _fold_super_properties(rows: list[Row], vocabulary: Graph) -> list[Row]:
    """Drop the values of a broader property that a narrower row already shows.

    ``org:linkedTo`` beside ``asu:involvedIn`` and ``asu:leads`` would list the
    same institutes twice; a value only the broader property holds stays.
    """
    shown: dict[str, set[str]] = {}
    for row in rows:
        shown.setdefault(row.predicate, set()).update(v.title or v.text for v in row.values)
    folded = []
    for row in rows:
        narrower = {
            str(s)
            for s in vocabulary.transitive_subjects(RDFS.subPropertyOf, URIRef(row.predicate))
        }
        narrower.discard(row.predicate)
        covered = set().union(*(shown.get(p, set()) for p in narrower)) if narrower else set()
        if covered:
            row.values = [v for v in row.values if (v.title or v.text) not in covered]
            if not row.values:
                continue
        folded.append(row)
    return folded


def _rdf_list(graph: Graph, node: Node) -> list[Node] | None:
    """The members of the RDF collection starting at ``node``, or None if it is not one."""
    items: list[Node] = []
    seen = set()
    while node != RDF.nil:
        if node in seen or not isinstance(node, BNode):
            return None
        seen.add(node)
        first = list(graph.objects(node, RDF.first))
        rest = list(graph.objects(node, RDF.rest))
        if len(first) != 1 or len(rest) != 1:
            return None
        items.append(first[0])
        node = rest[0]
    return items


def _sort_key(node: Node) -> tuple:
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2, str(node))


# -- ontology documentation ---------------------------------------------------


@dataclass
class TermView:
    iri: str
    anchor: str
    curie: str
    kind: str
    labels: dict[str, str]
    comments: dict[str, str]
    parents: list[Value]
    children: list[Value]
    domain: list[Value]
    range: list[Value]
    inverse: list[Value]
    used_with: list[Value]  # for classes: properties whose domain or range it is


def ontology_terms(
    ontology: Graph, vocabulary: Vocabulary, links: Links, lang: str
) -> tuple[list[TermView], list[TermView]]:
    """Classes and properties of the ontology, documented in ``lang``."""
    ns = links.settings.ontology_ns

    def ref(node: Node) -> Value:
        iri = str(node)
        if iri.startswith(ns):
            text = vocabulary.label(iri, lang, links)
        else:
            text = links.curie(iri)
        return Value("iri", text, href=links.href(iri), title=iri)

    def term(node: URIRef, kind: str, parent: URIRef) -> TermView:
        labels = {lit.language or "": str(lit) for lit in ontology.objects(node, RDFS.label)}
        comments = {lit.language or "": str(lit) for lit in ontology.objects(node, RDFS.comment)}
        props = sorted(
            {p for p in ontology.subjects(RDFS.domain, node)}
            | {p for p in ontology.subjects(RDFS.range, node)},
            key=str,
        )
        return TermView(
            iri=str(node),
            anchor=str(node)[len(ns) :],
            curie=links.curie(str(node)),
            kind=kind,
            labels=labels,
            comments=comments,
            parents=[ref(p) for p in sorted(ontology.objects(node, parent), key=str)],
            children=[ref(c) for c in sorted(ontology.subjects(parent, node), key=str)],
            domain=[ref(d) for d in sorted(ontology.objects(node, RDFS.domain), key=str)],
            range=[ref(r) for r in sorted(ontology.objects(node, RDFS.range), key=str)],
            inverse=[ref(i) for i in sorted(ontology.objects(node, OWL.inverseOf), key=str)],
            used_with=[ref(p) for p in props] if kind == "class" else [],
        )

    def mine(nodes) -> list[URIRef]:
        return sorted(
            {n for n in nodes if isinstance(n, URIRef) and str(n).startswith(ns)},
            key=lambda n: vocabulary.label(str(n), lang).lower(),
        )

    classes = [
        term(c, "class", RDFS.subClassOf) for c in mine(ontology.subjects(RDF.type, OWL.Class))
    ]
    properties = []
    for kind, owl_type in (
        ("object property", OWL.ObjectProperty),
        ("datatype property", OWL.DatatypeProperty),
        ("annotation property", OWL.AnnotationProperty),
    ):
        properties += [
            term(p, kind, RDFS.subPropertyOf) for p in mine(ontology.subjects(RDF.type, owl_type))
        ]
    return classes, properties


# -- interface text -------------------------------------------------------------

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "site": "Alliance Sorbonne Université linked data",
        "navigation": "Site",
        "language": "Language",
        "home": "Home",
        "ontology": "Ontology",
        "query_page": "Query",
        "endpoint": "SPARQL endpoint",
        "downloads": "Downloads",
        "validation": "Validation",
        "licence_note": "Data published under the licence",
        "licence": "licence",
        "identifiers": "External identifiers",
        "statements": "Statements",
        "inbound": "Referenced by",
        "this_resource": "this resource",
        "sources": "Sources",
        "source": "source",
        "conformance": "Validation",
        "conforms": "The published data about this resource conforms to the SHACL shapes;",
        "validation_report": "validation report",
        "warnings": "warning(s)",
        "data_formats": "Data",
        "not_found": "Not found",
        "not_described": "is not described in this dataset.",
        "class": "class",
        "object_property": "object property",
        "datatype_property": "datatype property",
        "annotation_property": "annotation property",
        "label": "label",
        "super_class": "subclass of",
        "super_property": "subproperty of",
        "sub_class": "subclasses",
        "sub_property": "subproperties",
        "domain": "domain",
        "range": "range",
        "inverse": "inverse of",
        "used_with": "used with",
        "version": "version",
        "namespace": "Namespace",
        "classes": "Classes",
        "properties": "Properties",
        "release_conforms": "The published release conforms to the SHACL shapes.",
        "release_fails": "The release does not conform to the SHACL shapes.",
        "results": "result(s)",
        "severity": "Severity",
        "focus": "Focus node",
        "rule": "Rule",
        "path": "Path",
        "message": "Message",
        "value": "Value",
        "counts": "Size of the dataset",
        "triples": "triples",
        "entities": "entities",
        "named_graphs": "named graphs, one per source page",
        "picture": "The alliance",
        "graph_hint": "Drag a node to move it; click it to open its page.",
        "picture_as_text": "The same picture as text",
        "access": "Use the data",
        "downloads_note": "Every format, gzipped, with SHA-256 checksums.",
        "query_note": "Write SPARQL in the browser, with example queries.",
        "fragments_note": "For Linked Data Fragments clients.",
        "entities_by_class": "Entities by class",
        "browse": "All entities",
        "named_graph": "named graph",
        "described_here": "Resources described in this graph",
        "graph_contents": "Contents of this graph",
        "subject": "Subject",
        "predicate": "Property",
        "object": "Value",
        "inbound_note": "Statements of other entities that point to this one.",
        "documents": "Pages that name this resource",
        "type": "type",
        "shapes": "Shapes",
        "search": "Search",
        "search_label": "Search the Alliance by name",
        "search_placeholder": "Name or acronym",
        "search_button": "Search",
        "no_results": "Nothing matches these words. Try another spelling, or ask with SPARQL:",
        "did_you_mean": "Perhaps you were looking for",
    },
    "fr": {
        "site": "Données liées de l'Alliance Sorbonne Université",
        "navigation": "Site",
        "language": "Langue",
        "home": "Accueil",
        "ontology": "Ontologie",
        "query_page": "Requêtes",
        "endpoint": "Point d'accès SPARQL",
        "downloads": "Téléchargements",
        "validation": "Validation",
        "licence_note": "Données publiées sous la licence",
        "licence": "licence",
        "identifiers": "Identifiants externes",
        "statements": "Déclarations",
        "inbound": "Cité par",
        "this_resource": "cette ressource",
        "sources": "Sources",
        "source": "source",
        "conformance": "Validation",
        "conforms": "Les données publiées sur cette ressource sont conformes aux formes SHACL ;",
        "validation_report": "rapport de validation",
        "warnings": "avertissement(s)",
        "data_formats": "Données",
        "not_found": "Introuvable",
        "not_described": "n'est pas décrit dans ce jeu de données.",
        "class": "classe",
        "object_property": "propriété d'objet",
        "datatype_property": "propriété de données",
        "annotation_property": "propriété d'annotation",
        "label": "libellé",
        "super_class": "sous-classe de",
        "super_property": "sous-propriété de",
        "sub_class": "sous-classes",
        "sub_property": "sous-propriétés",
        "domain": "domaine",
        "range": "portée",
        "inverse": "inverse de",
        "used_with": "utilisée avec",
        "version": "version",
        "namespace": "Espace de noms",
        "classes": "Classes",
        "properties": "Propriétés",
        "release_conforms": "La version publiée est conforme aux formes SHACL.",
        "release_fails": "La version n'est pas conforme aux formes SHACL.",
        "results": "résultat(s)",
        "severity": "Gravité",
        "focus": "Nœud visé",
        "rule": "Règle",
        "path": "Chemin",
        "message": "Message",
        "value": "Valeur",
        "counts": "Taille du jeu de données",
        "triples": "triplets",
        "entities": "entités",
        "named_graphs": "graphes nommés, un par page source",
        "picture": "L'alliance",
        "graph_hint": "Faites glisser un nœud pour le déplacer ; cliquez pour ouvrir sa page.",
        "picture_as_text": "La même image en texte",
        "access": "Utiliser les données",
        "downloads_note": "Tous les formats, compressés, avec sommes SHA-256.",
        "query_note": "Écrire du SPARQL dans le navigateur, avec des exemples.",
        "fragments_note": "Pour les clients Linked Data Fragments.",
        "entities_by_class": "Entités par classe",
        "browse": "Toutes les entités",
        "named_graph": "graphe nommé",
        "described_here": "Ressources décrites dans ce graphe",
        "graph_contents": "Contenu de ce graphe",
        "subject": "Sujet",
        "predicate": "Propriété",
        "object": "Valeur",
        "inbound_note": "Déclarations d'autres entités qui pointent vers celle-ci.",
        "documents": "Pages qui nomment cette ressource",
        "type": "type",
        "shapes": "Formes",
        "search": "Recherche",
        "search_label": "Chercher dans l'Alliance par nom",
        "search_placeholder": "Nom ou sigle",
        "search_button": "Chercher",
        "no_results": "Aucun résultat pour ces mots. Essayez une autre graphie, ou en SPARQL :",
        "did_you_mean": "Vous cherchiez peut-être",
    },
}
