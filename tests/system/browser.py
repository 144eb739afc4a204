"""Headless Chromium with the network closed: only 127.0.0.1 resolves, everything else fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
# Headless, no background traffic, and every host but 127.0.0.1 unreachable.
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("COUNTYPATH_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (COUNTYPATH_REQUIRE_BROWSER=1)")
        pytest.skip("chromium is not installed; .ci/run installs Debian's chromium package")
    return path


def run_chromium(
    url: str, *, screenshot: str | None = None, budget_ms: int = 8000, size: str = "1280,2000"
) -> str:
    """The rendered DOM of ``url``; optionally a screenshot saved under artifacts/."""
    with tempfile.TemporaryDirectory(
        prefix="countypath-chromium-", ignore_cleanup_errors=True
    ) as profile:
        base = [
            chromium(),
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            f"--window-size={size}",
        ]
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            subprocess.run(
                [*base, f"--screenshot={ARTIFACTS / screenshot}", url],
                capture_output=True,
                timeout=120,
                check=True,
            )
        done = subprocess.run(
            [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout
