"""The command line as scripts use it: outputs, reports and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from .support import ROOT, run_cli

BROKEN = ROOT / "tests" / "broken"


def broken_cases() -> list[Path]:
    return sorted(p for p in BROKEN.glob("*.ttl") if p.name != "valid-control.ttl")


def expected(path: Path) -> tuple[str, str]:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# focus:") or line.startswith("# rule:"):
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip().strip("<>")
    return header["focus"], header["rule"]


def single_file_dir(tmp_path: Path, source: Path) -> Path:
    folder = tmp_path / source.stem
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    return folder


def test_help_lists_commands_and_environment() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for word in (
        "validate",
        "build",
        "query",
        "serve",
        "ASU_BASE",
        "ASU_STORE",
        "ASU_QUERY_TIMEOUT",
        "exit codes",
    ):
        assert word in result.stdout
    for command in ("validate", "build", "query", "serve"):
        sub = run_cli(command, "--help")
        assert sub.returncode == 0 and "usage: asu-graph " + command in sub.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_validate_real_data_exits_zero_in_every_format() -> None:
    text = run_cli("validate")
    assert text.returncode == 0, text.stdout + text.stderr
    assert text.stdout.startswith("valid")
    report = run_cli("validate", "--format", "json")
    assert report.returncode == 0 and json.loads(report.stdout)["conforms"] is True
    turtle = run_cli("validate", "--format", "turtle")
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    assert len(graph) > 0


@pytest.mark.parametrize("case", broken_cases(), ids=lambda p: p.stem)
def test_broken_data_fails_naming_resource_and_rule(case: Path, tmp_path: Path) -> None:
    focus, rule = expected(case)
    folder = single_file_dir(tmp_path, case)
    result = run_cli("validate", "--data-dir", str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if focus in line]
    assert any(rule in line for line in lines), result.stdout
    as_json = json.loads(run_cli("validate", "--data-dir", str(folder), "--format", "json").stdout)
    assert {(v["focus"], v["rule"]) for v in as_json["violations"]} >= {(focus, rule)}


def test_control_file_conforms(tmp_path: Path) -> None:
    folder = single_file_dir(tmp_path, BROKEN / "valid-control.ttl")
    result = run_cli("validate", "--data-dir", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_data_folder_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("validate", "--data-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 3
    assert "data folder not found" in result.stderr


def test_unparsable_turtle_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "bad.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    result = run_cli("build", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "bad.ttl" in result.stderr and "not valid Turtle" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_writes_every_dump_that_reparses_to_the_same_count(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    triples, quads = manifest["triples"], manifest["quads"]
    assert triples > 100
    sums = dict(line.split()[::-1] for line in (out / "SHA256SUMS").read_text().splitlines())
    for name, fmt, count in (
        ("asu.ttl", "turtle", triples),
        ("asu.nt", "nt", triples),
        ("asu.jsonld", "json-ld", triples),
        ("asu.rdf", "xml", triples),
        ("asu.trig", "trig", quads),
        ("asu.nq", "nquads", quads),
    ):
        path = out / name
        assert name in sums and (path.with_name(name + ".gz")).exists()
        if fmt in ("trig", "nquads"):
            parsed = Dataset()
            parsed.parse(path, format=fmt)
            assert len(parsed) == count, name
        else:
            assert len(Graph().parse(path, format=fmt)) == count, name


def test_failed_build_leaves_earlier_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("build", "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    case = broken_cases()[0]
    result = run_cli("build", "--data-dir", str(single_file_dir(tmp_path, case)), "--out", str(out))
    assert result.returncode == 1
    assert "does not conform" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_query_by_name_string_and_file(tmp_path: Path) -> None:
    by_name = run_cli("query", "members", "--format", "json")
    assert by_name.returncode == 0, by_name.stderr
    rows = json.loads(by_name.stdout)["results"]["bindings"]
    assert len(rows) == 6
    text = (
        "SELECT (COUNT(?m) AS ?n) WHERE { "
        "<https://w3id.org/asu/id/alliance-sorbonne-universite> "
        "<http://www.w3.org/ns/org#hasMember> ?m }"
    )
    by_string = run_cli("query", text, "--format", "csv")
    assert by_string.returncode == 0 and by_string.stdout.splitlines()[1].strip() == "6"
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    by_file = run_cli("query", str(path))
    assert by_file.returncode == 0 and "6" in by_file.stdout and "(1 row)" in by_file.stdout


def test_query_errors_have_exit_codes_and_messages(tmp_path: Path) -> None:
    malformed = run_cli("query", "SELECT ?x WHERE { ?x")
    assert malformed.returncode == 3 and "malformed SPARQL" in malformed.stderr
    unknown = run_cli("query", "no-such-query")
    assert unknown.returncode == 3 and "members" in unknown.stderr
    missing = run_cli("query", str(tmp_path / "missing.rq"))
    assert missing.returncode == 3
    wrong_format = run_cli("query", "members", "--format", "turtle")
    assert wrong_format.returncode == 2 and "cannot be written" in wrong_format.stderr


def test_other_base_rewrites_every_iri(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--base", "http://example.org/alliance/", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = (out / "asu.nt").read_text(encoding="utf-8")
    assert "https://w3id.org/asu/" not in text
    assert "<http://example.org/alliance/id/mnhn>" in text


def test_dumps_keep_every_literal_exactly(tmp_path: Path) -> None:
    """No writer may rewrite a literal (e.g. "38000000"^^xsd:decimal into 38000000.0)."""
    from asu_graph.config import Settings
    from asu_graph.pipeline.build import load_dataset

    source = {
        o
        for _, _, o, _ in load_dataset(Settings.from_env()).quads((None, None, None))
        if o.__class__.__name__ == "Literal"
    }
    out = tmp_path / "out"
    assert run_cli("build", "--out", str(out)).returncode == 0
    for name, fmt in (
        ("asu.ttl", "turtle"),
        ("asu.nt", "nt"),
        ("asu.jsonld", "json-ld"),
        ("asu.rdf", "xml"),
        ("asu.trig", "trig"),
        ("asu.nq", "nquads"),
    ):
        parsed = Dataset()
        parsed.parse(out / name, format=fmt)
        written = {
            (str(o), o.datatype, o.language)
            for _, _, o, _ in parsed.quads()
            if o.__class__.__name__ == "Literal"
        }
        expected_forms = {(str(o), o.datatype, o.language) for o in source}
        assert written == expected_forms, (name, expected_forms ^ written)
