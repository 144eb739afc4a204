"""Reading the audit trail of knowledge-base writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import col

from app.db.engine import read_session
from app.models import AuditEvent
from app.services.assessments import _iso


def list_events(engine: Engine, offset: int, count: int) -> list[dict[str, Any]]:
    """One page of the trail, newest first (events carry whole before/after documents)."""
    with read_session(engine) as session:
        rows = session.execute(
            select(AuditEvent).order_by(col(AuditEvent.id).desc()).offset(offset).limit(count)
        ).scalars()
        return [
            {
                "id": r.id,
                "at": _iso(r.at),
                "actor": r.actor,
                "action": r.action,
                "entity": r.entity,
                "slug": r.slug,
                "kb_version": r.kb_version,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ]
