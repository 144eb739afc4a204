"""Real countypath server processes for system tests and drills."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.processes import run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(database_url: str, *args: str) -> str:
    """The command's stdout; a failure shows its output (tests.processes)."""
    env = dict(os.environ, COUNTYPATH_DATABASE_URL=database_url)
    done = run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, timeout=120)
    return done.stdout.strip()


def make_key(database_url: str, name: str, scopes: str) -> str:
    cli(database_url, "migrate")
    return cli(database_url, "keys", "create", "--name", name, "--scopes", scopes).splitlines()[-1]


@dataclass
class Proc:
    base: str
    pid: int
    log: Path

    def workers(self) -> list[int]:
        """Worker processes (uvicorn spawns them; the multiprocessing resource tracker and the
        batch-job worker are not among them)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        kids = [int(p) for p in path.read_text().split()] if path.exists() else []
        out = []
        for kid in kids:
            try:
                cmdline = Path(f"/proc/{kid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"resource_tracker" not in cmdline and b"jobs\x00worker" not in cmdline:
                out.append(kid)
        return out


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become ready")


@contextmanager
def server(
    database_url: str,
    *args: str,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    jobs: bool = False,
) -> Iterator[Proc]:
    """``countypath serve`` on ``database_url``, ready. The batch-job worker beside it starts only
    with ``jobs`` (a process of its own, about a second of CPU that most tests never use)."""
    port = free_port()
    log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"countypath-server-{port}.log"
    full_env = dict(os.environ)
    full_env.update(
        COUNTYPATH_DATABASE_URL=database_url,
        COUNTYPATH_LOG_LEVEL="WARNING",
        COUNTYPATH_RATE_LIMIT="off",
        COUNTYPATH_JOB_QUEUE_PATH=str(log.with_suffix(".queue.db")),
        COUNTYPATH_JOB_WORKERS="1" if jobs else "0",
    )
    full_env.update(env or {})
    sink = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=full_env,
        stdout=sink,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_ready(base)
        except AssertionError:
            raise AssertionError(log.read_text(errors="replace")) from None
        yield Proc(base, proc.pid, log)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        sink.close()
