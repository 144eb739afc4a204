"""API keys: shown once, stored as a SHA-256 hash, compared in constant time.

A key looks like ``cp_<prefix>_<secret>``; the prefix is stored in clear to find the row, the
whole key only as a hash. Keys are random (256 bits), so a fast hash is enough: there is nothing
to brute-force that is cheaper than guessing the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.models import ApiKey
from app.models.access import KEY_NAME_MAX
from app.services.ports import UnitOfWork

SCOPES = ("assessments", "kb:write", "admin")
log = logging.getLogger("countypath.keys")


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: int
    name: str
    scopes: frozenset[str]

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def _hash(key: str) -> str:
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
                key_hash=_hash(key),
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


def authenticate(uow: UnitOfWork, presented: str) -> Principal | None:
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != "cp":
        return None
    with uow.read() as tx:
        candidates = tx.keys.with_prefix(parts[1])
    digest = _hash(presented)
    for row in candidates:
        if hmac.compare_digest(row.key_hash, digest) and row.revoked_at is None:
            assert row.id is not None
            return Principal(row.id, row.name, frozenset(row.scopes))
    return None


def revocation_stamp(uow: UnitOfWork) -> tuple[int, str | None]:
    """Changes whenever a key is revoked: how many are, and the latest revocation time."""
    with uow.read() as tx:
        _, _, revoked, latest = tx.keys.stamp()
    return revoked, latest


class PrincipalCache:
    """Keys that authenticated in this process, so a request with a key needs no database lookup.

    Only successes are kept; an unknown or revoked key is looked up every time. The app polls
    :func:`revocation_stamp` (every ``COUNTYPATH_KB_REFRESH_SECONDS``, like the knowledge-base
    version) and empties the cache when it changes or cannot be read, so a revoked key stops
    working on every worker within one poll. A lookup that started before a clearing is not
    stored after it (``generation``), so a revocation cannot be undone by a slow request.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._hits: dict[str, Principal] = {}
        self._stamp: tuple[int, str | None] | None = None
        self.generation = 0

    def get(self, presented: str) -> Principal | None:
        return self._hits.get(_hash(presented))

    def put(self, presented: str, principal: Principal, generation: int) -> None:
        if generation != self.generation:
            return
        if len(self._hits) >= self.MAX_ENTRIES:
            self._hits.clear()
        self._hits[_hash(presented)] = principal

    def clear(self) -> None:
        self._hits.clear()
        self.generation += 1

    def observe(self, stamp: tuple[int, str | None] | None) -> None:
        """The stamp just read (None: it could not be read, so trust nothing cached)."""
        if stamp is None or stamp != self._stamp:
            self.clear()
        self._stamp = stamp


def poll_revocations(uow: UnitOfWork) -> tuple[int, str | None] | None:
    """The stamp for :meth:`PrincipalCache.observe`, or None (logged) when it cannot be read."""
    try:
        return revocation_stamp(uow)
    except SQLAlchemyError as exc:
        log.warning("key revocations unreadable, cache emptied: %s", type(exc).__name__)
        return None
