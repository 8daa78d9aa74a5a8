"""The real-data HTTP comparison: what one request costs on the data people query.

Side by side, in one run, on the project's published data (the N-Quads dump
``asu-graph serve`` writes) and every runnable curated query, each sent as a
SPARQL 1.1 Protocol GET asking for SPARQL JSON, under ``wrk``:

- ``asu-graph serve`` exactly as users start it (defaults), result cache on;
- the same with the result cache off (``ASU_CACHE_SIZE=0``);
- Oxigraph server 0.5.13, read-only, union default graph, on the same N-Quads;
- nginx serving the very JSON bytes asu-graph answered, as static files: the
  limit of an HTTP answer on this machine.

For each query and each concurrency the four are measured one right after the
other, so their ratios come from the same minute of the same machine (its
load average is recorded with each measurement). Also measured: the time
from starting ``asu-graph serve`` to its first answer, and memory (asu-graph:
PSS summed over all its processes; Oxigraph: RSS).

    python -m benchmarks.realdata [--duration 3] [--concurrency 1,16] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries
from benchmarks.loadgen import run_wrk_get
from benchmarks.machine import describe
from benchmarks.servers import _tool
from tests.support import free_port, stop, wait_for_http

JSON = "application/sparql-results+json"
NGINX_CONF = """
daemon off;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
user root;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/sparql-results+json;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path %(dir)s/tmp;
    proxy_temp_path %(dir)s/tmp;
    fastcgi_temp_path %(dir)s/tmp;
    uwsgi_temp_path %(dir)s/tmp;
    scgi_temp_path %(dir)s/tmp;
    server {
        listen 127.0.0.1:%(port)d;
        root %(dir)s/static;
    }
}
"""


def _process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (children of every thread)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def _memory_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_mib(root: int) -> float:
    return sum(_memory_kib(pid, "Pss") for pid in _process_tree(root)) / 1024


def rss_mib(root: int) -> float:
    return sum(_memory_kib(pid, "Rss") for pid in _process_tree(root)) / 1024


@contextmanager
def _process(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        try:
            yield process
        finally:
            stop(process)


@contextmanager
def asu_graph(work: Path, name: str, env: dict[str, str]) -> Iterator[tuple[str, int, float]]:
    """``asu-graph serve`` with its defaults; yields (base URL, PID, seconds to first answer)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "asu_graph",
        "serve",
        "--port",
        str(port),
        "--out-dir",
        str(work / f"out-{name}"),
    ]
    started = time.perf_counter()
    with _process(command, work / f"{name}.log", env) as process:
        wait_for_http(
            f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=120, process=process
        )
        yield f"http://127.0.0.1:{port}", process.pid, time.perf_counter() - started


@contextmanager
def oxigraph(work: Path, data: Path) -> Iterator[tuple[str, int]]:
    tool = str(_tool("oxigraph"))
    subprocess.run(
        [tool, "load", "--location", str(work / "oxdb"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    command = [
        tool,
        "serve-read-only",
        "--location",
        str(work / "oxdb"),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    with _process(command, work / "oxigraph.log") as process:
        wait_for_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=60, process=process)
        yield f"http://127.0.0.1:{port}", process.pid


@contextmanager
def nginx(work: Path, files: dict[str, bytes]) -> Iterator[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise FileNotFoundError("nginx is not installed (Debian package nginx-light)")
    folder = work / "nginx"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    for name, body in files.items():
        (folder / "static" / f"{name}.json").write_bytes(body)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF % {"dir": folder, "port": port}, encoding="utf-8")
    with _process([binary, "-c", str(conf), "-p", str(folder)], work / "nginx.log") as process:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/{next(iter(files))}.json", timeout=30, process=process)
        yield url


def _rows(body: bytes) -> int | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return len(parsed["results"]["bindings"]) if "results" in parsed else 1


def run(duration: float, concurrency: list[int], out: Path, only: list[str]) -> Path:
    settings = Settings.from_env()
    queries = {
        name: q.body for name, q in curated_queries(settings).items() if not only or name in only
    }
    work = Path(tempfile.mkdtemp(prefix="asu-bench-real-"))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result: dict = {
        "kind": "real-data HTTP comparison",
        "started": stamp,
        "machine": describe(),
        "duration_s": duration,
        "concurrency": concurrency,
        "queries": {},
    }
    try:
        with (
            asu_graph(work, "cache", {}) as (cached, cached_pid, first_answer),
            asu_graph(work, "nocache", {"ASU_CACHE_SIZE": "0"}) as (uncached, uncached_pid, _),
        ):
            result["first_answer_s"] = round(first_answer, 2)
            data = work / "out-cache" / "latest" / "asu.nq"
            result["triples_file"] = data.name
            bodies, urls = {}, {}
            with oxigraph(work, data) as (ox_url, ox_pid):
                for name, text in queries.items():
                    encoded = urlencode({"query": text})
                    answer = requests.get(
                        f"{cached}/sparql?{encoded}", headers={"Accept": JSON}, timeout=60
                    )
                    ox_answer = requests.get(
                        f"{ox_url}/query?{encoded}", headers={"Accept": JSON}, timeout=60
                    )
                    bodies[name] = answer.content
                    urls[name] = {
                        "asu-graph, cache": f"{cached}/sparql?{encoded}",
                        "asu-graph, no cache": f"{uncached}/sparql?{encoded}",
                        "oxigraph server": f"{ox_url}/query?{encoded}",
                    }
                    result["queries"][name] = {
                        "status": {
                            "asu-graph": answer.status_code,
                            "oxigraph server": ox_answer.status_code,
                        },
                        "rows": {
                            "asu-graph": _rows(answer.content),
                            "oxigraph server": _rows(ox_answer.content),
                        },
                        "bytes": len(answer.content),
                        "runs": [],
                    }
                with nginx(work, bodies) as static:
                    for name in queries:
                        urls[name]["nginx static"] = f"{static}/{name}.json"
                        for c in concurrency:
                            for server, url in urls[name].items():
                                stats = run_wrk_get(url, c, duration, work, accept=JSON)
                                stats.update(server=server, load=round(os.getloadavg()[0], 2))
                                result["queries"][name]["runs"].append(stats)
                                print(
                                    f"{name:38} c={c:<3} {server:20} "
                                    f"{stats['ok_per_s']:9.0f}/s "
                                    f"p50 {stats['latency_p50_ms']:7.2f} ms "
                                    f"errors {stats['errors']}",
                                    file=sys.stderr,
                                    flush=True,
                                )
                result["memory_mib"] = {
                    "asu-graph, cache (PSS, all processes)": round(pss_mib(cached_pid), 1),
                    "asu-graph, no cache (PSS, all processes)": round(pss_mib(uncached_pid), 1),
                    "oxigraph server (RSS)": round(rss_mib(ox_pid), 1),
                }
        result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"realdata-{stamp}.json"
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    path.with_suffix(".md").write_text(report(result), encoding="utf-8")
    return path


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def report(result: dict) -> str:
    machine = result["machine"]
    servers = ["asu-graph, no cache", "asu-graph, cache", "oxigraph server", "nginx static"]
    lines = [
        f"# Real-data HTTP comparison, {result['started']}",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['os']}, Python {machine['python']}, {machine['wrk']}",
        f"- Load average at start {machine['load_average']}, at end "
        f"{machine.get('load_average_end')} (other work shares these cores; each row's "
        "servers ran one right after the other)",
        f"- wrk, GET, `Accept: {JSON}`, {result['duration_s']:g} s per measurement; "
        f"`asu-graph serve` with its defaults; Oxigraph server `serve-read-only "
        f"--union-default-graph` on the same N-Quads; nginx serving asu-graph's answer bytes",
        f"- `asu-graph serve`: first answer {result['first_answer_s']} s after the process "
        "started (build, validation, dumps, server)",
        "- Memory: " + ", ".join(f"{k} {v} MiB" for k, v in result["memory_mib"].items()),
        "",
    ]
    for c in result["concurrency"]:
        lines += [
            f"## c={c}",
            "",
            "| query | "
            + " | ".join(f"{s} req/s (p50 ms)" for s in servers)
            + " | no cache / Oxigraph p50 | no cache / Oxigraph req/s "
            "| cache / Oxigraph req/s | load |",
            "| --- " * (len(servers) + 5) + "|",
        ]
        medians: dict[str, list[float]] = {s: [] for s in servers}
        for name, entry in result["queries"].items():
            runs = {r["server"]: r for r in entry["runs"] if r["concurrency"] == c}
            if not all(s in runs for s in servers):
                continue
            cells = [
                f"{runs[s]['ok_per_s']:,.0f} ({runs[s]['latency_p50_ms']:.2f})" for s in servers
            ]
            nc, ca, ox = (runs[s] for s in servers[:3])
            lines.append(
                f"| {name} | "
                + " | ".join(cells)
                + f" | {_ratio(nc['latency_p50_ms'], ox['latency_p50_ms'])}"
                + f" | {_ratio(nc['ok_per_s'], ox['ok_per_s'])}"
                + f" | {_ratio(ca['ok_per_s'], ox['ok_per_s'])}"
                + f" | {max(r['load'] for r in runs.values())} |"
            )
            for s in servers:
                medians[s].append(runs[s]["ok_per_s"])
        if all(medians.values()):
            med = {s: statistics.median(v) for s, v in medians.items()}
            lines += [
                "",
                "Median over the queries, requests/s: "
                + ", ".join(f"{s} {v:,.0f}" for s, v in med.items())
                + ".",
            ]
        lines.append("")
    mismatched = [
        name
        for name, e in result["queries"].items()
        if e["rows"]["asu-graph"] != e["rows"]["oxigraph server"]
    ]
    lines += [
        "Rows per query agree between asu-graph and Oxigraph server"
        + (
            f" except: {', '.join(mismatched)} (Oxigraph's union default graph is a bag "
            "of quads, asu-graph's a set of triples)."
            if mismatched
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realdata")
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--queries", default="", help="comma-separated curated query names")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    path = run(
        args.duration,
        [int(c) for c in args.concurrency.split(",")],
        args.out,
        [q for q in args.queries.split(",") if q],
    )
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
