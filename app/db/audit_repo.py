"""Queries on the audit trail of knowledge-base writes."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from app.db.repository import Repository
from app.models import AuditEvent


class AuditRepository(Repository):
    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    def page(self, offset: int, count: int) -> list[AuditEvent]:
        """Newest first; events carry whole before/after documents, so never read them all."""
        stmt = select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(count)
        return list(self.session.execute(stmt).scalars())
