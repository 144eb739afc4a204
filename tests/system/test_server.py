"""A real server process, started the way `make run` starts it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEQING_PROFILE, ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(database_url: str, *args: str, log: Path | None = None) -> Iterator[str]:
    port = free_port()
    log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"countypath-server-{port}.log"
    env = dict(os.environ, COUNTYPATH_DATABASE_URL=database_url, COUNTYPATH_LOG_LEVEL="WARNING")
    sink = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=sink,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("server did not become ready")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        sink.close()


def test_serve_creates_the_database_and_recreates_it(tmp_path: Path) -> None:
    db = tmp_path / "countypath.db"
    url = f"sqlite:///{db}"
    for _ in range(2):
        with server(url) as base:
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
    with server(pg_url, "--workers", "2") as base:
        versions = {httpx.get(f"{base}/v1/kb").json()["version"] for _ in range(20)}
        assert versions == {1}
        assert httpx.get(f"{base}/readyz").json()["database"] == "ok"
