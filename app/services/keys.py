"""API keys: shown once, stored as a SHA-256 hash, compared in constant time.

A key looks like ``cp_<prefix>_<secret>``; the prefix is stored in clear to find the row, the
whole key only as a hash. Keys are random (256 bits), so a fast hash is enough: there is nothing
to brute-force that is cheaper than guessing the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlmodel import col

from app.db.engine import read_session, write_session
from app.errors import Conflict, InvalidInput, NotFound
from app.models import ApiKey

SCOPES = ("assessments", "kb:write", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: int
    name: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(engine: Engine, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        from app.errors import FieldError

        raise InvalidInput(
            detail=f"Scopes are {', '.join(SCOPES)}.",
            errors=[FieldError("/scopes", "unknown_scope", f"unknown scope {s!r}") for s in bad],
        )
    prefix = secrets.token_hex(4)
    key = f"cp_{prefix}_{secrets.token_urlsafe(32)}"
    with write_session(engine) as session:
        if session.execute(select(ApiKey).where(col(ApiKey.name) == name)).first():
            raise Conflict(detail=f"A key named {name!r} exists; revoke it or choose another name.")
        row = ApiKey(
            name=name,
            prefix=prefix,
            key_hash=_hash(key),
            scopes=sorted(set(scopes)),
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        session.refresh(row)
        session.expunge(row)
    return row, key


def list_keys(engine: Engine) -> list[ApiKey]:
    with read_session(engine) as session:
        rows = list(session.execute(select(ApiKey).order_by(ApiKey.id)).scalars())  # type: ignore[arg-type]
        for row in rows:
            session.expunge(row)
        return rows


def revoke_key(engine: Engine, name: str) -> None:
    with write_session(engine) as session:
        row = session.execute(select(ApiKey).where(col(ApiKey.name) == name)).scalars().first()
        if row is None:
            raise NotFound(detail=f"No key named {name!r}.")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)


def authenticate(engine: Engine, presented: str) -> Principal | None:
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != "cp":
        return None
    with read_session(engine) as session:
        candidates = list(
            session.execute(select(ApiKey).where(col(ApiKey.prefix) == parts[1])).scalars()
        )
    digest = _hash(presented)
    for row in candidates:
        if hmac.compare_digest(row.key_hash, digest) and row.revoked_at is None:
            assert row.id is not None
            return Principal(row.id, row.name, frozenset(row.scopes))
    return None
