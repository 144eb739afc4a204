"""Stored assessments: the input, the whole result and the knowledge-base version behind it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


class Assessment(SQLModel, table=True):
    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("owner_key_id", "idempotency_key"),)

    id: str = Field(primary_key=True, max_length=36)
    owner_key_id: int = Field(foreign_key="api_key.id", ondelete="RESTRICT", index=True)
    county_name: str = Field(max_length=100)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    year: int | None = None
    kb_version: str = Field(max_length=40)
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_hash: str = Field(max_length=64)
    profile: dict[str, Any] = Field(sa_type=JSON)
    result: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
