"""County names and provinces that would reorder, hide or break text where they are shown
(reports, Word and Excel files, CSV, logs) are refused as 422 naming the field, and nothing is
stored; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.db.engine import make_engine
from app.settings import Settings
from tests.conftest import DEQING_PROFILE, auth

PROFILE = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
REFUSED = {
    "right-to-left-override": "Deqing\u202egnp.exe",
    "left-to-right-embedding": "\u202aDeqing",
    "pop-directional": "Deqing\u202c",
    "isolate": "\u2066Deqing\u2069",
    "first-strong-isolate": "Deqing\u2068",
    "line-separator": "Deqing\u2028County",
    "paragraph-separator": "Deqing\u2029",
    "blank": "   ",
    "zero-width-only": "\u200b\u200c\u200d",
    "zero-width-and-spaces": " \u2060 \ufeff ",
    "next-line-c1": "Deqing\u0085",
    "control-sequence-introducer-c1": "\u009b31mDeqing",
    "left-to-right-mark": "De\u200eqing",
    "right-to-left-mark": "Deqing\u200f",
    "arabic-letter-mark": "\u061cDeqing",
    "byte-order-mark-inside": "De\ufeffqing",
    "noncharacters-fffe-ffff": "De\ufffeq\uffff",
    "noncharacter-fdd0": "Deqing\ufdd0",
    "noncharacter-plane-1": "Deqing\U0001fffe",
    "combining-marks-stacked": "D" + "\u0301" * 99 + "eqing",
    "soft-hyphen": "De\u00adqing",
}
PROVINCES = {
    "right-to-left-override": "Zhe\u202ejiang",
    "line-separator": "Zhejiang\u2028",
    "blank": "  ",
    "noncharacter": "Zhejiang\uffff",
    "left-to-right-mark": "\u200eZhejiang",
    "c1-control": "Zhejiang\u0085",
}


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_unsafe_county_names_are_refused_and_not_stored(
    store_client: TestClient,
    store_keys: dict[str, str],
    store_settings: Settings,
    name: str,
) -> None:
    body = PROFILE | {"county": PROFILE["county"] | {"name": name}}
    for path in ("/v1/assessments", "/v1/recommendations", "/v1/profiles/validate"):
        res = store_client.post(path, json=body, headers=auth(store_keys["admin"]))
        assert res.status_code == 422, (path, res.text)
        pointers = [e["pointer"] for e in res.json()["errors"]]
        assert pointers == ["/county/name"], pointers
    batch = store_client.post("/v1/recommendations/batch", json=[body, PROFILE]).json()
    assert batch["items"][0]["error"]["errors"][0]["pointer"] == "/county/name"
    assert "result" in batch["items"][1]
    engine = make_engine(store_settings, pooled=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM assessment").scalar() == 0
    engine.dispose()


@pytest.mark.parametrize("province", PROVINCES.values(), ids=PROVINCES.keys())
def test_unsafe_provinces_are_refused(client: TestClient, province: str) -> None:
    body = PROFILE | {"county": PROFILE["county"] | {"province": province}}
    res = client.post("/v1/recommendations", json=body)
    assert res.status_code == 422, res.text
    assert [e["pointer"] for e in res.json()["errors"]] == ["/county/province"]


def test_a_refusal_names_the_code_point(client: TestClient) -> None:
    body = PROFILE | {"county": PROFILE["county"] | {"name": "De\ufffeqing"}}
    (error,) = client.post("/v1/recommendations", json=body).json()["errors"]
    assert error["code"] == "unsafe_characters"
    assert "U+FFFE" in error["message"]


def test_ordinary_names_pass(client: TestClient) -> None:
    names = (
        "Deqing",
        "德清县",
        "Xinjiang Uyghur: Ürümqi",
        "Mary-Ann's County",
        "Nghe\u0302\u0323 An",  # two combining marks on one letter, as Vietnamese writes
        "恩施土家族苗族自治州\u3000来凤县",  # an ideographic space inside
    )
    for name in names:
        body = PROFILE | {"county": PROFILE["county"] | {"name": name, "province": "浙江省"}}
        assert client.post("/v1/profiles/validate", json=body).status_code == 200, name
