"""A newcomer's first steps: clone, ``pip install .`` in a fresh venv, serve from an empty folder.

The clone is of this checkout's last commit (what a user would get), without
``node_modules``: the wheel build has to bring the query editor itself. The
server then runs with no settings at all, from a folder that holds nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from .support import ROOT, free_port, stop, wait_for_http

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    # Nothing of the test run leaks into the newcomer's shell: no settings, no
    # PYTHONPATH pointing at this checkout, no virtualenv of ours.
    drop = ("ASU_", "PYTHON", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    # npm reads the packages of package-lock.json from its cache when it has them.
    env["npm_config_prefer_offline"] = "true"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The venv of a clean clone installed with ``pip install .``; yields its bin folder."""
    if shutil.which("git") is None or shutil.which("npm") is None:
        pytest.fail("the newcomer test needs git and npm (./dev.sh test installs them)")
    base = tmp_path_factory.mktemp("newcomer")
    clone = base / "clone"
    env = _clean_env()
    subprocess.run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        env=env,
        timeout=120,
    )
    assert not (clone / "node_modules").exists()
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    bin_dir = base / "venv" / "bin"
    done = subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", "."],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield bin_dir


@pytest.fixture(scope="module")
def newcomer_server(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    empty = tmp_path_factory.mktemp("empty-folder")
    port = free_port()
    log = (empty.parent / f"newcomer-{port}.log").open("wb")
    process = subprocess.Popen(
        [str(installed / "asu-graph"), "serve", "--port", str(port)],
        cwd=empty,
        env=_clean_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/sparql?query=ASK%7B%7D", timeout=180, process=process)
        yield url
    finally:
        stop(process)
        log.close()


def test_the_installed_package_is_not_this_checkout(installed: Path) -> None:
    # From another folder: ``python -c`` puts the working directory on sys.path.
    where = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import asu_graph, sys; sys.stdout.write(asu_graph.__file__)",
        ],
        cwd=installed,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout


def test_landing_page(newcomer_server: str) -> None:
    response = requests.get(newcomer_server + "/", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Alliance Sorbonne" in response.text


def test_query_page_has_the_editor(newcomer_server: str) -> None:
    page = requests.get(newcomer_server + "/query", timeout=30)
    assert page.status_code == 200
    assert 'id="editor-missing"' not in page.text and "npm" not in page.text
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
    styles = re.findall(r'<link[^>]+href="([^"]+yasgui[^"]+)"', page.text)
    editor = [s for s in scripts if s.endswith("/yasgui.min.js")]
    assert editor and styles, scripts
    script = requests.get(newcomer_server + editor[0], timeout=30)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert len(script.content) > 100_000 and b"Yasgui" in script.content
    style = requests.get(newcomer_server + styles[0], timeout=30)
    assert style.status_code == 200 and style.headers["Content-Type"].startswith("text/css")


def test_a_download_matches_its_checksum(newcomer_server: str) -> None:
    index = requests.get(
        newcomer_server + "/download/", headers={"Accept": "application/json"}, timeout=30
    ).json()
    entry = next(f for f in index["files"] if f["name"] == "asu.ttl")
    body = requests.get(entry["url"], timeout=60)
    assert body.status_code == 200, body.text
    assert hashlib.sha256(body.content).hexdigest() == entry["sha256"]


def test_a_sparql_answer(newcomer_server: str) -> None:
    sparql = SPARQLWrapper(newcomer_server + "/sparql")
    sparql.setReturnFormat(JSON)
    sparql.setQuery(
        "SELECT ?m WHERE { <https://w3id.org/asu/id/alliance-sorbonne-universite> "
        "<http://www.w3.org/ns/org#hasMember> ?m }"
    )
    members = {row["m"]["value"] for row in sparql.queryAndConvert()["results"]["bindings"]}
    assert "https://w3id.org/asu/id/mnhn" in members and len(members) == 6
