"""All settings in one place: environment variables with documented defaults.

Every command-line option that overrides a setting maps onto a field here, so
the web app, the CLI and the tests share one ``Settings`` object.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from asu_graph.paths import resource_dir

DEFAULT_BASE = "https://w3id.org/asu/"
# Requests per minute per client when serving beyond loopback and no limit is set.
DEFAULT_PUBLIC_RATE_LIMIT = 300


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _list(text: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in text.split(",")) if item)


def _setting(env: str, default: Any, help: str, parse: Any = str) -> Any:
    return field(default=default, metadata={"env": env, "help": help, "parse": parse})


@dataclass(frozen=True)
class Settings:
    base: str = _setting(
        "ASU_BASE", DEFAULT_BASE, "Canonical base IRI of the dataset; entities are {base}id/{slug}."
    )
    data_dir: Path = _setting(
        "ASU_DATA_DIR", None, "Folder of the fact files (*.ttl). Default: the bundled data.", Path
    )
    ontology_dir: Path = _setting(
        "ASU_ONTOLOGY_DIR",
        None,
        "Folder with asu.ttl, shapes.ttl and context.jsonld. Default: the bundled ontology.",
        Path,
    )
    queries_dir: Path = _setting(
        "ASU_QUERIES_DIR",
        None,
        "Folder of curated *.rq queries. Default: the bundled queries.",
        Path,
    )
    yasgui_dir: Path = _setting(
        "ASU_YASGUI_DIR",
        None,
        "Folder holding yasgui.min.js and yasgui.min.css of @zazuko/yasgui 4.6.2 for the "
        "query page. Default: the copy in the installed package, else "
        "node_modules/@zazuko/yasgui/build of the source checkout.",
        Path,
    )
    out_dir: Path = _setting(
        "ASU_OUT_DIR",
        Path("build"),
        "Folder where build/release write dumps and where serve publishes them from.",
        Path,
    )
    store: str = _setting(
        "ASU_STORE",
        "oxigraph",
        "Query store: 'oxigraph' (embedded, in memory), 'oxigraph:DIR' (on disk), "
        "'oxrdflib' (rdflib API over Oxigraph), "
        "'memory' (rdflib), or the URL of a remote SPARQL endpoint.",
    )
    store_update_url: str = _setting(
        "ASU_STORE_UPDATE_URL",
        "",
        "Graph Store Protocol URL of a remote store, where publish writes releases "
        "(default of publish --to); empty when not used.",
    )
    store_user: str = _setting(
        "ASU_STORE_USER",
        "",
        "User for basic (or, when the store asks, digest) auth on a remote store.",
    )
    store_password: str = _setting(
        "ASU_STORE_PASSWORD", "", "Password for that user on a remote store (never logged)."
    )
    store_token: str = _setting(
        "ASU_STORE_TOKEN", "", "Bearer token for a remote store (never logged)."
    )
    store_release_ttl: float = _setting(
        "ASU_STORE_RELEASE_TTL",
        5.0,
        "Seconds a front end keeps the name of a remote store's current release before "
        "reading it again (publish waits this long before dropping the previous one).",
        float,
    )
    union_default_graph: bool = _setting(
        "ASU_UNION_DEFAULT_GRAPH",
        True,
        "Whether the SPARQL default graph is the union of all named graphs.",
        _bool,
    )
    host: str = _setting("ASU_HOST", "127.0.0.1", "Address serve binds to.")
    port: int = _setting("ASU_PORT", 8000, "Port serve listens on.", int)
    workers: int = _setting("ASU_WORKERS", 2, "Server worker processes for serve.", int)
    threads: int = _setting("ASU_THREADS", 4, "Threads running the app in each server worker.", int)
    query_timeout: float = _setting(
        "ASU_QUERY_TIMEOUT",
        30.0,
        "Seconds a query may run before it is stopped (its worker process is killed); "
        "0 turns the timeout off.",
        float,
    )
    query_memory: int = _setting(
        "ASU_QUERY_MEMORY",
        2048,
        "Megabytes one query may allocate beyond the loaded store before it is stopped; "
        "0 turns the limit off.",
        int,
    )
    query_memory_total: int = _setting(
        "ASU_QUERY_MEMORY_TOTAL",
        3072,
        "Megabytes all running queries together may hold (memory of their own, beyond "
        "the shared store); past it the largest query is stopped (503); 0 turns it off.",
        int,
    )
    worker_recycle_memory: int = _setting(
        "ASU_WORKER_RECYCLE_MEMORY",
        256,
        "A query process that holds more than this many megabytes of its own after an "
        "answer exits instead of waiting for the next query; 0 never recycles.",
        int,
    )
    client_queries: int = _setting(
        "ASU_CLIENT_QUERIES",
        2,
        "Queries one client (an IPv4 address or an IPv6 network, see "
        "ASU_RATE_LIMIT_IPV6_PREFIX) may have running at once; more get 429. 0: no "
        "limit. Loopback clients only with ASU_RATE_LIMIT_LOOPBACK.",
        int,
    )
    result_cap: int = _setting(
        "ASU_RESULT_CAP", 10000, "Most rows or triples one response carries.", int
    )
    max_query_bytes: int = _setting(
        "ASU_MAX_QUERY_BYTES", 65536, "Longest accepted query text, in bytes.", int
    )
    max_expression_operators: int = _setting(
        "ASU_MAX_EXPRESSION_OPERATORS",
        256,
        "Most operators in one expression (!, &&, ||, +, <, ...); longer chains are refused "
        "(400) before any engine parses them. 0 turns the limit off.",
        int,
    )
    max_expression_bytes: int = _setting(
        "ASU_MAX_EXPRESSION_BYTES",
        8192,
        "Longest accepted expression (FILTER, BIND, projection ...), in bytes; 0: no limit.",
        int,
    )
    max_path_operators: int = _setting(
        "ASU_MAX_PATH_OPERATORS",
        256,
        "Most operators (/ | ^) in one property path; 0: no limit.",
        int,
    )
    max_group_patterns: int = _setting(
        "ASU_MAX_GROUP_PATTERNS",
        256,
        "Most group patterns ({ } blocks: OPTIONAL, MINUS, UNION branches ...) plus BIND and "
        "FILTER clauses in one query; 0: no limit.",
        int,
    )
    max_triple_patterns: int = _setting(
        "ASU_MAX_TRIPLE_PATTERNS",
        500,
        "Most triple patterns in one query (counted generously); 0: no limit.",
        int,
    )
    max_body_bytes: int = _setting(
        "ASU_MAX_BODY_BYTES", 1048576, "Largest accepted request body, in bytes.", int
    )
    rate_limit: int = _setting(
        "ASU_RATE_LIMIT",
        -1,
        "Requests per minute per client address; 0 turns the limit off; -1: "
        f"{DEFAULT_PUBLIC_RATE_LIMIT} when the server listens on a non-loopback address, "
        "off otherwise.",
        int,
    )
    rate_limit_loopback: bool = _setting(
        "ASU_RATE_LIMIT_LOOPBACK",
        False,
        "Whether the rate limit and the limit of running queries per client "
        "(ASU_CLIENT_QUERIES) also apply to clients on 127.0.0.1 / ::1.",
        _bool,
    )
    rate_limit_ipv6_prefix: int = _setting(
        "ASU_RATE_LIMIT_IPV6_PREFIX",
        64,
        "IPv6 clients are counted per network of this prefix length (one /64 is usually "
        "one customer), 1 to 128.",
        int,
    )
    trusted_proxies: tuple[str, ...] = _setting(
        "ASU_TRUSTED_PROXIES",
        (),
        "Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For/-Proto/-Host/-Port/-Prefix headers are believed; empty: none, "
        "the TCP peer is the client and those headers are dropped.",
        _list,
    )
    service_allowlist: tuple[str, ...] = _setting(
        "ASU_SERVICE_ALLOWLIST",
        (),
        "Comma-separated endpoint URLs a query may name in SERVICE; empty refuses all.",
        _list,
    )
    function_allowlist: tuple[str, ...] = _setting(
        "ASU_FUNCTION_ALLOWLIST",
        (),
        "Comma-separated IRIs of extension functions a query may call, besides SPARQL's "
        "built-in functions and XSD casts; empty refuses all.",
        _list,
    )
    store_max_bytes: int = _setting(
        "ASU_STORE_MAX_BYTES",
        64 * 1024 * 1024,
        "Largest answer read from a remote store, in bytes (after decompression); a "
        "larger one is cut off and the client gets 400 with a message.",
        int,
    )
    query_sandbox: str = _setting(
        "ASU_QUERY_SANDBOX",
        "auto",
        "How the processes that run queries on embedded stores are cut off the network: "
        "auto (netns, then userns, then seccomp; the server does not start if none works), "
        "netns, userns, seccomp, or off. Ignored (off) when ASU_SERVICE_ALLOWLIST is set.",
    )
    cache_size: int = _setting(
        "ASU_CACHE_SIZE", 512, "Entries in the query result cache; 0 turns it off.", int
    )
    cache_max_bytes: int = _setting(
        "ASU_CACHE_MAX_BYTES",
        64 * 1024 * 1024,
        "Total bytes of response bodies the result cache keeps per worker process.",
        int,
    )
    cache_max_age: int = _setting(
        "ASU_CACHE_MAX_AGE", 300, "Cache-Control max-age of query responses, seconds.", int
    )
    log_level: str = _setting("ASU_LOG_LEVEL", "INFO", "Logging level.")
    public_url: str = _setting(
        "ASU_PUBLIC_URL",
        "",
        "Public root URL of the server, written into release files (DCAT download links); "
        "empty: the base. Live responses use the URL the request came to.",
    )
    publisher_name: str = _setting(
        "ASU_PUBLISHER_NAME",
        "asu-graph, Alliance Sorbonne Université linked open data",
        "Name of the agent that publishes the dataset (DCAT / VoID dcterms:publisher).",
    )
    contact_email: str = _setting(
        "ASU_CONTACT_EMAIL",
        "",
        "Contact e-mail written into the DCAT catalogue; empty: the landing page is the contact.",
    )

    def __post_init__(self) -> None:
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"ASU_TRUSTED_PROXIES: {proxy!r} is not an IP address or network"
                ) from None
        if not 1 <= self.rate_limit_ipv6_prefix <= 128:
            raise ValueError(
                "ASU_RATE_LIMIT_IPV6_PREFIX: a prefix length from 1 to 128, "
                f"not {self.rate_limit_ipv6_prefix}"
            )
        if not self.base.endswith(("/", "#")):
            object.__setattr__(self, "base", self.base + "/")
        for name, folder in (
            ("data_dir", "data"),
            ("ontology_dir", "ontology"),
            ("queries_dir", "queries"),
        ):
            if getattr(self, name) is None:
                object.__setattr__(self, name, resource_dir(folder))
        # Every folder is made absolute now, against the working directory the
        # process started in: Flask's send_file resolves a relative path under
        # the package folder, and a later chdir must not move the data.
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata["parse"] is Path and value is not None:
                object.__setattr__(self, f.name, Path(value).expanduser().absolute())

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from environment variables, then explicit overrides (CLI options)."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = f.metadata["env"]
            if env in environ:
                try:
                    values[f.name] = f.metadata["parse"](environ[env])
                except ValueError as exc:
                    raise ValueError(f"{env}: {exc}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def effective_rate_limit(self) -> int:
        """Requests per minute per client: the setting, or the default for where we listen.

        A server reachable from other machines gets a limit unless one is set
        (0 turns it off on purpose); on loopback only this machine can reach it.
        """
        if self.rate_limit >= 0:
            return self.rate_limit
        try:
            local = ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            local = self.host == "localhost"
        return 0 if local else DEFAULT_PUBLIC_RATE_LIMIT

    @property
    def ontology_iri(self) -> str:
        return self.base + "ontology"

    @property
    def ontology_ns(self) -> str:
        return self.base + "ontology#"

    @property
    def id_ns(self) -> str:
        return self.base + "id/"

    @property
    def graph_ns(self) -> str:
        return self.base + "graph/"


def environment_help() -> str:
    """The table of environment variables shown by ``asu-graph --help``."""
    lines = ["environment variables (defaults in brackets):"]
    for f in fields(Settings):
        default = f.default
        if isinstance(default, tuple):
            default = ",".join(default)
        shown = "bundled" if default is None else default
        lines.append(f"  {f.metadata['env']:<26} {f.metadata['help']} [{shown}]")
    return "\n".join(lines)
