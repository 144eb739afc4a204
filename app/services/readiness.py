"""Readiness: may a load balancer send this worker traffic? Yes when the database answers, its
schema is at the latest migration, and the knowledge base this worker serves can diagnose."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from app.domain.snapshot import Snapshot
from app.errors import ErrorCode
from app.services.kb_guard import diagnosis_gaps
from app.services.ports import UnitOfWork


@dataclass(frozen=True)
class Ready:
    migration: str | None
    kb_version: str | None


@dataclass(frozen=True)
class NotReady:
    code: ErrorCode
    detail: str
    retry_after: str | None = None


def readiness(uow: UnitOfWork, head: str | None, snapshot: Snapshot | None) -> Ready | NotReady:
    try:
        with uow.read() as tx:
            revision = tx.schema.revision()
    except SQLAlchemyError:
        return NotReady(ErrorCode.DATABASE_UNAVAILABLE, "The database does not answer.", "2")
    if revision != head:
        return NotReady(
            ErrorCode.MIGRATIONS_PENDING,
            f"The schema is at {revision or 'nothing'}, not at {head}; run `countypath migrate`.",
        )
    if snapshot is None:
        return NotReady(
            ErrorCode.KB_NOT_LOADED, "No knowledge base is loaded; run `countypath seed`.", "2"
        )
    gaps = diagnosis_gaps(snapshot.kb)
    if gaps:
        return NotReady(
            ErrorCode.KB_CANNOT_DIAGNOSE,
            f"The knowledge base served ({snapshot.kb_version}) cannot diagnose: "
            + "; ".join(gaps)
            + ". Roll back to a complete version (POST /v1/kb/rollback).",
        )
    return Ready(revision, snapshot.kb_version)
