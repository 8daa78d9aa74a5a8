"""Proactive content negotiation for every route: ``Accept`` with q-values, plus ``?format=``.

One negotiator over the one format table (``asu_graph/formats.py``). Each
kind of answer is an ordered tuple of (media type, format key) offers: the
canonical types first, then the aliases older clients send
(``application/x-turtle``, ``text/n3`` ...), then broader types that are not
ambiguous within that answer (``application/json``, ``text/plain``). The
order is the server's preference when the client rates several types alike.

Media type parameters other than ``q`` (``text/turtle; charset=utf-8``) do
not change what a range covers: the server only writes UTF-8.

Werkzeug's own ``best_match`` drops ``q=0`` ranges, so ``text/turtle;q=0,
*/*`` would still pick Turtle; RFC 9110 (section 12.5.1) says the most
specific matching range decides a type's quality, and 0 means "not
acceptable". That is what :func:`negotiate` implements. At equal quality a
type the client names beats one it only reaches through a wildcard, so a
browser's ``text/html, ..., */*;q=0.8`` gets the page while ``*/*`` alone
gets the server's first offer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import Response, request

from asu_graph import formats
from asu_graph.formats import HTML

Offer = tuple[str, str]  # (media type, format key)

# The server's preference among RDF formats: Turtle (readable), JSON-LD (web
# developers), then the line and XML formats, then the dataset formats.
RDF_PREFERENCE: tuple[str, ...] = ("turtle", "json-ld", "nt", "rdfxml", "trig", "nquads")
GRAPH_KEYS: tuple[str, ...] = tuple(k for k in RDF_PREFERENCE if k in formats.GRAPH_KEYS)


def _format(key: str) -> formats.Format:
    return formats.RDF_FORMATS.get(key) or formats.RESULT_FORMATS[key]


def offers(keys: Iterable[str], html: str | None = None) -> tuple[Offer, ...]:
    """The offers of an answer available in format ``keys`` (in preference order).

    ``html``: None when there is no page; ``"first"`` when the page is the
    default representation (entities, ontology: ``*/*`` and no Accept get
    HTML); ``"last"`` when it is offered to browsers but a client that names
    no type gets the data (VoID, DCAT, fragments, the service description).
    """
    found = [_format(k) for k in keys]
    canonical = [(f.media_type, f.key) for f in found]
    aliases = [(a, f.key) for f in found for a in f.aliases]
    claims: dict[str, int] = {}
    for f in found:
        for media_type in {*f.media_types, *f.generic}:
            claims[media_type] = claims.get(media_type, 0) + 1
    # application/json could be JSON results or JSON-LD: offered only where one of them is.
    generic = [(g, f.key) for f in found for g in f.generic if claims[g] == 1]
    # Pages are sent as text/html only, so only text/html is offered: a client
    # that refuses text/html (q=0) must not get one through application/xhtml+xml.
    pages = [("text/html", HTML)]
    if html == "first":
        return (*pages, *canonical, *aliases, *generic)
    if html == "last":
        return (*canonical, *aliases, *generic, *pages)
    return (*canonical, *aliases, *generic)


def words(keys: Iterable[str], html: bool = False) -> dict[str, str]:
    """The ``?format=`` names of formats ``keys`` (plus ``html`` for a page)."""
    found = {word: f.key for f in (_format(k) for k in keys) for word in (f.key, *f.words)}
    if html:
        found[HTML] = HTML
    return found


RESULT_OFFERS: tuple[Offer, ...] = offers(formats.RESULT_FORMATS)
GRAPH_OFFERS: tuple[Offer, ...] = offers(RDF_PREFERENCE)

# The service description is one graph; browsers get it as a page (Turtle shown
# with links to every format), clients that name no type get Turtle.
DESCRIPTION_OFFERS: tuple[Offer, ...] = offers(RDF_PREFERENCE, html="last")

OFFERS_BY_KIND: dict[str, tuple[Offer, ...]] = {
    "SELECT": RESULT_OFFERS,
    "ASK": RESULT_OFFERS,
    "GRAPH": GRAPH_OFFERS,
}

# ?format= / ?output= / ?results= values, per kind: the same word means
# SPARQL XML results for a SELECT and RDF/XML for a CONSTRUCT (Fuseki, Virtuoso
# and SPARQLWrapper all send it that way).
_RESULT_WORDS = words(formats.RESULT_FORMATS)
_GRAPH_WORDS = words(RDF_PREFERENCE)
WORDS_BY_KIND: dict[str, dict[str, str]] = {
    "SELECT": _RESULT_WORDS,
    "ASK": _RESULT_WORDS,
    "GRAPH": _GRAPH_WORDS,
}
DESCRIPTION_WORDS = words(RDF_PREFERENCE, html=True)

FORMAT_PARAMS = ("format", "output", "results")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """-1 if this range does not cover ``media_type``, else 0 (*/*), 1 (x/*), 2 (x/y)."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*((?:;[^,]*)?)$")
_QPARAM = re.compile(r";\s*q\s*=\s*([0-9.]+)\s*(?:;|$)", re.IGNORECASE)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The well-formed media ranges of an Accept header (malformed ones are skipped)."""
    ranges = []
    for part in (header or "").split(","):
        match = _RANGE.match(part)
        if not match:
            continue
        quality = 1.0
        q = _QPARAM.search(match.group(3) or "")
        if q:
            try:
                quality = max(0.0, min(1.0, float(q.group(1))))
            except ValueError:
                continue
        ranges.append(MediaRange(match.group(1).lower(), match.group(2).lower(), quality))
    return ranges


def _rating(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """(quality, specificity) of the most specific range covering ``media_type``."""
    best, found = -1, 0.0
    for item in ranges:
        spec = item.specificity(media_type)
        if spec > best or (spec == best and spec >= 0 and item.quality > found):
            best, found = spec, item.quality
    return (found, best) if best >= 0 else (0.0, -1)


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of its most specific matching range."""
    return _rating(ranges, media_type)[0]


def negotiate(accept: str | None, offers: Iterable[Offer]) -> str | None:
    """The format key to send, or None when nothing offered is acceptable.

    No Accept header (or one with no valid range) means anything goes: the
    first offer. At equal quality a type named outright beats one reached by
    a wildcard; after that, ties go to the earlier offer.
    """
    offers = list(offers)
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0][1]
    chosen, chosen_rating = None, (0.0, -1)
    for media_type, key in offers:
        rating = _rating(ranges, media_type)
        if rating[0] > 0 and rating > chosen_rating:
            chosen, chosen_rating = key, rating
    return chosen


def from_words(values: Sequence[str], words: dict[str, str], offers: Iterable[Offer]) -> str | None:
    """The first ``?format=`` value naming a format of this kind (word or media type)."""
    by_type = dict(offers)
    for value in values:
        value = value.strip().lower()
        if value in words:
            return words[value]
        media_type = value.split(";", 1)[0].strip()
        if media_type in by_type:
            return by_type[media_type]
    return None


def choose(
    kind_offers: Iterable[Offer],
    kind_words: dict[str, str],
    format_values: Sequence[str],
    accept: str | None,
) -> str | None:
    """``?format=`` wins over Accept, as in Fuseki; None means 406."""
    values = [v for v in format_values if v.strip()]
    if values:
        return from_words(values, kind_words, kind_offers)
    return negotiate(accept, kind_offers)


def canonical_types(offers: Iterable[Offer]) -> list[str]:
    """One media type per format key (the canonical one), in preference order."""
    seen: dict[str, str] = {}
    for media_type, key in offers:
        seen.setdefault(key, media_type)
    return list(seen.values())


def not_acceptable_message(
    what: str,
    offers: Iterable[Offer],
    words: dict[str, str],
    accept: str | None,
    format_values: Sequence[str],
) -> str:
    offers = list(offers)
    asked = (
        f"format={', '.join(format_values)}"
        if any(v.strip() for v in format_values)
        else f"Accept: {accept or '(none)'}"
    )
    if len(asked) > 200:  # never echo a whole oversized header back
        asked = asked[:200] + "..."
    names = sorted(set(words))
    message = (
        f"Not acceptable: {what} cannot be sent as {asked}. Offered media types: "
        f"{', '.join(canonical_types(offers))}."
    )
    if names:
        message += f" Format names for ?format=: {', '.join(names)}."
    return message


# -- on a Flask request ----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The outcome of negotiating one request: a format key, or the 406 to send."""

    key: str | None
    problem: Response | None = None


def for_request(
    what: str,
    kind_offers: Sequence[Offer],
    kind_words: dict[str, str] | None = None,
    params: Sequence[str] = ("format",),
) -> Choice:
    """Negotiate this request's ``?format=`` (when ``kind_words``) and ``Accept``.

    ``what`` names the resource in the 406 message, which lists what is offered.
    """
    kind_words = kind_words if kind_words is not None else {}
    values = [v for name in params for v in request.args.getlist(name)] if kind_words else []
    accept = request.headers.get("Accept")
    key = choose(kind_offers, kind_words, values, accept)
    if key is not None:
        return Choice(key)
    from asu_graph.web.http import error

    return Choice(
        None, error(406, not_acceptable_message(what, kind_offers, kind_words, accept, values))
    )
