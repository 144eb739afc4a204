"""The stored-assessment service against the in-memory unit of work: its decisions (idempotency,
ownership, plans, the trend) are tested without a database; the SQL behind the same protocol is
tested on SQLite and PostgreSQL in tests/api/test_trend.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.domain.snapshot import Snapshot
from app.errors import Conflict, InvalidInput, NotFound
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn
from app.services import assessments as svc
from app.services.keys import Principal
from tests.conftest import DEQING_PROFILE
from tests.unit.fakes import FakeUnitOfWork

ME = Principal(1, "me", frozenset({"assessments"}))
YOU = Principal(2, "you", frozenset({"assessments"}))


def profile(year: int = 2024, **indicators: float) -> ProfileIn:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["county"]["year"] = year
    data["indicators"].update(indicators)
    return ProfileIn.model_validate(data)


def test_create_get_and_owner_scope(snapshot: Snapshot) -> None:
    uow = FakeUnitOfWork()
    out, created = svc.create(uow, snapshot, ME, profile(), "en", None)
    assert created
    assert out["plan"] is None
    assert svc.get(uow, ME, out["id"]) == out
    with pytest.raises(NotFound):
        svc.get(uow, YOU, out["id"])
    assert svc.list_for(uow, YOU, None, 0, 10) == []


def test_idempotent_replay_reuse_and_expiry(snapshot: Snapshot) -> None:
    uow = FakeUnitOfWork()
    first, _ = svc.create(uow, snapshot, ME, profile(), "en", "k1")
    again, created = svc.create(uow, snapshot, ME, profile(), "en", "k1")
    assert (again, created) == (first, False)
    with pytest.raises(InvalidInput):
        svc.create(uow, snapshot, ME, profile(2023), "en", "k1")
    with pytest.raises(InvalidInput):  # the same profile with a plan is another request
        svc.create(uow, snapshot, ME, profile(), "en", "k1", PlanOptions())
    uow.state.assessments[first["id"]].created_at = datetime.now(UTC) - timedelta(hours=25)
    fresh, created = svc.create(uow, snapshot, ME, profile(2023), "en", "k1")
    assert created
    assert fresh["id"] != first["id"]
    assert len(uow.state.assessments) == 2


def test_a_concurrent_duplicate_is_a_conflict_and_writes_nothing(snapshot: Snapshot) -> None:
    uow = FakeUnitOfWork()
    uow.state.duplicate_key = True
    with pytest.raises(Conflict):
        svc.create(uow, snapshot, ME, profile(), "en", "k1")
    assert uow.state.assessments == {}


def test_plan_is_stored_and_a_late_horizon_names_the_query_parameter(snapshot: Snapshot) -> None:
    uow = FakeUnitOfWork()
    out, _ = svc.create(uow, snapshot, ME, profile(), "zh", None, PlanOptions(horizon=2032))
    assert out["has_plan"]
    assert out["plan"]["horizon"] == 2032
    assert out["plan"]["actions"]
    with pytest.raises(InvalidInput) as caught:
        svc.create(uow, snapshot, ME, profile(2029), "zh", None, PlanOptions(horizon=2030))
    assert caught.value.errors[0].pointer == ""
    assert caught.value.errors[0].message.startswith("query parameter horizon")
    assert len(uow.state.assessments) == 1


def test_trend_latest_per_year_in_order_with_changes_and_progress(snapshot: Snapshot) -> None:
    uow = FakeUnitOfWork()
    svc.create(uow, snapshot, ME, profile(2024, foreign_trade_cny_100m=420.0), "en", None)
    planned, _ = svc.create(
        uow, snapshot, ME, profile(2022, foreign_trade_cny_100m=280.0), "en", None, PlanOptions()
    )
    svc.create(uow, snapshot, ME, profile(2023, foreign_trade_cny_100m=250.0), "en", None)
    svc.create(uow, snapshot, ME, profile(2023, foreign_trade_cny_100m=300.0), "en", None)
    svc.create(uow, snapshot, YOU, profile(2025, foreign_trade_cny_100m=999.0), "en", None)
    out = svc.trend(uow, snapshot, ME, "330521", "en")
    assert [p.year for p in out.points] == [2022, 2023, 2024]
    assert [p.indicators["foreign_trade_cny_100m"] for p in out.points] == [280, 300, 420]
    assert out.points[0].assessment_id == planned["id"]
    lq = [
        i
        for c in out.changes
        for i in c.indicators
        if i.indicator == "trade_lq" and c.to_year == 2024
    ]
    assert lq[0].change == "improved"
    progress = out.progress[0]
    assert progress.assessment_id == planned["id"]
    kpis = progress.kpis  # a quotient such as trade_lq takes no target; the plan's rows do
    assert kpis
    assert all(k.latest_year == 2024 for k in kpis)
    assert {k.status for k in kpis} <= {"met", "on_track", "behind", "not_started"}
    assert svc.trend(uow, snapshot, YOU, "330521", "en").progress == []
