"""Catalog endpoints: every item in both languages, pagination, ETags, 404s."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.knowledge import KnowledgeBase

KINDS = {
    "indicators": ("indicators", "key"),
    "signals": ("signals", "slug"),
    "challenges": ("challenges", "slug"),
    "paths": ("paths", "slug"),
    "examples": ("examples", "slug"),
    "reference-counties": ("reference_counties", "slug"),
    "benchmarks": ("benchmarks", "slug"),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def walk(client: TestClient, url: str, **headers: str) -> list[dict[str, Any]]:
    path, _, query = url.partition("?")
    base = dict(part.split("=", 1) for part in query.split("&") if part)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {**base, "limit": 7}
        if cursor:
            params["cursor"] = cursor
        res = client.get(path, params=params, headers=headers)
        assert res.status_code == 200, res.text
        body = res.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in res.headers
            return items
        assert 'rel="next"' in res.headers["link"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_item_in_both_languages(client: TestClient, kb: KnowledgeBase, kind: str) -> None:
    attr, ident = KINDS[kind]
    en = walk(client, f"/v1/{kind}")
    zh = walk(client, f"/v1/{kind}", **{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    expected = [getattr(i, ident) for i in getattr(kb, attr)]
    assert [i[ident] for i in en] == expected
    assert [i[ident] for i in zh] == expected
    label = {"indicators": "label", "signals": "label", "reference-counties": "name"}.get(
        kind, "title"
    )
    for a, b in zip(en, zh, strict=True):
        assert a[label] != b[label]
        assert CJK.search(b[label])
        assert not CJK.search(a[label]) or kind == "indicators"


@pytest.mark.parametrize(
    "kind", ["challenges", "paths", "examples", "reference-counties", "benchmarks"]
)
def test_detail_and_unknown_slug(client: TestClient, kind: str) -> None:
    first = client.get(f"/v1/{kind}", params={"limit": 1}).json()["items"][0]
    res = client.get(f"/v1/{kind}/{first['slug']}", params={"lang": "zh"})
    assert res.status_code == 200
    assert res.headers["content-language"] == "zh-CN"
    assert res.json()["slug"] == first["slug"]
    missing = client.get(f"/v1/{kind}/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "NOT_FOUND"


def test_filters(client: TestClient) -> None:
    talent = walk(client, "/v1/paths?family=talent")
    assert talent
    assert all(p["family"] == "talent" for p in talent)
    opening = walk(client, "/v1/paths?challenge=insufficient-opening-up")
    assert all(
        any(a["challenge"] == "insufficient-opening-up" for a in p["addresses"]) for p in opening
    )
    examples = walk(client, "/v1/examples?path=talent-ecosystem")
    assert examples
    assert all("talent-ecosystem" in e["paths"] for e in examples)
    assert client.get("/v1/paths", params={"family": "magic"}).status_code == 422


def test_limits_and_cursors(client: TestClient, kb: KnowledgeBase) -> None:
    # 1000 is clamped to 100, which holds the whole vocabulary.
    assert len(client.get("/v1/indicators", params={"limit": 1000}).json()["items"]) == len(
        kb.indicators
    )
    assert client.get("/v1/indicators", params={"limit": 0}).status_code == 422
    huge = client.get("/v1/indicators", params={"limit": 2**63})
    assert huge.status_code == 422
    assert huge.headers["content-type"] == "application/problem+json"
    first = client.get("/v1/paths", params={"limit": 2}).json()["next_cursor"]
    for bad in ["abc", first[:-2] + "xx", "%00", "eyJvIjotNSwicyI6IngifS4wMDAw"]:
        res = client.get("/v1/paths", params={"limit": 2, "cursor": bad})
        assert res.status_code == 400, bad
        assert res.json()["code"] == "INVALID_CURSOR"
    other_filter = client.get("/v1/paths", params={"limit": 2, "cursor": first, "family": "talent"})
    assert other_filter.status_code == 400


def test_etag_and_cache_headers(client: TestClient) -> None:
    res = client.get("/v1/challenges")
    assert res.headers["cache-control"].startswith("public, max-age=")
    assert "Accept-Language" in res.headers["vary"].split(", ")
    again = client.get("/v1/challenges", headers={"If-None-Match": res.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    zh = client.get(
        "/v1/challenges", headers={"Accept-Language": "zh", "If-None-Match": res.headers["etag"]}
    )
    assert zh.status_code == 200


def test_kb_summary(client: TestClient, kb: KnowledgeBase) -> None:
    body = client.get("/v1/kb").json()
    assert body["checksum"] == kb.checksum()
    assert body["counts"]["paths"] == len(kb.paths)
    assert body["kb_version"].startswith("1:")
