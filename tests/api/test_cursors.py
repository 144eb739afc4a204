"""Pagination cursors are signed with the deployment's secret, never a key written in the source,
and a forged or oversized offset is a 400 problem, never a 500; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.db.engine import make_engine
from app.main import create_app
from app.settings import Settings
from tests.conftest import auth

SOURCE_CONSTANT = b"countypath-cursor-v1"  # what signed every cursor before
SECRET = "a deployment secret of at least 32 characters"


def signed(key: bytes, offset: int, scope: str, length: int = 32) -> str:
    payload = orjson.dumps({"o": offset, "s": scope})
    sig = hmac.new(key, payload, hashlib.sha256).hexdigest()[:length]
    return base64.urlsafe_b64encode(payload + b"." + sig.encode()).decode().rstrip("=")


def test_a_cursor_signed_with_the_old_source_constant_is_refused(client: TestClient) -> None:
    page = client.get("/v1/paths?limit=2").json()
    assert page["next_cursor"]
    payload = orjson.loads(base64.urlsafe_b64decode(page["next_cursor"] + "==").rpartition(b".")[0])
    for length in (16, 32):
        forged = signed(SOURCE_CONSTANT, 4, payload["s"], length)
        res = client.get(f"/v1/paths?limit=2&cursor={forged}")
        assert res.status_code == 400
        assert res.json()["code"] == "INVALID_CURSOR"
    assert client.get(f"/v1/paths?limit=2&cursor={page['next_cursor']}").status_code == 200


def test_the_generated_key_is_stored_once_and_shared(settings: Settings) -> None:
    with TestClient(create_app(settings)) as first:
        cursor = first.get("/v1/paths?limit=2").json()["next_cursor"]
    with TestClient(create_app(settings)) as second:  # another worker or replica
        assert second.get(f"/v1/paths?limit=2&cursor={cursor}").status_code == 200
    engine = make_engine(settings, pooled=False)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, length(value) FROM app_secret").all()
    engine.dispose()
    assert [(name, length >= 48) for name, length in rows] == [("cursor-signing", True)]


@pytest.mark.parametrize("offset", [2**63, 2**31, -1, 1.5, True])
def test_a_forged_offset_is_a_400_not_a_500(
    store_settings: Settings, offset: object, request: pytest.FixtureRequest
) -> None:
    from app.db.uow import SqlUnitOfWork
    from app.services.keys import create_key

    settings = store_settings.model_copy(update={"secret_key": SecretStr(SECRET)})
    engine = make_engine(settings, pooled=False)
    admin = create_key(SqlUnitOfWork(engine), f"admin-{request.node.callspec.id}", ["admin"])[1]
    engine.dispose()
    with TestClient(create_app(settings)) as c:
        for path, scope in (("/v1/audit", "audit"), ("/v1/kb/versions", "kb-versions")):
            honest = c.get(
                f"{path}?cursor={signed(SECRET.encode(), 0, scope)}", headers=auth(admin)
            )
            assert honest.status_code == 200, honest.text
            forged = signed(SECRET.encode(), offset, scope)  # type: ignore[arg-type]
            res = c.get(f"{path}?cursor={forged}", headers=auth(admin))
            assert res.status_code == 400, (path, res.text)
            assert res.json()["code"] == "INVALID_CURSOR"
