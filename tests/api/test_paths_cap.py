"""``?paths=N`` renders only the first N ranked paths: ranks, scores and the diagnosis are those of
the uncapped answer, ``paths_ranked`` says how many fit, and a bad N is a problem naming it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.domain.result_types import RecommendationResult
from tests.conftest import DEQING_PROFILE

PROFILE = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))


def _post(client: TestClient, query: str, body: dict[str, Any] | None = None) -> Any:
    res = client.post(f"/v1/recommendations{query}", json=body or PROFILE)
    assert res.status_code == 200, res.text
    return res.json()


def test_a_capped_full_view_is_the_head_of_the_uncapped_one(client: TestClient) -> None:
    every = _post(client, "")
    five = _post(client, "?paths=5")
    TypeAdapter(RecommendationResult).validate_python(five)
    assert every["paths_ranked"] == len(every["recommendations"]) > 5
    assert five["paths_ranked"] == every["paths_ranked"]
    assert five["recommendations"] == every["recommendations"][:5]
    assert five["challenges"] == every["challenges"]
    assert five["peers"] == every["peers"]
    assert len(json.dumps(five)) < len(json.dumps(every))


def test_the_cap_applies_to_a_scenario_and_to_the_summary(client: TestClient) -> None:
    body = PROFILE | {"scenario": {"indicators": {"foreign_trade_cny_100m": 480}}}
    capped = _post(client, "?paths=3", body)
    assert len(capped["scenario"]["recommendations"]) == 3
    assert capped["scenario"]["paths_ranked"] >= 3
    summary = _post(client, "?view=summary&paths=3")
    assert [r["rank"] for r in summary["recommendations"]] == [1, 2, 3]
    assert len(_post(client, "?view=summary")["recommendations"]) == 10


def test_a_bad_cap_names_the_parameter(client: TestClient) -> None:
    for bad in ("0", "101", "ten"):
        res = client.post(f"/v1/recommendations?paths={bad}", json=PROFILE)
        assert res.status_code == 422, res.text
        assert res.headers["content-type"].startswith("application/problem+json")
        assert [(e["in"], e["parameter"]) for e in res.json()["errors"]] == [("query", "paths")]
