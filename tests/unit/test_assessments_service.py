"""The stored-assessment service against an in-memory repository: its decisions (idempotency,
ownership, plans, the trend) are tested without a database; the SQL behind the same protocol is
tested on SQLite and PostgreSQL in tests/api/test_trend.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.db.assessments_repo import AssessmentRepository, DuplicateKey
from app.domain.snapshot import Snapshot
from app.errors import Conflict, InvalidInput, NotFound
from app.models import Assessment
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn
from app.services import assessments as svc
from app.services.keys import Principal
from tests.conftest import DEQING_PROFILE

ME = Principal(1, "me", frozenset({"assessments"}))
YOU = Principal(2, "you", frozenset({"assessments"}))


class FakeRepo:
    def __init__(self, rows: dict[str, Assessment]) -> None:
        self.rows = rows

    def by_idempotency_key(self, owner_key_id: int, key: str) -> Assessment | None:
        return next(
            (
                r
                for r in self.rows.values()
                if r.owner_key_id == owner_key_id and r.idempotency_key == key
            ),
            None,
        )

    def release_key(self, row: Assessment) -> None:
        row.idempotency_key = None

    def add(self, row: Assessment) -> None:
        self.rows[row.id] = row

    def get(self, assessment_id: str) -> Assessment | None:
        return self.rows.get(assessment_id)

    def _mine(self, owner: int, code: str | None) -> list[Assessment]:
        return [
            r
            for r in self.rows.values()
            if r.owner_key_id == owner and (code is None or r.county_code == code)
        ]

    def page(self, owner: int, code: str | None, offset: int, count: int) -> list[Assessment]:
        rows = sorted(
            self._mine(owner, code),
            key=lambda r: (r.year is None, r.year or 0, r.created_at, r.id),
        )
        return rows[offset : offset + count]

    def latest_per_year(self, owner: int, code: str) -> list[Assessment]:
        latest: dict[int, Assessment] = {}
        for r in sorted(self._mine(owner, code), key=lambda r: (r.created_at, r.id)):
            if r.year is not None:
                latest[r.year] = r
        return [latest[y] for y in sorted(latest)]

    def with_plans(self, owner: int, code: str) -> list[Assessment]:
        rows = [r for r in self._mine(owner, code) if r.plan is not None and r.year]
        return sorted(rows, key=lambda r: (r.year or 0, r.created_at))[-5:]


class FakeStore:
    """Commits a write only when its block ends cleanly, like the SQL store."""

    def __init__(self) -> None:
        self.rows: dict[str, Assessment] = {}
        self.fail_next_write = False

    @contextmanager
    def reading(self) -> Iterator[AssessmentRepository]:
        yield FakeRepo(self.rows)

    @contextmanager
    def writing(self) -> Iterator[AssessmentRepository]:
        if self.fail_next_write:
            self.fail_next_write = False
            raise DuplicateKey
        staged = dict(self.rows)
        yield FakeRepo(staged)
        self.rows.clear()
        self.rows.update(staged)


def profile(year: int = 2024, **indicators: float) -> ProfileIn:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["county"]["year"] = year
    data["indicators"].update(indicators)
    return ProfileIn.model_validate(data)


def test_create_get_and_owner_scope(snapshot: Snapshot) -> None:
    store = FakeStore()
    out, created = svc.create(store, snapshot, ME, profile(), "en", None)
    assert created
    assert out["plan"] is None
    assert svc.get(store, ME, out["id"]) == out
    with pytest.raises(NotFound):
        svc.get(store, YOU, out["id"])
    assert svc.list_for(store, YOU, None, 0, 10) == []


def test_idempotent_replay_reuse_and_expiry(snapshot: Snapshot) -> None:
    store = FakeStore()
    first, _ = svc.create(store, snapshot, ME, profile(), "en", "k1")
    again, created = svc.create(store, snapshot, ME, profile(), "en", "k1")
    assert (again, created) == (first, False)
    with pytest.raises(InvalidInput):
        svc.create(store, snapshot, ME, profile(2023), "en", "k1")
    with pytest.raises(InvalidInput):  # the same profile with a plan is another request
        svc.create(store, snapshot, ME, profile(), "en", "k1", PlanOptions())
    store.rows[first["id"]].created_at = datetime.now(UTC) - timedelta(hours=25)
    fresh, created = svc.create(store, snapshot, ME, profile(2023), "en", "k1")
    assert created
    assert fresh["id"] != first["id"]
    assert len(store.rows) == 2


def test_a_concurrent_duplicate_is_a_conflict_and_writes_nothing(snapshot: Snapshot) -> None:
    store = FakeStore()
    store.fail_next_write = True
    with pytest.raises(Conflict):
        svc.create(store, snapshot, ME, profile(), "en", "k1")
    assert store.rows == {}


def test_plan_is_stored_and_a_late_horizon_names_the_query_parameter(snapshot: Snapshot) -> None:
    store = FakeStore()
    out, _ = svc.create(store, snapshot, ME, profile(), "zh", None, PlanOptions(horizon=2032))
    assert out["has_plan"]
    assert out["plan"]["horizon"] == 2032
    assert out["plan"]["actions"]
    with pytest.raises(InvalidInput) as caught:
        svc.create(store, snapshot, ME, profile(2029), "zh", None, PlanOptions(horizon=2030))
    assert caught.value.errors[0].pointer == ""
    assert caught.value.errors[0].message.startswith("query parameter horizon")
    assert len(store.rows) == 1


def test_trend_latest_per_year_in_order_with_changes_and_progress(snapshot: Snapshot) -> None:
    store = FakeStore()
    svc.create(store, snapshot, ME, profile(2024, foreign_trade_cny_100m=420.0), "en", None)
    planned, _ = svc.create(
        store, snapshot, ME, profile(2022, foreign_trade_cny_100m=280.0), "en", None, PlanOptions()
    )
    svc.create(store, snapshot, ME, profile(2023, foreign_trade_cny_100m=250.0), "en", None)
    svc.create(store, snapshot, ME, profile(2023, foreign_trade_cny_100m=300.0), "en", None)
    svc.create(store, snapshot, YOU, profile(2025, foreign_trade_cny_100m=999.0), "en", None)
    out = svc.trend(store, snapshot, ME, "330521")
    assert [p["year"] for p in out["points"]] == [2022, 2023, 2024]
    assert [p["indicators"]["foreign_trade_cny_100m"] for p in out["points"]] == [280, 300, 420]
    assert out["points"][0]["assessment_id"] == planned["id"]
    lq = [
        i
        for c in out["changes"]
        for i in c["indicators"]
        if i["indicator"] == "trade_lq" and c["to_year"] == 2024
    ]
    assert lq[0]["change"] == "improved"
    progress = out["progress"][0]
    assert progress["assessment_id"] == planned["id"]
    kpis = progress["kpis"]  # a quotient such as trade_lq takes no target; the plan's rows do
    assert kpis
    assert all(k["latest_year"] == 2024 for k in kpis)
    assert {k["status"] for k in kpis} <= {"met", "on_track", "behind", "not_started"}
    assert svc.trend(store, snapshot, YOU, "330521")["progress"] == []
