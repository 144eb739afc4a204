"""Every route against every role; a route missing from the table fails (deny by default)."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.conftest import DEQING_PROFILE, running_routes

UUID = "123e4567-e89b-42d3-a456-426614174000"
PUBLIC_GET = 200
ROLES = ("anonymous", "assessments", "kbwrite", "admin")
CURATED = (
    "challenges",
    "paths",
    "examples",
    "signals",
    "reference-counties",
    "benchmarks",
    "cases",
)


def _table() -> dict[tuple[str, str], tuple[int, int, int, int]]:
    t: dict[tuple[str, str], tuple[int, int, int, int]] = {
        ("GET", "/"): (200,) * 4,
        ("POST", "/v1/reports"): (200,) * 4,
        ("GET", "/v1/assessments/{assessment_id}/report"): (401, 404, 403, 404),
        ("GET", "/healthz"): (200, 200, 200, 200),
        ("GET", "/metrics"): (200,) * 4,
        ("GET", "/readyz"): (200, 200, 200, 200),
        ("GET", "/v1/indicators"): (200,) * 4,
        ("GET", "/v1/signals"): (200,) * 4,
        ("GET", "/v1/signals/{slug}"): (200,) * 4,
        ("GET", "/v1/kb"): (200,) * 4,
        ("GET", "/v1/kb/export"): (200,) * 4,
        ("POST", "/v1/kb/import"): (401, 403, 422, 422),
        ("GET", "/v1/audit"): (401, 403, 403, 200),
        ("GET", "/v1/kb/versions"): (401, 403, 403, 200),
        ("POST", "/v1/kb/rollback"): (401, 403, 403, 422),
        ("POST", "/v1/profiles/validate"): (200,) * 4,
        ("POST", "/v1/recommendations"): (200,) * 4,
        ("POST", "/v1/plans"): (200,) * 4,
        ("POST", "/v1/recommendations/batch"): (200,) * 4,
        ("POST", "/v1/assessments"): (401, 201, 403, 201),
        ("GET", "/v1/assessments"): (401, 200, 403, 200),
        ("GET", "/v1/assessments/trend"): (401, 422, 403, 422),
        ("GET", "/v1/assessments/{assessment_id}"): (401, 404, 403, 404),
        ("POST", "/v1/batch-jobs"): (401, 202, 403, 202),
        ("GET", "/v1/batch-jobs/{job_id}"): (401, 404, 403, 404),
        ("GET", "/v1/batch-jobs/{job_id}/results"): (401, 404, 403, 404),
        ("DELETE", "/v1/batch-jobs/{job_id}"): (401, 404, 403, 404),
    }
    for kind in CURATED:
        if kind != "signals":
            t[("GET", f"/v1/{kind}")] = (200,) * 4
            t[("GET", f"/v1/{kind}/{{slug}}")] = (200,) * 4
        t[("POST", f"/v1/{kind}")] = (401, 403, 422, 422)
        t[("PUT", f"/v1/{kind}/{{slug}}")] = (401, 403, 422, 422)
        t[("PATCH", f"/v1/{kind}/{{slug}}")] = (401, 403, 428, 428)
        t[("DELETE", f"/v1/{kind}/{{slug}}")] = (401, 403, 428, 428)
    return t


SLUGS = {
    "challenges": "insufficient-opening-up",
    "paths": "talent-ecosystem",
    "examples": "talent-apartments",
    "signals": "public-services-gap",
    "reference-counties": "deqing",
    "benchmarks": "china-2024",
    "cases": "tourism",
}


def _url(path: str) -> str:
    kind = path.split("/")[2] if path.count("/") >= 2 else ""
    return (
        path.replace("{slug}", SLUGS.get(kind, "x"))
        .replace("{assessment_id}", UUID)
        .replace("{job_id}", UUID)
    )


def _body(method: str, path: str) -> object:
    if path in (
        "/v1/profiles/validate",
        "/v1/recommendations",
        "/v1/plans",
        "/v1/assessments",
        "/v1/reports",
    ):
        return DEQING_PROFILE.read_bytes()
    if path in ("/v1/recommendations/batch", "/v1/batch-jobs"):
        return b"[" + DEQING_PROFILE.read_bytes() + b"]"
    if method in ("POST", "PUT", "PATCH"):
        return b"{}"
    return None


def test_every_route_against_every_role(client: TestClient, api_keys: dict[str, str]) -> None:
    table = _table()
    running = running_routes(client.app)
    assert running - set(table) == set(), "routes missing from the access table (deny by default)"
    assert set(table) - running == set()
    headers = {
        "anonymous": {},
        "assessments": {"X-API-Key": api_keys["assessments"]},
        "kbwrite": {"Authorization": f"Bearer {api_keys['kbwrite']}"},
        "admin": {"Authorization": f"Bearer {api_keys['admin']}"},
    }
    mismatches = []
    for (method, path), expected in sorted(table.items()):
        for role, want in zip(ROLES, expected, strict=True):
            body = _body(method, path)
            res = client.request(
                method,
                _url(path),
                content=body,  # type: ignore[arg-type]
                headers=headers[role]
                | ({"content-type": "application/json"} if body is not None else {}),
            )
            if res.status_code != want:
                mismatches.append((method, path, role, want, res.status_code, res.text[:120]))
            if res.status_code >= 400 and method != "HEAD":
                assert res.headers["content-type"] == "application/problem+json"
            if res.status_code == 401:
                assert res.headers["www-authenticate"] == "Bearer"
    assert mismatches == []


def test_bad_key_and_query_string_key_are_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    assert client.get("/v1/assessments", headers={"X-API-Key": "cp_nope_nope"}).status_code == 401
    assert (
        client.get("/v1/assessments", headers={"Authorization": "Bearer garbage"}).status_code
        == 401
    )
    leaked = client.get(f"/v1/assessments?api_key={api_keys['assessments']}")
    assert leaked.status_code == 401
    assert "query string" in leaked.json()["detail"]


def test_revoked_key_stops_working(
    client: TestClient, api_keys: dict[str, str], settings: object
) -> None:
    from app.db.engine import make_engine
    from app.db.uow import SqlUnitOfWork
    from app.services.keys import revoke_key

    assert (
        client.get("/v1/assessments", headers={"X-API-Key": api_keys["other"]}).status_code == 200
    )
    engine = make_engine(settings, pooled=False)  # type: ignore[arg-type]
    revoke_key(SqlUnitOfWork(engine), "other-key")
    engine.dispose()
    # The worker remembers keys that succeeded and forgets them when a revocation shows up in the
    # database, which it checks every kb_refresh_seconds (0.2 s here): allow a few polls.
    deadline = time.monotonic() + 3
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = client.get("/v1/assessments", headers={"X-API-Key": api_keys["other"]}).status_code
        time.sleep(0.05)
    assert status == 401


def test_a_known_key_needs_no_database_lookup(client: TestClient, api_keys: dict[str, str]) -> None:
    statements: list[str] = []

    @event.listens_for(client.app.state.engine, "before_cursor_execute")  # type: ignore[attr-defined]
    def count(*args: object) -> None:
        statements.append(str(args[2]))

    headers = {"X-API-Key": api_keys["assessments"]}
    client.get("/v1/kb", headers=headers)  # the first use may load the key directory
    statements.clear()
    codes = [client.get("/v1/kb", headers=headers).status_code for _ in range(5)]
    assert codes == [200] * 5
    # The directory poll (every 0.2 s here) reads the key table's stamp; nothing else does.
    assert all("FROM api_key" not in s or "count(" in s for s in statements), statements


def test_only_the_hash_is_stored(settings: object, api_keys: dict[str, str]) -> None:
    from app.db.engine import make_engine
    from app.db.uow import SqlUnitOfWork
    from app.services.keys import list_keys

    engine = make_engine(settings, pooled=False)  # type: ignore[arg-type]
    rows = list_keys(SqlUnitOfWork(engine))
    engine.dispose()
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row.key_hash)
        assert all(row.key_hash not in key and key not in row.key_hash for key in api_keys.values())


def test_require_key_closes_public_routes(settings: object, api_keys: dict[str, str]) -> None:
    from app.main import create_app

    app = create_app(settings.model_copy(update={"require_key": True}))  # type: ignore[attr-defined]
    with TestClient(app) as c:
        assert c.get("/v1/paths").status_code == 401
        assert c.get("/v1/paths", headers={"X-API-Key": api_keys["assessments"]}).status_code == 200
        assert c.get("/healthz").status_code == 200
        # Keyed answers must not be kept by shared caches nor served to another caller.
        for url in ("/v1/paths", "/v1/paths/talent-ecosystem", "/v1/kb", "/v1/indicators"):
            res = c.get(url, headers={"X-API-Key": api_keys["assessments"]})
            assert res.headers["cache-control"].startswith("private"), url
            vary = {v.strip().lower() for v in res.headers["vary"].split(",")}
            assert {"authorization", "x-api-key", "accept-language"} <= vary, url
            etag = res.headers["etag"]
            again = c.get(
                url, headers={"X-API-Key": api_keys["assessments"], "If-None-Match": etag}
            )
            assert again.status_code == 304
            assert again.headers["cache-control"].startswith("private")


def test_open_catalog_reads_may_be_shared(client: TestClient) -> None:
    res = client.get("/v1/paths")
    assert res.headers["cache-control"] == "public, max-age=300"
    vary = [v.strip() for v in res.headers["vary"].split(",")]
    assert "Accept-Language" in vary
    assert not {"Authorization", "X-API-Key"} & set(vary)  # open reads are the same for all
