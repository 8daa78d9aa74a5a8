"""Every RDF namespace the package uses, and the prefixes it offers to people.

The vocabularies rdflib already ships (closed, so a misspelt term fails at
import) are re-exported from ``rdflib.namespace``; the ones it does not ship
are defined here once. schema.org stays an open ``Namespace``: the sources use
terms that rdflib's closed copy may not list yet. The project's own
namespaces (ontology and identifiers) depend on the configured base, so they
come from :class:`~asu_graph.config.Settings`.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import (
    DCAT,
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

from .config import Settings

SCHEMA = Namespace("https://schema.org/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

__all__ = [
    "ADMS", "DCAT", "DCTERMS", "ENTAILMENT", "FOAF", "FORMATS", "HYDRA", "ORG", "OWL",
    "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SD", "SH", "SKOS", "SPDX", "VCARD",
    "VOID", "XSD", "project_prefixes",
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
