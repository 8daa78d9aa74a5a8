"""``asu-graph serve`` on benchmark data: ``python -m benchmarks.serve FILE --store X --port P``.

The production serving path (the same Flask app, QueryService with its
cache, Granian with the options of ``asu_graph.wsgi_server``) with one
difference: the query store holds FILE (the Alliance facts plus generated
data, loaded natively) instead of the validated facts alone. SHACL is not
run on generated data; the Alliance facts are still built and validated, so
every page works as in production.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from asu_graph.config import Settings
from asu_graph.publication import Publication, build_and_validate
from asu_graph.store import open_store


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def publication_for(settings: Settings, data: Path) -> Publication:
    """The validated Alliance facts, with a query store loaded from ``data``."""
    publication = build_and_validate(settings)
    start = time.perf_counter()
    store = open_store(settings.store, settings)
    store.load_file(data)
    publication.store = store
    publication.timings["store"] = time.perf_counter() - start
    # Answers depend on the file, so the cache key (the version) must too.
    publication.version = file_digest(data)
    return publication


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve")
    parser.add_argument("data", type=Path, help="N-Quads file to serve")
    parser.add_argument("--store", default=None, help="store name (ASU_STORE)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    from asu_graph.web import create_app
    from asu_graph.wsgi_server import run_granian

    settings = Settings.from_env(store=args.store, host=args.host, port=args.port)
    publication = publication_for(settings, args.data)
    print(
        f"store {settings.store} loaded {args.data.name} in {publication.timings['store']:.2f}s",
        file=sys.stderr,
        flush=True,
    )
    run_granian(create_app(settings, publication), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
