"""Debian's nginx, run as a child process with deploy/nginx.conf rendered for a test: the
replicas' addresses and the listening port substituted, the worker user left to nginx's default,
pid, logs and temporary files in a temporary directory. Every other line is the shipped one, and
nothing outside that directory is read or changed."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

CONFIG = ROOT / "deploy" / "nginx.conf"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str:
    """nginx's path; without it the test is skipped, or fails when COUNTYPATH_REQUIRE_NGINX=1."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        reason = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("COUNTYPATH_REQUIRE_NGINX") == "1":
            pytest.fail(reason + " and COUNTYPATH_REQUIRE_NGINX=1")
        pytest.skip(reason)
    return found


def _sub(
    pattern: str, replacement: str | Callable[[re.Match[str]], str], text: str, count: int
) -> str:
    out, made = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert made == count, f"deploy/nginx.conf no longer has {count} x {pattern!r}"
    return out


def render(folder: Path, port: int, replicas: list[str]) -> Path:
    """deploy/nginx.conf with only what a test must change: addresses, port and file paths."""
    text = CONFIG.read_text(encoding="utf-8")
    text = _sub(r"^user \w+;", "", text, 1)  # workers as nginx's default user
    text = _sub(r"pid [^;]+;", f"pid {folder}/nginx.pid;", text, 1)
    text = _sub(r"access_log [^;]+;", f"access_log {folder}/access.log;", text, 1)
    text = _sub(r"error_log [^;]+;", f"error_log {folder}/error.log warn;", text, 1)
    text = _sub(r"listen 8080;", f"listen 127.0.0.1:{port};", text, 1)
    servers = iter(replicas)
    text = _sub(
        r"server countypath-\d:8000", lambda _: f"server {next(servers)}", text, len(replicas)
    )
    temps = "".join(f"    {name}_temp_path {folder}/{name};\n" for name in TEMP_DIRS)
    text = _sub(r"http \{\n", "http {\n" + temps, text, 1)
    for name in TEMP_DIRS:
        (folder / name).mkdir(mode=0o777)
        (folder / name).chmod(0o777)  # nginx's workers may run as another user
    folder.chmod(0o755)
    path = folder / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def nginx(folder: Path, port: int, replicas: list[str]) -> Iterator[str]:
    binary = nginx_binary()
    conf = render(folder, port, replicas)
    args = [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(
        [*args, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
