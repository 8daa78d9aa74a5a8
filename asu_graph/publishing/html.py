"""Plain HTML views for people who open VoID, DCAT or a fragment in a browser.

Machines get RDF; a browser (which prefers text/html) gets the same content
readable, with links to every RDF format. Every value is escaped; the pages
use no script at all (the site's Content-Security-Policy forbids inline script).
"""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup, escape
from rdflib import Literal, URIRef
from rdflib.term import Node

_STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}"
          "pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:1rem}"
          "td,th{padding:.2rem .5rem;text-align:left;vertical-align:top;word-break:break-all}"
          "form label{display:block;margin:.3rem 0}form input{width:40rem;max-width:100%}")


def _page(title: str, body: str, root: str, alternates: dict[str, str] | None = None) -> str:
    # <link rel="alternate"> lets crawlers and RDF clients find the data behind the page.
    head = "".join(f"<link rel=\"alternate\" type=\"{escape(label)}\" href=\"{escape(href)}\">"
                   for label, href in (alternates or {}).items() if "/" in label)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style>{head}</head><body>"
            f"<p><a href=\"{escape(root)}\">Home</a> · "
            f"<a href=\"{escape(root)}download/\">Downloads</a></p>"
            f"<h1>{escape(title)}</h1>{body}</body></html>")


def _alternates(links: dict[str, str]) -> str:
    return "<p>As " + " · ".join(f"<a href=\"{escape(href)}\">{escape(label)}</a>"
                                 for label, href in links.items()) + "</p>"


def document_page(title: str, turtle: str, alternates: dict[str, str], root: str) -> str:
    """An RDF document shown as Turtle text, with links to the other formats."""
    return _page(title, _alternates(alternates) + f"<pre>{escape(turtle)}</pre>", root,
                 alternates)


def _cell(term: Node, fragments: str, position: str) -> Markup:
    if isinstance(term, URIRef):
        link = fragments + "?" + urlencode({position: str(term)})
        return Markup(f"<a href=\"{escape(link)}\">{escape(str(term))}</a>")
    if isinstance(term, Literal):
        suffix = f"@{term.language}" if term.language else \
            (f"^^{term.datatype}" if term.datatype else "")
        return Markup(f"&quot;{escape(str(term))}&quot;{escape(suffix)}")
    return escape(term.n3())


def fragment_page(root: str, asked: dict[str, str], triples: list, total: int,
                  page: int, page_size: int, controls: dict[str, str],
                  alternates: dict[str, str]) -> str:
    """One fragment: the search form, the count, the matching triples, paging links."""
    fragments = root + "fragments"
    fields = "".join(
        f"<label>{name} <input name=\"{name}\" value=\"{escape(asked.get(name, ''))}\" "
        f"placeholder=\"any\"></label>" for name in ("subject", "predicate", "object"))
    first = (page - 1) * page_size + 1 if triples else 0
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(t, fragments, pos)}</td>" for t, pos in
                         zip(triple, ("subject", "predicate", "object"), strict=True)) + "</tr>"
        for triple in triples)
    paging = " · ".join(f"<a href=\"{escape(url)}\" rel=\"{rel}\">{rel}</a>"
                        for rel, url in controls.items())
    body = (f"<form method=\"get\" action=\"{escape(fragments)}\">{fields}"
            "<button type=\"submit\">Find matching triples</button></form>"
            f"<p>{total:,} matching triples; showing {first:,} to "
            f"{first + len(triples) - 1 if triples else 0:,}.</p>"
            + _alternates(alternates) + f"<p>{paging}</p>"
            "<table><thead><tr><th>subject</th><th>predicate</th><th>object</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
    return _page("Triple Pattern Fragment", body, root, alternates)
