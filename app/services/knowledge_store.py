"""The in-memory knowledge base every request reads, and how it stays current.

Each worker polls the version table (one indexed read every ``kb_refresh_seconds``) rather than
listening for PostgreSQL notifications: it works the same on SQLite and PostgreSQL, survives a
dropped connection without re-subscribing, and bounds staleness by the poll interval. Storage is
read through the unit of work, like every other service's.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import KnowledgeBaseMissing
from app.services.ports import UnitOfWork

log = logging.getLogger("countypath.kb")


class KnowledgeStore:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        snap = self._snapshot
        if snap is None:
            raise KnowledgeBaseMissing(
                detail="No knowledge base is loaded; run `countypath seed` or import one."
            )
        return snap

    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    def _served(self, number: int) -> bool:
        return self._snapshot is not None and self._snapshot.version == number

    def refresh(self) -> bool:
        """Reload when the stored version differs from the one served; True if it changed."""
        with self._uow.read() as tx:
            latest = tx.kb.latest()
        if latest is None or self._served(latest.number):
            return False
        with self._lock, self._uow.read() as tx:
            version = tx.kb.latest()
            if version is None or self._served(version.number):
                return False
            kb = tx.kb.document(version.checksum)
            if kb is None:
                return False
            self._snapshot = compile_snapshot(kb, version.number, version.checksum)
        log.info("knowledge base loaded", extra={"kb_version": version.number})
        return True

    def install(self, snapshot: Snapshot) -> None:
        """Serve a snapshot this process just wrote, without waiting for the next poll."""
        with self._lock:
            if self._snapshot is None or snapshot.version >= self._snapshot.version:
                self._snapshot = snapshot

    def poll(self) -> None:
        """One periodic check (app.main runs it every COUNTYPATH_KB_REFRESH_SECONDS): a failure is
        logged and the snapshot already served stays (a stored document that no longer
        validates is a ValueError)."""
        try:
            self.refresh()
        except (SQLAlchemyError, ValueError) as exc:
            log.warning("knowledge base refresh failed: %s", type(exc).__name__)
