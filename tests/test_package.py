"""`pip install .` (a real wheel, not editable) gives a working command anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from .support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("wheel-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    result = subprocess.run([*pip, str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return venv / "bin" / "asu-graph"


def run(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASU_")}
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_installed_wheel_validates_and_builds_from_elsewhere(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    validate = run(installed, "validate", cwd=elsewhere)
    assert validate.returncode == 0, validate.stderr
    build = run(installed, "build", "--out", "dumps", cwd=elsewhere)
    assert build.returncode == 0, build.stderr
    out = elsewhere / "dumps"
    names = {p.name for p in out.iterdir()}
    assert {
        "asu.ttl",
        "asu.nt",
        "asu.jsonld",
        "asu.trig",
        "asu.nq",
        "asu.rdf",
        "SHA256SUMS",
        "manifest.json",
    } <= names
    assert len(Graph().parse(out / "asu.ttl")) > 100
    queries = run(installed, "query", "members", "--format", "csv", cwd=elsewhere)
    assert queries.returncode == 0 and len(queries.stdout.strip().splitlines()) == 7
