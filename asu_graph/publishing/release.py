"""Versioned releases: ``OUT/releases/{version}/``, written once, atomically.

A release folder holds the dumps (plain and gzip), ``void.ttl``,
``catalog.ttl`` (DCAT with ``dcat:version`` and ``dcat:previousVersion``),
the change set against the previous release (``changes-added.nt``,
``changes-removed.nt``, ``changes.json``, ``changes.md``), ``SHA256SUMS`` and
``manifest.json``. Everything is written into a hidden staging folder next
to the releases and renamed into place only when complete (``write_once``);
any failure removes that staging folder only, and leaves every earlier
release, build and link as it was. One writer at a time per out dir.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from asu_graph import formats
from asu_graph.pipeline.graphs import union_graph
from asu_graph.publication import Publication
from asu_graph.publishing.changeset import diff, sorted_ntriples, summary_markdown
from asu_graph.publishing.dcat import release_catalog
from asu_graph.publishing.export import (
    build_manifest,
    data_date,
    file_entry,
    sha256,
    source_date_epoch,
    write_checksums,
    write_dumps,
    write_file,
    write_manifest,
    write_once,
)
from asu_graph.publishing.layout import (
    RELEASES,
    VERSION_PATTERN,
    list_releases,
    remove_stale_staging,
    writer_lock,
)
from asu_graph.publishing.stats import compute_stats
from asu_graph.publishing.terms import release_root
from asu_graph.publishing.void import void_graph


class ReleaseError(ValueError):
    """The release cannot be made as asked (bad or taken version name)."""


def default_version(existing: set[str], now: datetime) -> str:
    """``YYYY.MM.DD``, then ``YYYY.MM.DD.2``, ... for further releases that day."""
    base = now.strftime("%Y.%m.%d")
    if base not in existing:
        return base
    number = 2
    while f"{base}.{number}" in existing:
        number += 1
    return f"{base}.{number}"


def check_version(out_dir: Path, version: str | None) -> None:
    """Refuse a bad or taken version name before any work is done."""
    if version is None:
        return
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(
            f"release version {version!r} is not allowed: use letters, digits, "
            "'.', '_' or '-' (at most 64, starting with a letter or digit)"
        )
    if (Path(out_dir) / RELEASES / version).exists():
        raise ReleaseError(
            f"release {version!r} already exists in {Path(out_dir) / RELEASES}; "
            "releases are never overwritten, choose another --version"
        )


def _previous_graph(previous: dict) -> Graph:
    graph = Graph()
    graph.parse(Path(previous["folder"]) / "asu.nt", format="nt")
    return graph


def make_release(
    publication: Publication,
    out_dir: Path,
    version: str | None = None,
    progress: Callable[[str], None] = lambda _m: None,
    lock_wait: float | None = None,
) -> dict:
    """Write a release of the (validated) publication into ``out_dir/releases``."""
    out_dir = Path(out_dir).absolute()
    settings = publication.settings.with_(out_dir=out_dir)
    root_folder = out_dir / RELEASES
    check_version(out_dir, version)
    kwargs = {} if lock_wait is None else {"wait": lock_wait}
    with writer_lock(out_dir, "release", say=progress, **kwargs):
        releases = list_releases(settings)
        taken = {m["release"] for m in releases}
        if root_folder.is_dir():
            taken |= {p.name for p in root_folder.iterdir()}
        now = source_date_epoch() or datetime.now(UTC).replace(microsecond=0)
        check_version(out_dir, version)  # again: another release may have taken it meanwhile
        if version is None:
            version = default_version(taken, now)
        previous = releases[-1] if releases else None
        publication.modified = data_date(publication, out_dir)
        manifest: dict = {}

        def fill(staging: Path) -> None:
            manifest.update(_fill(staging, publication, settings, version, previous, now, progress))

        try:
            target = write_once(root_folder, version, fill)
        except FileExistsError:
            raise ReleaseError(
                f"release {version!r} appeared while writing; it was left as it is"
            ) from None
        # Only a release that succeeded tidies up after killed ones.
        remove_stale_staging(root_folder)
    return {**manifest, "folder": str(target)}


def _fill(
    folder: Path,
    publication: Publication,
    settings,
    version: str,
    previous: dict | None,
    now: datetime,
    progress: Callable[[str], None],
) -> dict:
    files = write_dumps(publication.dataset, folder, settings, progress)

    old = _previous_graph(previous) if previous else Graph()
    changes = diff(old, union_graph(publication.dataset))
    summary = changes.summary()
    previous_version = previous["release"] if previous else None
    for name, data, media in (
        ("changes-added.nt", sorted_ntriples(changes.added), "application/n-triples"),
        ("changes-removed.nt", sorted_ntriples(changes.removed), "application/n-triples"),
        (
            "changes.json",
            (
                json.dumps({"release": version, "previous": previous_version, **summary}, indent=2)
                + "\n"
            ).encode("utf-8"),
            "application/json",
        ),
        (
            "changes.md",
            summary_markdown(summary, version, previous_version).encode("utf-8"),
            "text/markdown; charset=utf-8",
        ),
    ):
        write_file(folder / name, data)
        files[name] = file_entry(folder / name, "changes", media)
    progress(
        f"change set: +{summary['added']} -{summary['removed']} triples, "
        f"{len(summary['subjects'])} subjects touched"
    )

    manifest = {
        **build_manifest(publication, files),
        "release": version,
        "released": now.isoformat(),
        "previous": previous_version,
        "sequence": (previous.get("sequence", 0) + 1) if previous else 1,
        "changes": {
            "added": summary["added"],
            "removed": summary["removed"],
            "subjects": len(summary["subjects"]),
        },
    }
    root = release_root(settings)
    downloads = f"{root}download/releases/{version}/"
    stats = compute_stats(publication.store, settings)
    documents = (
        ("void.ttl", void_graph(settings, stats, root, manifest, now, downloads)),
        # The catalogue describes the dumps above; it cannot list its own checksum.
        ("catalog.ttl", release_catalog(settings, root, manifest)),
    )
    for name, graph in documents:
        write_file(folder / name, formats.serialize(graph, "turtle"))
        files[name] = file_entry(
            folder / name, "metadata", formats.RDF_FORMATS["turtle"].media_type
        )
    write_checksums(folder, files)
    manifest["files"] = files
    manifest["sha256sums"] = sha256(folder / "SHA256SUMS")
    write_manifest(folder, manifest)
    return manifest
