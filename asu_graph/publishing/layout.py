"""Where published files live under ``settings.out_dir`` and how they are found.

    OUT/builds/{version}/     the dumps of one version of the data (written once)
    OUT/latest                symbolic link to the newest build, ``builds/{version}``
    OUT/asu.ttl, ...          symbolic links ``latest/asu.ttl``, ... (made by ``build``)
    OUT/releases/{version}/   one folder per release (written once by ``release``)
    OUT/.asu-graph.lock       held by the one process writing into OUT

Every folder of ``builds/`` and ``releases/`` appears complete, by one rename
of a hidden staging folder, and is never changed, moved or removed after that.
A build only adds a folder and then switches the ``latest`` link with one
``os.replace``; a process killed at any point leaves either the old or the new
link, never a missing or half-written output. A server keeps serving the
folder it started with, whatever a later build points ``latest`` at.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from asu_graph.config import Settings

LATEST = "latest"
BUILDS = "builds"
RELEASES = "releases"
LOCK_NAME = ".asu-graph.lock"
# Hidden names of folders being written: never listed, never served; a writer
# holding the lock removes those a killed writer left behind.
STAGING_MARK = ".staging-"
# How long a second writer waits for the first before it gives up.
LOCK_WAIT = 300.0

# Names a release may have: they become one URL path segment and one folder.
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def latest_dir(settings: Settings) -> Path:
    return Path(settings.out_dir) / LATEST


def builds_dir(out_dir: Path) -> Path:
    return Path(out_dir) / BUILDS


class OutDirBusy(OSError):
    """Another process is writing into the out dir and did not finish in time."""


class LayoutConflict(OSError):
    """A name the layout needs is taken by something this program did not make."""


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "another asu-graph process"


@contextmanager
def writer_lock(
    out_dir: Path, what: str, wait: float = LOCK_WAIT, say: Callable[[str], None] = lambda _m: None
) -> Iterator[None]:
    """Be the only process writing into ``out_dir`` (``fcntl.flock`` on a lock file).

    A second ``build``, ``release`` or starting ``serve`` waits for the first
    (saying who it waits for) and gives up with ``OutDirBusy`` after ``wait``
    seconds. The kernel drops the lock when its holder dies, even by kill -9,
    so a crashed writer never blocks the next one.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        # A read-only out dir (or one without a free inode) that already has the
        # lock file can still be locked; writing will fail later with its own message.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            say(f"{out_dir} is being written by {holder}; waiting up to {wait:g} s ...")
            deadline = time.monotonic() + wait
            while True:
                time.sleep(0.2)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OutDirBusy(
                            errno.EBUSY,
                            f"{out_dir} is still being written by {_holder(fd)} after "
                            f"{wait:g} s; nothing was written. Try again when it is done, "
                            "or choose another output folder",
                        ) from None
            say(f"{out_dir} is free again; going on")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"asu-graph {what} (pid {os.getpid()})\n".encode(), 0)
        except OSError:
            pass  # only the message a waiting writer shows; the lock itself holds
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_stale_staging(folder: Path) -> None:
    """Remove the staging folders a killed writer left in ``folder``.

    Only hidden folders with the staging mark, which no reader ever opens;
    only while holding the out dir's lock, so no writer is still filling them;
    and only after a write that succeeded.
    """
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if not (child.name.startswith(".") and STAGING_MARK in child.name):
            continue
        if child.is_symlink():
            child.unlink(missing_ok=True)  # a link made to be renamed over ``latest``
        elif child.is_dir():
            shutil.rmtree(child, ignore_errors=True)


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
    return _releases_in(releases_dir(settings))


def _releases_in(root: Path) -> list[dict]:
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


def find_release_of(out_dir: Path, version: str, base: str) -> dict | None:
    """The newest release in ``out_dir`` of this version of the data, if any."""
    for manifest in reversed(_releases_in(Path(out_dir) / RELEASES)):
        if manifest.get("version") == version and manifest.get("base") == base:
            return manifest
    return None


def find_release(settings: Settings, version: str) -> dict | None:
    if not VERSION_PATTERN.match(version):
        return None
    for manifest in list_releases(settings):
        if manifest["release"] == version:
            return manifest
    return None
