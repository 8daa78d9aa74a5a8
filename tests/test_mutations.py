"""The gate against realistic mistakes: a mutation corpus applied to the real data.

Each mutation in ``tests/mutations.toml`` edits a copy of ``data/`` the way a
contributor could get a fact wrong (a mistyped date, a swapped ROR identifier,
an accent-stripped name, a data file without a source...). ``asu-graph
validate`` must then fail and name both the resource and the rule. The run
prints the catch rate of the corpus and of its held-out part (mutations written
after the shapes, to show the rules generalise).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from asu_graph.cli import main

from .support import ROOT, run_cli

DATA = ROOT / "data"
CORPUS = Path(__file__).with_name("mutations.toml")
ID = "https://w3id.org/asu/id/"
FAMILIES = {
    "dates",
    "counts",
    "durations",
    "amounts",
    "identifiers",
    "vocabulary",
    "membership",
    "labels",
    "sources",
}


@dataclass
class Mutation:
    id: str
    family: str
    focus: str
    rule: str
    edits: list[dict[str, object]]
    held_out: bool = False
    caught: bool | None = field(default=None, compare=False)

    @property
    def focus_iri(self) -> str:
        return ID + self.focus[3:] if self.focus.startswith("id:") else self.focus


def load_corpus() -> list[Mutation]:
    with CORPUS.open("rb") as handle:
        return [Mutation(**entry) for entry in tomllib.load(handle)["mutation"]]


MUTATIONS = load_corpus()


def apply(mutation: Mutation, folder: Path) -> None:
    """Write the mutated copy of the data; an edit that no longer applies is a test error."""
    shutil.copytree(DATA, folder)
    for edit in mutation.edits:
        path = folder / str(edit["file"])
        if edit.get("create"):
            assert not path.exists(), f"{mutation.id}: {path.name} already exists"
            path.write_text(str(edit["replace"]), encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        find, replace = str(edit["find"]), str(edit["replace"])
        assert find in text, f"{mutation.id}: {find!r} is no longer in {path.name}"
        count = -1 if edit.get("all") else 1
        path.write_text(text.replace(find, replace, count), encoding="utf-8")


def validate(folder: Path) -> tuple[int, dict]:
    """`asu-graph validate --format json` in this process (the same code as the command)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", "--data-dir", str(folder), "--format", "json"])
    assert code in (0, 1), err.getvalue()
    return code, json.loads(out.getvalue())


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict]]:
    found: dict[str, tuple[int, dict]] = {}
    for mutation in MUTATIONS:
        folder = tmp_path_factory.mktemp("mutation") / "data"
        try:
            apply(mutation, folder)
        except AssertionError as exc:  # reported by that mutation's own test
            found[mutation.id] = (-1, {"violations": [], "error": str(exc)})
            continue
        found[mutation.id] = validate(folder)
    return found


def caught(mutation: Mutation, outcome: tuple[int, dict]) -> bool:
    code, report = outcome
    named = {(v["focus"], v["rule"]) for v in report["violations"]}
    return code == 1 and (mutation.focus_iri, mutation.rule) in named


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(MUTATIONS) >= 60
    assert len({m.id for m in MUTATIONS}) == len(MUTATIONS)
    assert {m.family for m in MUTATIONS} == FAMILIES
    held_out = [m for m in MUTATIONS if m.held_out]
    assert len(held_out) >= 8
    assert {m.family for m in held_out} >= {"dates", "identifiers", "labels", "membership"}


def test_the_real_data_passes() -> None:
    code, report = validate(DATA)
    assert code == 0 and report["conforms"] is True, report["violations"]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_is_caught_naming_resource_and_rule(mutation: Mutation, results: dict) -> None:
    code, report = results[mutation.id]
    assert code != -1, report["error"]
    assert code == 1, f"{mutation.id} passed the gate"
    named = sorted({(v["focus"], v["rule"]) for v in report["violations"]})
    assert caught(mutation, results[mutation.id]), (
        f"{mutation.id}: expected ({mutation.focus_iri}, {mutation.rule}), got {named}"
    )
    # the message a user reads names the rule too
    messages = [
        v["message"]
        for v in report["violations"]
        if (v["focus"], v["rule"]) == (mutation.focus_iri, mutation.rule)
    ]
    assert any("rule" in text for text in messages), messages


def test_catch_rate_is_printed(results: dict, capsys: pytest.CaptureFixture[str]) -> None:
    def rate(group: list[Mutation]) -> tuple[int, int]:
        return sum(caught(m, results[m.id]) for m in group), len(group)

    lines = []
    for name, group in (
        ("corpus", [m for m in MUTATIONS if not m.held_out]),
        ("held out", [m for m in MUTATIONS if m.held_out]),
        ("all", MUTATIONS),
    ):
        hit, total = rate(group)
        lines.append(f"mutation catch rate ({name}): {hit}/{total} = {100 * hit / total:.0f}%")
    for family in sorted(FAMILIES):
        hit, total = rate([m for m in MUTATIONS if m.family == family])
        lines.append(f"  {family}: {hit}/{total}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    hit, total = rate(MUTATIONS)
    assert hit == total


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m.held_out][:3], ids=lambda m: m.id)
def test_the_command_itself_rejects_held_out_mutations(mutation: Mutation, tmp_path: Path) -> None:
    """The installed command, in its own process, in the text format a user reads."""
    folder = tmp_path / "data"
    apply(mutation, folder)
    result = run_cli("validate", "--data-dir", str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if f"<{mutation.focus_iri}>" in line]
    assert any(f"breaks rule {mutation.rule}" in line for line in lines), result.stdout


def test_an_ill_typed_value_gets_the_rule_not_a_traceback(tmp_path: Path) -> None:
    (mutation,) = [m for m in MUTATIONS if m.id == "date-impossible-month"]
    folder = tmp_path / "data"
    apply(mutation, folder)
    result = run_cli("validate", "--data-dir", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "breaks rule FoundingDateShape" in result.stdout and "2018-13-01" in result.stdout
