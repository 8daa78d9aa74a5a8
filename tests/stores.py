"""Real triple stores for the tests: Oxigraph server and Virtuoso on 127.0.0.1.

Each store runs in its own process group, started on free ports with its data
in a temporary folder, and is stopped by its PID. ``stop()`` then ``start()``
restarts it on the same ports with the same data (what an outage looks like
to the front ends).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests

from .support import free_port, stop, wait_for_http

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"


def oxigraph_binary() -> str:
    """The ``oxigraph`` server command installed with the PyPI package of that name."""
    candidate = Path(sys.executable).with_name("oxigraph")
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server is missing: pip install -e '.[test]' installs it")
    return found


class StoreProcess:
    """A store server we start and stop by PID; subclasses say how to run it."""

    name = "store"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready_url(self) -> str:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> None:
        self._log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,
        )
        wait_for_http(self.ready_url(), timeout=timeout, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, grace=30.0)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> StoreProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class OxigraphServer(StoreProcess):
    """``oxigraph serve``: SPARQL at /query, updates at /update, Graph Store at /store."""

    name = "oxigraph"

    def command(self) -> list[str]:
        return [
            oxigraph_binary(),
            "serve",
            "--location",
            str(self.folder / "db"),
            "--bind",
            f"127.0.0.1:{self.http_port}",
        ]

    def ready_url(self) -> str:
        return self.base_url + "/query?query=ASK%7B%7D"

    @property
    def query_url(self) -> str:
        return self.base_url + "/query"

    @property
    def gsp_url(self) -> str:
        return self.base_url + "/store"


class Virtuoso(StoreProcess):
    """Debian's Virtuoso 7 from a private copy of its ini: both ports on 127.0.0.1."""

    name = "virtuoso"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.sql_port = free_port()
        self.ini = self.folder / "virtuoso.ini"
        self.ini.write_text(self._config(), encoding="utf-8")

    def _config(self) -> str:
        db = self.folder / "db"
        db.mkdir(exist_ok=True)
        settings = {
            "Database": {
                "DatabaseFile": db / "virtuoso.db",
                "ErrorLogFile": db / "virtuoso.log",
                "LockFile": db / "virtuoso.lck",
                "TransactionFile": db / "virtuoso.trx",
                "xa_persistent_file": db / "virtuoso.pxa",
            },
            "TempDatabase": {
                "DatabaseFile": db / "virtuoso-temp.db",
                "TransactionFile": db / "virtuoso-temp.trx",
            },
            "Parameters": {
                "ServerPort": f"127.0.0.1:{self.sql_port}",
                "DirsAllowed": f"., {db}",
                "NumberOfBuffers": 10000,
                "MaxDirtyBuffers": 6000,
            },
            "HTTPServer": {"ServerPort": f"127.0.0.1:{self.http_port}"},
        }
        section = None
        lines = []
        for line in VIRTUOSO_INI.read_text(encoding="utf-8").splitlines():
            header = re.match(r"\s*\[(\w+)\]", line)
            if header:
                section = header.group(1)
            else:
                key = re.match(r"\s*(\w+)\s*=", line)
                if key and key.group(1) in settings.get(section, {}):
                    line = f"{key.group(1)} = {settings[section][key.group(1)]}"
            lines.append(line)
        return "\n".join(lines) + "\n"

    def command(self) -> list[str]:
        return ["virtuoso-t", "+foreground", "+configfile", str(self.ini)]

    def ready_url(self) -> str:
        return self.base_url + "/sparql?query=ASK%7B%7D"

    @property
    def query_url(self) -> str:
        return self.base_url + "/sparql"

    @property
    def gsp_url(self) -> str:
        return self.base_url + "/sparql-graph-crud-auth"

    def isql(self, statement: str) -> str:
        done = subprocess.run(
            [
                "isql-vt",
                f"127.0.0.1:{self.sql_port}",
                VIRTUOSO_USER,
                VIRTUOSO_PASSWORD,
                f"exec={statement}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout


class AuthProxy(StoreProcess):
    """``tests/auth_proxy.py`` in front of a store: Basic auth or a bearer token."""

    name = "auth-proxy"

    def __init__(
        self, folder: Path, upstream: str, *, user: str, password: str, token: str = ""
    ) -> None:
        super().__init__(folder)
        self.upstream = upstream
        self.env = {"PROXY_USER": user, "PROXY_PASSWORD": password, "PROXY_TOKEN": token}

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tests.auth_proxy", str(self.http_port), self.upstream]

    def start(self, timeout: float = 30.0) -> None:
        self._log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        wait_for_http(self.base_url + "/", timeout=timeout, process=self.process, ok=(401,))


def count_graph(query_url: str, graph: str) -> int:
    """Triples in one named graph of a store, asked over the SPARQL protocol."""
    answer = requests.post(
        query_url,
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def count_all(query_url: str) -> int:
    """Quads in every named graph of a store (what a failed publish must not change)."""
    answer = requests.post(
        query_url,
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


__all__ = ["AuthProxy", "OxigraphServer", "Virtuoso", "count_all", "count_graph", "oxigraph_binary"]
