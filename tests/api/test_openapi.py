"""The published contract: valid OpenAPI 3.1, complete per operation, snapshot-reviewed, and
exactly the routes that run."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from app.domain.result import recommend
from app.domain.snapshot import Snapshot
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn
from app.schemas.result import RecommendationResult, deqing_result_example
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
    example = result["example"]
    assert example["county"]["name"] == "Deqing"
    assert example["recommendations"]


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


def test_result_example_is_current(snapshot: Snapshot) -> None:
    """The published Deqing result is what the engine answers today (refresh with the snapshot)."""
    res = recommend(snapshot, ProfileIn.model_validate(DEQING_EXAMPLE).to_domain(), "en")
    res["challenges"] = res["challenges"][:3]
    res["recommendations"] = res["recommendations"][:3]
    res["kb_version"] = deqing_result_example()["kb_version"]
    path = ROOT / "app" / "schemas" / "deqing-result.example.json"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        path.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert res == deqing_result_example()
    RecommendationResult.model_validate(res)
