"""One import cannot wipe the knowledge base unnoticed: a change that removes most of it needs
?confirm=remove, every version's content is kept and can be restored by an admin (If-Match,
audited), and /readyz says 503 while the knowledge base served cannot diagnose. On SQLite and
PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from app.db.engine import make_engine
from app.settings import Settings
from tests.conftest import DEQING_PROFILE, auth

KINDS = (
    "benchmarks",
    "signals",
    "challenges",
    "paths",
    "examples",
    "reference_counties",
    "cases",
)


def _recommend(c: TestClient) -> int:
    res = c.post(
        "/v1/recommendations",
        content=DEQING_PROFILE.read_bytes(),
        headers={"content-type": "application/json"},
    )
    return res.status_code


def _emptied(document: dict[str, Any]) -> dict[str, Any]:
    """Every list emptied but the indicator vocabulary, which the county kinds and identities of
    the meta document name (without it the document is not even valid)."""
    out = copy.deepcopy(document)
    for kind in KINDS:
        out[kind] = []
    return out


def test_an_import_that_wipes_the_kb_is_refused_then_restorable(
    store_client: TestClient, store_keys: dict[str, str]
) -> None:
    c = store_client
    curator, admin = auth(store_keys["kbwrite"]), auth(store_keys["admin"])
    exported = c.get("/v1/kb/export").json()
    refused = c.post("/v1/kb/import", json=_emptied(exported), headers=curator)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "CONFIRMATION_REQUIRED"
    assert "every one of the" in refused.json()["detail"]
    assert c.get("/v1/kb").json()["version"] == 1
    assert _recommend(c) == 200

    wiped = c.post("/v1/kb/import?confirm=remove", json=_emptied(exported), headers=curator)
    assert wiped.status_code == 200, wiped.text
    assert wiped.json()["changed"] is True
    ready = c.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["code"] == "KB_CANNOT_DIAGNOSE"

    versions = c.get("/v1/kb/versions", headers=admin).json()["items"]
    assert [(v["version"], v["restorable"]) for v in versions] == [(2, True), (1, True)]
    assert versions[0]["origin"] == "import:curator-key"
    etag = c.get("/v1/kb").headers["etag"]
    back = c.post("/v1/kb/rollback", json={"version": 1}, headers=admin | {"If-Match": etag})
    assert back.status_code == 200, back.text
    assert back.json()["version"] == 3
    assert back.json()["checksum"] == versions[1]["checksum"]
    assert back.headers["etag"] == c.get("/v1/kb").headers["etag"]
    assert c.get("/v1/kb/export").json() == exported
    assert c.get("/readyz").status_code == 200
    assert _recommend(c) == 200
    event = c.get("/v1/audit", headers=admin).json()["items"][0]
    assert (event["action"], event["actor"], event["after"]["version"]) == (
        "rollback",
        "admin-key",
        1,
    )


def test_removing_most_of_one_kind_needs_confirmation(
    store_client: TestClient, store_keys: dict[str, str]
) -> None:
    c = store_client
    curator = auth(store_keys["kbwrite"])
    exported = c.get("/v1/kb/export").json()
    # Expert case sets: nothing else refers to them, so removing them leaves a knowledge base
    # that holds together and only the guard stands in the way.
    fewer = copy.deepcopy(exported)
    fewer["cases"] = exported["cases"][: len(exported["cases"]) // 2 - 1]
    assert c.post("/v1/kb/import", json=fewer, headers=curator).status_code == 409
    one = copy.deepcopy(exported)
    one["cases"] = exported["cases"][:1]
    assert c.post("/v1/kb/import?confirm=remove", json=one, headers=curator).status_code == 200
    # Deleting the last item of a kind is a removal of most of it too.
    slug = one["cases"][0]["slug"]
    url = f"/v1/cases/{slug}"
    etag = c.get(url).headers["etag"]
    refused = c.delete(url, headers=curator | {"If-Match": etag})
    assert refused.status_code == 409
    assert refused.json()["code"] == "CONFIRMATION_REQUIRED"
    gone = c.delete(f"{url}?confirm=remove", headers=curator | {"If-Match": etag})
    assert gone.status_code == 204
    assert c.get("/v1/kb").json()["counts"]["cases"] == 0


def test_rollback_preconditions(
    store_client: TestClient, store_keys: dict[str, str], store_settings: Settings
) -> None:
    c = store_client
    admin = auth(store_keys["admin"])
    assert c.post("/v1/kb/rollback", json={"version": 1}, headers=admin).status_code == 428
    star = c.post("/v1/kb/rollback", json={"version": 1}, headers=admin | {"If-Match": "*"})
    assert star.status_code == 428
    etag = c.get("/v1/kb").headers["etag"]
    assert etag.startswith('"kb-1-')
    for bad in ("W/" + etag, '"kb-0-0000000000000000"'):
        stale = c.post("/v1/kb/rollback", json={"version": 1}, headers=admin | {"If-Match": bad})
        assert stale.status_code == 412, bad
    unknown = c.post("/v1/kb/rollback", json={"version": 99}, headers=admin | {"If-Match": etag})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "/version"
    same = c.post("/v1/kb/rollback", json={"version": 1}, headers=admin | {"If-Match": etag})
    assert same.status_code == 200
    assert same.json()["changed"] is False
    curator = auth(store_keys["kbwrite"])
    assert c.get("/v1/kb/versions", headers=curator).status_code == 403
    assert (
        c.post("/v1/kb/rollback", json={"version": 1}, headers=curator | {"If-Match": etag})
    ).status_code == 403
    url = "/v1/paths/talent-ecosystem"
    patch = {"summary": {"en": "Second version.", "zh": "第二版。"}}
    c.patch(url, json=patch, headers=curator | {"If-Match": c.get(url).headers["etag"]})
    listed = c.get("/v1/kb/versions?limit=1", headers=admin).json()
    assert [v["version"] for v in listed["items"]] == [2]
    rest = c.get(f"/v1/kb/versions?cursor={listed['next_cursor']}", headers=admin).json()
    first = rest["items"][0]
    assert (first["version"], first["restorable"], rest["next_cursor"]) == (1, True, None)
    # A version recorded before version history has no content kept: it cannot come back.
    engine = make_engine(store_settings, pooled=False)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM kb_document WHERE checksum = '{first['checksum']}'")
    engine.dispose()
    assert c.get("/v1/kb/versions", headers=admin).json()["items"][1]["restorable"] is False
    etag = c.get("/v1/kb").headers["etag"]
    legacy = c.post("/v1/kb/rollback", json={"version": 1}, headers=admin | {"If-Match": etag})
    assert legacy.status_code == 409
    assert "not kept" in legacy.json()["detail"]
