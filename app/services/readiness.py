"""Readiness: may a load balancer send this worker traffic? Yes when the database answers, its
schema is at the latest migration and a knowledge base is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from app.services.ports import UnitOfWork


@dataclass(frozen=True)
class Ready:
    migration: str | None
    kb_version: str | None


@dataclass(frozen=True)
class NotReady:
    code: str
    detail: str
    retry_after: str | None = None


def readiness(uow: UnitOfWork, head: str | None, kb_version: str | None) -> Ready | NotReady:
    try:
        with uow.read() as tx:
            revision = tx.schema.revision()
    except SQLAlchemyError:
        return NotReady("DATABASE_UNAVAILABLE", "The database does not answer.", "2")
    if revision != head:
        return NotReady(
            "MIGRATIONS_PENDING",
            f"The schema is at {revision or 'nothing'}, not at {head}; run `countypath migrate`.",
        )
    return Ready(revision, kb_version)
