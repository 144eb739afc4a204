"""Stored assessment shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

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


class AssessmentDetail(AssessmentSummary):
    profile: ProfileIn
    result: RecommendationResult


class AssessmentPage(BaseModel):
    items: list[AssessmentSummary]
    next_cursor: str | None
