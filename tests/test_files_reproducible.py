"""Same data, same bytes; dates come from the data's version, never the server's start."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.namespace import DCTERMS

from .files_support import snapshot
from .support import asu_server, run_cli


def _build(out: Path, **env: str) -> Path:
    result = run_cli("build", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return (out / "latest").resolve()


def test_two_builds_of_the_same_data_are_byte_identical(tmp_path: Path) -> None:
    # Different hash seeds: rdflib's in-memory order changes from one process to the next.
    fixed = {"SOURCE_DATE_EPOCH": "1767225600"}
    one = _build(tmp_path / "one", PYTHONHASHSEED="1", **fixed)
    two = _build(tmp_path / "two", PYTHONHASHSEED="2", **fixed)
    files = snapshot(one)
    assert {
        "asu.ttl",
        "asu.nt",
        "asu.jsonld",
        "asu.rdf",
        "asu.trig",
        "asu.nq",
        "asu.nq.gz",
        "SHA256SUMS",
        "manifest.json",
    } <= set(files)
    assert snapshot(two) == files  # every format, the checksums and the manifest
    manifest = json.loads(files["manifest.json"])
    assert manifest["modified"] == "2026-01-01T00:00:00+00:00"
    # Without a fixed date only the manifest's date may differ, never a dump.
    three = _build(tmp_path / "three", PYTHONHASHSEED="3")
    again = snapshot(three)
    assert {k: v for k, v in again.items() if k != "manifest.json"} == {
        k: v for k, v in files.items() if k != "manifest.json"
    }
    for name, data in files.items():
        if name.endswith(".gz"):
            assert data[:3] == b"\x1f\x8b\x08", name
            assert data[3] & 0x08 == 0, f"{name} carries a file name"
            assert data[4:8] == b"\0\0\0\0", f"{name} carries a time"
    # N-Triples and N-Quads come sorted, one statement per line.
    for name in ("asu.nt", "asu.nq"):
        lines = files[name].decode("utf-8").splitlines()
        assert lines == sorted(lines) and all(lines), name


def test_a_release_holds_the_same_dump_bytes_as_a_build(tmp_path: Path) -> None:
    build = _build(tmp_path / "out", PYTHONHASHSEED="5")
    result = run_cli(
        "release", "--out", str(tmp_path / "out"), "--version", "1.0", env={"PYTHONHASHSEED": "6"}
    )
    assert result.returncode == 0, result.stderr
    release = tmp_path / "out" / "releases" / "1.0"
    for path in sorted(build.glob("asu.*")):
        assert (release / path.name).read_bytes() == path.read_bytes(), path.name


def _dates(url: str) -> dict[str, object]:
    """Every date and checksum a harvester reads from a running server."""
    seen: dict[str, object] = {}
    index = requests.get(
        url + "/download/", headers={"Accept": "application/json"}, timeout=30
    ).json()
    seen["index modified"] = index["modified"]
    seen["checksums"] = {row["name"]: row["sha256"] for row in index["files"]}
    for path in (
        "/download/",
        "/download/asu.ttl",
        "/download/manifest.json",
        "/void",
        "/catalog",
        "/sitemap.xml",
        "/sparql?query=ASK%7B%7D",
        "/id/mnhn",
    ):
        response = requests.get(url + path, timeout=30, allow_redirects=True)
        assert response.status_code == 200, path
        seen[f"Last-Modified {path}"] = response.headers.get("Last-Modified")
    sitemap = requests.get(url + "/sitemap.xml", timeout=30).text
    seen["sitemap lastmod"] = sorted(set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap)))
    void = Graph().parse(
        data=requests.get(url + "/void", headers={"Accept": "text/turtle"}, timeout=30).text,
        format="turtle",
    )
    seen["void modified"] = sorted(str(o) for o in void.objects(None, DCTERMS.modified))
    catalog = Graph().parse(
        data=requests.get(url + "/catalog", headers={"Accept": "text/turtle"}, timeout=30).text,
        format="turtle",
    )
    seen["dcat modified"] = sorted(str(o) for o in catalog.objects(None, DCTERMS.modified))
    description = Graph().parse(
        data=requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30).text,
        format="turtle",
    )
    seen["service modified"] = sorted(str(o) for o in description.objects(None, DCTERMS.modified))
    return seen


def test_a_restart_changes_no_date(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(out)
    built = json.loads((out / "manifest.json").read_text())["modified"]
    time.sleep(1.5)  # a date taken from the clock would now differ by a second or more
    with asu_server(tmp_path, "--out-dir", str(out)) as url:
        first = _dates(url)
    time.sleep(1.5)
    with asu_server(tmp_path, "--out-dir", str(out)) as url:
        second = _dates(url)
    assert second == first
    # The date is the one recorded when this version was first built, not a start time.
    assert first["index modified"] == built
    assert first["void modified"] and first["sitemap lastmod"] == [built[:10]]
    for key, value in first.items():
        if key.startswith("Last-Modified"):
            assert value, f"no {key}"


def test_a_fixed_date_gets_its_own_folder_and_keeps_the_earlier_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _build(out)
    before = snapshot(out)
    fixed = _build(out, SOURCE_DATE_EPOCH="1767225600")
    assert fixed != first and fixed.name.startswith(first.name)
    assert (
        json.loads((fixed / "manifest.json").read_text())["modified"] == "2026-01-01T00:00:00+00:00"
    )
    after = snapshot(out)
    for key, value in before.items():
        if key != "latest":
            assert after[key] == value, key
    bad = run_cli("build", "--out", str(out), env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 2 and "SOURCE_DATE_EPOCH" in bad.stderr


def test_two_releases_of_the_same_data_are_byte_identical(tmp_path: Path) -> None:
    from .test_release import change_data, data_copy

    changed = data_copy(tmp_path)
    change_data(changed)
    folders = []
    for seed in ("7", "8"):
        out = tmp_path / f"out-{seed}"
        env = {"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1767225600"}
        for version, data in (("1.0", []), ("2.0", ["--data-dir", str(changed)])):
            result = run_cli("release", "--out", str(out), "--version", version, *data, env=env)
            assert result.returncode == 0, result.stderr
        folders.append(out / "releases")
    # Dumps, change set, VoID, DCAT, checksums and manifests alike.
    assert snapshot(folders[0]) == snapshot(folders[1])
    assert "2.0/changes.json" in snapshot(folders[0])
