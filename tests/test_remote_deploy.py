"""The deployment guide, followed as written: two replicas before one store.

The commands are read from the block after ``<!-- deployment-steps -->`` in
``docs/deployment.md`` and run line by line in bash, with the test's Oxigraph
server and two free ports in place of the guide's. Both replicas must then
give identical answers, through SPARQLWrapper, to every curated query.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

from .stores import OxigraphServer
from .support import ROOT, free_port

GUIDE = ROOT / "docs" / "deployment.md"
MARKER = "<!-- deployment-steps -->"


def guide_steps() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    assert MARKER in text, f"{GUIDE} lost its {MARKER} block"
    block = re.search(r"```sh\n(.*?)```", text[text.index(MARKER) :], re.DOTALL)
    assert block, "no sh block after the marker"
    return [line for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path_factory.mktemp("deploy-store")) as server:
        yield server


def _kill_leftovers(run_dir: Path) -> None:
    """Whatever happens in the test, no replica outlives it (stopped by PID)."""
    for pid_file in run_dir.glob("replica-*.pid"):
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError, PermissionError):
            pass


def answers(url: str, text: str) -> bytes:
    client = SPARQLWrapper(url + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(text)
    return client.query().response.read()


def test_two_replicas_from_the_guide_answer_identically(
    store: OxigraphServer, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    while ports[1] == ports[0]:
        ports[1] = free_port()
    substitutions = {
        "http://127.0.0.1:7878": store.base_url,
        "8001": str(ports[0]),
        "8002": str(ports[1]),
    }
    steps = guide_steps()
    assert any(s.startswith("asu-graph publish") for s in steps)
    assert any("replicas.sh start" in s for s in steps)
    assert steps[-1].startswith("deploy/replicas.sh stop")
    env = {
        **os.environ,
        "ASU_RUN_DIR": str(tmp_path / "run"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    urls = [f"http://127.0.0.1:{port}" for port in ports]

    def run(step: str) -> subprocess.CompletedProcess:
        for old, new in substitutions.items():
            step = step.replace(old, new)
        done = subprocess.run(
            ["bash", "-c", step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
        return done

    try:
        outputs = [run(step) for step in steps[:-1]]
        # The guide's own checks: both replicas answer, with the same count.
        counts = [o.stdout for o in outputs if o.args[-1].startswith("curl")]
        assert len(counts) == 2 and counts[0] == counts[1] and "n" in counts[0]
        assert "answering" in outputs[2].stdout and "NOT" not in outputs[2].stdout
        for name, query in curated_queries(Settings.from_env()).items():
            bodies = [answers(url, query.text) for url in urls]
            assert bodies[0] == bodies[1], name
            assert json.loads(bodies[0])["results"]["bindings"], name
        run(steps[-1])
        for port in ports:
            assert not (tmp_path / "run" / f"replica-{port}.pid").exists()
    finally:
        _kill_leftovers(tmp_path / "run")
