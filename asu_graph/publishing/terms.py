"""Names shared by the VoID, DCAT and fragment documents: IRIs, URLs, media types.

Identifiers (dataset, catalogue, releases, publisher) are minted under the
canonical base, so they are the same wherever the server runs. Locations
(download links, the endpoint, the fragments interface) are URLs of the server
that answers, given as ``root`` (``http://host:port/`` with a trailing slash).
"""

from __future__ import annotations

from rdflib import Namespace

from ..config import Settings

# Re-exported for the DCAT and VoID writers, which take all their names from here.
from ..formats import IANA_MEDIA as IANA_MEDIA
from ..formats import RDF_FORMATS
from ..formats import W3C_FORMATS as W3C_FORMATS

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

LICENSE = "https://creativecommons.org/licenses/by/4.0/"

TITLE = {"en": "Alliance Sorbonne Université linked open data",
         "fr": "Données ouvertes liées de l'Alliance Sorbonne Université"}
DESCRIPTION = {
    "en": "Sourced facts about the Alliance Sorbonne Université: its member institutions, "
          "associated research organisations, institutes and initiatives, and national "
          "funding. Every fact is in a named graph that names the web page it comes from.",
    "fr": "Faits sourcés sur l'Alliance Sorbonne Université : ses établissements membres, "
          "les organismes de recherche associés, ses instituts et initiatives, et ses "
          "financements nationaux. Chaque fait est dans un graphe nommé qui indique la page "
          "web dont il provient.",
}

# W3C format identifiers (void:feature, dcterms:format) by format key, from the table.
W3C_FORMAT = {key: fmt.w3c_name for key, fmt in RDF_FORMATS.items()}


def dataset_iri(settings: Settings) -> str:
    return settings.base + "dataset"


def release_iri(settings: Settings, version: str) -> str:
    return f"{settings.base}dataset/release/{version}"


def catalog_iri(settings: Settings) -> str:
    return settings.base + "catalog"


def publisher_iri(settings: Settings) -> str:
    return settings.base + "publisher"


def service_iri(settings: Settings) -> str:
    return settings.base + "service/sparql"


def release_root(settings: Settings) -> str:
    """Root URL written into files on disk, where no request tells the host."""
    root = settings.public_url or settings.base
    return root if root.endswith("/") else root + "/"


def namespace_of(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            head, _, tail = iri.rpartition(sep)
            if tail:
                return head + sep
    return iri
