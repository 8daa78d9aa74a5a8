"""Graph -> dumps: every RDF format, with SHA-256 checksums, written once.

Equal data gives equal bytes in every format: N-Triples and N-Quads lines are
sorted, the other writers walk the graph in sorted order, gzip copies carry
mtime 0 and no file name. A build is written into a hidden staging folder and
renamed into ``OUT/builds/{version}`` only when complete; then the ``latest``
link is switched with one ``os.replace``. Nothing that exists is rewritten,
moved or removed (layout in ``publishing/layout.py``).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, Graph

from asu_graph.config import Settings
from asu_graph.formats import RDF_FORMATS
from asu_graph.namespaces import jsonld_context
from asu_graph.publishing.layout import (
    BUILDS,
    LATEST,
    STAGING_MARK,
    LayoutConflict,
    find_release_of,
    read_manifest,
    remove_stale_staging,
    writer_lock,
)

DUMP_STEM = "asu"


def _term_key(triple: tuple) -> tuple[str, ...]:
    return tuple(term.n3() for term in triple)


class SortedGraph(Graph):
    """A graph that hands its triples out sorted.

    rdflib's writers walk the graph in the order of its in-memory sets, which
    changes from one process to the next (string hashing is salted); RDF/XML
    and JSON-LD written from this graph come out the same every time.
    """

    def triples(self, triple, *args, **kwargs) -> Iterator:  # type: ignore[override]
        yield from sorted(super().triples(triple, *args, **kwargs), key=_term_key)

    def unsorted(self) -> Graph:
        """The same triples without the sorting, for writers that order by themselves."""
        return Graph(
            store=self.store, identifier=self.identifier, namespace_manager=self.namespace_manager
        )


def sorted_union(dataset: Dataset) -> SortedGraph:
    """The union of every graph of ``dataset`` (what the triple formats hold)."""
    graph = SortedGraph()
    for prefix, ns in dataset.namespaces():
        graph.bind(prefix, ns, override=False)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _sorted_lines(data: bytes) -> bytes:
    """N-Triples / N-Quads: one statement per line, so sorted lines are the same file."""
    return b"".join(line + b"\n" for line in sorted(set(data.splitlines())) if line.strip())


def _canonical_jsonld(data: bytes) -> bytes:
    """Top-level nodes by ``@id``: rdflib lists them in the order of a set."""
    document = json.loads(data)
    nodes = document.get("@graph") if isinstance(document, dict) else document
    if isinstance(nodes, list):
        nodes.sort(key=lambda node: json.dumps(node, sort_keys=True, ensure_ascii=False))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def serialize_dump(dataset: Dataset, union: Graph, key: str, settings: Settings) -> bytes:
    """One dump; equal data gives equal bytes (see the module docstring)."""
    fmt = RDF_FORMATS[key]
    if key == "nquads":
        return _sorted_lines(dataset.serialize(format=fmt.rdflib_name, encoding="utf-8"))
    if fmt.quads:  # TriG: the writer orders graphs by name and subjects within each
        return dataset.serialize(format=fmt.rdflib_name, encoding="utf-8")
    if key == "json-ld":
        return _canonical_jsonld(
            union.serialize(
                format="json-ld",
                context=jsonld_context(settings),
                auto_compact=True,
                encoding="utf-8",
            )
        )
    if key == "rdfxml":
        return union.serialize(format=fmt.rdflib_name, encoding="utf-8")
    # N-Triples lines get sorted and the Turtle writer sorts subjects and
    # predicates itself: no need to pay for sorted walks of the graph.
    plain = union.unsorted() if isinstance(union, SortedGraph) else union
    data = plain.serialize(format=fmt.rdflib_name, encoding="utf-8")
    return _sorted_lines(data) if key == "nt" else data


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, fmt_key: str | None, media_type: str) -> dict:
    """The manifest entry of one written file: what it is, its size and checksum."""
    return {
        "format": fmt_key,
        "media_type": media_type,
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
        "gzip": path.suffix == ".gz",
    }


def write_file(path: Path, data: bytes) -> None:
    """Write and flush to the disk, so a rename after it never publishes a short file."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_checksums(folder: Path, files: dict[str, dict]) -> None:
    """``SHA256SUMS`` in the layout ``sha256sum -c`` reads."""
    write_file(
        folder / "SHA256SUMS",
        "".join(f"{meta['sha256']}  {name}\n" for name, meta in sorted(files.items())).encode(
            "utf-8"
        ),
    )


def write_dumps(
    dataset: Dataset,
    folder: Path,
    settings: Settings,
    progress: Callable[[str], None] = lambda _msg: None,
    gzip_copies: bool = True,
) -> dict[str, dict]:
    """Write every dump (and .gz copies) plus SHA256SUMS into ``folder``."""
    union = sorted_union(dataset)
    files: dict[str, dict] = {}
    for key, fmt in RDF_FORMATS.items():
        path = folder / f"{DUMP_STEM}.{fmt.extension}"
        data = serialize_dump(dataset, union, key, settings)
        write_file(path, data)
        names = [path]
        if gzip_copies:
            gz = path.with_name(path.name + ".gz")
            # mtime 0 and no file name in the header: equal data, equal bytes.
            write_file(gz, gzip.compress(data, compresslevel=9, mtime=0))
            names.append(gz)
        for name in names:
            files[name.name] = file_entry(name, key, fmt.media_type)
        progress(f"wrote {path.name} ({len(data):,} bytes)")
    write_checksums(folder, files)
    return files


def write_once(parent: Path, name: str, fill: Callable[[Path], None]) -> Path:
    """Fill a hidden staging folder in ``parent``, then rename it to ``parent/name``.

    The folder appears complete or not at all. If ``name`` is taken, nothing
    is replaced (``FileExistsError``). On any failure, only the staging folder
    this call made is removed.
    """
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}{STAGING_MARK}", dir=parent))
    try:
        fill(staging)
        os.chmod(staging, 0o755)
        _fsync_dir(staging)
        target = parent / name
        if os.path.lexists(target):
            raise FileExistsError(
                errno.EEXIST, f"{target} appeared while writing; it was left as it is", str(target)
            )
        # rename(2) would replace an empty folder of that name; the check above
        # and the out dir's lock rule that out.
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _fsync_dir(parent)
    except OSError:
        pass  # the folder is in place; this only hurries the rename to the disk
    return target


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def quad_count(dataset: Dataset) -> int:
    """Quads as TriG / N-Quads carry them (a triple in two graphs counts twice)."""
    return sum(1 for _ in dataset.quads((None, None, None, None)))


def build_manifest(publication, files: dict[str, dict]) -> dict:
    return {
        "version": publication.version,
        "modified": publication.modified.isoformat(),
        "base": publication.settings.base,
        "triples": publication.triple_count,
        # ``quads`` is kept as rdflib's len() of the parsed dataset (distinct
        # triples) for older readers; ``quads_in_graphs`` is what N-Quads holds.
        "quads": len(publication.dataset),
        "quads_in_graphs": quad_count(publication.dataset),
        "files": files,
    }


def write_manifest(folder: Path, manifest: dict) -> None:
    write_file(folder / "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))


# -- dates --------------------------------------------------------------------


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), when set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since 1970-01-01"
        ) from None


def data_date(publication, out_dir: Path) -> datetime:
    """The date of this version of the data, the same at every build and restart.

    ``SOURCE_DATE_EPOCH`` when set; otherwise the date recorded when this
    version was first built or released into ``out_dir``; otherwise now (the
    first time this version is seen), which the new build then records.
    """
    fixed = source_date_epoch()
    if fixed is not None:
        return fixed
    found = [_parse_date(m.get("modified")) for m in _builds_of(out_dir, publication)]
    release = find_release_of(Path(out_dir), publication.version, publication.settings.base)
    if release is not None:
        found.append(_parse_date(release.get("modified")))
    found = [d for d in found if d is not None]
    return min(found) if found else publication.modified


def _parse_date(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


# -- builds: OUT/builds/{version} and the OUT/latest link ---------------------------


def _is_complete(folder: Path, publication) -> dict | None:
    """The manifest of ``folder`` if it holds exactly this build, every file present."""
    manifest = read_manifest(folder)
    if (
        manifest is None
        or manifest.get("version") != publication.version
        or manifest.get("base") != publication.settings.base
    ):
        return None
    for name, meta in manifest["files"].items():
        try:
            if (folder / name).stat().st_size != meta.get("bytes"):
                return None
        except OSError:
            return None
    return manifest


def _builds_of(out_dir: Path, publication) -> list[dict]:
    """Complete builds of this version in ``out_dir``, each with its ``folder``."""
    root = Path(out_dir) / BUILDS
    found = []
    for name in _build_names(publication.version):
        folder = root / name
        if not os.path.lexists(folder):
            break
        manifest = _is_complete(folder, publication)
        if manifest is not None:
            found.append({**manifest, "folder": str(folder)})
    return found


def _build_names(version: str) -> Iterator[str]:
    """``{version}``, then ``{version}.2``, ... (a name taken by a damaged folder is skipped)."""
    yield version
    number = 2
    while True:
        yield f"{version}.{number}"
        number += 1


def switch_latest(out_dir: Path, folder: Path) -> None:
    """Point ``OUT/latest`` at ``folder`` with one ``os.replace`` of a symbolic link."""
    link = Path(out_dir) / LATEST
    target = os.path.relpath(folder, out_dir)
    if os.path.lexists(link) and not link.is_symlink():
        raise LayoutConflict(
            errno.EEXIST,
            f"{link} is a folder or file, not the link this version of "
            f"asu-graph keeps there (an older layout?); it was left as it is. The build is "
            f"in {folder}; remove or rename {link} yourself to have it point there",
        )
    if link.is_symlink() and os.readlink(link) == target:
        return
    temporary = Path(out_dir) / f".{LATEST}{STAGING_MARK}{os.getpid()}"
    if os.path.lexists(temporary):
        os.unlink(temporary)  # our own name (pid), left by a killed writer
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except BaseException:
        os.unlink(temporary)
        raise
    try:
        _fsync_dir(Path(out_dir))
    except OSError:
        pass  # the switch is done; this only hurries it to the disk


def link_top_level(
    out_dir: Path, names: list[str], progress: Callable[[str], None] = lambda _m: None
) -> None:
    """``OUT/asu.ttl -> latest/asu.ttl``, ...: made once, they follow ``latest``.

    A name already taken by anything else (a file of an older layout, the
    user's own) is left alone and named in the progress messages.
    """
    skipped = []
    for name in names:
        path = Path(out_dir) / name
        target = f"{LATEST}/{name}"
        if path.is_symlink() and os.readlink(path) == target:
            continue
        if os.path.lexists(path):
            skipped.append(name)
            continue
        try:
            os.symlink(target, path)
        except OSError as exc:
            # The build itself is in place and ``latest`` points at it; only a
            # convenience name is missing (tried again by the next build).
            progress(f"could not make {path}: {exc.strerror}")
    if skipped:
        progress(
            f"left as they are (not made by this layout): {', '.join(skipped)}; "
            f"the current dumps are in {Path(out_dir) / LATEST}"
        )


def _latest_conflict(out_dir: Path) -> bool:
    link = Path(out_dir) / LATEST
    return os.path.lexists(link) and not link.is_symlink()


def export_build(
    publication,
    out_dir: Path,
    progress: Callable[[str], None] = lambda _m: None,
    serving: bool = False,
    lock_wait: float | None = None,
) -> dict:
    """Write the publication's dumps into ``OUT/builds/{version}``; point ``latest`` there.

    Sets ``publication.modified`` to the date of this version of the data
    (``data_date``). A build of the same version reuses its folder untouched.
    Returns the manifest with the build's ``folder`` (not written to disk).
    With ``serving``, an ``OUT/latest`` of an older layout is only reported
    (the server serves its own build folder); otherwise it stops the build
    before anything is written.
    """
    out_dir = Path(out_dir).absolute()  # the folder a server keeps serving, wherever it runs
    kwargs = {} if lock_wait is None else {"wait": lock_wait}
    with writer_lock(out_dir, "serve" if serving else "build", say=progress, **kwargs):
        conflict = _latest_conflict(out_dir)
        if conflict and not serving:
            raise LayoutConflict(
                errno.EEXIST,
                f"{out_dir / LATEST} is a folder or file, not the link this "
                "version of asu-graph keeps there (an older layout?). Nothing was written "
                "and it was left as it is: remove or rename it yourself, or build into "
                "another folder",
            )
        root = out_dir / BUILDS
        publication.modified = data_date(publication, out_dir)
        # A build of this version with another date (SOURCE_DATE_EPOCH changed)
        # stays as it is; the new date gets a folder of its own.
        existing = [
            m
            for m in _builds_of(out_dir, publication)
            if _parse_date(m.get("modified")) == publication.modified
        ]
        made = None
        if existing:
            manifest = existing[0]
            folder = Path(manifest["folder"])
            progress(f"version {publication.version} is already built in {folder}")
        else:
            name = next(
                n for n in _build_names(publication.version) if not os.path.lexists(root / n)
            )
            manifest = {}

            def fill(staging: Path) -> None:
                files = write_dumps(publication.dataset, staging, publication.settings, progress)
                manifest.update(build_manifest(publication, files))
                write_manifest(staging, manifest)

            folder = made = write_once(root, name, fill)
            progress(f"wrote {folder}")
            manifest = {**manifest, "folder": str(folder)}
        if conflict:
            progress(
                f"{out_dir / LATEST} is not the link this version of asu-graph keeps "
                f"there (an older layout?): left as it is; serving {folder}"
            )
            return manifest
        try:
            switch_latest(out_dir, folder)
        except BaseException:
            if made is not None:
                # Nothing points at the folder this call made: leave no trace.
                shutil.rmtree(made, ignore_errors=True)
            raise
        progress(f"{out_dir / LATEST} -> {os.path.relpath(folder, out_dir)}")
        link_top_level(
            out_dir, [*sorted(manifest["files"]), "SHA256SUMS", "manifest.json"], progress
        )
        # Only a build that succeeded tidies up after killed ones: a failing
        # build removes nothing but its own staging folder.
        remove_stale_staging(root)
        remove_stale_staging(out_dir)
    return manifest
