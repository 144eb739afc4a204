"""Action plans: the request (a profile plus a horizon) and the plan as the planner answers it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.domain.plan_types import Plan
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn

DEFAULT_HORIZON = 2030


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


class PlanWarning(BaseModel):
    """A warning of the profile (as in the result) or of the plan (``sequence_compressed``)."""

    code: str
    message: str
    indicator: str | None = None
    field: str | None = None
    path: str | None = None
    suggested_value: float | None = None


@dataclass(frozen=True)
class PlanResult(Plan):
    # The plan's fields are app.domain.plan_types.Plan's (the county and constraints the
    # result's own types); its warnings, the profile's or the plan's own, are published as one
    # object with the fields of either.
    warnings: list[PlanWarning]  # type: ignore[assignment]


def deqing_plan_example() -> dict[str, Any]:
    """The Deqing plan in Chinese (first three actions) as published in the API docs."""
    path = Path(__file__).with_name("deqing-plan.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
