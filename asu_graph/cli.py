"""The ``asu-graph`` command line."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import time
from pathlib import Path

from asu_graph import __version__, formats
from asu_graph.config import Settings, environment_help
from asu_graph.pipeline.build import BuildError
from asu_graph.pipeline.curated import CuratedQueryError
from asu_graph.publication import InvalidData, build_and_validate, prepare
from asu_graph.query.jobs import QueryError
from asu_graph.query.sandbox import SandboxError
from asu_graph.sparql.guard import QueryRefused
from asu_graph.store import QuerySyntaxError, StoreUnavailable

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
    from asu_graph.pipeline.build import load_dataset, load_shapes
    from asu_graph.pipeline.validate import validate_dataset

    timer = Timer()
    report = validate_dataset(load_dataset(settings), settings, load_shapes(settings))
    print(report.render(args.format))
    say(f"validated in {timer}: {'conforms' if report.conforms else 'does NOT conform'}")
    return EXIT_OK if report.conforms else EXIT_INVALID


def _write_failed(exc: OSError, out: Path) -> OSError:
    """A disk error during a build or release, said with what it left behind."""
    from asu_graph.publishing.layout import LayoutConflict, OutDirBusy

    if isinstance(exc, (OutDirBusy, LayoutConflict)):
        return exc  # their messages already say what to do
    where = f" ({exc.filename})" if exc.filename else ""
    return OSError(
        exc.errno,
        f"{exc.strerror or exc}{where}. Nothing was written to {out}: "
        "every earlier build, release and link is as it was",
    )


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.publishing.export import export_build

    timer = Timer()
    say("loading and validating ...")
    publication = build_and_validate(settings)
    say(
        f"valid: {publication.triple_count:,} triples in {len(publication.graph_names)} "
        f"named graphs ({timer})"
    )
    out = Path(args.out or settings.out_dir)
    try:
        manifest = export_build(publication, out, progress=say)
    except OSError as exc:
        raise _write_failed(exc, out) from exc
    say(
        f"built version {manifest['version']} into {manifest['folder']} "
        f"({out / 'latest'} points there) in {timer}"
    )
    return EXIT_OK


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.publishing.release import check_version, make_release

    timer = Timer()
    out = Path(args.out or settings.out_dir)
    check_version(out, args.version)
    say("loading and validating ...")
    publication = prepare(settings.with_(store="oxigraph"))
    say(f"valid: {publication.triple_count:,} triples ({timer})")
    try:
        manifest = make_release(publication, out, version=args.version, progress=say)
    except OSError as exc:
        raise _write_failed(exc, out) from exc
    previous = manifest["previous"] or "none"
    say(
        f"release {manifest['release']} written to {manifest['folder']} "
        f"(previous: {previous}; +{manifest['changes']['added']} "
        f"-{manifest['changes']['removed']} triples) in {timer}"
    )
    print(manifest["release"])
    return EXIT_OK


def _resolve_query(source: str, settings: Settings, allow_service: bool = False) -> str:
    from asu_graph.pipeline.curated import curated_queries

    path = Path(source)
    if path.suffix == ".rq" or path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
    curated = curated_queries(settings, federated=True)
    if source in curated:
        query = curated[source]
        if query.federated and not allow_service:
            raise BuildError(
                f"{source!r} calls another SPARQL endpoint with SERVICE, so it is not run "
                "unless you ask: add --allow-service (the query then leaves this machine)"
            )
        return query.text
    if any(word in source.upper() for word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")):
        return source
    close = difflib.get_close_matches(source, curated, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise BuildError(
        f"unknown query {source!r}: neither a query file, SPARQL text nor a "
        f"curated query.{hint} Curated queries: {', '.join(curated) or 'none'} "
        "(see 'asu-graph queries')"
    )


def _service_endpoints(text: str) -> tuple[str, ...]:
    """The endpoint IRIs a query names in SERVICE, as the query check reads them."""
    from asu_graph.sparql.guard import inspect

    return tuple(dict.fromkeys(t.iri for t in inspect(text).services if t.iri))


def _terminal_width() -> int | None:
    """Fit tables to a terminal, or to $COLUMNS when set; never wrap a pipe."""
    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.cli_table import render
    from asu_graph.namespaces import project_prefixes
    from asu_graph.query.executor import InlineExecutor
    from asu_graph.query.service import QueryService

    text = _resolve_query(args.query, settings, args.allow_service)
    fmt = args.format
    if fmt != "table" and formats.resolve(fmt) not in {
        **formats.RESULT_FORMATS,
        **formats.RDF_FORMATS,
    }:
        say(
            f"error: unknown format {fmt!r}; choose one of: table, "
            f"{', '.join([*formats.RESULT_FORMATS, *formats.RDF_FORMATS])}"
        )
        return EXIT_USAGE
    if args.allow_service:
        # The user's own machine, the user's choice: the endpoints this query
        # names in SERVICE are allowed for this run only.
        settings = settings.with_(
            service_allowlist=settings.service_allowlist + _service_endpoints(text)
        )
    publication = prepare(settings)
    # The same guard as the endpoint (no SERVICE, LOAD, foreign FROM), run in this process.
    service = QueryService(publication, executor=InlineExecutor(publication.store))
    result = service.run(text)
    if fmt == "table":
        if result.kind == "SELECT":
            print(
                render(
                    result.variables, result.rows(), project_prefixes(settings), _terminal_width()
                )
            )
            return EXIT_OK
        if result.kind == "ASK":
            print("true" if result.boolean else "false")
            return EXIT_OK
        fmt = "turtle"
    key = formats.resolve(fmt)
    offered = formats.RDF_FORMATS if result.kind == "GRAPH" else formats.RESULT_FORMATS
    if key not in offered:
        say(
            f"error: a {result.kind} result cannot be written as {fmt!r}; "
            f"choose one of: table, {', '.join(offered)}"
        )
        return EXIT_USAGE
    sys.stdout.buffer.write(result.serialize(key))
    sys.stdout.flush()
    return EXIT_OK


def cmd_queries(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.pipeline.curated import checked_queries

    queries = checked_queries(settings)
    if args.format == "json":
        print(json.dumps([q.as_dict() for q in queries.values()], indent=2, ensure_ascii=False))
        return EXIT_OK
    title = (lambda q: q.title_fr or q.title) if args.lang == "fr" else (lambda q: q.title)
    width = max((len(name) for name in queries), default=0)
    for query in queries.values():
        mark = "  [federated: --allow-service]" if query.federated else ""
        print(f"{query.name.ljust(width)}  {title(query)}{mark}")
    say(f"{len(queries)} curated queries; run one with: asu-graph query NAME")
    return EXIT_OK


def _store_label(spec: str) -> str:
    """The store as it may be printed: a remote URL is checked and shown without credentials."""
    if spec.startswith(("http://", "https://")):
        from asu_graph.store.http import check_url, shown

        return shown(check_url(spec))
    return spec


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.publishing.state import ensure_latest
    from asu_graph.web import create_app

    timer = Timer()
    say(f"building and validating (store: {_store_label(settings.store)}) ...")
    publication = prepare(settings)
    say(f"valid: {publication.triple_count:,} triples, version {publication.version} ({timer})")
    # Adds OUT/builds/VERSION if missing and points OUT/latest there; nothing is rewritten.
    manifest = ensure_latest(publication, progress=say)
    say(f"serving the dumps of {manifest['folder']}")
    app = create_app(settings, publication)
    from asu_graph.web.query_page import find_yasgui

    editor = find_yasgui(settings)
    say(
        f"query page /query: editor files from {editor}"
        if editor
        else "query page /query: editor files not found (set ASU_YASGUI_DIR); "
        "the page falls back to a plain form"
    )
    if args.dev:
        say(f"Flask development server on http://{settings.host}:{settings.port}/sparql")
        app.run(host=settings.host, port=settings.port, threaded=True, use_reloader=False)
        return EXIT_OK
    from asu_graph.wsgi_server import run_granian

    say(
        f"granian on http://{settings.host}:{settings.port}/sparql "
        f"({settings.workers} workers x {settings.threads} threads)"
    )
    run_granian(app, settings)
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from asu_graph.publishing.remote import publish
    from asu_graph.store.http import check_url

    gsp_url = check_url(
        args.to or settings.store_update_url or _missing("--to GSP_URL (or ASU_STORE_UPDATE_URL)"),
        "--to",
    )
    remote_store = settings.store if settings.store.startswith(("http://", "https://")) else ""
    query_url = check_url(
        args.query_url or remote_store or _missing("--query-url SPARQL_URL (or ASU_STORE)"),
        "--query-url",
    )
    if args.grace is not None and args.grace < 0:
        raise ValueError("--grace must be 0 or more seconds")
    if args.retries < 0:
        raise ValueError("--retries must be 0 or more")
    timer = Timer()
    say("loading and validating ...")
    publication = build_and_validate(settings)
    say(f"valid: {publication.triple_count:,} triples, version {publication.version} ({timer})")
    report = publish(
        publication,
        gsp_url,
        query_url,
        grace=args.grace,
        keep_previous=args.keep_previous,
        retries=args.retries,
        progress=say,
    )
    say(f"published in {timer}")
    print(report.release.iri)
    return EXIT_OK


def _missing(what: str) -> str:
    raise ValueError(f"publish needs {what}")


# -- parser -------------------------------------------------------------------


def _common_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", help="canonical base IRI (ASU_BASE)")
    parser.add_argument("--data-dir", type=Path, help="folder of fact files (ASU_DATA_DIR)")
    parser.add_argument(
        "--store",
        help="query store: oxigraph, oxigraph:DIR, oxrdflib, memory, "
        "or a SPARQL endpoint URL (ASU_STORE)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asu-graph",
        description="Build, validate, query and serve the Alliance Sorbonne Université "
        "linked open data.",
        epilog=environment_help() + "\n\n" + EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"asu-graph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        help="check the data against the SHACL shapes",
        description="Load the ontology and facts and check them against "
        "ontology/shapes.ttl. Exit 0 when valid, 1 otherwise.",
    )
    _common_settings(p)
    p.add_argument(
        "--format",
        choices=["text", "turtle", "json"],
        default="text",
        help="report format (default: text)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "build",
        help="validate, then write every dump with checksums",
        description="Validate, then write Turtle, N-Triples, JSON-LD, TriG, "
        "N-Quads and RDF/XML dumps (plain and gzip), SHA256SUMS "
        "and manifest.json into OUT/builds/VERSION, and point the "
        "link OUT/latest (and OUT/asu.ttl, ...) at them. Equal "
        "data gives equal bytes. Nothing that exists is rewritten, "
        "moved or removed: invalid data or a failed write leaves "
        "OUT as it was. One writer per OUT at a time (others wait).",
    )
    _common_settings(p)
    p.add_argument("--out", type=Path, help="output folder (ASU_OUT_DIR, default ./build)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "release",
        help="write a versioned release with its change set",
        description="Validate, then write OUT/releases/VERSION/: every dump "
        "(plain and gzip), VoID, a DCAT catalogue with dcat:version "
        "and dcat:previousVersion, the change set against the "
        "previous release (added and removed triples as N-Triples, "
        "changes.md, changes.json), SHA256SUMS and manifest.json. "
        "The folder appears complete or not at all; earlier releases "
        "are never changed. A running server lists it at once under "
        "/download/releases/. Prints the version on stdout.",
    )
    _common_settings(p)
    p.add_argument(
        "--version",
        dest="version",
        help="release name (default: today's date YYYY.MM.DD, then .2, .3, ...)",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="folder holding releases/ (ASU_OUT_DIR, default ./build); use the "
        "serve --out-dir folder so the server lists the release",
    )
    p.set_defaults(func=cmd_release)

    p = sub.add_parser(
        "query",
        help="run a SPARQL query on the embedded store",
        description="QUERY is a .rq file, the name of a curated query in queries/, or SPARQL text.",
    )
    _common_settings(p)
    p.add_argument("query", metavar="QUERY")
    p.add_argument(
        "--format",
        default="table",
        help="table (default), json, xml, csv, tsv; for graphs turtle, nt, "
        "json-ld, rdfxml, trig, nquads",
    )
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="run a query that calls other endpoints with SERVICE (federated "
        "curated queries): the embedded store then contacts them",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "queries",
        help="list the curated queries (name and title)",
        description="List the curated queries of queries/ (checked: full "
        "header, valid SPARQL). Run one with 'asu-graph query "
        "NAME'.",
    )
    p.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (default: name and title) or json (everything, with the query text)",
    )
    p.add_argument("--lang", choices=["en", "fr"], default="en", help="title language")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser(
        "serve",
        help="build, validate and serve over HTTP",
        description="Build and validate, write the dumps, then serve the "
        "SPARQL endpoint and pages under Granian.",
    )
    _common_settings(p)
    p.add_argument("--host", help="bind address (ASU_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (ASU_PORT, default 8000)")
    p.add_argument("--out-dir", type=Path, help="where the dumps are written (ASU_OUT_DIR)")
    p.add_argument("--workers", type=int, help="server worker processes (ASU_WORKERS)")
    p.add_argument("--threads", type=int, help="threads per worker (ASU_THREADS)")
    p.add_argument(
        "--query-timeout",
        type=float,
        metavar="SECONDS",
        help="stop a query after this many seconds, 0 for never (ASU_QUERY_TIMEOUT, default 30)",
    )
    p.add_argument(
        "--dev", action="store_true", help="use Flask's development server instead of Granian"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "publish",
        help="upload the validated graph to a triple store as a new release",
        description="Validate, then upload the graph to a SPARQL 1.1 Graph Store Protocol "
        "endpoint as a new release (one named graph per source graph plus their "
        "union), verify the triple counts over SPARQL, make it current, and drop "
        "the previous release. Credentials come from ASU_STORE_USER / "
        "ASU_STORE_PASSWORD or ASU_STORE_TOKEN only. Prints the release IRI.",
    )
    _common_settings(p)
    p.add_argument(
        "--to",
        metavar="GSP_URL",
        help="Graph Store Protocol endpoint, e.g. http://HOST:7878/store "
        "(Oxigraph) or http://HOST:8890/sparql-graph-crud-auth (Virtuoso) "
        "(ASU_STORE_UPDATE_URL)",
    )
    p.add_argument(
        "--query-url",
        metavar="SPARQL_URL",
        help="SPARQL query endpoint of the same store, used to verify "
        "(default: ASU_STORE when it is a URL)",
    )
    p.add_argument(
        "--grace",
        type=float,
        metavar="SECONDS",
        help="wait before dropping the previous release (default: "
        "ASU_STORE_RELEASE_TTL + ASU_QUERY_TIMEOUT, so no front end is "
        "still reading it)",
    )
    p.add_argument(
        "--keep-previous",
        action="store_true",
        help="keep the previous release's graphs (drop them by a later publish)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=5,
        metavar="N",
        help="retries, with exponential backoff, when the store cannot be reached (default 5)",
    )
    p.set_defaults(func=cmd_publish)
    return parser


_OVERRIDES = {
    "base": "base",
    "data_dir": "data_dir",
    "store": "store",
    "host": "host",
    "port": "port",
    "out_dir": "out_dir",
    "workers": "workers",
    "threads": "threads",
    "query_timeout": "query_timeout",
}


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
    except (QueryRefused, QueryError) as exc:
        say(f"error: {exc.message}")
        return EXIT_INPUT
    except (BuildError, CuratedQueryError, FileNotFoundError) as exc:
        say(f"error: {exc}")
        return EXIT_INPUT
    except ValueError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except (StoreUnavailable, SandboxError, OSError) as exc:
        say(f"error: {exc}")
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
