"""The DCAT catalogue: catalogue -> datasets (living one and releases) -> distributions.

Written to conform to DCAT-AP 3.0.1 (checked by the tests with SEMIC's SHACL
shapes): every value a shape constrains by class is typed (licence document,
media types, agents, checksum algorithm, ...).

The data does not say who publishes this dataset, so the publisher is a
``foaf:Agent`` naming the project (``ASU_PUBLISHER_NAME``), not one of the
organisations described in the data.
"""

from __future__ import annotations

import re
from datetime import datetime

from rdflib import Graph, Literal, URIRef

from asu_graph.config import Settings
from asu_graph.formats import RDF_FORMATS
from asu_graph.iris import catalog_iri, dataset_iri, publisher_iri, release_iri, service_iri
from asu_graph.namespaces import DCAT, DCTERMS, FOAF, RDF, RDFS, SPDX, VCARD, XSD
from asu_graph.publishing.terms import (
    DESCRIPTION,
    IANA_MEDIA,
    LICENSE,
    TITLE,
    W3C_FORMAT,
    W3C_FORMATS,
)

_LANGUAGES = (
    "http://publications.europa.eu/resource/authority/language/ENG",
    "http://publications.europa.eu/resource/authority/language/FRA",
)
SPARQL_PROTOCOL = "http://www.w3.org/TR/sparql11-protocol/"
TPF_SPEC = "http://www.hydra-cg.com/spec/latest/triple-pattern-fragments/"
_SHA256 = SPDX.checksumAlgorithm_sha256
_FORMAT_NAMES = {key: fmt.label for key, fmt in RDF_FORMATS.items()}


def _when(value: str | datetime) -> Literal:
    text = value.isoformat() if isinstance(value, datetime) else value
    return Literal(text, datatype=XSD.dateTime)


def _texts(
    graph: Graph, node: URIRef, prop: URIRef, texts: dict[str, str], prefix: str = ""
) -> None:
    for lang, text in texts.items():
        graph.add((node, prop, Literal(prefix + text, lang=lang)))


def _typed(graph: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    graph.add((node, RDF.type, cls))
    return node


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("spdx", SPDX),
        ("vcard", VCARD),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns)
    return graph


def _agents(graph: Graph, settings: Settings, root: str) -> tuple[URIRef, URIRef]:
    publisher = _typed(graph, publisher_iri(settings.base), FOAF.Agent)
    graph.add((publisher, FOAF.name, Literal(settings.publisher_name)))
    graph.add((publisher, FOAF.homepage, _typed(graph, root, FOAF.Document)))
    contact = _typed(graph, settings.base + "contact", VCARD.Kind)
    graph.add((contact, VCARD.fn, Literal(settings.publisher_name)))
    graph.add((contact, VCARD.hasURL, URIRef(root)))
    if settings.contact_email:
        graph.add((contact, VCARD.hasEmail, URIRef("mailto:" + settings.contact_email)))
    _typed(graph, LICENSE, DCTERMS.LicenseDocument)
    _typed(graph, _SHA256, SPDX.ChecksumAlgorithm)
    return publisher, contact


def _distribution(
    graph: Graph, dist: URIRef, name: str, meta: dict, url: str, access_url: str, modified: str
) -> None:
    fmt = RDF_FORMATS.get(meta.get("format") or "")
    graph.add((dist, RDF.type, DCAT.Distribution))
    graph.add((dist, DCAT.downloadURL, URIRef(url)))
    graph.add((dist, DCAT.accessURL, URIRef(access_url)))
    graph.add((dist, DCAT.byteSize, Literal(meta["bytes"], datatype=XSD.nonNegativeInteger)))
    graph.add((dist, DCTERMS.license, URIRef(LICENSE)))
    graph.add((dist, DCTERMS.modified, _when(modified)))
    media = meta["media_type"].split(";")[0].strip()
    graph.add((dist, DCAT.mediaType, _typed(graph, IANA_MEDIA + media, DCTERMS.MediaType)))
    label = _FORMAT_NAMES.get(fmt.key, name) if fmt else name
    if fmt is not None:
        graph.add(
            (
                dist,
                DCTERMS["format"],
                _typed(graph, W3C_FORMATS + W3C_FORMAT[fmt.key], DCTERMS.MediaTypeOrExtent),
            )
        )
    if meta.get("gzip"):
        graph.add(
            (
                dist,
                DCAT.compressFormat,
                _typed(graph, IANA_MEDIA + "application/gzip", DCTERMS.MediaType),
            )
        )
        label += ", gzip"
    graph.add((dist, DCTERMS.title, Literal(f"{name} ({label})", lang="en")))
    checksum = URIRef(str(dist) + "#sha256")
    graph.add((dist, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, _SHA256))
    graph.add((checksum, SPDX.checksumValue, Literal(meta["sha256"], datatype=XSD.hexBinary)))


def _dataset(
    graph: Graph,
    settings: Settings,
    node: URIRef,
    root: str,
    manifest: dict,
    folder_url: str,
    distribution_ns: str,
    publisher: URIRef,
    contact: URIRef,
) -> None:
    modified = manifest["modified"]
    graph.add((node, RDF.type, DCAT.Dataset))
    _texts(graph, node, DCTERMS.title, TITLE)
    _texts(graph, node, DCTERMS.description, DESCRIPTION)
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((node, DCTERMS.license, URIRef(LICENSE)))
    graph.add((node, DCTERMS.modified, _when(modified)))
    graph.add((node, DCAT.landingPage, URIRef(root)))
    graph.add((node, FOAF.page, _typed(graph, root + "validation", FOAF.Document)))
    graph.add((node, RDFS.seeAlso, URIRef(root + ".well-known/void")))
    for language in _LANGUAGES:
        graph.add((node, DCTERMS.language, _typed(graph, language, DCTERMS.LinguisticSystem)))
    for word in (
        "Alliance Sorbonne Université",
        "higher education",
        "research",
        "linked open data",
    ):
        graph.add((node, DCAT.keyword, Literal(word, lang="en")))
    for name, meta in sorted(manifest["files"].items()):
        # Only the dumps are distributions; change sets and metadata are not the dataset.
        if meta.get("format") not in RDF_FORMATS or not re.fullmatch(r"[A-Za-z0-9._-]+", name):
            continue
        dist = URIRef(distribution_ns + name)
        graph.add((node, DCAT.distribution, dist))
        _distribution(graph, dist, name, meta, folder_url + name, folder_url, modified)


def _services(
    graph: Graph, settings: Settings, root: str, served: URIRef, publisher: URIRef, contact: URIRef
) -> list[URIRef]:
    sparql = URIRef(service_iri(settings.base))
    tpf = URIRef(settings.base + "service/fragments")
    for node, title, url, spec in (
        (sparql, "SPARQL 1.1 endpoint", root + "sparql", SPARQL_PROTOCOL),
        (tpf, "Triple Pattern Fragments interface", root + "fragments", TPF_SPEC),
    ):
        graph.add((node, RDF.type, DCAT.DataService))
        graph.add((node, DCTERMS.title, Literal(f"{TITLE['en']}: {title}", lang="en")))
        # DCAT-AP's range shape asks for an explicit rdfs:Resource here (no inference).
        graph.add((node, DCAT.endpointURL, _typed(graph, url, RDFS.Resource)))
        graph.add((node, DCAT.servesDataset, served))
        graph.add((node, DCTERMS.license, URIRef(LICENSE)))
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCTERMS.conformsTo, _typed(graph, spec, DCTERMS.Standard)))
    # The endpoint is also a way to reach the data: a distribution without a file.
    access = URIRef(dataset_iri(settings.base) + "/distribution/sparql")
    graph.add((served, DCAT.distribution, access))
    graph.add((access, RDF.type, DCAT.Distribution))
    graph.add((access, DCAT.accessURL, URIRef(root + "sparql")))
    graph.add((access, DCAT.accessService, sparql))
    graph.add((access, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    graph.add((access, DCTERMS.license, URIRef(LICENSE)))
    return [sparql, tpf]


def _catalog(
    graph: Graph, settings: Settings, root: str, modified: str, publisher: URIRef
) -> URIRef:
    catalog = URIRef(catalog_iri(settings.base))
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _texts(graph, catalog, DCTERMS.title, TITLE, prefix="")
    _texts(graph, catalog, DCTERMS.description, DESCRIPTION)
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.license, URIRef(LICENSE)))
    graph.add((catalog, DCTERMS.modified, _when(modified)))
    graph.add((catalog, FOAF.homepage, URIRef(root)))
    for language in _LANGUAGES:
        graph.add((catalog, DCTERMS.language, URIRef(language)))
    return catalog


def _release(
    graph: Graph, settings: Settings, root: str, manifest: dict, publisher: URIRef, contact: URIRef
) -> URIRef:
    version = manifest["release"]
    node = URIRef(release_iri(settings.base, version))
    folder_url = f"{root}download/releases/{version}/"
    _dataset(graph, settings, node, root, manifest, folder_url, str(node) + "/", publisher, contact)
    graph.add((node, DCAT.version, Literal(version)))
    graph.add((node, DCTERMS.issued, _when(manifest["released"])))
    graph.add((node, DCTERMS.isVersionOf, URIRef(dataset_iri(settings.base))))
    previous = manifest.get("previous")
    if previous:
        graph.add((node, DCAT.previousVersion, URIRef(release_iri(settings.base, previous))))
    return node


def catalog_graph(settings: Settings, root: str, latest: dict, releases: list[dict]) -> Graph:
    """The live catalogue: the served dataset, its endpoint, and every release.

    ``latest`` is the manifest of the dumps being served, ``releases`` the
    release manifests oldest first, ``root`` the server's URL ending in ``/``.
    """
    graph = _new_graph()
    publisher, contact = _agents(graph, settings, root)
    catalog = _catalog(graph, settings, root, latest["modified"], publisher)
    living = URIRef(dataset_iri(settings.base))
    graph.add((catalog, DCAT.dataset, living))
    _dataset(
        graph,
        settings,
        living,
        root,
        latest,
        root + "download/",
        dataset_iri(settings.base) + "/distribution/",
        publisher,
        contact,
    )
    graph.add((living, DCAT.version, Literal(latest["version"])))
    for service in _services(graph, settings, root, living, publisher, contact):
        graph.add((catalog, DCAT.service, service))
    for manifest in releases:
        node = _release(graph, settings, root, manifest, publisher, contact)
        graph.add((catalog, DCAT.dataset, node))
        graph.add((living, DCAT.hasVersion, node))
    return graph


def release_catalog(settings: Settings, root: str, manifest: dict) -> Graph:
    """The catalogue written into a release folder: that release and its lineage."""
    graph = _new_graph()
    publisher, contact = _agents(graph, settings, root)
    catalog = _catalog(graph, settings, root, manifest["released"], publisher)
    node = _release(graph, settings, root, manifest, publisher, contact)
    graph.add((catalog, DCAT.dataset, node))
    return graph
