"""Graph -> dumps: every RDF format, with SHA-256 checksums, written atomically.

A build is written into a temporary sibling folder and swapped into place
only once complete, so a failed build never damages the last good output.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph

from .config import Settings
from .formats import RDF_FORMATS
from .validate import union_graph

DUMP_STEM = "asu"


def jsonld_context(settings: Settings) -> dict:
    path = Path(settings.ontology_dir) / "context.jsonld"
    try:
        context = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    text = json.dumps(context.get("@context", context))
    return json.loads(text.replace("https://w3id.org/asu/", settings.base))


def serialize_dump(dataset: Dataset, union: Graph, key: str, settings: Settings) -> bytes:
    fmt = RDF_FORMATS[key]
    if fmt.quads:
        return dataset.serialize(format=fmt.rdflib_name, encoding="utf-8")
    if key == "json-ld":
        return union.serialize(format="json-ld", context=jsonld_context(settings),
                               auto_compact=True, encoding="utf-8")
    return union.serialize(format=fmt.rdflib_name, encoding="utf-8")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, fmt_key: str | None, media_type: str) -> dict:
    """The manifest entry of one written file: what it is, its size and checksum."""
    return {"format": fmt_key, "media_type": media_type, "bytes": path.stat().st_size,
            "sha256": sha256(path), "gzip": path.suffix == ".gz"}


def write_checksums(folder: Path, files: dict[str, dict]) -> None:
    """``SHA256SUMS`` in the layout ``sha256sum -c`` reads."""
    (folder / "SHA256SUMS").write_text(
        "".join(f"{meta['sha256']}  {name}\n" for name, meta in sorted(files.items())),
        encoding="utf-8")


def write_dumps(dataset: Dataset, folder: Path, settings: Settings,
                progress: Callable[[str], None] = lambda _msg: None,
                gzip_copies: bool = True) -> dict[str, dict]:
    """Write every dump (and .gz copies) plus SHA256SUMS into ``folder``."""
    union = union_graph(dataset)
    files: dict[str, dict] = {}
    for key, fmt in RDF_FORMATS.items():
        path = folder / f"{DUMP_STEM}.{fmt.extension}"
        data = serialize_dump(dataset, union, key, settings)
        path.write_bytes(data)
        names = [path]
        if gzip_copies:
            gz = path.with_name(path.name + ".gz")
            # mtime=0 keeps the compressed bytes (and checksums) reproducible.
            gz.write_bytes(gzip.compress(data, mtime=0))
            names.append(gz)
        for name in names:
            files[name.name] = file_entry(name, key, fmt.media_type)
        progress(f"wrote {path.name} ({len(data):,} bytes)")
    write_checksums(folder, files)
    return files


def atomic_folder(target: Path, fill: Callable[[Path], None],
                  keep_subfolders: bool = False) -> None:
    """Fill a fresh temporary folder, then swap it in place of ``target``.

    With ``keep_subfolders`` the sub-folders of the old ``target`` that the new
    content does not have (``latest/``, ``releases/`` of a served folder) are
    moved over by rename just before the swap, so a build never drops releases.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        fill(staging)
        os.chmod(staging, 0o755)
        if keep_subfolders and target.is_dir():
            for child in target.iterdir():
                if child.is_dir() and not child.name.startswith(".") \
                        and not (staging / child.name).exists():
                    os.replace(child, staging / child.name)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, retired / "out")
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n",
                                          encoding="utf-8")


def export_build(publication, out_dir: Path,
                 progress: Callable[[str], None] = lambda _msg: None,
                 keep_subfolders: bool = True) -> dict:
    """Write the validated publication's dumps and manifest into ``out_dir``."""
    manifest: dict = {}

    def fill(folder: Path) -> None:
        files = write_dumps(publication.dataset, folder, publication.settings, progress)
        manifest.update(build_manifest(publication, files))
        write_manifest(folder, manifest)

    atomic_folder(out_dir, fill, keep_subfolders=keep_subfolders)
    return manifest
