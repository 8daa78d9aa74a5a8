"""Names shared by the VoID, DCAT and fragment documents: IRIs, URLs, media types.

Identifiers (dataset, catalogue, releases, publisher) are minted under the
canonical base, so they are the same wherever the server runs. Locations
(download links, the endpoint, the fragments interface) are URLs of the server
that answers, given as ``root`` (``http://host:port/`` with a trailing slash).
"""

from __future__ import annotations

from asu_graph.config import Settings

# Re-exported for the DCAT and VoID writers, which take all their names from here.
from asu_graph.formats import IANA_MEDIA as IANA_MEDIA
from asu_graph.formats import RDF_FORMATS
from asu_graph.formats import W3C_FORMATS as W3C_FORMATS

LICENSE = "https://creativecommons.org/licenses/by/4.0/"

TITLE = {
    "en": "Alliance Sorbonne Université linked open data",
    "fr": "Données ouvertes liées de l'Alliance Sorbonne Université",
}
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
