"""Curating the knowledge base: validation, references, preconditions, versions, audit."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import auth


def doc(client: TestClient, kind: str, slug: str) -> dict[str, Any]:
    exported = client.get("/v1/kb/export").json()
    key = kind.replace("-", "_")
    item: dict[str, Any] = next(i for i in exported[key] if i["slug"] == slug)
    return item


def test_patch_needs_if_match_and_rejects_stale(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    url = "/v1/paths/talent-ecosystem"
    patch = {"title": {"en": "A city-grade life for talent", "zh": "为人才营造城市级生活"}}
    assert client.patch(url, json=patch, headers=h).status_code == 428
    etag = client.get(url).headers["etag"]
    ok = client.patch(url, json=patch, headers=h | {"If-Match": etag})
    assert ok.status_code == 200
    assert ok.headers["etag"] != etag
    stale = client.patch(url, json=patch, headers=h | {"If-Match": etag})
    assert stale.status_code == 412
    assert (
        client.get(url, headers={"Accept-Language": "zh"}).json()["title"] == "为人才营造城市级生活"
    )
    assert client.get("/v1/kb").json()["version"] == 2
    assert client.get(url, headers={"If-None-Match": ok.headers["etag"]}).status_code == 304


def test_broken_reference_is_422_naming_it(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["kbwrite"])
    url = "/v1/paths/talent-ecosystem"
    etag = client.get(url).headers["etag"]
    bad = client.patch(
        url, json={"outcome_indicators": ["no_such_indicator"]}, headers=h | {"If-Match": etag}
    )
    assert bad.status_code == 422
    assert "no_such_indicator" in bad.json()["errors"][0]["message"]
    assert client.get("/v1/kb").json()["version"] == 1


def test_invalid_item_is_422_with_pointer(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["kbwrite"])
    item = doc(client, "signals", "public-services-gap") | {"slug": "new-signal"}
    item["label"] = {"en": "same", "zh": "same"}
    res = client.post("/v1/signals", json=item, headers=h)
    assert res.status_code == 422
    assert res.json()["errors"][0]["pointer"].startswith("/label")


def test_create_replace_delete_and_audit(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["kbwrite"])
    item = doc(client, "signals", "public-services-gap") | {"slug": "long-commutes"}
    item["label"] = {"en": "Long commutes to the core city", "zh": "通勤时间长"}
    created = client.post("/v1/signals", json=item, headers=h)
    assert created.status_code == 201
    assert created.headers["location"] == "/v1/signals/long-commutes"
    assert client.post("/v1/signals", json=item, headers=h).status_code == 409
    etag = created.headers["etag"]
    replaced = client.put(
        "/v1/signals/long-commutes",
        json=item | {"challenge": "urban-rural-gap"},
        headers=h | {"If-Match": etag},
    )
    assert replaced.status_code == 200
    assert client.get("/v1/signals/long-commutes").json()["challenge"] == "urban-rural-gap"
    mismatch = client.put(
        "/v1/signals/long-commutes",
        json=item | {"slug": "other"},
        headers=h | {"If-Match": replaced.headers["etag"]},
    )
    assert mismatch.status_code == 422
    gone = client.delete(
        "/v1/signals/long-commutes", headers=h | {"If-Match": replaced.headers["etag"]}
    )
    assert gone.status_code == 204
    assert client.get("/v1/signals/long-commutes").status_code == 404
    events = client.get("/v1/audit", headers=auth(api_keys["admin"])).json()["items"]
    assert [e["action"] for e in events[:3]] == ["delete", "replace", "create"]
    assert events[0]["actor"] == "kbwrite-key"
    assert events[0]["before"]["slug"] == "long-commutes"
    assert events[0]["after"] is None
    assert events[2]["at"].endswith("Z")


def test_deleting_an_addressed_challenge_is_409(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    etag = client.get("/v1/challenges/insufficient-opening-up").headers["etag"]
    res = client.delete("/v1/challenges/insufficient-opening-up", headers=h | {"If-Match": etag})
    assert res.status_code == 409
    assert "paths" in res.json()["detail"]
    assert client.get("/v1/challenges/insufficient-opening-up").status_code == 200


def test_new_rule_changes_the_diagnosis_at_once(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    body = {"county": {"name": "Deqing"}, "indicators": {"pm25_ugm3": 10, "forest_cover_pct": 45}}
    before = client.post("/v1/recommendations", json=body).json()
    assert {c["slug"]: c["status"] for c in before["challenges"]}["green-transition-lag"] == "ok"
    ch = doc(client, "challenges", "green-transition-lag")
    ch2 = copy.deepcopy(ch)
    pm25 = next(r for r in ch2["rules"] if r["indicator"] == "pm25_ugm3")
    pm25["watch"], pm25["flag"] = {"value": 5}, {"value": 8}
    etag = client.get("/v1/challenges/green-transition-lag").headers["etag"]
    assert (
        client.put(
            "/v1/challenges/green-transition-lag", json=ch2, headers=h | {"If-Match": etag}
        ).status_code
        == 200
    )
    res = client.post("/v1/recommendations", json=body).json()
    status = {c["slug"]: c["status"] for c in res["challenges"]}
    assert status["green-transition-lag"] == "flag"


def test_a_rule_whose_lines_can_meet_is_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    h = auth(api_keys["kbwrite"])
    ch = copy.deepcopy(doc(client, "challenges", "weak-innovation-capacity"))
    rd = next(r for r in ch["rules"] if r["indicator"] == "rd_intensity_pct")
    rd["watch"], rd["flag"] = {"ratio": 1.0, "fallback": 2.68}, {"value": 2.68}
    etag = client.get("/v1/challenges/weak-innovation-capacity").headers["etag"]
    res = client.put(
        "/v1/challenges/weak-innovation-capacity", json=ch, headers=h | {"If-Match": etag}
    )
    assert res.status_code == 422
    assert "share a basis" in res.text


def test_export_import_round_trip(client: TestClient, api_keys: dict[str, str]) -> None:
    exported = client.get("/v1/kb/export").json()
    h = auth(api_keys["kbwrite"])
    same = client.post("/v1/kb/import", json=exported, headers=h)
    assert same.status_code == 200
    assert same.json()["changed"] is False
    broken = copy.deepcopy(exported)
    broken["signals"][0]["challenge"] = "nowhere"
    bad = client.post("/v1/kb/import", json=broken, headers=h)
    assert bad.status_code == 422
    assert client.get("/v1/kb").json()["version"] == 1
    smaller = copy.deepcopy(exported)
    smaller["examples"] = smaller["examples"][:-1]
    ok = client.post("/v1/kb/import", json=smaller, headers=h)
    assert ok.json()["changed"] is True
    assert client.get("/v1/kb").json()["counts"]["examples"] == len(exported["examples"]) - 1


def test_if_match_uses_the_strong_comparison(client: TestClient, api_keys: dict[str, str]) -> None:
    h = auth(api_keys["kbwrite"])
    url = "/v1/paths/talent-ecosystem"
    patch = {"summary": {"en": "Strongly matched.", "zh": "强比较。"}}
    etag = client.get(url).headers["etag"]
    weak = client.patch(url, json=patch, headers=h | {"If-Match": f"W/{etag}"})
    assert weak.status_code == 412
    assert weak.headers["etag"] == etag
    listed = client.patch(url, json=patch, headers=h | {"If-Match": f'W/{etag}, "other", {etag}'})
    assert listed.status_code == 200
    star = client.patch(
        url, json=patch | {"title": {"en": "Any", "zh": "任意"}}, headers=h | {"If-Match": "*"}
    )
    assert star.status_code == 428  # '*' would overwrite what the writer never read
    assert star.json()["code"] == "PRECONDITION_REQUIRED"
    assert client.get(url).json()["title"] != "Any"
    assert client.delete(url, headers=h | {"If-Match": "*"}).status_code == 428
    assert client.get(url).status_code == 200
    # If-None-Match keeps the weak comparison (RFC 9110 section 13.1.2).
    fresh = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": f"W/{fresh}"}).status_code == 304
