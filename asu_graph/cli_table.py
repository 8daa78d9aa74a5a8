"""SELECT results as a table a person reads in a terminal.

IRIs are shortened with the project's prefixes (``id:mnhn``), literals show
their text only (the exact terms are in ``--format json|csv|tsv``), and when
the table is wider than the terminal the widest columns are wrapped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

_MIN_COLUMN = 10


def cell(term: Identifier | None, prefixes: Sequence[tuple[str, str]]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in prefixes:
            local = text[len(namespace) :]
            if (
                text.startswith(namespace)
                and local
                and all(c.isalnum() or c in "-_." for c in local)
            ):
                return f"{prefix}:{local}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return " ".join(str(term).split())  # one line per value
    return str(term)


def _fit(widths: list[int], floors: list[int], limit: int) -> list[int]:
    """Shrink the widest columns (never below their floor) until the table fits."""
    widths = list(widths)
    separators = 3 * (len(widths) - 1)
    while sum(widths) + separators > limit:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not shrinkable:
            break
        widths[max(shrinkable, key=lambda i: widths[i])] -= 1
    return widths


def render(
    variables: Sequence[str],
    rows: Sequence[Mapping[str, Identifier]],
    prefixes: Mapping[str, str],
    width: int | None = None,
) -> str:
    """The table; ``width`` is the terminal width to fit (None: never wrap)."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    cells = [[cell(row.get(v), ordered) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    if width:
        # a column keeps at least its header, and short values stay whole
        floors = [min(w, max(len(v), _MIN_COLUMN)) for w, v in zip(widths, variables, strict=True)]
        widths = _fit(widths, floors, width)
        # still too wide: headers wrap too, down to a few characters per column
        widths = _fit(widths, [min(w, 4) for w in widths], width)

    def lines_of(values: Sequence[str]) -> list[str]:
        wrapped = [
            textwrap.wrap(v, w, break_on_hyphens=False) or [""]
            for v, w in zip(values, widths, strict=True)
        ]
        height = max(len(w) for w in wrapped)
        return [
            " | ".join(
                (w[i] if i < len(w) else "").ljust(n) for w, n in zip(wrapped, widths, strict=True)
            ).rstrip()
            for i in range(height)
        ]

    out = lines_of(variables)
    out.append("-+-".join("-" * w for w in widths))
    for row in cells:
        out += lines_of(row)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
