"""The action plan as typed values, defined once: the planner (app.domain.plan) builds them, every
renderer reads their fields, the API publishes them as its schema (app.schemas.plans) and its JSON
is their fields in order (orjson writes a dataclass as an object of its fields).

Frozen dataclasses, without slots (orjson writes an instance with a ``__dict__`` several times
faster than a slotted one): nothing is validated twice on the hot path. Pydantic reads them for the published schema (the field
descriptions below are the OpenAPI's) and for a plan stored with an assessment
(``stored_plan``). A field's order is the order the answer has always written its keys in.

The parts a plan borrows from the recommendation result (the county, its constraints, its
warnings) are the result's own types (app.domain.result_types).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from app.domain.knowledge import CostBand, Family, LangCode, Status, Timing
from app.domain.result_types import ConstraintOut, CountyOut, WarningOut, stored

TargetBasis = Literal["clears_line", "pace_limited", "pace", "hold", "best_observed"]
TargetKind = Literal["binding", "expected"]
Share = Literal["main", "shared", "minor"]


@dataclass(frozen=True)
class Named:
    slug: str
    name: Annotated[str, Field(description="In the request's language, e.g. 县发展和改革局.")]


@dataclass(frozen=True)
class PhaseOut:
    start: int
    end: int


@dataclass(frozen=True)
class StageOut:
    stage: Annotated[int, Field(ge=1, le=3)]
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class TargetOut:
    """One row of the plan's main targets (主要目标): one per indicator."""

    indicator: str
    label: str
    unit: str
    unit_label: str
    direction: Literal["increase", "decrease"]
    baseline: Annotated[float, Field(description="The county's value, given or derived.")]
    target: Annotated[
        float, Field(description="The value to reach by `year`, rounded as a plan writes it.")
    ]
    year: Annotated[int, Field(description="When the target is due.")]
    kind: Annotated[
        TargetKind,
        Field(
            description="Binding (a line the plan must hold) or expected (a level it aims at); `kind_label` names it in the answer's language."
        ),
    ]
    kind_label: str
    basis: TargetBasis
    basis_text: Annotated[
        str, Field(description="The basis in words: a pace, a line, the level held.")
    ]
    line: Annotated[
        float | None, Field(description="The line that clears the challenge, if one is due.")
    ]
    best_observed: Annotated[
        float | None,
        Field(
            description="The best value any reference county or benchmark shows: a cap on targets."
        ),
    ]
    base_year: Annotated[
        int | None,
        Field(
            description="The year of the baseline: the profile's statistics year (the year before the plan's first when the profile gives none)."
        ),
    ] = None


@dataclass(frozen=True)
class ToMeasureOut:
    """An outcome indicator an action moves that the profile does not give: measured first."""

    indicator: str
    label: str
    unit_label: str
    kind: Annotated[
        TargetKind,
        Field(
            description="Binding: the target is the task the province or city assigns; expected: set once the baseline is measured."
        ),
    ] = "expected"


@dataclass(frozen=True)
class OutputKpiOut:
    """An output a bureau is assessed on that is not an indicator: its baseline comes first."""

    slug: str
    label: str
    unit_label: str
    kind: TargetKind
    kind_label: str
    baseline: float | None
    target: float | None
    basis_text: str
    paths: list[str]


@dataclass(frozen=True)
class AddressedOut:
    challenge: str
    title: str
    status: Status
    confidence: float


@dataclass(frozen=True)
class FundingNote:
    dropped: Annotated[
        list[str],
        Field(
            description="Channels of the path the county cannot use (a channel of another "
            "region, such as the north-east's black-soil funds elsewhere, is not named)."
        ),
    ]
    reasons: Annotated[
        list[str],
        Field(
            description="Why each of `dropped` cannot be used, in its order (`debt`: government "
            "debt binds; otherwise the channel does not serve this county)."
        ),
    ]
    text: str


@dataclass(frozen=True)
class CostOut:
    county_share: Annotated[
        Share | None, Field(description="The county's own share, by its fiscal self-sufficiency.")
    ]
    county_share_text: str
    band: Annotated[
        CostBand | None,
        Field(
            description="small: under 10 million yuan a year; medium: tens of millions; large: a "
            "hundred million or more; null: to be costed."
        ),
    ]
    label: str
    basis: str | None


@dataclass(frozen=True)
class TaskOut:
    text: str
    start: int
    timing: Timing | None
    cost: CostBand | None
    new_build: bool
    lead: Named | None


@dataclass(frozen=True)
class ActionOut:
    rank: int
    path: str
    family: Family
    title: str
    stage: Annotated[int, Field(ge=1, le=3)]
    phase: PhaseOut
    lead: Named | None
    partners: list[Named]
    funding: list[Named]
    funding_note: FundingNote | None
    cost: CostOut
    kpis: Annotated[list[TargetOut], Field(description="The plan's target rows this action moves.")]
    outputs: Annotated[
        list[str], Field(description="Slugs of the plan's `outputs` this action delivers.")
    ]
    to_measure: Annotated[
        list[ToMeasureOut],
        Field(
            description="Indicators this action moves that the profile does not give: their "
            "baselines are measured first, then their targets set."
        ),
    ]
    depends_on: Annotated[list[str], Field(description="Paths of this plan that must start first.")]
    required_by: Annotated[
        list[str], Field(description="Paths of this plan that wait for this one.")
    ]
    addresses: list[AddressedOut]
    tasks: list[str]
    task_details: list[TaskOut]
    serves: Annotated[
        list[str],
        Field(
            description="Indicators of the plan's county-wide main targets (GDP and income per "
            "head, fiscal self-sufficiency) this action works toward: main targets only, not its "
            "KPIs, since no one action moves them alone."
        ),
    ] = dataclass_field(default_factory=list)

    @property
    def lead_name(self) -> str:
        """The lead unit's name, empty for a path without one."""
        return self.lead.name if self.lead else ""


@dataclass(frozen=True)
class PlanChallenge:
    slug: str
    title: str
    status: Status
    severity: float
    confidence: float


@dataclass(frozen=True)
class SequenceWarning:
    """The plan's own warning: a path's stages were squeezed to fit the horizon."""

    code: Literal["sequence_compressed"]
    path: str
    message: str


@dataclass(frozen=True)
class ProgrammeOut:
    slug: str
    name: str
    side: Literal["giving", "receiving", "both"]
    partners: list[str]


@dataclass(frozen=True)
class Plan:
    """An action plan in one language (published as ``PlanResult``)."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: LangCode
    start: int
    horizon: int
    phases: list[StageOut]
    challenges: list[PlanChallenge]
    targets: Annotated[
        list[TargetOut],
        Field(description="One target per indicator: the plan's table of main targets."),
    ]
    outputs: list[OutputKpiOut]
    constraints: list[ConstraintOut]
    programmes: Annotated[
        list[ProgrammeOut],
        Field(
            description="Pairing programmes of the county's province (east-west cooperation, counterpart support, mountain-sea cooperation …)."
        ),
    ]
    actions: list[ActionOut]
    warnings: list[WarningOut | SequenceWarning]
    to_measure: Annotated[
        list[ToMeasureOut],
        Field(
            description="County-wide indicators the plan's actions work toward that the profile "
            "does not give: main targets once their baselines are measured."
        ),
    ] = dataclass_field(default_factory=list)


@cache
def _plan_adapter() -> TypeAdapter[Plan]:
    return TypeAdapter(Plan)


def stored_plan(data: Mapping[str, Any]) -> Plan:
    """A plan stored with an assessment (its JSON, as it was answered) read back into the type;
    a key added to the plan since it was stored reads its empty value (``stored``)."""
    return stored(_plan_adapter(), data)
