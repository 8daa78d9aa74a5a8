"""What passes between the query service and the executors that run queries.

A ``Job`` goes in (picklable: it crosses into worker processes), an
``Answer`` comes out, or one of the errors below. Each error carries the HTTP
status it stands for and the message a client is shown; how a front end maps
them (the SPARQL endpoint sends some as 400 so that clients show the message)
is the front end's choice. The service imports the executor, the executor
imports only this module: no import runs back up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to answer one query (picklable)."""

    text: str
    formats: tuple[tuple[str, str | None], ...]  # kind -> format key (None: not acceptable)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    cap: int = 0
    prefixes: tuple[tuple[str, str], ...] = ()  # for DESCRIBE answers written here
    base_iri: str | None = None  # resolves the query's relative IRIs


@dataclass(frozen=True)
class Answer:
    kind: str  # SELECT, ASK or GRAPH
    fmt: str  # format key (asu_graph.formats)
    body: bytes
    truncated: bool = False
    cached: bool = False  # served from the result cache (X-Cache: hit)
    size: int | None = None  # rows or triples in the body (ASK: 1), when known


class QueryError(Exception):
    """A query that was understood but not answered; ``status`` is its HTTP answer."""

    status = 503

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __reduce__(self) -> tuple[type[QueryError], tuple[str, int]]:
        # Crosses the worker's socket intact, status included.
        return type(self), (self.message, self.status)


class QueryTimeout(QueryError):
    """The query ran out of time and its worker was stopped."""

    status = 503


class QueryFailed(QueryError):
    """The worker running the query died (memory limit, engine crash) or is unreachable."""

    status = 503


class NotAcceptable(QueryError):
    """No acceptable format for this kind of answer (``kind``: SELECT, ASK or GRAPH)."""

    status = 406

    def __init__(self, kind: str, status: int | None = None) -> None:
        super().__init__(kind, status)
        self.kind = kind
