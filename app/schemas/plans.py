"""Action plans: the request (a profile plus a horizon) and the plan as the planner answers it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.domain.knowledge import LangCode
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn
from app.schemas.result import ConstraintOut, CountyOut
from app.schemas.vocabulary import Family, Status

DEFAULT_HORIZON = 2030
TargetBasis = Literal["clears_line", "pace_limited", "pace", "hold", "best_observed"]


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


class TargetOut(BaseModel):
    """One row of the plan's main targets (主要目标): one per indicator."""

    indicator: str
    label: str
    unit: str
    unit_label: str
    direction: Literal["increase", "decrease"]
    baseline: float = Field(description="The county's value, given or derived.")
    target: float = Field(description="The value to reach by `year`, rounded as a plan writes it.")
    year: int = Field(description="When the target is due.")
    kind: Literal["binding", "expected"] = Field(
        description="Binding (a line the plan must hold) or expected (a level it aims at); `kind_label` names it in the answer's language."
    )
    kind_label: str
    basis: TargetBasis
    basis_text: str = Field(description="The basis in words: a pace, a line, the level held.")
    line: float | None = Field(description="The line that clears the challenge, if one is due.")
    best_observed: float | None = Field(
        description="The best value any reference county or benchmark shows: a cap on targets."
    )


class ToMeasureOut(BaseModel):
    """An outcome indicator an action moves that the profile does not give: measured first."""

    indicator: str
    label: str
    unit_label: str


class OutputKpiOut(BaseModel):
    """An output a bureau is assessed on that is not an indicator: its baseline comes first."""

    slug: str
    label: str
    unit_label: str
    kind: Literal["binding", "expected"]
    kind_label: str
    baseline: float | None
    target: float | None
    basis_text: str
    paths: list[str]


class AddressedOut(BaseModel):
    challenge: str
    title: str
    status: Status
    confidence: float


class FundingNote(BaseModel):
    dropped: list[str] = Field(
        description="Channels of the path the county cannot use (a channel of another region, "
        "such as the north-east's black-soil funds elsewhere, is not named)."
    )
    reasons: list[str] = Field(
        description="Why each of `dropped` cannot be used, in its order (`debt`: government "
        "debt binds; otherwise the channel does not serve this county)."
    )
    text: str


class CostOut(BaseModel):
    band: Literal["small", "medium", "large"] | None = Field(
        description="small: under 10 million yuan a year; medium: tens of millions; large: a "
        "hundred million or more; null: to be costed."
    )
    label: str
    basis: str | None
    county_share: Literal["main", "shared", "minor"] | None = Field(
        description="The county's own share, by its fiscal self-sufficiency."
    )
    county_share_text: str


class TaskOut(BaseModel):
    text: str
    start: int
    timing: Literal["quick", "structural"] | None
    cost: Literal["small", "medium", "large"] | None
    new_build: bool
    lead: Named | None


class ActionOut(BaseModel):
    rank: int
    path: str
    family: Family
    title: str
    stage: int = Field(ge=1, le=3)
    phase: PhaseOut
    lead: Named | None
    partners: list[Named]
    funding: list[Named]
    funding_note: FundingNote | None
    cost: CostOut
    kpis: list[TargetOut] = Field(description="The plan's target rows this action moves.")
    outputs: list[str] = Field(description="Slugs of the plan's `outputs` this action delivers.")
    to_measure: list[ToMeasureOut] = Field(
        description="Indicators this action moves that the profile does not give: their "
        "baselines are measured first, then their targets set."
    )
    depends_on: list[str] = Field(description="Paths of this plan that must start first.")
    required_by: list[str] = Field(description="Paths of this plan that wait for this one.")
    addresses: list[AddressedOut]
    tasks: list[str]
    task_details: list[TaskOut]


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


class ProgrammeOut(BaseModel):
    slug: str
    name: str
    side: Literal["giving", "receiving", "both"]
    partners: list[str]


class PlanResult(BaseModel):
    county: CountyOut
    kb_version: str
    benchmark: str
    language: LangCode
    start: int
    horizon: int
    phases: list[StageOut]
    challenges: list[PlanChallenge]
    targets: list[TargetOut] = Field(
        description="One target per indicator: the plan's table of main targets."
    )
    outputs: list[OutputKpiOut]
    constraints: list[ConstraintOut]
    programmes: list[ProgrammeOut] = Field(
        description="Pairing programmes of the county's province (east-west cooperation, counterpart support, mountain-sea cooperation …)."
    )
    actions: list[ActionOut]
    warnings: list[PlanWarning]


def deqing_plan_example() -> dict[str, Any]:
    """The Deqing plan in Chinese (first three actions) as published in the API docs."""
    path = Path(__file__).with_name("deqing-plan.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
