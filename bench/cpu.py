"""Server CPU per request, from /proc (schedstat): one countypath worker on SQLite and a bare Starlette floor
(bench/floor.py) returning the same bytes as the full answer, each driven by one keep-alive
client with the Deqing profile; the worker's user+system CPU over the requests, divided by their
number. Three repeats, medians, and the ratios to the floor, appended to bench/RESULTS.md.

    .venv/bin/python -m bench.cpu

CPU time of the serving process is what a request costs the machine, whatever else runs on it
(the client shares the cores), so the figures hold on a busy machine better than wall clock.
"""

from __future__ import annotations

import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app import native
from bench.server import ROOT, _free_port, running

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "400"))
REPEATS = 3
BODY = (ROOT / "examples" / "deqing-2024.json").read_bytes()
JSON = {"content-type": "application/json"}
GZIP = JSON | {"accept-encoding": "gzip"}
CASES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("validate", "/v1/profiles/validate", JSON),
    ("summary", "/v1/recommendations?view=summary", JSON),
    ("full", "/v1/recommendations", JSON),
    ("full, gzip", "/v1/recommendations", GZIP),
    ("full, ?paths=10", "/v1/recommendations?paths=10", JSON),
    ("full, ?paths=10, gzip", "/v1/recommendations?paths=10", GZIP),
)


def cpu_seconds(pid: int) -> float:
    """The process's time on a CPU so far, every thread, to the nanosecond (schedstat; /proc's
    stat counts in ticks of 10 ms, too coarse for a 0.1 ms request)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that ended in between
    return total / 1e9


def per_request_ms(
    base: str, pid: int, path: str, headers: dict[str, str], body: bytes = BODY
) -> float:
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(30):  # warm caches and the connection
            client.post(path, content=body).raise_for_status()
        before = cpu_seconds(pid)
        for _ in range(REQUESTS):
            client.post(path, content=body).raise_for_status()
        return (cpu_seconds(pid) - before) * 1000 / REQUESTS


def wait_ready(url: str, tries: int = 100) -> None:
    """Poll ``url`` every tenth of a second until it answers 200, at most ``tries`` times."""
    for _ in range(tries):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)


@contextmanager
def floor(answer: bytes) -> Iterator[tuple[str, int]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as body:
        body.write(answer)
        body.flush()
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.floor:app", "--port", str(port)]
            + ["--log-level", "warning", "--no-access-log"],
            cwd=ROOT,
            env=dict(os.environ, FLOOR_BODY=body.name),
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(f"{base}/readyz")
            yield base, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def measure() -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name, _, _ in CASES}
    out["floor"] = []
    with running(workers=1, extra_env={"COUNTYPATH_RATE_LIMIT": "off"}) as server:
        (pid,) = server.worker_pids()
        answer = httpx.post(server.base + "/v1/recommendations", content=BODY, headers=JSON)
        with floor(answer.content) as (floor_base, floor_pid):
            for _ in range(REPEATS):
                out["floor"].append(per_request_ms(floor_base, floor_pid, "/floor", JSON))
                for name, path, headers in CASES:
                    out[name].append(per_request_ms(server.base, pid, path, headers))
    return out


def table(found: dict[str, list[float]]) -> str:
    floor_ms = statistics.median(found["floor"])
    full_ms = statistics.median(found["full"])
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: server CPU per request",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average before the run {os.getloadavg()[0]:.2f}. One worker on SQLite, "
        f"{REQUESTS} requests per repeat from one keep-alive client, {REPEATS} repeats. "
        f"{native.describe()[0].upper()}{native.describe()[1:]}.",
        "",
        "| request | CPU ms per request (median) | repeats | × floor | × full |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for name, values in found.items():
        med = statistics.median(values)
        shown = ", ".join(f"{v:.3f}" for v in values)
        lines.append(
            f"| {name} | {med:.3f} | {shown} | {med / floor_ms:.1f} | {med / full_ms:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    text = table(measure())
    print(text)
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results:
        results.write("\n" + text)


if __name__ == "__main__":
    main()
