"""Releases: versioned folders, exact change sets, atomic writes, served while running."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from asu_graph.cli import main
from asu_graph.config import Settings

from .support import ROOT, asu_server, run_cli
from .test_publishing import assert_dcat_ap

DCAT = Namespace("http://www.w3.org/ns/dcat#")
ID = "https://w3id.org/asu/id/"
ADDED = (URIRef(ID + "mnhn"), SKOS.altLabel, Literal("Muséum (test)", lang="fr"))
# Two edits of the real data: a label rewritten and a new triple appended.
OLD_TEXT = '"ASU"@en , "ASU"@fr'
NEW_TEXT = '"ASU"@fr , "ASU (alliance)"@en'


def data_copy(tmp: Path) -> Path:
    folder = tmp / "data"
    shutil.copytree(ROOT / "data", folder)
    return folder


def change_data(folder: Path) -> None:
    path = folder / "alliance.ttl"
    text = path.read_text(encoding="utf-8")
    assert OLD_TEXT in text, "the edited triple is no longer in data/alliance.ttl"
    text = text.replace(OLD_TEXT, NEW_TEXT, 1)
    text += f'\n<{ADDED[0]}> <{ADDED[1]}> "Muséum (test)"@fr .\n'
    path.write_text(text, encoding="utf-8")


def release(out: Path, data: Path, *args: str) -> str:
    result = run_cli("release", "--out", str(out), "--data-dir", str(data), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def cli_in_process(*args: str) -> tuple[int, str, str]:
    """The same ``main`` as the command, without a new interpreter (saves seconds)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def verify_checksums(folder: Path) -> None:
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("releases")
    out, data = tmp / "out", data_copy(tmp)
    first = release(out, data, "--version", "1.0")
    change_data(data)
    second = release(out, data)
    return out, first, second


def test_change_set_is_exactly_the_difference(two_releases) -> None:
    out, first, second = two_releases
    old = Graph().parse(out / "releases" / first / "asu.nt", format="nt")
    new = Graph().parse(out / "releases" / second / "asu.nt", format="nt")
    folder = out / "releases" / second
    added = Graph().parse(folder / "changes-added.nt", format="nt")
    removed = Graph().parse(folder / "changes-removed.nt", format="nt")
    assert set(added) == set(new) - set(old)
    assert set(removed) == set(old) - set(new)
    assert ADDED in added
    assert (
        URIRef(ID + "alliance-sorbonne-universite"),
        SKOS.altLabel,
        Literal("ASU (alliance)", lang="en"),
    ) in added
    summary = json.loads((folder / "changes.json").read_text())
    assert summary["added"] == len(added) and summary["removed"] == len(removed)
    assert summary["previous"] == first
    assert ID + "mnhn" in summary["subjects"]
    assert summary["predicates"][str(SKOS.altLabel)]["added"] >= 1
    readable = (folder / "changes.md").read_text()
    assert f"{len(added)} triples added" in readable and f"release {first}" in readable
    # The first release compares with nothing: everything is added.
    first_added = Graph().parse(out / "releases" / first / "changes-added.nt", format="nt")
    assert set(first_added) == set(old)


def test_release_folder_is_complete_and_checksummed(two_releases) -> None:
    out, first, second = two_releases
    for version in (first, second):
        folder = out / "releases" / version
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["release"] == version
        verify_checksums(folder)
        for name, meta in manifest["files"].items():
            assert (folder / name).stat().st_size == meta["bytes"], name
        assert (
            gzip.decompress((folder / "asu.nt.gz").read_bytes()) == (folder / "asu.nt").read_bytes()
        )
    manifest = json.loads((out / "releases" / second / "manifest.json").read_text())
    assert manifest["previous"] == first
    catalog = Graph().parse(out / "releases" / second / "catalog.ttl", format="turtle")
    node = next(catalog.subjects(DCAT.version, Literal(second)))
    previous = catalog.value(node, DCAT.previousVersion)
    assert str(previous).endswith("/release/" + first)
    assert not any(p.name.startswith(".") for p in (out / "releases").iterdir())


def test_release_catalogue_passes_dcat_ap_3(two_releases) -> None:
    out, _, second = two_releases
    assert_dcat_ap(Graph().parse(out / "releases" / second / "catalog.ttl", format="turtle"))


def test_bad_versions_are_refused_before_any_work(two_releases, tmp_path: Path) -> None:
    out, first, _ = two_releases
    for version, message in (
        ("../escape", "is not allowed"),
        ("a/b", "is not allowed"),
        ("", "is not allowed"),
        (first, "already exists"),
    ):
        code, _, stderr = cli_in_process("release", "--out", str(out), "--version", version)
        assert code == 2, (version, stderr)
        assert message in stderr
    assert not (out / "escape").exists()


def test_failed_release_leaves_earlier_releases_untouched(two_releases, tmp_path: Path) -> None:
    out, first, second = two_releases
    before = {p: p.read_bytes() for p in (out / "releases").rglob("*") if p.is_file()}
    broken = data_copy(tmp_path)
    with (broken / "alliance.ttl").open("a", encoding="utf-8") as handle:
        handle.write(f"\n<{ID}no-label-org> a <http://www.w3.org/ns/org#FormalOrganization> .\n")
    code, _, stderr = cli_in_process(
        "release", "--out", str(out), "--data-dir", str(broken), "--version", "broken"
    )
    assert code == 1 and "does not conform" in stderr
    (broken / "alliance.ttl").write_text("this is not turtle", encoding="utf-8")
    code, _, stderr = cli_in_process("release", "--out", str(out), "--data-dir", str(broken))
    assert code == 3 and "not valid Turtle" in stderr
    after = {p: p.read_bytes() for p in (out / "releases").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([first, second])


def test_exception_while_writing_removes_the_partial_release(two_releases, monkeypatch) -> None:
    from asu_graph.publication import prepare
    from asu_graph.publishing import release as release_module
    from asu_graph.publishing.layout import list_releases

    out, first, second = two_releases
    real = release_module.write_dumps

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # half the folder exists when the failure comes
        raise OSError("disk full")

    monkeypatch.setattr(release_module, "write_dumps", write_then_fail)
    publication = prepare(Settings.from_env(environ={}))
    with pytest.raises(OSError, match="disk full"):
        release_module.make_release(publication, out, version="partial")
    names = sorted(p.name for p in (out / "releases").iterdir())
    assert names == sorted([first, second])
    settings = Settings.from_env(environ={}, out_dir=out)
    assert [m["release"] for m in list_releases(settings)] == [first, second]


def test_releases_are_served_and_survive_restarts(tmp_path: Path) -> None:
    out, data = tmp_path / "out", data_copy(tmp_path)
    first = release(out, data, "--version", "r9")
    env = {"ASU_DATA_DIR": str(data)}
    with asu_server(tmp_path, "--out-dir", str(out), env=env) as url:
        listing = requests.get(
            url + "/download/releases/", headers={"Accept": "application/json"}, timeout=10
        ).json()
        assert [r["version"] for r in listing["releases"]] == [first]
        # A release made while the server runs is listed at once.
        change_data(data)
        code, stdout, stderr = cli_in_process(
            "release", "--out", str(out), "--data-dir", str(data), "--version", "a2"
        )
        assert code == 0, stderr
        second = stdout.strip()
        listing = requests.get(
            url + "/download/releases/", headers={"Accept": "application/json"}, timeout=10
        ).json()
        assert [r["version"] for r in listing["releases"]] == [second, first]
        page = requests.get(
            url + "/download/releases/", headers={"Accept": "text/html"}, timeout=10
        )
        assert page.status_code == 200 and "a2" in page.text
        files = requests.get(
            f"{url}/download/releases/{second}/", headers={"Accept": "application/json"}, timeout=10
        ).json()
        assert files["previous"] == first
        for row in files["files"]:
            response = requests.get(row["url"], timeout=10)
            assert response.status_code == 200, row["name"]
            assert hashlib.sha256(response.content).hexdigest() == row["sha256"]
            assert response.headers["ETag"] == f'"{row["sha256"]}"'
            cached = requests.get(
                row["url"], headers={"If-None-Match": response.headers["ETag"]}, timeout=10
            )
            assert cached.status_code == 304
        added = requests.get(f"{url}/download/releases/{second}/changes-added.nt", timeout=10)
        assert ADDED in set(Graph().parse(data=added.content, format="nt"))
        catalog = Graph().parse(url + "/catalog", format="turtle")
        versions = {str(v) for v in catalog.objects(None, DCAT.version)}
        assert {first, second} <= versions
        # A file in the release folder that the manifest does not list is not served.
        (out / "releases" / second / "extra.txt").write_text("not published")
        stray = requests.get(f"{url}/download/releases/{second}/extra.txt", timeout=10)
        assert stray.status_code == 404
        missing = requests.get(f"{url}/download/releases/nope/", timeout=10)
        assert missing.status_code == 404 and "No release" in missing.text
    # A restart (and a build into the same folder) keeps every release.
    assert cli_in_process("build", "--out", str(out), "--data-dir", str(data))[0] == 0
    with asu_server(tmp_path, "--out-dir", str(out), env=env) as url:
        listing = requests.get(
            url + "/download/releases/", headers={"Accept": "application/json"}, timeout=10
        ).json()
        assert [r["version"] for r in listing["releases"]] == [second, first]
        assert requests.get(url + "/download/asu.ttl", timeout=10).status_code == 200
    verify_checksums(out / "releases" / first)
    verify_checksums(out / "releases" / second)
    assert_dcat_ap(catalog)  # last: it skips when the DCAT-AP shapes are not at hand
