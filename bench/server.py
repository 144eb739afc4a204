"""Start a countypath server for a benchmark and stop it afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import pure

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    base: str
    pid: int
    log: Path

    def worker_pids(self) -> list[int]:
        """The serving processes: the children when uvicorn supervises workers, else itself
        (the batch-job worker the server starts beside them serves no request)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        serving = [p for p in kids if b"jobs\0worker" not in _cmdline(p)]
        return serving or [self.pid]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(
    database_url: str | None = None, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    tmp = Path(tempfile.mkdtemp(prefix="countypath-bench-"))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    port = _free_port()
    log = tmp / "server.log"
    env = dict(
        os.environ, COUNTYPATH_DATABASE_URL=url, COUNTYPATH_LOG_LEVEL="WARNING", **(extra_env or {})
    )
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", *pure.launcher(workers), "app", "serve"]
            + ["--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start:\n{log.read_text()}")
        yield Server(base, proc.pid, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
