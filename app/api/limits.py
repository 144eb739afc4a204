"""Admission control, as pure ASGI middleware: a rate limit per client, a cap on requests in
flight that answers 503 at once instead of queueing, and a request timeout.

A client is the verified API key (its id: AuthenticationMiddleware checked it before this runs),
else the client address as seen through the trusted proxies (RequestContextMiddleware resolved
it). Nothing the caller merely asserts (an unchecked header, a forwarded address from an
untrusted peer) chooses the bucket, and a bucket name is short whatever the request carries.

The rate-limit counters live in Redis when COUNTYPATH_REDIS_URL is set, so the quota holds across
workers and replicas; otherwise in process memory (right for one process). A Redis outage fails
open to the in-process counters: a limiter must not take the API down with it, nor slow it down
(a breaker stops asking a Redis that hangs; see RedisCounter).

A request whose credential failed is counted too, against its client address, before its 401:
a loop guessing keys spends that address's quota like any other.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.middleware import problem_bytes, send_problem, unguarded
from app.errors import Overloaded, RateLimited, TimedOut
from app.services.problem_text import problem

log = logging.getLogger("countypath.limits")
NDJSON = b"application/x-ndjson"
REDIS_TIMEOUT = 0.5  # seconds a rate-limit round trip may take before Redis counts as down
BREAKER_SECONDS = 5.0  # how long the counting stays in process after Redis failed


class LocalCounter:
    """Fixed-window counters in this process."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, identity: str, window: int, now: float) -> tuple[int, float]:
        index = int(now // window)
        start, count = self._windows.get(identity, (index, 0))
        if start != index:
            start, count = index, 0
        count += 1
        self._windows[identity] = (start, count)
        if len(self._windows) > 100_000:  # forget old windows rather than grow without bound
            self._windows = {k: v for k, v in self._windows.items() if v[0] == index}
        return count, (index + 1) * window - now


class RedisCounter:
    """Fixed-window counters shared through Redis (INCR + EXPIRE in one round trip), behind a
    circuit breaker. A Redis that fails (refused, or hung until the socket timeout) opens the
    breaker: for ``cooldown`` seconds every request counts in this process without asking Redis,
    so a hung Redis costs one timeout, not one per request. Then one request tries Redis again
    while the others keep counting here; its success closes the breaker. One warning is logged
    when an outage begins and one line when it ends, however many requests pass in between."""

    def __init__(self, url: str, cooldown: float = BREAKER_SECONDS) -> None:
        import redis.asyncio as redis

        self._client: Any = redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        self._fallback = LocalCounter()
        self.cooldown = cooldown
        self._retry_at = 0.0  # monotonic time before which Redis is not asked
        self._down = False  # an outage is under way (logged once)
        self._trying = False  # one request is trying Redis again

    async def hit(self, identity: str, window: int, now: float) -> tuple[int, float]:
        if self._down and (self._trying or time.monotonic() < self._retry_at):
            return await self._fallback.hit(identity, window, now)
        trial = self._down
        self._trying = self._trying or trial
        try:
            return await self._redis_hit(identity, window, now)
        except Exception as exc:  # noqa: BLE001 - any Redis failure falls back, logged once
            self._retry_at = time.monotonic() + self.cooldown
            if not self._down:
                self._down = True
                log.warning(
                    "rate-limit store unavailable (%s): counting in this process, "
                    "trying it again every %g s",
                    type(exc).__name__,
                    self.cooldown,
                )
            return await self._fallback.hit(identity, window, now)
        finally:
            if trial:
                self._trying = False

    async def _redis_hit(self, identity: str, window: int, now: float) -> tuple[int, float]:
        index = int(now // window)
        key = f"countypath:rl:{identity}:{index}"
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window * 2)
            count, _ = await pipe.execute()
        if self._down:
            self._down = False
            log.warning("rate-limit store answers again: counting in Redis")
        return int(count), (index + 1) * window - now

    async def close(self) -> None:
        await self._client.aclose()


def identity(scope: Scope) -> str:
    state = scope.get("state", {})
    principal = state.get("principal")
    if principal is not None:
        return f"key:{principal.key_id}"
    return f"ip:{state.get('client', 'unknown')}"


@dataclass(kw_only=True, eq=False)
class LimitsMiddleware:
    """The quota of each caller (``quota`` requests per ``window`` seconds, counted by
    ``counter``; none without one), at most ``max_in_flight`` requests at once in this worker,
    and an answer within ``timeout`` seconds, except on paths ``untimed`` matches: downloads of
    stored results, whose time is the client's to spend, not the server's."""

    app: ASGIApp = field(kw_only=False)
    quota: int
    window: int
    counter: LocalCounter | RedisCounter | None
    max_in_flight: int
    timeout: float
    metrics: Any = None
    untimed: re.Pattern[str] | None = None
    in_flight: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.policy = f'"default";q={self.quota};w={self.window}'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if unguarded(scope):
            await self.app(scope, receive, send)
            return
        extra: list[tuple[bytes, bytes]] = []
        if self.counter is not None:
            extra = await self._count(scope, send)
            if not extra:
                return
        refusal = scope.get("state", {}).get("refusal")
        if refusal is not None:
            # A credential that failed (AuthenticationMiddleware) is refused only now, after the
            # attempt was counted against the client address: guessing keys spends a quota.
            await send_problem(send, scope, refusal, extra)
            return
        if self.in_flight >= self.max_in_flight:
            busy = problem(Overloaded, "overloaded", headers={"Retry-After": "1"})
            await send_problem(send, scope, busy, keep_alive=True)
            return
        self.in_flight += 1
        try:
            await self._run(scope, receive, send, extra)
        finally:
            self.in_flight -= 1

    async def _count(self, scope: Scope, send: Send) -> list[tuple[bytes, bytes]]:
        """Count the request in its client's window: the RateLimit headers to add, or nothing
        when the quota is spent (the 429 is sent here)."""
        assert self.counter is not None
        count, reset = await self.counter.hit(identity(scope), self.window, time.time())
        remaining = max(0, self.quota - count)
        seconds = max(1, math.ceil(reset))
        extra = [
            (b"ratelimit-policy", self.policy),
            (b"ratelimit", f'"default";r={remaining};t={seconds}'.encode()),
        ]
        if count <= self.quota:
            return extra
        if self.metrics is not None:
            self.metrics.rate_limited.inc()
        spent = problem(
            RateLimited,
            "rate_limited",
            headers={"Retry-After": str(seconds)},
            quota=self.quota,
            window=self.window,
            seconds=seconds,
        )
        await send_problem(send, scope, spent, extra, keep_alive=True)
        return []

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        extra: list[tuple[bytes, bytes]],
    ) -> None:
        started: bytes | None = None  # the content type, once the answer has begun
        held: Message | None = None  # its start, until the first body bytes go out with it

        async def stamped(message: Message) -> None:
            # The start is held back until the body's first bytes: a streamed answer whose
            # deadline passes before its first row has sent nothing, so it can still be replaced
            # by a whole 503 (a layer outside, such as compression, may hold the start as well,
            # and the client would otherwise get no answer at all).
            nonlocal started, held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                started = next((v for k, v in headers if k == b"content-type"), b"")
                message["headers"] = headers + extra
                held = message
                return
            if held is not None:
                start, held = held, None
                await send(start)
            await send(message)

        untimed = self.untimed is not None and self.untimed.match(scope.get("path", ""))
        limit = None if untimed else self.timeout
        # Work done in threads cannot be cancelled: it is handed the deadline and stops itself
        # (a batch raises TimedOut), so nothing runs on after the answer.
        if limit is not None:
            scope.setdefault("state", {})["deadline"] = time.monotonic() + limit
        try:
            # asyncio.timeout, not wait_for: no extra task per request.
            async with asyncio.timeout(limit):
                await self.app(scope, receive, stamped)
        except (TimeoutError, TimedOut):
            # Built only now: a problem per request that runs in time would be wasted work.
            late = problem(
                TimedOut, "timeout", headers={"Retry-After": "1"}, seconds=f"{self.timeout:g}"
            )
            if started is None or held is not None:
                await send_problem(send, scope, late, keep_alive=True)
            elif started.startswith(NDJSON):
                # A stream of lines ends with one saying why it ends: every line above is whole.
                line = b'{"error":' + problem_bytes(scope, late) + b"}\n"
                await send({"type": "http.response.body", "body": line, "more_body": False})
            # Any other answer already begun is left unfinished: the server closes the
            # connection without ending the body, so no client takes it for a whole document.
