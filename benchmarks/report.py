"""The Markdown report of one run: machine, tables, ratios against the peers, targets."""

from __future__ import annotations

DEFAULT_STORE = "oxigraph"
MAIN_SERVER = "asu-graph [oxigraph]"
PEERS = {"rdflib-endpoint": "rdflib-endpoint", "oxigraph-server": "oxigraph server"}


def _f(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}"


def _machine(m: dict) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    return [
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB",
        f"- OS: {m['os']} (kernel {m['kernel']}); Python {m['python']}; {m['wrk']}",
        f"- Packages: {packages}",
        f"- Load average when the run started (1, 5, 15 min): "
        f"{', '.join(map(str, m.get('load_average', [])))}",
    ]


def _server_run(server: dict, concurrency: int) -> dict | None:
    for run in server.get("runs", []):
        if run["concurrency"] == concurrency:
            return run
    return None


def _by_name(servers: list[dict], name: str) -> dict | None:
    return next((s for s in servers if s["name"] == name and "error" not in s), None)


def _ratio(a: float | None, b: float | None) -> float | None:
    if not a or not b:
        return None
    return a / b


def _size_section(size: str, entry: dict, result: dict, targets: list[tuple]) -> list[str]:
    lines = [
        f"## {size} ({entry['stores'][0].get('triples', '?'):,} triples)"
        if entry["stores"] and "triples" in entry["stores"][0]
        else f"## {size}",
        "",
    ]
    lines += [f"Data file `{entry['file']}`, {entry['bytes'] / 1e6:.0f} MB of N-Quads.", ""]

    # load and memory
    lines += [
        "### Load and memory (each store in its own process)",
        "",
        "| store | load s | peak RSS MiB | triples |",
        "| --- | ---: | ---: | ---: |",
    ]
    for s in entry["stores"]:
        if "error" in s:
            lines.append(f"| {s['store']} | failed: {s['error'][:80]} | | |")
            continue
        lines.append(
            f"| {s['store']} | {_f(s['load_s'], 2)} | {_f(s['peak_rss_mb'], 0)} | "
            f"{s['triples']:,} |"
        )
    lines.append("")

    # per-query latency
    ok = [s for s in entry["stores"] if "error" not in s]
    if ok:
        head = (
            "| query | what it exercises | "
            + " | ".join(f"{s['store']} median / p95 ms" for s in ok)
            + " |"
        )
        lines += [
            "### Query latency in process (median / p95, ms, answer serialized)",
            "",
            head,
            "| --- | --- |" + " ---: |" * len(ok),
        ]
        for q in result["queries"]:
            cells = []
            for s in ok:
                r = s["queries"].get(q["name"], {})
                cells.append(
                    "error"
                    if "error" in r
                    else f"{_ms(r.get('median_ms'))} / {_ms(r.get('p95_ms'))}"
                )
            lines.append(f"| {q['name']} | {q['kind']} | " + " | ".join(cells) + " |")
        lines.append("")

    # HTTP
    if entry["http"]:
        conc = result["settings"]["concurrency"]
        head = (
            "| server | first answer s | "
            + " | ".join(f"c={c} req/s | c={c} p50 / p99 ms" for c in conc)
            + " | errors |"
        )
        lines += [
            "### HTTP on the curated queries (wrk, loopback, POST, SPARQL JSON)",
            "",
            head,
            "| --- | ---: |" + " ---: | ---: |" * len(conc) + " ---: |",
        ]
        for server in entry["http"]:
            if "error" in server:
                lines.append(f"| {server['name']} | failed: {server['error'][:100]} |")
                continue
            cells, errors = [], 0
            for c in conc:
                run = _server_run(server, c)
                if run is None:
                    cells += ["–", "–"]
                    continue
                errors += run["errors"]
                cells += [
                    _f(run["ok_per_s"], 0),
                    f"{_ms(run['latency_p50_ms'])} / {_ms(run['latency_p99_ms'])}",
                ]
            bad = [a for a in server.get("answers", []) if a["status"] != 200]
            note = f" ({len(bad)} curated queries refused)" if bad else ""
            startup = server.get("startup_s", 0) + server.get("prepare_s", 0)
            lines.append(
                f"| {server['name']}{note} | {_f(startup, 2)} | "
                + " | ".join(cells)
                + f" | {errors} |"
            )
        lines.append("")
        lines += _ratios(entry["http"], conc, size, targets)
        lines += _agreement(entry["http"])
    return lines


def _ratios(servers: list[dict], conc: list[int], size: str, targets: list[tuple]) -> list[str]:
    main = _by_name(servers, MAIN_SERVER)
    if main is None:
        return []
    lines = ["Throughput ratios (asu-graph with the default store, result cache on):", ""]
    for c in conc:
        ours = (_server_run(main, c) or {}).get("ok_per_s")
        parts = []
        for peer_kind, peer_name in PEERS.items():
            peer = _by_name(servers, peer_name)
            theirs = (_server_run(peer, c) or {}).get("ok_per_s") if peer else None
            ratio = _ratio(ours, theirs)
            if ratio is None:
                continue
            parts.append(f"{ratio:.2f}x {peer_name}")
            if peer_kind == "rdflib-endpoint":
                targets.append(
                    (
                        f"{size}, c={c}: throughput >= 5x rdflib-endpoint",
                        f"{ratio:.2f}x",
                        ratio >= 5,
                    )
                )
            else:
                targets.append(
                    (
                        f"{size}, c={c}: throughput within 1.5x of Oxigraph server",
                        f"{1 / ratio:.2f}x slower" if ratio < 1 else f"{ratio:.2f}x faster",
                        ratio >= 1 / 1.5,
                    )
                )
        nocache = _by_name(servers, "asu-graph [oxigraph, no cache]")
        if nocache:
            raw = (_server_run(nocache, c) or {}).get("ok_per_s")
            ratio = _ratio(
                raw,
                (_server_run(_by_name(servers, "oxigraph server") or {}, c) or {}).get("ok_per_s"),
            )
            if ratio is not None:
                parts.append(f"without the cache {ratio:.2f}x oxigraph server")
        lines.append(f"- c={c}: " + ("; ".join(parts) if parts else "no peer measured"))
    lines.append("")
    return lines


def _agreement(servers: list[dict]) -> list[str]:
    counts = {
        s["name"]: [a["rows"] for a in s.get("answers", [])]
        for s in servers
        if "error" not in s and s.get("answers")
    }
    if len({tuple(v) for v in counts.values()}) <= 1:
        return ["Every server gave the same number of rows for every curated query.", ""]
    lines = ["Rows per curated query differ between servers:", ""]
    lines += [f"- {name}: {rows}" for name, rows in counts.items()]
    return lines + [""]


def markdown(result: dict) -> str:
    targets: list[tuple[str, str, bool]] = []
    lines = [f"# asu-graph benchmark, {result['started']}", "", "## Machine", ""]
    lines += _machine(result["machine"]) + [""]
    s = result["settings"]
    lines += [
        f"wrk runs of {s['duration_s']:g} s at concurrency "
        f"{', '.join(map(str, s['concurrency']))}; each query repeated for up to "
        f"{s['query_budget_s']:g} s in process; data seed {s['seed']}.",
        "",
    ]

    real = result.get("real_data", {})
    if real:
        lines += [
            "## The real Alliance data",
            "",
            f"- {real.get('triples', '?')} triples; build + SHACL validation in process "
            f"{_f(real.get('build_and_validate_s'), 2)} s; `asu-graph validate` "
            f"command {_f(real.get('validate_command_s'), 2)} s (with interpreter start)",
            f"- `asu-graph serve`: first query answered "
            f"{_f(real.get('first_answer_s'), 2)} s after the process started "
            "(build, validation, dumps, HTTP server); on a restart with the dumps "
            f"already written {_f(real.get('restart_first_answer_s'), 2)} s",
            "",
        ]
        if "build_and_validate_s" in real:
            targets.append(
                (
                    "build + SHACL validation of the real data < 3 s",
                    f"{real['build_and_validate_s']:.2f} s",
                    real["build_and_validate_s"] < 3,
                )
            )
        if "first_answer_s" in real:
            targets.append(
                (
                    "first query answered < 2 s after server start",
                    f"{real['first_answer_s']:.2f} s",
                    real["first_answer_s"] < 2,
                )
            )

    for size, entry in result["sizes"].items():
        lines += _size_section(size, entry, result, targets)
        big = next(
            (
                x
                for x in entry["stores"]
                if x.get("store") == DEFAULT_STORE
                and "error" not in x
                and x.get("triples", 0) >= 990_000
            ),
            None,
        )
        if big:
            slowest = max(
                big["queries"].items(), key=lambda kv: kv[1].get("median_ms", float("inf"))
            )
            targets += [
                (
                    f"{size}: load < 60 s ({DEFAULT_STORE})",
                    f"{big['load_s']:.1f} s",
                    big["load_s"] < 60,
                ),
                (
                    f"{size}: peak RSS < 2 GiB ({DEFAULT_STORE})",
                    f"{big['peak_rss_mb']:.0f} MiB",
                    big["peak_rss_mb"] < 2048,
                ),
                (
                    f"{size}: every query < 1 s median ({DEFAULT_STORE})",
                    f"slowest {slowest[0]} {slowest[1].get('median_ms', float('nan')):.0f} ms",
                    all(r.get("median_ms", float("inf")) < 1000 for r in big["queries"].values()),
                ),
            ]

    lines += ["## Targets", "", "| target | measured | holds |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in targets]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.report RESULT.json``: the Markdown of a saved (or partial) run."""
    import json
    import sys
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m benchmarks.report RESULT.json", file=sys.stderr)
        return 2
    print(markdown(json.loads(Path(args[0]).read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
