"""API docs served with no external host, rendered by a real browser with the network closed."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.system.browser import run_chromium
from tests.system.serverproc import server

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_html_names_no_external_host(client: TestClient, page: str) -> None:
    res = client.get(page)
    assert res.status_code == 200
    html = res.text
    assert not EXTERNAL.search(html), html
    assert "cdn.jsdelivr.net" not in html
    assert "fonts.googleapis.com" not in html
    assert "fastapi.tiangolo.com" not in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.slow
def test_swagger_ui_lists_the_operations_offline(tmp_path: Path) -> None:
    with server(f"sqlite:///{tmp_path / 'docs.db'}") as proc:
        base = proc.base
        assert httpx.get(f"{base}/docs").status_code == 200
        dom = run_chromium(f"{base}/docs", screenshot="docs.png")
    for summary in (
        "Diagnose a county and rank the paths",
        "Validate a profile",
        "List recommended paths",
    ):
        assert summary in dom
    assert "recommendations-create" in dom or "/v1/recommendations" in dom
