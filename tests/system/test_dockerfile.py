"""No Docker engine runs here, so the image's steps are exercised one by one: the package installs
from the repository with pip alone, and the CMD and HEALTHCHECK commands work as written."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _exec_form(instruction: str) -> list[str]:
    match = re.search(rf"^{instruction}\s+(\[.*\])\s*$", DOCKERFILE, re.MULTILINE)
    assert match, f"{instruction} in exec form"
    return list(json.loads(match.group(1)))


def test_image_steps(tmp_path: Path) -> None:
    # COPY: only what the image copies (.dockerignore leaves out a compiled engine).
    work = tmp_path / "srv"
    work.mkdir()
    for name in ("pyproject.toml", "README.md", "alembic.ini"):
        shutil.copy(ROOT / name, work / name)
    for name in ("app", "migrations", "seeds"):
        shutil.copytree(
            ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    # RUN pip install . (into a target, with the dependencies this environment already has).
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            ".",
        ],
        cwd=work,
        check=True,
        timeout=300,
    )
    assert (target / "bin" / "countypath").exists()
    # The installed package (not the checkout) must find migrations and seeds from WORKDIR.
    shutil.rmtree(work / "app")
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(target),
        PATH=f"{target / 'bin'}{os.pathsep}{os.environ['PATH']}",
        COUNTYPATH_DATABASE_URL=f"sqlite:///{tmp_path / 'data.db'}",
        COUNTYPATH_WORKERS="1",
    )
    cmd = _exec_form("CMD")
    assert cmd[:2] == ["sh", "-c"]
    script = (
        cmd[2]
        .replace("--port 8000", f"--port {port}")
        .replace("--host 0.0.0.0", "--host 127.0.0.1")
    )
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        ["sh", "-c", script], cwd=work, env=env, start_new_session=True, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(
                "the image's CMD did not bring the service up:\n"
                + (tmp_path / "server.log").read_text()
            )
        check = _exec_form(
            "HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \\\\\n\\s+CMD"
        )
        probe = [check[0] if check[0] != "python" else sys.executable, *check[1:]]
        probe[-1] = probe[-1].replace("8000", str(port))
        assert subprocess.run(probe, env=env, timeout=10).returncode == 0
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
