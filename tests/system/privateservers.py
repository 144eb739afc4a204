"""Servers of a test's own: a PostgreSQL cluster and a Redis on free ports, in a temporary
directory, stopped and removed afterwards. A drill that stops its database, or a test that counts
keys in Redis, then cannot disturb (or be disturbed by) another test run on the same machine:
the shared servers are left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.processes import run
from tests.system.serverproc import free_port


def _missing(what: str, variable: str) -> NoReturn:
    """Skip with the reason, or fail where the environment says the server is required."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{what} ({variable}=1)")
    pytest.skip(what)


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


@dataclass
class PrivatePostgres:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args]))

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.folder / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")

    def ready(self) -> bool:
        probe = [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        return run(probe, check=False).returncode == 0


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh cluster (trust authentication, no fsync: it lives for one test)."""
    binaries = _postgres_bin()
    if binaries is None:
        _missing(
            "no PostgreSQL binaries (pg_ctl, initdb) to start a cluster of the test's own",
            "COUNTYPATH_REQUIRE_POSTGRES",
        )
    assert binaries is not None
    folder = Path(tempfile.mkdtemp(prefix="countypath-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = PrivatePostgres(folder, free_port(), binaries)
    try:
        initdb = [str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres"]
        run(_as_owner([*initdb, "--auth=trust", "-E", "UTF8", "--no-sync"]))
        cluster.start()
        yield cluster
    finally:
        if cluster.ready():
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def private_redis() -> Iterator[str]:
    """A Redis of the test's own, in memory only; its URL."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        _missing("no redis-server to start one of the test's own", "COUNTYPATH_REQUIRE_REDIS")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"redis-server on port {port} did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
