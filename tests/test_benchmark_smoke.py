"""The benchmark runs end to end on tiny data: generator, in-process stores, servers, wrk.

No timing is asserted (numbers belong to ``python -m benchmarks``); what must
hold is that every part ran, the peers answered the curated queries like
asu-graph, and the report and raw JSON were written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset

from benchmarks.generate import generate, parse_size

from .support import ROOT


def test_generator_is_deterministic_and_in_the_vocabulary(tmp_path):
    one, two, other = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    count = generate(one, 3000, seed=1)
    generate(two, 3000, seed=1)
    generate(other, 3000, seed=2)
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() != other.read_bytes()
    assert 3000 <= count < 3000 + 1500
    dataset = Dataset(default_union=True)
    dataset.parse(one, format="nquads")
    predicates = {str(p) for p in dataset.predicates(None, None)}
    for term in (
        "http://www.w3.org/ns/org#memberOf",
        "http://www.w3.org/ns/org#unitOf",
        "https://w3id.org/asu/ontology#hasResearchPartner",
        "http://purl.org/dc/terms/creator",
        "https://schema.org/attendee",
        "http://www.w3.org/2004/02/skos/core#broader",
    ):
        assert term in predicates, term


@pytest.mark.parametrize(
    "text,expected", [("5000", 5000), ("100k", 100_000), ("1m", 1_000_000), ("1.5M", 1_500_000)]
)
def test_sizes(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "k", "-3", "ten"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_bad_options_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "lots"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not a size: 'lots'" in done.stderr


def test_harness_runs_on_tiny_data(tmp_path):
    out = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--sizes",
            "2k",
            "--duration",
            "1",
            "--budget",
            "0.05",
            "--concurrency",
            "2",
            "--stores",
            "oxigraph,memory",
            "--http-stores",
            "oxigraph",
            "--data-dir",
            str(tmp_path / "data"),
            "--work-dir",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [raw] = list(out.glob("*.json"))
    [table] = list(out.glob("*.md"))
    result = json.loads(raw.read_text())
    assert result["machine"]["cores"] >= 1 and result["machine"]["python"]
    entry = result["sizes"]["2k"]
    assert [s["store"] for s in entry["stores"]] == ["oxigraph", "memory"]
    for store in entry["stores"]:
        assert "error" not in store, store
        assert store["triples"] >= 2000 and store["peak_rss_mb"] > 0
        assert all("median_ms" in q for q in store["queries"].values()), store["queries"]
    names = [s["name"] for s in entry["http"]]
    assert names == [
        "asu-graph [oxigraph]",
        "asu-graph [oxigraph, no cache]",
        "rdflib-endpoint",
        "oxigraph server",
    ]
    rows = None
    for server in entry["http"]:
        assert "error" not in server, server
        assert all(a["status"] == 200 for a in server["answers"]), server
        rows = rows or [a["rows"] for a in server["answers"]]
        assert [a["rows"] for a in server["answers"]] == rows, server["name"]
        [run] = server["runs"]
        assert run["requests"] > 0 and run["errors"] == 0, run
    assert result["real_data"]["validate_exit"] == 0
    assert "first_answer_s" in result["real_data"]
    text = table.read_text()
    assert "## Targets" in text and "rdflib-endpoint" in text and "oxigraph server" in text


@pytest.mark.skipif(
    shutil.which("wrk") is None or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
    reason="needs Debian's wrk and nginx",
)
def test_real_data_comparison_runs(tmp_path):
    out = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.realdata",
            "--duration",
            "1",
            "--concurrency",
            "1",
            "--queries",
            "members,timeline",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    raw = json.loads(next(out.glob("realdata-*.json")).read_text())
    assert set(raw["queries"]) == {"members", "timeline"}
    for entry in raw["queries"].values():
        assert entry["status"] == {"asu-graph": 200, "oxigraph server": 200}
        assert entry["rows"]["asu-graph"] == entry["rows"]["oxigraph server"] > 0
        servers = {run["server"] for run in entry["runs"]}
        assert servers == {
            "asu-graph, cache",
            "asu-graph, no cache",
            "oxigraph server",
            "nginx static",
        }
        assert all(run["requests"] > 0 and run["errors"] == 0 for run in entry["runs"])
    assert raw["first_answer_s"] > 0
    assert all(value > 0 for value in raw["memory_mib"].values())
    report = next(out.glob("realdata-*.md")).read_text()
    assert "| members |" in report and "Load average" in report
