"""``python -m benchmarks``: one run, same data and queries for every engine and server.

For each size: generate the data (once, cached under benchmarks/data/), then
  1. each store in its own process: load time, peak RSS, per-query median/p95;
  2. each HTTP server (asu-graph with each store, rdflib-endpoint, Oxigraph
     server) on loopback under wrk at each concurrency, on the curated queries;
and once per run: build + SHACL validation of the real data, and the time
``asu-graph serve`` takes to answer its first query.
Writes results/<stamp>.json (raw) and results/<stamp>.md (tables, ratios,
targets) and prints the Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from . import machine, report
from .generate import ensure_data, parse_size
from .loadgen import run_wrk
from .queries import all_queries, curated
from .servers import default_servers, running

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Load time, memory, query latency and HTTP throughput of asu-graph's "
        "stores next to rdflib-endpoint and Oxigraph server, in one run.",
    )
    parser.add_argument(
        "--sizes", default="100k,1m", help="triples per dataset, comma-separated (default 100k,1m)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="short runs: 3 s per wrk run, 0.5 s per query, c=1,16"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds per wrk run (default 10; 3 with --quick)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds spent repeating each query in process (default 2; 0.5 with --quick)",
    )
    parser.add_argument(
        "--concurrency", default="1,16", help="wrk connections, comma-separated (default 1,16)"
    )
    parser.add_argument(
        "--stores",
        default="oxigraph,oxigraph:DIR,oxrdflib,memory",
        help="stores measured in process",
    )
    parser.add_argument(
        "--http-stores",
        default="oxigraph,oxrdflib,memory",
        help="stores asu-graph is served with over HTTP",
    )
    parser.add_argument(
        "--peers",
        default="rdflib-endpoint,oxigraph-server",
        help="peer servers (rdflib-endpoint, oxigraph-server; 'none')",
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work")
    parser.add_argument(
        "--out", type=Path, default=HERE / "results", help="where the JSON and Markdown results go"
    )
    return parser


# -- parts ------------------------------------------------------------------


def measure_in_process(
    store: str, data: Path, queries_file: Path, budget: float, timeout: float
) -> dict:
    command = [
        sys.executable,
        "-m",
        "benchmarks.inprocess",
        store,
        str(data),
        str(queries_file),
        "--budget",
        str(budget),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"store": store, "error": f"did not finish within {timeout:.0f}s"}
    if done.returncode != 0:
        return {"store": store, "error": done.stderr.strip()[-500:]}
    return json.loads(done.stdout)


def _rows(response: requests.Response) -> int | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if "boolean" in data:
        return int(bool(data["boolean"]))
    return len(data.get("results", {}).get("bindings", []))


def measure_server(
    spec, data: Path, texts: list[str], concurrency: list[int], duration: float, work: Path
) -> dict:
    out: dict = {"name": spec.name, "kind": spec.kind, "store": spec.store}
    try:
        with running(spec, data, work) as server:
            out["startup_s"] = server.startup_s
            out["prepare_s"] = server.prepare_s
            answers = []
            for text in texts:  # one warm-up pass, also a correctness check
                response = requests.post(
                    server.url,
                    data={"query": text},
                    timeout=120,
                    headers={"Accept": "application/sparql-results+json"},
                )
                answers.append({"status": response.status_code, "rows": _rows(response)})
            out["answers"] = answers
            out["runs"] = []
            for connections in concurrency:
                say(f"  {spec.name}: wrk -c {connections} -d {duration:g}s")
                out["runs"].append(run_wrk(server.url, texts, connections, duration, work))
    except Exception as exc:  # noqa: BLE001 - one server failing must not lose the run
        out["error"] = f"{type(exc).__name__}: {exc}"[:500]
    return out


def measure_real_data(work: Path) -> dict:
    """Build + SHACL validation of the real data, and ``asu-graph serve``'s first answer."""
    out: dict = {}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "asu_graph", "validate"], capture_output=True, text=True, cwd=ROOT
    )
    out["validate_command_s"] = time.perf_counter() - start
    out["validate_exit"] = done.returncode

    from asu_graph.config import Settings
    from asu_graph.publication import build_and_validate

    start = time.perf_counter()
    publication = build_and_validate(Settings.from_env())
    out["build_and_validate_s"] = time.perf_counter() - start
    out["triples"] = publication.triple_count
    out["timings"] = publication.timings

    # Twice on the same output folder: the first start writes the dumps, a
    # restart of the same version finds them and skips that step.
    work.mkdir(parents=True, exist_ok=True)
    for key in ("first_answer_s", "restart_first_answer_s"):
        seconds = _first_answer(work)
        if isinstance(seconds, str):
            out[key.replace("_s", "_error")] = seconds
        else:
            out[key] = seconds
    return out


def _first_answer(work: Path) -> float | str:
    """Seconds from starting ``asu-graph serve`` to its first answered query."""
    from tests.support import free_port, stop

    port = free_port()
    probe = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D"
    with open(work / f"serve-{port}.log", "wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "asu_graph",
                "serve",
                "--port",
                str(port),
                "--out-dir",
                str(work / "serve-out"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
        try:
            while time.perf_counter() - start < 120:
                if process.poll() is not None:
                    return f"serve exited with {process.returncode}"
                try:
                    if requests.get(probe, timeout=2).ok:
                        return time.perf_counter() - start
                except requests.RequestException:
                    pass
                time.sleep(0.02)
            return "no answer within 120 s"
        finally:
            stop(process)


# -- the run ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        sizes = _list(args.sizes)
        for size in sizes:
            parse_size(size)
        concurrency = [int(c) for c in _list(args.concurrency)]
        if not concurrency or min(concurrency) < 1:
            raise ValueError("concurrency must be positive integers")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    duration = args.duration or (3.0 if args.quick else 10.0)
    budget = args.budget or (0.5 if args.quick else 2.0)
    stores = _list(args.stores)
    http_stores = _list(args.http_stores)
    peers = [] if args.peers.strip() == "none" else _list(args.peers)

    started = datetime.now(UTC).replace(microsecond=0)
    result: dict = {
        "started": started.isoformat(),
        "machine": machine.describe(),
        "settings": {
            "sizes": sizes,
            "duration_s": duration,
            "query_budget_s": budget,
            "concurrency": concurrency,
            "seed": args.seed,
            "stores": stores,
            "http_stores": http_stores,
            "peers": peers,
        },
        "queries": [
            {"name": q.name, "group": q.group, "kind": q.kind, "text": q.text}
            for q in all_queries()
        ],
        "sizes": {},
    }
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    partial = args.out / f"{stamp}.partial.json"

    def checkpoint() -> None:
        # A run takes many minutes: keep what was measured if it is interrupted.
        partial.write_text(json.dumps(result, indent=1), encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="bench-", dir=work) as tmp:
        tmp_path = Path(tmp)
        say("real data: build + validation, first answer after `asu-graph serve`")
        result["real_data"] = measure_real_data(tmp_path / "real")
        queries_file = tmp_path / "queries.json"
        queries_file.write_text(json.dumps(result["queries"]), encoding="utf-8")
        texts = [q.text for q in curated()]
        for size in sizes:
            say(f"size {size}: generating (seed {args.seed})")
            start = time.perf_counter()
            data = ensure_data(args.data_dir, size, args.seed)
            entry: dict = {
                "file": data.name,
                "bytes": data.stat().st_size,
                "generate_s": time.perf_counter() - start,
                "stores": [],
                "http": [],
            }
            for store in stores:
                say(f"size {size}: {store} in process")
                entry["stores"].append(
                    measure_in_process(store, data, queries_file, budget, timeout=1800)
                )
                result["sizes"][size] = entry
                checkpoint()
            if not args.no_http:
                for spec in default_servers(http_stores, peers):
                    say(f"size {size}: HTTP {spec.name}")
                    entry["http"].append(
                        measure_server(
                            spec, data, texts, concurrency, duration, tmp_path / "servers"
                        )
                    )
                    checkpoint()
            result["sizes"][size] = entry
    result["finished"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]

    (args.out / f"{stamp}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    markdown = report.markdown(result)
    (args.out / f"{stamp}.md").write_text(markdown, encoding="utf-8")
    partial.unlink(missing_ok=True)
    print(markdown)
    say(f"results written to {args.out / stamp}.json and .md")
    return 0
