"""A failed build or release never deletes or moves what was there before.

Real failures on real file systems: a full tmpfs, a tmpfs without free
inodes, a read-only sub-folder (bind mount), a busy one (a mount point and a
file held open). Afterwards every earlier file is byte-identical, ``latest``
names a complete build, and the server still serves every file with its
listed checksum.
"""

from __future__ import annotations

import os
from pathlib import Path

from .files_support import (
    assert_complete,
    assert_kept,
    assert_serves,
    bind_mounted,
    fill_inodes,
    fill_space,
    no_staging_left,
    read_only,
    snapshot,
    tmpfs,
)
from .support import run_cli
from .test_release import change_data, data_copy


def _build(out: Path, data: Path | None = None):
    args = ["build", "--out", str(out)]
    if data is not None:
        args += ["--data-dir", str(data)]
    return run_cli(*args)


def test_full_disk_fails_the_build_and_keeps_everything(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    with tmpfs(tmp_path / "disk", "size=16m") as disk:
        out = disk / "out"
        assert _build(out).returncode == 0
        first = run_cli("release", "--out", str(out), "--version", "1.0")
        assert first.returncode == 0, first.stderr
        # What a build killed earlier left: only a build that succeeds removes it.
        left = out / "builds" / ".0123456789abcdef.staging-killed"
        left.mkdir()
        (left / "asu.ttl").write_bytes(b"half")
        before = snapshot(out)
        # Room for a few dumps of the next build, not for all of them.
        fill_space(disk, leave=300_000)
        failed = _build(out, changed)
        assert failed.returncode == 4, failed.stderr
        assert "No space left on device" in failed.stderr
        assert "Nothing was written" in failed.stderr
        assert snapshot(out) == before  # no trace of the failed build, nothing moved
        release = run_cli("release", "--out", str(out), "--data-dir", str(changed))
        assert release.returncode == 4 and "No space left on device" in release.stderr
        assert snapshot(out) == before
        assert_complete(out)
        # The server of the same data needs no new file: it starts on the full disk,
        # and having started it tidies up what the killed build left.
        assert_serves(tmp_path, out)
        assert not left.exists()
        before = {k: v for k, v in before.items() if ".staging-" not in k}
        assert_kept(before, out, latest_may_move=False)
        (disk / "filler").unlink()
        again = _build(out, changed)
        assert again.returncode == 0, again.stderr
        assert_kept(before, out)
        no_staging_left(out)


def test_no_free_inode_fails_the_build_and_keeps_everything(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    with tmpfs(tmp_path / "disk", "size=64m,nr_inodes=400") as disk:
        out = disk / "out"
        assert _build(out).returncode == 0
        before = snapshot(out)
        fill_inodes(disk, leave=5)  # the staging folder and a few dumps, no more
        failed = _build(out, changed)
        assert failed.returncode == 4, failed.stderr
        assert "No space left on device" in failed.stderr
        assert snapshot(out) == before
        assert_complete(out)
        assert_serves(tmp_path, out)


def test_read_only_builds_folder_fails_the_build_and_keeps_everything(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    assert _build(out).returncode == 0
    before = snapshot(out)
    with read_only(out / "builds"):
        failed = _build(out, changed)
        assert failed.returncode == 4, failed.stderr
        assert "Read-only file system" in failed.stderr
        assert snapshot(out) == before
    assert_complete(out)


def test_read_only_releases_folder_fails_the_release_and_keeps_everything(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    assert run_cli("release", "--out", str(out), "--version", "1.0").returncode == 0
    before = snapshot(out)
    with read_only(out / "releases"):
        failed = run_cli("release", "--out", str(out), "--data-dir", str(changed))
        assert failed.returncode == 4, failed.stderr
        assert "Read-only file system" in failed.stderr
        assert snapshot(out) == before


def test_busy_folders_do_not_stop_a_build_and_are_not_touched(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    assert _build(out).returncode == 0
    assert run_cli("release", "--out", str(out), "--version", "1.0").returncode == 0
    before = snapshot(out)
    old_build = os.path.realpath(out / "latest")
    # releases/ is a mount point (it cannot be renamed) and a dump is open for reading.
    with bind_mounted(out / "releases"), (out / "latest" / "asu.nt").open("rb") as held:
        done = _build(out, changed)
        assert done.returncode == 0, done.stderr
        held.seek(0)
        assert held.read() == before[os.path.relpath(Path(old_build) / "asu.nt", out)]
        assert_kept(before, out)
        assert os.path.realpath(out / "latest") != old_build
        release = run_cli("release", "--out", str(out), "--data-dir", str(changed))
        assert release.returncode == 0, release.stderr
        assert_kept(before, out)
    no_staging_left(out)
    assert_serves(tmp_path, out, "--data-dir", str(changed))


def test_an_older_latest_folder_is_never_moved(tmp_path: Path) -> None:
    """``OUT/latest`` as a real folder (an older layout): left as it is, with a message."""
    out = tmp_path / "out"
    (out / "latest").mkdir(parents=True)
    (out / "latest" / "asu.ttl").write_text("kept\n", encoding="utf-8")
    (out / "asu.ttl").write_text("mine\n", encoding="utf-8")
    before = snapshot(out)
    refused = _build(out)
    assert refused.returncode == 4
    assert "left as it is" in refused.stderr and "Nothing was written" in refused.stderr
    assert snapshot(out) == before
    listing = assert_serves(tmp_path, out)  # serves its own build folder
    assert (out / "latest" / "asu.ttl").read_text(encoding="utf-8") == "kept\n"
    assert (out / "asu.ttl").read_text(encoding="utf-8") == "mine\n"
    assert (out / "builds" / listing["version"] / "asu.ttl").is_file()
