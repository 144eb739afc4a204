"""The doors of the two routes clients call most, POST /v1/profiles/validate and
POST /v1/recommendations: one dependency each, taking nothing but the request.

FastAPI solves a route's dependency graph, its parameters and its body on every request (for
each node its parameters, cache key and call; for each parameter its aliases, default and
field). On these routes, whose own work is a few milliseconds or less, that bookkeeping was a
large share of the CPU a request costs, so each reads its request itself (app.api.reading) and
does what the graph did, in the order FastAPI did it: the body read first (a body that is not
JSON is a 400 before anything else), then the caller's access (401), a JSON body (415), a JSON
answer (406), the knowledge base (503), then every invalid query parameter and body field in one
422, parameters first. Each route publishes its parameters and body as FastAPI published them
(``openapi_extra``); ``access`` and ``body`` on the dependency tell the error handlers what the
route demands and reads.

The routes are still declared to FastAPI (the OpenAPI document, the route table, the error
handlers that look at a route's dependency), but a request for one of them does not go through
FastAPI's matching and solving: :class:`HotRoutes`, the router's own middleware, finds it by its
exact method and path and calls the route's dependency and answer directly, inside the same
middleware and exception handlers, with the same ``route`` in the scope (so the metrics, the
access log and the deprecation headers see the route as before). What the dependency solving did
for these routes was calling one dependency with the request; matching walked every route of
every included router, twice, before finding them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from starlette.responses import Response
from starlette.routing import request_response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import LangQuery
from app.api.i18n import negotiate
from app.api.negotiation import require_json_accept, require_json_body
from app.api.reading import JsonBody, QueryParam
from app.api.security import PUBLIC, admit_public, verified_principal
from app.domain.knowledge import Lang
from app.domain.snapshot import Snapshot
from app.schemas.profile import ProfileIn, RecommendationRequest

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")
View = Literal["full", "summary"]
ViewQuery = Annotated[
    View,
    Query(
        description="`full` (default): evidence, rationale, actions, examples and peers. "
        "`summary`: county, benchmark, warnings, challenges (slug, title, status, severity, "
        "confidence) and the top ten paths (rank, slug, family, title, score, addresses); "
        "nothing else is computed."
    ),
]
TraceQuery = Annotated[
    bool,
    Query(
        description="Add `challenges[].trace` (every rule's value, lines, badness and weight, "
        "the signals, floors, kind scale and confidence parts) and `recommendations[]."
        "score_parts`. Full view only."
    ),
]
PathsQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=100,
        description="At most this many ranked paths in `recommendations` (full view: the default "
        "is every fitting path, `paths_ranked` says how many there are; summary view: the "
        "default is ten). Ranks, scores and a plan built on the answer are the same whatever "
        "the cap: it only leaves the rest unrendered, which makes a full answer smaller and "
        "faster.",
    ),
]
LANG = QueryParam("lang", LangQuery)
VIEW = QueryParam("view", ViewQuery, "full")
TRACE = QueryParam("trace", TraceQuery, False)
PATHS = QueryParam("paths", PathsQuery)
PROFILE = JsonBody(ProfileIn)
RECOMMENDATION = JsonBody(RecommendationRequest)


@dataclass(frozen=True, slots=True)
class Diagnosing(Generic[M]):
    """A diagnosis request read: its body, the knowledge base served, the answer's language
    and the route's own query parameters."""

    body: M
    snap: Snapshot
    lang: Lang
    params: dict[str, object]


async def _read(
    request: Request, body: JsonBody[M], params: tuple[QueryParam, ...]
) -> Diagnosing[M]:
    """The request read in the order FastAPI read it when the route declared it all: body,
    access, media types, knowledge base and language, then parameters and body validated."""
    received = await body.receive(request)
    admit_public(request, verified_principal(request))
    await require_json_body(request)
    await require_json_accept(request)
    snap: Snapshot = request.app.state.store.snapshot
    query = request.query_params
    lang = negotiate(request.headers.get("accept-language"), LANG.read(query, []))
    errors: list[dict[str, object]] = []
    values = {param.name: param.read(query, errors) for param in params}
    model = body.validated(received, errors)
    if errors or model is None:
        raise RequestValidationError(
            errors, body=None if received is PydanticUndefined else received
        )
    return Diagnosing(model, snap, lang, values)


def _published(body: JsonBody[Any], params: tuple[QueryParam, ...]) -> dict[str, object]:
    """The route's parameters (its own, then the language) and body, as FastAPI publishes
    them for the same declarations."""
    return {"parameters": [p.openapi for p in (*params, LANG)], **body.openapi}


async def profile_to_validate(request: Request) -> Diagnosing[ProfileIn]:
    return await _read(request, PROFILE, ())


async def recommendation_to_make(request: Request) -> Diagnosing[RecommendationRequest]:
    return await _read(request, RECOMMENDATION, RECOMMENDATION_PARAMS)


RECOMMENDATION_PARAMS = (VIEW, TRACE, PATHS)
profile_to_validate.access = PUBLIC  # type: ignore[attr-defined]
profile_to_validate.body = PROFILE  # type: ignore[attr-defined]
recommendation_to_make.access = PUBLIC  # type: ignore[attr-defined]
recommendation_to_make.body = RECOMMENDATION  # type: ignore[attr-defined]
VALIDATE_OPENAPI = _published(PROFILE, ())
RECOMMENDATION_OPENAPI = _published(RECOMMENDATION, RECOMMENDATION_PARAMS)
ProfileToValidate = Annotated[Diagnosing[ProfileIn], Depends(profile_to_validate)]
RecommendationToMake = Annotated[Diagnosing[RecommendationRequest], Depends(recommendation_to_make)]


@dataclass(frozen=True, slots=True)
class Door:
    """A hot route's own door: ``read`` reads a request as the route's one dependency does,
    ``answer`` answers what was read as the route's endpoint does (both the route calls too)."""

    method: str
    path: str
    read: Callable[[Request], Awaitable[Any]]
    answer: Callable[[Request, Any], Response]


def door(
    method: str,
    path: str,
    read: Callable[[Request], Awaitable[D]],
    answer: Callable[[Request, D], Response],
) -> Door:
    """A :class:`Door`, typed so that ``answer`` takes what ``read`` gives."""
    return Door(method, path, read, answer)


def _handler(entry: Door) -> ASGIApp:
    """The door as an ASGI app, wrapped as Starlette wraps any route's endpoint: an exception
    goes to the app's handlers, with the request, as it would from the route."""

    async def endpoint(request: Request) -> Response:
        return entry.answer(request, await entry.read(request))

    return request_response(endpoint)


class HotRoutes:
    """The router's middleware: a request for a door's exact method and path (no root path)
    goes straight to the door; any other to the router, which matches it among every route.
    The scope gets what the router would give it (``router``, ``route``, ``endpoint``,
    ``path_params``), so everything after the answer sees the declared route."""

    def __init__(self, app: ASGIApp, router: Any, doors: Iterable[Door]) -> None:
        self.app = app
        self.router = router
        self.doors: dict[tuple[str, str], tuple[APIRoute, ASGIApp]] = {}
        for entry in doors:
            self.doors[(entry.method, entry.path)] = (
                _declared(router, entry.method, entry.path),
                _handler(entry),
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = (
            self.doors.get((scope["method"], scope["path"]))
            if scope["type"] == "http" and not scope.get("root_path")
            else None
        )
        if found is None:
            await self.app(scope, receive, send)
            return
        route, handler = found
        scope.setdefault("router", self.router)
        scope["endpoint"] = route.endpoint
        scope["path_params"] = {}
        scope["route"] = route
        await handler(scope, receive, send)


def _declared(router: Any, method: str, path: str) -> APIRoute:
    """The route the router holds for ``method`` and ``path``: a door opens only on a route
    that is declared (and published) as such."""
    for full, route in _routes(router.routes, ""):
        if isinstance(route, APIRoute) and full == path and method in (route.methods or ()):
            return route
    raise LookupError(f"no route {method} {path} to open a door on")


def _routes(routes: Iterable[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """Every route the router holds, with its full path. An included router is read as it was
    declared (its routes, its prefix), not through FastAPI's route contexts: iterating those
    builds every route's request and response models for the app, about 0.2 s per app built,
    which the first request that needs a route pays anyway."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is None:
            yield prefix + getattr(route, "path", ""), route
        else:
            yield from _routes(inner.routes, prefix + route.include_context.prefix)
