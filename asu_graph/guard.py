"""Query inspection before any execution: what a public endpoint must refuse.

Every SPARQL engine this project can run on will, if asked, reach outside the
dataset: Oxigraph and rdflib follow ``SERVICE`` over HTTP, rdflib loads the
IRIs named in ``FROM`` / ``FROM NAMED``, and an update can ``LOAD`` any URL
(including ``file:``). The guard reads the query text *before* it is handed to
any store and refuses:

* ``SERVICE`` (unless the endpoint is in ``settings.service_allowlist``),
* ``LOAD`` and every other update operation (the service is read-only),
* ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri``
  naming anything but the graphs this service publishes,
* texts longer than ``settings.max_query_bytes`` (413) and brackets nested
  deeper than :data:`MAX_DEPTH` (Oxigraph's recursive parser overflows its
  stack around a thousand levels, which would kill the serving process).

The inspection is a SPARQL 1.1 tokenizer, not a word search: strings, IRIs,
comments, variables and prefixed names are recognised as wholes, so
``"SERVICE"`` in a literal or ``?service`` is no reason to refuse, while
``service``, ``SERVICE SILENT`` and ``SERVICE ?endpoint`` are all caught.
SPARQL lets ``\\uXXXX`` escapes appear anywhere in the text (Oxigraph expands
them before parsing, rdflib does not), so a text that contains such escapes is
inspected both as written and expanded, and refused if either reading is.
Anything the tokenizer cannot read is refused as malformed: the guard never
lets through what it did not understand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

import rdflib.plugins.sparql

from .store import QuerySyntaxError

# Defence in depth for the rdflib engine: never fetch a graph named in FROM
# that is not already in the dataset (the guard refuses such queries anyway).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

MAX_DEPTH = 64
"""Deepest nesting of ``{ ( [`` accepted; hand-written queries stay far below."""

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD",
                             "MOVE", "COPY", "WITH", "USING"})


class QueryRefused(Exception):
    """A request this service will not run; ``status`` is the HTTP answer (4xx/503)."""

    status = 403

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


# -- tokenizer ----------------------------------------------------------------
# Character classes of the SPARQL 1.1 grammar (section 19.8), as regex sets.
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
         "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*')"
    rf"|(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)"
    rf"|(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)"
    rf"|(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)"
    rf"|(?P<word>[{_U}][{_U}0-9]*)"
    r"|(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<punct>\^\^|\|\||&&|!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\];,.*/|^+\-!=<>?~])",
    re.DOTALL,
)
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def tokenize(text: str) -> list[Token]:
    """SPARQL tokens without whitespace and comments; QuerySyntaxError if unreadable."""
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            snippet = text[pos:pos + 20].split("\n")[0]
            raise QuerySyntaxError(f"cannot read {snippet!r} at {_where(text, pos)}")
        kind = match.lastgroup or ""
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def expand_escapes(text: str) -> str:
    """The text with ``\\uXXXX`` / ``\\UXXXXXXXX`` replaced, as SPARQL 1.1 section 19.2 says."""
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise QuerySyntaxError(f"invalid code point escape {match.group()!r}")
        return chr(code)

    return _ESCAPE.sub(replace, text)


# -- what the query asks for --------------------------------------------------

@dataclass(frozen=True)
class Findings:
    """What in a query text reaches beyond the dataset, resolved to absolute IRIs."""

    services: tuple[str | None, ...] = ()   # None: SERVICE ?variable
    updates: tuple[str, ...] = ()           # update keywords, upper case
    from_graphs: tuple[str, ...] = ()       # FROM and FROM NAMED targets
    depth: int = 0

    def merged(self, other: Findings) -> Findings:
        return Findings(self.services + other.services, self.updates + other.updates,
                        self.from_graphs + other.from_graphs, max(self.depth, other.depth))


def _resolve(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    """The absolute IRI a token names, or None (variable, unknown prefix, relative IRI)."""
    if token.kind == "iri":
        iri = token.text[1:-1]
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return iri
        return urljoin(base, iri) if base else None
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:  # prefixes are case-sensitive
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def _inspect_tokens(tokens: list[Token]) -> Findings:
    prefixes: dict[str, str] = {}
    base: str | None = None
    services: list[str | None] = []
    updates: list[str] = []
    graphs: list[str] = []
    depth = deepest = 0

    def following(i: int) -> Token | None:
        return tokens[i] if i < len(tokens) else None

    for i, token in enumerate(tokens):
        if token.kind == "punct":
            if token.text in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in _CLOSE:
                depth = max(0, depth - 1)
            continue
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word == "PREFIX":
            name, iri = following(i + 1), following(i + 2)
            if name and iri and name.kind == "pname" and iri.kind == "iri":
                resolved = _resolve(iri, prefixes, base) or iri.text[1:-1]
                prefixes[name.text[:-1]] = resolved
        elif word == "BASE":
            iri = following(i + 1)
            if iri and iri.kind == "iri":
                base = _resolve(iri, prefixes, base) or iri.text[1:-1]
        elif word == "SERVICE":
            target = following(i + 1)
            if target and target.kind == "word" and target.text.upper() == "SILENT":
                target = following(i + 2)
            services.append(_resolve(target, prefixes, base) if target else None)
        elif word == "FROM":
            target = following(i + 1)
            if target and target.kind == "word" and target.text.upper() == "NAMED":
                target = following(i + 2)
            resolved = _resolve(target, prefixes, base) if target else None
            graphs.append(resolved if resolved is not None
                          else (target.text if target else "(nothing)"))
        elif word in UPDATE_KEYWORDS:
            updates.append(word)
    return Findings(tuple(services), tuple(updates), tuple(graphs), deepest)


@lru_cache(maxsize=2048)
def inspect(text: str) -> Findings:
    """Findings of the text as written and, if it holds ``\\u`` escapes, as expanded."""
    findings = _inspect_tokens(tokenize(text))
    if _ESCAPE.search(text):
        findings = findings.merged(_inspect_tokens(tokenize(expand_escapes(text))))
    return findings


# -- the policy -----------------------------------------------------------------

def _named(iris: Iterable[str]) -> str:
    return ", ".join(f"<{iri}>" for iri in iris)


def check_size(text: str, max_query_bytes: int | None) -> None:
    """413 for a text over the limit (also checked before a cache look-up)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if max_query_bytes is not None and size > max_query_bytes:
        raise QueryRefused(f"The query is {size:,} bytes long; this service accepts at most "
                           f"{max_query_bytes:,} bytes.", status=413)


def check(text: str, *, allowed_graphs: Iterable[str], service_allowlist: Iterable[str] = (),
          max_query_bytes: int | None = None, default_graphs: Iterable[str] | None = None,
          named_graphs: Iterable[str] | None = None) -> Findings:
    """Refuse (QueryRefused / QuerySyntaxError) what must not run; return the findings.

    ``default_graphs`` / ``named_graphs`` are the protocol's ``default-graph-uri``
    and ``named-graph-uri`` values, which must name published graphs too.
    """
    check_size(text, max_query_bytes)
    allowed = frozenset(allowed_graphs)
    protocol = [*(default_graphs or ()), *(named_graphs or ())]
    foreign = [g for g in protocol if g not in allowed]
    if foreign:
        raise QueryRefused(
            f"default-graph-uri / named-graph-uri may only name the graphs this service "
            f"publishes; refused: {_named(foreign)}.")
    findings = inspect(text)
    if findings.depth > MAX_DEPTH:
        raise QueryRefused(f"The query nests brackets {findings.depth} levels deep; this "
                           f"service accepts at most {MAX_DEPTH}.", status=400)
    if findings.updates:
        keyword = "LOAD" if "LOAD" in findings.updates else findings.updates[0]
        raise QueryRefused(f"This endpoint is read-only: SPARQL Update ({keyword}) is refused.")
    allowlist = frozenset(service_allowlist)
    for target in findings.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable endpoint is refused: this service "
                               "does not query other endpoints.")
        if target not in allowlist:
            raise QueryRefused(f"SERVICE <{target}> is refused: this service does not query "
                               "other endpoints" + (f" except {_named(sorted(allowlist))}"
                                                    if allowlist else "") + ".")
    foreign = [g for g in findings.from_graphs if g not in allowed]
    if foreign:
        raise QueryRefused(f"FROM / FROM NAMED may only name the graphs this service "
                           f"publishes; refused: {', '.join(_shown(g) for g in foreign)}.")
    return findings


def _shown(graph: str) -> str:
    return f"<{graph}>" if ":" in graph and " " not in graph else graph
