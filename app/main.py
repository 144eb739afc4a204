"""The application factory. Nothing is built at import time: engine, knowledge base and the
refresh task are created in the lifespan of the app that ``create_app`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import Lifespan

from app import __version__
from app.api import docs, openapi, problems
from app.api.hot import HotRoutes
from app.api.limits import LimitsMiddleware, LocalCounter, RedisCounter
from app.api.metrics import Metrics
from app.api.middleware import (
    BodyLimitMiddleware,
    HeadMiddleware,
    RequestContextMiddleware,
    configure_logging,
)
from app.api.routes import (
    assessments,
    batch_jobs,
    catalog,
    curation,
    diagnosis,
    health,
    page,
    plans,
    reports,
)
from app.api.routes import metrics as metrics_route
from app.api.routes.page import STATIC
from app.api.security import AuthenticationMiddleware
from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork, uow_for
from app.services.job_queue import JobQueue
from app.services.key_directory import KeyDirectory
from app.services.knowledge_store import KnowledgeStore
from app.services.signing import cursor_key
from app.services.tables import XLSX
from app.settings import Settings, get_settings

log = logging.getLogger("countypath.app")
# Bodies allowed past max_body_bytes: a batch of profiles (synchronous or as a job), and a whole
# knowledge base (an export passed 1 MiB once the path library covered every kind of county).
LARGE_BODY_PATHS = ("/v1/recommendations/batch", "/v1/batch-jobs", "/v1/kb/import")
# Downloads of stored results: sent as fast as the client reads, never cut by the time limit.
UNTIMED_PATHS = re.compile(r"^/v1/batch-jobs/[^/]+/results$")
# Answers from 1 KB up are worth compressing. Level 1: a full Deqing result (51 KB) shrinks 4.3x
# in 0.9 ms, where level 6 gains 5.9x for 2.7 ms, more than the engine spends on the answer, which
# a streamed 5,000-profile batch would pay 5,000 times. Workbooks are zip files already.
GZIP_MINIMUM_BYTES = 1024
GZIP_LEVEL = 1
ROUTERS = (
    health.router,
    metrics_route.router,
    catalog.router,
    diagnosis.router,
    plans.router,
    assessments.router,
    batch_jobs.router,
    curation.router,
    reports.router,
    page.router,
)
OPENAPI_TAGS = [
    {"name": "health", "description": "Liveness and readiness."},
    {"name": "catalog", "description": "The knowledge base, read-only."},
    {"name": "diagnosis", "description": "Validate profiles, diagnose, recommend."},
    {"name": "assessments", "description": "Stored assessments (scope `assessments`)."},
    {
        "name": "batch-jobs",
        "description": "Large batches run by the job workers (scope `assessments`).",
    },
    {
        "name": "curation",
        "description": "Curate the knowledge base (scope `kb:write`; audit: `admin`).",
    },
    {"name": "plans", "description": "Action plans a county bureau can adopt."},
    {"name": "reports", "description": "Reports: HTML, Markdown or DOCX."},
    {"name": "page", "description": "The small offline page at `/`."},
]
# FastAPI's OpenTelemetry hooks, off: countypath's own Prometheus metrics and access log watch its
# requests, and with the hooks on, every request asked three global OpenTelemetry providers
# whether one was configured (none is) before anything else ran.
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
CORS_REQUEST_HEADERS = [
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "Accept-Language",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]

DESCRIPTION = """\
countypath diagnoses the development challenges of a Chinese county from a profile of indicators
and qualitative signals, and ranks recommended paths in three families (industry, talent, policy),
each explained by evidence and illustrated with cited Deqing practice.

* Errors are RFC 9457 `application/problem+json` with a stable `code` and, for invalid input,
  `errors[]` naming each field by JSON Pointer.
* Language: `Accept-Language: zh` (or `zh-CN`, `zh-Hans`) or `?lang=zh` for Chinese; English is the
  default and the fallback for any other language.
* Every GET resource answers HEAD with the same status and headers and no body.
* Paths are exact: `/v1/challenges/` (trailing slash) is a 404, never a redirect.
* Lists take `limit` (default 20, at most 100) and an opaque `cursor`.
* Knowledge: Yuan (2025), doi 10.62177/apemr.v2i3.373 (CC BY-NC 4.0), and public statistics.

# Versioning

Every resource is under `/v1`. Within `/v1` countypath may add operations, optional parameters,
response fields, headers, media types and values of open vocabularies (warning and problem codes,
knowledge-base slugs) without notice: clients ignore what they do not know. Removing or renaming
anything, changing a type or meaning, or narrowing an input is announced first: the operation is
marked `deprecated` here, and each of its answers carries `Deprecation` (RFC 9745), `Sunset`
(RFC 8594, at least 180 days later) and a `Link` to this section; only after the sunset may it
go. Changes are listed in the changelog (Keep a Changelog); `info.version` is the package version.
"""


async def _poll(app: FastAPI, interval: float) -> None:
    """What every worker re-reads on a timer, in one trip to a worker thread: the knowledge-base
    version (reload when it moved), the key table's stamp (reload when a key was created or
    revoked) and, until it is known, the cursor-signing key; then this worker's gauges."""
    state = app.state
    engine: Engine = state.engine
    store: KnowledgeStore = state.store
    keys: KeyDirectory = state.keys
    metrics: Metrics = state.metrics

    def read() -> None:
        with state.reading:
            store.poll()
            keys.poll()
            if state.cursor_key is None:
                state.cursor_key = _signing_key(state.uow, state.settings)

    while True:
        await asyncio.to_thread(read)
        metrics.sample(store.snapshot.version if store.loaded else None, engine.pool)
        await asyncio.sleep(interval)


def _signing_key(uow: SqlUnitOfWork, settings: Settings) -> bytes | None:
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    try:
        return cursor_key(uow, configured)
    except SQLAlchemyError as exc:
        log.warning("cursor signing key unreadable, retrying: %s", type(exc).__name__)
        return None


def _dispose_after_reads(reading: threading.Lock, engine: Engine) -> None:
    """Close the pool once no poll is reading. Cancelling the watcher does not stop a read
    already in its worker thread; disposing under it would orphan that read's connection, left
    open until the garbage collector finds it."""
    with reading:
        engine.dispose()


def _lifespan(settings: Settings, metrics: Metrics) -> Lifespan[FastAPI]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        uow = SqlUnitOfWork(engine)
        store = KnowledgeStore(uow)
        keys = KeyDirectory(uow)
        # If the database is not ready, /readyz says so and the polls keep trying.
        store.poll()
        keys.poll()
        metrics.sample(store.snapshot.version if store.loaded else None, engine.pool)
        app.state.engine = engine
        app.state.uow = uow
        app.state.store = store
        app.state.keys = keys
        app.state.cursor_key = _signing_key(uow, settings)
        app.state.reading = threading.Lock()
        app.state.jobs = JobQueue(settings, uow_for)
        watcher = asyncio.create_task(_poll(app, settings.kb_refresh_seconds))
        # Everything built so far (modules, the compiled knowledge base) lives as long as the
        # process: keep it out of the cyclic collector, whose full pass over it took ~50 ms and
        # stalled every request in flight on this worker. Garbage is collected first: frozen,
        # it would never be freed (and an unclosed connection in it would never be reported).
        if settings.freeze_heap:
            gc.collect()
            gc.freeze()
        metrics.forget_dead_workers()
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            metrics.retire()
            app.state.jobs.close()
            await asyncio.to_thread(_dispose_after_reads, app.state.reading, engine)

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    metrics = Metrics()
    # fastapi-offline serves the vendored assets; app.api.docs serves the pages themselves.
    app: FastAPI = FastAPIOffline(
        docs_url=None,
        redoc_url=None,
        title="countypath",
        version=__version__,
        description=DESCRIPTION,
        contact={"name": "countypath maintainers", "email": "countypath@example.org"},
        license_info={"name": "Apache-2.0", "identifier": "Apache-2.0"},
        lifespan=_lifespan(settings, metrics),
        openapi_tags=OPENAPI_TAGS,
        telemetry=TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    # No redirect from /v1/x/ to /v1/x: Starlette builds its Location from the request's Host
    # header, which any client sets (an open redirect through a shared cache or a portal link).
    # A path with a trailing slash is a 404 like any other unknown path.
    app.router.redirect_slashes = False
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/ui", StaticFiles(directory=str(STATIC)), name="ui")
    # The router's own middleware (inside every layer and exception handler of the app): the hot
    # operations' door, past the route table (app.api.hot).
    app.router.middleware_stack = HotRoutes(
        app.router.middleware_stack, app.router, diagnosis.DOORS
    )
    _install_middleware(app, settings, metrics)
    return app


class Admission(TypedDict):
    """The fields of LimitsMiddleware that settings decide."""

    quota: int
    window: int
    counter: LocalCounter | RedisCounter | None
    max_in_flight: int
    timeout: float
    untimed: re.Pattern[str] | None


def _admission(settings: Settings) -> Admission:
    """LimitsMiddleware's options: the quota per window (``COUNTYPATH_RATE_LIMIT``, e.g.
    ``600/60``; ``off`` counts nothing), the in-flight cap and the time limit."""
    quota, _, window = settings.rate_limit.partition("/")
    counter: LocalCounter | RedisCounter | None = None
    if settings.rate_limit != "off":
        counter = RedisCounter(settings.redis_url) if settings.redis_url else LocalCounter()
    return {
        "quota": int(quota) if window else 0,
        "window": int(window) if window else 1,
        "counter": counter,
        "max_in_flight": settings.max_in_flight,
        "timeout": settings.request_timeout_seconds,
        "untimed": UNTIMED_PATHS,
    }


def _install_middleware(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    """Outermost first: compression, request context (id, client address, headers, deprecation
    headers, access log), CORS, who is calling, admission (rate limit, in-flight cap, timeout),
    body limits, HEAD as GET; each is added before the ones that wrap it."""
    app.add_middleware(HeadMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        large_limit=settings.max_batch_body_bytes,
        large_paths=LARGE_BODY_PATHS,
        body_timeout=settings.body_timeout_seconds,
    )
    app.add_middleware(LimitsMiddleware, **_admission(settings), metrics=metrics)
    app.add_middleware(AuthenticationMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=["ETag", "Link", "Location", "X-Request-ID", "Content-Language"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=metrics,
        trusted_proxies=tuple(settings.trusted_proxies),
    )
    # Outermost, so every answer (problems from the layers above included) is compressed when the
    # client asks; a streamed body is compressed and flushed chunk by chunk.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_BYTES,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, XLSX),
    )
