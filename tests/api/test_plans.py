"""POST /v1/plans: public, localised, validated, byte-stable, and documented with an example."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.domain.snapshot import Snapshot
from app.schemas.plans import PlanRequest, PlanResult, deqing_plan_example
from app.schemas.profile import DEQING_EXAMPLE
from app.services.plans import plan
from app.services.renderers import DOCX as DOCX_FORMAT
from app.services.renderers import PLAN_FORMATS, REPORT_FORMATS
from tests.conftest import DEQING_PROFILE, ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")
DOCX = DOCX_FORMAT.media_type
PUBLISHED = TypeAdapter(PlanResult)


def body(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    return data | extra


def test_plan_in_chinese_names_departments_funding_and_kpis(client: TestClient) -> None:
    res = client.post("/v1/plans", json=body(), headers={"Accept-Language": "zh"})
    assert res.status_code == 200, res.text
    assert res.headers["content-language"] == "zh-CN"
    data = res.json()
    PUBLISHED.validate_python(data)
    assert data["horizon"] == 2030
    assert data["start"] == 2026
    assert data["actions"]
    for action in data["actions"]:
        assert CJK.search(action["lead"]["name"])
        assert action["partners"]
        assert action["funding"]
        assert all(CJK.search(f["name"]) for f in action["funding"])
        # Assessed on a target, an output or an indicator whose baseline is measured first.
        assert action["kpis"] or action["outputs"] or action["to_measure"]
        assert action["phase"]["start"] >= 2026
        assert action["phase"]["end"] == 2030
    leads = {a["lead"]["name"] for a in data["actions"]}
    assert "县投资促进中心" in leads


def test_horizon_and_english(client: TestClient) -> None:
    res = client.post("/v1/plans", json=body(horizon=2035, max_actions=4))
    assert res.status_code == 200
    data = res.json()
    assert data["horizon"] == 2035
    assert data["phases"][-1]["end"] == 2035
    assert data["actions"][0]["lead"]["name"].startswith(("County", "Talent"))
    assert all(k["year"] <= 2035 for a in data["actions"] for k in a["kpis"])


@pytest.mark.parametrize(
    ("extra", "pointer"),
    [
        ({"horizon": 2027}, "/horizon"),
        ({"horizon": "2030"}, "/horizon"),
        ({"horizon": 2051}, "/horizon"),
        ({"max_actions": 0}, "/max_actions"),
        ({"view": "summary"}, "/view"),
    ],
)
def test_bad_plan_options_are_422_naming_the_field(
    client: TestClient, extra: dict[str, Any], pointer: str
) -> None:
    res = client.post("/v1/plans", json=body(**extra))
    assert res.status_code == 422
    assert res.headers["content-type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in res.json()["errors"]]


def test_a_horizon_too_close_to_a_late_profile_is_422(client: TestClient) -> None:
    late = body(horizon=2030)
    late["county"]["year"] = 2029
    res = client.post("/v1/plans", json=late)
    assert res.status_code == 422
    assert res.json()["errors"][0]["pointer"] == "/horizon"
    assert "2030" in res.json()["detail"]


def test_same_profile_same_bytes(client: TestClient) -> None:
    first = client.post("/v1/plans", json=body())
    assert client.post("/v1/plans", json=body()).content == first.content


def test_plan_is_in_the_openapi_document_with_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/plans"]["post"]
    example = op["responses"]["200"]["content"]["application/json"]["example"]
    assert example["actions"][0]["lead"]["name"]
    assert spec["components"]["schemas"]["PlanRequest"]["examples"][0]["horizon"] == 2030


def test_plan_example_is_current(snapshot: Snapshot) -> None:
    """The published Deqing plan is what the planner answers today (refresh with the snapshot)."""
    request = PlanRequest.model_validate(DEQING_EXAMPLE)
    found = plan(snapshot, request.profile(), request, "zh")
    first = replace(
        found, actions=found.actions[:3], kb_version=deqing_plan_example()["kb_version"]
    )
    out = orjson.loads(orjson.dumps(first))
    path = ROOT / "app" / "schemas" / "deqing-plan.example.json"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert out == deqing_plan_example()
    PUBLISHED.validate_python(out)


def test_the_plan_as_markdown_or_a_word_document(client: TestClient) -> None:
    """The plan route answers the formats of the one registry (app.services.renderers): JSON by
    default, Markdown and DOCX when Accept asks, anything else 406."""
    markdown = client.post(
        "/v1/plans",
        json=DEQING_EXAMPLE,
        headers={"Accept": "text/markdown", "Accept-Language": "zh"},
    )
    assert markdown.status_code == 200
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.headers["content-language"] == "zh-CN"
    assert markdown.text.startswith("# ")
    docx = client.post("/v1/plans", json=DEQING_EXAMPLE, headers={"Accept": DOCX})
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    assert 'filename="countypath-330521.docx"' in docx.headers["content-disposition"]
    assert (
        client.post("/v1/plans", json=DEQING_EXAMPLE)
        .headers["content-type"]
        .startswith("application/json")
    )
    refused = client.post("/v1/plans", json=DEQING_EXAMPLE, headers={"Accept": "text/html"})
    assert refused.status_code == 406
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/v1/plans"]["post"]["responses"]["200"]["content"]
    assert set(content) == {f.media_type for f in PLAN_FORMATS}
    reports = spec["paths"]["/v1/reports"]["post"]["responses"]["200"]["content"]
    assert set(reports) == {f.media_type for f in REPORT_FORMATS}
