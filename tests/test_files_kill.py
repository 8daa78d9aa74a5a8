"""kill -9 of ``asu-graph build`` / ``release`` at each step loses nothing.

Each run is killed right after it reports a step on stderr (loading, each
dump, the finished folder, the switched link), so every step of the write
is cut at least once. After every kill the earlier files are byte-identical,
``latest`` names a complete build, and at the end the server serves.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from .files_support import assert_complete, assert_kept, assert_serves, no_staging_left, snapshot
from .support import run_cli
from .test_release import ID, change_data, data_copy


def _steps(*args: str) -> list[str]:
    """The progress lines a whole run writes (what the kills aim at)."""
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def _sigkill(process: subprocess.Popen) -> None:
    """kill -9 the process group we started, unless it is already gone."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it finished on its own first


def _kill_after(line_number: int, *args: str) -> int:
    """Start ``asu-graph ARGS``, kill -9 it after its ``line_number``-th stderr line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asu_graph", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        seen = 0
        while seen < line_number and process.stderr.readline():
            seen += 1
        _sigkill(process)
        return process.wait(30)
    finally:
        _sigkill(process)
        process.wait(30)
        process.stderr.close()


def _kill_at(seconds: float, *args: str) -> None:
    """Start ``asu-graph ARGS`` and kill -9 it after ``seconds`` (if still running)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "asu_graph", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        pass
    finally:
        _sigkill(process)
        process.wait(30)


def _kill_at_every_step(out: Path, args: list[str], before: dict) -> int:
    probe = out.parent / "probe"
    steps = len(_steps(*[a if a != str(out) else str(probe) for a in args]))
    assert steps >= 5, "too few progress lines to cut the run at each step"
    killed = 0
    for line_number in range(steps + 1):
        if _kill_after(line_number, *args) == -signal.SIGKILL:
            killed += 1
        assert_kept(before, out)
    return killed


def test_kill_9_of_build_at_every_step(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    assert run_cli("build", "--out", str(out)).returncode == 0
    assert run_cli("release", "--out", str(out), "--version", "1.0").returncode == 0
    before = snapshot(out)
    killed = _kill_at_every_step(
        out, ["build", "--out", str(out), "--data-dir", str(changed)], before
    )
    assert killed >= 3  # most runs end by the kill, not on their own
    # And at random times within a whole run (no step boundary to hide behind).
    other = data_copy(tmp_path / "other")
    change_data(other)
    (other / "alliance.ttl").write_text(
        (other / "alliance.ttl").read_text(encoding="utf-8") + "\n<" + ID + "mnhn> "
        '<http://www.w3.org/2004/02/skos/core#altLabel> "MNHN (random)"@fr .\n',
        encoding="utf-8",
    )
    started = time.monotonic()
    _steps("build", "--out", str(tmp_path / "probe-random"), "--data-dir", str(other))
    duration = time.monotonic() - started
    chance = random.Random(11)
    for _ in range(5):
        _kill_at(
            chance.uniform(0.3, 1.0) * duration,
            "build",
            "--out",
            str(out),
            "--data-dir",
            str(other),
        )
        assert_kept(before, out)
    finished = run_cli("build", "--out", str(out), "--data-dir", str(changed))
    assert finished.returncode == 0, finished.stderr
    assert_kept(before, out)
    no_staging_left(out)
    assert_serves(tmp_path, out, "--data-dir", str(changed))


def test_kill_9_of_release_at_every_step(tmp_path: Path) -> None:
    changed = data_copy(tmp_path)
    change_data(changed)
    out = tmp_path / "out"
    assert run_cli("release", "--out", str(out), "--version", "1.0").returncode == 0
    before = snapshot(out)
    args = ["release", "--out", str(out), "--data-dir", str(changed), "--version", "2.0"]
    killed = 0
    probe = tmp_path / "probe"
    steps = len(_steps("release", "--out", str(probe), "--data-dir", str(changed)))
    for line_number in range(steps + 1):
        if _kill_after(line_number, *args) == -signal.SIGKILL:
            killed += 1
        after = snapshot(out)
        for key, value in before.items():
            assert after.get(key) == value, key
        # The new release is there complete, or not at all.
        if (out / "releases" / "2.0").exists():
            assert (out / "releases" / "2.0" / "manifest.json").is_file()
            break
    assert killed >= 3
    finished = run_cli(*args)
    assert finished.returncode == 0 or "already exists" in finished.stderr, finished.stderr
    assert (out / "releases" / "2.0" / "manifest.json").is_file()
    no_staging_left(out / "releases")
    assert run_cli("build", "--out", str(out)).returncode == 0
    assert_complete(out)
    assert_serves(tmp_path, out)
