"""The README's serve command builds, validates and answers SPARQL on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import requests

from .support import ROOT, free_port, stop, wait_for_http


def test_dev_sh_serve_answers_sparql_json(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / "dev.sh"), "serve", "--port", str(port), "--out-dir", str(tmp_path / "out")],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "ASU_WORKERS": "1"},
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for_http(url + "?query=ASK%7B%7D", timeout=120, process=process)
        response = requests.get(
            url,
            params={
                "query": (
                    "SELECT ?m WHERE { <https://w3id.org/asu/id/alliance-sorbonne-universite> "
                    "<http://www.w3.org/ns/org#hasMember> ?m }"
                )
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/sparql-results+json")
        members = {b["m"]["value"] for b in response.json()["results"]["bindings"]}
        assert "https://w3id.org/asu/id/mnhn" in members and len(members) == 6
        assert response.headers["Server"].startswith("granian")
        # serve publishes into OUT/latest so that OUT/releases is never touched
        assert (tmp_path / "out" / "latest" / "asu.ttl").exists()
    finally:
        stop(process)
        log.close()
    assert "valid:" in (tmp_path / "serve.log").read_text(errors="replace")
