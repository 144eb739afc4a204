"""Annotated dependency aliases shared by the routers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from app.api.bodies import JsonBody
from app.api.i18n import negotiate
from app.api.negotiation import require_json_accept, require_json_body
from app.api.security import PUBLIC, AssessmentsKey, admit_public, verified_principal
from app.domain.knowledge import Lang
from app.domain.snapshot import Snapshot
from app.schemas.profile import ProfileIn
from app.services.keys import Principal
from app.services.knowledge_store import KnowledgeStore
from app.services.ports import UnitOfWork
from app.settings import Settings


def _from_state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency answering what the lifespan put in ``app.state.<name>``."""

    async def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    dependency.__name__ = f"get_{name}"
    return dependency


get_store = _from_state("store")


async def get_snapshot(store: Annotated[KnowledgeStore, Depends(get_store)]) -> Snapshot:
    return store.snapshot


LangQuery = Annotated[
    str | None,
    Query(
        description="Response language, overriding Accept-Language: `en` or `zh` (`zh-CN`, "
        "`zh-Hans`). Any other value is ignored like an unsupported Accept-Language: the "
        "header decides, else English (`Content-Language: en`).",
        examples=["zh"],
    ),
]


async def get_lang(
    lang: LangQuery = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Lang:
    return negotiate(accept_language, lang)


async def get_deadline(request: Request) -> float:
    """When the request's time is up (``time.monotonic``): what work in a thread checks, since a
    thread cannot be cancelled. Set by the admission middleware; else the configured timeout."""
    deadline: float | None = getattr(request.state, "deadline", None)
    if deadline is None:
        deadline = time.monotonic() + request.app.state.settings.request_timeout_seconds
    return deadline


SettingsDep = Annotated[Settings, Depends(_from_state("settings"))]
UowDep = Annotated[UnitOfWork, Depends(_from_state("uow"))]
StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
LangDep = Annotated[Lang, Depends(get_lang)]
DeadlineDep = Annotated[float, Depends(get_deadline)]


@dataclass(frozen=True, slots=True)
class Owner:
    """A caller with the scope `assessments` and the unit of work its assessments are stored and
    read through (the service shows it no other key's)."""

    who: Principal
    uow: UnitOfWork


async def get_owner(who: AssessmentsKey, uow: UowDep) -> Owner:
    return Owner(who, uow)


OwnerDep = Annotated[Owner, Depends(get_owner)]


@dataclass(frozen=True, slots=True)
class Diagnosing:
    """What a diagnosis route reads besides its body and its own parameters: the knowledge base
    served and the language of the answer."""

    snap: Snapshot
    lang: Lang


async def diagnosing(request: Request, lang: LangQuery = None) -> Diagnosing:
    """The one dependency of the diagnosis routes every client calls most (validate and
    recommendations), doing what a graph of nine did, in the order it did it: the refusal of a
    failed credential, the key a deployment may require (401), a JSON body (415), a JSON answer
    (406), the knowledge base served (503), the language.

    One node, not nine, because FastAPI solves each node of a route's dependency graph on every
    request (its parameters, cache key and call): on these routes that bookkeeping cost more CPU
    than reading the request. The checks themselves are the same functions the other routes'
    dependencies call; ``access`` lets the error handlers find what the route demands."""
    admit_public(request, verified_principal(request))
    await require_json_body(request)
    await require_json_accept(request)
    snap: Snapshot = request.app.state.store.snapshot
    return Diagnosing(snap, negotiate(request.headers.get("accept-language"), lang))


diagnosing.access = PUBLIC  # type: ignore[attr-defined]
DiagnosingDep = Annotated[Diagnosing, Depends(diagnosing)]


PROFILE = JsonBody(ProfileIn)


async def profile_to_validate(
    request: Request, lang: LangQuery = None
) -> tuple[ProfileIn, Diagnosing]:
    """The one dependency of POST /v1/profiles/validate: its body read first (``PROFILE``, as
    FastAPI reads a declared body), then what :func:`diagnosing` checks, then the profile
    validated. Reading the body here, not declaring it, spares FastAPI's per-request body
    solving (app.api.bodies); the route publishes it with ``PROFILE.openapi``."""
    received = await PROFILE.receive(request)
    call = await diagnosing(request, lang)
    return PROFILE.validated(received), call


profile_to_validate.access = PUBLIC  # type: ignore[attr-defined]
profile_to_validate.body = PROFILE  # type: ignore[attr-defined]
ProfileToValidate = Annotated[tuple[ProfileIn, Diagnosing], Depends(profile_to_validate)]
