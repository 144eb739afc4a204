"""Routes registered by a factory (one set per knowledge-base kind): each is described once,
then added to its router with the operation id ``<kind>-<action>``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NamedTuple

from fastapi import APIRouter
from starlette.responses import Response

Endpoint = Callable[..., Awaitable[Response]]


class RouteSpec(NamedTuple):
    path: str
    endpoint: Endpoint
    action: str
    summary: str
    description: str
    options: dict[str, Any]
    """The rest of ``APIRouter.add_api_route``'s arguments (methods, response model...)."""


def add_routes(router: APIRouter, kind: str, routes: Iterable[RouteSpec], **shared: Any) -> None:
    """Add ``routes`` in order, each with ``shared`` arguments besides its own."""
    for route in routes:
        router.add_api_route(
            route.path,
            route.endpoint,
            operation_id=f"{kind}-{route.action}",
            summary=route.summary,
            description=route.description,
            **shared,
            **route.options,
        )
