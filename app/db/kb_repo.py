"""The knowledge base in storage: one document per distinct content, keyed by its checksum, and
the versions that say which document was served from when. A write stores the new document and
a version in the caller's transaction; the latest version's document is the knowledge base.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlmodel import col

from app.db.repository import Repository
from app.domain.knowledge import KnowledgeBase
from app.models import KbDocument, KbVersion

# The key of the PostgreSQL advisory lock that serialises knowledge-base writers ("kb" in ASCII).
KB_WRITE_LOCK = 0x6B62


class KbRepository(Repository):
    """The stored knowledge base and its versions, for the services that read and change them."""

    def lock(self) -> None:
        """Serialise writers until the transaction ends, so whoever holds the lock reads the
        latest committed version (an advisory lock on PostgreSQL, which needs no row to exist;
        SQLite's write transactions, begun IMMEDIATE, are exclusive already)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KB_WRITE_LOCK})

    def read(self) -> KnowledgeBase | None:
        """The knowledge base of the latest version (None before the first)."""
        latest = self.latest()
        return None if latest is None else self.document(latest.checksum)

    def latest(self) -> KbVersion | None:
        stmt = select(KbVersion).order_by(col(KbVersion.number).desc()).limit(1)
        return self.session.execute(stmt).scalars().first()

    def record(self, kb: KnowledgeBase, origin: str, note: str = "") -> KbVersion:
        """Make ``kb`` the latest version: its document kept (once per content) and a version."""
        checksum = self._keep(kb)
        number = self.session.execute(select(func.max(KbVersion.number))).scalar()
        version = KbVersion(
            number=int(number or 0) + 1,
            checksum=checksum,
            origin=origin,
            note=note[:400],
            created_at=datetime.now(UTC),
        )
        self.session.add(version)
        self.session.flush()
        return version

    def _keep(self, kb: KnowledgeBase) -> str:
        data = kb.canonical_json()
        checksum = hashlib.sha256(data).hexdigest()
        if self.session.get(KbDocument, checksum) is None:
            body = zlib.compress(data, 6)
            self.session.add(KbDocument(checksum=checksum, body=body, created_at=datetime.now(UTC)))
            self.session.flush()
        return checksum

    def document(self, checksum: str) -> KnowledgeBase | None:
        """The content kept under ``checksum``; ValueError when it no longer matches it."""
        row = self.session.get(KbDocument, checksum)
        if row is None:
            return None
        data = zlib.decompress(row.body)
        if hashlib.sha256(data).hexdigest() != checksum:
            raise ValueError(f"the stored document {checksum} does not match its checksum")
        return KnowledgeBase.model_validate_json(data)

    def version(self, number: int) -> KbVersion | None:
        return self.session.get(KbVersion, number)

    def versions(self, offset: int, count: int) -> list[KbVersion]:
        """Newest first."""
        stmt = select(KbVersion).order_by(col(KbVersion.number).desc()).offset(offset).limit(count)
        return list(self.session.execute(stmt).scalars())

    def kept(self, checksums: Collection[str]) -> set[str]:
        """Which of these checksums have their document stored."""
        if not checksums:
            return set()
        stmt = select(col(KbDocument.checksum)).where(col(KbDocument.checksum).in_(list(checksums)))
        return set(self.session.execute(stmt).scalars())
