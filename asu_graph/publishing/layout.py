"""Where published files live under ``settings.out_dir`` and how they are found.

    OUT/latest/               dumps of the graph being served (rewritten by ``serve``)
    OUT/releases/{version}/   one folder per release (written once by ``release``)

``serve`` only ever swaps ``OUT/latest``; releases are separate folders that
are created by a single rename and never rewritten, so restarting the server
or a failed release cannot lose a published release.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import Settings

LATEST = "latest"
RELEASES = "releases"

# Names a release may have: they become one URL path segment and one folder.
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def latest_dir(settings: Settings) -> Path:
    return Path(settings.out_dir) / LATEST


def releases_dir(settings: Settings) -> Path:
    return Path(settings.out_dir) / RELEASES


def read_manifest(folder: Path) -> dict | None:
    """The folder's ``manifest.json``, or None when missing or unreadable."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def served_file(folder: Path, manifest: dict, name: str) -> Path | None:
    """The path of ``name`` if, and only if, the manifest lists it (or it is the manifest).

    Names never come from the request path alone: a name that the manifest
    does not list, or that could leave the folder, is simply not found.
    """
    if name not in manifest["files"] and name not in ("manifest.json", "SHA256SUMS"):
        return None
    if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        return None
    path = folder / name
    try:
        if path.resolve().parent != folder.resolve() or not path.is_file():
            return None
    except OSError:
        return None
    return path


def list_releases(settings: Settings) -> list[dict]:
    """Every complete release, oldest first; each manifest gets its ``folder``.

    A release folder counts only when its manifest names the folder's own
    version: half-written temporary folders (dot names) are never listed.
    """
    root = releases_dir(settings)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        if child.name.startswith(".") or not VERSION_PATTERN.match(child.name):
            continue
        manifest = read_manifest(child)
        if manifest is None or manifest.get("release") != child.name:
            continue
        found.append({**manifest, "folder": str(child)})
    # ``sequence`` counts releases in the order they were made (dates may tie).
    found.sort(key=lambda m: (m.get("sequence", 0), m.get("released", ""), m["release"]))
    return found


def find_release(settings: Settings, version: str) -> dict | None:
    if not VERSION_PATTERN.match(version):
        return None
    for manifest in list_releases(settings):
        if manifest["release"] == version:
            return manifest
    return None
