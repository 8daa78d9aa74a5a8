"""What the output-folder tests share: snapshots, mounts, and checks a user would make."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from .support import asu_server

# Rewritten by every writer (who holds the lock); it is not an output file.
LOCK_NAME = ".asu-graph.lock"


def snapshot(out: Path) -> dict[str, object]:
    """Every entry under ``out``: bytes of regular files, targets of links (not followed)."""
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(out):
        for name in dirs + files:
            path = Path(folder) / name
            key = str(path.relative_to(out))
            if key == LOCK_NAME:
                continue
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_file():
                found[key] = path.read_bytes()
            else:
                found[key] = ("dir",)
    return found


def assert_kept(before: dict[str, object], out: Path, latest_may_move: bool = True) -> None:
    """Every file and folder of ``before`` is still there, byte for byte."""
    after = snapshot(out)
    for key, value in before.items():
        if key == "latest" and latest_may_move:
            continue
        assert key in after, f"{key} was removed"
        assert after[key] == value, f"{key} changed"
    assert_complete(out)


def assert_complete(out: Path) -> dict:
    """``OUT/latest`` names a complete build whose every file matches SHA256SUMS."""
    latest = out / "latest"
    assert latest.is_symlink(), "OUT/latest is missing"
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    sums = (latest / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) == len(manifest["files"])
    for line in sums:
        digest, name = line.split()
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == digest, name
        assert manifest["files"][name]["sha256"] == digest, name
    # The names users open at the top of OUT follow the link.
    assert (out / "asu.ttl").read_bytes() == (latest / "asu.ttl").read_bytes()
    return manifest


def no_staging_left(out: Path) -> None:
    left = [p for p in out.rglob("*") if ".staging-" in p.name]
    assert not left, f"staging folders left behind: {left}"


def assert_serves(tmp: Path, out: Path, *args: str) -> dict:
    """Start ``asu-graph serve`` on ``out``: every listed download has its listed checksum."""
    with asu_server(tmp, "--out-dir", str(out), *args) as url:
        return check_downloads(url)


def check_downloads(url: str) -> dict:
    index = requests.get(url + "/download/", headers={"Accept": "application/json"}, timeout=30)
    assert index.status_code == 200, index.text
    listing = index.json()
    assert listing["files"]
    for row in listing["files"]:
        response = requests.get(row["url"], timeout=30)
        assert response.status_code == 200, row["name"]
        assert hashlib.sha256(response.content).hexdigest() == row["sha256"], row["name"]
    return listing


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(
            f"mount {' '.join(args)} is not permitted here: {result.stderr.strip()} "
            "(these tests need root or a user namespace with CAP_SYS_ADMIN)"
        )


def _umount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


@contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A fresh tmpfs at ``path`` (e.g. ``size=8m`` or ``nr_inodes=400``), unmounted after."""
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", options, "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` made read-only by a bind mount on itself (root ignores file modes)."""
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,bind,ro", str(path))
        yield path
    finally:
        _umount(path)


@contextmanager
def bind_mounted(path: Path) -> Iterator[Path]:
    """``path`` as a mount point: it cannot be renamed or removed while mounted."""
    _mount("--bind", str(path), str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill_space(disk: Path, leave: int) -> None:
    """Fill the file system of ``disk`` up to ``leave`` free bytes."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with (disk / "filler").open("wb") as handle:
        remaining = max(free - leave, 0)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            chunk = block[:remaining]
            try:
                handle.write(chunk)
                handle.flush()
            except OSError:
                break
            remaining -= len(chunk)


def fill_inodes(disk: Path, leave: int) -> list[Path]:
    """Use every free inode of ``disk`` but ``leave``."""
    folder = disk / "inodes"
    folder.mkdir()
    made = []
    while True:
        path = folder / str(len(made))
        try:
            path.touch()
        except OSError:
            break
        made.append(path)
    for path in made[-leave:]:
        path.unlink()
    return made
