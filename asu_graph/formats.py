"""Names, media types and file extensions of every format the project speaks."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import plugin
from rdflib.serializer import Serializer

# Lexical-form-preserving writers (see rdf_writers); registered by name so
# rdflib's registry picks them lazily, like any other serializer plugin.
plugin.register("asu-turtle", Serializer, "asu_graph.rdf_writers", "ExactTurtleSerializer")
plugin.register("asu-trig", Serializer, "asu_graph.rdf_writers", "ExactTrigSerializer")


@dataclass(frozen=True)
class Format:
    key: str          # short name used by --format and ?format=
    media_type: str
    extension: str
    rdflib_name: str  # rdflib serializer plugin name
    quads: bool = False


# SPARQL results (SELECT, ASK)
RESULT_FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("json", "application/sparql-results+json", "srj", "json"),
    Format("xml", "application/sparql-results+xml", "srx", "xml"),
    Format("csv", "text/csv", "csv", "csv"),
    Format("tsv", "text/tab-separated-values", "tsv", "tsv"),
)}

# RDF graphs and datasets (CONSTRUCT, DESCRIBE, dumps)
RDF_FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("turtle", "text/turtle", "ttl", "asu-turtle"),
    Format("nt", "application/n-triples", "nt", "nt"),
    Format("json-ld", "application/ld+json", "jsonld", "json-ld"),
    Format("rdfxml", "application/rdf+xml", "rdf", "xml"),
    Format("trig", "application/trig", "trig", "asu-trig", quads=True),
    Format("nquads", "application/n-quads", "nq", "nquads", quads=True),
)}

# What Fuseki / Virtuoso users type in ?format= or ?output=
ALIASES: dict[str, str] = {
    "srj": "json", "sparql-results+json": "json", "application/json": "json",
    "srx": "xml", "sparql-results+xml": "xml",
    "text": "tsv", "ttl": "turtle", "n3": "turtle", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "json-ld", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml",
    "nq": "nquads", "n-quads": "nquads",
}


def by_media_type(media_type: str) -> Format | None:
    for fmt in (*RESULT_FORMATS.values(), *RDF_FORMATS.values()):
        if fmt.media_type == media_type:
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
