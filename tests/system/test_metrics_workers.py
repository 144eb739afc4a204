"""Behind several workers every scrape reports the whole server, not whichever worker answered."""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from app.settings import Settings
from tests.system.serverproc import server

pytestmark = pytest.mark.slow
PATHS_200 = re.compile(
    r'^countypath_http_requests_total\{method="GET",route="/v1/paths",status="200"\} ([\d.]+)$',
    re.MULTILINE,
)


def _per_worker(folder: Path) -> dict[str, float]:
    """GET /v1/paths answered with 200, by the file (one per worker) that counted them."""
    out = {}
    for file in folder.glob("counter_*.db"):
        total = 0.0
        for entry in MmapedDict.read_all_values_from_file(str(file)):
            key, value = entry[0], entry[1]
            if '"/v1/paths"' in key and '"GET"' in key and '"200"' in key:
                total += value
        out[file.name] = total
    return out


def _folder_of(pid: int) -> Path:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    named = [e.split(b"=", 1)[1] for e in environ if e.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    assert named, "the worker runs without a shared metrics directory"
    return Path(named[0].decode())


@pytest.mark.parametrize("named", [True, False], ids=["operator-named-dir", "default-dir"])
def test_a_scrape_sums_every_worker(tmp_path: Path, named: bool) -> None:
    env = {}
    if named:
        folder = tmp_path / "prometheus"
        folder.mkdir()
        (folder / "counter_1.db").write_bytes(b"left over from an earlier run")
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    with server(f"sqlite:///{tmp_path / 'm.db'}", "--workers", "2", env=env) as proc:
        workers = proc.workers()
        assert len(workers) == 2
        folder = _folder_of(workers[0])
        assert _folder_of(workers[1]) == folder
        assert not (folder / "counter_1.db").exists(), "stale samples were not cleared"
        sent = 0

        def one(_: int) -> int:
            # A new connection each time, so both workers get a share of the accepts.
            return httpx.get(f"{proc.base}/v1/paths", timeout=30).status_code

        with ThreadPoolExecutor(16) as pool:
            for _ in range(5):
                assert set(pool.map(one, range(100))) == {200}
                sent += 100
                if sum(1 for v in _per_worker(folder).values() if v > 0) >= 2:
                    break
        per_worker = _per_worker(folder)
        assert sum(1 for v in per_worker.values() if v > 0) >= 2, per_worker
        assert sum(per_worker.values()) == sent
        for _ in range(8):  # whichever worker answers the scrape, the total is the server's
            text = httpx.get(f"{proc.base}/metrics", timeout=30).text
            match = PATHS_200.search(text)
            assert match, text[:2000]
            assert float(match.group(1)) == sent
            assert "countypath_kb_version 1.0" in text
            # Each worker samples its own gauges every second, so the scrape has both pools.
            pool = re.search(r"^countypath_db_pool_size ([\d.]+)$", text, re.MULTILINE)
            assert pool, text[:2000]
            assert float(pool.group(1)) == 2 * Settings().db_pool_size


def test_a_replacement_worker_drops_the_live_gauges_of_a_killed_one(tmp_path: Path) -> None:
    folder = tmp_path / "prometheus"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with server(f"sqlite:///{tmp_path / 'k.db'}", "--workers", "2", env=env) as proc:
        before = proc.workers()
        victim = before[0]
        # A worker writes its live gauges when it first samples them (within about a second of
        # starting, later on a loaded machine): wait for the victim's before killing it.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(folder.glob(f"gauge_live*_{victim}.db")):
            time.sleep(0.2)
        assert list(folder.glob(f"gauge_live*_{victim}.db")), "a worker writes live gauges"
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        replaced = gone = False
        while time.monotonic() < deadline and not (replaced and gone):
            time.sleep(0.2)
            now = proc.workers()
            replaced = len(now) == 2 and victim not in now
            gone = not list(folder.glob(f"gauge_live*_{victim}.db"))
        assert replaced, "the supervisor started no replacement worker"
        assert gone, "the killed worker's live gauges are still counted"
        assert httpx.get(f"{proc.base}/metrics", timeout=30).status_code == 200


@pytest.mark.parametrize("workers", ["1", "2"])
def test_metrics_on_a_separate_address(tmp_path: Path, workers: str) -> None:
    from tests.system.serverproc import free_port

    port = free_port()
    env = {"COUNTYPATH_METRICS_ADDRESS": f"127.0.0.1:{port}"}
    with server(f"sqlite:///{tmp_path / 'a.db'}", "--workers", workers, env=env) as proc:
        assert httpx.get(f"{proc.base}/v1/paths", timeout=30).status_code == 200
        assert httpx.get(f"{proc.base}/metrics", timeout=30).status_code == 404
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        assert PATHS_200.search(text), text[:2000]
