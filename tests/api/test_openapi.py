"""The published contract: valid OpenAPI 3.1, complete per operation, snapshot-reviewed, and
exactly the routes that run."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import TypeAdapter

from app.domain.result import recommend
from app.domain.result_types import RecommendationResult, RecommendationSummary
from app.domain.snapshot import Snapshot
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn
from app.schemas.result import deqing_result_examples
from tests.conftest import ROOT, running_routes

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")
OPERATION_ID = re.compile(
    r"^[a-z0-9]+(-[a-z0-9]+)*-(list|get|create|validate|batch|live|ready|replace|update|delete|export|import)(-head)?$"
)


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    res = client.get("/openapi.json")
    assert res.status_code == 200
    data: dict[str, Any] = res.json()
    return data


def test_spec_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    info = spec["info"]
    assert re.match(r"^\d+\.\d+\.\d+$", info["version"])
    assert info["description"]
    assert info["contact"]["email"]
    assert info["license"]["identifier"] == "Apache-2.0"


def test_every_operation_is_documented(spec: dict[str, Any]) -> None:
    seen = set()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert OPERATION_ID.match(op["operationId"]), (method, path, op["operationId"])
            assert op["operationId"] not in seen
            seen.add(op["operationId"])
            assert op["summary"]
            assert op["description"]
            assert op["tags"]
            errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
            assert errors, (method, path)
            for status, response in errors.items():
                assert list(response["content"]) == ["application/problem+json"], (path, status)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
            if "requestBody" in op:
                assert "415" in op["responses"]
                assert "413" in op["responses"]
            assert "406" in op["responses"]


def test_deqing_examples_are_published(spec: dict[str, Any]) -> None:
    body = spec["components"]["schemas"]["RecommendationRequest"]
    assert body["examples"][0]["county"]["name"] == "Deqing"
    result = spec["paths"]["/v1/recommendations"]["post"]["responses"]["200"]["content"][
        "application/json"
    ]
    examples = result["examples"]
    assert set(examples) == {"full", "summary", "trace"}
    for example in examples.values():
        assert example["value"]["county"]["name"] == "Deqing"
        assert example["value"]["recommendations"]
    assert examples["trace"]["value"]["challenges"][0]["trace"]["rules"]


def test_snapshot(spec: dict[str, Any]) -> None:
    """A breaking change shows in review: refresh with UPDATE_OPENAPI_SNAPSHOT=1."""
    rendered = json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "openapi.json changed; review and refresh the snapshot"
    )


def test_route_inventory_matches_the_spec(client: TestClient, spec: dict[str, Any]) -> None:
    documented = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    running = running_routes(client.app)
    heads = {("HEAD", path) for method, path in running if method == "GET"}
    assert running | heads == documented
    for method, path in documented:
        res = client.request(
            method,
            re.sub(r"\{[^}]+\}", "deqing", path),
            json={} if method not in ("GET", "HEAD") else None,
        )
        assert res.status_code != 405, (method, path)
        if method == "HEAD":
            continue  # no body to read; the GET of the same path is checked below
        assert not (res.status_code == 404 and res.json()["detail"].startswith("No resource at")), (
            method,
            path,
        )


def test_result_examples_are_current(snapshot: Snapshot) -> None:
    """The published Deqing results are what the engine answers today (refresh with the
    snapshot): full, summary and traced, each valid against its schema."""
    profile = ProfileIn.model_validate(DEQING_EXAMPLE).to_domain()

    def answer(**options: Any) -> Any:
        return orjson.loads(orjson.dumps(recommend(snapshot, profile, "en", **options)))

    full = answer()
    full["challenges"], full["recommendations"] = (
        full["challenges"][:3],
        full["recommendations"][:3],
    )
    traced = answer(trace=True)
    traced["challenges"] = traced["challenges"][:1]
    traced["recommendations"] = traced["recommendations"][:1]
    examples = {
        "full": full,
        "summary": answer(view="summary"),
        "trace": traced,
    }
    for res in examples.values():
        res["kb_version"] = "1:0123456789ab"
    path = ROOT / "app" / "schemas" / "deqing-result.example.json"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        path.write_text(json.dumps(examples, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert examples == deqing_result_examples()
    TypeAdapter(RecommendationResult).validate_python(examples["full"])
    TypeAdapter(RecommendationSummary).validate_python(examples["summary"])
    TypeAdapter(RecommendationResult).validate_python(examples["trace"])
    assert "trace" in examples["trace"]["challenges"][0]
    assert "confidence" in examples["summary"]["challenges"][0]


def _response_refs(spec: dict[str, Any]) -> set[str]:
    """Every component schema reachable from a response."""
    seen: set[str] = set()
    pending: list[Any] = [
        media.get("schema", {})
        for item in spec["paths"].values()
        for op in item.values()
        for response in op["responses"].values()
        for media in response.get("content", {}).values()
    ]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            if ref and name not in seen:
                seen.add(name)
                pending.append(spec["components"]["schemas"][name])
            pending += list(node.values())
        elif isinstance(node, list):
            pending += node
    return seen


def test_output_schemas_are_closed_and_typed(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    reachable = _response_refs(spec)
    assert {"RecommendationResult", "EvidenceOut", "FigureOut", "IndicatorOut"} <= reachable
    text = json.dumps({name: schemas[name] for name in reachable})
    assert '"additionalProperties": true' not in text
    for name in reachable:
        if schemas[name].get("type") == "object":
            assert schemas[name].get("properties") is not None, name


def test_each_vocabulary_is_one_named_enum(spec: dict[str, Any]) -> None:
    named = {
        frozenset(s["enum"]): name
        for name, s in spec["components"]["schemas"].items()
        if "enum" in s
    }
    for expected in ("Family", "Status", "Band", "Basis", "BenchmarkKind", "WarningCode"):
        assert expected in named.values(), expected
    inline: list[str] = []

    def walk(node: Any, at: str) -> None:
        if isinstance(node, dict):
            if "enum" in node and frozenset(node["enum"]) in named:
                inline.append(at)
            for k, v in node.items():
                walk(v, f"{at}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{at}/{i}")

    walk(spec["paths"], "#/paths")
    for name, schema in spec["components"]["schemas"].items():
        for key, value in schema.items():  # the component's own enum is the definition
            walk(value, f"#/components/schemas/{name}/{key}")
    assert not inline, inline


def _ops(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }


def test_every_response_header_is_documented(spec: dict[str, Any]) -> None:
    ops = _ops(spec)
    for _, _, op in ops.values():
        for status, response in op["responses"].items():
            assert "X-Request-ID" in response["headers"], (op["operationId"], status)
            if status in ("429", "503"):
                assert "Retry-After" in response["headers"]
    assert {"ETag", "Cache-Control", "Link", "RateLimit", "RateLimit-Policy"} <= set(
        ops["paths-list"][2]["responses"]["200"]["headers"]
    )
    assert "ETag" in ops["paths-get"][2]["responses"]["304"]["headers"]
    created = ops["assessments-create"][2]["responses"]["201"]["headers"]
    assert {"Location", "Idempotent-Replayed", "Content-Language"} <= set(created)
    assert "Location" in ops["signals-create"][2]["responses"]["201"]["headers"]
    assert "WWW-Authenticate" in ops["assessments-list"][2]["responses"]["401"]["headers"]
    headers = spec["components"]["headers"]
    assert headers["X-Request-ID"]["required"] is True


def test_preconditions_bodies_and_security_as_enforced(spec: dict[str, Any]) -> None:
    ops = _ops(spec)
    for method, _, op in ops.values():
        if_match = [p for p in op.get("parameters", ()) if p["name"].lower() == "if-match"]
        if "428" in op["responses"] and if_match:
            assert if_match[0]["required"] is True, op["operationId"]
        if method == "patch":
            assert list(op["requestBody"]["content"]) == ["application/merge-patch+json"]
    assert spec["servers"]
    assert spec["security"][0] == {}  # a key is optional unless an operation says otherwise
    assert "security" not in ops["recommendations-create"][2]
    assert "security" not in ops["challenges-list"][2]
    assert ops["assessments-create"][2]["security"] == [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    assert ops["health-live"][2]["security"] == []
    declared = {t["name"] for t in spec["tags"]}
    assert {t for _, _, op in ops.values() for t in op["tags"]} <= declared
    summary = spec["components"]["schemas"]["AssessmentSummary"]["properties"]
    assert summary["created_at"]["format"] == "date-time"


def test_limit_maximum_is_the_enforced_one(client: TestClient, spec: dict[str, Any]) -> None:
    limit = next(p for p in _ops(spec)["paths-list"][2]["parameters"] if p["name"] == "limit")
    maximum = limit["schema"]["maximum"]
    assert client.get(f"/v1/paths?limit={maximum}").status_code == 200
    assert client.get(f"/v1/paths?limit={maximum + 1}").status_code == 422


def test_batch_body_is_typed_and_csv_documented(spec: dict[str, Any]) -> None:
    content = _ops(spec)["recommendations-batch"][2]["requestBody"]["content"]
    assert content["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/ProfileIn"
    }
    csv = content["text/csv"]
    assert "county_name" in csv["schema"]["description"]
    assert csv["example"].startswith("county_name,")
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in content
