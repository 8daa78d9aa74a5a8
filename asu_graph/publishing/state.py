"""What the publishing routes share inside one server process.

Built once when the app is created (in the server's main process, before the workers
fork): the served dumps are written to ``OUT/builds/{version}`` (unless that
version is already there) and the statistics are asked from the store. The
server then serves that folder, which is never rewritten, so its index and
its bytes agree even when another process points ``OUT/latest`` elsewhere.
Documents that depend on the host the request came to (VoID, DCAT, sitemap)
are rendered per host and format, then kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asu_graph.cache import ResultCache
from asu_graph.publication import Publication
from asu_graph.publishing.export import export_build
from asu_graph.publishing.stats import DatasetStats, compute_stats


def ensure_latest(
    publication: Publication, progress: Callable[[str], None] = lambda _m: None
) -> dict:
    """The build of the publication's version in the out dir, written if missing.

    Also settles ``publication.modified`` on the date of this version of the
    data, so that a restart changes no date (see ``export.data_date``).
    """
    return export_build(publication, publication.settings.out_dir, progress=progress, serving=True)


@dataclass
class PublishingState:
    publication: Publication
    manifest: dict
    stats: DatasetStats
    # Few keys exist (document x host x format), but Host headers are the
    # client's to choose: the cache is bounded.
    _rendered: ResultCache[bytes] = field(
        default_factory=lambda: ResultCache(256, 16 * 1024 * 1024)
    )

    @property
    def folder(self) -> Path:
        """The build folder this process serves (not ``OUT/latest``, which may move on)."""
        return Path(self.manifest["folder"])

    def rendered(self, key: tuple, render: Callable[[], bytes]) -> bytes:
        """``render()`` once per key (document, root URL, format, release)."""
        return self._rendered.get_or_make(key, render, len)


def build_state(publication: Publication) -> PublishingState:
    manifest = ensure_latest(publication)
    stats = compute_stats(_stats_store(publication), publication.settings)
    return PublishingState(publication, manifest, stats)


def _stats_store(publication: Publication):
    """Where the VoID / DCAT counts come from: the validated build this process serves.

    Behind ``serve --store URL`` the remote store may be down while a front end
    starts (it must start all the same), so the counts are taken from the
    local build in a throwaway embedded store instead.
    """
    if getattr(publication.store, "name", "") != "remote":
        return publication.store
    from asu_graph.store.oxigraph import OxigraphStore

    local = OxigraphStore()
    local.load(publication.dataset)
    return local
