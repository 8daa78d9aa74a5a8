"""Releases in a shared triple store: names, the pointer graph, and renaming.

A release is a set of named graphs written side by side with the previous
one, so that readers keep answering from a complete release while the next
is uploaded:

* ``{base}graph/release/{name}`` holds the union of the release (a set of
  triples, what the service's default graph is);
* ``{base}graph/release/{name}/graph/{stem}`` holds one source graph, and
  ``{base}graph/release/{name}/ontology`` the vocabulary, so ``GRAPH`` still
  tells which page a fact comes from.

The small pointer graph ``{base}graph/current`` says which release is current
(DCAT 3 ``dcat:hasCurrentVersion``, with ``dcat:version``, ``dcterms:issued``,
``void:triples`` and one ``void:subset`` per named graph of the release).
Switching releases is one write of that graph.

Because two releases live in one store, their graphs cannot keep the
published names. :class:`Renamer` is the bijection between published names
and stored ones: ``{base}graph/...`` and ``{base}ontology`` are moved under
the release, everywhere they occur (graph names, subjects and objects such
as the ``prov:wasDerivedFrom`` statements about graphs, and text inside
literals), on the way in (data at publication, IRIs and strings in query
text) and back on the way out (every term of an answer). Queries therefore
see the published names, joins between ``GRAPH ?g`` and statements about
``?g`` work, and equality or prefix tests on ``STR(?g)`` too; only string
functions that measure or cut a graph name (``STRLEN``, ``SUBSTR`` on it,
hashes) can tell the difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from asu_graph.iris import dataset_iri, pointer_graph_iri
from asu_graph.namespaces import DCAT, DCTERMS, RDF, VOID, XSD
from asu_graph.sparql.guard import scan
from asu_graph.sparql.text import query_form  # noqa: F401

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Release:
    """A release as the pointer graph describes it (stored names)."""

    iri: str
    version: str
    graphs: tuple[str, ...]  # stored names of its named graphs
    triples: int | None = None
    issued: str | None = None

    def renamer(self, base: str) -> Renamer:
        return Renamer(base, self.iri)

    @property
    def all_graphs(self) -> tuple[str, ...]:
        """Every graph the release wrote: its union and its named graphs."""
        return (self.iri, *self.graphs)


class Renamer:
    """Published names <-> names stored for one release (see the module docstring)."""

    def __init__(self, base: str, release: str) -> None:
        self.release = release
        self._graph_ns = base + "graph/"
        self._ontology = base + "ontology"
        self._stored_graph_ns = release + "/graph/"
        self._stored_ontology = release + "/ontology"

    @property
    def default_graph(self) -> str:
        """Where the dataset's own default graph goes (empty for the ASU data)."""
        return self.release + "/default"

    @property
    def empty_graph(self) -> str:
        """A graph name no release writes: stands for "no graphs" in a protocol dataset."""
        return self.release + "/empty"

    # -- IRIs and text ------------------------------------------------------
    def to_store_iri(self, iri: str) -> str:
        if iri.startswith(self._graph_ns):
            return self._stored_graph_ns + iri[len(self._graph_ns) :]
        if iri == self._ontology:
            return self._stored_ontology
        return iri

    def from_store_iri(self, iri: str) -> str:
        if iri.startswith(self._stored_graph_ns):
            return self._graph_ns + iri[len(self._stored_graph_ns) :]
        if iri == self._stored_ontology:
            return self._ontology
        return iri

    def to_store_text(self, text: str) -> str:
        if text == self._ontology:
            return self._stored_ontology
        return (
            text.replace(self._graph_ns, self._stored_graph_ns) if self._graph_ns in text else text
        )

    def from_store_text(self, text: str) -> str:
        if text == self._stored_ontology:
            return self._ontology
        return (
            text.replace(self._stored_graph_ns, self._graph_ns)
            if self._stored_graph_ns in text
            else text
        )

    def graph_name(self, published: str) -> str:
        """The stored name of a published named graph ("" = the default graph)."""
        if published == "":
            return self.default_graph
        stored = self.to_store_iri(published)
        if stored == published:
            raise ValueError(
                f"<{published}> is neither under {self._graph_ns} nor "
                f"{self._ontology}: it cannot be published as a release graph"
            )
        return stored

    # -- rdflib terms --------------------------------------------------------
    def to_store_term(self, term: Identifier) -> Identifier:
        return self._term(term, self.to_store_iri, self.to_store_text)

    def from_store_term(self, term: Identifier) -> Identifier:
        return self._term(term, self.from_store_iri, self.from_store_text)

    @staticmethod
    def _term(term: Identifier, iri, text) -> Identifier:
        if isinstance(term, URIRef):
            renamed = iri(str(term))
            return term if renamed == str(term) else URIRef(renamed)
        if isinstance(term, Literal):
            lexical = str(term)
            renamed = text(lexical)
            if renamed != lexical:
                return Literal(renamed, lang=term.language, datatype=term.datatype)
        return term

    def to_store_graph(self, graph: Graph) -> Graph:
        out = Graph()
        for s, p, o in graph:
            out.add((self.to_store_term(s), self.to_store_term(p), self.to_store_term(o)))
        return out

    # -- query text ------------------------------------------------------------
    def to_store_query(self, text: str) -> str:
        """The query with published graph names (IRIs and strings) moved into the release.

        Only IRI and string tokens change, so ``PREFIX g: <{base}graph/>`` moves
        every ``g:name`` with it; comments and everything else stay as written.
        """
        out: list[str] = []
        base: str | None = None
        expect_base = False
        for lexed in scan(text, lenient=True):
            token, kind = lexed.text, lexed.kind
            if kind == "word" and token.upper() == "BASE":
                expect_base = True
            elif kind == "iri":
                iri = token[1:-1]
                absolute = urljoin(base, iri) if base and not _ABSOLUTE.match(iri) else iri
                if expect_base:
                    base, expect_base = absolute, False
                else:
                    # A relative IRI (the endpoint puts BASE <{base}> in front of
                    # every query, so <graph/ibees> is a graph name) is renamed too.
                    stored = self.to_store_iri(absolute)
                    if stored != absolute:
                        token = "<" + stored + ">"
            elif kind == "string":
                token = self.to_store_text(token)
                if token[1:-1] == self._ontology:  # "…ontology" as a whole string
                    token = token[0] + self._stored_ontology + token[-1]
            out.append(token)
        return "".join(out)


# -- the pointer graph ---------------------------------------------------------


def pointer_content(base: str, release: Release, issued: datetime) -> Graph:
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    node = URIRef(release.iri)
    graph.add((URIRef(dataset_iri(base)), DCAT.hasCurrentVersion, node))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, VOID.Dataset))
    graph.add((node, DCAT.version, Literal(release.version)))
    graph.add((node, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.dateTime)))
    if release.triples is not None:
        graph.add((node, VOID.triples, Literal(release.triples, datatype=XSD.integer)))
    for name in release.graphs:
        graph.add((node, VOID.subset, URIRef(name)))
    return graph


def pointer_query(base: str) -> str:
    return f"""PREFIX dcat: <{DCAT}>
PREFIX void: <{VOID}>
PREFIX dcterms: <{DCTERMS}>
SELECT ?release ?version ?triples ?issued ?part WHERE {{
  GRAPH <{pointer_graph_iri(base)}> {{
    <{dataset_iri(base)}> dcat:hasCurrentVersion ?release .
    OPTIONAL {{ ?release dcat:version ?version }}
    OPTIONAL {{ ?release void:triples ?triples }}
    OPTIONAL {{ ?release dcterms:issued ?issued }}
    OPTIONAL {{ ?release void:subset ?part }}
  }}
}}"""


def release_from_rows(rows: list[dict[str, Identifier]]) -> Release | None:
    """The current release from the pointer query's rows (None: nothing published)."""
    found: dict[str, dict] = {}
    for row in rows:
        iri = row.get("release")
        if not isinstance(iri, URIRef):
            continue
        entry = found.setdefault(
            str(iri), {"parts": set(), "version": None, "triples": None, "issued": None}
        )
        if row.get("part") is not None:
            entry["parts"].add(str(row["part"]))
        for key in ("version", "triples", "issued"):
            if row.get(key) is not None:
                entry[key] = str(row[key])
    if not found:
        return None
    # One pointer is written at a time; should two ever be read, the newest wins.
    iri, entry = max(found.items(), key=lambda item: (item[1]["issued"] or "", item[0]))
    triples = int(entry["triples"]) if entry["triples"] and entry["triples"].isdigit() else None
    return Release(
        iri,
        entry["version"] or iri.rsplit("/", 1)[-1],
        tuple(sorted(entry["parts"])),
        triples,
        entry["issued"],
    )
