"""Stored assessment shapes, and the trend of a county over the years."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from app.domain.result_types import CountyOut, RecommendationResult
from app.domain.trend import Trend
from app.schemas.plans import PlanResult
from app.schemas.profile import ProfileIn
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


@dataclass(frozen=True)
class TrendResult(Trend):
    # The trend's own fields are app.domain.trend.Trend's; the county is the result's.
    county: CountyOut | None  # type: ignore[assignment]


def trend_example() -> dict[str, Any]:
    """Deqing in 2023 (with a plan stored) and 2024, as published in the API docs."""
    path = Path(__file__).with_name("deqing-trend.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
