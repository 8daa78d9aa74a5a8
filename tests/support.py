"""Real processes for the tests: servers on 127.0.0.1, stopped by their PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(
    url: str,
    timeout: float = 30.0,
    process: subprocess.Popen | None = None,
    ok: tuple[int, ...] = (200,),
) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            if requests.get(url, timeout=2).status_code in ok:
                return
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s ({last})")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process group we started, by PID: TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


@contextmanager
def asu_server(
    tmp: Path,
    *args: str,
    env: dict[str, str] | None = None,
    ready_path: str = "/sparql?query=ASK%7B%7D",
) -> Iterator[str]:
    """``asu-graph serve`` (Granian) on a free port; yields its base URL."""
    port = free_port()
    log = open(tmp / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed below
    full_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "asu_graph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--out-dir",
            str(tmp / f"out-{port}"),
            *args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=full_env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + ready_path, process=process)
        yield url
    finally:
        stop(process)
        log.close()


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "asu_graph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=timeout,
    )


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM = os.environ.get("ASU_CHROMIUM", "/usr/bin/chromium")
