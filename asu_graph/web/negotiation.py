"""Proactive content negotiation: ``Accept`` with q-values, plus ``?format=``.

Each kind of answer has an ordered list of (media type, format key) offers:
the canonical types first, then the aliases older clients send
(``application/json``, ``text/plain``, ``application/x-turtle`` ...). The
order is the server's preference when the client rates several types alike.

Werkzeug's own ``best_match`` drops ``q=0`` ranges, so ``text/turtle;q=0,
*/*`` would still pick Turtle; RFC 9110 (section 12.5.1) says the most
specific matching range decides a type's quality, and 0 means "not
acceptable". That is what :func:`negotiate` implements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import formats

Offer = tuple[str, str]   # (media type, format key)

RESULT_OFFERS: tuple[Offer, ...] = (
    *((f.media_type, f.key) for f in formats.RESULT_FORMATS.values()),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)

GRAPH_OFFERS: tuple[Offer, ...] = (
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdfxml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
    ("application/x-turtle", "turtle"),
    ("application/turtle", "turtle"),
    ("text/n3", "turtle"),            # Turtle is N3's RDF subset
    ("text/plain", "nt"),             # N-Triples' media type before RFC registration
    ("application/json", "json-ld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
    ("application/x-trig", "trig"),
    ("text/x-nquads", "nquads"),
)

# The service description is one graph: no dataset formats, and no
# application/xml alias, so a browser's "application/xml;q=0.9" does not
# turn the description into RDF/XML.
DESCRIPTION_OFFERS: tuple[Offer, ...] = (
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("text/n3", "turtle"),
    ("text/plain", "nt"),
    ("application/json", "json-ld"),
)

OFFERS_BY_KIND: dict[str, tuple[Offer, ...]] = {
    "SELECT": RESULT_OFFERS, "ASK": RESULT_OFFERS, "GRAPH": GRAPH_OFFERS}

# ?format= / ?output= / ?results= values, per kind: the same word means
# SPARQL XML results for a SELECT and RDF/XML for a CONSTRUCT (Fuseki, Virtuoso
# and SPARQLWrapper all send it that way).
_RESULT_WORDS = {
    "json": "json", "srj": "json", "sparql-results+json": "json",
    "xml": "xml", "srx": "xml", "sparql-results+xml": "xml",
    "csv": "csv", "tsv": "tsv", "text": "tsv",
}
_GRAPH_WORDS = {
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle",
    "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "json-ld": "json-ld", "jsonld": "json-ld", "json": "json-ld",
    "rdfxml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml",
    "xml": "rdfxml",
    "trig": "trig", "nquads": "nquads", "nq": "nquads", "n-quads": "nquads",
}
WORDS_BY_KIND: dict[str, dict[str, str]] = {
    "SELECT": _RESULT_WORDS, "ASK": _RESULT_WORDS, "GRAPH": _GRAPH_WORDS}
DESCRIPTION_WORDS = {k: v for k, v in _GRAPH_WORDS.items() if v not in ("trig", "nquads")}

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


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of its most specific matching range."""
    best, found = -1, 0.0
    for item in ranges:
        spec = item.specificity(media_type)
        if spec > best or (spec == best and spec >= 0 and item.quality > found):
            best, found = spec, item.quality
    return found if best >= 0 else 0.0


def negotiate(accept: str | None, offers: Iterable[Offer]) -> str | None:
    """The format key to send, or None when nothing offered is acceptable.

    No Accept header (or one with no valid range) means anything goes: the
    first offer. Ties go to the earlier offer.
    """
    offers = list(offers)
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0][1]
    chosen, chosen_q = None, 0.0
    for media_type, key in offers:
        q = quality(ranges, media_type)
        if q > chosen_q:
            chosen, chosen_q = key, q
    return chosen


def from_words(values: Sequence[str], words: dict[str, str],
               offers: Iterable[Offer]) -> str | None:
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


def choose(kind_offers: Iterable[Offer], kind_words: dict[str, str],
           format_values: Sequence[str], accept: str | None) -> str | None:
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


def not_acceptable_message(what: str, offers: Iterable[Offer], words: dict[str, str],
                           accept: str | None, format_values: Sequence[str]) -> str:
    offers = list(offers)
    asked = (f"format={', '.join(format_values)}" if any(v.strip() for v in format_values)
             else f"Accept: {accept or '(none)'}")
    if len(asked) > 200:     # never echo a whole oversized header back
        asked = asked[:200] + "..."
    names = sorted(set(words))
    return (f"Not acceptable: {what} cannot be sent as {asked}. Offered media types: "
            f"{', '.join(canonical_types(offers))}. Format names for ?format=: "
            f"{', '.join(names)}.")
