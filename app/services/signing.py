"""The key that signs pagination cursors: COUNTYPATH_SECRET_KEY when the operator sets one, else a
random key generated once and kept in the database, so every worker and replica of a deployment
signs and checks cursors alike and no key is written in the source."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError

from app.services.ports import UnitOfWork

CURSOR_SECRET = "cursor-signing"


def cursor_key(uow: UnitOfWork, configured: str | None) -> bytes:
    if configured:
        return configured.encode()
    for _ in range(2):  # a replica starting at the same moment may insert it first
        try:
            with uow.write() as tx:
                value = tx.secrets.get(CURSOR_SECRET)
                if value is None:
                    value = secrets.token_urlsafe(48)
                    tx.secrets.add(CURSOR_SECRET, value)
            return value.encode()
        except IntegrityError:
            continue
    raise RuntimeError("the cursor signing key could be neither read nor stored")
