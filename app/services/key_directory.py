"""Who holds which key, answered from memory: every active key of the deployment (its hash, name
and scopes; never the key) held by each worker.

A request is authenticated without a database query, and a forged key costs a hash and a dict
lookup, nothing more. The directory is reloaded when the key table changes (its stamp is read
with the knowledge-base version every poll) and when a key arrives whose prefix it does not know:
such a request waits for a load that began after it arrived, and loads start at most once every
``gap`` seconds however many such keys arrive, so a flood of forged keys costs the database a few
queries a second, never one each. When the key table cannot be read the directory forgets every
key (fail closed): a revocation must never be missed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import re
import threading
import time
from collections import defaultdict

from sqlalchemy.exc import SQLAlchemyError

from app.services.keys import Principal, key_hash
from app.services.ports import UnitOfWork

log = logging.getLogger("countypath.keys")
KEY_FORMAT = re.compile(r"cp_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")
MAX_CREDENTIAL = 128  # keys are 55 characters; a longer credential is refused unread
RELOAD_GAP = 0.25

Entries = dict[str, tuple[tuple[str, Principal], ...]]


class KeyDirectory:
    def __init__(self, uow: UnitOfWork, gap: float = RELOAD_GAP) -> None:
        self._uow = uow
        self._gap = gap
        self._by_prefix: Entries = {}
        self._stamp: tuple[int, int, int, str | None] | None = None
        self._fresh_from = -math.inf  # when the newest load that completed began (monotonic)
        self._last_start = -math.inf
        self._pending: asyncio.Task[None] | None = None
        self._lock = threading.Lock()
        self.loads = 0

    def load(self) -> None:
        """Read every active key (blocking: run it in a thread)."""
        began = time.monotonic()
        with self._uow.read() as tx:
            stamp = tx.keys.stamp()
            rows = tx.keys.active()
        entries: defaultdict[str, list[tuple[str, Principal]]] = defaultdict(list)
        for row in rows:
            assert row.id is not None
            entries[row.prefix].append(
                (row.key_hash, Principal(row.id, row.name, frozenset(row.scopes)))
            )
        with self._lock:
            self.loads += 1
            if began >= self._fresh_from:  # a slower, older load must not undo a newer one
                self._by_prefix = {prefix: tuple(found) for prefix, found in entries.items()}
                self._stamp = stamp
                self._fresh_from = began

    def poll(self) -> None:
        """The periodic check (blocking): reload when a key was created or revoked."""
        try:
            with self._uow.read() as tx:
                stamp = tx.keys.stamp()
            if stamp != self._stamp:
                self.load()
        except SQLAlchemyError as exc:
            log.warning("key table unreadable, every key forgotten: %s", type(exc).__name__)
            with self._lock:
                self._by_prefix = {}
                self._stamp = None

    async def principal(self, presented: str) -> Principal | None:
        """The holder of ``presented``, or None when it is not an active key of this deployment.
        Raises SQLAlchemyError when the directory must be reloaded and the database is down."""
        match = KEY_FORMAT.fullmatch(presented) if len(presented) <= MAX_CREDENTIAL else None
        if match is None:
            return None
        prefix = match.group(1)
        if prefix not in self._by_prefix:
            await self._fresh_since(time.monotonic())
        digest = key_hash(presented)
        for stored, principal in self._by_prefix.get(prefix, ()):
            if hmac.compare_digest(stored, digest):
                return principal
        return None

    async def _fresh_since(self, moment: float) -> None:
        while self._fresh_from < moment:
            if self._pending is None or self._pending.done():
                self._pending = asyncio.create_task(self._reload())
            await asyncio.shield(self._pending)

    async def _reload(self) -> None:
        wait = self._last_start + self._gap - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_start = time.monotonic()
        await asyncio.to_thread(self.load)
