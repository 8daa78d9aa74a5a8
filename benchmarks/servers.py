"""The HTTP servers compared: asu-graph with each store, rdflib-endpoint, Oxigraph server.

Each one is started on a free 127.0.0.1 port in its own process group, given
the same N-Quads file, and stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from tests.support import free_port, stop

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class ServerSpec:
    name: str
    kind: str  # "asu-graph", "rdflib-endpoint", "oxigraph-server"
    path: str  # where the SPARQL endpoint answers
    store: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def command(self, data: Path, port: int, work: Path) -> list[str]:
        if self.kind == "asu-graph":
            return [
                sys.executable,
                "-m",
                "benchmarks.serve",
                str(data),
                "--store",
                self.store,
                "--port",
                str(port),
            ]
        if self.kind == "rdflib-endpoint":
            return [
                str(_tool("rdflib-endpoint")),
                "serve",
                str(data),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
        if self.kind == "oxigraph-server":
            return [
                str(_tool("oxigraph")),
                "serve-read-only",
                "--location",
                str(work / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ]
        raise ValueError(self.kind)


def _tool(name: str) -> Path:
    found = BIN / name
    if found.exists():
        return found
    other = shutil.which(name)
    if other is None:
        raise FileNotFoundError(
            f"{name} not found: install the bench extra (pip install -e '.[bench]')"
        )
    return Path(other)


def default_servers(asu_stores: list[str], peers: list[str]) -> list[ServerSpec]:
    servers = []
    for store in asu_stores:
        servers.append(ServerSpec(f"asu-graph [{store}]", "asu-graph", "/sparql", store))
        if store == "oxigraph":
            # The same without the result cache: what the engine path costs.
            servers.append(
                ServerSpec(
                    "asu-graph [oxigraph, no cache]",
                    "asu-graph",
                    "/sparql",
                    store,
                    {"ASU_CACHE_SIZE": "0"},
                )
            )
    if "rdflib-endpoint" in peers:
        servers.append(ServerSpec("rdflib-endpoint", "rdflib-endpoint", "/"))
    if "oxigraph-server" in peers:
        servers.append(ServerSpec("oxigraph server", "oxigraph-server", "/query"))
    return servers


def prepare_oxigraph_server(data: Path, work: Path) -> float:
    """``oxigraph load`` into a fresh folder; returns the seconds it took."""
    db = work / "db"
    shutil.rmtree(db, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [str(_tool("oxigraph")), "load", "--location", str(db), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


@dataclass
class Running:
    spec: ServerSpec
    url: str  # full endpoint URL
    startup_s: float  # process start to first answered query
    prepare_s: float = 0.0  # separate load step (oxigraph load)
    log: Path | None = None


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local address is HEX_IP:HEX_PORT; state 0A is LISTEN
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    return inodes


def owns_port(process: subprocess.Popen, port: int) -> bool:
    """Whether our process group is the one listening on ``port``.

    A server that loads for minutes binds late; meanwhile another program
    may take the same free port, and its answers must not be measured.
    """
    inodes = _listening_inodes(port)
    if not inodes:
        return False
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != process.pid:
                continue
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
        except (OSError, ProcessLookupError):
            continue
    return False


def _ready(url: str, process: subprocess.Popen, timeout: float) -> None:
    probe = url + "?query=" + quote("ASK { ?s ?p ?o }")
    port = int(url.split(":")[2].split("/")[0])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        try:
            if requests.get(
                probe, timeout=5, headers={"Accept": "application/sparql-results+json"}
            ).ok and owns_port(process, port):
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


@contextmanager
def running(spec: ServerSpec, data: Path, work: Path, timeout: float = 600) -> Iterator[Running]:
    work.mkdir(parents=True, exist_ok=True)
    prepare_s = prepare_oxigraph_server(data, work) if spec.kind == "oxigraph-server" else 0.0
    port = free_port()
    log = work / f"{spec.kind}-{port}.log"
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            spec.command(data, port, work),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **spec.env},
            cwd=Path.cwd(),
        )
        try:
            url = f"http://127.0.0.1:{port}{spec.path}"
            _ready(url, process, timeout)
            yield Running(spec, url, time.perf_counter() - start, prepare_s, log)
        finally:
            stop(process)
