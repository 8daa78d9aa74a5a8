"""Curated SPARQL queries: ``queries/*.rq`` files with a small header.

Header lines come first, as comments::

    # title: The six member institutions
    # title@fr: Les six établissements membres
    # description: ...
    # description@fr: ...            (optional)
    # sources: https://... https://...
    # federated: true                (optional: the query calls another endpoint
    #                                 with SERVICE, so this server never runs it)

The same queries are published as data, in the named graph
``{base}graph/queries``: each is a ``{base}query/{name}`` resource typed with
the SHACL executable classes (``sh:SPARQLSelectExecutable`` ...), the way
SPARQL example collections are commonly described, so a client can discover
them through the endpoint itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from asu_graph.config import DEFAULT_BASE, Settings
from asu_graph.namespaces import DCTERMS, PROV, RDF, RDFS, SCHEMA, SH

_HEADER = re.compile(r"^#\s*([A-Za-z@-]+)\s*:\s*(.*)$")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
REQUIRED = ("title", "title@fr", "description", "sources")

# query form (rdflib's parse tree name) -> (SHACL executable class, property holding the text)
_FORMS = {
    "SelectQuery": ("SELECT", SH.SPARQLSelectExecutable, SH.select),
    "AskQuery": ("ASK", SH.SPARQLAskExecutable, SH.ask),
    "ConstructQuery": ("CONSTRUCT", SH.SPARQLConstructExecutable, SH.construct),
    # SHACL has no DESCRIBE executable; the text goes in schema:text.
    "DescribeQuery": ("DESCRIBE", SH.SPARQLExecutable, SCHEMA.text),
}


class CuratedQueryError(ValueError):
    """A curated query file lacks its header or is not valid SPARQL."""


@dataclass(frozen=True)
class CuratedQuery:
    name: str
    text: str
    title: str = ""
    title_fr: str = ""
    description: str = ""
    sources: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def description_fr(self) -> str:
        return self.extra.get("description@fr", "")

    @property
    def federated(self) -> bool:
        """Calls another endpoint with SERVICE: shown and published, never run here."""
        return self.extra.get("federated", "").strip().lower() in {"true", "yes", "1"}

    @property
    def body(self) -> str:
        """The query without its header comment lines (what an editor shows)."""
        lines = self.text.splitlines()
        start = 0
        while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
            start += 1
        return "\n".join(lines[start:]).strip() + "\n"

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (from the parsed query)."""
        return _FORMS[_parse(self)][0]

    @cached_property
    def parsed_form(self) -> str:
        """rdflib's name of the query form, worked out (and checked) once per query read."""
        return _parse_form(self)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "title_fr": self.title_fr,
            "description": self.description,
            "description_fr": self.description_fr,
            "sources": list(self.sources),
            "federated": self.federated,
            "form": self.form,
            "query": self.body,
        }


def parse_curated(name: str, text: str) -> CuratedQuery:
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if match:
            key = match.group(1).lower()
            meta[key] = (
                (meta[key] + " " + match.group(2)).strip()
                if key in meta
                else match.group(2).strip()
            )
    return CuratedQuery(
        name=name,
        text=text,
        title=meta.pop("title", name),
        title_fr=meta.pop("title@fr", ""),
        description=meta.pop("description", ""),
        sources=tuple(meta.pop("sources", "").split()),
        extra=meta,
    )


_FORM_NAMES = {
    "SELECT": "SelectQuery",
    "ASK": "AskQuery",
    "CONSTRUCT": "ConstructQuery",
    "DESCRIBE": "DescribeQuery",
}


def _parse(query: CuratedQuery) -> str:
    """The query form's name; CuratedQueryError when the text is not SPARQL 1.1."""
    return query.parsed_form


def _parse_form(query: CuratedQuery) -> str:
    import pyoxigraph

    from asu_graph.sparql.text import query_form

    # The form is the first keyword after the prologue (PREFIX/BASE and IRIs only).
    try:
        form = _FORM_NAMES[query_form(query.text)]
    except ValueError:
        form = "none"
    if not (form == "AskQuery" and query.federated):
        # Oxigraph parses at once and evaluates lazily (ASK excepted): on an
        # empty store nothing runs, so a SERVICE clause contacts nobody.
        try:
            pyoxigraph.Store().query(query.text)
        except SyntaxError as exc:
            raise CuratedQueryError(f"{query.name}.rq: not valid SPARQL: {exc}") from None
    return form


def check(query: CuratedQuery) -> None:
    """Raise CuratedQueryError unless the file has its full header and parses."""
    if not _NAME.fullmatch(query.name):
        raise CuratedQueryError(
            f"{query.name}.rq: a query name is lower-case letters, digits and hyphens"
        )
    header = {
        "title": query.title if query.title != query.name else "",
        "title@fr": query.title_fr,
        "description": query.description,
        "sources": " ".join(query.sources),
    }
    missing = [key for key in REQUIRED if not header[key]]
    if missing:
        raise CuratedQueryError(
            f"{query.name}.rq: header line(s) missing: "
            + ", ".join(f"'# {key}: ...'" for key in missing)
        )
    bad = [s for s in query.sources if not s.startswith(("http://", "https://"))]
    if bad:
        raise CuratedQueryError(f"{query.name}.rq: sources must be web addresses, got {bad[0]!r}")
    if _parse(query) not in _FORMS:
        raise CuratedQueryError(f"{query.name}.rq: not a query (SELECT/ASK/CONSTRUCT/DESCRIBE)")


def curated_queries(settings: Settings, *, federated: bool = False) -> dict[str, CuratedQuery]:
    """The curated queries by name; the federated examples only when asked.

    A federated example calls another endpoint with SERVICE, so this server
    never runs it: callers that run every curated query (tests, benchmarks,
    replicas) get the runnable ones by default.
    """
    folder = Path(settings.queries_dir)
    found = {}
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CuratedQueryError(f"{path.name}: not UTF-8 ({exc.reason})") from None
        if settings.base != DEFAULT_BASE:
            text = text.replace(DEFAULT_BASE, settings.base)
        query = parse_curated(path.stem, text)
        if federated or not query.federated:
            found[path.stem] = query
    return found


def checked_queries(settings: Settings) -> dict[str, CuratedQuery]:
    """All curated queries, each checked (header complete, valid SPARQL)."""
    queries = curated_queries(settings, federated=True)
    for query in queries.values():
        check(query)
    return queries


def query_iri(settings: Settings, name: str) -> URIRef:
    return URIRef(f"{settings.base}query/{name}")


def queries_graph_iri(settings: Settings) -> URIRef:
    return URIRef(settings.graph_ns + "queries")


def queries_graph(settings: Settings, graph: Graph | None = None) -> Graph:
    """The curated queries as RDF: one ``{base}query/{name}`` resource each."""
    graph = graph if graph is not None else Graph()
    name = queries_graph_iri(settings)
    graph.add((name, RDF.type, PROV.Entity))
    graph.add((name, RDFS.label, Literal("Curated SPARQL queries", lang="en")))
    graph.add((name, RDFS.label, Literal("Requêtes SPARQL commentées", lang="fr")))
    for query in checked_queries(settings).values():
        node = query_iri(settings, query.name)
        _form, klass, text_property = _FORMS[_parse(query)]
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        if klass != SH.SPARQLExecutable:
            graph.add((node, RDF.type, klass))
        graph.add((node, text_property, Literal(query.body)))
        for predicate in (RDFS.label, DCTERMS.title):
            graph.add((node, predicate, Literal(query.title, lang="en")))
            graph.add((node, predicate, Literal(query.title_fr, lang="fr")))
        graph.add((node, DCTERMS.description, Literal(query.description, lang="en")))
        if query.description_fr:
            graph.add((node, DCTERMS.description, Literal(query.description_fr, lang="fr")))
        for source in query.sources:
            graph.add((node, DCTERMS.source, URIRef(source)))
        graph.add((node, DCTERMS.identifier, Literal(query.name)))
        if query.federated:
            graph.add((node, SCHEMA.keywords, Literal("federated")))
        else:
            # Where the query runs: this dataset's endpoint under the canonical base.
            graph.add((node, SCHEMA.target, URIRef(settings.base + "sparql")))
        graph.add((node, DCTERMS.isPartOf, name))
    return graph
