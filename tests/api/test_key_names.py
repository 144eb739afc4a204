"""Key names: as long as the column that stores them, and every curation write works whatever the
name's length, on SQLite and on PostgreSQL (which enforces column lengths)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.errors import InvalidInput
from app.main import create_app
from app.models import ApiKey
from app.services.keys import create_key
from app.settings import Settings

LONGEST = ApiKey.model_fields["name"].metadata[0].max_length


def test_a_key_with_the_longest_name_can_curate(store_settings: Settings) -> None:
    assert LONGEST == 100
    engine = make_engine(store_settings, pooled=False)
    name = "department-of-commerce-" + "x" * (LONGEST - 23)
    assert len(name) == LONGEST
    key = create_key(SqlUnitOfWork(engine), name, ["kb:write", "admin"])[1]
    engine.dispose()
    with TestClient(create_app(store_settings)) as c:
        h = {"Authorization": f"Bearer {key}"}
        url = "/v1/paths/talent-ecosystem"
        patch = {"summary": {"en": "Long names curate too.", "zh": "长名称也能维护。"}}
        res = c.patch(url, json=patch, headers=h | {"If-Match": c.get(url).headers["etag"]})
        assert res.status_code == 200, res.text
        events = c.get("/v1/audit", headers=h).json()["items"]
        assert events[0]["actor"] == name


@pytest.mark.parametrize(
    "name",
    ["x" * (100 + 1), "", "   ", "line\nbreak", "tab\there"],
    ids=["too-long", "empty", "blank", "newline", "tab"],
)
def test_key_names_are_checked_before_storing(store_settings: Settings, name: str) -> None:
    engine = make_engine(store_settings, pooled=False)
    try:
        with pytest.raises(InvalidInput) as caught:
            create_key(SqlUnitOfWork(engine), name, ["assessments"])
        assert caught.value.errors[0].pointer == "/name"
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM api_key").scalar() == 0
    finally:
        engine.dispose()
