"""What every query store offers, whatever engine answers underneath."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Literal

from rdflib import Dataset, Graph
from rdflib.term import Identifier

Kind = Literal["SELECT", "ASK", "GRAPH"]


class QuerySyntaxError(ValueError):
    """The query text is not valid SPARQL 1.1."""


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
    def query(self, sparql: str, *, union_default_graph: bool = True,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult:
        """Run a SPARQL 1.1 query; raises QuerySyntaxError for a malformed one."""

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
