"""Problem+json everywhere, content negotiation, body limits, headers, request ids."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import DEQING_PROFILE


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok"
    assert ready["kb_version"].startswith("1:")


def test_readiness_is_503_when_migrations_are_missing(tmp_path: object) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/empty.db")  # type: ignore[str-bytes-safe]
    with TestClient(create_app(settings)) as c:
        res = c.get("/readyz")
        assert res.status_code == 503
        assert res.json()["code"] == "MIGRATIONS_PENDING"
        assert c.get("/healthz").status_code == 200
        kb = c.get("/v1/paths")
        assert kb.status_code == 503
        assert kb.json()["code"] in {"KB_NOT_LOADED", "DATABASE_UNAVAILABLE"}


def test_unknown_route_and_method(client: TestClient) -> None:
    res = client.get("/v1/nothing")
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    res = client.delete("/v1/recommendations")
    assert res.status_code == 405
    assert res.headers["allow"] == "POST"
    res = client.put("/v1/paths")
    assert res.status_code == 405
    assert set(res.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


@pytest.mark.parametrize("path", ["/v1/challenges/", "/metrics/", "/v1/paths/?limit=2"])
def test_a_trailing_slash_is_never_a_redirect_built_from_the_host(
    client: TestClient, path: str
) -> None:
    """Starlette would answer 307 with a Location built from the Host header a client sends."""
    res = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert res.status_code == 404
    assert "location" not in res.headers
    assert res.headers["content-type"] == "application/problem+json"


def test_media_types(client: TestClient) -> None:
    assert client.get("/v1/paths", headers={"accept": "application/xml"}).status_code == 406
    assert (
        client.get("/v1/paths", headers={"accept": "text/html, application/json;q=0.5"}).status_code
        == 200
    )
    res = client.post(
        "/v1/recommendations",
        content=b"a=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert res.status_code == 415
    assert res.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    res = client.post(
        "/v1/recommendations", content=b'{"county":', headers={"content-type": "application/json"}
    )
    assert res.status_code == 400
    assert res.json()["code"] == "MALFORMED_JSON"


def test_body_limit_refused_before_parsing(client: TestClient) -> None:
    big = b'{"county": {"name": "' + b"x" * (1024 * 1024 + 10) + b'"}}'
    res = client.post(
        "/v1/recommendations", content=big, headers={"content-type": "application/json"}
    )
    assert res.status_code == 413
    assert res.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_headers_on_every_response(client: TestClient) -> None:
    for res in [
        client.get("/healthz"),
        client.get("/v1/nope"),
        client.post("/v1/recommendations", json={}),
    ]:
        assert res.headers["x-content-type-options"] == "nosniff"
        assert (
            res.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        )
        assert len(res.headers["x-request-id"]) >= 16
    echoed = client.get("/healthz", headers={"X-Request-ID": "portal-abc-123"})
    assert echoed.headers["x-request-id"] == "portal-abc-123"
    assert client.post("/v1/recommendations", json={}).headers["cache-control"] == "no-store"


def test_language_negotiation(client: TestClient) -> None:
    def lang(**kw: str) -> str:
        return client.get("/v1/challenges/insufficient-opening-up", **kw).headers[
            "content-language"
        ]  # type: ignore[arg-type]

    assert lang() == "en"
    assert lang(headers={"Accept-Language": "zh-Hans"}) == "zh-CN"
    assert lang(headers={"Accept-Language": "fr, zh;q=0.4, en;q=0.8"}) == "en"
    assert lang(headers={"Accept-Language": "sw"}) == "en"
    assert lang(headers={"Accept-Language": "en"}, params={"lang": "zh"}) == "zh-CN"  # type: ignore[dict-item]


def test_cors_allow_list_only(settings: Settings) -> None:
    portal = "https://portal.example.gov.cn"
    app = create_app(settings.model_copy(update={"cors_origins": [portal]}))
    with TestClient(app) as c:
        evil = c.get("/v1/paths", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers
        ok = c.get("/v1/paths", headers={"Origin": portal})
        assert ok.headers["access-control-allow-origin"] == portal
        assert "access-control-allow-credentials" not in ok.headers
        pre = c.options(
            "/v1/recommendations",
            headers={"Origin": portal, "Access-Control-Request-Method": "POST"},
        )
        assert pre.status_code == 200
        assert "POST" in pre.headers["access-control-allow-methods"]


def test_wildcard_cors_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Settings(cors_origins=["*"])


def test_head_answers_on_every_get_resource(client: TestClient) -> None:
    from tests.conftest import running_routes

    gets = sorted(path for method, path in running_routes(client.app) if method == "GET")
    assert len(gets) > 15
    for path in gets:
        url = path.replace("{slug}", "deqing").replace(
            "{assessment_id}", "123e4567-e89b-42d3-a456-426614174000"
        )
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        if "etag" in get.headers:
            assert head.headers["etag"] == get.headers["etag"], path
    assert client.head("/v1/challenges/insufficient-opening-up").status_code == 200
    assert client.head("/v1/nope").status_code == 404
    post_only = client.head("/v1/recommendations")
    assert post_only.status_code == 405
    assert post_only.headers["allow"] == "POST"
    assert client.put("/v1/paths").headers["allow"] == "GET, HEAD, POST"


def test_a_chunked_oversized_body_is_413(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"county": {"name": "'
        for _ in range(40):
            yield b"x" * 32_768
        yield b'"}}'

    for path in ("/v1/recommendations", "/v1/profiles/validate"):
        res = client.post(path, content=chunks(), headers={"content-type": "application/json"})
        assert res.status_code == 413, (path, res.text)
        assert res.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_a_body_that_does_not_arrive_in_time_is_408() -> None:
    import asyncio

    from app.api.middleware import BodyLimitMiddleware

    async def reader(scope, receive, send):  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    async def trickle():  # type: ignore[no-untyped-def]
        yield {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.sleep(5)

    async def run() -> list[dict[str, object]]:
        messages = trickle()
        sent: list[dict[str, object]] = []

        async def receive():  # type: ignore[no-untyped-def]
            return await messages.__anext__()

        async def send(message):  # type: ignore[no-untyped-def]
            sent.append(message)

        app = BodyLimitMiddleware(reader, 1024, 1024, (), body_timeout=0.2)
        scope = {"type": "http", "method": "POST", "path": "/v1/x", "headers": []}
        await asyncio.wait_for(app(scope, receive, send), 2)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 408
    assert b"REQUEST_TIMEOUT" in sent[1]["body"]  # type: ignore[operator]
    assert len(sent) == 2  # the app's own answer after the refusal was dropped


def test_pages_get_a_content_security_policy_with_default_src(client: TestClient) -> None:
    def policy(path: str) -> dict[str, str]:
        header = client.get(path).headers["content-security-policy"]
        return {d.split()[0]: d.strip() for d in header.split(";")}

    page = policy("/")
    assert page["default-src"] == "default-src 'self'"
    assert "script-src" not in page  # no inline script on countypath's own pages
    assert page["frame-ancestors"] == "frame-ancestors 'none'"
    for docs in ("/docs", "/redoc"):
        assert policy(docs)["default-src"] == "default-src 'self'"
    report = client.post(
        "/v1/reports",
        content=DEQING_PROFILE.read_bytes(),
        headers={"content-type": "application/json", "accept": "text/html"},
    )
    assert report.headers["content-security-policy"].startswith("default-src 'self'")
    assert "script-src" not in report.headers["content-security-policy"]


def test_the_access_log_names_client_key_route_status_and_duration(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    import logging

    lines: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record)

    access = logging.getLogger("countypath.access")
    keep = Keep()
    access.addHandler(keep)
    try:
        key = api_keys["assessments"]
        client.get("/v1/paths/talent-ecosystem", headers={"X-API-Key": key})
        client.get("/v1/kb")
    finally:
        access.removeHandler(keep)
    keyed, anonymous = (vars(r) for r in lines[-2:])
    assert keyed["client"] == "testclient"
    assert keyed["key"] == "assessments-key"
    assert keyed["route"] == "/v1/paths/{slug}"
    assert keyed["status"] == 200
    assert keyed["duration_ms"] >= 0
    assert anonymous["key"] is None
    assert all(key not in str(vars(r)) for r in lines)
