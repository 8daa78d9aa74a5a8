"""The ``asu-graph`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from . import __version__, formats
from .build import BuildError
from .config import Settings, environment_help
from .guard import QueryRefused
from .publication import InvalidData, build_and_validate, prepare
from .store import QuerySyntaxError, StoreUnavailable

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INPUT, EXIT_RUNTIME = 0, 1, 2, 3, 4

EXIT_HELP = """exit codes:
  0  success
  1  the data does not conform to the SHACL shapes (report on stderr)
  2  wrong usage (unknown command or option)
  3  bad input: missing or unparsable file, malformed query, unknown query name,
     query refused (SERVICE, LOAD, update, FROM naming a graph not published here)
  4  runtime failure: store unreachable or refused, server could not start
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __str__(self) -> str:
        return f"{time.perf_counter() - self.start:.2f}s"


# -- commands -----------------------------------------------------------------

def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from .build import load_dataset
    from .validate import validate_dataset

    timer = Timer()
    report = validate_dataset(load_dataset(settings), settings)
    print(report.render(args.format))
    say(f"validated in {timer}: {'conforms' if report.conforms else 'does NOT conform'}")
    return EXIT_OK if report.conforms else EXIT_INVALID


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from .export import export_build

    timer = Timer()
    say("loading and validating ...")
    publication = build_and_validate(settings)
    graphs = sum(1 for g in publication.dataset.graphs()
                 if g.identifier != DATASET_DEFAULT_GRAPH_ID)
    say(f"valid: {publication.triple_count:,} triples in {graphs} named graphs ({timer})")
    out = Path(args.out or settings.out_dir)
    manifest = export_build(publication, out, progress=say)
    say(f"built version {manifest['version']} into {out} in {timer}")
    return EXIT_OK


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    from .publishing.release import check_version, make_release

    timer = Timer()
    out = Path(args.out or settings.out_dir)
    check_version(out, args.version)
    say("loading and validating ...")
    publication = prepare(settings.with_(store="oxigraph"))
    say(f"valid: {publication.triple_count:,} triples ({timer})")
    manifest = make_release(publication, out, version=args.version, progress=say)
    previous = manifest["previous"] or "none"
    say(f"release {manifest['release']} written to {manifest['folder']} "
        f"(previous: {previous}; +{manifest['changes']['added']} "
        f"-{manifest['changes']['removed']} triples) in {timer}")
    print(manifest["release"])
    return EXIT_OK


def _resolve_query(source: str, settings: Settings) -> str:
    from .queries import curated_queries

    path = Path(source)
    if path.suffix == ".rq" or path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
    curated = curated_queries(settings)
    if source in curated:
        return curated[source].text
    if any(word in source.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return source
    raise BuildError(f"{source!r} is neither a query file, a curated query name "
                     f"({', '.join(curated) or 'none'}), nor SPARQL text")


def _table(result) -> str:
    variables = result.variables
    rows = result.rows()
    cells = [[_short(row.get(v)) for v in variables] for row in rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(variables)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _short(term) -> str:
    if term is None:
        return ""
    language = getattr(term, "language", None)
    return f"{term} @{language}" if language else str(term)


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    text = _resolve_query(args.query, settings)
    from .executor import InlineExecutor
    from .query_service import QueryService

    publication = prepare(settings)
    # The same guard as the endpoint (no SERVICE, LOAD, foreign FROM), run in this process.
    service = QueryService(publication, executor=InlineExecutor(publication.store))
    result = service.run(text)
    fmt = args.format
    if fmt == "table":
        if result.kind == "SELECT":
            print(_table(result))
            return EXIT_OK
        if result.kind == "ASK":
            print("true" if result.boolean else "false")
            return EXIT_OK
        fmt = "turtle"
    key = formats.resolve(fmt)
    offered = formats.RDF_FORMATS if result.kind == "GRAPH" else formats.RESULT_FORMATS
    if key not in offered:
        say(f"error: a {result.kind} result cannot be written as {fmt!r}; "
            f"choose one of: table, {', '.join(offered)}")
        return EXIT_USAGE
    sys.stdout.buffer.write(result.serialize(key))
    sys.stdout.flush()
    return EXIT_OK


def _store_label(spec: str) -> str:
    """The store as it may be printed: a remote URL is checked and shown without credentials."""
    if spec.startswith(("http://", "https://")):
        from .store.http import check_url, shown

        return shown(check_url(spec))
    return spec


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from .publishing.state import ensure_latest
    from .web import create_app

    timer = Timer()
    say(f"building and validating (store: {_store_label(settings.store)}) ...")
    publication = prepare(settings)
    say(f"valid: {publication.triple_count:,} triples, version {publication.version} ({timer})")
    # Only OUT/latest is rewritten; releases in OUT/releases are never touched.
    ensure_latest(publication)
    say(f"dumps written to {Path(settings.out_dir) / 'latest'}")
    app = create_app(settings, publication)
    if args.dev:
        say(f"Flask development server on http://{settings.host}:{settings.port}/sparql")
        app.run(host=settings.host, port=settings.port, threaded=True, use_reloader=False)
        return EXIT_OK
    from .wsgi_server import run_gunicorn

    say(f"gunicorn on http://{settings.host}:{settings.port}/sparql "
        f"({settings.workers} workers x {settings.threads} threads)")
    run_gunicorn(app, settings)
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from .publish import publish
    from .store.http import check_url

    gsp_url = check_url(args.to or settings.store_update_url
                        or _missing("--to GSP_URL (or ASU_STORE_UPDATE_URL)"), "--to")
    remote_store = settings.store if settings.store.startswith(("http://", "https://")) else ""
    query_url = check_url(args.query_url or remote_store
                          or _missing("--query-url SPARQL_URL (or ASU_STORE)"), "--query-url")
    if args.grace is not None and args.grace < 0:
        raise ValueError("--grace must be 0 or more seconds")
    if args.retries < 0:
        raise ValueError("--retries must be 0 or more")
    timer = Timer()
    say("loading and validating ...")
    publication = build_and_validate(settings)
    say(f"valid: {publication.triple_count:,} triples, version {publication.version} ({timer})")
    report = publish(publication, gsp_url, query_url, grace=args.grace,
                     keep_previous=args.keep_previous, retries=args.retries, progress=say)
    say(f"published in {timer}")
    print(report.release.iri)
    return EXIT_OK


def _missing(what: str) -> str:
    raise ValueError(f"publish needs {what}")


# -- parser -------------------------------------------------------------------

def _common_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", help="canonical base IRI (ASU_BASE)")
    parser.add_argument("--data-dir", type=Path, help="folder of fact files (ASU_DATA_DIR)")
    parser.add_argument("--store", help="query store: oxigraph, oxigraph:DIR, oxrdflib, memory, "
                                        "or a SPARQL endpoint URL (ASU_STORE)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asu-graph",
        description="Build, validate, query and serve the Alliance Sorbonne Université "
                    "linked open data.",
        epilog=environment_help() + "\n\n" + EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"asu-graph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check the data against the SHACL shapes",
                       description="Load the ontology and facts and check them against "
                                   "ontology/shapes.ttl. Exit 0 when valid, 1 otherwise.")
    _common_settings(p)
    p.add_argument("--format", choices=["text", "turtle", "json"], default="text",
                   help="report format (default: text)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then write every dump with checksums",
                       description="Validate, then write Turtle, N-Triples, JSON-LD, TriG, "
                                   "N-Quads and RDF/XML dumps (plain and gzip), SHA256SUMS "
                                   "and manifest.json. Invalid data writes nothing.")
    _common_settings(p)
    p.add_argument("--out", type=Path, help="output folder (ASU_OUT_DIR, default ./build)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("release", help="write a versioned release with its change set",
                       description="Validate, then write OUT/releases/VERSION/: every dump "
                                   "(plain and gzip), VoID, a DCAT catalogue with dcat:version "
                                   "and dcat:previousVersion, the change set against the "
                                   "previous release (added and removed triples as N-Triples, "
                                   "changes.md, changes.json), SHA256SUMS and manifest.json. "
                                   "The folder appears complete or not at all; earlier releases "
                                   "are never changed. A running server lists it at once under "
                                   "/download/releases/. Prints the version on stdout.")
    _common_settings(p)
    p.add_argument("--version", dest="version",
                   help="release name (default: today's date YYYY.MM.DD, then .2, .3, ...)")
    p.add_argument("--out", type=Path,
                   help="folder holding releases/ (ASU_OUT_DIR, default ./build); use the "
                        "serve --out-dir folder so the server lists the release")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("query", help="run a SPARQL query on the embedded store",
                       description="QUERY is a .rq file, the name of a curated query in "
                                   "queries/, or SPARQL text.")
    _common_settings(p)
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--format", default="table",
                   help="table (default), json, xml, csv, tsv; for graphs turtle, nt, "
                        "json-ld, rdfxml, trig, nquads")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("serve", help="build, validate and serve over HTTP",
                       description="Build and validate, write the dumps, then serve the "
                                   "SPARQL endpoint and pages under gunicorn.")
    _common_settings(p)
    p.add_argument("--host", help="bind address (ASU_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (ASU_PORT, default 8000)")
    p.add_argument("--out-dir", type=Path, help="where the dumps are written (ASU_OUT_DIR)")
    p.add_argument("--workers", type=int, help="gunicorn workers (ASU_WORKERS)")
    p.add_argument("--threads", type=int, help="threads per worker (ASU_THREADS)")
    p.add_argument("--query-timeout", type=float, metavar="SECONDS",
                   help="stop a query after this many seconds, 0 for never "
                        "(ASU_QUERY_TIMEOUT, default 30)")
    p.add_argument("--dev", action="store_true",
                   help="use Flask's development server instead of gunicorn")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "publish", help="upload the validated graph to a triple store as a new release",
        description="Validate, then upload the graph to a SPARQL 1.1 Graph Store Protocol "
                    "endpoint as a new release (one named graph per source graph plus their "
                    "union), verify the triple counts over SPARQL, make it current, and drop "
                    "the previous release. Credentials come from ASU_STORE_USER / "
                    "ASU_STORE_PASSWORD or ASU_STORE_TOKEN only. Prints the release IRI.")
    _common_settings(p)
    p.add_argument("--to", metavar="GSP_URL",
                   help="Graph Store Protocol endpoint, e.g. http://HOST:7878/store "
                        "(Oxigraph) or http://HOST:8890/sparql-graph-crud-auth (Virtuoso) "
                        "(ASU_STORE_UPDATE_URL)")
    p.add_argument("--query-url", metavar="SPARQL_URL",
                   help="SPARQL query endpoint of the same store, used to verify "
                        "(default: ASU_STORE when it is a URL)")
    p.add_argument("--grace", type=float, metavar="SECONDS",
                   help="wait before dropping the previous release (default: "
                        "ASU_STORE_RELEASE_TTL + ASU_QUERY_TIMEOUT, so no front end is "
                        "still reading it)")
    p.add_argument("--keep-previous", action="store_true",
                   help="keep the previous release's graphs (drop them by a later publish)")
    p.add_argument("--retries", type=int, default=5, metavar="N",
                   help="retries, with exponential backoff, when the store cannot be "
                        "reached (default 5)")
    p.set_defaults(func=cmd_publish)
    return parser


_OVERRIDES = {"base": "base", "data_dir": "data_dir", "store": "store", "host": "host",
              "port": "port", "out_dir": "out_dir", "workers": "workers",
              "threads": "threads", "query_timeout": "query_timeout"}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        overrides = {field: getattr(args, opt, None) for opt, field in _OVERRIDES.items()}
        settings = Settings.from_env(**overrides)
        return args.func(args, settings)
    except InvalidData as exc:
        say(exc.report.text())
        say("error: the data does not conform to the shapes; nothing was written or served")
        return EXIT_INVALID
    except QuerySyntaxError as exc:
        say(f"error: malformed SPARQL query: {exc}")
        return EXIT_INPUT
    except QueryRefused as exc:
        say(f"error: {exc.message}")
        return EXIT_INPUT
    except (BuildError, FileNotFoundError) as exc:
        say(f"error: {exc}")
        return EXIT_INPUT
    except ValueError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except (StoreUnavailable, OSError) as exc:
        say(f"error: {exc}")
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
