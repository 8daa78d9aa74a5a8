"""Plain HTML views for people who open VoID, DCAT or a fragment in a browser.

Machines get RDF; a browser (which prefers text/html) gets the same content
readable, with links to every RDF format. Every value is escaped; the pages
use no script at all (the site's Content-Security-Policy forbids inline script).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request
from markupsafe import Markup, escape
from rdflib import Literal, URIRef
from rdflib.term import Node

# Interface text of these pages, per language (values come from the data as they are).
TEXT = {
    "en": {
        "as": "As",
        "find": "Find matching triples",
        "any": "any",
        "subject": "subject",
        "predicate": "predicate",
        "object": "object",
        "count": "{total} matching triples; showing {first} to {last}.",
        "fragment": "Triple Pattern Fragment",
        "turtle": "The document in Turtle:",
    },
    "fr": {
        "as": "En",
        "find": "Trouver les triplets correspondants",
        "any": "tous",
        "subject": "sujet",
        "predicate": "prédicat",
        "object": "objet",
        "count": "{total} triplets correspondants ; affichés : {first} à {last}.",
        "fragment": "Fragment de motif de triplets",
        "turtle": "Le document en Turtle :",
    },
}


def number(value: int, lang: str) -> str:
    """Digit grouping as each language writes it (a narrow space in French)."""
    return f"{value:,}".replace(",", "\u202f") if lang == "fr" else f"{value:,}"


def site_page(
    title: str,
    body: str,
    lang: str,
    alternates: dict[str, str] | None = None,
) -> str:
    """A page in the site's layout (header, search box, languages, footer) around ``body``.

    ``alternates`` maps media types to URLs: ``<link rel="alternate">`` lets
    crawlers and RDF clients find the data behind the page.
    """
    args = {k: v for k, v in request.args.items() if k != "lang"}
    lang_links = {code: request.path + "?" + urlencode({**args, "lang": code}) for code in TEXT}
    return render_template(
        "plain.html",
        lang=lang,
        title=title,
        body=Markup(body),
        alternates=[
            {"type": label, "href": href}
            for label, href in (alternates or {}).items()
            if "/" in label
        ],
        page_lang_links=lang_links,
    )


def _alternates(links: dict[str, str], lang: str) -> str:
    return (
        f'<p class="formats">{TEXT[lang]["as"]} '
        + " · ".join(
            f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in links.items()
        )
        + "</p>"
    )


def document_page(title: str, turtle: str, alternates: dict[str, str], lang: str) -> str:
    """An RDF document shown as Turtle text, with links to the other formats."""
    return site_page(
        title,
        _alternates(alternates, lang)
        + f'<p>{TEXT[lang]["turtle"]}</p><pre class="turtle">{escape(turtle)}</pre>',
        lang,
        alternates,
    )


def _cell(term: Node, fragments: str, position: str) -> Markup:
    if isinstance(term, URIRef):
        link = fragments + "?" + urlencode({position: str(term)})
        return Markup(f'<a href="{escape(link)}">{escape(str(term))}</a>')
    if isinstance(term, Literal):
        suffix = (
            f"@{term.language}"
            if term.language
            else (f"^^{term.datatype}" if term.datatype else "")
        )
        return Markup(f"&quot;{escape(str(term))}&quot;{escape(suffix)}")
    return escape(term.n3())


def fragment_page(
    root: str,
    asked: dict[str, str],
    triples: list,
    total: int,
    page: int,
    page_size: int,
    controls: dict[str, str],
    alternates: dict[str, str],
    lang: str,
) -> str:
    """One fragment: the search form, the count, the matching triples, paging links."""
    tx = TEXT[lang]
    fragments = root + "fragments"
    fields = "".join(
        f'<label>{tx[name]} <input name="{name}" value="{escape(asked.get(name, ""))}" '
        f'placeholder="{tx["any"]}"></label>'
        for name in ("subject", "predicate", "object")
    )
    first = (page - 1) * page_size + 1 if triples else 0
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_cell(t, fragments, pos)}</td>"
            for t, pos in zip(triple, ("subject", "predicate", "object"), strict=True)
        )
        + "</tr>"
        for triple in triples
    )
    paging = " · ".join(
        f'<a href="{escape(url)}" rel="{rel}">{rel}</a>' for rel, url in controls.items()
    )
    last = first + len(triples) - 1 if triples else 0
    count = tx["count"].format(
        total=number(total, lang), first=number(first, lang), last=number(last, lang)
    )
    if lang != "en":  # keep the form's language when it is submitted
        fields += f'<input type="hidden" name="lang" value="{escape(lang)}">'
    body = (
        f'<form class="fragment-form" method="get" action="{escape(fragments)}">'
        f'{fields}<button type="submit">{tx["find"]}</button></form>'
        f"<p>{count}</p>" + _alternates(alternates, lang) + f"<p>{paging}</p>"
        '<div class="table-scroll"><table class="triples"><thead><tr>'
        f"<th>{tx['subject']}</th><th>{tx['predicate']}</th><th>{tx['object']}</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    return site_page(tx["fragment"], body, lang, alternates)
