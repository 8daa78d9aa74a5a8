"""The VoID description of the dataset (served at ``/.well-known/void`` and ``/void``)."""

from __future__ import annotations

from datetime import datetime

from rdflib import BNode, Graph, Literal, URIRef

from asu_graph.config import Settings
from asu_graph.formats import RDF_FORMATS
from asu_graph.iris import catalog_iri, dataset_iri, publisher_iri
from asu_graph.namespaces import DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD
from asu_graph.publishing.stats import DatasetStats
from asu_graph.publishing.terms import (
    DESCRIPTION,
    LICENSE,
    TITLE,
    W3C_FORMAT,
    W3C_FORMATS,
    namespace_of,
)


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def dump_names(manifest: dict) -> list[tuple[str, dict]]:
    """Plain (not gzipped) dumps of a manifest, one per RDF format, sorted by name."""
    return sorted(
        (name, meta)
        for name, meta in manifest["files"].items()
        if meta.get("format") in RDF_FORMATS and not meta.get("gzip")
    )


def void_graph(
    settings: Settings,
    stats: DatasetStats,
    root: str,
    manifest: dict,
    modified: datetime,
    downloads: str | None = None,
) -> Graph:
    """VoID for the served dataset; ``root`` is the server's URL ending in ``/``.

    ``downloads`` is the URL of the folder holding the manifest's dumps
    (default ``{root}download/``; a release points at its own folder).
    """
    downloads = downloads or root + "download/"
    graph = Graph()
    for prefix, ns in (
        ("void", VOID),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("prov", PROV),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns)
    ds = URIRef(dataset_iri(settings.base))
    doc = URIRef(root + ".well-known/void")
    graph.add((doc, RDF.type, VOID.DatasetDescription))
    graph.add((doc, FOAF.primaryTopic, ds))
    graph.add((doc, DCTERMS.title, Literal("VoID description of " + TITLE["en"], lang="en")))

    graph.add((ds, RDF.type, VOID.Dataset))
    for lang, text in TITLE.items():
        graph.add((ds, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        graph.add((ds, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((ds, DCTERMS.license, URIRef(LICENSE)))
    graph.add((ds, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.dateTime)))
    graph.add((ds, DCTERMS.publisher, URIRef(publisher_iri(settings.base))))
    graph.add((URIRef(publisher_iri(settings.base)), RDF.type, FOAF.Agent))
    graph.add((URIRef(publisher_iri(settings.base)), FOAF.name, Literal(settings.publisher_name)))
    graph.add((ds, FOAF.homepage, URIRef(root)))
    graph.add((ds, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    graph.add((ds, VOID.uriSpace, Literal(settings.id_ns)))
    # The SHACL report of this release and the DCAT catalogue describing it.
    graph.add((ds, RDFS.seeAlso, URIRef(root + "validation")))
    graph.add((ds, RDFS.seeAlso, URIRef(root + "catalog")))
    graph.add((ds, DCTERMS.isPartOf, URIRef(catalog_iri(settings.base))))
    for name, meta in dump_names(manifest):
        graph.add((ds, VOID.dataDump, URIRef(downloads + name)))
        graph.add((ds, VOID.feature, URIRef(W3C_FORMATS + W3C_FORMAT[meta["format"]])))

    graph.add((ds, VOID.triples, _int(stats.triples)))
    graph.add((ds, VOID.entities, _int(stats.entities)))
    graph.add((ds, VOID.distinctSubjects, _int(stats.distinct_subjects)))
    graph.add((ds, VOID.distinctObjects, _int(stats.distinct_objects)))
    graph.add((ds, VOID.classes, _int(len(stats.classes))))
    graph.add((ds, VOID.properties, _int(len(stats.properties))))
    for iri in stats.examples:
        graph.add((ds, VOID.exampleResource, URIRef(iri)))
    vocabularies = {namespace_of(i) for i in (*stats.classes, *stats.properties)}
    for ns in sorted(vocabularies):
        graph.add((ds, VOID.vocabulary, URIRef(ns)))

    # Blank node labels are fixed so that the same data gives the same bytes.
    for index, (cls, count) in enumerate(sorted(stats.classes.items())):
        part = BNode(f"class{index}")
        graph.add((ds, VOID.classPartition, part))
        graph.add((part, VOID["class"], URIRef(cls)))
        graph.add((part, VOID.entities, _int(count)))
    for index, (prop, count) in enumerate(sorted(stats.properties.items())):
        part = BNode(f"property{index}")
        graph.add((ds, VOID.propertyPartition, part))
        graph.add((part, VOID.property, URIRef(prop)))
        graph.add((part, VOID.triples, _int(count)))

    # One subset per named graph, with the page it was derived from.
    for name, count in sorted(stats.graphs.items()):
        subset = URIRef(name)
        graph.add((ds, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, _int(count)))
        for source in stats.derived_from.get(name, []):
            graph.add((subset, PROV.wasDerivedFrom, URIRef(source)))
    return graph
