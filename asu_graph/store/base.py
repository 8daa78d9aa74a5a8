"""What every query store offers, whatever engine answers underneath."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Literal

from rdflib import Dataset, Graph
from rdflib.term import Identifier

from asu_graph.sparql.guard import QuerySyntaxError  # noqa: F401  defined beside the one lexer

Kind = Literal["SELECT", "ASK", "GRAPH"]


_OXIGRAPH = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_PYPARSING = re.compile(
    r"^(.*?),? found (.*?)\s+\(at char \d+\), \(line:(\d+), col:(\d+)\)$", re.DOTALL
)
_PNAME = re.compile(r"([A-Za-z\u00c0-\U000effff][\w.\-\u00b7-\U000effff]*)?:")
_SHOWN_EXPECTED = 8


def _found(query: str, line: int, column: int) -> str:
    lines = query.split("\n")
    if line > len(lines):
        return "the end of the query"
    rest = lines[line - 1][column - 1 :].strip()
    if not rest and line >= len(lines):
        return "the end of the query"
    return repr(rest.split()[0][:30]) if rest else "the end of the line"


def readable_syntax_error(message: str, query: str) -> str:
    """An engine's syntax error as one short sentence with the position in ``query``.

    Oxigraph lists every character class its grammar would accept (500
    characters of Unicode ranges for ``ASK {``), and names an undeclared
    prefix only as "Prefix not found"; pyparsing (rdflib) gives character
    offsets. Both become "line L, column C: found X, expected Y", and an
    undeclared prefix is named with how to declare it.
    """
    match = _OXIGRAPH.match(message.strip())
    if match:
        line, column, rest = int(match.group(1)), int(match.group(2)), match.group(3)
        rest = re.sub(r"\s+", " ", rest)
        if "Prefix not found" in rest or "prefix not found" in rest.lower():
            before = (
                query.split("\n")[line - 1][: column - 1] if line <= query.count("\n") + 1 else ""
            )
            names = _PNAME.findall(before)
            name = (names[-1] if names else "") + ":"
            return (
                f"line {line}, column {column}: the prefix {name} is not declared; add "
                f"PREFIX {name} <...> before the query."
            )
        found = _found(query, line, column)
        if rest.startswith("expected") and (
            re.search(r"\[[^\]]*\]", rest) or rest.count(", ") >= _SHOWN_EXPECTED
        ):
            # A grammar dump (character classes): what went wrong matters, not the list.
            if found == "the end of the query":
                return (
                    f"line {line}, column {column}: the query ends here but is not "
                    "complete (a brace, bracket or string left open?)."
                )
            return f"line {line}, column {column}: unexpected {found}."
        if len(rest) > 200:
            rest = rest[:200] + "..."
        return f"line {line}, column {column}: found {found}, {rest}."
    match = _PYPARSING.match(message.strip())
    if match:
        expected, found, line, column = match.groups()
        expected = expected[:200] + ("..." if len(expected) > 200 else "")
        found = "the end of the query" if found == "end of text" else found
        return f"line {line}, column {column}: found {found}, {expected[:1].lower()}{expected[1:]}."
    if message.startswith("undeclared prefix: "):
        names = message[len("undeclared prefix: ") :]
        return f"the prefix {names} is not declared; add PREFIX declarations before the query."
    return message


class QueryAnswerError(ValueError):
    """A well-formed query that cannot be answered as asked; ``status`` is the HTTP answer.

    400 when the engine cannot evaluate it (an invalid regular expression or
    language tag), 406 when the answer holds terms the chosen format cannot
    write (RDF 1.2 triple terms in JSON-LD, RDF/XML predicates without a
    local name).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __reduce__(self) -> tuple[type[QueryAnswerError], tuple[str, int]]:
        # Comes back from a query worker process with its status.
        return type(self), (self.message, self.status)


class StoreUnavailable(RuntimeError):
    """A remote store cannot be reached (the web app answers 502/503)."""


class QueryResult(ABC):
    """An answer that can serialize itself; ``kind`` is SELECT, ASK or GRAPH."""

    kind: Kind

    @abstractmethod
    def serialize(self, fmt: str) -> bytes:
        """Bytes in a format key of ``asu_graph.formats`` (results or RDF)."""

    @property
    def variables(self) -> list[str]:
        return []

    def rows(self) -> list[dict[str, Identifier]]:
        """SELECT solutions as rdflib terms (unbound variables left out)."""
        return []

    @property
    def boolean(self) -> bool | None:
        return None

    def graph(self) -> Graph:
        """CONSTRUCT / DESCRIBE triples as an rdflib graph."""
        return Graph()


class Store(ABC):
    """A query store; loading is done once, queries may come from many threads."""

    name: str = "store"

    @abstractmethod
    def load(self, dataset: Dataset) -> None:
        """Replace the store's content with ``dataset`` (quads, named graphs kept)."""

    def load_file(self, path: str | Path) -> None:
        """Replace the content with one RDF file (N-Quads, TriG, N-Triples, Turtle...).

        Used to put large generated data straight into a store; engines with a
        native parser override this to skip rdflib.
        """
        dataset = Dataset(default_union=True)
        dataset.parse(str(path))
        self.load(dataset)

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; raises QuerySyntaxError for a malformed one.

        ``base_iri`` resolves relative IRIs (unless the query has its own
        ``BASE``); it is given to the engine rather than written into the
        text, so error positions stay those of the client's text.
        """

    def data_token(self) -> str | None:
        """What names the content being queried when it can change behind the app's back.

        None for stores loaded by this process; a remote store returns its
        current release, so cached answers of an older release are not reused.
        """
        return None

    def triple_count(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows()[0]["n"])

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""
