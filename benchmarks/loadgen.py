"""HTTP load with Debian's ``wrk``: a Lua script cycles through the query mix.

Each request is a SPARQL 1.1 Protocol POST (``application/x-www-form-urlencoded``,
``query=...``) asking for SPARQL JSON; every server under test speaks that.
wrk's ``done`` hook prints the summary as one JSON line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode, urlsplit

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, ' ..
    '"latency_mean_us": %.1f, "latency_p50_us": %d, "latency_p90_us": %d, ' ..
    '"latency_p99_us": %d, "latency_max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""

_LUA = """
local bodies = {%(bodies)s}
local requests_ = {}
local i = 0

init = function(args)
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Accept"] = "application/sparql-results+json"
  for k, body in ipairs(bodies) do
    requests_[k] = wrk.format("POST", "%(path)s", headers, body)
  end
end

request = function()
  i = (i %% #requests_) + 1
  return requests_[i]
end

%(done)s"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def write_script(path: Path, endpoint_path: str, queries: list[str]) -> Path:
    bodies = ", ".join(json.dumps(urlencode({"query": q})) for q in queries)
    path.write_text(
        _LUA % {"bodies": bodies, "path": endpoint_path, "done": _DONE}, encoding="utf-8"
    )
    return path


def run_wrk(
    url: str, queries: list[str], concurrency: int, duration: float, work: Path, timeout_s: int = 10
) -> dict:
    """Drive ``url`` for ``duration`` seconds with ``concurrency`` open connections."""
    if not wrk_available():
        raise FileNotFoundError(
            "wrk is not installed (Debian package wrk; ./dev.sh bench installs it)"
        )
    script = write_script(work / "mix.lua", urlsplit(url).path or "/", queries)
    return _wrk(url, script, concurrency, duration, timeout_s, [])


def run_wrk_get(
    url: str, concurrency: int, duration: float, work: Path, accept: str, timeout_s: int = 10
) -> dict:
    """The same, for one GET of ``url`` (query string included) again and again."""
    if not wrk_available():
        raise FileNotFoundError("wrk is not installed (Debian package wrk)")
    script = work / "get.lua"
    script.write_text(_DONE, encoding="utf-8")
    return _wrk(url, script, concurrency, duration, timeout_s, ["-H", f"Accept: {accept}"])


def _wrk(
    url: str, script: Path, concurrency: int, duration: float, timeout_s: int, extra: list[str]
) -> dict:
    threads = max(1, min(concurrency, os.cpu_count() or 1))
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{duration:g}s",
        "--timeout",
        f"{timeout_s}s",
        "-s",
        str(script),
        *extra,
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + timeout_s + 30
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {done.stdout[-300:]}")
    stats = json.loads(line)
    seconds = stats["duration_us"] / 1e6
    errors = sum(v for k, v in stats.items() if k.startswith("errors_"))
    return {
        "concurrency": concurrency,
        "threads": threads,
        "seconds": seconds,
        "requests": stats["requests"],
        "errors": errors,
        "ok_per_s": max(0, stats["requests"] - errors) / seconds if seconds else 0.0,
        "latency_p50_ms": stats["latency_p50_us"] / 1000,
        "latency_p90_ms": stats["latency_p90_us"] / 1000,
        "latency_p99_ms": stats["latency_p99_us"] / 1000,
        "latency_mean_ms": stats["latency_mean_us"] / 1000,
        "raw": stats,
    }
