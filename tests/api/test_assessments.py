"""Stored assessments: ownership, idempotency, history by year."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.conftest import DEQING_PROFILE, auth


def profile(year: int = 2024, code: str = "330521", **indicators: float) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["county"]["year"] = year
    data["county"]["code"] = code
    data["indicators"].update(indicators)
    return data


def test_create_read_and_location(client: TestClient, api_keys: dict[str, str]) -> None:
    res = client.post("/v1/assessments", json=profile(), headers=auth(api_keys["assessments"]))
    assert res.status_code == 201
    body = res.json()
    assert re.fullmatch(r"[0-9a-f-]{36}", body["id"])
    assert res.headers["location"] == f"/v1/assessments/{body['id']}"
    assert body["created_at"].endswith("Z")
    assert body["result"]["kb_version"] == body["kb_version"]
    again = client.get(res.headers["location"], headers=auth(api_keys["assessments"]))
    assert again.status_code == 200
    assert again.json() == body


def test_other_keys_see_nothing(client: TestClient, api_keys: dict[str, str]) -> None:
    mine = client.post(
        "/v1/assessments", json=profile(), headers=auth(api_keys["assessments"])
    ).json()
    theirs = auth(api_keys["other"])
    assert client.get(f"/v1/assessments/{mine['id']}", headers=theirs).status_code == 404
    assert client.get("/v1/assessments", headers=theirs).json()["items"] == []


def test_history_by_year_with_filter_and_pagination(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["assessments"])
    for year, trade in ((2024, 344.7), (2022, 300.0), (2023, 320.0)):
        client.post("/v1/assessments", json=profile(year, foreign_trade_cny_100m=trade), headers=h)
    client.post("/v1/assessments", json=profile(2021, code="330522"), headers=h)
    first = client.get(
        "/v1/assessments", params={"county_code": "330521", "limit": 2}, headers=h
    ).json()
    assert [i["year"] for i in first["items"]] == [2022, 2023]
    rest = client.get(
        "/v1/assessments",
        params={"county_code": "330521", "limit": 2, "cursor": first["next_cursor"]},
        headers=h,
    ).json()
    assert [i["year"] for i in rest["items"]] == [2024]
    opening = [
        next(c for c in i["challenges"] if c["slug"] == "insufficient-opening-up")
        for i in first["items"] + rest["items"]
    ]
    assert all(0 <= c["severity"] <= 1 for c in opening)


def test_a_page_reads_one_page_of_rows(client: TestClient, api_keys: dict[str, str]) -> None:
    """Each stored row carries a whole result (~50 KB): a page must not load the others."""
    h = auth(api_keys["assessments"])
    for year in range(2010, 2016):
        assert client.post("/v1/assessments", json=profile(year), headers=h).status_code == 201
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/v1/assessments", params={"limit": 2}, headers=h).json()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [i["year"] for i in page["items"]] == [2010, 2011]
    assert page["next_cursor"]
    listing = [st for st in statements if "FROM assessment" in st]
    assert listing, statements
    assert all("LIMIT" in st.upper() for st in listing), listing


def test_idempotency(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["assessments"]) | {"Idempotency-Key": "portal-req-0001"}
    a = client.post("/v1/assessments", json=profile(), headers=h)
    b = client.post("/v1/assessments", json=profile(), headers=h)
    assert a.status_code == b.status_code == 201
    assert b.headers["idempotent-replayed"] == "true"
    assert a.json() == b.json()
    other = client.post("/v1/assessments", json=profile(2023), headers=h)
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    listing = client.get("/v1/assessments", headers=auth(api_keys["assessments"])).json()["items"]
    assert len(listing) == 1
    # Another key may use the same Idempotency-Key independently.
    mine = client.post(
        "/v1/assessments",
        json=profile(),
        headers=auth(api_keys["other"]) | {"Idempotency-Key": "portal-req-0001"},
    )
    assert mine.status_code == 201
    assert mine.json()["id"] != a.json()["id"]


def test_concurrent_duplicates_make_one_row(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["assessments"]) | {"Idempotency-Key": "burst-1"}
    codes: list[int] = []
    bodies: list[str] = []

    def send() -> None:
        res = client.post("/v1/assessments", json=profile(), headers=h)
        codes.append(res.status_code)
        if res.status_code == 201:
            bodies.append(res.json()["id"])

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {201, 409}
    assert len(set(bodies)) == 1
    assert (
        len(client.get("/v1/assessments", headers=auth(api_keys["assessments"])).json()["items"])
        == 1
    )


def test_stored_result_survives_a_knowledge_base_change(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["assessments"])
    stored = client.post("/v1/assessments", json=profile(), headers=h).json()
    kb = auth(api_keys["kbwrite"])
    etag = client.get("/v1/challenges/insufficient-opening-up").headers["etag"]
    patched = client.patch(
        "/v1/challenges/insufficient-opening-up",
        json={"title": {"en": "Opening up lags", "zh": "开放水平滞后"}},
        headers=kb | {"If-Match": etag},
    )
    assert patched.status_code == 200
    later = client.get(f"/v1/assessments/{stored['id']}", headers=h).json()
    assert later == stored
    titles = {c["slug"]: c["title"] for c in later["result"]["challenges"]}
    assert titles["insufficient-opening-up"] == "Insufficient opening up"
    assert later["kb_version"] != client.get("/v1/kb").json()["kb_version"]


@pytest.mark.postgres
def test_postgres_store_refuses_nul_cleanly(pg_seeded_url: str) -> None:
    from app.db.engine import make_engine
    from app.db.uow import SqlUnitOfWork
    from app.main import create_app
    from app.services.keys import create_key
    from app.settings import Settings

    settings = Settings(database_url=pg_seeded_url)
    engine = make_engine(settings, pooled=False)
    key = create_key(SqlUnitOfWork(engine), "pg-portal", ["assessments"])[1]
    engine.dispose()
    with TestClient(create_app(settings)) as c:
        bad = profile()
        bad["county"]["name"] = "De\u0000qing"
        res = c.post("/v1/assessments", json=bad, headers=auth(key))
        assert res.status_code == 422
        ok = c.post(
            "/v1/assessments", json=profile(), headers=auth(key) | {"Idempotency-Key": "pg-1"}
        )
        assert ok.status_code == 201
        assert c.get(ok.headers["location"], headers=auth(key)).json()["id"] == ok.json()["id"]
