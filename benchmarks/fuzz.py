"""``python -m benchmarks.fuzz``: generated hostile requests against every store; never a 500.

Starts ``asu-graph serve`` once per store (``oxigraph``, ``oxigraph:DIR``,
``oxrdflib``, ``memory``, and on request ``remote-oxigraph`` and
``remote-virtuoso``: a replica in front of an Oxigraph server or Virtuoso it
publishes to) on 127.0.0.1 with a short query timeout, or uses
the servers given with ``--url``, and sends each the same seeded stream of
requests: mutated curated and hostile queries (cut, spliced, re-cased,
stuffed with SPARQL tokens, RDF 1.2 triple terms, escapes of lone
surrogates, control characters), raw bodies of random bytes, odd
``format`` / ``default-graph-uri`` / ``named-graph-uri`` parameters, absurd
``Accept`` headers, every method, and the page and fragment paths. Prints
the count of answers by status per store and writes every 5xx request to the
JSON report. Exit status 1 when any answer was a 500 (a 503 is how a query
stopped by the timeout is answered, and is counted, not failed).

The generator is deterministic for a seed, so the suite replays a small
sample of the very same stream (tests/test_never_500.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

STORES = ("oxigraph", "oxigraph:DIR", "oxrdflib", "memory")
# Replicas in front of an Oxigraph server (the ``oxigraph`` binary) or Debian's Virtuoso,
# published to first.
REMOTE = ("remote-oxigraph", "remote-virtuoso")

# Queries known to have reached engine or writer errors, plus the curated ones.
SEEDS = [
    "SELECT ?t WHERE { BIND(<<( <urn:a> <urn:b> <urn:c> )>> AS ?t) }",
    "CONSTRUCT { <urn:a> <urn:b> <<( <urn:a> <urn:b> <urn:c> )>> } WHERE {}",
    "CONSTRUCT { <urn:a> <urn:b/> <urn:c> . <urn:a> <http://ex.org/1> 1 } WHERE {}",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    'SELECT ?x WHERE { BIND(STRLANG("a", "not a tag!") AS ?x) }',
    'SELECT * WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "[") } LIMIT 1',
    'SELECT * WHERE { BIND("\\uD800" AS ?x) }',
    'DESCRIBE ?x WHERE { BIND(IRI("a b") AS ?x) }',
    "DESCRIBE <https://w3id.org/asu/id/mnhn>",
    'CONSTRUCT { ?x <urn:p> 1 . "l" <urn:p> 2 . <urn:s> ?b 3 } WHERE { BIND(IRI("a b") AS ?x) '
    "BIND(BNODE() AS ?b) }",
    "SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?x } } LIMIT 3",
    "ASK { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)",
    'SELECT (STRDT("x", <urn:dt>) AS ?d) (LANGMATCHES("en", "*") AS ?m) '
    '(xsd:integer("a") AS ?i) WHERE {}',
    'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ("1e400"^^xsd:double * 2 AS ?x) '
    '(1/0 AS ?y) ("2024-13-45"^^xsd:date AS ?z) WHERE {}',
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 2",
]
TOKENS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "FROM",
    "NAMED",
    "GRAPH",
    "SERVICE",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "EXISTS",
    "NOT",
    "BIND",
    "AS",
    "VALUES",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "DISTINCT",
    "COUNT",
    "PREFIX",
    "BASE",
    "a",
    "*",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "?s",
    "?p",
    "?o",
    "<urn:x>",
    "_:b",
    '"x"',
    '"v"@en',
    '"v"@not-a-tag-at-all',
    '"1"^^<http://www.w3.org/2001/XMLSchema#int>',
    "<<(",
    ")>>",
    "<<",
    ">>",
    "~",
    "1",
    "-2.5",
    "3e9",
    "true",
    "#",
    "\n",
    "||",
    "&&",
    "!",
    "=",
    "<",
    ">",
    "/",
    "^",
    "|",
    "+",
    "\\u0053",
    "\\uD800",
    "\\uDFFF",
    "STR",
    "REGEX",
    'REGEX(?o, "(")',
    "CONCAT",
    "IRI",
    'IRI("a b")',
    "LANG",
    "STRLANG",
    "ENCODE_FOR_URI",
    "SUBSTR",
    "?",
    "@",
    "ASC",
    "DESC",
    "\x00",
    "\u202e",
    "é",
    "\U0001f600",
]
FORMATS = [
    "json",
    "xml",
    "csv",
    "tsv",
    "turtle",
    "nt",
    "json-ld",
    "rdfxml",
    "trig",
    "nquads",
    "srj",
    "text",
    "html",
    "",
    "x" * 300,
    "application/sparql-results+json",
    "text/turtle;q=0.5",
    "\u00e9",
]
ACCEPTS = [
    "*/*",
    "text/html",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
    "application/n-triples",
    "application/json;q=0.1, text/csv",
    "image/png",
    "*/*;q=0",
    ";;;,,,",
    "text/*",
    "application/*;q=abc",
    "text/turtle;q=2, */*;q=-1",
    "a" * 2000,
    "application/sparql-results+json;charset=x",
]
GRAPHS = [
    "https://w3id.org/asu/graph/alliance",
    "https://w3id.org/asu/ontology",
    "",
    "urn:nope",
    "file:///etc/passwd",
    "not an iri",
    "http://127.0.0.1:9/",
]
CONTENT_TYPES = [
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "application/sparql-update",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/sparql-query; charset=latin-1",
    "application/json",
    "",
]
PATHS = [
    "/id/{s}",
    "/page/{s}",
    "/data/{s}",
    "/data/{s}.ttl",
    "/graph/{s}",
    "/fragments",
    "/query",
    "/ontology",
    "/download/{s}",
    "/void",
    "/catalog",
]
METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]


@dataclass
class Request:
    """One generated request, replayable and printable."""

    method: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None  # form fields are sent urlencoded in ``data`` as text
    body: bytes | None = None

    def describe(self) -> dict:
        out = asdict(self)
        if self.body is not None:
            out["body"] = self.body[:400].hex()
        if self.data is not None:
            out["data"] = self.data[:2000]
        return out


def _mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        at = rng.randint(0, len(text))
        action = rng.randrange(7)
        if action == 0:
            text = text[:at] + rng.choice(TOKENS) + " " + text[at:]
        elif action == 1:
            text = text[:at] + text[at + rng.randint(1, 8) :]
        elif action == 2:
            end = min(len(text), at + rng.randint(1, 30))
            text = text[:end] + text[at:end] + text[end:]
        elif action == 3:
            text = (
                text[:at]
                + "".join(
                    chr(rng.choice([rng.randint(0, 0x2FF), rng.randint(0xE000, 0x10FFFF)]))
                    for _ in range(rng.randint(1, 3))
                )
                + text[at:]
            )
        elif action == 4:
            text = text.swapcase() if rng.random() < 0.3 else text[:at]
        elif action == 5:
            text = text[:at] + "<<( <urn:a> <urn:b> <urn:c> )>>" + text[at:]
        else:
            text = (
                text[:at] + rng.choice(["\\u", "\\uD83D", "\\U0010FFFF", "\\t", "\\"]) + text[at:]
            )
    return text


def _query(rng: random.Random, seeds: list[str]) -> str:
    kind = rng.random()
    if kind < 0.35:
        return rng.choice(seeds)
    if kind < 0.85:
        return _mutate(rng, rng.choice(seeds))
    return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 40)))


def _extras(rng: random.Random) -> list[tuple[str, str]]:
    extras: list[tuple[str, str]] = []
    if rng.random() < 0.2:
        extras.append((rng.choice(["format", "output", "results"]), rng.choice(FORMATS)))
    if rng.random() < 0.1:
        extras.append((rng.choice(["default-graph-uri", "named-graph-uri"]), rng.choice(GRAPHS)))
    if rng.random() < 0.02:
        extras.append(("query", "ASK {}"))  # a second query parameter
    if rng.random() < 0.02:
        extras.append(("update", "CLEAR ALL"))
    if rng.random() < 0.03:
        extras.append((rng.choice(["timeout", "x", "lang", ""]), rng.choice(FORMATS)))
    return extras


def generate(seed: int, count: int, seeds: list[str] | None = None) -> Iterator[Request]:
    """``count`` requests, the same ones for the same seed."""
    rng = random.Random(seed)
    seeds = seeds if seeds is not None else SEEDS
    for _ in range(count):
        headers = {}
        roll = rng.random()
        if roll < 0.5:
            headers["Accept"] = rng.choice(ACCEPTS[:12])  # a type some answer has
        elif roll < 0.8:
            headers["Accept"] = rng.choice(ACCEPTS)
        if rng.random() < 0.05:
            headers["Accept-Language"] = rng.choice(["fr", "*", "xx;q=2", "en-US,fr;q=0.5"])
        roll = rng.random()
        if roll < 0.40:
            params = [("query", _query(rng, seeds)), *_extras(rng)]
            yield Request("GET", "/sparql", params=params, headers=headers)
        elif roll < 0.60:
            form = [("query", _query(rng, seeds)), *_extras(rng)]
            data = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            yield Request("POST", "/sparql", headers=headers, data=data)
        elif roll < 0.78:
            headers["Content-Type"] = rng.choice(CONTENT_TYPES[:1] * 8 + CONTENT_TYPES)
            yield Request(
                "POST",
                "/sparql",
                params=_extras(rng),
                headers=headers,
                body=_query(rng, seeds).encode("utf-8", "surrogatepass"),
            )
        elif roll < 0.86:
            headers["Content-Type"] = rng.choice(CONTENT_TYPES)
            body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
            yield Request("POST", "/sparql", headers=headers, body=body)
        elif roll < 0.93:
            slug = rng.choice(
                [
                    "mnhn",
                    "alliance",
                    "x" * 300,
                    "..",
                    "%2e%2e",
                    "a b",
                    "é",
                    _mutate(rng, "sorbonne-universite"),
                ]
            )
            path = rng.choice(PATHS).format(s=quote(slug, safe=""))
            params = []
            if path in ("/fragments", "/query"):
                params = [
                    (
                        rng.choice(["subject", "predicate", "object", "page", "name", "query"]),
                        _mutate(rng, "<urn:x> 3"),
                    )
                ]
            if rng.random() < 0.3:
                params.append(("lang", rng.choice(["en", "fr", "xx", ""])))
            yield Request("GET", path, params=params, headers=headers)
        else:
            yield Request(
                rng.choice(METHODS),
                rng.choice(["/sparql", "/page/mnhn", "/"]),
                params=[("query", _query(rng, seeds))],
                headers=headers,
            )


def send(
    session: requests.Session, base: str, request: Request, timeout: float = 60
) -> requests.Response:
    """Send ``request`` as generated; invalid UTF-8 in text goes as its raw bytes."""
    data: bytes | None = request.body
    if request.data is not None:
        data = request.data.encode("utf-8", "surrogatepass")
    params = [(k, v.encode("utf-8", "surrogatepass")) for k, v in request.params]
    headers = {k: v.encode("utf-8") if not v.isascii() else v for k, v in request.headers.items()}
    return session.request(
        request.method,
        base + request.path,
        params=params,
        data=data,
        headers=headers,
        timeout=timeout,
        allow_redirects=False,
    )


def acceptable(response: requests.Response) -> bool:
    """Never a 500; a 5xx only as the 503 of a stopped query or a failed worker."""
    if response.status_code < 500:
        return True
    return response.status_code == 503 and bool(response.text.strip())


def curated_seeds() -> list[str]:
    return SEEDS + [q.body for q in curated_queries(Settings()).values()]


def fuzz(
    base: str, seed: int, count: int, threads: int = 2, progress: bool = False
) -> tuple[Counter, list[dict]]:
    """Send the stream to one server: (statuses, every 5xx or failure with its request)."""
    statuses: Counter = Counter()
    failures: list[dict] = []
    lock = threading.Lock()
    local = threading.local()
    seeds = curated_seeds()

    def one(item: tuple[int, Request]) -> None:
        index, request = item
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            response = send(local.session, base, request)
            status, text = response.status_code, response.text[:300]
            ok = acceptable(response)
        except requests.RequestException as exc:
            status, text, ok = "no answer", str(exc)[:300], False
        with lock:
            statuses[status] += 1
            if not ok or status == 503:  # every 5xx is kept, to see what it was
                failures.append(
                    {
                        "index": index,
                        "status": status,
                        "answer": text,
                        "acceptable": ok,
                        "request": request.describe(),
                    }
                )
            done = sum(statuses.values())
            if progress and done % 500 == 0:
                print(
                    f"[fuzz] {base}: {done}/{count} {dict(statuses)}", file=sys.stderr, flush=True
                )

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, enumerate(generate(seed, count, seeds))))
    return statuses, failures


def published_store(kind: str, stack: ExitStack, folder: Path) -> tuple[str, dict[str, str]]:
    """Start a triple store, publish the bundled data to it: (query URL, environment)."""
    from tests.stores import OxigraphServer, Virtuoso
    from tests.support import run_cli

    env: dict[str, str] = {}
    if kind == "remote-virtuoso":
        server = stack.enter_context(Virtuoso(folder))
        env = {"ASU_STORE_USER": "dba", "ASU_STORE_PASSWORD": "dba"}
    else:
        server = stack.enter_context(OxigraphServer(folder))
    done = run_cli(
        "publish", "--to", server.gsp_url, "--query-url", server.query_url, "--grace", "0", env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"publish to {kind} failed: {done.stderr}")
    return server.query_url, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--requests", type=int, default=10000, help="requests per store (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--stores",
        default=",".join(STORES),
        help="comma-separated stores to start (default: the four embedded "
        "ones; also: " + ", ".join(REMOTE) + ")",
    )
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        help="fuzz this running server instead of starting any (repeatable)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--query-timeout", default="5")
    parser.add_argument("--json", type=Path, help="write counts and failures here")
    args = parser.parse_args(argv)

    from tests.support import asu_server

    report: dict[str, dict] = {}
    with ExitStack() as stack:
        targets: list[tuple[str, str]] = [(url, url) for url in args.url]
        if not targets:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fuzz-")))
            for store in args.stores.split(","):
                spec = f"oxigraph:{folder / 'store'}" if store == "oxigraph:DIR" else store
                env = {"ASU_CACHE_SIZE": "0"}
                if store in REMOTE:
                    spec, credentials = published_store(store, stack, folder / store)
                    env.update(credentials)
                url = stack.enter_context(
                    asu_server(
                        folder, "--store", spec, "--query-timeout", args.query_timeout, env=env
                    )
                )
                targets.append((store, url))
        for name, url in targets:
            started = time.monotonic()
            statuses, failures = fuzz(url, args.seed, args.requests, args.threads, progress=True)
            seconds = time.monotonic() - started
            report[name] = {
                "requests": args.requests,
                "seconds": round(seconds, 1),
                "statuses": {
                    str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))
                },
                "failures": failures,
            }
            print(
                f"{name}: {args.requests} requests in {seconds:.0f} s, by status: "
                + ", ".join(f"{k} x {v}" for k, v in report[name]["statuses"].items())
                + f"; unacceptable: {sum(not f['acceptable'] for f in failures)}",
                flush=True,
            )
    if args.json:
        args.json.write_text(
            json.dumps({"seed": args.seed, "stores": report}, indent=1, ensure_ascii=False)
        )
    return 1 if any(not f["acceptable"] for r in report.values() for f in r["failures"]) else 0


if __name__ == "__main__":
    sys.exit(main())
