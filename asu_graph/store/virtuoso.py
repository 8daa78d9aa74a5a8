"""What Virtuoso changes in the values it returns, put back as SPARQL says.

Virtuoso's SQL engine has no boolean type and stores durations as numbers,
so its answers differ from the data it was given and from every other
store (OpenLink's issue tracker, virtuoso-opensource #251 and #485):

* ``"true"^^xsd:boolean`` comes back as ``"1"^^xsd:boolean``;
* a boolean computed by the query (``EXISTS``, a comparison, ``true``)
  comes back as ``"1"^^xsd:integer``;
* ``"P10Y"^^xsd:duration`` comes back as ``"120"`` (months) and
  ``"PT2H"^^xsd:duration`` as ``"7200.0"`` (seconds).

The first and third are undone from the datatype alone, before rdflib reads
the value. For computed
booleans the query itself tells which variables hold booleans: those bound
by a boolean expression (parsed with rdflib, only when an answer holds a 0
or 1 integer). Durations are written back in their canonical form. Not
recoverable: a duration mixing years or months with days or time, of which
Virtuoso keeps only the months (document such data as not for Virtuoso).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib import Literal, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Identifier

_DURATIONS = {str(XSD.duration), str(XSD.yearMonthDuration), str(XSD.dayTimeDuration)}
_DAY_TIME = str(XSD.dayTimeDuration)
_BOOLEAN = str(XSD.boolean)
_BOOLEAN_EXPRESSIONS = {
    "Builtin_EXISTS",
    "Builtin_NOTEXISTS",
    "RelationalExpression",
    "ConditionalAndExpression",
    "ConditionalOrExpression",
    "UnaryNot",
    "Builtin_isIRI",
    "Builtin_isBLANK",
    "Builtin_isLITERAL",
    "Builtin_isNUMERIC",
    "Builtin_BOUND",
    "Builtin_sameTerm",
    "Builtin_LANGMATCHES",
    "Builtin_REGEX",
    "Builtin_CONTAINS",
    "Builtin_STRSTARTS",
    "Builtin_STRENDS",
}


def is_virtuoso(server_header: str) -> bool:
    return "virtuoso" in server_header.lower()


def _months(total: int) -> str:
    sign, total = ("-", -total) if total < 0 else ("", total)
    years, months = divmod(total, 12)
    parts = (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    return f"{sign}P{parts or '0M'}"


def _seconds(total: Decimal) -> str:
    sign, total = ("-", -total) if total < 0 else ("", total)
    whole = int(total)
    fraction = total - whole
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = Decimal(seconds) + fraction
    text = format(secs.normalize(), "f") if secs else ""
    time_part = (
        (f"{hours}H" if hours else "")
        + (f"{minutes}M" if minutes else "")
        + (f"{text}S" if text else "")
    )
    body = (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")
    return f"{sign}P{body or 'T0S'}"


def repair_lexical(lexical: str, datatype: str | None) -> str:
    """A literal's lexical form as it was stored, from Virtuoso's rendering of it."""
    if datatype is None:
        return lexical
    if datatype == _BOOLEAN and lexical in ("0", "1"):
        return "true" if lexical == "1" else "false"
    if datatype in _DURATIONS and lexical and lexical[0] != "P" and lexical[:2] != "-P":
        try:
            number = Decimal(lexical)
        except InvalidOperation:
            return lexical
        if "." in lexical or datatype == _DAY_TIME:
            return _seconds(number)
        return _months(int(number))
    return lexical


def boolean_variables(query: str) -> set[str]:
    """Variables the query binds to a boolean expression (BIND or SELECT (... AS ?v))."""
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:  # noqa: BLE001 - Virtuoso accepted it; rdflib may not, then repair nothing
        return set()
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "Extend":
                expr = node.get("expr")
                if (isinstance(expr, CompValue) and expr.name in _BOOLEAN_EXPRESSIONS) or (
                    isinstance(expr, Literal) and expr.datatype == XSD.boolean
                ):
                    found.add(str(node.get("var")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)
    return found


def repair_rows(query: str, rows: list[dict[Variable, Identifier]]) -> None:
    """Turn 0/1 integers back into booleans where the query computes booleans (in place)."""
    suspects = {
        name
        for row in rows
        for name, value in row.items()
        if isinstance(value, Literal) and value.datatype == XSD.integer and str(value) in ("0", "1")
    }
    if not suspects:
        return
    booleans = {Variable(v) for v in boolean_variables(query)} & suspects
    for row in rows:
        for name in booleans:
            value = row.get(name)
            if isinstance(value, Literal) and value.datatype == XSD.integer:
                row[name] = Literal("true" if str(value) == "1" else "false", datatype=XSD.boolean)
