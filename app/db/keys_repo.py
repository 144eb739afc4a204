"""Queries on API keys (only their hashes are stored)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from app.db.repository import Repository
from app.models import ApiKey


class KeyRepository(Repository):
    def named(self, name: str) -> ApiKey | None:
        return (
            self.session.execute(select(ApiKey).where(col(ApiKey.name) == name)).scalars().first()
        )

    def add(self, row: ApiKey) -> ApiKey:
        self.session.add(row)
        self.session.flush()
        self.session.refresh(row)
        return row

    def listing(self) -> list[ApiKey]:
        return list(self.session.execute(select(ApiKey).order_by(col(ApiKey.id))).scalars())

    def active(self) -> list[ApiKey]:
        stmt = select(ApiKey).where(col(ApiKey.revoked_at).is_(None)).order_by(col(ApiKey.id))
        return list(self.session.execute(stmt).scalars())

    def stamp(self) -> tuple[int, int, int, str | None]:
        """Changes whenever a key is created or revoked: (keys, highest id, revoked keys, latest
        revocation time). Keys are never deleted, so this is enough to notice any change."""
        keys, last_id = self.session.execute(
            select(func.count(), func.coalesce(func.max(col(ApiKey.id)), 0))
        ).one()
        revoked, latest = self.session.execute(
            select(func.count(), func.max(col(ApiKey.revoked_at))).where(
                col(ApiKey.revoked_at).is_not(None)
            )
        ).one()
        return int(keys), int(last_id), int(revoked), None if latest is None else str(latest)
