"""A real server process, started the way `make run` starts it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.serverproc import server

pytestmark = pytest.mark.slow


def test_serve_creates_the_database_and_recreates_it(tmp_path: Path) -> None:
    db = tmp_path / "countypath.db"
    url = f"sqlite:///{db}"
    for _ in range(2):
        with server(url) as proc:
            base = proc.base
            assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
            assert httpx.get(f"{base}/readyz").status_code == 200
            res = httpx.post(
                f"{base}/v1/recommendations",
                content=DEQING_PROFILE.read_bytes(),
                headers={"content-type": "application/json"},
            )
            assert res.status_code == 200
            assert res.json()["recommendations"]
        assert db.exists()
        db.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


@pytest.mark.postgres
def test_two_workers_on_postgres_migrate_once(pg_url: str) -> None:
    with server(pg_url, "--workers", "2") as proc:
        base = proc.base
        versions = {httpx.get(f"{base}/v1/kb").json()["version"] for _ in range(20)}
        assert versions == {1}
        assert httpx.get(f"{base}/readyz").json()["database"] == "ok"
