"""API keys (only a hash is kept), the audit trail of knowledge-base writes, and the secrets the
workers of a deployment share."""

from datetime import datetime

from sqlalchemy import JSON, DateTime
from sqlmodel import Field, SQLModel

KEY_NAME_MAX = 100


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=KEY_NAME_MAX, unique=True)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=128)
    scopes: list[str] = Field(sa_type=JSON)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=KEY_NAME_MAX)
    action: str = Field(max_length=20)
    entity: str = Field(max_length=40)
    slug: str = Field(max_length=80)
    kb_version: int
    before: dict[str, object] | None = Field(default=None, sa_type=JSON)
    after: dict[str, object] | None = Field(default=None, sa_type=JSON)


class AppSecret(SQLModel, table=True):
    """A secret generated once and shared by every worker and replica (e.g. the key that signs
    pagination cursors when COUNTYPATH_SECRET_KEY is not set)."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=128)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
