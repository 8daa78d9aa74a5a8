"""One writer per out dir, and every server's index matches the bytes it serves."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from asu_graph.publishing.layout import LOCK_NAME, OutDirBusy, writer_lock

from .files_support import assert_complete, check_downloads
from .support import asu_server, run_cli
from .test_release import change_data, data_copy


def _hold_lock(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.write(fd, b"asu-graph release (pid 4242)\n")
    return fd


def test_a_second_build_waits_for_the_writer_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fd = _hold_lock(out)
    process = subprocess.Popen(
        [sys.executable, "-m", "asu_graph", "build", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "waiting" in line:
                break
        assert "being written by asu-graph release (pid 4242)" in "".join(lines), lines
        assert process.poll() is None  # it waits
        assert not (out / "latest").exists()  # and writes nothing meanwhile
        os.close(fd)  # the other writer is done
        rest = process.communicate(timeout=120)[1]
        assert process.returncode == 0, rest
        assert "free again" in rest
        assert_complete(out)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def test_a_writer_that_waits_too_long_refuses_with_a_message(tmp_path: Path) -> None:
    fd = _hold_lock(tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(OutDirBusy) as refused, writer_lock(tmp_path, "build", wait=0.5):
            pytest.fail("the lock was taken twice")
        assert time.monotonic() - started < 60  # gave up, did not hang
        message = str(refused.value)
        assert "still being written by asu-graph release (pid 4242)" in message
        assert "nothing was written" in message
    finally:
        os.close(fd)
    with writer_lock(tmp_path, "build", wait=0.5):  # free again: taken at once
        pass


def test_a_killed_writer_never_blocks_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from asu_graph.publishing.layout import writer_lock\n"
            "with writer_lock(Path(sys.argv[1]), 'build'):\n"
            "    print('held', flush=True); time.sleep(600)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutDirBusy):
            with writer_lock(out, "build", wait=0.3):
                pass
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(30)
        with writer_lock(out, "build", wait=30):
            pass
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait(30)
        holder.stdout.close()


def test_two_servers_on_one_out_dir_each_list_what_they_serve(tmp_path: Path) -> None:
    """Different data, one out dir: neither rewrites what the other serves."""
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    with asu_server(tmp_path, "--out-dir", str(out)) as first:
        before = check_downloads(first)
        with asu_server(tmp_path, "--out-dir", str(out), "--data-dir", str(changed)) as second:
            other = check_downloads(second)
            assert other["version"] != before["version"]
            # latest now names the second server's build; the first serves its own.
            assert os.path.realpath(out / "latest").endswith(other["version"])
            assert check_downloads(first) == before
            # A build and a release while both run change neither index.
            assert run_cli("build", "--out", str(out)).returncode == 0
            assert run_cli("release", "--out", str(out), "--version", "1.0").returncode == 0
            assert check_downloads(first) == before
            assert check_downloads(second) == other
            listed = requests.get(
                first + "/download/releases/", headers={"Accept": "application/json"}, timeout=30
            ).json()
            assert [r["version"] for r in listed["releases"]] == ["1.0"]
    assert_complete(out)
