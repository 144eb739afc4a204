"""API docs served with no external host, rendered by a real browser with the network closed."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.system.cdp import Page, browser
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
        got = client.get(asset)
        assert got.status_code == 200, asset
        assert b"cdn.redoc.ly" not in got.content, asset
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "img-src 'self' data:" in csp


def _requested(page: Page) -> list[str]:
    return [
        e["params"]["request"]["url"]
        for e in page.events
        if e["method"] == "Network.requestWillBeSent"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "ready"),
    [
        (
            "/redoc",
            "document.querySelector('.api-content h1') && document.querySelectorAll('[role=menuitem]').length > 10",
        ),
        ("/docs", "document.querySelectorAll('.opblock').length > 10"),
    ],
)
def test_docs_pages_request_nothing_from_another_host(
    tmp_path: Path, path: str, ready: str
) -> None:
    """The page renders the operations offline, and every request it makes, recorded by the
    browser itself, goes to the API's own host: no logo, no validator badge, no font."""
    with server(f"sqlite:///{tmp_path / 'docs.db'}") as proc, browser() as page:
        page.call("Network.enable")
        page.goto(f"{proc.base}{path}")
        page.wait_for(ready, timeout=60)
        time.sleep(1.0)  # let late images and badges start loading, if any would
        page.evaluate("1")  # drain the events that arrived meanwhile
        urls = _requested(page)
        images = page.evaluate("[...document.images].map(i => i.src)")
        text = page.evaluate("document.body.innerText")
        if path == "/docs":
            page.screenshot("docs.png")
            # The badge would call the public validator from a host other than localhost.
            assert page.evaluate("ui.getConfigs().validatorUrl") is None
    for summary in (
        "Diagnose a county and rank the paths",
        "Validate a profile",
        "List recommended paths",
    ):
        assert summary in text, summary
    assert urls, "the browser recorded no request at all"
    foreign = [
        u
        for u in urls
        if urlsplit(u).hostname not in ("127.0.0.1", None) and not u.startswith(("data:", "blob:"))
    ]
    assert not foreign, foreign
    assert all(not src.startswith("http") or "127.0.0.1" in src for src in images), images
