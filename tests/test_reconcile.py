"""The reconciliation service as OpenRefine drives it, every answer checked against the API schemas.

The JSON Schemas are the W3C Entity Reconciliation Community Group's (``0.2`` and
``1.0-draft``), read from ``../shared/reference/reconciliation-api/`` beside the checkout
(``ASU_REFERENCE_DIR`` points elsewhere). Without them the schema checks are skipped
with that message; the behaviour tests still run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from asu_graph.web import create_app

from .support import SHARED

SCHEMAS = Path(os.environ.get("ASU_REFERENCE_DIR", SHARED / "reference")) / "reconciliation-api"

# Affiliations as people write them in a spreadsheet, and what each must become.
AFFILIATIONS: list[tuple[str, str | None, bool]] = [
    # (text, expected entity id or None, expected match flag)
    ("Muséum national d'histoire naturelle", "mnhn", True),  # official, other case
    ("Museum national d'Histoire Naturelle, Paris", "mnhn", False),  # no accent, a city added
    ("MNHN", "mnhn", False),  # an acronym is not certain
    ("Sorbonne Universite", "sorbonne-universite", True),  # French, accent missing
    ("Sorbonne University", "sorbonne-universite", True),  # English
    ("UPMC", "universite-paris-6", False),
    ("Universite de Technologie de Compiegne", "utc", True),
    ("INSEAD", "insead", True),
    ("Pole superieur Paris Boulogne Billancourt", "pspbb", False),
    ("University of Oxford", None, False),  # not in the Alliance
]
ORGANISATION = "http://www.w3.org/ns/org#FormalOrganization"


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


@pytest.fixture(scope="module")
def schema() -> Any:
    if not SCHEMAS.is_dir():
        pytest.skip(
            f"reconciliation API schemas not found at {SCHEMAS} (they come from the "
            "public repository reconciliation-api/specs, 0.2/schemas and "
            "1.0-draft/schemas); set ASU_REFERENCE_DIR"
        )
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in SCHEMAS.glob("*/*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        if "$id" not in contents:  # some draft files have none: name them as the specs do
            contents["$id"] = (
                f"https://reconciliation-api.github.io/specs/{path.parent.name}/schemas/{path.name}"
            )
        resources.append(
            (contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7))
        )
    # The manifests point at Swagger's schema for "authentication", which this service does
    # not use; a stand-in keeps the check offline.
    swagger = {"definitions": {"securityDefinitions": {"additionalProperties": {}}}}
    resources.append(
        (
            "http://swagger.io/v2/schema.json",
            Resource.from_contents(swagger, default_specification=DRAFT7),
        )
    )
    registry = Registry().with_resources(resources)

    def check(version: str, name: str, instance: Any) -> None:
        path = SCHEMAS / version / f"{name}.json"
        contents = json.loads(path.read_text(encoding="utf-8"))
        uri = contents.get("$id") or (
            f"https://reconciliation-api.github.io/specs/{version}/schemas/{name}.json"
        )
        validator = jsonschema.Draft7Validator({"$ref": uri}, registry=registry)
        errors = sorted(validator.iter_errors(instance), key=str)
        assert not errors, f"{version}/{name}: " + "; ".join(e.message for e in errors[:3])

    return check


def _batch(client: FlaskClient, queries: dict[str, Any], method: str = "POST") -> dict:
    payload = {"queries": json.dumps(queries)}
    r = (
        client.post("/reconcile", data=payload)
        if method == "POST"
        else client.get("/reconcile", query_string=payload)
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    return r.get_json()


def test_manifest(client: FlaskClient, schema: Any) -> None:
    manifest = client.get("/reconcile").get_json()
    schema("0.2", "manifest", manifest)
    assert manifest["identifierSpace"] == "https://w3id.org/asu/id/"
    assert manifest["view"]["url"].endswith("/id/{{id}}")
    assert {t["id"] for t in manifest["defaultTypes"]} >= {ORGANISATION}
    schema("1.0-draft", "manifest", client.get("/reconcile/1.0-draft").get_json())


def test_openrefine_session(client: FlaskClient, schema: Any) -> None:
    """A batch of affiliations, a type filter, a ROR constraint, then an extension."""
    queries = {
        f"q{i}": {"query": text, "type": ORGANISATION, "type_strict": "should", "limit": 3}
        for i, (text, _, _) in enumerate(AFFILIATIONS)
    }
    schema("0.2", "reconciliation-query-batch", queries)
    answer = _batch(client, queries)
    schema("0.2", "reconciliation-result-batch", answer)
    matched: dict[str, str] = {}
    for i, (text, expected, match) in enumerate(AFFILIATIONS):
        result = answer[f"q{i}"]["result"]
        if expected is None:
            assert result == [], (text, result)
            continue
        assert result, text
        best = result[0]
        assert best["id"] == expected, (text, [r["id"] for r in result])
        assert best["match"] is match, (text, best)
        assert all(r["score"] < best["score"] or not r["match"] for r in result[1:])
        assert any(t["id"] == ORGANISATION for t in best["type"])
        matched[text] = best["id"]

    # The same text with the right ROR identifier becomes a certain match; a wrong one
    # pushes the candidate down.
    ror = {
        "q0": {"query": "MNHN", "properties": [{"pid": "ror", "v": "03wkt5x30"}]},
        "q1": {"query": "MNHN", "properties": [{"pid": "ror", "v": "https://ror.org/03wkt5x30"}]},
        "q2": {"query": "MNHN", "properties": [{"pid": "ror", "v": "02en5vm52"}]},
        "q3": {"query": "", "properties": [{"pid": "ror", "v": "02feahw73"}]},
    }
    schema("0.2", "reconciliation-query-batch", ror)
    answer = _batch(client, ror, method="GET")
    schema("0.2", "reconciliation-result-batch", answer)
    assert answer["q0"]["result"][0] | {} and answer["q0"]["result"][0]["match"] is True
    assert answer["q1"]["result"][0]["match"] is True
    assert all(r["id"] != "mnhn" or not r["match"] for r in answer["q2"]["result"])
    assert answer["q3"]["result"][0]["id"] == "cnrs"

    # Extend the matched rows with what a spreadsheet of affiliations needs.
    props = client.get(
        "/reconcile/propose_properties", query_string={"type": ORGANISATION}
    ).get_json()
    schema("0.2", "data-extension-property-proposal", props)
    wanted = ["label_en", "label_fr", "ror", "wikidata", "website", "member_of"]
    assert set(wanted) <= {p["id"] for p in props["properties"]}
    extend = {"ids": sorted(set(matched.values())), "properties": [{"id": p} for p in wanted]}
    schema("0.2", "data-extension-query", extend)
    r = client.post("/reconcile", data={"extend": json.dumps(extend)})
    assert r.status_code == 200
    rows = r.get_json()
    schema("0.2", "data-extension-response", rows)
    mnhn = rows["rows"]["mnhn"]
    assert mnhn["ror"] == [{"str": "03wkt5x30"}]
    assert mnhn["wikidata"] == [{"str": "Q838691"}]
    assert {"str": "https://www.mnhn.fr"} in mnhn["website"]
    assert mnhn["label_fr"] == [{"str": "Muséum national d'Histoire naturelle"}]
    assert {"id": "alliance-sorbonne-universite", "name": "Alliance Sorbonne Université"} in mnhn[
        "member_of"
    ]
    assert rows["rows"]["utc"]["label_en"] == [{"str": "University of Technology of Compiègne"}]


def test_suggest_and_preview(client: FlaskClient, schema: Any) -> None:
    entity = client.get("/reconcile/suggest/entity?prefix=mus").get_json()
    schema("0.2", "suggest-entities-response", entity)
    assert entity["result"][0]["id"] == "mnhn"
    types = client.get("/reconcile/suggest/type?prefix=organ").get_json()
    schema("0.2", "suggest-types-response", types)
    assert ORGANISATION in {t["id"] for t in types["result"]}
    props = client.get("/reconcile/suggest/property?prefix=ro").get_json()
    schema("0.2", "suggest-properties-response", props)
    assert "ror" in {p["id"] for p in props["result"]}
    r = client.get("/reconcile/preview?id=mnhn")
    assert r.status_code == 200 and "Muséum" in r.get_data(as_text=True)
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert client.get("/reconcile/preview?id=nope").status_code == 404


def test_draft_1_0_forms(client: FlaskClient, schema: Any) -> None:
    batch = {
        "queries": [
            {"conditions": [{"matchType": "name", "propertyValue": "Sorbonne Universite"}]},
            {
                "type": ORGANISATION,
                "conditions": [
                    {"matchType": "name", "propertyValue": "Museum"},
                    {"matchType": "property", "propertyId": "ror", "propertyValue": "03wkt5x30"},
                ],
            },
            {"conditions": [{"matchType": "name", "propertyValue": "University of Oxford"}]},
        ]
    }
    schema("1.0-draft", "reconciliation-query-batch", batch)
    r = client.post("/reconcile/1.0-draft/match", json=batch)
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    schema("1.0-draft", "reconciliation-result-batch", answer)
    first, second, third = answer["results"]
    assert first["candidates"][0]["id"] == "sorbonne-universite"
    assert second["candidates"][0] == second["candidates"][0] | {"id": "mnhn", "match": True}
    assert third["candidates"] == []
    extend = {"ids": ["mnhn"], "properties": [{"id": "ror"}, {"id": "member_of"}]}
    schema("1.0-draft", "data-extension-query", extend)
    r = client.post("/reconcile/1.0-draft/extend", json=extend)
    schema("1.0-draft", "data-extension-response", r.get_json())
    entity = client.get("/reconcile/1.0-draft/suggest/entity?prefix=sorb").get_json()
    schema("1.0-draft", "suggest-entities-response", entity)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"queries": "{not json"}, "not valid JSON"),
        ({"queries": json.dumps(["a"])}, "JSON object of named queries"),
        ({"queries": json.dumps({"q0": {"query": 3}})}, "query must be a string"),
        ({"queries": json.dumps({"q0": {}})}, "needs a query text"),
        ({"queries": json.dumps({"q0": {"query": "x", "limit": -1}})}, "limit must be"),
        (
            {
                "queries": json.dumps(
                    {"q0": {"query": "x", "properties": [{"pid": "bif:x", "v": 1}]}}
                )
            },
            "Unknown property",
        ),
        ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, "at most 100"),
        (
            {"extend": json.dumps({"ids": ["mnhn"], "properties": [{"id": "nope"}]})},
            "Unknown property",
        ),
        ({"extend": json.dumps({"ids": "mnhn"})}, "ids and properties"),
    ],
)
def test_bad_requests_get_a_message(client: FlaskClient, data: dict, message: str) -> None:
    r = client.post("/reconcile", data=data)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)


def test_cors_preflight_for_json_posts(client: FlaskClient) -> None:
    r = client.options(
        "/reconcile/1.0-draft/match",
        headers={
            "Origin": "http://127.0.0.1:3333",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code in (200, 204)
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()


def test_jsonp_callback_is_checked(client: FlaskClient) -> None:
    r = client.get("/reconcile?callback=cb")
    assert r.status_code == 200 and r.get_data(as_text=True).startswith("/**/cb(")
    assert client.get("/reconcile?callback=alert(1)//").status_code == 400
