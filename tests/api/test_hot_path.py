"""Guards on the request path that the benchmarks depend on.

A sync route or dependency runs in the thread pool: a hand-off per call that once cost more CPU
than validating the profile. Routes served from the in-memory knowledge base must stay async all
the way down; only a presented API key reaches the database, from inside the key dependency.
"""

from __future__ import annotations

import gc
import inspect
import weakref
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

IN_MEMORY = (
    "/v1/profiles/validate",
    "/v1/recommendations",
    "/v1/plans",
    "/v1/indicators",
    "/v1/signals",
    "/v1/signals/{slug}",
    "/v1/challenges",
    "/v1/challenges/{slug}",
    "/v1/paths",
    "/v1/paths/{slug}",
    "/v1/examples",
    "/v1/examples/{slug}",
    "/v1/reference-counties",
    "/v1/reference-counties/{slug}",
    "/v1/benchmarks",
    "/v1/benchmarks/{slug}",
    "/v1/kb",
)


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - security schemes are callable objects
    )


def _sync_calls(dependant: Any) -> list[str]:
    found = []
    if dependant.call is not None and not _is_async(dependant.call):
        found.append(getattr(dependant.call, "__name__", repr(dependant.call)))
    for sub in dependant.dependencies:
        found += _sync_calls(sub)
    return found


@pytest.mark.parametrize("path", IN_MEMORY)
def test_in_memory_routes_never_enter_the_thread_pool(path: str) -> None:
    app = create_app(Settings(database_url="sqlite://", rate_limit="off"))
    routes = [rc for rc in iter_route_contexts(app.router.routes) if rc.path == path]
    assert routes, f"no route {path}"
    for route in routes:
        dependant = route.dependant
        assert dependant.dependencies, "the walk must see the route's dependencies"
        assert _sync_calls(dependant) == [], f"{path} has sync callables"


class _Node:
    itself: _Node


def test_startup_freezes_what_lives_as_long_as_the_process(settings: Settings) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    garbage = _Node()
    garbage.itself = garbage  # a cycle only the cyclic collector frees
    witness = weakref.ref(garbage)
    del garbage
    gc.disable()  # no automatic pass may free it before start-up looks
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/readyz").status_code == 200
            assert gc.get_freeze_count() > 0
            assert witness() is None, "garbage left before start-up was frozen, never freed"
    finally:
        gc.enable()


def test_the_hot_operations_are_not_matched_or_solved_by_fastapi(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their door (app.api.hot) answers them: FastAPI's route matching and dependency solving,
    most of the CPU a validation cost, are not reached."""
    import fastapi.routing

    from tests.conftest import DEQING_PROFILE

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("FastAPI solved a hot route's dependencies")

    with TestClient(create_app(settings)) as client:
        monkeypatch.setattr(fastapi.routing, "solve_dependencies", unreachable)
        monkeypatch.setattr(fastapi.routing.APIRouter, "matches", unreachable)
        for path in ("/v1/profiles/validate", "/v1/recommendations?view=summary"):
            body = DEQING_PROFILE.read_bytes()
            res = client.post(path, content=body, headers={"content-type": "application/json"})
            assert res.status_code == 200, res.text[:300]
