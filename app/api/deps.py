"""Annotated dependency aliases shared by the routers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from app.api.i18n import negotiate
from app.api.security import AssessmentsKey
from app.domain.knowledge import Lang
from app.domain.snapshot import Snapshot
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


def idempotency_key(description: str) -> Any:
    """The ``Idempotency-Key`` header of a POST that a retry must not repeat: printable ASCII,
    up to 200 characters; ``description`` says what a retry with it gets."""
    return Header(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$", description=description)


def created_headers(
    location: str, created: bool, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The headers of a POST's answer: where what it made lives, then ``extra``, and
    ``Idempotent-Replayed`` when an earlier request with the same key made it."""
    headers = {"Location": location} | dict(extra or {})
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return headers
