"""The one path every query takes, whoever asks (web, CLI, tests).

The web layer decides, before running, which format it would send for each
kind of answer (SELECT/ASK vs CONSTRUCT/DESCRIBE), because the kind is only
known once the engine has parsed the query. ``answer`` returns finished bytes,
which is what the result cache keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from .build import project_prefixes
from .describe import DescriptionResult, describe_query
from .publication import Publication
from .store import QueryResult


class NotAcceptable(Exception):
    """No acceptable format for this kind of answer."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    kind: str          # SELECT, ASK or GRAPH
    fmt: str           # format key (asu_graph.formats)
    body: bytes
    truncated: bool = False
    size: int | None = None   # rows or triples in the body (ASK: 1), when known


@dataclass(frozen=True)
class DatasetSpec:
    """``default-graph-uri`` / ``named-graph-uri`` (None = the service's default)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


class QueryService:
    def __init__(self, publication: Publication) -> None:
        self.publication = publication

    def run(self, text: str, dataset: DatasetSpec = DatasetSpec()) -> QueryResult:
        settings = self.publication.settings
        options = dict(
            union_default_graph=settings.union_default_graph,
            default_graphs=list(dataset.default_graphs) if dataset.default_graphs is not None
            else None,
            named_graphs=list(dataset.named_graphs) if dataset.named_graphs is not None
            else None)
        # DESCRIBE gets the project's bounded description, whatever the engine.
        described = describe_query(self.publication.store, text, limit=settings.result_cap,
                                   prefixes=project_prefixes(settings), **options)
        if described is not None:
            return described
        return self.publication.store.query(text, **options)

    def answer(self, text: str, formats_by_kind: dict[str, str | None],
               dataset: DatasetSpec = DatasetSpec()) -> Answer:
        """Run ``text`` and serialize in ``formats_by_kind[kind]``; NotAcceptable if None."""
        result = self.run(text, dataset)
        fmt = formats_by_kind.get(result.kind)
        if fmt is None:
            raise NotAcceptable(result.kind)
        size = len(result.graph()) if isinstance(result, DescriptionResult) else \
            (1 if result.kind == "ASK" else None)
        return Answer(result.kind, fmt, result.serialize(fmt), size=size)
