"""Queries shaped to overflow a recursive parser or evaluator, all within 64 KiB.

Each generator makes a query of ``n`` repetitions of one construct that
Oxigraph's parser or evaluator handles by recursion (an in-memory Oxigraph server died
at about 2,000 operators of ``1+1+...``, 1,000 ``MINUS {}`` or ``BIND``,
2,000 path steps, 2,000 triple patterns; an on-disk one at 8,000 ``MINUS {}``).
"""

from __future__ import annotations

from collections.abc import Callable

GENERATORS: dict[str, Callable[[int], str]] = {
    "not-chain": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "plus-chain": lambda n: "ASK { FILTER(1" + "+1" * n + " > 0) }",
    "times-chain": lambda n: "ASK { FILTER(2" + "*2" * n + " > 0) }",
    "or-chain": lambda n: "ASK { BIND(1 AS ?a) FILTER(" + "||".join(["?a"] * n) + ") }",
    "and-chain": lambda n: "ASK { BIND(1 AS ?a) FILTER(" + "&&".join(["?a"] * n) + ") }",
    "compare-chain": lambda n: "SELECT (1" + "<1" * n + " AS ?x) {}",
    "unary-minus-in-bind": lambda n: (
        "SELECT ?x { BIND(" + "-(" * min(n, 60) + "1" + ")" * min(n, 60) + "+1" * n + " AS ?x) }"
    ),
    "minus-blocks": lambda n: "ASK { ?s ?p ?o " + "MINUS{} " * n + "}",
    "union-branches": lambda n: "ASK { " + "UNION".join(["{?s ?p ?o}"] * n) + " }",
    "optional-blocks": lambda n: "ASK { ?s ?p ?o " + "OPTIONAL{?s ?p ?o} " * n + "}",
    "nested-groups-flat": lambda n: "ASK { " + "{} " * n + "}",
    "bind-clauses": lambda n: "ASK { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }",
    "filter-clauses": lambda n: "ASK { ?s ?p ?o " + "FILTER(true) " * n + "}",
    "sequence-path": lambda n: "ASK { ?s " + "/".join(["<urn:p>"] * n) + " ?o }",
    "alternative-path": lambda n: "ASK { ?s " + "|".join(["<urn:p>"] * n) + " ?o }",
    "inverse-path": lambda n: "ASK { ?s " + "/".join(["^<urn:p>"] * n) + " ?o }",
    "triple-patterns": lambda n: (
        "ASK { " + " . ".join(f"?s{i} <urn:p> ?o" for i in range(n)) + " }"
    ),
    "object-list": lambda n: "ASK { ?s <urn:p> " + ", ".join(["?o"] * n) + " }",
    "exists-chain": lambda n: "ASK { FILTER(" + " && ".join(["EXISTS{}"] * n) + ") }",
}

OVER = (600, 1200, 2400, 5000, 8000, 20000, 60000)  # every limit is at most 500
UNDER = 240  # below every limit


def hostile(max_bytes: int = 65536) -> list[tuple[str, str]]:
    """(name, query) over a limit, each within ``max_bytes``."""
    out = []
    for name, make in GENERATORS.items():
        for n in OVER:
            text = make(n)
            if len(text.encode("utf-8")) <= max_bytes:
                out.append((f"{name}-{n}", text))
    return out


def at_the_limits() -> list[tuple[str, str]]:
    """Queries just under the limits, which are answered: they must not crash a store."""
    fast = (
        "not-chain",
        "plus-chain",
        "or-chain",
        "minus-blocks",
        "union-branches",
        "bind-clauses",
        "sequence-path",
        "alternative-path",
        "nested-groups-flat",
    )
    return [(f"{name}-{UNDER}", GENERATORS[name](UNDER)) for name in fast]
