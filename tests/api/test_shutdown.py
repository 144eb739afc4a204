"""Shutting an app down while its watcher is reading: the pool closes after the read, so no
database connection is orphaned (left open until the garbage collector finds it)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.main import create_app
from app.services.knowledge_store import KnowledgeStore
from app.settings import Settings


def test_shutdown_waits_for_a_poll_in_flight(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    reading = threading.Event()
    calls = 0
    poll, dispose = KnowledgeStore.poll, Engine.dispose

    def slow_poll(self: KnowledgeStore) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the watcher's first read (the first is the startup read)
            reading.set()
            time.sleep(0.5)
            events.append("read finished")
        poll(self)

    def recorded_dispose(self: Engine, *args: Any, **kwargs: Any) -> None:
        events.append("pool closed")
        dispose(self, *args, **kwargs)

    monkeypatch.setattr(KnowledgeStore, "poll", slow_poll)
    monkeypatch.setattr(Engine, "dispose", recorded_dispose)
    with TestClient(create_app(settings)):
        assert reading.wait(5), "the watcher never read"
    assert events == ["read finished", "pool closed"]
