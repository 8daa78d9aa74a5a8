"""Every RDF namespace the package uses, and the prefixes it offers to people.

The vocabularies rdflib already ships (closed, so a misspelt term warns) are
re-exported from ``rdflib.namespace``; the ones it does not ship, or ships in
an older version, are defined here once. schema.org stays an open
``Namespace``: the sources use terms that rdflib's closed copy may not list
yet. The project's own namespaces (ontology and identifiers) depend on the
configured base, so they come from :class:`~asu_graph.config.Settings`.
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
)

from asu_graph.config import DEFAULT_BASE, Settings

SCHEMA = Namespace("https://schema.org/")
# Open, not rdflib's closed copy: that one predates DCAT 3 (dcat:version,
# dcat:hasCurrentVersion, dcat:previousVersion ... are missing from it).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

__all__ = [
    "ADMS",
    "DCAT",
    "DCTERMS",
    "ENTAILMENT",
    "FOAF",
    "FORMATS",
    "HYDRA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SPDX",
    "VCARD",
    "VOID",
    "XSD",
    "jsonld_context",
    "project_prefixes",
]

# Prefixes bound in every serialisation and pre-filled in the query page.
PREFIXES: dict[str, str] = {
    "org": str(ORG),
    "schema": str(SCHEMA),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
}


def project_prefixes(settings: Settings) -> dict[str, str]:
    """Prefixes a query writer expects (also pre-filled in the query page)."""
    return {"asu": settings.ontology_ns, "id": settings.id_ns, **PREFIXES}


def jsonld_context(settings: Settings) -> dict:
    """The ontology folder's ``context.jsonld``, with its IRIs moved under the configured base.

    Empty when the folder has none (rdflib then writes full IRIs).
    """
    path = Path(settings.ontology_dir) / "context.jsonld"
    try:
        context = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    text = json.dumps(context.get("@context", context))
    return json.loads(text.replace(DEFAULT_BASE, settings.base))
