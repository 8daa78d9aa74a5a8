"""Just enough SPARQL lexing to normalise a query and spot its dataset clause.

No full parser: only the pieces whose inside must never be touched (IRIs,
string literals, escaped prefixed names) are recognised, so comments and
whitespace can be told apart from content.
"""

from __future__ import annotations

import re
from functools import lru_cache

# SPARQL lexical pieces whose inside must stay byte for byte: IRIs (IRIREF
# forbids spaces, so `?a < ?b` is not mistaken for one), the four kinds of
# string literal, escapes in prefixed names; then comments and whitespace,
# which carry no meaning outside them.
_TOKEN = re.compile(r'''
    (?P<iri> <[^<>"{}|^`\\\x00-\x20]*> )
  | (?P<string> """(?:(?:"|"")?(?:[^"\\]|\\.))*"""
              | \'\'\'(?:(?:'|'')?(?:[^'\\]|\\.))*\'\'\'
              | "(?:[^"\\\n\r]|\\.)*"
              | '(?:[^'\\\n\r]|\\.)*' )
  | (?P<comment> \#[^\n\r]* )
  | (?P<space> \s+ )
  | (?P<other> (?:[^\s#<"'\\]|\\.)+ | . )
''', re.VERBOSE | re.DOTALL)


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
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(match.group())
    return "".join(out).strip()


@lru_cache(maxsize=256)
def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED.

    Such a query must be answered against that dataset, not the service's
    union default graph (SPARQL 1.1 Query, section 13.2).
    """
    if "from" not in text.lower():
        return False
    return any(m.lastgroup == "other" and _FROM.search(m.group())
               for m in _TOKEN.finditer(text))


# the keyword, not part of a variable, prefixed name or longer word
_FROM = re.compile(r"(?<![\w:?$.\-])FROM(?![\w:\-])", re.IGNORECASE)
