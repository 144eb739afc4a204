"""Stored assessment shapes, and the trend of a county over the years."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.schemas.plans import PlanResult
from app.schemas.profile import ProfileIn
from app.schemas.result import CountyOut, RecommendationResult
from app.schemas.vocabulary import Status


class ChallengeStatus(BaseModel):
    slug: str
    status: Status
    severity: float


class AssessmentSummary(BaseModel):
    id: str = Field(description="Random UUID.")
    created_at: datetime = Field(description="ISO 8601 UTC.")
    county: CountyOut
    year: int | None
    kb_version: str
    benchmark: str
    challenges: list[ChallengeStatus]
    has_plan: bool = Field(description="Whether the action plan was stored with it.")


class AssessmentDetail(AssessmentSummary):
    profile: ProfileIn
    result: RecommendationResult
    plan: PlanResult | None = Field(
        description="The action plan made with the assessment (`?plan=true`), else null."
    )


class AssessmentPage(BaseModel):
    items: list[AssessmentSummary]
    next_cursor: str | None


class StatusSeverity(BaseModel):
    status: Status
    severity: float


class TrendPoint(BaseModel):
    year: int
    assessment_id: str
    kb_version: str | None
    indicators: dict[str, float] = Field(description="Given and derived values of that year.")
    challenges: dict[str, StatusSeverity]


Change = Literal["improved", "worsened", "changed"]


class ChallengeChange(BaseModel):
    challenge: str
    from_status: Status
    to_status: Status
    from_severity: float
    to_severity: float
    change: Change


class IndicatorChange(BaseModel):
    indicator: str
    from_: float = Field(alias="from")
    to: float
    change: Change = Field(description="`changed` for an indicator with no good direction.")


class YearChange(BaseModel):
    from_year: int
    to_year: int
    challenges: list[ChallengeChange]
    indicators: list[IndicatorChange]


class KpiProgress(BaseModel):
    path: str
    indicator: str
    label: str
    baseline: float | None
    target: float | None
    due: int
    latest_year: int | None
    latest_value: float | None
    expected: float | None = Field(
        description="Where the value should be by `latest_year` on a straight line from the "
        "baseline to the target."
    )
    status: Literal["met", "on_track", "behind", "no_data", "no_target", "not_started"]


class PlanProgress(BaseModel):
    assessment_id: str = Field(description="The assessment the plan was stored with.")
    year: int
    horizon: int
    kpis: list[KpiProgress]


class TrendResult(BaseModel):
    county_code: str
    county: CountyOut | None
    points: list[TrendPoint] = Field(description="The latest assessment of each year, in order.")
    changes: list[YearChange] = Field(description="Between each pair of consecutive points.")
    progress: list[PlanProgress] = Field(
        description="For each stored plan (latest five), later years against its KPI targets."
    )


def trend_example() -> dict[str, Any]:
    """Deqing in 2023 (with a plan stored) and 2024, as published in the API docs."""
    path = Path(__file__).with_name("deqing-trend.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
