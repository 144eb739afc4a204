"""Action plans: the request (a profile plus a horizon) and the plan as the planner answers it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.knowledge import Lang
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn
from app.schemas.result import CountyOut
from app.schemas.vocabulary import Family, Status

DEFAULT_HORIZON = 2030
Basis = Literal["clears_line", "pace_limited", "measure_baseline", "no_direction", "no_pace"]


class PlanOptions(BaseModel):
    """What a plan adds to a profile; shared by the plan, report and assessment requests."""

    horizon: int = Field(
        default=DEFAULT_HORIZON,
        ge=2028,
        le=2050,
        description="Last year of the plan (default 2030, the end of the 15th Five-Year Plan). "
        "The plan starts the year after the profile's year (2026 at the earliest) and needs "
        "three years at least.",
    )
    max_actions: int = Field(
        default=10,
        ge=1,
        le=30,
        description="How many top-ranked paths become actions; a recommended path one of them "
        "depends on joins the plan as well.",
    )


class PlanRequest(ProfileIn, PlanOptions):
    """A county profile and the plan's horizon."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={"examples": [DEQING_EXAMPLE | {"horizon": 2030}]},
    )

    def profile(self) -> ProfileIn:
        """The profile part, for the recommendation it builds on."""
        return ProfileIn.model_construct(
            **{name: getattr(self, name) for name in ProfileIn.model_fields}
        )


class Named(BaseModel):
    slug: str
    name: str = Field(description="In the request's language, e.g. 县发展和改革局.")


class PhaseOut(BaseModel):
    start: int
    end: int


class StageOut(BaseModel):
    stage: int = Field(ge=1, le=3)
    name: str
    start: int
    end: int


class KpiOut(BaseModel):
    indicator: str
    label: str
    unit: str
    unit_label: str
    direction: Literal["increase", "decrease"] | None
    baseline: float | None = Field(description="The profile's value, given or derived.")
    target: float | None = Field(description="The value to reach by `year`.")
    year: int = Field(description="When the target is due: inside the action's phase.")
    line: float | None = Field(description="The line that clears the challenge, if one is due.")
    pace: float | None = Field(description="The credible change per year (knowledge base).")
    basis: Basis
    basis_text: str


class AddressedOut(BaseModel):
    challenge: str
    title: str
    status: Status
    confidence: float


class ActionOut(BaseModel):
    rank: int
    path: str
    family: Family
    title: str
    stage: int = Field(ge=1, le=3)
    phase: PhaseOut
    lead: Named
    partners: list[Named]
    funding: list[Named]
    kpis: list[KpiOut]
    depends_on: list[str] = Field(description="Paths of this plan that must start first.")
    required_by: list[str] = Field(description="Paths of this plan that wait for this one.")
    addresses: list[AddressedOut]
    tasks: list[str]


class PlanChallenge(BaseModel):
    slug: str
    title: str
    status: Status
    severity: float
    confidence: float


class PlanWarning(BaseModel):
    """A warning of the profile (as in the result) or of the plan (``sequence_compressed``)."""

    code: str
    message: str
    indicator: str | None = None
    field: str | None = None
    path: str | None = None
    suggested_value: float | None = None


class PlanResult(BaseModel):
    county: CountyOut
    kb_version: str
    benchmark: str
    language: Lang
    start: int
    horizon: int
    phases: list[StageOut]
    challenges: list[PlanChallenge]
    actions: list[ActionOut]
    warnings: list[PlanWarning]


def deqing_plan_example() -> dict[str, Any]:
    """The Deqing plan in Chinese (first three actions) as published in the API docs."""
    path = Path(__file__).with_name("deqing-plan.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
