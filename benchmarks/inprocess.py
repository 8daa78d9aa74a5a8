"""One store in its own process: load time, peak RSS, per-query latency.

Run by the harness as ``python -m benchmarks.inprocess STORE FILE QUERIES.json``
so that each store's peak memory is its own. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from asu_graph.store import open_store


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_query(store, text: str, budget: float, max_runs: int) -> dict:
    """Run ``text`` until ``budget`` seconds or ``max_runs`` runs (at least one).

    Each run includes serializing the answer as the endpoint would
    (SPARQL JSON, or Turtle for graphs): that is the work a request costs.
    """
    times: list[float] = []
    size = 0
    spent = 0.0
    while not times or (spent < budget and len(times) < max_runs):
        start = time.perf_counter()
        result = store.query(text)
        body = result.serialize("turtle" if result.kind == "GRAPH" else "json")
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        size = len(body)
    return {
        "runs": len(times),
        "median_ms": median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "first_ms": times[0] * 1000,
        "bytes": size,
    }


def measure(store_spec: str, data: Path, queries: list[dict], budget: float, max_runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="asu-bench-") as tmp:
        spec = store_spec.replace("DIR", str(Path(tmp) / "db"))
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        store = open_store(spec)
        store.load_file(data)
        load_s = time.perf_counter() - start
        rss_loaded = peak_rss_mb()
        triples = store.triple_count()
        results = {}
        for query in queries:
            try:
                results[query["name"]] = time_query(store, query["text"], budget, max_runs)
            except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                results[query["name"]] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        store.close()
    return {
        "store": store_spec,
        "load_s": load_s,
        "triples": triples,
        "rss_before_mb": rss_before,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": peak_rss_mb(),
        "queries": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inprocess")
    parser.add_argument("store")
    parser.add_argument("data", type=Path)
    parser.add_argument("queries", type=Path, help="JSON list of {name, text}")
    parser.add_argument(
        "--budget", type=float, default=2.0, help="seconds spent repeating each query (default 2)"
    )
    parser.add_argument("--max-runs", type=int, default=30)
    args = parser.parse_args(argv)
    queries = json.loads(args.queries.read_text(encoding="utf-8"))
    print(json.dumps(measure(args.store, args.data, queries, args.budget, args.max_runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
