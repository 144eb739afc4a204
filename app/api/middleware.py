"""Pure ASGI middleware (no buffering): request ids, security headers, body limits, last-resort
error rendering. Pure ASGI so a large body is refused before it is read, not after.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.i18n import content_language, lang_of
from app.api.proxies import Network, client_address
from app.api.versioning import DeprecationHeaders
from app.errors import AppError, FieldError, PayloadTooLarge, RequestTimeout
from app.services import problem_text

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("countypath.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class ProblemDocument(TypedDict):
    """An RFC 9457 problem as countypath writes it (the Problem schema), keys in this order."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: NotRequired[list[dict[str, object]]]


def problem_document(status: int, code: str, title: str, detail: str, path: str) -> ProblemDocument:
    """An RFC 9457 problem, as every answer and the published examples write it."""
    return {
        "type": f"urn:countypath:problem:{code.lower().replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
        "code": str(code),
    }


def localised_problem(
    scope: Scope,
    status: int,
    code: str,
    detail: str,
    *,
    key: str | None = None,
    params: dict[str, object] | None = None,
    errors: list[FieldError] | list[dict[str, object]] | None = None,
) -> tuple[ProblemDocument, str]:
    """The problem document in the language the request asked for, and that language's tag:
    title, detail and field messages from the catalogue, English where it has no words."""
    lang = lang_of(scope)
    said = problem_text.detail(key, params or {}, detail, lang)
    body = problem_document(status, code, problem_text.title(code, lang), said, scope["path"])
    if errors:
        body["errors"] = problem_text.field_dicts(errors, lang)
    return body, content_language(lang)


def problem_bytes(scope: Scope, exc: AppError) -> bytes:
    body, _ = localised_problem(
        scope, exc.status, exc.code, exc.detail, key=exc.key, params=exc.params, errors=exc.errors
    )
    return orjson.dumps(body)


async def send_problem(
    send: Send,
    scope: Scope,
    exc: AppError,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    keep_alive: bool = False,
) -> None:
    """A problem sent from outside the app, in the request's language. The connection closes
    after it (the request body may be unread) unless ``keep_alive``: the refusals of admission
    control, which read none."""
    document, language = localised_problem(
        scope, exc.status, exc.code, exc.detail, key=exc.key, params=exc.params, errors=exc.errors
    )
    body = orjson.dumps(document)
    framing = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()),
    ]
    framing += [(k.lower().encode(), v.encode()) for k, v in exc.headers.items()]
    if not keep_alive:
        framing.append((b"connection", b"close"))
    await send(
        {"type": "http.response.start", "status": exc.status, "headers": framing + (headers or [])}
    )
    await send({"type": "http.response.body", "body": body})


# Probes, metrics, documentation and the page: no key, no quota (each guards itself if it must).
UNGUARDED_PREFIXES = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/ui",
    "/static-offline-docs",
)


def unguarded(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return scope["type"] != "http" or path == "/" or path.startswith(UNGUARDED_PREFIXES)


class RequestContextMiddleware:
    """Gives every request an id and its client's address (``scope["state"]["client"]``, through
    the trusted proxies), stamps headers on every response (a deprecated route's as well), and
    logs one access line per request: client address, key name (never the key), route, method,
    status and duration."""

    def __init__(
        self, app: ASGIApp, metrics: Any = None, trusted_proxies: tuple[Network, ...] = ()
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.trusted_proxies = trusted_proxies
        self.deprecation = DeprecationHeaders()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = self._prepare(scope)
        token = request_id_var.set(rid)
        started = time.perf_counter()
        answer = {"status": 0}

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                message["headers"] = _stamped(list(message.get("headers", [])), rid, scope)
            await send(message)

        async def answered(message: Message) -> None:
            # The app's answer: a deprecated route's headers first (app.api.versioning).
            if message["type"] == "http.response.start":
                marked = self.deprecation.of(scope.get("route"))
                if marked:
                    message["headers"] = [*message.get("headers", []), *marked]
            await stamped(message)

        try:
            await self.app(scope, receive, answered)
        except Exception:
            log.exception("unhandled error")
            if not answer["status"]:
                await send_problem(stamped, scope, problem_text.problem(AppError, "internal"))
        finally:
            self._record(scope, answer["status"], time.perf_counter() - started)
            request_id_var.reset(token)

    def _prepare(self, scope: Scope) -> str:
        """The request id (the caller's when it is a safe token), and the client's address."""
        incoming = ""
        forwarded = []
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded.append(value)
        peer = scope.get("client")
        state = scope.setdefault("state", {})
        state["client"] = client_address(peer[0] if peer else None, forwarded, self.trusted_proxies)
        return incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "")
        if self.metrics is not None:
            self.metrics.observe(route, method, status, elapsed)
        if not log.isEnabledFor(logging.INFO):
            return  # no access log at this level: its record is not built either
        state = scope.get("state", {})
        principal = state.get("principal")
        log.info(
            "request",
            extra={
                "client": state.get("client"),
                "key": None if principal is None else principal.name,
                "route": route,
                "method": method,
                "path": scope.get("path"),
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )


# Content-Security-Policy by what is served: API answers load nothing; countypath's own pages
# load their assets from this origin (inline styles for the report's print layout, no inline
# script); the bundled API documentation needs its inline start-up script.
CSP_API = b"default-src 'none'; frame-ancestors 'none'"
CSP_PAGE = (
    b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
CSP_DOCS = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data: blob:; worker-src 'self' blob:; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'self'"
)
DOCS_PAGES = ("/docs", "/redoc")


def _csp(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bytes:
    if scope.get("path", "").startswith(DOCS_PAGES):
        return CSP_DOCS
    media = next((v for k, v in headers if k == b"content-type"), b"")
    return CSP_PAGE if media.startswith(b"text/html") else CSP_API


def _stamped(
    headers: list[tuple[bytes, bytes]], rid: str, scope: Scope
) -> list[tuple[bytes, bytes]]:
    present = {k.lower() for k, _ in headers}
    headers.append((b"x-request-id", rid.encode()))
    headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
    if b"content-security-policy" not in present:
        headers.append((b"content-security-policy", _csp(scope, headers)))
    if b"cache-control" not in present:
        headers.append((b"cache-control", b"no-store"))
    return headers


@dataclass(eq=False)
class BodyLimitMiddleware:
    """Refuses a body over the limit with 413 (by Content-Length up front, else as it streams in)
    and a body that does not arrive within ``body_timeout`` seconds with 408. The refusal is sent
    from here and the app is told the client left, so nothing inside can answer otherwise."""

    app: ASGIApp
    default_limit: int
    large_limit: int
    large_paths: tuple[str, ...]
    body_timeout: float = 10.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large_limit if scope.get("path") in self.large_paths else self.default_limit
        guard = _BodyGuard(scope, receive, send, limit, self.body_timeout)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared > limit or declared < 0:
                    await guard.refuse(413)
                    return
        await self.app(scope, guard.receive, guard.send)


class _BodyGuard:
    """One request's body, counted and timed as the app reads it."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int, timeout: float):
        self.scope = scope
        self._receive, self._send = receive, send
        self.limit, self.timeout = limit, timeout
        self.received = 0
        self.deadline: float | None = None
        self.complete = False
        self.refused = False
        self.started = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        if self.complete:  # past the body (e.g. waiting for a disconnect): no deadline
            return await self._receive()
        loop = asyncio.get_running_loop()
        self.deadline = self.deadline or loop.time() + self.timeout
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self._receive()
        except TimeoutError:
            return await self.refuse(408)
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                return await self.refuse(413)
            self.complete = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the app's own answer to the disconnect it was handed
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)

    async def refuse(self, status: int) -> Message:
        if not self.started and not self.refused:
            exc: AppError = (
                problem_text.problem(PayloadTooLarge, "body_too_large", limit=self.limit)
                if status == 413
                else problem_text.problem(
                    RequestTimeout, "body_timeout", seconds=f"{self.timeout:g}"
                )
            )
            await send_problem(self._send, self.scope, exc)
        self.refused = True
        return {"type": "http.disconnect"}


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, carrying the request id of the request being served."""

    _STD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in self._STD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str) -> None:
    root = logging.getLogger("countypath")
    if not any(isinstance(h.formatter, JsonLogFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLogFormatter())
        handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(level)


class HeadMiddleware:
    """HEAD on every GET resource (RFC 9110 section 9.3.2): the request is served as a GET with the
    same status and headers, and the body is dropped. The server still sees HEAD (a copy of the
    scope goes inward), so it frames the empty answer correctly."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        inner = {**scope, "method": "GET"}
        inner.setdefault("state", {})["head"] = True

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, headers_only)
        finally:
            if "route" in inner:  # for the metrics and the access log, outside
                scope["route"] = inner["route"]
