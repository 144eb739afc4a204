"""Annotated dependency aliases shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy import Engine

from app.api.i18n import negotiate
from app.domain.knowledge import Lang
from app.domain.snapshot import Snapshot
from app.services.knowledge_store import KnowledgeStore
from app.services.ports import UnitOfWork
from app.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


async def get_store(request: Request) -> KnowledgeStore:
    store: KnowledgeStore = request.app.state.store
    return store


async def get_snapshot(store: Annotated[KnowledgeStore, Depends(get_store)]) -> Snapshot:
    return store.snapshot


async def get_lang(
    lang: Annotated[
        str | None,
        Query(
            description="Response language, overriding Accept-Language: `en` or `zh` (`zh-CN`, "
            "`zh-Hans`). Any other value is ignored like an unsupported Accept-Language: the "
            "header decides, else English (`Content-Language: en`).",
            examples=["zh"],
        ),
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Lang:
    return negotiate(accept_language, lang)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
LangDep = Annotated[Lang, Depends(get_lang)]
