"""Admission through a real uvicorn server: what the socket says, not what headers claim."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.system.serverproc import server

pytestmark = pytest.mark.slow


def test_rotating_x_forwarded_for_does_not_evade_the_limit(tmp_path: Path) -> None:
    env = {"COUNTYPATH_RATE_LIMIT": "5/60"}
    with server(f"sqlite:///{tmp_path / 'xff.db'}", env=env) as proc:
        codes = [
            httpx.get(
                f"{proc.base}/v1/kb", headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(8)
        ]
    assert codes == [200] * 5 + [429] * 3
