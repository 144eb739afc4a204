"""The in-memory knowledge base every request reads, and how it stays current.

Each worker polls the version table (one indexed read every ``kb_refresh_seconds``) rather than
listening for PostgreSQL notifications: it works the same on SQLite and PostgreSQL, survives a
dropped connection without re-subscribing, and bounds staleness by the poll interval. Storage is
read through the unit of work, like every other service's.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from sqlalchemy.exc import SQLAlchemyError

from app.domain.knowledge import KnowledgeBase
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import KnowledgeBaseMissing
from app.services.ports import UnitOfWork

log = logging.getLogger("countypath.kb")


class CompiledVersions:
    """The last few knowledge-base versions this process compiled, by number and checksum.

    Compiling a version costs about half a second; the document under a checksum never changes,
    so a version number and its checksum name one snapshot. A process that builds more than one
    app over the same knowledge base (the tests, a program embedding the API, an app rebuilt
    after a restart of its lifespan) compiles each version once. A few entries are kept, the
    least recently used dropped: a worker serves one version at a time."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[int, str], Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kb: KnowledgeBase, number: int, checksum: str) -> Snapshot:
        """The snapshot of version ``number``, whose document ``kb`` the caller has read (and
        checked against its checksum) each time: a document that no longer matches is still
        refused, only its compiling is saved."""
        key = (number, checksum)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        snap = compile_snapshot(kb, number, checksum)
        with self._lock:
            self._kept[key] = snap
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return snap


COMPILED = CompiledVersions()


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
            self._snapshot = COMPILED.get(kb, version.number, version.checksum)
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
