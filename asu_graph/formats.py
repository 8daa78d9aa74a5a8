"""Names, media types, file extensions and identifiers of every format the project speaks.

This is the one table of formats: the negotiator (``web/negotiation.py``), the
writers, the dumps, the service description and the DCAT / VoID documents all
read it. A format lists, besides its registered media type:

- ``aliases``: other media types that name only this format (older or
  unregistered names clients still send, e.g. ``application/x-turtle``);
- ``generic``: broader media types a client may send for it
  (``application/json`` for JSON-LD, ``text/plain`` for N-Triples). They are
  offered only where they cannot be mistaken for another format of the same
  answer;
- ``words``: the names a user may type in ``?format=`` / ``--format``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef, plugin
from rdflib.serializer import Serializer

# Lexical-form-preserving writers (see rdf_writers); registered by name so
# rdflib's registry picks them lazily, like any other serializer plugin.
plugin.register("asu-turtle", Serializer, "asu_graph.rdf_writers", "ExactTurtleSerializer")
plugin.register("asu-trig", Serializer, "asu_graph.rdf_writers", "ExactTrigSerializer")

# W3C's unique URIs for file formats.
W3C_FORMATS = "http://www.w3.org/ns/formats/"
# IANA's registry page of a media type, used as its IRI in DCAT.
IANA_MEDIA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Format:
    key: str  # short name used by --format and ?format=
    media_type: str
    extension: str
    rdflib_name: str  # rdflib serializer plugin name
    w3c_name: str  # local name under http://www.w3.org/ns/formats/
    label: str = ""  # the format's name for people (titles, listings)
    quads: bool = False
    aliases: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def w3c_iri(self) -> str:
        return W3C_FORMATS + self.w3c_name

    @property
    def media_types(self) -> tuple[str, ...]:
        """The registered type first, then the aliases (never the generic types)."""
        return (self.media_type, *self.aliases)


# SPARQL results (SELECT, ASK)
RESULT_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "json",
            "application/sparql-results+json",
            "srj",
            "json",
            "SPARQL_Results_JSON",
            "SPARQL JSON results",
            generic=("application/json",),
            words=("json", "srj", "sparql-results+json"),
        ),
        Format(
            "xml",
            "application/sparql-results+xml",
            "srx",
            "xml",
            "SPARQL_Results_XML",
            "SPARQL XML results",
            generic=("application/xml", "text/xml"),
            words=("xml", "srx", "sparql-results+xml"),
        ),
        Format("csv", "text/csv", "csv", "csv", "SPARQL_Results_CSV", "CSV", words=("csv",)),
        Format(
            "tsv",
            "text/tab-separated-values",
            "tsv",
            "tsv",
            "SPARQL_Results_TSV",
            "TSV",
            words=("tsv", "text"),
        ),
    )
}

# RDF graphs and datasets (CONSTRUCT, DESCRIBE, dumps, documents)
RDF_FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "turtle",
            "text/turtle",
            "ttl",
            "asu-turtle",
            "Turtle",
            "Turtle",
            # Turtle is N3's RDF subset: an N3 reader reads it.
            aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
            words=("turtle", "ttl", "n3"),
        ),
        Format(
            "nt",
            "application/n-triples",
            "nt",
            "nt",
            "N-Triples",
            "N-Triples",
            # N-Triples' media type before its RFC registration (rdflib still asks for it).
            generic=("text/plain",),
            words=("nt", "ntriples", "n-triples"),
        ),
        Format(
            "json-ld",
            "application/ld+json",
            "jsonld",
            "json-ld",
            "JSON-LD",
            "JSON-LD",
            generic=("application/json",),
            words=("json-ld", "jsonld", "json"),
        ),
        Format(
            "rdfxml",
            "application/rdf+xml",
            "rdf",
            "xml",
            "RDF_XML",
            "RDF/XML",
            generic=("application/xml", "text/xml"),
            words=("rdfxml", "rdf", "rdf+xml", "rdf/xml", "xml"),
        ),
        Format(
            "trig",
            "application/trig",
            "trig",
            "asu-trig",
            "TriG",
            "TriG",
            quads=True,
            aliases=("application/x-trig",),
            words=("trig",),
        ),
        Format(
            "nquads",
            "application/n-quads",
            "nq",
            "nquads",
            "N-Quads",
            "N-Quads",
            quads=True,
            aliases=("text/x-nquads",),
            words=("nquads", "nq", "n-quads"),
        ),
    )
}

# Oxigraph's writers, by format key (the engine's own serializers; see cap and store).
OXIGRAPH_RDF: dict[str, ox.RdfFormat] = {
    k: ox.RdfFormat.from_media_type(f.media_type) for k, f in RDF_FORMATS.items()
}
OXIGRAPH_RESULTS: dict[str, ox.QueryResultsFormat] = {
    k: ox.QueryResultsFormat.from_media_type(f.media_type) for k, f in RESULT_FORMATS.items()
}

# The formats of one-graph documents (entity data, ontology, VoID, DCAT ...).
GRAPH_KEYS: tuple[str, ...] = tuple(k for k, f in RDF_FORMATS.items() if not f.quads)
# File extensions of the negotiated documents: /data/{slug}.ttl, /ontology.jsonld ...
EXTENSIONS: dict[str, str] = {RDF_FORMATS[k].extension: k for k in GRAPH_KEYS}

# HTML is a representation of every page-backed resource, not a data format.
HTML = "html"

# What Fuseki / Virtuoso users type in ?format= or ?output= (any kind of answer).
ALIASES: dict[str, str] = {
    **{
        word: f.key
        for table in (RDF_FORMATS, RESULT_FORMATS)
        for f in table.values()
        for word in f.words
        if word != f.key
    },
    "application/json": "json",
}


def by_media_type(media_type: str) -> Format | None:
    """The format a media type (registered or alias, parameters ignored) names."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    for fmt in (*RESULT_FORMATS.values(), *RDF_FORMATS.values()):
        if media_type in fmt.media_types:
            return fmt
    return None


def resolve(key: str) -> str:
    """Normalise a user-typed format name or media type to a format key."""
    key = key.strip().lower()
    if key in RESULT_FORMATS or key in RDF_FORMATS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    fmt = by_media_type(key)
    return fmt.key if fmt else key


def content_type(key: str) -> str:
    """The Content-Type header of a body in format ``key`` (every text format is UTF-8)."""
    if key == HTML:
        return "text/html; charset=utf-8"
    table = RDF_FORMATS if key in RDF_FORMATS else RESULT_FORMATS
    return f"{table[key].media_type}; charset=utf-8"


def serialize(graph: Graph, key: str, name: str | None = None) -> bytes:
    """``graph`` written in RDF format ``key``, UTF-8.

    In a dataset format (TriG, N-Quads) the graph becomes the named graph
    ``name``, or the default graph (never a graph named by a blank node).
    """
    fmt = RDF_FORMATS[key]
    if fmt.quads and not isinstance(graph, Dataset):
        dataset = Dataset()
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace, override=True, replace=True)
        target = dataset.graph(URIRef(name)) if name else dataset.default_graph
        for triple in graph:
            target.add(triple)
        graph = dataset
    return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
