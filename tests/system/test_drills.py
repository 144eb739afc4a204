"""Nothing lost: concurrency, retries and crashes against real server processes, on SQLite and
on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.privateservers import private_redis
from tests.system.serverproc import make_key, server, wait_ready

pytestmark = pytest.mark.slow
PROFILE = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))


def _store(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'drill.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.mark.postgres
def test_two_workers_see_a_write_within_two_seconds(pg_url: str) -> None:
    key = make_key(pg_url, "curator", "kb:write")
    with (
        server(pg_url, "--workers", "2") as proc,
        httpx.Client(base_url=proc.base, timeout=10) as c,
    ):
        assert len(proc.workers()) == 2
        before = c.get("/v1/kb").json()["version"]
        etag = c.get("/v1/paths/talent-ecosystem").headers["etag"]
        patch = {"summary": {"en": "Coherence drill.", "zh": "一致性演练。"}}
        res = c.patch(
            "/v1/paths/talent-ecosystem", json=patch, headers={"X-API-Key": key, "If-Match": etag}
        )
        assert res.status_code == 200
        written = time.monotonic()
        last_old = written
        streak = 0
        while streak < 20 and time.monotonic() - written < 10.0:
            # Fresh connections are spread over both workers by the kernel.
            version = httpx.get(f"{proc.base}/v1/kb").json()["version"]
            if version == before + 1:
                streak += 1
            else:
                streak = 0
                last_old = time.monotonic()
        assert streak == 20
        assert last_old - written < 2.0, last_old - written
        seen = {
            httpx.get(f"{proc.base}/v1/paths/talent-ecosystem").json()["summary"] for _ in range(40)
        }
        assert seen == {"Coherence drill."}


@pytest.mark.parametrize("store", STORES)
def test_concurrent_if_match_patches_lose_no_update(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _store(request, tmp_path, store)
    key = make_key(url, "curator", "kb:write")
    successes = 0
    lock = threading.Lock()

    def client_loop(n: int) -> None:
        nonlocal successes
        with httpx.Client(base_url=base, timeout=30) as c:
            for _ in range(20):  # retry on 412 until this client's edit lands
                got = c.get("/v1/paths/talent-ecosystem")
                etag = got.headers["etag"]
                body = {"summary": {"en": f"Edit {n}.", "zh": f"修改{n}。"}}
                res = c.patch(
                    "/v1/paths/talent-ecosystem",
                    json=body,
                    headers={"X-API-Key": key, "If-Match": etag},
                )
                if res.status_code == 200:
                    with lock:
                        successes += 1
                    break
                assert res.status_code == 412, res.text

    with server(url, "--workers", "2") as proc:
        base = proc.base
        start = httpx.get(f"{base}/v1/kb").json()["version"]
        # Six writers racing on one path, one edit each: enough contention for lost updates to
        # show (five of the six lose at least one race), and each accepted edit stores a
        # knowledge-base version and runs the expert cases, so more edits only cost time.
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(client_loop, range(6)))
        time.sleep(1.5)
        end = httpx.get(f"{base}/v1/kb").json()["version"]
    assert successes > 0
    assert end - start == successes


def _post_assessments(
    base: str, key: str, count: int, workers: int = 24
) -> tuple[list[str], list[int]]:
    acked: list[str] = []
    codes: list[int] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        body = PROFILE | {"county": PROFILE["county"] | {"year": 2000 + i % 25}}
        headers = {"X-API-Key": key, "Idempotency-Key": f"drill-{i}"}
        with httpx.Client(base_url=base, timeout=60) as c:
            for _ in range(2):  # every request is retried once with the same key
                try:
                    res = c.post("/v1/assessments", json=body, headers=headers)
                except httpx.TransportError:
                    continue
                with lock:
                    codes.append(res.status_code)
                    if res.status_code == 201:
                        acked.append(res.json()["id"])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))
    return acked, codes


@pytest.mark.parametrize("store", STORES)
def test_five_hundred_concurrent_assessments(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _store(request, tmp_path, store)
    key = make_key(url, "portal", "assessments")
    with server(url, "--workers", "2") as proc:
        acked, codes = _post_assessments(proc.base, key, 500)
        assert set(codes) <= {201, 409}, sorted(set(codes))
        assert len(set(acked)) == 500  # retries replayed the same assessment, never a new one
        with httpx.Client(base_url=proc.base, timeout=30) as c:
            ids: list[str] = []
            cursor = None
            while True:
                params: dict[str, Any] = {"limit": 100} | ({"cursor": cursor} if cursor else {})
                page = c.get("/v1/assessments", params=params, headers={"X-API-Key": key}).json()
                ids += [i["id"] for i in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert sorted(ids) == sorted(set(acked))
            for assessment_id in list(set(acked))[:50]:
                assert (
                    c.get(
                        f"/v1/assessments/{assessment_id}", headers={"X-API-Key": key}
                    ).status_code
                    == 200
                )
        assert "database is locked" not in proc.log.read_text(errors="replace")


@pytest.mark.parametrize("store", STORES)
def test_kill_minus_nine_loses_no_acknowledged_write(
    store: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = _store(request, tmp_path, store)
    key = make_key(url, "portal", "assessments")
    with server(url, "--workers", "2") as proc:
        victim = proc.workers()[0]
        result: dict[str, Any] = {}

        def burst() -> None:
            result["acked"], result["codes"] = _post_assessments(proc.base, key, 300, workers=16)

        thread = threading.Thread(target=burst)
        thread.start()
        time.sleep(1.0)
        os.kill(victim, signal.SIGKILL)
        thread.join()
        wait_ready(proc.base)
        deadline = time.monotonic() + 15
        while len(proc.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(proc.workers()) == 2, "the supervisor restores the worker"
        acked = set(result["acked"])
        assert acked
        with httpx.Client(base_url=proc.base, timeout=30) as c:
            for assessment_id in acked:
                assert (
                    c.get(
                        f"/v1/assessments/{assessment_id}", headers={"X-API-Key": key}
                    ).status_code
                    == 200
                )
    if store == "sqlite":
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    else:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            indexes = conn.execute(
                "SELECT c.oid::regclass FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = 'assessment'"
            ).fetchall()
            for (index,) in indexes:
                conn.execute("SELECT bt_index_check(%s::regclass, true)", (str(index),))
            count = conn.execute("SELECT count(*) FROM assessment").fetchone()
            assert count is not None
            assert count[0] >= len(acked)


def test_rate_limit_is_shared_across_two_workers(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'rl.db'}"
    identity = {"X-API-Key": make_key(database, "portal", "assessments")}
    with private_redis() as url, server(database, "--workers", "2", env=_limited(url)) as proc:
        if time.time() % 60 > 50:  # keep the burst inside one fixed window
            time.sleep(61 - time.time() % 60)
        codes = [httpx.get(f"{proc.base}/v1/kb", headers=identity).status_code for _ in range(60)]
    assert codes.count(429) == 40, codes  # 20 admitted in all, whichever worker answered
    assert set(codes) == {200, 429}


def _limited(redis_url: str) -> dict[str, str]:
    """A quota of 20 a minute, counted in a Redis of the test's own (another test run's
    counters for the same key id would otherwise add to this one's)."""
    return {"COUNTYPATH_REDIS_URL": redis_url, "COUNTYPATH_RATE_LIMIT": "20/60"}
