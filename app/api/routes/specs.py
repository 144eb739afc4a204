"""Routes registered by a factory (one set per knowledge-base kind): each is described once,
then added to its router with the operation id ``<kind>-<action>``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import NamedTuple, TypedDict, Unpack

from fastapi import APIRouter, params
from pydantic import BaseModel
from starlette.responses import Response

Endpoint = Callable[..., Awaitable[Response]]


class RouteOptions(TypedDict, total=False):
    """The arguments of ``APIRouter.add_api_route`` that the factories set: the few a kind's
    routes differ in, named so each is checked against what FastAPI takes."""

    methods: list[str]
    status_code: int
    response_class: type[Response]
    response_model: type[BaseModel]
    responses: dict[int | str, dict[str, object]]
    dependencies: Sequence[params.Depends]


class RouteSpec(NamedTuple):
    path: str
    endpoint: Endpoint
    action: str
    summary: str
    description: str
    options: RouteOptions
    """The rest of ``APIRouter.add_api_route``'s arguments (methods, response model...)."""


def add_routes(
    router: APIRouter, kind: str, routes: Iterable[RouteSpec], **shared: Unpack[RouteOptions]
) -> None:
    """Add ``routes`` in order, each with ``shared`` arguments besides its own (a route and
    ``shared`` never set the same one)."""
    for route in routes:
        options: RouteOptions = shared | route.options
        router.add_api_route(
            route.path,
            route.endpoint,
            operation_id=f"{kind}-{route.action}",
            summary=route.summary,
            description=route.description,
            **options,
        )
