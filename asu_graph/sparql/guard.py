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
* texts longer than ``settings.max_query_bytes`` (413), and texts whose
  shape would make a recursive parser or evaluator overflow its stack:
  brackets nested deeper than :data:`MAX_DEPTH`, long operator chains, too
  many group or triple patterns (:class:`Limits`, 400).

The inspection is this package's one SPARQL lexer (:func:`scan`), not a word
search: strings, IRIs, comments, variables and prefixed names are recognised
as wholes, so ``"SERVICE"`` in a literal or ``?service`` is no reason to
refuse, while ``service``, ``SERVICE SILENT`` and ``SERVICE ?endpoint`` are
all caught. It reads what the engines read where the grammar leaves room:

* Keywords have no word boundary in Oxigraph's parser: it reads ``SERVICE:x``
  as ``SERVICE :x``, ``SERVICEX:y`` as ``SERVICE X:y`` and ``FROMNAMED:g`` as
  ``FROM NAMED :g``. So every name that begins with such a keyword is also
  read split at the keyword, and refused if that reading names an endpoint
  or graph an engine could resolve (a declared prefix, an IRI, a variable).
* ``<`` after an operand inside an expression is less-than (``?a<'>'``),
  elsewhere the start of an IRI, as in the grammar; where the lexer cannot
  tell and the two readings would differ, the query is refused as ambiguous.
* ``\\uXXXX`` escapes: Oxigraph expands them inside IRIs and strings, and
  SPARQL 1.1 (section 19.2) allows an engine to expand them anywhere, so a
  text that contains escapes is also inspected expanded, and refused if
  either reading is.

Anything the lexer cannot read is refused as malformed: the guard never lets
through what it did not understand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import rdflib.plugins.sparql

if TYPE_CHECKING:
    from asu_graph.config import Settings


class QuerySyntaxError(ValueError):
    """The query text is not valid SPARQL 1.1."""


# Defence in depth for the rdflib engine: never fetch a graph named in FROM
# that is not already in the dataset (the guard refuses such queries anyway).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

MAX_DEPTH = 64
"""Deepest nesting of ``{ ( [ <<`` accepted; hand-written queries stay far below."""

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)
# Keywords an engine may read at the start of a longer name (no word boundary).
_GLUE_KEYWORDS = tuple(
    sorted(UPDATE_KEYWORDS | {"SERVICE", "SILENT", "FROM", "NAMED"}, key=len, reverse=True)
)
_GLUE = re.compile("|".join(_GLUE_KEYWORDS), re.IGNORECASE)  # longest first


class QueryRefused(Exception):
    """A request this service will not run; ``status`` is the HTTP answer (4xx/503)."""

    status = 403

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


@dataclass(frozen=True)
class Limits:
    """How large a query's structure may be; 0 turns one off.

    Oxigraph's parser and evaluator recurse once per operator, group or
    pattern; an Oxigraph server (stack of its worker threads) died at about
    2,000 operators in ``1+1+...``, 1,000 ``MINUS {}`` or ``BIND`` clauses,
    2,000 steps of a property path and 2,000 triple patterns. The defaults
    stay a factor 4 or more below, far above any real query. The settings
    are the ``ASU_MAX_*`` ones of config.py.
    """

    expression_operators: int = 256  # operators in one expression (!!!, 1+1+..., &&, ||)
    expression_bytes: int = 8192  # text of one expression
    path_operators: int = 256  # / | ^ in one property path
    group_patterns: int = 256  # { } blocks (MINUS, UNION, OPTIONAL ...), BIND, FILTER
    triple_patterns: int = 500  # triple patterns, counted generously

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            **{
                name: getattr(settings, f"max_{name}")
                for name in (
                    "expression_operators",
                    "expression_bytes",
                    "path_operators",
                    "group_patterns",
                    "triple_patterns",
                )
            }
        )


# -- the lexer ------------------------------------------------------------------
# Character classes of the SPARQL 1.1 grammar (section 19.8), as regex sets.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>#[^\n\r]*)"
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)"
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
_LESS_THAN = re.compile(r"<=|<")
_ESCAPE = re.compile(
    _UCHAR.replace("\\u[", "\\u([")
    .replace("{4}", "{4})")
    .replace("\\U[", "\\U([")
    .replace("{8}", "{8})")
)
_OPEN, _CLOSE = frozenset({"{", "(", "[", "<<"}), frozenset({"}", ")", "]", ">>"})
# Operators of expressions and of property paths (unary and binary alike).
_EXPRESSION_OPERATORS = frozenset(
    {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "!"}
)
_PATH_OPERATORS = frozenset({"/", "|", "^"})


@dataclass(frozen=True)
class Token:
    kind: str  # ws comment iri string var bnode lang pname word number punct (other: lenient)
    text: str
    pos: int
    glued: str = ""  # the name this keyword was split from (see _split_reading)


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _ends_operand(token: Token | None) -> bool:
    if token is None:
        return False
    if token.kind in ("var", "iri", "pname", "string", "number", "lang", "bnode"):
        return True
    if token.kind == "punct":
        return token.text in (")", "]", ">>")
    return token.kind == "word" and token.text.upper() in ("TRUE", "FALSE", "UNDEF")


@dataclass
class _Context:
    """What kind of bracket the lexer is in, to read ``<`` as the grammar does.

    Bracket kinds: ``{`` group or template, ``[`` blank node, ``e`` an
    expression's parenthesis (FILTER, BIND, function arguments, projections,
    GROUP/ORDER BY, HAVING), ``p`` any other parenthesis (collections,
    property paths, VALUES variables), ``v`` / ``v{`` VALUES data.
    """

    stack: list[str] = field(default_factory=list)
    clause: int | None = None  # depth of a SELECT / BY / HAVING clause
    values: bool = False  # VALUES seen, its data block not yet
    prev: Token | None = None
    before: Token | None = None

    def paren(self) -> str:
        top = self.stack[-1] if self.stack else None
        prev, before = self.prev, self.before
        if top in ("v", "v{"):
            return "v"
        if self.values or (prev is not None and prev.text == "<<"):
            return "p"  # VALUES variables, a triple term's parts
        if top == "e":
            return "e"
        in_clause = self.clause == len(self.stack)
        if prev is None:
            return "p"
        if prev.kind == "word":
            return "p" if prev.text == "a" else "e"  # FILTER, BIND, functions, SELECT ...
        if prev.kind in ("iri", "pname"):  # a function call, or a collection object
            filtered = (
                before is not None and before.kind == "word" and before.text.upper() == "FILTER"
            )
            return "e" if filtered or in_clause else "p"
        if prev.kind == "var" or prev.text == ")":
            return "e" if in_clause else "p"
        return "p"

    def push(self, token: Token) -> None:
        kind = token.kind
        if kind == "word":
            word = token.text.upper()
            if word == "VALUES":
                self.values = True
            elif word in ("SELECT", "BY", "HAVING"):
                self.clause = len(self.stack)
            elif word in ("WHERE", "FROM", "LIMIT", "OFFSET", "ORDER", "GROUP"):
                self.clause = None
        elif kind == "punct":
            text = token.text
            if text == "{":
                self.stack.append("v{" if self.values else "{")
                self.values = False
                self.clause = None
            elif text == "(":
                self.stack.append(self.paren())
            elif text in ("[", "<<"):
                self.stack.append(text)
            elif text in _CLOSE:
                if self.stack:
                    self.stack.pop()
                if text == "}":
                    self.clause = None
        if kind not in ("ws", "comment"):
            self.before, self.prev = self.prev, token

    @property
    def top(self) -> str | None:
        return self.stack[-1] if self.stack else None


def scan(text: str, *, lenient: bool = False) -> Iterator[Token]:
    """Every token of ``text`` in order, whitespace and comments included.

    Unreadable text raises QuerySyntaxError, or with ``lenient`` comes out as
    one-character ``other`` tokens (for callers that only reformat text).
    """
    pos, end = 0, len(text)
    context = _Context()
    while pos < end:
        if text[pos] == "<" and context.top == "e" and _ends_operand(context.prev):
            match = _LESS_THAN.match(text, pos)  # the operator, as the grammar reads it
        else:
            match = _TOKEN.match(text, pos)
        if match is None:
            if not lenient:
                snippet = text[pos : pos + 20].split("\n")[0]
                raise QuerySyntaxError(f"cannot read {snippet!r} at {_where(text, pos)}")
            token = Token("other", text[pos], pos)
        else:
            kind = "punct" if match.re is _LESS_THAN else (match.lastgroup or "")
            token = Token(kind, match.group(), pos)
            if (
                kind == "iri"
                and not lenient
                and context.top == "p"
                and _ends_operand(context.prev)
                and "'" in token.text
            ):
                # Read as less-than, the ' inside would open a string running
                # past the '>'. The grammar says IRI here (a collection, a path,
                # a VALUES row), but the two readings differ too much to guess.
                raise QuerySyntaxError(
                    f"ambiguous '<' at {_where(text, pos)}: it could start the IRI "
                    f"{token.text} or be a comparison; write spaces around comparison "
                    "operators"
                )
        context.push(token)
        yield token
        pos += len(token.text)


def tokenize(text: str) -> list[Token]:
    """SPARQL tokens without whitespace and comments; QuerySyntaxError if unreadable."""
    return [t for t in scan(text) if t.kind not in ("ws", "comment")]


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
class Target:
    """What a SERVICE or FROM names: an absolute IRI, or None (variable, unresolvable)."""

    iri: str | None
    spelling: str  # the text as written, for messages


@dataclass(frozen=True)
class Findings:
    """What in a query text reaches beyond the dataset, and how large it is."""

    services: tuple[Target, ...] = ()
    updates: tuple[str, ...] = ()  # update keywords, upper case
    from_graphs: tuple[Target, ...] = ()  # FROM and FROM NAMED targets
    depth: int = 0
    expression_operators: int = 0  # the largest of any one expression
    expression_bytes: int = 0
    path_operators: int = 0
    group_patterns: int = 0
    triple_patterns: int = 0
    undeclared: tuple[str, ...] = ()  # "ex: at line L, column C", in text order
    pragmas: tuple[str, ...] = ()  # Virtuoso's DEFINE name, as written

    def merged(self, other: Findings) -> Findings:
        return Findings(
            self.services + other.services,
            self.updates + other.updates,
            self.from_graphs + other.from_graphs,
            max(self.depth, other.depth),
            max(self.expression_operators, other.expression_operators),
            max(self.expression_bytes, other.expression_bytes),
            max(self.path_operators, other.path_operators),
            max(self.group_patterns, other.group_patterns),
            max(self.triple_patterns, other.triple_patterns),
            self.undeclared or other.undeclared,
            self.pragmas + other.pragmas,
        )


def _resolve(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    """The absolute IRI a token names, or None (variable, unknown prefix, relative IRI)."""
    if token.kind == "iri":
        iri = expand_escapes(token.text[1:-1])
        if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
            return iri
        return urljoin(base, iri) if base else None
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:  # prefixes are case-sensitive
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


_MAX_GLUED = 8  # keywords split off one name; real spellings need at most three


def _split_token(token: Token) -> list[Token]:
    """``token`` read with keywords split off its start, as Oxigraph's parser may.

    ``SERVICESILENT:x`` gives SERVICE, SILENT, ``:x``. Iterative and bounded:
    a name made of many keywords is refused rather than read in quadratic time.
    """
    out: list[Token] = []
    stack = [token]
    splits = 0
    while stack:
        current = stack.pop()
        if current.kind not in ("word", "pname"):
            out.append(current)
            continue
        text, at = current.text, 0
        while True:
            glued = _GLUE.match(text, at)
            if glued is None or glued.end() == len(text):
                break
            out.append(Token("word", glued.group().upper(), current.pos + at, token.text))
            at = glued.end()
            splits += 1
        if splits > _MAX_GLUED:
            raise QuerySyntaxError(
                f"cannot read {token.text[:40]!r}: a name made of {splits} or more keywords"
            )
        if at == 0:
            out.append(current)
            continue
        try:
            parts = [t for t in scan(text[at:]) if t.kind not in ("ws", "comment")]
        except QuerySyntaxError:
            parts = [Token(current.kind, text[at:], 0)]
        stack.extend(
            reversed([Token(p.kind, p.text, current.pos + at + p.pos, token.text) for p in parts])
        )
    return out


def _split_reading(tokens: list[Token]) -> list[Token] | None:
    """The tokens with glued keywords split off, or None if nothing is glued."""
    out: list[Token] = []
    changed = False
    for i, token in enumerate(tokens):
        declared = i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
        if token.kind in ("word", "pname") and not declared and _GLUE.match(token.text):
            parts = _split_token(token)
            changed = changed or len(parts) > 1
            out.extend(parts)
        else:
            out.append(token)
    return out if changed else None


def _inspect_tokens(
    tokens: list[Token], split: bool = False, source: str = "", base: str | None = None
) -> Findings:
    """Findings of one reading; ``split``: the reading with glued keywords split off.

    In the split reading a keyword only counts where an engine could act on
    it: its target must resolve (a name with an undeclared prefix makes the
    engine fail instead) and an update keyword must start an operation.
    """
    prefixes: dict[str, str] = {}
    undeclared: list[str] = []
    services: list[Target] = []
    updates: list[str] = []
    graphs: list[Target] = []
    pragmas: list[str] = []
    depth = deepest = groups = triples = 0
    operators = widest = path = widest_path = longest = 0
    expression_start: int | None = None
    context = _Context()
    operation_start = True  # the next token could start an update operation
    prologue_end = -1  # index of the last token of the latest PREFIX / BASE

    def following(i: int) -> Token | None:
        return tokens[i] if i < len(tokens) else None

    def target_of(i: int, optional: str) -> Token | None:
        target = following(i + 1)
        if target and target.kind == "word" and target.text.upper() == optional:
            return following(i + 2)
        return target

    def spelled(token: Token, target: Token | None) -> str:
        if token.glued:
            return token.glued
        return f"{token.text} {target.text if target else ''}".strip()

    for i, token in enumerate(tokens):
        context.push(token)
        # One expression lasts while an expression parenthesis is open anywhere
        # (a pattern inside EXISTS does not start a new count).
        in_expression = "e" in context.stack
        if in_expression and expression_start is None:
            expression_start, operators = token.pos, 0
        elif not in_expression and expression_start is not None:
            longest = max(longest, token.pos + len(token.text) - expression_start)
            expression_start = None
        if token.kind == "punct":
            text = token.text
            if text in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
                groups += text == "{" and context.top != "v{"
            elif text in _CLOSE:
                depth = max(0, depth - 1)
            if context.top == "e":
                if text in _EXPRESSION_OPERATORS:
                    operators += 1
                    widest = max(widest, operators)
            elif text in _PATH_OPERATORS:
                path += 1
                widest_path = max(widest_path, path)
            elif text in (".", ";", ",", "{", "}"):
                path = 0
            if text in (".", ";", ",") and context.top in ("{", "["):
                triples += 1
            operation_start = text == ";" and depth == 0
            continue
        if (
            token.kind == "pname"
            and not split
            and token.text.partition(":")[0] not in prefixes
            and not (
                i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"
            )
            and len(_split_token(token)) == 1
        ):  # "SERVICE:x" is SERVICE :x
            # Engines word this as a grammar error at some later position
            # (Oxigraph: "expected OPTIONAL"); the message names the prefix.
            undeclared.append(f"{token.text.partition(':')[0]}: at {_where(source, token.pos)}")
        if token.kind != "word":
            if i > prologue_end:
                operation_start = False
            continue
        word = token.text.upper()
        if word in ("BIND", "FILTER"):  # each one more level of the algebra
            groups += 1
        if word == "PREFIX":
            prologue_end = i + 2
            name, iri = following(i + 1), following(i + 2)
            if name and iri and name.kind == "pname" and iri.kind == "iri":
                resolved = _resolve(iri, prefixes, base) or iri.text[1:-1]
                prefixes[name.text[:-1]] = resolved
            continue
        if word == "BASE":
            prologue_end = i + 1
            iri = following(i + 1)
            if iri and iri.kind == "iri":
                base = _resolve(iri, prefixes, base) or iri.text[1:-1]
            continue
        starts_operation, operation_start = operation_start, False
        if word == "DEFINE" and not split:
            # Virtuoso's pragmas (DEFINE input:grab-all "yes" ...) make the store
            # fetch IRIs itself; they are not SPARQL, no engine here needs them.
            name = following(i + 1)
            pragmas.append(f"DEFINE {name.text if name else ''}".strip())
        elif word == "SERVICE":
            target = target_of(i, "SILENT")
            if split and (target is None or target.kind not in ("iri", "pname", "var")):
                continue  # not a SERVICE any engine could run
            resolved = _resolve(target, prefixes, base) if target else None
            if split and resolved is None and target is not None and target.kind != "var":
                continue  # an undeclared prefix: the engine fails on it
            services.append(Target(resolved, spelled(token, target)))
        elif word == "FROM":
            target = target_of(i, "NAMED")
            resolved = _resolve(target, prefixes, base) if target else None
            if split and resolved is None:
                continue
            graphs.append(Target(resolved, spelled(token, target)))
        elif word in UPDATE_KEYWORDS and (not split or starts_operation):
            updates.append(word)
    if expression_start is not None:  # an expression left open: the engine will say so
        longest = max(longest, len(tokens[-1].text) + tokens[-1].pos - expression_start)
    return Findings(
        tuple(services),
        tuple(updates),
        tuple(graphs),
        deepest,
        widest,
        longest,
        widest_path,
        groups,
        triples + groups,
        tuple(undeclared),
        tuple(pragmas),
    )


def _inspect_reading(text: str, base: str | None) -> Findings:
    tokens = tokenize(text)
    findings = _inspect_tokens(tokens, source=text, base=base)
    split = _split_reading(tokens)
    if split is not None:
        findings = findings.merged(_inspect_tokens(split, split=True, source=text, base=base))
    return findings


@lru_cache(maxsize=2048)
def inspect(text: str, base: str | None = None) -> Findings:
    """Findings of the text as written and, if it holds ``\\u`` escapes, as expanded.

    ``base`` resolves relative IRIs until the query's own ``BASE``, as the
    engine does (the service gives it the dataset's base IRI).
    """
    findings = _inspect_reading(text, base)
    if _ESCAPE.search(text):
        findings = findings.merged(_inspect_reading(expand_escapes(text), base))
    return findings


# -- the policy -----------------------------------------------------------------


def _named(iris: Iterable[str]) -> str:
    return ", ".join(f"<{iri}>" for iri in iris)


def _read_as(target: Target) -> str:
    """How a glued spelling is read, for messages: 'SERVICEX:y' is read as ..."""
    return (
        f" ({target.spelling!r} is read as a keyword and a name)"
        if " " not in target.spelling
        else ""
    )


def _check_limits(findings: Findings, limits: Limits) -> None:
    measured = (
        (findings.depth, MAX_DEPTH, "nests brackets {n} levels deep", "at most {m} levels"),
        (
            findings.expression_operators,
            limits.expression_operators,
            "has {n} operators in one expression",
            "at most {m} (ASU_MAX_EXPRESSION_OPERATORS)",
        ),
        (
            findings.expression_bytes,
            limits.expression_bytes,
            "has an expression {n} bytes long",
            "at most {m} bytes (ASU_MAX_EXPRESSION_BYTES)",
        ),
        (
            findings.path_operators,
            limits.path_operators,
            "has {n} operators in one property path",
            "at most {m} (ASU_MAX_PATH_OPERATORS)",
        ),
        (
            findings.group_patterns,
            limits.group_patterns,
            "has {n} group patterns ({{ }}, BIND, FILTER)",
            "at most {m} (ASU_MAX_GROUP_PATTERNS)",
        ),
        (
            findings.triple_patterns,
            limits.triple_patterns,
            "has about {n} triple patterns",
            "at most {m} (ASU_MAX_TRIPLE_PATTERNS)",
        ),
    )
    for value, limit, what, allowed in measured:
        if limit > 0 and value > limit:
            raise QueryRefused(
                f"The query {what.format(n=f'{value:,}')}; this service "
                f"accepts {allowed.format(m=f'{limit:,}')}. Write it "
                "smaller (VALUES and IN list many values in one clause).",
                status=400,
            )


def check_size(text: str, max_query_bytes: int | None) -> None:
    """413 for a text over the limit (also checked before a cache look-up)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if max_query_bytes is not None and size > max_query_bytes:
        raise QueryRefused(
            f"The query is {size:,} bytes long; this service accepts at most "
            f"{max_query_bytes:,} bytes.",
            status=413,
        )


def check(
    text: str,
    *,
    allowed_graphs: Iterable[str],
    service_allowlist: Iterable[str] = (),
    max_query_bytes: int | None = None,
    default_graphs: Iterable[str] | None = None,
    named_graphs: Iterable[str] | None = None,
    limits: Limits | None = None,
    base: str | None = None,
) -> Findings:
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
            f"publishes; refused: {_named(foreign)}."
        )
    findings = inspect(text, base)
    _check_limits(findings, limits or Limits())
    if findings.pragmas:
        raise QueryRefused(
            f"{findings.pragmas[0]} is refused: DEFINE pragmas are a Virtuoso "
            "extension, not SPARQL, and can make the store fetch data from the "
            "web."
        )
    if findings.updates:
        keyword = "LOAD" if "LOAD" in findings.updates else findings.updates[0]
        raise QueryRefused(f"This endpoint is read-only: SPARQL Update ({keyword}) is refused.")
    allowlist = frozenset(service_allowlist)
    for target in findings.services:
        if target.iri is None:
            raise QueryRefused(
                f"SERVICE with a variable or unresolvable endpoint "
                f"({target.spelling}) is refused: this service does not query "
                "other endpoints."
            )
        if target.iri not in allowlist:
            raise QueryRefused(
                f"SERVICE <{target.iri}> is refused{_read_as(target)}: this "
                "service does not query other endpoints"
                + (f" except {_named(sorted(allowlist))}" if allowlist else "")
                + "."
            )
    foreign_graphs = [g for g in findings.from_graphs if g.iri not in allowed]
    if foreign_graphs:
        shown = ", ".join(
            f"<{g.iri}>{_read_as(g)}" if g.iri else g.spelling for g in foreign_graphs
        )
        raise QueryRefused(
            f"FROM / FROM NAMED may only name the graphs this service publishes; refused: {shown}."
        )
    if findings.undeclared:  # after the refusals: those are answered whatever the syntax
        prefix, _, where = findings.undeclared[0].partition(" at ")
        raise QuerySyntaxError(
            f"{where}: the prefix {prefix} is not declared; add "
            f"PREFIX {prefix} <...> before the query."
        )
    return findings
