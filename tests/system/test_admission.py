"""Admission through a real uvicorn server: what the socket says, not what headers claim."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.system.serverproc import server

pytestmark = pytest.mark.slow


def test_rotating_x_forwarded_for_does_not_evade_the_limit(tmp_path: Path) -> None:
    env = {"COUNTYPATH_RATE_LIMIT": "5/60"}
    with server(f"sqlite:///{tmp_path / 'xff.db'}", env=env) as proc:
        codes = [
            httpx.get(
                f"{proc.base}/v1/kb", headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(8)
        ]
    assert codes == [200] * 5 + [429] * 3


def _ndjson_cut_or_refused(res: httpx.Response) -> None:
    """NDJSON rows then an error line; or, on a machine so loaded that the deadline passed
    before the first row, a whole 503 problem (which no client mistakes for rows either)."""
    import json

    if res.status_code == 503:
        assert res.json()["code"] == "TIMEOUT"
        return
    assert res.status_code == 200
    lines = [json.loads(line) for line in res.text.splitlines()]
    assert 0 < len(lines) < 5000
    assert [line["index"] for line in lines[:-1]] == list(range(len(lines) - 1))
    assert lines[-1]["error"]["code"] == "TIMEOUT"
    assert "index" not in lines[-1]


def test_a_timed_out_batch_says_so(tmp_path: Path) -> None:
    """NDJSON ends with an error line; the JSON document is cut off unterminated, so no client
    mistakes it for a whole one (as the batch's description says)."""
    import json

    from tests.conftest import DEQING_PROFILE

    profile = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    body = json.dumps([profile] * 5000)
    # 5,000 full rows take many seconds, so a one-second deadline always cuts the batch; it is
    # long enough for the first rows to go out even on a loaded machine.
    env = {"COUNTYPATH_REQUEST_TIMEOUT_SECONDS": "1", "COUNTYPATH_BODY_TIMEOUT_SECONDS": "5"}
    with server(f"sqlite:///{tmp_path / 'batch.db'}", env=env) as proc:
        url = f"{proc.base}/v1/recommendations/batch"
        headers = {"content-type": "application/json", "accept": "application/x-ndjson"}
        _ndjson_cut_or_refused(httpx.post(url, content=body, headers=headers, timeout=30))
        # Cut off once its rows have started, or refused whole before the first row.
        try:
            late = httpx.post(
                url, content=body, headers={"content-type": "application/json"}, timeout=30
            )
        except httpx.RemoteProtocolError:
            return
        assert late.status_code == 503, late.text[:300]
        assert late.json()["code"] == "TIMEOUT"


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Read until the server closes the connection; how long that took."""
    began = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return math.inf
    return time.monotonic() - began


def _until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends before it closes the connection: an answer's head and body
    may arrive in separate reads."""
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def test_idle_keep_alive_connections_are_closed(tmp_path: Path) -> None:
    env = {"COUNTYPATH_KEEP_ALIVE_SECONDS": "1"}
    with server(f"sqlite:///{tmp_path / 'ka.db'}", env=env) as proc, _connect(proc.base) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: keep-alive\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert _closed_within(sock, 4) < 2.5


def test_a_slow_body_is_cut_with_408(tmp_path: Path) -> None:
    env = {"COUNTYPATH_BODY_TIMEOUT_SECONDS": "1"}
    with server(f"sqlite:///{tmp_path / 'sb.db'}", env=env) as proc, _connect(proc.base) as sock:
        head = (
            b"POST /v1/recommendations HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        )
        sock.sendall(head + b'{"county": ')
        began = time.monotonic()
        sock.settimeout(5)
        answer = _until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"REQUEST_TIMEOUT" in answer
        assert time.monotonic() - began < 3
