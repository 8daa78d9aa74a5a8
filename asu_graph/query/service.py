"""The one path every query takes, whoever asks (web, CLI, tests).

The web layer decides, before running, which format it would send for each
kind of answer (SELECT/ASK vs CONSTRUCT/DESCRIBE), because the kind is only
known once the engine has parsed the query. ``answer`` returns finished bytes,
which is what the result cache keeps.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from asu_graph.cache import ResultCache, normalise_query
from asu_graph.namespaces import project_prefixes
from asu_graph.publication import Publication
from asu_graph.query import describe
from asu_graph.query.executor import Executor, executor_for
from asu_graph.query.jobs import Answer, Job
from asu_graph.sparql import functions as function_policy
from asu_graph.sparql import guard
from asu_graph.store import QueryResult, QuerySyntaxError


@dataclass(frozen=True)
class DatasetSpec:
    """``default-graph-uri`` / ``named-graph-uri`` (None = the service's default)."""

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


BUSY_WAIT = 0.1
"""Seconds a query waits for a free slot before the service answers 503 (busy)."""


class ServiceBusy(guard.QueryRefused):
    """Every query slot of this serving process is taken (503, Retry-After)."""

    status = 503


class TooManyQueries(guard.QueryRefused):
    """This client already has as many queries running as it may."""

    status = 429


class RunningQueries:
    """Queries running per client, counted across all serving processes.

    So that one client's runaway queries cannot take every thread of the
    server (and another client's simple query waits for none of them), a
    client may have ``limit`` queries running at once; the next one is
    refused at once with 429. The table is an anonymous shared map created
    before the server forks: one slot per running query, holding the
    client's key and the serving process's PID, found by probing from a
    keyed hash of the client (nobody can choose addresses that crowd out
    another client). A slot whose process has died is free again, so a
    crashed serving process cannot lock a client out.
    """

    _SLOT = struct.Struct("=QI4x")
    _SLOTS = 4096
    _PROBES = 64

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._table = mmap.mmap(-1, self._SLOT.size * self._SLOTS)
        self._secret = os.urandom(16)
        # Record locks belong to a process (its threads share them): a thread lock too.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the table
        self._threads = threading.Lock()

    def _key(self, client: str) -> int:
        digest = hashlib.blake2b(client.encode(), digest_size=8, key=self._secret).digest()
        return int.from_bytes(digest, "big") or 1

    @contextmanager
    def hold(self, client: str | None) -> Iterator[None]:
        """A slot for one query of ``client`` while the block runs (None: not counted)."""
        if client is None or self.limit <= 0:
            yield
            return
        key = self._key(client)
        with self._locked():
            offset = self._take(key)
        if offset is None:
            raise TooManyQueries(
                f"{client} already has {self.limit} queries running; this service runs at "
                f"most {self.limit} at a time per client. Send the next one when one of "
                f"them has finished.",
                status=429,
            )
        try:
            yield
        finally:
            with self._locked():
                self._SLOT.pack_into(self._table, offset, 0, 0)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._threads:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)

    def _take(self, key: int) -> int | None:
        mine, free = [], None
        for probe in range(self._PROBES):
            offset = ((key + probe) % self._SLOTS) * self._SLOT.size
            stored, pid = self._SLOT.unpack_from(self._table, offset)
            if stored and not _alive(pid):
                self._SLOT.pack_into(self._table, offset, 0, 0)
                stored = 0
            if stored == key:
                mine.append(offset)
            elif stored == 0 and free is None:
                free = offset
        if len(mine) >= self.limit or free is None:
            return None
        self._SLOT.pack_into(self._table, free, key, os.getpid())
        return free


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class QueryService:
    """Runs queries for the publication; relative IRIs resolve against ``settings.base``."""

    def __init__(self, publication: Publication, executor: Executor | None = None) -> None:
        self.publication = publication
        settings = publication.settings
        self.cache: ResultCache[Answer] = ResultCache(settings.cache_size, settings.cache_max_bytes)
        # Created now, while the process is single-threaded (see executor.py).
        self.running = RunningQueries(settings.client_queries)
        # All but one of the serving threads may wait for a query at once (see _busy_slot).
        self._slot_count = max(1, settings.threads - 1)
        self._slots = threading.BoundedSemaphore(self._slot_count)
        self.executor = executor or executor_for(
            publication.store,
            memory_bytes=settings.query_memory << 20,
            total_memory_bytes=settings.query_memory_total << 20,
            recycle_bytes=settings.worker_recycle_memory << 20,
            # Allow-listed SERVICE endpoints must be reachable from the workers.
            sandbox="off" if settings.service_allowlist else settings.query_sandbox,
        )

    def check(self, text: str, dataset: DatasetSpec = DatasetSpec()) -> None:
        """Refuse, before any engine sees it, what must not run (see guard.py)."""
        settings = self.publication.settings
        try:
            guard.check(
                text,
                allowed_graphs=self.publication.graph_names,
                service_allowlist=settings.service_allowlist,
                max_query_bytes=settings.max_query_bytes,
                default_graphs=dataset.default_graphs,
                named_graphs=dataset.named_graphs,
                limits=guard.Limits.from_settings(settings),
                base=settings.base,
            )
        except QuerySyntaxError:
            # bif:http_get(...) is malformed SPARQL (bif: is not declared) but
            # first of all a refused function (named), as on Virtuoso.
            function_policy.check_calls(text, settings.function_allowlist)
            raise
        # The same function policy on every store (function_policy.py says why).
        function_policy.check_functions(text, settings.function_allowlist)

    def cache_key(
        self, text: str, formats_by_kind: dict[str, str | None], dataset: DatasetSpec
    ) -> tuple:
        """Everything an answer depends on: data version, query, dataset, formats."""
        return (
            self.publication.version,
            self.publication.store.data_token(),
            self.publication.settings.union_default_graph,
            normalise_query(text),
            dataset,
            tuple(sorted(formats_by_kind.items())),
        )

    def run(self, text: str, dataset: DatasetSpec = DatasetSpec()) -> QueryResult:
        """Guarded, in this thread, without timeout or cap: for the CLI and server code."""
        self.check(text, dataset)
        settings = self.publication.settings
        return describe.query(
            self.publication.store,
            text,
            limit=settings.result_cap,
            prefixes=project_prefixes(settings),
            union_default_graph=settings.union_default_graph,
            default_graphs=list(dataset.default_graphs)
            if dataset.default_graphs is not None
            else None,
            named_graphs=list(dataset.named_graphs) if dataset.named_graphs is not None else None,
            base_iri=settings.base,
        )

    def answer(
        self,
        text: str,
        formats_by_kind: dict[str, str | None],
        dataset: DatasetSpec = DatasetSpec(),
        client: str | None = None,
    ) -> Answer:
        """Run ``text`` and serialize in ``formats_by_kind[kind]``; NotAcceptable if None.

        ``client`` (an address or network, see web/security.py ``client_key``)
        counts the query against that client's limit of running queries;
        answers from the cache do not count.

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
        with self.running.hold(client), self._busy_slot():
            answer = self._compute(text, formats_by_kind, dataset)
        if key is not None:
            self.cache.put(key, answer, len(answer.body))
        return answer

    @contextmanager
    def _busy_slot(self) -> Iterator[None]:
        """One of this process's running-query slots, or a 503 after a short wait.

        Each running query holds a serving thread until it ends or times out.
        Keeping one thread per process out of reach of queries means that many
        runaway queries at once (from many clients, each within its own limit)
        never leave cached answers and pages without a thread.
        """
        # A short wait only: a fast query frees its slot within milliseconds, while a
        # request waiting long would hold the very thread kept free.
        if not self._slots.acquire(timeout=BUSY_WAIT):
            raise ServiceBusy(
                f"This service is busy: {self._slot_count} queries are already running in "
                "this process. Try again in a moment.",
                status=503,
            )
        try:
            yield
        finally:
            self._slots.release()

    def _compute(
        self, text: str, formats_by_kind: dict[str, str | None], dataset: DatasetSpec
    ) -> Answer:
        # Guarded first, then run by the executor: in a worker process that is
        # killed at the query timeout, with the result cap applied (executor.py).
        self.check(text, dataset)
        settings = self.publication.settings
        job = Job(
            text,
            tuple(sorted(formats_by_kind.items())),
            dataset.default_graphs,
            dataset.named_graphs,
            settings.union_default_graph,
            settings.result_cap,
            tuple(project_prefixes(settings).items()),
            settings.base,
        )
        return self.executor.run(job, settings.query_timeout)
