"""County names that would reorder or hide text where they are shown (reports, CSV, logs) are
refused as 422 naming /county/name, and nothing is stored; on SQLite and PostgreSQL."""

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


def test_ordinary_names_pass(client: TestClient) -> None:
    for name in ("Deqing", "德清县", "Xinjiang Uyghur: Ürümqi", "Mary-Ann's County"):
        body = PROFILE | {"county": PROFILE["county"] | {"name": name}}
        assert client.post("/v1/profiles/validate", json=body).status_code == 200, name
