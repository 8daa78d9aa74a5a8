"""The one path every query takes, whoever asks (web, CLI, tests).

The web layer decides, before running, which format it would send for each
kind of answer (SELECT/ASK vs CONSTRUCT/DESCRIBE), because the kind is only
known once the engine has parsed the query. ``answer`` returns finished bytes,
which is what the result cache keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import describe, function_policy, guard
from .build import project_prefixes
from .cache import ResultCache, normalise_query
from .executor import Executor, Job, executor_for
from .publication import Publication
from .store import QueryResult, QuerySyntaxError


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
    cached: bool = False   # served from the result cache (X-Cache: hit)
    size: int | None = None   # rows or triples in the body (ASK: 1), when known


@dataclass(frozen=True)
class DatasetSpec:
    """``default-graph-uri`` / ``named-graph-uri`` (None = the service's default)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


class QueryService:
    """Runs queries for the publication; relative IRIs resolve against ``settings.base``."""

    def __init__(self, publication: Publication, executor: Executor | None = None) -> None:
        self.publication = publication
        settings = publication.settings
        self.cache: ResultCache[Answer] = ResultCache(settings.cache_size,
                                                      settings.cache_max_bytes)
        # Created now, while the process is single-threaded (see executor.py).
        self.executor = executor or executor_for(
            publication.store, memory_bytes=settings.query_memory * 1024 * 1024,
            # Allow-listed SERVICE endpoints must be reachable from the workers.
            sandbox="off" if settings.service_allowlist else settings.query_sandbox)

    def check(self, text: str, dataset: DatasetSpec = DatasetSpec()) -> None:
        """Refuse, before any engine sees it, what must not run (see guard.py)."""
        settings = self.publication.settings
        try:
            guard.check(text, allowed_graphs=self.publication.graph_names,
                        service_allowlist=settings.service_allowlist,
                        max_query_bytes=settings.max_query_bytes,
                        default_graphs=dataset.default_graphs,
                        named_graphs=dataset.named_graphs,
                        limits=guard.Limits.from_settings(settings), base=settings.base)
        except QuerySyntaxError:
            # bif:http_get(...) is malformed SPARQL (bif: is not declared) but
            # first of all a refused function (named), as on Virtuoso.
            function_policy.check_calls(text, settings.function_allowlist)
            raise
        # The same function policy on every store (function_policy.py says why).
        function_policy.check_functions(text, settings.function_allowlist)

    def cache_key(self, text: str, formats_by_kind: dict[str, str | None],
                  dataset: DatasetSpec) -> tuple:
        """Everything an answer depends on: data version, query, dataset, formats."""
        return (self.publication.version, self.publication.store.data_token(),
                self.publication.settings.union_default_graph,
                normalise_query(text), dataset, tuple(sorted(formats_by_kind.items())))

    def run(self, text: str, dataset: DatasetSpec = DatasetSpec()) -> QueryResult:
        """Guarded, in this thread, without timeout or cap: for the CLI and server code."""
        self.check(text, dataset)
        settings = self.publication.settings
        return describe.query(
            self.publication.store, text, limit=settings.result_cap,
            prefixes=project_prefixes(settings),
            union_default_graph=settings.union_default_graph,
            default_graphs=list(dataset.default_graphs) if dataset.default_graphs is not None
            else None,
            named_graphs=list(dataset.named_graphs) if dataset.named_graphs is not None
            else None,
            base_iri=settings.base)

    def answer(self, text: str, formats_by_kind: dict[str, str | None],
               dataset: DatasetSpec = DatasetSpec()) -> Answer:
        """Run ``text`` and serialize in ``formats_by_kind[kind]``; NotAcceptable if None.

        The cache sits in front of everything else: a repeated query on the
        same graph version costs one dictionary look-up, no engine, no worker.
        """
        # Comments do not reach the cache key: without this a text over the size
        # limit would be served from the entry of its shorter twin.
        guard.check_size(text, self.publication.settings.max_query_bytes)
        key = self.cache_key(text, formats_by_kind, dataset) if self.cache.enabled else None
        if key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return replace(hit, cached=True)
        answer = self._compute(text, formats_by_kind, dataset)
        if key is not None:
            self.cache.put(key, answer, len(answer.body))
        return answer

    def _compute(self, text: str, formats_by_kind: dict[str, str | None],
                 dataset: DatasetSpec) -> Answer:
        # Guarded first, then run by the executor: in a worker process that is
        # killed at the query timeout, with the result cap applied (executor.py).
        self.check(text, dataset)
        settings = self.publication.settings
        job = Job(text, tuple(sorted(formats_by_kind.items())), dataset.default_graphs,
                  dataset.named_graphs, settings.union_default_graph, settings.result_cap,
                  tuple(project_prefixes(settings).items()), settings.base)
        return self.executor.run(job, settings.query_timeout)
