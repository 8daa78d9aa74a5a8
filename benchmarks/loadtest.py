"""``python -m benchmarks.loadtest``: the curated query mix under load while a runaway query
is being stopped.

One ``asu-graph serve`` (Granian, the published data, a short query
timeout) on 127.0.0.1; Debian's ``wrk`` sends the curated queries at the
given concurrency for the given duration while another client keeps sending
a cross-product query that can never finish, back to back, each of which
must come back refused (400 "stopped", 429 when the per-client limit turns
it away first, 503 when every query slot of a process is taken) within the
timeout plus 2 s. ``--runaways N`` runs N such
senders at once, to bring runaway queries to a chosen share of the traffic. Reports requests/s,
p50/p99 latency, errors, every pathological answer, and the server's memory
(RSS and PSS summed over all its processes) before and after. Exit status 0
only when wrk saw no error and every pathological query was stopped in time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries
from tests.support import free_port, stop, wait_for_http

from .loadgen import run_wrk

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def say(message: str) -> None:
    print(f"[loadtest] {message}", file=sys.stderr, flush=True)


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sorted(tree)


def memory(root: int) -> dict:
    """RSS and PSS (shared pages counted once) of the server's processes, in MiB."""
    rss = pss = 0
    pids = process_tree(root)
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, _, value = line.partition(":")
                if name == "Rss":
                    rss += int(value.split()[0])
                elif name == "Pss":
                    pss += int(value.split()[0])
        except OSError:
            continue
    return {
        "processes": len(pids),
        "rss_mib": round(rss / 1024, 1),
        "pss_mib": round(pss / 1024, 1),
    }


class Pathological(threading.Thread):
    """Sends the runaway query back to back until told to stop; records each answer."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.answers: list[tuple[int, float]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with requests.Session() as session:
            while not self.stopping.is_set():
                started = time.monotonic()
                try:
                    status = session.post(
                        self.url, data={"query": PATHOLOGICAL}, timeout=600
                    ).status_code
                except requests.RequestException:
                    status = 0
                self.answers.append((status, time.monotonic() - started))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.loadtest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections (32)")
    parser.add_argument(
        "--query-timeout", type=float, default=5, help="the server's query timeout in seconds (5)"
    )
    parser.add_argument("--store", default="oxigraph", help="asu-graph store (oxigraph)")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="turn the result cache off, so every request runs its query",
    )
    parser.add_argument(
        "--runaways", type=int, default=1, help="clients sending the runaway query back to back (1)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    queries = [q.text for q in curated_queries(Settings.from_env()).values()]
    if not queries:
        say("no curated queries found")
        return 2
    with tempfile.TemporaryDirectory(prefix="asu-loadtest-") as tmp:
        work = Path(tmp)
        port = free_port()
        env = {**os.environ}
        if args.no_cache:
            env["ASU_CACHE_SIZE"] = "0"
        log = open(work / "serve.log", "wb")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "asu_graph",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--out-dir",
                str(work / "out"),
                "--store",
                args.store,
                "--query-timeout",
                f"{args.query_timeout:g}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/sparql"
        try:
            wait_for_http(url + "?query=ASK%7B%7D", timeout=120, process=server)
            for text in queries:  # every curated query answers before the load starts
                response = requests.post(url, data={"query": text}, timeout=60)
                response.raise_for_status()
            before = memory(server.pid)
            say(
                f"server up ({before}); {len(queries)} curated queries, concurrency "
                f"{args.concurrency}, {args.duration:g}s, query timeout {args.query_timeout:g}s"
            )
            senders = [Pathological(url) for _ in range(max(1, args.runaways))]
            for sender in senders:
                sender.start()
            time.sleep(0.5)  # the first runaway queries are running when the load starts
            load = run_wrk(url, queries, args.concurrency, args.duration, work)
            for sender in senders:
                sender.stopping.set()
            for sender in senders:
                sender.join(args.query_timeout + 30)
            after = memory(server.pid)
            simple = requests.post(url, data={"query": queries[0]}, timeout=30).status_code
        finally:
            stop(server)
            log.close()
    limit = args.query_timeout + 2
    answers = [answer for sender in senders for answer in sender.answers]
    # A runaway is stopped at the timeout (400 with "stopped"), turned away at once by
    # the per-client limit (429) or, when every query slot of a process is taken, after
    # a second by the busy answer (503); never a 500.
    stopped_in_time = [s in (400, 429, 503) and d <= limit for s, d in answers]
    figures = {
        "store": args.store,
        "cache": not args.no_cache,
        "concurrency": args.concurrency,
        "duration_s": round(load["seconds"], 1),
        "requests": load["requests"],
        "errors": load["errors"],
        "requests_per_s": round(load["ok_per_s"], 1),
        "latency_p50_ms": round(load["latency_p50_ms"], 2),
        "latency_p99_ms": round(load["latency_p99_ms"], 2),
        "pathological": {
            "query_timeout_s": args.query_timeout,
            "senders": len(senders),
            "answers": len(answers),
            "share_of_requests": round(len(answers) / max(1, len(answers) + load["requests"]), 4),
            "statuses": sorted({s for s, _ in answers}),
            "slowest_s": round(max((d for _, d in answers), default=0), 2),
            "all_stopped_within_timeout_plus_2s": all(stopped_in_time) and bool(stopped_in_time),
        },
        "memory_before": before,
        "memory_after": after,
        "answers_after_load": simple,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    ok = (
        load["errors"] == 0
        and figures["pathological"]["all_stopped_within_timeout_plus_2s"]
        and simple == 200
    )
    say("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
