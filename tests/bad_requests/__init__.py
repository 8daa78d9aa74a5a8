# ruff: noqa: E501 - one request per line reads best in a corpus
"""The corpus of bad requests: what a public endpoint receives from the wild.

Each case is one raw HTTP request (sent as written, without URL
normalisation by the client) and the 4xx statuses that are right for it.
``listener`` is the URL of a socket server the test runs on 127.0.0.1 that
must never be contacted; ``FILE`` a file on the server whose content must
never appear in a body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

FILE = "file:///etc/passwd"
FILE_CONTENT_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY_BODY = {"Content-Type": "application/sparql-query"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    target: str  # path and query string, sent as is
    expect: tuple[int, ...]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    says: str = ""  # a word the message must contain (case-insensitive)
    outbound: bool = False  # tries to reach the listener or a file
    # answered by the HTTP layer before the app sees it (a request target over the
    # server's 64 KB limit): the status is the whole answer
    bare: bool = False


def get(text: str, **params: str) -> str:
    return "/sparql?" + urlencode({"query": text, **params}, quote_via=quote)


def form(**params: str) -> bytes:
    return urlencode(params, quote_via=quote).encode("ascii")


def nested(opening: str, closing: str, depth: int, inner: str = "") -> str:
    return opening * depth + inner + closing * depth


def outbound_cases(listener: str) -> list[Case]:
    """Queries that would make the server open a connection or read a file."""
    host = listener.rsplit("/", 1)[0] + "/"
    texts = {
        "service": f"SELECT * WHERE {{ SERVICE <{listener}> {{ ?s ?p ?o }} }}",
        "service-lowercase": f"select * where {{ service <{listener}> {{ ?s ?p ?o }} }}",
        "service-silent": f"SELECT * {{ SERVICE SILENT <{listener}> {{ ?s ?p ?o }} }}",
        "service-mixed-case-silent": f"SELECT * {{ SeRvIcE silent <{listener}> {{ ?s ?p ?o }} }}",
        "service-variable": f"SELECT * {{ VALUES ?e {{ <{listener}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "service-prefixed-name": f"PREFIX l: <{host}> SELECT * {{ SERVICE l:sparql {{ ?s ?p ?o }} }}",
        "service-relative-to-base": f"BASE <{host}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "service-in-optional": f"SELECT * {{ ?a ?b ?c OPTIONAL {{ SERVICE <{listener}> {{ ?a ?p ?o }} }} }}",
        "service-in-exists": f"ASK {{ FILTER EXISTS {{ SERVICE <{listener}> {{ ?s ?p ?o }} }} }}",
        "service-in-subquery": f"SELECT * {{ {{ SELECT * {{ SERVICE <{listener}> {{ ?s ?p ?o }} }} }} }}",
        "service-after-comment": f"SELECT * {{ # a comment }}\n SERVICE <{listener}> {{ ?s ?p ?o }} }}",
        "service-file": f"SELECT * {{ SERVICE <{FILE}> {{ ?s ?p ?o }} }}",
        "service-unicode-escape": f"SELECT * {{ \\u0053ERVICE <{listener}> {{ ?s ?p ?o }} }}",
        "from-listener": f"SELECT * FROM <{listener}> {{ ?s ?p ?o }}",
        "from-named-listener": f"SELECT * FROM NAMED <{listener}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from-file": f"SELECT * FROM <{FILE}> {{ ?s ?p ?o }}",
        "from-named-file": f"SELECT * FROM NAMED <{FILE}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from-file-prefixed": "PREFIX f: <file:///etc/> SELECT * FROM f:passwd { ?s ?p ?o }",
        "from-file-relative": "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }",
        "from-lowercase": f"select * from <{listener}> {{ ?s ?p ?o }}",
        "construct-from-file": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{FILE}> WHERE {{ ?s ?p ?o }}",
        "describe-from-listener": f"DESCRIBE ?s FROM <{listener}> WHERE {{ ?s ?p ?o }}",
        "ask-from-listener": f"ASK FROM <{listener}> {{ ?s ?p ?o }}",
        "load-file": f"LOAD <{FILE}>",
        "load-listener-lowercase": f"load <{listener}> into graph <urn:x>",
        "load-silent": f"LOAD SILENT <{listener}>",
        "insert-data": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "delete-where": "DELETE WHERE { ?s ?p ?o }",
        "clear-all": "CLEAR ALL",
        "drop-all": "DROP ALL",
    }
    cases = [
        Case(f"outbound-get-{name}", "GET", get(text), (400, 403), outbound=True)
        for name, text in texts.items()
    ]
    cases += [
        Case(
            f"outbound-post-{name}",
            "POST",
            "/sparql",
            (400, 403),
            body=text.encode("utf-8"),
            headers=QUERY_BODY,
            outbound=True,
        )
        for name, text in list(texts.items())[:6]
    ]
    cases += [
        Case(
            "outbound-form-service",
            "POST",
            "/sparql",
            (400,),
            says="SERVICE",
            body=form(query=texts["service"]),
            headers=FORM,
            outbound=True,
        ),
        Case(
            "outbound-default-graph-uri-listener",
            "GET",
            get("SELECT * { ?s ?p ?o }", **{"default-graph-uri": listener}),
            (400, 403),
            outbound=True,
        ),
        Case(
            "outbound-named-graph-uri-file",
            "GET",
            get("SELECT * { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": FILE}),
            (400, 403),
            outbound=True,
        ),
        Case(
            "outbound-default-graph-uri-form",
            "POST",
            "/sparql",
            (400, 403),
            headers=FORM,
            body=form(query="ASK { ?s ?p ?o }", **{"default-graph-uri": FILE}),
            outbound=True,
        ),
        Case(
            "outbound-update-form-load",
            "POST",
            "/sparql",
            (400, 403, 405),
            body=form(update=f"LOAD <{listener}>"),
            headers=FORM,
            outbound=True,
        ),
        Case(
            "outbound-update-body-load",
            "POST",
            "/sparql",
            (400, 403, 405, 415),
            body=f"LOAD <{FILE}>".encode(),
            headers={"Content-Type": "application/sparql-update"},
            outbound=True,
        ),
        Case(
            "outbound-update-get",
            "GET",
            "/sparql?" + urlencode({"update": f"LOAD <{FILE}>"}),
            (400, 403, 405),
            outbound=True,
        ),
    ]
    return cases


def other_cases() -> list[Case]:
    deep = 5000
    long_literal = "x" * 70_000
    return [
        # malformed SPARQL
        Case("malformed-unclosed-group", "GET", get("SELECT * WHERE { ?s ?p ?o"), (400,)),
        Case("malformed-misspelt-keyword", "GET", get("SELEC * { ?s ?p ?o }"), (400,)),
        Case("malformed-unterminated-string", "GET", get('ASK { ?s ?p "open }'), (400,)),
        Case("malformed-undeclared-prefix", "GET", get("SELECT * { ?s nope:p ?o }"), (400,)),
        Case(
            "malformed-prefix-without-colon",
            "GET",
            get("PREFIX ex <http://example.org/> SELECT * {}"),
            (400,),
        ),
        Case("malformed-negative-limit", "GET", get("SELECT * { ?s ?p ?o } LIMIT -1"), (400,)),
        Case("malformed-two-queries", "GET", get("ASK {} ASK {}"), (400,)),
        Case(
            "malformed-group-by-nothing",
            "GET",
            get("SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY"),
            (400,),
        ),
        Case("malformed-nul-byte", "GET", get("SELECT * { ?s ?p ?o }\x00"), (400,)),
        Case(
            "malformed-lone-surrogate-escape",
            "GET",
            get('SELECT * { BIND("\\uD800" AS ?x) }'),
            (400,),
        ),
        Case(
            "malformed-escape-beyond-unicode",
            "GET",
            get('SELECT * { BIND("\\UFFFFFFFF" AS ?x) }'),
            (400,),
        ),
        Case("malformed-only-whitespace", "GET", get("   \n\t "), (400,)),
        Case("malformed-only-comment", "GET", get("# nothing here"), (400,)),
        Case(
            "malformed-json-instead-of-sparql",
            "POST",
            "/sparql",
            (400,),
            body=b'{"query": "SELECT * {}"}',
            headers=QUERY_BODY,
        ),
        # GET /sparql without a query is the service description, not an error.
        Case(
            "missing-query",
            "POST",
            "/sparql",
            (400,),
            says="query",
            headers=FORM,
            body=form(format="json"),
        ),
        Case("empty-query", "GET", "/sparql?query=", (400,), says="query"),
        Case("empty-form", "POST", "/sparql", (400,), body=b"", headers=FORM),
        # deeply nested and huge
        Case("deep-braces", "GET", get("SELECT * " + nested("{", "}", 1000)), (400,), says="nest"),
        Case(
            "deep-parentheses",
            "POST",
            "/sparql",
            (400,),
            headers=QUERY_BODY,
            body=("SELECT * { FILTER(" + nested("(", ")", deep, "1") + ") }").encode(),
        ),
        Case(
            "deep-exists",
            "POST",
            "/sparql",
            (400,),
            headers=QUERY_BODY,
            body=("SELECT * { " + nested("FILTER EXISTS {", "}", 1000) + " }").encode(),
        ),
        Case(
            "deep-function-calls",
            "POST",
            "/sparql",
            (400,),
            headers=QUERY_BODY,
            body=("SELECT * { BIND(" + nested("CONCAT(", ")", 1000, '"a"') + " AS ?x) }").encode(),
        ),
        Case(
            "deep-blank-node-lists",
            "POST",
            "/sparql",
            (400,),
            headers=QUERY_BODY,
            body=("SELECT * { ?s ?p " + nested("[ <urn:p> ", " ]", 2000, "1") + " }").encode(),
        ),
        Case(
            "huge-query-form",
            "POST",
            "/sparql",
            (400,),
            says="bytes",
            headers=FORM,
            body=form(query=f'ASK {{ ?s ?p "{long_literal}" }}'),
        ),
        Case(
            "huge-query-body",
            "POST",
            "/sparql",
            (400,),
            says="bytes",
            headers=QUERY_BODY,
            body=f'ASK {{ ?s ?p "{long_literal}" }}'.encode(),
        ),
        Case(
            "huge-body-form",
            "POST",
            "/sparql",
            (413,),
            headers=FORM,
            body=form(query="ASK {}", padding="p" * 1_100_000),
        ),
        Case(
            "huge-body-sparql-query",
            "POST",
            "/sparql",
            (413,),
            headers=QUERY_BODY,
            body=b"ASK {} #" + b"p" * 1_100_000,
        ),
        # a GET query well under ASU_MAX_QUERY_BYTES (65,536) is answered; a request target
        # over the HTTP layer's 64 KB bound gets its bare 414 (POST carries longer queries)
        Case("long-get-request-line", "GET", get(f'ASK {{ ?s ?p "{"y" * 9000}" }}'), (200,)),
        Case(
            "huge-get-request-line",
            "GET",
            get(f'ASK {{ ?s ?p "{"y" * 70000}" }}'),
            (414,),
            bare=True,
        ),
        # content types and encodings
        Case(
            "content-type-text-plain",
            "POST",
            "/sparql",
            (415,),
            body=b"ASK {}",
            headers={"Content-Type": "text/plain"},
        ),
        Case(
            "content-type-json",
            "POST",
            "/sparql",
            (415,),
            body=b'{"query":"ASK {}"}',
            headers={"Content-Type": "application/json"},
        ),
        Case("content-type-missing", "POST", "/sparql", (415,), body=b"ASK {}"),
        Case(
            "content-type-xml",
            "POST",
            "/sparql",
            (415,),
            body=b"<q>ASK {}</q>",
            headers={"Content-Type": "application/xml"},
        ),
        Case(
            "content-type-multipart",
            "POST",
            "/sparql",
            (400, 415),
            body=b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--x--\r\n',
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        ),
        Case(
            "invalid-utf8-body",
            "POST",
            "/sparql",
            (400,),
            says="UTF-8",
            body=b'ASK { ?s ?p "\xff\xfe" }',
            headers=QUERY_BODY,
        ),
        # A declared charset other than UTF-8 is an unsupported media type (415).
        Case(
            "invalid-utf8-latin1-body",
            "POST",
            "/sparql",
            (415,),
            says="UTF-8",
            body='ASK { ?s ?p "Université" }'.encode("latin-1"),
            headers={"Content-Type": "application/sparql-query; charset=iso-8859-1"},
        ),
        Case(
            "invalid-utf8-get",
            "GET",
            "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D",
            (400,),
            says="UTF-8",
        ),
        Case(
            "invalid-utf8-form",
            "POST",
            "/sparql",
            (400,),
            says="UTF-8",
            headers=FORM,
            body=b"query=ASK%20%7B%20%3Fs%20%3Fp%20%22%C3%28%22%20%7D",
        ),
        Case(
            "invalid-utf8-truncated-sequence",
            "GET",
            "/sparql?query=ASK%20%7B%7D%E2%82",
            (400,),
            says="UTF-8",
        ),
        # formats and Accept
        Case("unknown-format", "GET", get("SELECT * { ?s ?p ?o } LIMIT 1", format="xlsx"), (406,)),
        Case("unknown-output", "GET", get("ASK {}", output="pdf"), (406,)),
        # A format word of the other kind of answer falls back to Accept, then
        # the default (as Fuseki and Virtuoso do): answered, not refused.
        Case(
            "graph-format-for-select",
            "GET",
            get("SELECT * { ?s ?p ?o } LIMIT 1", format="turtle"),
            (200,),
        ),
        Case(
            "results-format-for-construct",
            "GET",
            get("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", format="csv"),
            (200,),
        ),
        Case(
            "accept-nonsense",
            "GET",
            get("SELECT * { ?s ?p ?o } LIMIT 1"),
            (406,),
            headers={"Accept": "application/x-nonsense"},
        ),
        Case(
            "accept-image",
            "GET",
            get("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"),
            (406,),
            headers={"Accept": "image/png, image/*"},
        ),
        Case(
            "accept-thousand-types",
            "GET",
            get("ASK {}"),
            (406,),
            headers={"Accept": ", ".join(f"application/x-t{i}" for i in range(400))},
        ),
        Case(
            "accept-header-too-large",
            "GET",
            get("ASK {}"),
            (400, 406, 431),
            headers={"Accept": "a/b;q=0.5," * 2000},
        ),
        # methods
        Case("method-put", "PUT", "/sparql", (405,), body=b"ASK {}", headers=QUERY_BODY),
        Case("method-delete", "DELETE", "/sparql", (405,)),
        Case("method-patch", "PATCH", "/sparql", (405,), body=b"x", headers=QUERY_BODY),
        Case("method-post-on-entity", "POST", "/id/mnhn", (405,), body=b"x"),
        Case("method-delete-on-data", "DELETE", "/data/mnhn.ttl", (405,)),
        Case("method-put-on-download", "PUT", "/download/asu.ttl", (405,), body=b"x"),
        # traversal on the published paths
        *[
            Case(f"traversal-{i}", "GET", path, (404,))
            for i, path in enumerate(
                [
                    "/id/../../../../etc/passwd",
                    "/id/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                    "/id/..%2f..%2f..%2fetc%2fpasswd",
                    "/id/%2Fetc%2Fpasswd",
                    "/page/..%2f..%2f..%2fetc%2fpasswd",
                    "/data/../../../../etc/passwd",
                    "/data/..%2f..%2f..%2f..%2fetc%2fpasswd",
                    "/data/%2fetc%2fpasswd",
                    "/data/....//....//....//etc/passwd",
                    "/data/..%252f..%252f..%252fetc%252fpasswd",
                    "/data/mnhn.ttl%00.html",
                    "/download/../../../../etc/passwd",
                    "/download/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                    "/download//etc/passwd",
                    "/download/..%5c..%5c..%5cetc%5cpasswd",
                    "/download/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
                    "/static/../../../../etc/passwd",
                    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
                    "/download/releases/..%2f..%2f..%2f..%2fetc%2fpasswd",
                    "/download/releases/x/..%2f..%2f..%2fetc%2fpasswd",
                ]
            )
        ],
    ]


def all_cases(listener: str) -> list[Case]:
    return outbound_cases(listener) + other_cases()
