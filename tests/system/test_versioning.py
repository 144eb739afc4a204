"""Versioning: the published version is the package's and the changelog's, and a route marked
deprecated says so in its headers (RFC 9745, RFC 8594) and in the OpenAPI document, proven over a
real server."""

from __future__ import annotations

import re
import threading
import time
import tomllib
from collections.abc import Iterator
from datetime import date
from email.utils import parsedate_to_datetime

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from app import __version__
from app.api.versioning import deprecated
from app.main import create_app
from app.settings import Settings
from tests.conftest import ROOT
from tests.system.serverproc import free_port

SINCE, SUNSET = date(2026, 12, 1), date(2027, 6, 1)


def test_info_version_is_the_package_and_changelog_version(client: TestClient) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert client.get("/openapi.json").json()["info"]["version"] == __version__
    assert pyproject["project"]["version"] == __version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert releases[0] == "Unreleased"
    assert releases[1] == __version__, "the latest release in CHANGELOG.md is the package's"


def test_sunset_comes_at_least_180_days_after_deprecation() -> None:
    with pytest.raises(ValueError, match="180 days"):
        deprecated(since=date(2026, 12, 1), sunset=date(2027, 3, 1))


def _app_with_an_old_route(settings: Settings) -> FastAPI:
    app = create_app(settings)

    async def old_counties(limit: int = Query(default=5, ge=1, le=10)) -> dict[str, int]:
        return {"limit": limit}

    app.add_api_route(
        "/v1/old-counties",
        old_counties,
        methods=["GET"],
        operation_id="old-counties-list",
        summary="An operation on its way out",
        tags=["catalog"],
        **deprecated(since=SINCE, sunset=SUNSET, successor="/v1/reference-counties"),
    )
    return app


@pytest.fixture
def live(settings: Settings) -> Iterator[str]:
    """A real uvicorn server, in this process, serving an app with one deprecated route."""
    port = free_port()
    config = uvicorn.Config(
        _app_with_an_old_route(settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_deprecated_route_announces_its_sunset(live: str) -> None:
    for res in (
        httpx.get(f"{live}/v1/old-counties"),
        httpx.get(f"{live}/v1/old-counties?limit=99"),
    ):
        assert res.status_code in (200, 422)
        assert res.headers["deprecation"] == "@1796083200"  # 2026-12-01T00:00:00Z
        assert parsedate_to_datetime(res.headers["sunset"]).date() == SUNSET
        assert res.headers["sunset"] == "Tue, 01 Jun 2027 00:00:00 GMT"
        assert 'rel="deprecation"' in res.headers["link"]
        assert '</v1/reference-counties>; rel="successor-version"' in res.headers["link"]
    current = httpx.get(f"{live}/v1/challenges")
    assert current.status_code == 200
    assert "deprecation" not in current.headers
    assert "sunset" not in current.headers


def test_the_document_marks_the_operation(live: str) -> None:
    spec = httpx.get(f"{live}/openapi.json").json()
    op = spec["paths"]["/v1/old-counties"]["get"]
    assert op["deprecated"] is True
    assert op["x-sunset"] == "2027-06-01"
    assert op["x-deprecated-since"] == "2026-12-01"
    headers = op["responses"]["200"]["headers"]
    assert {"Deprecation", "Sunset", "Link"} <= set(headers)
    current = spec["paths"]["/v1/challenges"]["get"]
    assert "deprecated" not in current
    assert "Deprecation" not in current["responses"]["200"].get("headers", {})
