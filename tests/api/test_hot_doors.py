"""The hot operations' door (app.api.hot.HotRoutes) answers as the declared route does.

Each request is sent twice through the same app: once through the door, once with the door
closed, so FastAPI matches the route and solves its dependency as for any other route. Status,
headers and body must be the same, for good answers and for every error a client can get.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import hot
from app.api.hot import HotRoutes
from app.main import create_app
from app.settings import Settings
from tests.conftest import DEQING_PROFILE

DEQING = DEQING_PROFILE.read_bytes()
JSON = {"content-type": "application/json", "x-request-id": "same-id"}
VALIDATE = "/v1/profiles/validate"
RECOMMEND = "/v1/recommendations"
Case = tuple[str, str, bytes, dict[str, str]]


def _invalid_field() -> bytes:
    profile = json.loads(DEQING)
    profile["indicators"]["gdp_cny_100m"] = "lots"
    profile["county"] = {"name": 7}
    return json.dumps(profile).encode()


CASES: dict[str, Case] = {
    "validate": (VALIDATE, "", DEQING, JSON),
    "summary": (RECOMMEND, "?view=summary", DEQING, JSON),
    "full": (RECOMMEND, "", DEQING, JSON),
    "full, gzip": (RECOMMEND, "", DEQING, JSON | {"accept-encoding": "gzip"}),
    "full, trace, paths": (RECOMMEND, "?trace=true&paths=3", DEQING, JSON),
    "summary, ?lang": (RECOMMEND, "?view=summary&lang=zh-CN", DEQING, JSON),
    "validate, Accept-Language": (VALIDATE, "", DEQING, JSON | {"accept-language": "zh;q=0.9"}),
    "malformed JSON": (RECOMMEND, "", b'{"county": ', JSON),
    "not UTF-8": (VALIDATE, "", b'{"county": "\xff"}', JSON),
    "empty body": (VALIDATE, "", b"", JSON),
    "415": (RECOMMEND, "", DEQING, JSON | {"content-type": "text/plain"}),
    "415, no type": (VALIDATE, "", DEQING, {"x-request-id": "same-id"}),
    "406": (RECOMMEND, "", DEQING, JSON | {"accept": "text/html"}),
    "422, fields": (VALIDATE, "", _invalid_field(), JSON),
    "422, parameters and fields": (RECOMMEND, "?view=all&paths=0", _invalid_field(), JSON),
    "422, zh": (RECOMMEND, "?lang=zh&trace=maybe", _invalid_field(), JSON),
    "422, not an object": (RECOMMEND, "", b"[1, 2]", JSON),
    "401, invalid key": (RECOMMEND, "", DEQING, JSON | {"x-api-key": "cp_nothing"}),
    "401, key in the query": (VALIDATE, "?api_key=x", DEQING, JSON),
    "413": (RECOMMEND, "", b" " * (1024 * 1024 + 1), JSON),
}


@contextmanager
def door_closed(app: FastAPI) -> Iterator[None]:
    """The app as it answers without the door: every request through FastAPI's router."""
    door = app.router.middleware_stack
    assert isinstance(door, HotRoutes)
    app.router.middleware_stack = door.app
    try:
        yield
    finally:
        app.router.middleware_stack = door


def _answer(res: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return res.status_code, sorted(res.headers.multi_items()), res.content


def both(client: TestClient, path: str, query: str, body: bytes, headers: dict[str, str]) -> Any:
    """The answer through the door, after checking it is the ordinary route's."""
    app: FastAPI = client.app  # type: ignore[assignment]
    through_door = client.post(path + query, content=body, headers=headers)
    with door_closed(app):
        ordinary = client.post(path + query, content=body, headers=headers)
    assert _answer(through_door) == _answer(ordinary)
    return through_door


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[TestClient]:
    target = tmp_path_factory.mktemp("doors") / "countypath.db"
    target.write_bytes(sqlite_template.read_bytes())
    settings = Settings(database_url=f"sqlite:///{target}", rate_limit="off")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("case", CASES)
def test_the_door_answers_as_the_route(served: TestClient, case: str) -> None:
    res = both(served, *CASES[case])
    if case.startswith(("validate", "summary", "full")):
        assert res.status_code == 200, res.text[:300]
    else:
        assert res.status_code >= 400
        assert res.headers["content-type"] == "application/problem+json"


def test_other_methods_and_paths_take_the_router(served: TestClient) -> None:
    assert served.get(RECOMMEND).status_code == 405
    assert served.get(RECOMMEND).headers["allow"] == "POST"
    assert served.post(RECOMMEND + "/").status_code == 404
    assert served.head(VALIDATE).status_code == 405


def test_a_key_is_required_when_the_deployment_says_so(settings: Settings) -> None:
    required = settings.model_copy(update={"require_key": True})
    with TestClient(create_app(required)) as client:
        res = both(client, RECOMMEND, "", DEQING, JSON)
        assert res.status_code == 401
        assert both(client, VALIDATE, "", b"{", JSON).status_code == 401


def test_the_rate_limit(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit": "1/3600"})
    with TestClient(create_app(limited)) as client:
        assert client.post(VALIDATE, content=DEQING, headers=JSON).status_code == 200
        door = client.post(VALIDATE, content=DEQING, headers=JSON)
        with door_closed(client.app):  # type: ignore[arg-type]
            ordinary = client.post(VALIDATE, content=DEQING, headers=JSON)
    # The seconds left in the window may tick between the two requests.
    status, headers, body = _answer(door)
    assert status == 429
    assert _answer(ordinary)[::2] == (status, body)
    seconds = re.compile(r"(?<=t=)\d+|^\d+$")
    assert [(k, seconds.sub("", v)) for k, v in headers] == [
        (k, seconds.sub("", v)) for k, v in _answer(ordinary)[1]
    ]


def test_no_knowledge_base_is_503(tmp_path: Path) -> None:
    empty = Settings(database_url=f"sqlite:///{tmp_path}/empty.db", rate_limit="off")
    with TestClient(create_app(empty)) as client:
        res = both(client, RECOMMEND, "", DEQING, JSON)
        assert res.status_code == 503
        assert both(client, VALIDATE, "?view=summary", DEQING, JSON).status_code == 503


def test_the_time_limit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = hot.require_json_accept

    async def slow(request: Any) -> None:
        await asyncio.sleep(0.3)
        await real(request)

    monkeypatch.setattr(hot, "require_json_accept", slow)
    timed = settings.model_copy(update={"request_timeout_seconds": 0.1})
    with TestClient(create_app(timed)) as client:
        res = both(client, RECOMMEND, "", DEQING, JSON)
    assert res.status_code == 503
    assert res.json()["code"] == "TIMEOUT"


def test_metrics_and_access_log_see_the_route(served: TestClient) -> None:
    lines: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = lines.append  # type: ignore[method-assign]
    access = logging.getLogger("countypath.access")
    access.addHandler(handler)
    try:
        served.post(VALIDATE, content=DEQING, headers=JSON)
        served.post(RECOMMEND + "?view=summary", content=b"{", headers=JSON)
    finally:
        access.removeHandler(handler)
    assert [(r.route, r.status) for r in lines] == [(VALIDATE, 200), (RECOMMEND, 400)]  # type: ignore[attr-defined]
    text = served.get("/metrics").text
    for route in (VALIDATE, RECOMMEND):
        assert re.search(rf'route="{re.escape(route)}"', text), route
