"""Validate, recommend and batch over HTTP."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.testclient import TestClient

from tests.conftest import DEQING_PROFILE


def deqing() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    return data


def test_validate_returns_derived_and_warnings(client: TestClient) -> None:
    body = deqing()
    body["indicators"]["fdi_usd_100m"] = 9.871
    res = client.post("/v1/profiles/validate", json=body)
    assert res.status_code == 200
    out = res.json()
    assert out["derived"]["trade_lq"] == 0.8198
    suspect = [w for w in out["warnings"] if w["code"] == "unit_suspect"]
    assert [w["indicator"] for w in suspect] == ["fdi_usd_100m"]
    assert "challenges" not in out


def test_recommendations_in_both_languages_are_stable(client: TestClient) -> None:
    en1 = client.post("/v1/recommendations", json=deqing())
    en2 = client.post("/v1/recommendations", json=deqing())
    zh = client.post("/v1/recommendations", json=deqing(), headers={"Accept-Language": "zh"})
    assert en1.status_code == 200
    assert en1.content == en2.content
    assert en1.headers["content-language"] == "en"
    assert zh.headers["content-language"] == "zh-CN"
    assert zh.json()["recommendations"][0]["title"] != en1.json()["recommendations"][0]["title"]


def test_scenario_side_by_side(client: TestClient) -> None:
    body = deqing() | {"scenario": {"indicators": {"foreign_trade_cny_100m": 600}}}
    out = client.post("/v1/recommendations", json=body).json()
    assert out["scenario"]["indicators"] == {"foreign_trade_cny_100m": 600.0}
    assert out["scenario"]["derived"]["trade_lq"] > 1
    opening = next(
        c for c in out["scenario"]["challenges"] if c["slug"] == "insufficient-opening-up"
    )
    dep = next(e for e in opening["evidence"] if e["indicator"] == "trade_dependence_pct")
    assert dep["band"] == "ok"
    assert dep["target"] is None


def test_invalid_profiles_name_the_field(client: TestClient) -> None:
    cases = [
        (
            {"county": {"name": "x"}, "indicators": {"rd_intensity": 2}},
            "/indicators/rd_intensity",
            "unknown_indicator",
        ),
        (
            {"county": {"name": "x"}, "indicators": {"rd_intensity_pct": "2"}},
            "/indicators/rd_intensity_pct",
            "float_type",
        ),
        (
            {"county": {"name": "x"}, "indicators": {"rd_intensity_pct": True}},
            "/indicators/rd_intensity_pct",
            "float_type",
        ),
        (
            {"county": {"name": "x"}, "indicators": {"rd_intensity_pct": 55}},
            "/indicators/rd_intensity_pct",
            "out_of_range",
        ),
        (
            {"county": {"name": "x"}, "indicators": {"trade_lq": 1}},
            "/indicators/trade_lq",
            "derived_indicator",
        ),
        (
            {"county": {"name": ""}, "indicators": {"rd_intensity_pct": 2}},
            "/county/name",
            "string_too_short",
        ),
        (
            {"county": {"name": "x", "code": "33"}, "indicators": {"rd_intensity_pct": 2}},
            "/county/code",
            "string_pattern_mismatch",
        ),
        (
            {"county": {"name": "x"}, "indicators": {}, "signals": []},
            "/indicators",
            "empty_profile",
        ),
        ({"county": {"name": "x"}, "signals": ["brain-drain"]}, "/signals/0", "unknown_signal"),
        (
            {"county": {"name": "x"}, "signals": ["public-services-gap"], "benchmark": "mars"},
            "/benchmark",
            "unknown_benchmark",
        ),
        (
            {"county": {"name": "x"}, "indicators": {"gdp_cny_100m": 1}, "owner_id": 3},
            "/owner_id",
            "extra_forbidden",
        ),
    ]
    for body, pointer, code in cases:
        res = client.post("/v1/recommendations", json=body)
        assert res.status_code == 422, (body, res.text)
        assert res.headers["content-type"] == "application/problem+json"
        problem = res.json()
        assert problem["code"] == "VALIDATION_FAILED"
        assert {"pointer": pointer, "code": code} in [
            {"pointer": e["pointer"], "code": e["code"]} for e in problem["errors"]
        ], problem


def test_non_finite_and_huge_numbers_never_500(client: TestClient) -> None:
    for raw in [
        b"NaN",
        b"Infinity",
        b"-Infinity",
        b"1e400",
        b"9223372036854775808",
        b"1" + b"0" * 400,
    ]:
        body = b'{"county": {"name": "x"}, "indicators": {"gdp_cny_100m": ' + raw + b"}}"
        res = client.post(
            "/v1/recommendations", content=body, headers={"content-type": "application/json"}
        )
        assert res.status_code == 422, (raw, res.text)
        assert res.json()["errors"][0]["pointer"] == "/indicators/gdp_cny_100m"
    nul = client.post(
        "/v1/recommendations",
        json={"county": {"name": "a\u0000b"}, "indicators": {"gdp_cny_100m": 5}},
    )
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["pointer"] == "/county/name"


def test_batch_json_keeps_order_and_isolates_bad_rows(client: TestClient) -> None:
    rows = [
        deqing(),
        {"county": {"name": "bad"}, "indicators": {"nope": 1}},
        {"county": {"name": "two"}, "signals": ["public-services-gap"]},
    ]
    res = client.post("/v1/recommendations/batch", json=rows)
    assert res.status_code == 200
    out = res.json()
    assert (out["count"], out["succeeded"], out["failed"]) == (3, 2, 1)
    assert [i["index"] for i in out["items"]] == [0, 1, 2]
    assert out["items"][1]["error"]["errors"][0]["pointer"] == "/indicators/nope"
    single = client.post("/v1/recommendations", json=deqing()).json()
    assert out["items"][0]["result"] == single


def test_batch_csv_and_ndjson(client: TestClient) -> None:
    csv_body = (
        "county_name,province,year,benchmark,signals,gdp_cny_100m,foreign_trade_cny_100m,fdi_usd_100m\n"
        "Deqing,Zhejiang,2024,zhejiang-2024,exporters-mostly-smes;low-hightech-exports,720,344.7,0.9871\n"
        "Broken,Zhejiang,2024,,,abc,1,\n"
    )
    res = client.post(
        "/v1/recommendations/batch",
        content=csv_body.encode(),
        headers={"content-type": "text/csv", "accept": "application/x-ndjson"},
    )
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in res.content.splitlines()]
    assert lines[0]["result"]["derived"]["trade_lq"] == 0.8198
    assert lines[1]["error"]["errors"][0]["pointer"] == "/indicators/gdp_cny_100m"


def test_batch_limits(client: TestClient) -> None:
    too_many = [{"county": {"name": "x"}, "indicators": {"gdp_cny_100m": 1}}] * 5001
    res = client.post("/v1/recommendations/batch", json=too_many)
    assert res.status_code == 422
    assert client.post("/v1/recommendations/batch", json=[]).status_code == 422
    assert client.post("/v1/recommendations/batch", json={"a": 1}).status_code == 422
    bad = client.post(
        "/v1/recommendations/batch", content=b"[{", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    # An answer no format can give is refused before the body is read: 406, not the 400 above.
    unanswerable = client.post(
        "/v1/recommendations/batch",
        content=b"[{",
        headers={"content-type": "application/json", "accept": "text/html"},
    )
    assert unanswerable.status_code == 406, unanswerable.text
    lone_cr = client.post(
        "/v1/recommendations/batch",
        content="\u00f0A|\r\u0095".encode(),
        headers={"content-type": "text/csv"},
    )
    assert lone_cr.status_code == 422, lone_cr.text  # read fine, but no county_name column
    assert lone_cr.json()["errors"][0]["code"] == "missing_column"
    # What the csv module cannot read (here a field over its 128 KiB limit) is a 400 problem,
    # in the header and in a row alike, never a 500.
    for body in (b"a" * 200_000 + b"\n", b"county_name\n" + b"a" * 200_000 + b"\n"):
        unreadable = client.post(
            "/v1/recommendations/batch", content=body, headers={"content-type": "text/csv"}
        )
        assert unreadable.status_code == 400, unreadable.text
        assert unreadable.headers["content-type"] == "application/problem+json"
        assert unreadable.json()["code"] == "MALFORMED_JSON"
        assert "line" in unreadable.json()["detail"]
    xml = client.post(
        "/v1/recommendations/batch", content=b"<a/>", headers={"content-type": "application/xml"}
    )
    assert xml.status_code == 415
