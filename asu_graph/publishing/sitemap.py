"""``sitemap.xml`` (with the Semantic Sitemaps extension) and ``robots.txt``.

The extension (namespace below) tells linked-data crawlers where the SPARQL
endpoint, the dumps and the dereferenceable URI space are, so they need not
crawl page by page.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from asu_graph.publishing.terms import TITLE

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SC_NS = "http://sw.deri.org/2007/07/sitemapextension/scschema.xsd"


def sitemap_xml(
    root: str, id_ns: str, entity_iris: list[str], dataset_uri: str, dumps: list[str], lastmod: str
) -> bytes:
    """``root`` is the server URL ending in ``/``; ``dumps`` are file names in /download/."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("sc", SC_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    pages = ["", "download/", "download/releases/", "ontology"]
    pages += ["page/" + iri[len(id_ns) :] for iri in entity_iris if iri.startswith(id_ns)]
    for path in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = root + path
        ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
    dataset = ET.SubElement(urlset, f"{{{SC_NS}}}dataset")
    ET.SubElement(dataset, f"{{{SC_NS}}}datasetLabel").text = TITLE["en"]
    ET.SubElement(dataset, f"{{{SC_NS}}}datasetURI").text = dataset_uri
    # Entity URIs are canonical under the base; on this host they live under /id/.
    ET.SubElement(dataset, f"{{{SC_NS}}}linkedDataPrefix", slicing="subject-object").text = (
        root + "id/"
    )
    ET.SubElement(dataset, f"{{{SC_NS}}}sparqlEndpointLocation", slicing="subject-object").text = (
        root + "sparql"
    )
    for name in dumps:
        ET.SubElement(dataset, f"{{{SC_NS}}}dataDumpLocation").text = root + "download/" + name
    ET.SubElement(dataset, f"{{{SC_NS}}}changefreq").text = "monthly"
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots_txt(root: str) -> bytes:
    # Query interfaces have unbounded URL spaces: crawlers get the dumps instead.
    return (
        f"User-agent: *\nDisallow: /sparql\nDisallow: /fragments\nAllow: /\n\n"
        f"Sitemap: {root}sitemap.xml\n"
    ).encode()
