"""Query text helpers on the package's one SPARQL lexer (``guard.scan``).

No parser of its own: the guard's lexer tells comments and whitespace from
content (IRIs, string literals, escaped prefixed names are read as wholes),
and the guard's reading of the query tells whether it names its own dataset.
"""

from __future__ import annotations

import re
from functools import lru_cache

from asu_graph.sparql.guard import QueryRefused, QuerySyntaxError, inspect, scan


# Memoised: the same texts (curated queries, dashboards) come back again and
# again, and lexing them was a tenth of a cached answer's time. At most
# 256 x ASU_MAX_QUERY_BYTES of text is kept.
@lru_cache(maxsize=256)
def normalise_query(text: str) -> str:
    """The query with comments dropped and whitespace runs made one space.

    Only insignificant characters change, so two texts with the same
    normal form are the same query; curated queries sent with other line
    breaks or indentation share one cache entry.
    """
    out: list[str] = []
    for token in scan(text, lenient=True):
        if token.kind in ("ws", "comment"):
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(token.text)
    return "".join(out).strip()


@lru_cache(maxsize=256)
def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED.

    Such a query must be answered against that dataset, not the service's
    union default graph (SPARQL 1.1 Query, section 13.2). ``FROM:g`` counts
    too: engines read it as ``FROM :g``.
    """
    if "from" not in text.lower():
        return False
    try:
        return bool(inspect(text).from_graphs)
    except (QuerySyntaxError, QueryRefused):  # the engine reports the error itself
        return False


_QUERY_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
_UPDATE = re.compile(
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:])", re.IGNORECASE
)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue.

    Raises ValueError for an update or for text that starts with no query form.
    """
    expect_iri = False
    for lexed in scan(text, lenient=True):
        kind, token = lexed.kind, lexed.text
        if kind in ("ws", "comment"):
            continue
        if kind == "iri":
            expect_iri = False
            continue
        if expect_iri:  # the prefix name of PREFIX p: <iri>
            continue
        if token.upper() in ("PREFIX", "BASE"):
            expect_iri = True
            continue
        form = _QUERY_FORM.match(token)
        if form:
            return form.group(1).upper()
        if _UPDATE.match(token):
            raise ValueError("this is a SPARQL Update, and only queries are run here")
        break
    raise ValueError("expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")
