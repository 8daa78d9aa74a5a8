"""The query guard read as a SPARQL tokenizer: what it refuses and what it must not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from asu_graph.sparql.guard import MAX_DEPTH, QueryRefused, check, inspect, tokenize
from asu_graph.store import QuerySyntaxError

from .support import ROOT, run_cli

OWN = "https://w3id.org/asu/graph/alliance"
OTHER = "http://127.0.0.1:9/sparql"


def refused(text: str, **kwargs: object) -> QueryRefused:
    with pytest.raises(QueryRefused) as caught:
        check(text, allowed_graphs={OWN}, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * {{ SERVICE <{OTHER}> {{ ?s ?p ?o }} }}",
        f"select * {{ service <{OTHER}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{OTHER}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE\n\tsilent\n<{OTHER}> {{ ?s ?p ?o }} }}",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * { SERVICE $endpoint { ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:9/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o MINUS { SERVICE <file:///etc/passwd> { ?s ?p ?o } } }",
    ],
)
def test_service_is_refused_in_every_spelling(text: str) -> None:
    assert refused(text).status == 403
    assert "SERVICE" in refused(text).message


def test_service_allowlist_lets_exactly_the_listed_endpoints_through() -> None:
    allowed = "https://query.wikidata.org/sparql"
    check(
        f"SELECT * {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}",
        allowed_graphs=(),
        service_allowlist=[allowed],
    )
    with pytest.raises(QueryRefused):
        check(
            f"SELECT * {{ SERVICE <{allowed}/x> {{ ?s ?p ?o }} }}",
            allowed_graphs=(),
            service_allowlist=[allowed],
        )
    with pytest.raises(QueryRefused):  # a variable could be bound to anything
        check(
            "SELECT * { SERVICE ?e { ?s ?p ?o } }", allowed_graphs=(), service_allowlist=[allowed]
        )


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }',
        "SELECT * { ?s ?p '''\nSERVICE <http://127.0.0.1:9/> {}\nLOAD <file:///etc/passwd>''' }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { } LOAD <file:///x>",
        "SELECT ?service ?load ?from WHERE { ?service ?load ?from }",
        "PREFIX service: <urn:x:> PREFIX load: <urn:y:> ASK { service:a load:b service:from }",
        'PREFIX : <urn:x:> ASK { :SERVICE :LOAD :FROM . _:service :insert "x"@load }',
        "ASK { <urn:service> <http://example.org/LOAD> <http://example.org/FROM> }",
        "SELECT * { FILTER(?a < ?b && ?c > 3) FILTER(?a<?b&&?c>3) }",
        'SELECT * { BIND("caf\\u00e9" AS ?x) BIND("a\\"b" AS ?y) BIND("""x""" AS ?z) }',
        f"SELECT * FROM <{OWN}> FROM NAMED <{OWN}> {{ ?s ?p ?o }}",
        "PREFIX g: <https://w3id.org/asu/graph/> SELECT * FROM g:alliance { ?s ?p ?o }",
    ],
)
def test_look_alikes_are_not_refused(text: str) -> None:
    check(text, allowed_graphs={OWN})


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <file:///etc/passwd>",
        "load <http://127.0.0.1:9/> into graph <urn:g>",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP GRAPH <urn:g>",
        "CREATE GRAPH <urn:g>",
        "ADD DEFAULT TO <urn:g>",
        "MOVE <urn:a> TO <urn:b>",
        "COPY <urn:a> TO <urn:b>",
    ],
)
def test_updates_are_refused(text: str) -> None:
    problem = refused(text)
    assert problem.status == 403 and "read-only" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
        f"SELECT * FROM NAMED <{OTHER}> {{ ?s ?p ?o }}",
        "PREFIX f: <file:///etc/> SELECT * FROM f:passwd { ?s ?p ?o }",
        "BASE <file:///etc/> SELECT * FROM <passwd> { ?s ?p ?o }",
        "SELECT * FROM <passwd> { ?s ?p ?o }",
        "SELECT * from named <https://w3id.org/asu/graph/not-published> { ?s ?p ?o }",
    ],
)
def test_from_must_name_published_graphs(text: str) -> None:
    assert "FROM" in refused(text).message


def test_protocol_dataset_must_name_published_graphs() -> None:
    check("SELECT * { ?s ?p ?o }", allowed_graphs={OWN}, default_graphs=[OWN], named_graphs=[OWN])
    for field in ("default_graphs", "named_graphs"):
        problem = refused("SELECT * { ?s ?p ?o }", **{field: [OWN, "file:///etc/passwd"]})
        assert "file:///etc/passwd" in problem.message


def test_unicode_escapes_are_read_both_ways() -> None:
    # SPARQL 1.1 lets an engine expand \\u escapes anywhere: \\u0053ERVICE could be SERVICE.
    with pytest.raises((QueryRefused, QuerySyntaxError)):
        check(f"SELECT * {{ \\u0053ERVICE <{OTHER}> {{ }} }}", allowed_graphs=())
    # Expanded, \\u0022 closes a string early and uncovers the SERVICE after it.
    hidden = f'SELECT * {{ ?s ?p "\\u0022 . SERVICE <{OTHER}> {{ }} ?s ?p """x""" }}'
    with pytest.raises((QueryRefused, QuerySyntaxError)):
        check(hidden, allowed_graphs=())


def test_depth_and_size_limits() -> None:
    check("SELECT * " + "{" * MAX_DEPTH + "}" * MAX_DEPTH, allowed_graphs=())
    deep = refused("SELECT * " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))
    assert deep.status == 400 and "deep" in deep.message
    big = refused("ASK {} #" + "x" * 200, max_query_bytes=100)
    assert big.status == 413 and "100 bytes" in big.message


def test_tokenizer_reads_what_it_reads_and_refuses_the_rest() -> None:
    kinds = [t.kind for t in tokenize('PREFIX ex: <urn:x:> SELECT ?v { ex:a\\.b ?v "s"@en-GB }')]
    assert kinds == [
        "word",
        "pname",
        "iri",
        "word",
        "var",
        "punct",
        "pname",
        "var",
        "string",
        "lang",
        "punct",
    ]
    for text in ('ASK { "open }', "ASK { ?s ?p ?o } \x00", "ASK { ` }"):
        with pytest.raises(QuerySyntaxError):
            tokenize(text)
    assert [g.iri for g in inspect("SELECT * FROM <urn:a> {}").from_graphs] == ["urn:a"]


def test_cli_query_refuses_with_exit_code_3() -> None:
    result = run_cli("query", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert result.returncode == 3
    assert "SERVICE" in result.stderr and "refused" in result.stderr
    load = run_cli("query", "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }")
    assert load.returncode == 3 and "root:" not in load.stdout + load.stderr


def test_failed_build_leaves_the_last_good_output_byte_identical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = run_cli("build", "--out", str(out))
    assert good.returncode == 0, good.stderr
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert before
    broken = tmp_path / "data"
    shutil.copytree(ROOT / "data", broken)
    # Unparsable Turtle, then data that parses but breaks the shapes.
    (broken / "zz-broken.ttl").write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    assert run_cli("build", "--out", str(out), "--data-dir", str(broken)).returncode == 3
    shutil.copy(ROOT / "tests" / "broken" / "amount-as-string.ttl", broken / "zz-broken.ttl")
    invalid = run_cli("build", "--out", str(out), "--data-dir", str(broken))
    assert invalid.returncode == 1, invalid.stderr
    after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_write_failure_midway_leaves_the_target_untouched(tmp_path: Path) -> None:
    from asu_graph.publishing.export import write_once

    target = write_once(tmp_path, "release", lambda folder: (folder / "a.ttl").write_text("old"))

    def half_then_fail(folder: Path) -> None:
        (folder / "a.ttl").write_text("new")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_once(tmp_path, "other", half_then_fail)
    with pytest.raises(FileExistsError):  # written once: never replaced
        write_once(tmp_path, "release", lambda folder: (folder / "a.ttl").write_text("new"))
    assert (target / "a.ttl").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]
