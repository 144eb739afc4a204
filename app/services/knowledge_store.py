"""The in-memory knowledge base every request reads, and how it stays current.

Each worker polls the version table (one indexed ``max()`` every ``kb_refresh_seconds``) rather
than listening for PostgreSQL notifications: it works the same on SQLite and PostgreSQL, survives
a dropped connection without re-subscribing, and bounds staleness by the poll interval.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import read_session
from app.db.kb_repo import latest_version, latest_version_number, read_kb
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import KnowledgeBaseMissing

log = logging.getLogger("countypath.kb")


class KnowledgeStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
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

    def refresh(self) -> bool:
        """Reload when the stored version differs from the one served; True if it changed."""
        with read_session(self._engine) as session:
            number = latest_version_number(session)
            current = self._snapshot
            if number == 0 or (current is not None and current.version == number):
                return False
        with self._lock, read_session(self._engine) as session:
            version = latest_version(session)
            kb = read_kb(session)
            if version is None or kb is None:
                return False
            if self._snapshot is not None and self._snapshot.version == version.number:
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
        logged and the snapshot already served stays."""
        try:
            self.refresh()
        except SQLAlchemyError as exc:
            log.warning("knowledge base refresh failed: %s", type(exc).__name__)
