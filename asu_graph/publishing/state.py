"""What the publishing routes share inside one server process.

Built once when the app is created (in gunicorn's arbiter, before the workers
fork): the served dumps are written to ``OUT/latest`` and the statistics are
asked from the store. Documents that depend on the host the request came to
(VoID, DCAT, sitemap) are rendered per host and format, then kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..export import export_build
from ..publication import Publication
from .layout import latest_dir, read_manifest
from .stats import DatasetStats, compute_stats


def ensure_latest(publication: Publication,
                  progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Write the publication's dumps to ``OUT/latest`` unless they are already there."""
    folder = latest_dir(publication.settings)
    manifest = read_manifest(folder)
    if manifest is not None and manifest.get("version") == publication.version \
            and manifest.get("base") == publication.settings.base \
            and all((folder / name).is_file() for name in manifest["files"]):
        return manifest
    return export_build(publication, folder, progress=progress, keep_subfolders=False)


@dataclass
class PublishingState:
    publication: Publication
    manifest: dict
    stats: DatasetStats
    _rendered: dict[tuple, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def folder(self) -> Path:
        return latest_dir(self.publication.settings)

    def rendered(self, key: tuple, render: Callable[[], bytes]) -> bytes:
        """``render()`` once per key (host, document, format); few keys exist."""
        with self._lock:
            if key in self._rendered:
                return self._rendered[key]
        body = render()
        with self._lock:
            if len(self._rendered) > 256:  # many Host headers: do not grow without bound
                self._rendered.clear()
            self._rendered[key] = body
        return body


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
    from ..store.oxigraph import OxigraphStore

    local = OxigraphStore()
    local.load(publication.dataset)
    return local
