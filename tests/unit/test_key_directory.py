"""The in-memory key directory: a known key costs no query, forged keys cost a bounded number of
reloads however many arrive, and a revocation (or an unreadable key table) is never missed."""

from __future__ import annotations

import asyncio
import secrets
import time

import pytest
from sqlalchemy.exc import SQLAlchemyError

from app.services.key_directory import KeyDirectory
from app.services.keys import create_key, revoke_key
from tests.unit.fakes import FakeUnitOfWork

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def forged() -> str:
    return f"cp_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


async def test_a_known_key_is_answered_from_memory() -> None:
    uow = FakeUnitOfWork()
    _, key = create_key(uow, "portal-a", ["assessments"])
    directory = KeyDirectory(uow)
    directory.poll()
    assert directory.loads == 1
    for _ in range(100):
        who = await directory.principal(key)
        assert who is not None
        assert who.name == "portal-a"
    assert await directory.principal(key[:-2] + "xx") is None  # known prefix, wrong secret
    assert directory.loads == 1


async def test_malformed_and_oversized_keys_cost_nothing() -> None:
    directory = KeyDirectory(FakeUnitOfWork())
    directory.poll()
    for presented in ("", "garbage", "cp_nope_nope", "cp_abcdef12_secret", "cp_" + "a" * 12_000):
        assert await directory.principal(presented) is None
    assert directory.loads == 1


async def test_forged_keys_cost_a_bounded_number_of_reloads() -> None:
    uow = FakeUnitOfWork()
    directory = KeyDirectory(uow, gap=0.1)
    directory.poll()
    began = time.monotonic()
    for _ in range(5):  # waves of forged keys, each with a fresh random prefix
        answers = await asyncio.gather(*(directory.principal(forged()) for _ in range(200)))
        assert answers == [None] * 200
    elapsed = time.monotonic() - began
    # 1,000 forged keys: the initial load plus at most one reload per gap, not one per key.
    assert directory.loads <= 2 + elapsed / 0.1, (directory.loads, elapsed)


async def test_a_key_created_after_the_load_works_at_once() -> None:
    uow = FakeUnitOfWork()
    directory = KeyDirectory(uow)
    directory.poll()
    _, key = create_key(uow, "new-portal", ["assessments"])
    who = await directory.principal(key)
    assert who is not None
    assert who.name == "new-portal"


async def test_a_revocation_is_seen_at_the_next_poll() -> None:
    uow = FakeUnitOfWork()
    _, key = create_key(uow, "portal-a", ["assessments"])
    directory = KeyDirectory(uow)
    directory.poll()
    assert await directory.principal(key) is not None
    revoke_key(uow, "portal-a")
    directory.poll()
    assert await directory.principal(key) is None


async def test_an_unreadable_key_table_forgets_every_key() -> None:
    uow = FakeUnitOfWork()
    _, key = create_key(uow, "portal-a", ["assessments"])
    directory = KeyDirectory(uow, gap=0.01)
    directory.poll()
    uow.state.down = True
    directory.poll()
    with pytest.raises(SQLAlchemyError):
        await directory.principal(key)  # no stale answer: the table must be read again
    uow.state.down = False
    assert await directory.principal(key) is not None
