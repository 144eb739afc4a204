"""API keys: shown once, stored as a SHA-256 hash, compared in constant time.

A key looks like ``cp_<prefix>_<secret>``; the prefix is stored in clear to find the row, the
whole key only as a hash. Keys are random (256 bits), so a fast hash is enough: there is nothing
to brute-force that is cheaper than guessing the key itself.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.models import ApiKey
from app.models.access import KEY_NAME_MAX
from app.services.ports import UnitOfWork

SCOPES = ("assessments", "kb:write", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: int
    name: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_name(name: str) -> None:
    """A name fits its column and prints safely in logs and the audit trail: no control, format
    (bidi) or line-separator characters, not blank."""
    if not name.strip():
        problem = ("blank", "a key needs a name")
    elif len(name) > KEY_NAME_MAX:
        problem = ("too_long", f"at most {KEY_NAME_MAX} characters")
    elif any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        problem = ("unsafe_characters", "control, format and line-separator characters are refused")
    else:
        return
    raise InvalidInput(detail="The key name is not valid.", errors=[FieldError("/name", *problem)])


def create_key(uow: UnitOfWork, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    _check_name(name)
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise InvalidInput(
            detail=f"Scopes are {', '.join(SCOPES)}.",
            errors=[FieldError("/scopes", "unknown_scope", f"unknown scope {s!r}") for s in bad],
        )
    prefix = secrets.token_hex(4)
    key = f"cp_{prefix}_{secrets.token_urlsafe(32)}"
    with uow.write() as tx:
        if tx.keys.named(name) is not None:
            raise Conflict(detail=f"A key named {name!r} exists; revoke it or choose another name.")
        row = tx.keys.add(
            ApiKey(
                name=name,
                prefix=prefix,
                key_hash=key_hash(key),
                scopes=sorted(set(scopes)),
                created_at=datetime.now(UTC),
            )
        )
    return row, key


def list_keys(uow: UnitOfWork) -> list[ApiKey]:
    with uow.read() as tx:
        return tx.keys.listing()


def revoke_key(uow: UnitOfWork, name: str) -> None:
    with uow.write() as tx:
        row = tx.keys.named(name)
        if row is None:
            raise NotFound(detail=f"No key named {name!r}.")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
