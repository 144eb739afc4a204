"""Reading the audit trail of knowledge-base writes."""

from __future__ import annotations

from app.services.ports import UnitOfWork
from app.services.timestamps import iso


def list_events(uow: UnitOfWork, offset: int, count: int) -> list[dict[str, object]]:
    """One page of the trail, newest first."""
    with uow.read() as tx:
        rows = tx.audit.page(offset, count)
    return [
        {
            "id": r.id,
            "at": iso(r.at),
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
