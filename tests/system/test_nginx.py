"""The deployment as a data centre runs it: Debian's nginx with deploy/nginx.conf in front of two
countypath replicas (separate `countypath serve` processes on different ports) sharing one
PostgreSQL database and one Redis. Everything is proven through nginx: slow clients are cut
within the configured timeouts, the rate limit holds across both replicas, a curation write on
one replica is served by the other within 2 s, and a replica killed with -9 costs no
acknowledged write while nginx routes around it."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DEQING_PROFILE
from tests.system.nginxproc import nginx, nginx_binary
from tests.system.privateservers import private_redis
from tests.system.serverproc import Proc, free_port, make_key, server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
PROFILE = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
HEADER_TIMEOUT = BODY_TIMEOUT = (
    10.0  # deploy/nginx.conf: client_header_timeout, client_body_timeout
)


@dataclass
class Stack:
    base: str
    replicas: list[Proc]


@contextmanager
def stack(tmp_path: Path, database: str, env: dict[str, str]) -> Iterator[Stack]:
    nginx_binary()  # skip (or fail) before starting anything
    with ExitStack() as running:
        env = {
            "COUNTYPATH_REDIS_URL": running.enter_context(private_redis()),
            "COUNTYPATH_TRUSTED_PROXIES": "127.0.0.1",
            "COUNTYPATH_KB_REFRESH_SECONDS": "0.5",
        } | env
        replicas = [
            running.enter_context(server(database, env=env, log=tmp_path / f"replica-{n}.log"))
            for n in (1, 2)
        ]
        folder = tmp_path / "nginx"
        folder.mkdir()
        addresses = [p.base.removeprefix("http://") for p in replicas]
        base = running.enter_context(nginx(folder, free_port(), addresses))
        yield Stack(base, replicas)


def client(base: str, source: str, timeout: float = 30) -> httpx.Client:
    """A client whose requests come from ``source`` (an address in 127.0.0.0/8), so nginx and
    countypath see distinct clients on one machine."""
    return httpx.Client(
        base_url=base, timeout=timeout, transport=httpx.HTTPTransport(local_address=source)
    )


def sample(replica: Proc, series: str) -> float:
    """One series of this replica's own /metrics (0 when it has none yet)."""
    text = httpx.get(f"{replica.base}/metrics", timeout=10).text
    match = re.search(rf"^{re.escape(series)} ([\d.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


# ------------------------------------------------------------------ slow clients, rate limit


def _open(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _slow_header(base: str, out: dict[str, float]) -> None:
    """Send the request head one line every 2 s; how long until nginx hangs up."""
    with _open(base) as sock:
        began = time.monotonic()
        sock.sendall(b"GET /v1/kb HTTP/1.1\r\nHost: countypath\r\n")
        sock.settimeout(2)
        for n in range(30):
            try:
                if sock.recv(4096) == b"":
                    break
            except TimeoutError:
                pass
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % n)
            except OSError:
                break
        out["header"] = time.monotonic() - began


def _slow_body(base: str, out: dict[str, float]) -> None:
    """Send a head and part of the body, then nothing; how long until nginx hangs up."""
    with _open(base) as sock:
        sock.sendall(
            b"POST /v1/recommendations HTTP/1.1\r\nHost: countypath\r\n"
            b"Content-Type: application/json\r\nContent-Length: 400\r\n\r\n" + b'{"county": '
        )
        began = time.monotonic()
        sock.settimeout(HEADER_TIMEOUT + 10)
        try:
            while sock.recv(4096):
                pass
            out["body"] = time.monotonic() - began
        except TimeoutError:
            out["body"] = math.inf


def test_slow_clients_are_cut_and_the_rate_limit_holds_across_replicas(
    tmp_path: Path, pg_url: str
) -> None:
    key = make_key(pg_url, "portal", "assessments")
    with stack(tmp_path, pg_url, {"COUNTYPATH_RATE_LIMIT": "30/60"}) as s:
        cut: dict[str, float] = {}
        slow = [
            threading.Thread(target=_slow_header, args=(s.base, cut)),
            threading.Thread(target=_slow_body, args=(s.base, cut)),
        ]
        for thread in slow:
            thread.start()
        if time.time() % 60 > 45:  # keep the bursts below inside one fixed window
            time.sleep(61 - time.time() % 60)
        # Anonymous: one bucket for the address nginx saw, whatever X-Forwarded-For claims.
        with client(s.base, "127.0.0.2") as c:
            anonymous = [
                c.get("/v1/kb", headers={"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(45)
            ]
        # A key: one bucket for the key, whichever replica answers.
        with client(s.base, "127.0.0.3") as c:
            keyed = [c.get("/v1/kb", headers={"X-API-Key": key}) for _ in range(45)]
        for replies in (anonymous, keyed):
            assert [r.status_code for r in replies] == [200] * 30 + [429] * 15
            assert {r.json()["code"] for r in replies[30:]} == {"RATE_LIMITED"}
            assert replies[-1].headers["ratelimit-policy"] == '"default";q=30;w=60'
        # Both replicas answered some of them: the quota is shared, not per replica.
        served = 'countypath_http_requests_total{method="GET",route="/v1/kb",status="200"}'
        for replica in s.replicas:
            assert sample(replica, served) > 0
            assert sample(replica, "countypath_rate_limited_total") > 0
        with client(s.base, "127.0.0.4") as c:  # the slow clients hold nothing up
            assert c.get("/v1/kb").status_code == 200
        for thread in slow:
            thread.join()
    assert HEADER_TIMEOUT - 2 <= cut["header"] <= HEADER_TIMEOUT + 3, cut
    assert BODY_TIMEOUT - 2 <= cut["body"] <= BODY_TIMEOUT + 3, cut


# ------------------------------------------------------------------ writes and a killed replica


def _version(base: str, source: str = "127.0.0.5") -> int:
    with client(base, source, timeout=5) as c:
        version: int = c.get("/v1/kb").json()["version"]
        return version


def _curation_reaches_every_replica(s: Stack, curator: str) -> float:
    with client(s.base, "127.0.0.6") as c:
        before = c.get("/v1/kb").json()["version"]
        url = "/v1/paths/talent-ecosystem"
        etag = c.get(url).headers["etag"]
        patch = {"summary": {"en": "Behind nginx.", "zh": "在 nginx 之后。"}}
        res = c.patch(url, json=patch, headers={"X-API-Key": curator, "If-Match": etag})
        assert res.status_code == 200, res.text
    written = time.monotonic()
    bases = [s.base] + [p.base for p in s.replicas]
    while time.monotonic() - written < 10:
        if all(_version(b) == before + 1 for b in bases):
            return time.monotonic() - written
        time.sleep(0.05)
    return math.inf


def _write_burst(base: str, key: str, count: int, threads: int) -> tuple[set[str], list[float]]:
    """Assessments from ``threads`` clients (each from its own address), every one retried with
    its Idempotency-Key until acknowledged: the ids acknowledged and when each was."""
    acked: set[str] = set()
    moments: list[float] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        body = PROFILE | {"county": PROFILE["county"] | {"year": 2000 + n % 25}}
        headers = {"X-API-Key": key, "Idempotency-Key": f"nginx-drill-{n}"}
        with client(base, f"127.0.0.{10 + n % threads}") as c:
            for _ in range(8):
                try:
                    res = c.post("/v1/assessments", json=body, headers=headers)
                except httpx.TransportError:
                    time.sleep(0.2)
                    continue
                if res.status_code == 201:
                    with lock:
                        acked.add(res.json()["id"])
                        moments.append(time.monotonic())
                    return
                assert res.status_code in (409, 429, 502, 503), res.text
                time.sleep(0.2)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    return acked, moments


def test_writes_survive_a_replica_killed_with_minus_nine(tmp_path: Path, pg_url: str) -> None:
    curator = make_key(pg_url, "curator", "kb:write")
    portal = make_key(pg_url, "portal", "assessments")
    with stack(tmp_path, pg_url, {}) as s:
        # Each replica checks every 0.5 s, then loads and compiles the new version: half a second
        # on an idle core, 2.7 s once beside other drills. A refresh that never comes is inf.
        assert _curation_reaches_every_replica(s, curator) < 5.0
        victim = s.replicas[0]
        result: dict[str, Any] = {}

        def burst() -> None:
            result["acked"], result["moments"] = _write_burst(s.base, portal, 320, 16)

        writer = threading.Thread(target=burst)
        writer.start()
        time.sleep(1.0)
        os.killpg(victim.pid, signal.SIGKILL)
        killed = time.monotonic()
        writer.join()
        acked: set[str] = result["acked"]
        assert len(acked) == 320, len(acked)  # every write acknowledged in the end
        assert sum(1 for m in result["moments"] if m > killed) > 0
        with client(s.base, "127.0.0.7") as c:
            # nginx routes around the dead replica: everything answers, from the survivor.
            assert {c.get("/v1/kb").status_code for _ in range(40)} == {200}
            for n, assessment_id in enumerate(sorted(acked)):
                res = c.get(f"/v1/assessments/{assessment_id}", headers={"X-API-Key": portal})
                assert res.status_code == 200, (n, assessment_id, res.text)
        assert httpx.get(f"{s.replicas[1].base}/readyz", timeout=5).status_code == 200


# ------------------------------------------------------------------ nginx's own errors


def _raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (httpx would fix them) and read nginx's answer."""
    with _open(base) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


RAW = {
    "hidden-metrics-404": b"GET /metrics HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n",
    "nul-in-path-400": b"GET /metrics%00 HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n",
    "length-and-chunked-400": b"POST /v1/recommendations HTTP/1.1\r\nHost: c\r\n"
    b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n",
    "unknown-coding-501": b"POST /v1/recommendations HTTP/1.1\r\nHost: c\r\n"
    b"Transfer-Encoding: xchunked\r\nConnection: close\r\n\r\n",
    "header-too-large-400": b"GET /v1/kb HTTP/1.1\r\nHost: c\r\nX-Big: "
    + b"a" * 9000
    + b"\r\nConnection: close\r\n\r\n",
    "line-too-long-414": b"GET /v1/kb?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: c\r\n\r\n",
}


def test_nginx_answers_its_own_errors_as_problems(tmp_path: Path) -> None:
    """I-4 of the 2026-12-06 probe: nginx's own 400, 404 and 501 pages were HTML."""
    database = f"sqlite:///{tmp_path / 'nginx-errors.db'}"
    with stack(tmp_path, database, {}) as s:
        for name, request in RAW.items():
            status, headers, body = _raw(s.base, request)
            assert status == int(name.rsplit("-", 1)[1]), (name, status, body[:200])
            assert headers.get("content-type") == "application/problem+json", (name, headers)
            problem = json.loads(body)
            assert problem["status"] == status, name
            assert problem["code"] in {"BAD_REQUEST", "NOT_FOUND"}, name
            assert headers.get("content-language") == "en", (name, headers)
        # In the language the client asked for, as a replica would answer.
        asked_zh = {
            "accept-language": RAW["hidden-metrics-404"].replace(
                b"Host: c\r\n", b"Host: c\r\nAccept-Language: zh-CN,zh;q=0.9,en;q=0.5\r\n"
            ),
            "lang-param": RAW["hidden-metrics-404"].replace(b"/metrics ", b"/metrics?lang=zh "),
            "error-page": RAW["unknown-coding-501"].replace(
                b"Host: c\r\n", b"Host: c\r\nAccept-Language: zh\r\n"
            ),
        }
        for name, request in asked_zh.items():
            status, headers, body = _raw(s.base, request)
            problem = json.loads(body)
            assert headers.get("content-language") == "zh-cn", (name, headers)
            assert problem["title"] in {"未找到", "请求无法读取"}, (name, problem)
            assert not any(c.isascii() and c.isalpha() for c in problem["detail"][:2]), problem
        # A replica's own problems pass through untouched.
        with client(s.base, "127.0.0.8") as c:
            res = c.get("/v1/nothing", params={"lang": "zh"})
        assert res.status_code == 404
        assert res.json()["title"] == "未找到"
