"""A process that builds several apps (a program embedding the API, the tests) frees each app
once it has shut down, and compiles each knowledge-base version once."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import DEQING_PROFILE


def test_an_app_that_shut_down_is_freed(settings: Settings) -> None:
    """Without the heap frozen at start (a worker's default, which keeps what it froze), nothing
    the process keeps (FastAPI's caches of facts about endpoint functions) holds the app."""
    app = create_app(settings.model_copy(update={"freeze_heap": False}))
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 200
        body = DEQING_PROFILE.read_bytes()
        answer = client.post("/v1/recommendations", content=body, headers=_JSON)
        assert answer.status_code == 200
    gone = weakref.ref(app)
    del app, client
    gc.collect()
    assert gone() is None


def test_a_version_is_compiled_once_per_process(settings: Settings, tmp_path: Path) -> None:
    """Two apps over two databases holding the same version share one compiled snapshot; a
    version the other database lacks is compiled for it alone."""
    copy = tmp_path / "copy.db"
    shutil.copy(settings.database_url.removeprefix("sqlite:///"), copy)
    other = settings.model_copy(update={"database_url": f"sqlite:///{copy}"})
    with TestClient(create_app(settings)) as first, TestClient(create_app(other)) as second:
        one = first.app.state.store.snapshot  # type: ignore[attr-defined]
        two = second.app.state.store.snapshot  # type: ignore[attr-defined]
        assert one is two
        assert first.get("/v1/kb").json() == second.get("/v1/kb").json()


_JSON = {"content-type": "application/json"}
