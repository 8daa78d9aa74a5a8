"""Publish the validated graph to a triple store: SPARQL 1.1 Graph Store HTTP Protocol.

One release at a time, never a half-loaded one (names in ``store/releases.py``):

1. read the pointer graph to learn the current release (if any);
2. upload the new release next to it with ``PUT`` (each source graph, the
   ontology, then their union), under names nobody reads yet;
3. verify: the triple count of every uploaded graph, read back over SPARQL,
   must equal what was sent;
4. make it current with one ``PUT`` of the pointer graph, and read it back;
5. wait until every front end has seen the new pointer (their cache of it
   lasts ``store_release_ttl`` seconds, queries at most ``query_timeout``),
   then ``DELETE`` the previous release's graphs.

A failure at any step before 4 leaves the published release as it was and
removes what was uploaded of the new one (best effort); nothing already
published is ever removed. Connection failures are retried with exponential
backoff; a refusal (401/403) is not retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from asu_graph.config import Settings
from asu_graph.formats import RDF_FORMATS, serialize
from asu_graph.iris import pointer_graph_iri, release_graph_iri
from asu_graph.publication import Publication
from asu_graph.store.http import (
    StoreClient,
    StoreDown,
    StoreError,
    StoreRefused,
    check_url,
    raise_for_status,
    shown,
)
from asu_graph.store.releases import (
    Release,
    pointer_content,
)
from asu_graph.store.remote import RemoteStore

Progress = Callable[[str], None]
T = TypeVar("T")


def retrying(
    action: Callable[[], T],
    *,
    retries: int,
    backoff: float,
    progress: Progress,
    transient: tuple[type[Exception], ...] = (StoreDown,),
) -> T:
    """Run ``action``; on a ``transient`` failure wait and try again, at most ``retries`` times.

    The wait doubles each time (``backoff``, 2 x ``backoff``, ...), so a store that
    is restarting or overloaded gets room to recover. A refusal (``StoreRefused``:
    the store said no to this request) is never retried: it would be refused again.
    """
    attempt = 0
    while True:
        try:
            return action()
        except StoreRefused:
            raise
        except transient as exc:
            if attempt >= retries:
                raise
            delay = backoff * (2**attempt)
            attempt += 1
            progress(f"{exc} Retrying in {delay:g} s ({attempt}/{retries}) ...")
            time.sleep(delay)


_NT = RDF_FORMATS["nt"].media_type
_TURTLE = RDF_FORMATS["turtle"].media_type


class PublishFailed(StoreError):
    """The new release could not be verified; the current one is untouched."""


class GraphStore:
    """The Graph Store Protocol operations publish needs: PUT and DELETE of a named graph."""

    def __init__(
        self,
        url: str,
        client: StoreClient,
        *,
        retries: int = 5,
        backoff: float = 0.5,
        progress: Progress = lambda _m: None,
    ) -> None:
        self.url = check_url(url, "Graph Store URL")
        self.client = client
        self.retries = max(retries, 0)
        self.backoff = backoff
        self.progress = progress

    def _send(
        self,
        method: str,
        graph: str,
        what: str,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        missing_ok: bool = False,
    ) -> None:
        headers = {"Content-Type": content_type} if content_type else {}

        def send() -> None:
            response = self.client.send(
                method, self.url, data=data, headers=headers, params={"graph": graph}
            )
            if missing_ok and response.status_code == 404:
                return
            raise_for_status(response, what)

        # Unreachable, overloaded or failing: a write is tried again a few times.
        retrying(
            send,
            retries=self.retries,
            backoff=self.backoff,
            progress=self.progress,
            transient=(StoreDown, StoreError),
        )

    def put(self, graph: str, data: bytes, content_type: str = _NT) -> None:
        self._send("PUT", graph, f"the upload of <{graph}>", data=data, content_type=content_type)

    def delete(self, graph: str) -> None:
        self._send("DELETE", graph, f"the removal of <{graph}>", missing_ok=True)


@dataclass(frozen=True)
class PublishReport:
    release: Release
    previous: Release | None
    already_current: bool = False
    dropped: tuple[str, ...] = ()


def _named_graphs(publication: Publication) -> list[Graph]:
    return sorted(
        (
            g
            for g in publication.dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        ),
        key=lambda g: str(g.identifier),
    )


def _default_graph(publication: Publication) -> Graph:
    return publication.dataset.graph(DATASET_DEFAULT_GRAPH_ID)


class Publisher:
    def __init__(
        self,
        settings: Settings,
        gsp_url: str,
        query_url: str,
        *,
        retries: int = 5,
        backoff: float = 0.5,
        progress: Progress = lambda _m: None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        # Uploads may take longer than a query; the query timeout still bounds each read.
        self.client = StoreClient(settings, timeout=max(settings.query_timeout, 60.0), pool_size=2)
        self.gsp = GraphStore(
            gsp_url, self.client, retries=retries, backoff=backoff, progress=progress
        )
        # Reads go through the same remote store the front ends use, always fresh.
        self.reader = RemoteStore(query_url, settings.with_(store_release_ttl=0.0))
        self.reader.client = self.client
        self.retries = retries
        self.backoff = backoff

    # -- reading back --------------------------------------------------------------
    def _retrying(self, action: Callable[[], T]) -> T:
        # Reads are retried only while the store is down (a wrong answer is not transient).
        return retrying(action, retries=self.retries, backoff=self.backoff, progress=self.progress)

    def current(self) -> Release | None:
        return self._retrying(self.reader.read_pointer)

    def count(self, graph: str) -> int:
        def ask() -> int:
            body, _ = self.reader.send(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                "application/sparql-results+json",
                None,
                None,
            )
            bindings = json.loads(body)["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0

        return self._retrying(ask)

    # -- the steps ------------------------------------------------------------------
    def _plan(self, publication: Publication, name: str) -> tuple[Release, list]:
        base = self.settings.base
        iri = release_graph_iri(base, name)
        names = Release(iri, publication.version, ()).renamer(base)
        uploads: list[tuple[str, Graph]] = []
        for graph in _named_graphs(publication):
            uploads.append((names.graph_name(str(graph.identifier)), names.to_store_graph(graph)))
        default = _default_graph(publication)
        if len(default):
            uploads.append((names.default_graph, names.to_store_graph(default)))
        union = Graph()
        for _, graph in uploads:
            union += graph
        named = tuple(sorted(g for g, _ in uploads if g != names.default_graph))
        release = Release(iri, publication.version, named, len(union))
        return release, [*uploads, (iri, union)]

    def _verify(self, uploads: list[tuple[str, Graph]]) -> None:
        for graph, content in uploads:
            found = self.count(graph)
            if found != len(content):
                raise PublishFailed(
                    f"verification failed: <{graph}> holds {found} triples in the store, "
                    f"{len(content)} were sent"
                )

    def _release_name(self, publication: Publication, current: Release | None) -> str:
        name = publication.version
        iri = release_graph_iri(self.settings.base, name)
        taken = (current is not None and current.iri == iri) or self.count(iri) > 0
        if not taken:
            return name
        # A graph of that name exists (the current release, or a leftover):
        # never write over what a reader might be using.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{name}-{stamp}"

    def _is_complete(self, release: Release, publication: Publication) -> bool:
        if release.version != publication.version:
            return False
        _, uploads = self._plan(publication, release.iri.rsplit("/", 1)[-1])
        try:
            self._verify(uploads)
        except PublishFailed:
            return False
        return True

    def publish(
        self, publication: Publication, *, grace: float | None = None, keep_previous: bool = False
    ) -> PublishReport:
        settings = self.settings
        say = self.progress
        current = self.current()
        if current is not None:
            say(f"current release: {current.iri} (version {current.version})")
            if current.version == publication.version and self._is_complete(current, publication):
                say("that release already holds this version of the data: nothing to do")
                return PublishReport(current, current, already_current=True)
        else:
            say("no release published yet")

        name = self._release_name(publication, current)
        release, uploads = self._plan(publication, name)
        say(
            f"uploading release {release.iri}: {len(uploads)} graphs, "
            f"{release.triples:,} triples in its union"
        )
        written: list[str] = []
        try:
            for graph, content in uploads:
                written.append(graph)
                self.gsp.put(graph, content.serialize(format="nt", encoding="utf-8"))
            say("verifying triple counts ...")
            self._verify(uploads)
        except BaseException:
            self._forget(written)
            raise

        say(f"making {release.iri} current ...")
        pointer = pointer_content(settings.base, release, datetime.now(UTC).replace(microsecond=0))
        self.gsp.put(pointer_graph_iri(settings.base), serialize(pointer, "turtle"), _TURTLE)
        now = self.current()
        if now is None or now.iri != release.iri:
            raise PublishFailed(
                f"the pointer graph <{pointer_graph_iri(settings.base)}> does not "
                f"name {release.iri} after it was written"
            )
        say(f"release {release.iri} is current")

        dropped: tuple[str, ...] = ()
        if current is not None and current.iri != release.iri and not keep_previous:
            wait = settings.store_release_ttl + settings.query_timeout if grace is None else grace
            if wait > 0:
                say(f"waiting {wait:g} s for front ends to leave {current.iri} ...")
                time.sleep(wait)
            dropped = current.all_graphs
            for graph in dropped:
                self.gsp.delete(graph)
            say(f"dropped the previous release {current.iri}")
        return PublishReport(release, current, dropped=dropped)

    def _forget(self, graphs: list[str]) -> None:
        """Remove what was uploaded of a release that will not become current."""
        for graph in graphs:
            try:
                self.client.send("DELETE", self.gsp.url, params={"graph": graph})
            except Exception:  # noqa: BLE001 - best effort; the pointer was never changed
                return

    def close(self) -> None:
        self.client.close()


def publish(
    publication: Publication,
    gsp_url: str,
    query_url: str,
    *,
    grace: float | None = None,
    keep_previous: bool = False,
    retries: int = 5,
    progress: Progress = lambda _m: None,
) -> PublishReport:
    """Upload ``publication`` as a new release and make it current (see module docstring)."""
    publisher = Publisher(
        publication.settings, gsp_url, query_url, retries=retries, progress=progress
    )
    try:
        return publisher.publish(publication, grace=grace, keep_previous=keep_previous)
    finally:
        publisher.close()


__all__ = ["GraphStore", "PublishFailed", "PublishReport", "Publisher", "publish", "shown"]
