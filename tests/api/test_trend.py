"""GET /v1/assessments/trend and stored plans, on SQLite and on PostgreSQL: year order, the
caller's own assessments only, each year's values and statuses, changes, and progress against
the KPIs of a plan stored with an earlier assessment."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.domain import trend as trends
from app.domain.snapshot import Snapshot
from app.main import create_app
from app.schemas.assessments import TrendResult, trend_example
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn
from app.services import plans
from app.services.keys import create_key
from app.settings import Settings
from tests.conftest import DEQING_PROFILE, ROOT, auth

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, dict[str, str]]]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_seeded_url")
    settings = Settings(database_url=url, kb_refresh_seconds=0.2, rate_limit="off")
    engine = make_engine(settings, pooled=False)
    keys = {
        name: create_key(SqlUnitOfWork(engine), f"{name}-key", ["assessments"])[1]
        for name in ("me", "you")
    }
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        yield client, keys


def profile(year: int | None, code: str = "330521", **indicators: float) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["county"]["year"] = year
    data["county"]["code"] = code
    data["indicators"].update(indicators)
    return data


def _post(client: TestClient, key: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
    res = client.post("/v1/assessments", json=body, headers=auth(key), params=params)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()
    return data


def test_trend_is_year_ordered_owner_scoped_with_values_statuses_and_progress(
    store: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = store
    me = keys["me"]
    _post(client, me, profile(2024, foreign_trade_cny_100m=430.0, fdi_usd_100m=1.6))
    planned = _post(client, me, profile(2022, foreign_trade_cny_100m=250.0), plan="true")
    _post(client, me, profile(2023, foreign_trade_cny_100m=200.0))
    latest_2023 = _post(client, me, profile(2023, foreign_trade_cny_100m=300.0))
    _post(client, me, profile(None, foreign_trade_cny_100m=500.0))  # no year: cannot be placed
    _post(client, me, profile(2021, code="330522"))  # another county
    _post(client, keys["you"], profile(2020, foreign_trade_cny_100m=100.0))
    assert planned["has_plan"]
    assert planned["plan"]["actions"]

    res = client.get("/v1/assessments/trend", params={"county_code": "330521"}, headers=auth(me))
    assert res.status_code == 200, res.text
    assert res.headers["cache-control"] == "no-store"
    data = res.json()
    TypeAdapter(TrendResult).validate_python(data)
    assert data["county_code"] == "330521"
    assert [p["year"] for p in data["points"]] == [2022, 2023, 2024]
    assert data["points"][1]["assessment_id"] == latest_2023["id"]
    trade = [p["indicators"]["foreign_trade_cny_100m"] for p in data["points"]]
    assert trade == [250.0, 300.0, 430.0]
    for point in data["points"]:
        assert point["challenges"]["insufficient-opening-up"]["status"] in {"ok", "watch", "flag"}
        assert "trade_lq" in point["indicators"]
    last = data["changes"][-1]
    assert (last["from_year"], last["to_year"]) == (2023, 2024)
    improved = {i["indicator"] for i in last["indicators"] if i["change"] == "improved"}
    assert {"trade_lq", "fdi_intensity_pct"} <= improved
    opening = [c for c in last["challenges"] if c["challenge"] == "insufficient-opening-up"]
    assert opening
    assert opening[0]["change"] == "improved"
    (progress,) = data["progress"]
    assert progress["assessment_id"] == planned["id"]
    assert progress["horizon"] == 2030
    measured = [k for k in progress["kpis"] if k["indicator"] == "fdi_intensity_pct"]
    assert measured
    assert all(k["latest_year"] == 2024 for k in measured)
    # The plan of a 2022 profile starts in 2026: a 2024 reading comes before its actions began.
    assert all(k["status"] == "not_started" for k in measured)

    theirs = client.get(
        "/v1/assessments/trend", params={"county_code": "330521"}, headers=auth(keys["you"])
    ).json()
    assert [p["year"] for p in theirs["points"]] == [2020]
    assert theirs["progress"] == []


def test_trend_needs_the_scope_and_a_county_code(store: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = store
    assert client.get("/v1/assessments/trend", params={"county_code": "330521"}).status_code == 401
    res = client.get("/v1/assessments/trend", headers=auth(keys["me"]))
    assert res.status_code == 422
    assert res.json()["errors"][0]["parameter"] == "county_code"
    bad = client.get(
        "/v1/assessments/trend", params={"county_code": "33052"}, headers=auth(keys["me"])
    )
    assert bad.status_code == 422
    empty = client.get(
        "/v1/assessments/trend", params={"county_code": "110101"}, headers=auth(keys["me"])
    ).json()
    assert empty["points"] == []
    assert empty["changes"] == []
    assert empty["county"] is None


def test_stored_plan_options_are_validated(store: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = store
    h = auth(keys["me"])
    late = client.post(
        "/v1/assessments", json=profile(2029), headers=h, params={"plan": "true", "horizon": 2030}
    )
    assert late.status_code == 422
    assert "horizon" in late.json()["errors"][0]["message"]
    far = client.post(
        "/v1/assessments", json=profile(2024), headers=h, params={"plan": "true", "horizon": 2099}
    )
    assert far.status_code == 422
    assert far.json()["errors"][0]["parameter"] == "horizon"
    listed = client.get("/v1/assessments", headers=h).json()["items"]
    assert listed == []  # neither refused request wrote a row


def build_trend_example(snapshot: Snapshot) -> dict[str, Any]:
    """Deqing in 2023 with a plan stored, and in 2024 with more trade and FDI."""
    directions = {k: i.direction for k, i in snapshot.indicators.items()}
    points, stored = [], []
    for n, (year, trade, fdi) in enumerate(((2023, 300.0, 0.9), (2024, 344.7, 0.9871))):
        body = ProfileIn.model_validate(
            profile(year, foreign_trade_cny_100m=trade, fdi_usd_100m=fdi)
        )
        result, plan = plans.recommend_and_plan(snapshot, body, PlanOptions(), "en")
        assert plan is not None
        aid = f"3f1c2a9e-5d4b-4c1a-9e2f-00000000000{n + 1}"
        result = dataclasses.replace(result, kb_version="1:example")
        points.append(trends.point(aid, year, body.model_dump(mode="json"), result))
        if n == 0:
            stored.append((aid, year, replace(plan, actions=plan.actions[:2])))
    found = trends.trend("330521", points, stored, directions, county=profile(2024)["county"])
    out: dict[str, Any] = trends.trend_json(found)
    return out


def test_trend_example_is_current(snapshot: Snapshot) -> None:
    example = build_trend_example(snapshot)
    path = ROOT / "app" / "schemas" / "deqing-trend.example.json"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        path.write_text(json.dumps(example, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert example == trend_example()
    TypeAdapter(TrendResult).validate_python(example)


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_trend_speaks_the_asked_language_whatever_the_plan_was_stored_in(
    store: tuple[TestClient, dict[str, str]],
) -> None:
    """A plan stored in English, read under ?lang=zh (and the reverse): the KPI statuses keep
    their codes, every label the trend prints is in the language asked for."""
    client, keys = store
    h = auth(keys["me"])
    en = {"Accept-Language": "en"}
    _post(client, keys["me"], profile(2022, foreign_trade_cny_100m=250.0), plan="true")
    res = client.post(
        "/v1/assessments",
        json=profile(2024, fdi_usd_100m=1.6),
        headers=h | {"Accept-Language": "zh"},
    )
    assert res.status_code == 201, res.text

    zh = client.get(
        "/v1/assessments/trend", params={"county_code": "330521", "lang": "zh"}, headers=h | en
    )
    assert zh.status_code == 200, zh.text
    assert zh.headers["content-language"] == "zh-CN"
    kpis = [k for p in zh.json()["progress"] for k in p["kpis"]]
    assert kpis
    assert all(CJK.search(k["label"]) for k in kpis), [k["label"] for k in kpis]
    assert {k["status"] for k in kpis} <= {
        "met",
        "on_track",
        "behind",
        "no_data",
        "no_target",
        "not_started",
    }
    assert "not_started" in {k["status"] for k in kpis}  # a code, not a label
    assert CJK.search(zh.json()["county"]["admin_form_label"])

    back = client.get("/v1/assessments/trend", params={"county_code": "330521"}, headers=h | en)
    assert back.headers["content-language"] == "en"
    labels = [k["label"] for p in back.json()["progress"] for k in p["kpis"]]
    assert labels
    assert not any(CJK.search(label) for label in labels), labels
    assert back.json()["county"]["admin_form_label"] == "County"

    # The Chinese assessment's report prints the English plan's KPIs in Chinese.
    report = client.get(
        f"/v1/assessments/{res.json()['id']}/report", headers=h | {"Accept": "text/markdown"}
    )
    assert report.status_code == 200, report.text
    progress = report.text.split("\n### ")[-1]
    rows = [line for line in progress.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) > 1
    for row in rows[1:]:
        assert CJK.search(row.split("|")[1]), row


def test_a_plan_stored_in_an_older_shape_is_left_out_not_a_500(
    store: tuple[TestClient, dict[str, str]], request: pytest.FixtureRequest
) -> None:
    """A plan kept from an earlier release that the plan type no longer reads: the trend and the
    assessment's report answer without it (the log names the assessment) instead of a 500."""
    from sqlalchemy import update
    from sqlmodel import Session

    from app.models import Assessment

    client, keys = store
    h = auth(keys["me"])
    old = _post(client, keys["me"], profile(2023), plan="true")
    _post(client, keys["me"], profile(2024, foreign_trade_cny_100m=350.0))
    url = str(client.app.state.settings.database_url)  # type: ignore[attr-defined]
    engine = make_engine(Settings(database_url=url), pooled=False)
    try:
        with Session(engine) as session:
            # The shape of an earlier release: actions with KPIs, none of today's plan fields.
            legacy = {"horizon": 2030, "actions": [{"path": "x", "kpis": [{"target": None}]}]}
            session.exec(update(Assessment).where(Assessment.id == old["id"]).values(plan=legacy))
            session.commit()
    finally:
        engine.dispose()
    trend = client.get("/v1/assessments/trend", params={"county_code": "330521"}, headers=h)
    assert trend.status_code == 200, trend.text
    assert [p["year"] for p in trend.json()["points"]] == [2023, 2024]
    assert trend.json()["progress"] == []
    report = client.get(
        f"/v1/assessments/{old['id']}/report", headers=h | {"accept": "text/markdown"}
    )
    assert report.status_code == 200, report.text


def test_a_result_stored_in_an_older_shape_is_never_a_500(
    store: tuple[TestClient, dict[str, str]],
) -> None:
    """A result kept from an earlier release: one lacking keys added since, which have their
    defaults, reads into the result type and reports; one the type cannot read leaves its year
    out of the trend, and its report is a conflict that says to make the assessment again."""
    from sqlalchemy import update
    from sqlmodel import Session

    from app.models import Assessment

    client, keys = store
    h = auth(keys["me"])
    old = _post(client, keys["me"], profile(2023))
    new = _post(client, keys["me"], profile(2024, foreign_trade_cny_100m=350.0))
    earlier = dict(new["result"])
    del earlier["paths_ranked"]  # added after the first results were stored
    for c in earlier["challenges"]:
        for e in c["evidence"]:
            e.pop("benchmark_year", None)
    url = str(client.app.state.settings.database_url)  # type: ignore[attr-defined]
    engine = make_engine(Settings(database_url=url), pooled=False)
    try:
        with Session(engine) as session:
            # A shape the type cannot read: a result without its kinds and strengths.
            legacy = {k: v for k, v in old["result"].items() if k not in ("kinds", "strengths")}
            session.exec(update(Assessment).where(Assessment.id == old["id"]).values(result=legacy))
            session.exec(
                update(Assessment).where(Assessment.id == new["id"]).values(result=earlier)
            )
            session.commit()
    finally:
        engine.dispose()
    md = h | {"accept": "text/markdown"}
    assert client.get(f"/v1/assessments/{new['id']}/report", headers=md).status_code == 200
    report = client.get(f"/v1/assessments/{old['id']}/report", headers=md)
    assert report.status_code == 409, report.text
    trend = client.get("/v1/assessments/trend", params={"county_code": "330521"}, headers=h)
    assert trend.status_code == 200, trend.text
    assert [p["year"] for p in trend.json()["points"]] == [2024]
