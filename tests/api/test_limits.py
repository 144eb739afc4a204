"""Metrics, rate limits, the in-flight cap and the request timeout."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.api.limits import LimitsMiddleware, LocalCounter
from app.main import create_app
from app.settings import Settings
from tests.conftest import DEQING_PROFILE


def test_metrics_report_requests_diagnoses_and_version(client: TestClient) -> None:
    client.post(
        "/v1/recommendations",
        content=DEQING_PROFILE.read_bytes(),
        headers={"content-type": "application/json"},
    )
    client.get("/v1/paths/nope")
    text = client.get("/metrics").text
    assert (
        'countypath_http_requests_total{method="POST",route="/v1/recommendations",status="200"} 1.0'
        in text
    )
    assert 'status="404"' in text
    assert (
        'countypath_diagnoses_total{challenge="insufficient-opening-up",status="watch"} 1.0' in text
    )
    assert "countypath_kb_version 1.0" in text
    assert "countypath_http_request_duration_seconds_bucket" in text
    assert "countypath_db_pool_checked_out" in text


def test_an_invented_method_adds_no_metric_series(client: TestClient) -> None:
    for method in ("BREW", "PROPFIND-12345"):
        client.request(method, "/v1/paths")
    text = client.get("/metrics").text
    assert "BREW" not in text
    assert "PROPFIND" not in text
    assert 'method="OTHER",route="/v1/paths",status="405"' in text


def test_rate_limit_per_client_with_headers(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"rate_limit": "3/60"}))
    with TestClient(app) as c:
        codes = [c.get("/v1/kb") for _ in range(4)]
        assert [r.status_code for r in codes] == [200, 200, 200, 429]
        assert codes[0].headers["ratelimit-policy"] == '"default";q=3;w=60'
        assert codes[2].headers["ratelimit"].startswith('"default";r=0;t=')
        limited = codes[3]
        assert limited.headers["content-type"] == "application/problem+json"
        assert limited.json()["code"] == "RATE_LIMITED"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # Health stays exempt.
        assert c.get("/healthz").status_code == 200


def _slow_app(delay: float):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


@pytest.mark.anyio
async def test_timeout_answers_503_problem() -> None:
    app = LimitsMiddleware(
        _slow_app(1.0), quota=0, window=1, counter=None, max_in_flight=10, timeout=0.1
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        res = await c.get("/v1/x")
    assert res.status_code == 503
    assert res.json()["code"] == "TIMEOUT"


@pytest.mark.anyio
async def test_in_flight_cap_answers_503_at_once() -> None:
    app = LimitsMiddleware(
        _slow_app(0.5), quota=0, window=1, counter=None, max_in_flight=2, timeout=5
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        results = await asyncio.gather(*(c.get("/v1/x") for _ in range(4)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 200, 503, 503]
    refused = next(r for r in results if r.status_code == 503)
    assert refused.json()["code"] == "OVERLOADED"
    assert refused.headers["retry-after"] == "1"


@pytest.mark.anyio
async def test_local_counter_windows() -> None:
    counter = LocalCounter()
    assert (await counter.hit("a", 10, 100.0))[0] == 1
    assert (await counter.hit("a", 10, 105.0))[0] == 2
    assert (await counter.hit("a", 10, 110.0))[0] == 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _streaming_app(media: bytes, lines: int, pause: float):  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", media)]}
        )
        for n in range(lines):
            await send(
                {"type": "http.response.body", "body": b'{"index":%d}\n' % n, "more_body": True}
            )
            await asyncio.sleep(pause)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


@pytest.mark.anyio
async def test_a_timed_out_ndjson_stream_ends_with_an_error_line() -> None:
    import orjson

    app = LimitsMiddleware(
        _streaming_app(b"application/x-ndjson", 100, 0.02),
        quota=0,
        window=1,
        counter=None,
        max_in_flight=10,
        timeout=0.2,
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        res = await c.post("/v1/recommendations/batch")
    lines = [orjson.loads(line) for line in res.content.splitlines()]
    assert 3 <= len(lines) < 100
    assert [line["index"] for line in lines[:-1]] == list(range(len(lines) - 1))
    last = lines[-1]
    assert set(last) == {"error"}
    assert last["error"]["code"] == "TIMEOUT"
    assert last["error"]["status"] == 503


def test_metrics_can_require_a_token(settings: Settings) -> None:
    token = "a-scraper-token-of-some-length"
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(token)}))
    with TestClient(app) as c:
        assert c.get("/metrics").status_code == 401
        wrong = c.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        ok = c.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert "countypath_http_requests_total" in ok.text


def test_metrics_moved_to_a_separate_address_are_not_on_the_api(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_address": "127.0.0.1:9464"}))
    with TestClient(app) as c:
        assert c.get("/metrics").status_code == 404


class _RedisSwitch:
    """A TCP relay in front of the test Redis that can go silent: it then swallows what it is
    sent and answers nothing, as a stopped (SIGSTOP) Redis does."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.hung = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                if not self.hung:
                    dst.write(data)
                    await dst.drain()

        try:
            await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            for end in (writer, upstream_writer):
                end.close()
                with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                    await end.wait_closed()


@pytest.mark.anyio
async def test_a_hung_redis_costs_one_timeout_and_one_log_line() -> None:
    """A Redis that hangs (not refuses) opened no breaker: every request waited out the 0.5 s
    socket timeout and logged a warning. Now the first one pays, the rest count in process until
    Redis answers again, and the outage is logged once when it begins and once when it ends."""
    import logging
    import os
    import secrets
    import time

    import redis

    from app.api.limits import RedisCounter

    url = os.environ.get("COUNTYPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("COUNTYPATH_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis not reachable at {url}")
        pytest.skip(f"Redis not reachable at {url}")
    address = url.removeprefix("redis://").split("/")[0]
    host, _, port = address.rpartition(":")
    switch = _RedisSwitch((host, int(port)))
    await switch.start()
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("countypath.limits")
    logger.addHandler(handler)
    counter = RedisCounter(f"redis://127.0.0.1:{switch.port}/6", cooldown=1.0)
    who = f"ip:breaker-test-{secrets.token_hex(4)}"
    now = time.time()  # one window throughout: a minute boundary would restart the count
    try:
        assert (await counter.hit(who, 60, now))[0] == 1  # through Redis
        switch.hung = True
        started = time.monotonic()
        for _ in range(30):
            await counter.hit(who, 60, now)
        assert time.monotonic() - started < 1.0  # one 0.5 s timeout, not thirty
        assert len(lines) == 1
        assert "unavailable" in lines[0]
        await asyncio.sleep(1.1)  # the breaker lets one request try again: still hung
        started = time.monotonic()
        for _ in range(10):
            await counter.hit(who, 60, now)
        assert time.monotonic() - started < 1.0
        assert len(lines) == 1  # the same outage, not logged again
        switch.hung = False
        await asyncio.sleep(1.1)
        count, _ = await counter.hit(who, 60, now)
        assert count == 2  # counted in Redis again, where the first request left 1
        assert len(lines) == 2
        assert "again" in lines[1]
    finally:
        logger.removeHandler(handler)
        await counter.close()
        await switch.stop()
