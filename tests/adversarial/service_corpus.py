# ruff: noqa: E501 - one spelling per line reads best in a corpus
"""Ways to make a SPARQL endpoint reach out: SERVICE, FROM, FROM NAMED, LOAD, updates.

Also Virtuoso's DEFINE pragmas, which make that store fetch IRIs itself.

Written from the attacker's side, from the SPARQL 1.1 grammar and from what
engines are known to accept, not from how this project's check works: keyword
case, keywords glued to prefixed names (engines read ``SERVICE:x`` as
``SERVICE :x``), empty local names, ``\\u`` escapes, comments and line breaks
between tokens, every place a group pattern may stand, every query form,
relative IRIs resolved against an attacker's ``BASE``, other spellings of the
loopback address, and the three ways the SPARQL protocol carries a query.

Every entry aims at ``http://127.0.0.1:PORT/`` where the test runs a
listener. A server that is safe to expose answers each with a 4xx and a
message, and the listener never sees a connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

TRANSPORTS = ("get", "form", "direct")


@dataclass(frozen=True)
class Entry:
    name: str
    text: str
    transport: str = "get"  # get: ?query=, form: POST form body, direct: POST body
    param: str = "query"  # "update" for the protocol's update operation

    def request(self) -> tuple[str, str, bytes, dict[str, str]]:
        """Method, path with query string, body and headers of this entry's request."""
        if self.transport == "get":
            return (
                "GET",
                "/sparql?" + urlencode({self.param: self.text}, quote_via=quote),
                b"",
                {},
            )
        if self.transport == "form":
            return (
                "POST",
                "/sparql",
                urlencode({self.param: self.text}, quote_via=quote).encode("utf-8"),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
        media = (
            "application/sparql-update" if self.param == "update" else "application/sparql-query"
        )
        return "POST", "/sparql", self.text.encode("utf-8"), {"Content-Type": media}


def _u(text: str) -> str:
    """Every character of ``text`` as a SPARQL ``\\uXXXX`` escape."""
    return "".join(f"\\u{ord(ch):04X}" for ch in text)


def _service_spellings(port: int) -> dict[str, str]:
    """A SERVICE clause (prologue part, clause) per spelling; {G} is the inner group."""
    url = f"http://127.0.0.1:{port}/sparql"
    root = f"http://127.0.0.1:{port}/"
    return {
        "plain": f"SERVICE <{url}> {{G}}",
        "lower": f"service <{url}> {{G}}",
        "mixed": f"SeRvIcE <{url}> {{G}}",
        "silent": f"SERVICE SILENT <{url}> {{G}}",
        "silent-lower": f"service silent <{url}> {{G}}",
        "no-space-iri": f"SERVICE<{url}>{{G}}",
        "silent-no-space-iri": f"SERVICE SILENT<{url}>{{G}}",
        "newline-tab": f"SERVICE\n\t<{url}>\r\n{{G}}",
        "comment-between": f"SERVICE # harmless\n<{url}> {{G}}",
        "comment-between-silent": f"SERVICE#x\nSILENT#y\n<{url}>#z\n{{G}}",
        "glued-empty-prefix": f"PREFIX : <{root}>\nSERVICE:sparql {{G}}",
        "glued-empty-prefix-lower": f"PREFIX : <{root}>\nservice:sparql {{G}}",
        "glued-empty-local": f"PREFIX : <{url}>\nSERVICE: {{G}}",
        "glued-empty-local-brace": f"PREFIX : <{url}>\nSERVICE:{{G}}",
        "spaced-empty-local": f"PREFIX : <{url}>\nSERVICE : {{G}}",
        "glued-longer-prefix": f"PREFIX X: <{root}>\nSERVICEX:sparql {{G}}",
        "glued-longer-prefix-lower": f"PREFIX x: <{root}>\nservicex:sparql {{G}}",
        "glued-silent": f"PREFIX : <{root}>\nSERVICESILENT:sparql {{G}}",
        "glued-silent-mixed": f"PREFIX : <{root}>\nServiceSilent:sparql {{G}}",
        "silent-glued-prefix": f"PREFIX : <{root}>\nSERVICE SILENT:sparql {{G}}",
        "glued-silent-prefix-name": f"PREFIX SILENTp: <{root}>\nSERVICE SILENTp:sparql {{G}}",
        "glued-prefix-named-like-keyword": f"PREFIX SILENT: <{root}>\nSERVICE SILENT:sparql {{G}}",
        "prefixed": f"PREFIX l: <{root}>\nSERVICE l:sparql {{G}}",
        "prefixed-escaped-local": f"PREFIX l: <{root}>\nSERVICE l:spar\\-ql {{G}}",
        "prefixed-percent-local": f"PREFIX l: <{root}>\nSERVICE l:%73parql {{G}}",
        "prefix-redefined": f"PREFIX l: <urn:harmless:>\nPREFIX l: <{root}>\nSERVICE l:sparql {{G}}",
        "base-relative": f"BASE <{root}>\nSERVICE <sparql> {{G}}",
        "base-empty-iri": f"BASE <{url}>\nSERVICE <> {{G}}",
        "base-dot-dot": f"BASE <{root}a/b/c>\nSERVICE <../../sparql> {{G}}",
        "base-network-path": f"BASE <http://example.org/>\nSERVICE <//127.0.0.1:{port}/sparql> {{G}}",
        "base-relative-prefix": f"BASE <{root}>\nPREFIX r: <>\nSERVICE r:sparql {{G}}",
        "base-twice": f"BASE <http://example.org/>\nBASE <{root}>\nSERVICE <sparql> {{G}}",
        "variable-values": f"VALUES ?endpoint {{ <{url}> }}\nSERVICE ?endpoint {{G}}",
        "variable-bind": f'BIND(IRI("{url}") AS ?endpoint)\nSERVICE ?endpoint {{G}}',
        "variable-dollar": f"BIND(<{url}> AS $endpoint)\nSERVICE $endpoint {{G}}",
        "variable-silent": f"VALUES ?e {{ <{url}> }}\nSERVICE SILENT ?e {{G}}",
        "escape-keyword": f"\\u0053ERVICE <{url}> {{G}}",
        "escape-keyword-all": f"{_u('SERVICE')} <{url}> {{G}}",
        "escape-keyword-middle": f"SERV\\u0049CE <{url}> {{G}}",
        "escape-keyword-long": f"\\U00000053ERVICE <{url}> {{G}}",
        "escape-keyword-lower": f"\\u0073ervice <{url}> {{G}}",
        "escape-iri-brackets": f"SERVICE \\u003C{url}\\u003E {{G}}",
        "escape-iri-inside": f"SERVICE <http://127.0.0.1:{port}/\\u0073parql> {{G}}",
        "escape-silent": f"SERVICE \\u0053ILENT <{url}> {{G}}",
        "escape-glued": f"PREFIX : <{root}>\n\\u0053ERVICE:sparql {{G}}",
        "localhost-name": f"SERVICE <http://localhost:{port}/sparql> {{G}}",
        "decimal-address": f"SERVICE <http://2130706433:{port}/sparql> {{G}}",
        "short-address": f"SERVICE <http://127.1:{port}/sparql> {{G}}",
        "hex-address": f"SERVICE <http://0x7f.0.0.1:{port}/sparql> {{G}}",
        "userinfo": f"SERVICE <http://user:pw@127.0.0.1:{port}/sparql> {{G}}",
        "upper-scheme": f"SERVICE <HTTP://127.0.0.1:{port}/sparql> {{G}}",
    }


_GROUP = "{ ?s ?p ?o }"


def _positions() -> dict[str, str]:
    """Query texts with the clause placed somewhere; {P} prologue, {C} the clause."""
    return {
        "where": "{P}SELECT * WHERE { {C} }",
        "optional": "{P}SELECT * WHERE { ?a ?b ?c OPTIONAL { {C} } }",
        "exists": "{P}SELECT * WHERE { ?a ?b ?c FILTER EXISTS { {C} } }",
        "not-exists": "{P}SELECT * WHERE { ?a ?b ?c FILTER NOT EXISTS { {C} } }",
        "minus": "{P}SELECT * WHERE { ?a ?b ?c MINUS { {C} } }",
        "union": "{P}SELECT * WHERE { { ?a ?b ?c } UNION { {C} } }",
        "subquery": "{P}SELECT * WHERE { { SELECT * WHERE { {C} } LIMIT 1 } }",
        "graph": "{P}SELECT * WHERE { GRAPH ?g { {C} } }",
        "ask": "{P}ASK { {C} }",
        "ask-where": "{P}ASK WHERE { {C} }",
        "construct": "{P}CONSTRUCT { ?s ?p ?o } WHERE { {C} }",
        "describe": "{P}DESCRIBE ?s WHERE { {C} }",
        "describe-star": "{P}DESCRIBE * { {C} }",
        "bind-exists": "{P}SELECT ?x WHERE { BIND(EXISTS { {C} } AS ?x) }",
        "after-less-than": "{P}SELECT * WHERE { ?a ?b ?c FILTER(?c<'>') {C} FILTER(?a != '') }",
        "after-less-than-iri-like": "{P}SELECT * WHERE { ?a ?b ?c FILTER(?c<?d&&?d>?c) {C} }",
        "after-values": "{P}SELECT * WHERE { VALUES ?x { 1 2 } {C} }",
        "nested-optional-minus": "{P}SELECT * WHERE { ?a ?b ?c OPTIONAL { ?a ?b ?d MINUS { ?a ?b ?e FILTER NOT EXISTS { {C} } } } }",
    }


def _split(clause: str) -> tuple[str, str]:
    """A spelling's PREFIX/BASE lines (which must open the query) and its pattern part."""
    prologue, pattern = [], []
    for line in clause.split("\n"):
        (prologue if line.startswith(("PREFIX", "BASE")) else pattern).append(line)
    return "".join(p + "\n" for p in prologue), "\n".join(pattern)


def _service_entries(port: int) -> list[Entry]:
    entries: list[Entry] = []
    spellings = _service_spellings(port)
    positions = _positions()
    # Every spelling in the plain position, by each of the three transports in turn.
    for n, (spelling, clause) in enumerate(spellings.items()):
        prologue, pattern = _split(clause.replace("{G}", _GROUP))
        text = positions["where"].replace("{P}", prologue).replace("{C}", pattern)
        entries.append(Entry(f"service-{spelling}", text, TRANSPORTS[n % 3]))
    # The spellings an engine was seen to follow, in every position.
    for spelling in (
        "plain",
        "glued-empty-prefix",
        "glued-longer-prefix",
        "glued-silent",
        "glued-empty-local",
        "escape-keyword",
        "variable-values",
    ):
        prologue, pattern = _split(spellings[spelling].replace("{G}", _GROUP))
        for n, (position, template) in enumerate(positions.items()):
            if position == "where":
                continue
            text = template.replace("{P}", prologue).replace("{C}", pattern)
            entries.append(Entry(f"service-{spelling}-in-{position}", text, TRANSPORTS[n % 3]))
    # One glued spelling by every transport, so none of the three is a way around.
    for transport in TRANSPORTS:
        prologue, pattern = _split(spellings["glued-empty-prefix"].replace("{G}", _GROUP))
        text = positions["optional"].replace("{P}", prologue).replace("{C}", pattern)
        entries.append(Entry(f"service-glued-optional-by-{transport}", text, transport))
    return entries


def _from_entries(port: int) -> list[Entry]:
    url = f"http://127.0.0.1:{port}/graph"
    root = f"http://127.0.0.1:{port}/"
    texts = {
        "from": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "from-lower": f"select * from <{url}> where {{ ?s ?p ?o }}",
        "from-named": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from-named-lower": f"select * from named <{url}> {{ graph ?g {{ ?s ?p ?o }} }}",
        "from-no-space": f"SELECT * FROM<{url}>WHERE{{ ?s ?p ?o }}",
        "from-named-no-space": f"SELECT * FROM NAMED<{url}>{{ ?s ?p ?o }}",
        "from-glued-prefix": f"PREFIX : <{root}>\nSELECT * FROM:graph WHERE {{ ?s ?p ?o }}",
        "from-glued-prefix-lower": f"PREFIX : <{root}>\nselect * from:graph {{ ?s ?p ?o }}",
        "from-glued-empty-local": f"PREFIX : <{url}>\nSELECT * FROM: WHERE {{ ?s ?p ?o }}",
        "from-glued-longer-prefix": f"PREFIX G: <{root}>\nSELECT * FROMG:graph {{ ?s ?p ?o }}",
        "from-named-glued": f"PREFIX : <{root}>\nSELECT * FROM NAMED:graph {{ ?s ?p ?o }}",
        "from-glued-named": f"PREFIX : <{root}>\nSELECT * FROMNAMED:graph {{ ?s ?p ?o }}",
        "from-glued-named-mixed": f"PREFIX : <{root}>\nSELECT * FromNamed:graph {{ ?s ?p ?o }}",
        "from-prefixed": f"PREFIX g: <{root}>\nSELECT * FROM g:graph {{ ?s ?p ?o }}",
        "from-base-relative": f"BASE <{root}>\nSELECT * FROM <graph> {{ ?s ?p ?o }}",
        "from-base-empty": f"BASE <{url}>\nSELECT * FROM <> {{ ?s ?p ?o }}",
        "from-named-base-relative": f"BASE <{root}>\nSELECT * FROM NAMED <graph> {{ ?s ?p ?o }}",
        "from-comment-between": f"SELECT * FROM # x\n<{url}> {{ ?s ?p ?o }}",
        "from-named-comment-between": f"SELECT * FROM#x\nNAMED#y\n<{url}> {{ ?s ?p ?o }}",
        "from-escape-keyword": f"SELECT * \\u0046ROM <{url}> {{ ?s ?p ?o }}",
        "from-escape-named": f"SELECT * FROM \\u004EAMED <{url}> {{ ?s ?p ?o }}",
        "from-escape-brackets": f"SELECT * FROM \\u003C{url}\\u003E {{ ?s ?p ?o }}",
        "from-second-of-two": f"SELECT * FROM <https://w3id.org/asu/graph/alliance> FROM <{url}> {{ ?s ?p ?o }}",
        "from-ask": f"ASK FROM <{url}> {{ ?s ?p ?o }}",
        "from-construct": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "from-construct-glued": f"PREFIX : <{root}>\nCONSTRUCT {{ ?s ?p ?o }} FROM:graph WHERE {{ ?s ?p ?o }}",
        "from-describe": f"DESCRIBE ?s FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "from-describe-glued": f"PREFIX : <{root}>\nDESCRIBE ?s FROM:graph WHERE {{ ?s ?p ?o }}",
        "from-ask-glued-named": f"PREFIX : <{root}>\nASK FROMNAMED:graph {{ ?s ?p ?o }}",
        "from-file": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
    }
    return [Entry(name, text, TRANSPORTS[n % 3]) for n, (name, text) in enumerate(texts.items())]


def _update_entries(port: int) -> list[Entry]:
    url = f"http://127.0.0.1:{port}/data"
    root = f"http://127.0.0.1:{port}/"
    texts = {
        "load": f"LOAD <{url}>",
        "load-lower": f"load <{url}>",
        "load-silent": f"LOAD SILENT <{url}>",
        "load-into": f"LOAD <{url}> INTO GRAPH <urn:x:g>",
        "load-glued-prefix": f"PREFIX : <{root}>\nLOAD:data",
        "load-glued-silent": f"PREFIX : <{root}>\nLOADSILENT:data",
        "load-glued-empty-local": f"PREFIX : <{url}>\nLOAD:",
        "load-glued-longer-prefix": f"PREFIX D: <{root}>\nLOADD:data",
        "load-base-relative": f"BASE <{root}>\nLOAD <data>",
        "load-escape": f"\\u004COAD <{url}>",
        "load-escape-all": f"{_u('LOAD')} <{url}>",
        "load-comment-between": f"LOAD # x\n<{url}>",
        "load-file": "LOAD <file:///etc/passwd>",
        "load-second-operation": f"CLEAR SILENT GRAPH <urn:x:g> ;\nLOAD <{url}>",
        "insert-data": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        "insert-data-glued": "INSERTDATA{ <urn:x:a> <urn:x:b> <urn:x:c> }",
        "insert-where-service": f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "delete-where": "DELETE WHERE { ?s ?p ?o }",
        "delete-where-glued": "DELETEWHERE{ ?s ?p ?o }",
        "delete-data": "DELETE DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        "with-delete": "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "with-glued": "PREFIX : <urn:x:>\nWITH:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "using-glued": "PREFIX : <urn:x:>\nDELETE { ?s ?p ?o } USING:g WHERE { ?s ?p ?o }",
        "clear-all": "CLEAR ALL",
        "clear-glued": "PREFIX : <urn:x:>\nCLEAR GRAPH:g",
        "clear-lower": "clear default",
        "drop-all": "DROP ALL",
        "drop-silent-glued": "PREFIX : <urn:x:>\nDROPSILENT GRAPH:g",
        "create": "CREATE GRAPH <urn:x:g>",
        "create-glued": "PREFIX : <urn:x:>\nCREATEGRAPH:g",
        "add": "ADD DEFAULT TO <urn:x:g>",
        "move": "MOVE <urn:x:a> TO <urn:x:b>",
        "copy": "COPY DEFAULT TO <urn:x:g>",
        "escape-insert": "\\u0049NSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
    }
    entries: list[Entry] = []
    for n, (name, text) in enumerate(texts.items()):
        # As a query (the read-only endpoint must still refuse it), and through the
        # protocol's update operation.
        entries.append(Entry(f"update-{name}-as-query", text, TRANSPORTS[n % 3]))
        if n % 3 == 0:
            entries.append(
                Entry(f"update-{name}-as-update", text, TRANSPORTS[n // 3 % 3], param="update")
            )
    return entries


def _pragma_entries(port: int) -> list[Entry]:
    """Virtuoso's DEFINE pragmas, which make the store itself fetch (sponge) IRIs."""
    url = f"http://127.0.0.1:{port}/doc"
    texts = {
        "grab-all": f'DEFINE input:grab-all "yes" SELECT * WHERE {{ <{url}> ?p ?o }}',
        "grab-all-lower": f'define input:grab-all "yes" select * {{ <{url}> ?p ?o }}',
        "grab-seealso": f"DEFINE input:grab-seealso <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
        f'DEFINE input:grab-all "yes" ASK {{ <{url}> ?p ?o }}',
        "get-soft-from": f'DEFINE get:soft "soft" SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}',
        "get-soft-from-named": f'DEFINE get:soft "replace" SELECT * FROM NAMED <{url}> {{ ?s ?p ?o }}',
        "grab-var": f'DEFINE input:grab-var "?s" SELECT * {{ VALUES ?s {{ <{url}> }} ?s ?p ?o }}',
        "comment-between": f'DEFINE # x\ninput:grab-all "yes" CONSTRUCT WHERE {{ <{url}> ?p ?o }}',
        "after-prefix": f'PREFIX ex: <{url}#>\nDEFINE input:grab-all "yes" DESCRIBE ex:x',
    }
    return [
        Entry(f"pragma-{name}", text, TRANSPORTS[n % 3])
        for n, (name, text) in enumerate(texts.items())
    ]


def corpus(port: int) -> list[Entry]:
    """All entries, aimed at a listener on 127.0.0.1:``port``; names are unique."""
    entries = (
        _service_entries(port) + _from_entries(port) + _update_entries(port) + _pragma_entries(port)
    )
    names = [entry.name for entry in entries]
    assert len(names) == len(set(names)), "duplicate entry names"
    return entries
