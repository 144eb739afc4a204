"""Stored assessments: the input, the whole result and the knowledge-base version behind it, and
the action plan made with it when the client asked for one."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Assessment(SQLModel, table=True):
    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("owner_key_id", "idempotency_key"),
        Index("ix_assessment_owner_county_year", "owner_key_id", "county_code", "year"),
    )

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
    plan: dict[str, Any] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class DuplicateKey(Exception):
    """Another transaction stored an assessment with the same owner and idempotency key first
    (the repository raises it; the service answers 409)."""
