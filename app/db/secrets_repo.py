"""Queries on the secrets the workers of a deployment share."""

from __future__ import annotations

from datetime import UTC, datetime

from app.db.repository import Repository
from app.models import AppSecret


class SecretRepository(Repository):
    def get(self, name: str) -> str | None:
        row = self.session.get(AppSecret, name)
        return None if row is None else row.value

    def add(self, name: str, value: str) -> None:
        self.session.add(AppSecret(name=name, value=value, created_at=datetime.now(UTC)))
        self.session.flush()
