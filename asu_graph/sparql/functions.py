"""Which functions a query may call: SPARQL's own, XSD casts, and an allowlist.

A SPARQL engine may offer functions of its own beyond the standard ones, and
some reach far outside the dataset: Virtuoso's ``bif:`` namespace calls any
built-in SQL function (``bif:http_get`` fetches a URL, ``bif:exec`` runs SQL)
and ``sql:`` calls stored procedures, and Virtuoso predefines those prefixes,
so a query needs no ``PREFIX`` to use them. Embedded stores have no such
functions, but one policy on every store is simpler to state and to test, and
a query then gets the same answer whichever store serves it.

The policy, read from the guard's tokens (``guard.tokenize``):

* a call is a bare word, an IRI or a prefixed name followed by ``(``;
  a bare word must be a SPARQL built-in (section 17 of SPARQL 1.1, plus the
  triple-term functions of SPARQL 1.2), an IRI must be an XSD cast or listed
  in ``ASU_FUNCTION_ALLOWLIST``; anything else is refused (FunctionRefused,
  a QueryRefused of status 403, which ``/sparql`` answers 400 like every
  refusal) with a message naming it;
* every other bare word must be a SPARQL keyword: a store's own syntax
  (Virtuoso's ``DEFINE`` pragmas...) is refused as malformed (400);
* every prefixed name must use a prefix the query declares, so a store's
  predefined prefixes are never used (403 for a call, 400 otherwise).

An IRI directly followed by a list, as in ``?s ex:p (1 2)`` (a predicate and
an RDF collection), reads as a call too and is refused: telling the two apart
needs the grammar, and refusing a rare spelling is the safe side.

``\\uXXXX`` escapes may appear anywhere in a query, so a text holding them is
read both as written and expanded, and refused if either reading is.

For a remote store, :func:`check_vendor_text` adds a plain text search: the
remote engine's lexer is not ours, and a string or comment it reads
differently could hide a call, so ``bif:``, ``sql:`` and OpenLink's function
namespaces are refused wherever they appear in the text. For the same
reason a remote store receives :func:`canonical` text, rebuilt from the
tokens that were checked, and the graphs of a query's own FROM clauses
(:func:`dataset_clause`) as its protocol dataset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin

from asu_graph.namespaces import XSD
from asu_graph.sparql.guard import QueryRefused, QuerySyntaxError, Token, tokenize

# SPARQL 1.1 Query, section 17.4 (and the aggregates of section 18.5).
BUILTIN_FUNCTIONS = frozenset(
    {
        "STR",
        "LANG",
        "LANGMATCHES",
        "DATATYPE",
        "BOUND",
        "IRI",
        "URI",
        "BNODE",
        "RAND",
        "ABS",
        "CEIL",
        "FLOOR",
        "ROUND",
        "CONCAT",
        "STRLEN",
        "UCASE",
        "LCASE",
        "ENCODE_FOR_URI",
        "CONTAINS",
        "STRSTARTS",
        "STRENDS",
        "STRBEFORE",
        "STRAFTER",
        "YEAR",
        "MONTH",
        "DAY",
        "HOURS",
        "MINUTES",
        "SECONDS",
        "TIMEZONE",
        "TZ",
        "NOW",
        "UUID",
        "STRUUID",
        "MD5",
        "SHA1",
        "SHA256",
        "SHA384",
        "SHA512",
        "COALESCE",
        "IF",
        "STRLANG",
        "STRDT",
        "SAMETERM",
        "ISIRI",
        "ISURI",
        "ISBLANK",
        "ISLITERAL",
        "ISNUMERIC",
        "REGEX",
        "SUBSTR",
        "REPLACE",
        "EXISTS",
        "COUNT",
        "SUM",
        "MIN",
        "MAX",
        "AVG",
        "SAMPLE",
        "GROUP_CONCAT",
        # SPARQL 1.2 (triple terms, directional language tags), which Oxigraph implements,
        # and ADJUST (time zones), a proposal Oxigraph implements too.
        "TRIPLE",
        "SUBJECT",
        "PREDICATE",
        "OBJECT",
        "ISTRIPLE",
        "LANGDIR",
        "HASLANG",
        "HASLANGDIR",
        "STRLANGDIR",
        "ADJUST",
    }
)

# Words of the query grammar (SPARQL 1.1 section 19.8) that are not functions;
# a keyword directly followed by "(" (FILTER(, IN (, SELECT (...) is no call.
KEYWORDS = frozenset(
    {
        "BASE",
        "PREFIX",
        "SELECT",
        "CONSTRUCT",
        "DESCRIBE",
        "ASK",
        "DISTINCT",
        "REDUCED",
        "AS",
        "FROM",
        "NAMED",
        "WHERE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "LIMIT",
        "OFFSET",
        "GROUP",
        "HAVING",
        "VALUES",
        "UNDEF",
        "OPTIONAL",
        "GRAPH",
        "SERVICE",
        "SILENT",
        "BIND",
        "MINUS",
        "UNION",
        "FILTER",
        "NOT",
        "IN",
        "SEPARATOR",
        "TRUE",
        "FALSE",
        "VERSION",
        "LATERAL",  # SPARQL 1.2 drafts, accepted by Oxigraph
    }
)

# The casts of SPARQL 1.1 section 17.5, and those Oxigraph adds for dates and durations.
XSD_CASTS = frozenset(
    str(XSD[name])
    for name in (
        "boolean",
        "double",
        "float",
        "decimal",
        "integer",
        "dateTime",
        "string",
        "date",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    )
)

# Namespaces of Virtuoso functions (bif: built-in SQL functions, sql: stored
# procedures) and OpenLink's IRIs, searched for in the raw text (see module doc).
_VENDOR_TEXT = re.compile(r"\bbif:|\bsql:|openlinksw\.com", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class FunctionRefused(QueryRefused):
    """A query calls what this service does not run: 403, naming the function."""


_HINT = (
    "this service runs SPARQL 1.1 built-in functions and XSD casts only"
    " (and the functions its operator lists in ASU_FUNCTION_ALLOWLIST)"
)


def _expanded(text: str) -> str | None:
    """The text with ``\\u`` escapes replaced, or None when it holds none."""
    if not _ESCAPE.search(text):
        return None

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _ESCAPE.sub(replace, text)


def _iri(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    """The absolute IRI of an IRI or prefixed-name token; None: undeclared prefix."""
    if token.kind == "iri":
        iri = token.text[1:-1]
        if base and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return urljoin(base, iri)
        return iri
    prefix, _, local = token.text.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _check_tokens(
    text: str, tokens: list[Token], allowed: frozenset[str], calls_only: bool
) -> None:
    """Refuse calls of other functions; unless ``calls_only``, also what is not SPARQL."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        call = after is not None and after.kind == "punct" and after.text == "("
        if token.kind == "word":
            word = token.text.upper()
            if (
                word == "PREFIX"
                and after is not None
                and after.kind == "pname"
                and i + 2 < len(tokens)
                and tokens[i + 2].kind == "iri"
            ):
                target = _iri(tokens[i + 2], prefixes, base) or tokens[i + 2].text[1:-1]
                prefixes[after.text[:-1]] = target
            elif word == "BASE" and after is not None and after.kind == "iri":
                base = _iri(after, prefixes, base)
            if word in KEYWORDS or token.text == "a":
                continue
            if word in BUILTIN_FUNCTIONS:
                continue
            if call:
                raise FunctionRefused(f"The function {token.text}() is refused: {_HINT}.")
            if calls_only:
                continue
            raise QuerySyntaxError(
                f"{_where(text, token.pos)}: {token.text!r} is not a SPARQL "
                "1.1 keyword; this service accepts standard SPARQL 1.1 "
                "queries only."
            )
        if token.kind == "pname":
            # A PREFIX declaration's own name is not a use of the prefix.
            declaring = (
                i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
            )
            if declaring:
                continue
            iri = _iri(token, prefixes, base)
            if iri is None:
                prefix = token.text.partition(":")[0]
                if call:
                    raise FunctionRefused(
                        f"The function {token.text}() is refused: its prefix {prefix}: is not "
                        f"declared in the query, and {_HINT}."
                    )
                if calls_only:
                    continue
                raise QuerySyntaxError(
                    f"{_where(text, token.pos)}: the prefix {prefix}: is not "
                    f"declared; add PREFIX {prefix}: <...> before the query."
                )
            if call and iri not in XSD_CASTS and iri not in allowed:
                raise FunctionRefused(f"The function {token.text}() (<{iri}>) is refused: {_HINT}.")
        elif token.kind == "iri" and call:
            iri = _iri(token, prefixes, base) or token.text[1:-1]
            if iri not in XSD_CASTS and iri not in allowed:
                raise FunctionRefused(f"The function <{iri}>() is refused: {_HINT}.")


@lru_cache(maxsize=1024)
def _check_cached(text: str, allowed: frozenset[str]) -> None:
    readings = [(text, tokenize(text))]
    expanded = _expanded(text)
    if expanded is not None:
        readings.append((expanded, tokenize(expanded)))
    for calls_only in (True, False):  # a refused call is the first thing to say
        for reading, tokens in readings:
            _check_tokens(reading, tokens, allowed, calls_only)


def check_calls(text: str, allowlist: Iterable[str] = ()) -> None:
    """Refuse (FunctionRefused) a call of a function not allowed; nothing else is judged.

    For a query refused as malformed for another reason (an undeclared
    prefix, as ``bif:`` is in a standard query): the refused call is the
    better answer.
    """
    allowed = frozenset(allowlist)
    for reading in (text, _expanded(text)):
        if reading is None:
            continue
        try:
            tokens = tokenize(reading)
        except QuerySyntaxError:
            continue
        _check_tokens(reading, tokens, allowed, calls_only=True)


def check_functions(text: str, allowlist: Iterable[str] = ()) -> None:
    """Refuse (FunctionRefused) a query calling anything but the allowed functions.

    QuerySyntaxError (400) for a text that is not SPARQL 1.1: unreadable, a
    word that is no keyword, an undeclared prefix.
    """
    _check_cached(text, frozenset(allowlist))


def check_vendor_text(text: str) -> None:
    """Refuse a text naming a store vendor's function namespace anywhere (remote stores)."""
    for reading in (text, _expanded(text)):
        if reading is None:
            continue
        found = _VENDOR_TEXT.search(reading)
        if found is not None:
            raise FunctionRefused(
                f"The query contains {found.group()!r}, a function namespace of the triple "
                f"store's vendor; such functions reach outside the dataset and are never "
                f"forwarded, not even inside strings or comments, where a store may read "
                f"them differently. {_HINT[0].upper()}{_HINT[1:]}."
            )


@lru_cache(maxsize=256)
def dataset_clause(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The graphs a query's FROM and FROM NAMED clauses name, or None when it has none.

    Read as the engine reads the text (``\\u`` escapes expanded); a target
    that is not an IRI is returned as written (and names no published graph).
    """
    tokens = tokenize(_expanded(text) or text)
    prefixes: dict[str, str] = {}
    base: str | None = None
    defaults: list[str] = []
    named: list[str] = []
    for i, token in enumerate(tokens):
        if token.kind != "word":
            continue
        word = token.text.upper()
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            word == "PREFIX"
            and after is not None
            and after.kind == "pname"
            and i + 2 < len(tokens)
            and tokens[i + 2].kind == "iri"
        ):
            prefixes[after.text[:-1]] = _iri(tokens[i + 2], prefixes, base) or ""
        elif word == "BASE" and after is not None and after.kind == "iri":
            base = _iri(after, prefixes, base)
        elif word == "FROM" and after is not None:
            into = defaults
            if after.kind == "word" and after.text.upper() == "NAMED":
                into = named
                after = tokens[i + 2] if i + 2 < len(tokens) else None
            target = None
            if after is not None and after.kind in ("iri", "pname"):
                target = _iri(after, prefixes, base)
            into.append(
                target if target is not None else (after.text if after is not None else "(nothing)")
            )
    if not defaults and not named:
        return None
    return tuple(defaults), tuple(named)


_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _canonical_string(token: str) -> str:
    """A string token rewritten as ``"..."`` with only ``\\\\ \\" \\n \\r`` escapes."""
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            decoded = _ECHAR.get(body[i + 1 : i + 2])
            if decoded is None:
                raise QuerySyntaxError(f"invalid escape {body[i : i + 2]!r} in a string")
            out.append(decoded)
            i += 2
            continue
        out.append(char)
        i += 1
    text = "".join(out)
    return (
        '"'
        + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        + '"'
    )


@lru_cache(maxsize=256)
def canonical(text: str) -> str:
    """The query rebuilt from the tokens the checks read: what a remote store receives.

    A remote engine's lexer is not ours; sending it our own reading leaves it
    nothing to read differently: escapes expanded, comments blanked, every
    string in one plain form, ``<`` as less-than set apart by spaces, and only
    spaces and line breaks between tokens. Line breaks stay where they were,
    so the store's syntax errors still name the right line.
    """
    expanded = _expanded(text)
    source = expanded if expanded is not None else text
    out: list[str] = []
    end = 0
    for token in tokenize(source):
        out.append(_BLANK.sub(" ", source[end : token.pos].replace("\r\n", "\n")))
        piece = token.text
        if token.kind == "string":
            piece = _canonical_string(piece) + "\n" * piece.count("\n")
        elif token.kind == "punct" and piece == "<":
            piece = " < "
        out.append(piece)
        end = token.pos + len(token.text)
    return "".join(out)


_BLANK = re.compile(r"[^\n]")
