"""Response shapes of the diagnosis endpoints, for the OpenAPI document and contract tests.
Handlers serialise the engine's plain dicts directly (fast, byte-stable); these models describe
exactly that output, every object typed and every closed vocabulary a named enum
(app.schemas.vocabulary).

To add a field the engine now returns: add it to the model here (optional with a default when
not every answer has it), then refresh the published artefacts with UPDATE_OPENAPI_SNAPSHOT=1;
tests/api/test_output_models.py fails while any answer carries a field no model declares.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.domain.knowledge import (
    AdminForm,
    ConstraintCode,
    ConstraintStatus,
    ResourceStage,
    ResourceType,
    Sector,
    Zone,
)
from app.errors import ErrorCode
from app.schemas.vocabulary import (
    BadWhen,
    Band,
    Basis,
    BenchmarkKind,
    Comparison,
    ConfidenceLevel,
    CountyKind,
    Family,
    FitOutcome,
    KindBasis,
    Language,
    Origin,
    PeersNoteCode,
    SourceTag,
    Status,
    WarningCode,
)


class SourceOut(BaseModel):
    document: str | None = None
    section: str | None = None
    doi: str | None = None
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    tag: SourceTag | None = None
    heuristic: bool | None = None
    note: str | None = None


class ResourceOut(BaseModel):
    type: ResourceType
    stage: ResourceStage | None


class CountyOut(BaseModel):
    name: str
    code: str | None
    province: str | None
    year: int | None
    kinds: list[CountyKind] | None = Field(
        default=None, description="The kinds the profile declared (absent when it declared none)."
    )
    main_function_zone: Zone | None = Field(
        default=None, description="The declared main-function zone (absent when not declared)."
    )
    resource: ResourceOut | None = None
    leading_industries: list[str] | None = None
    official_name: str | None = Field(
        default=None, description="The name the national division table gives the code."
    )
    prefecture: str | None = Field(
        default=None,
        description="The prefecture above the county (null directly under a province).",
    )
    admin_form: AdminForm | None = Field(
        default=None,
        description="The administrative form from the code (county, county-level city, district, "
        "banner, autonomous county …): it names the county's departments in a plan.",
    )
    admin_form_label: str | None = None
    division_code: str | None = Field(
        default=None, description="The current code (differs from `code` when that was retired)."
    )


class WarningOut(BaseModel):
    code: WarningCode
    indicator: str | None = Field(
        description="The indicator concerned, if the warning is about one."
    )
    field: str = Field(description="JSON Pointer to the part of the profile to check.")
    message: str
    suggested_value: float | None = None


class Thresholds(BaseModel):
    watch: float
    flag: float


class ThresholdBasis(BaseModel):
    watch: Basis
    flag: Basis


class LineSources(BaseModel):
    watch: SourceOut | None = None
    flag: SourceOut | None = None


class NationalLinesOut(BaseModel):
    benchmark: str
    benchmark_value: float
    thresholds: Thresholds
    benchmark_lags: bool = Field(
        description="Whether the county's own benchmark itself lies past the nation's watch line."
    )


class EvidenceOut(BaseModel):
    indicator: str
    label: str
    value: float
    unit: str
    unit_label: str
    band: Band
    benchmark_value: float | None
    benchmark_year: int | None = Field(
        default=None,
        description="The year of the benchmark figure, which may be older than its set's "
        "(the benchmark's figure says why in its note); null without a benchmark figure.",
    )
    thresholds: Thresholds
    basis: ThresholdBasis
    bad_when: BadWhen
    target: float | None = Field(
        description="The value that would bring this indicator back to `ok` (its watch line); "
        "null when it is already `ok`."
    )
    weight: float
    anchor: SourceOut
    line_sources: LineSources | None = Field(
        default=None, description="Sources of the lines themselves, when they have their own."
    )
    against: Literal["benchmark", "nation"] | None = Field(
        default=None,
        description="For a gap rule, which lines made the band: the county's own set's or the "
        "nation's (the worse counts).",
    )
    national: NationalLinesOut | None = Field(
        default=None, description="A gap rule's lines against the nation."
    )


class TraceRule(BaseModel):
    indicator: str
    value: float
    watch: float
    flag: float
    basis: ThresholdBasis
    benchmark_value: float | None
    band: Band
    badness: float = Field(ge=0, le=1)
    weight: float


class TraceSignals(BaseModel):
    asserted: list[str]
    weight_each: float
    cap: float
    score: float


class ConfidenceParts(BaseModel):
    value: float
    coverage: float
    decisiveness: float


class RuleLeftOut(BaseModel):
    """A line of a challenge that does not judge this county, and why."""

    indicator: str
    unmet: list[UnmetOut]


class ChallengeTrace(BaseModel):
    """How the numbers of one challenge were made (``?trace=true``)."""

    rules: list[TraceRule] | None = None
    indicator_score: float | None = None
    signals: TraceSignals | None = None
    combined: float | None = None
    floor: Status | None = None
    capped_at_watch: bool | None = None
    status_lines: Thresholds | None = None
    kind_factor: float | None = None
    signal_floor: bool | None = None
    severity: float | None = None
    confidence: ConfidenceParts | None = None
    reason: Literal["too_few_indicators"] | None = None
    not_applicable: list[RuleLeftOut] | None = Field(
        default=None,
        description="Lines of this challenge that do not judge the county, with the "
        "requirement each needs and the county does not meet (or does not declare).",
    )
    available: int | None = None


class ChallengeSummaryOut(BaseModel):
    slug: str
    title: str
    status: Status
    severity: float = Field(ge=0, le=1)
    confidence: float = Field(ge=0, le=1)


# A challenge in the full view: the summary's fields (the confidence explained), then the
# evidence behind them. (No docstring: it would become the schema's description.)
class ChallengeOut(ChallengeSummaryOut):
    confidence: float = Field(
        ge=0,
        le=1,
        description="How much of the challenge's evidence was available (coverage) times how "
        "decisive it is (distance of the severity from the nearest status line).",
    )
    confidence_level: ConfidenceLevel
    family: Family
    summary: str = Field(description="What the challenge is, in general.")
    finding: str | None = Field(
        description="What the county's own figures and reported signals say of it, when it is "
        "flagged or watched; null otherwise."
    )
    evidence: list[EvidenceOut]
    signals: list[str]
    missing: list[str] = Field(description="Indicators that would sharpen this diagnosis.")
    unresolved: list[str]
    source: SourceOut
    trace: ChallengeTrace | None = None


class AddressOut(BaseModel):
    challenge: str
    contribution: float
    why: str


class BuildsOnOut(BaseModel):
    indicator: str
    value: float | None = Field(
        description="The county's value; null for a leading industry declared without its share."
    )
    contribution: float
    why: str


class DutyOut(BaseModel):
    duty: str = Field(
        description="The declared kind or zone whose duty or agenda the path carries."
    )
    contribution: float
    why: str


class ExampleRef(BaseModel):
    slug: str
    title: str
    county: str
    county_name: str = Field(description="The example's own county, in the reader's language.")
    year: int | None
    kinds: list[CountyKind]
    source: SourceOut


class FitOut(BaseModel):
    condition: str
    outcome: FitOutcome
    sentence: str | None = Field(description="What is the case for the county; null if unknown.")


class KindFitOut(BaseModel):
    suits: list[CountyKind]
    unsuited: list[CountyKind]


class ScoreTarget(BaseModel):
    challenge: str | None = None
    indicator: str | None = None
    name: str | None = Field(default=None, description="The kind or zone of a duty.")
    owner: str | None = Field(
        default=None, description="Whose duty: `kind:<kind>` or `zone:<zone>`."
    )
    weight: float
    severity: float | None = None
    share: float


class ScoreParts(BaseModel):
    targets: list[ScoreTarget]
    fit_factor: float
    kind_factor: float
    standalone_score: float
    marginal_score: float


class WantsOut(BaseModel):
    """The condition an item needs of the county, as the knowledge base states it: exactly one
    subject is given (kinds, a zone, a resource, the province, an indicator compared with a
    value, a signal, a constraint's status, a pairing side)."""

    kinds: list[CountyKind] | None = None
    declared_kinds: list[CountyKind] | None = None
    not_kinds: list[CountyKind] | None = None
    zones: list[Zone] | None = None
    not_zones: list[Zone] | None = None
    resources: list[ResourceType] | None = None
    stages: list[ResourceStage] | None = None
    provinces: list[str] | None = None
    not_provinces: list[str] | None = None
    forms: list[AdminForm] | None = None
    leading_industry: bool | None = None
    leading_sectors: list[Sector] | None = None
    indicator: str | None = None
    op: Literal["lt", "le", "gt", "ge"] | None = None
    value: float | None = None
    signal: str | None = None
    constraint: ConstraintCode | None = None
    status: list[ConstraintStatus] | None = None
    pairing: Literal["giving", "receiving"] | None = None


class UnmetOut(BaseModel):
    subject: str
    outcome: Literal["missed", "unknown"]
    wants: WantsOut


class LeftOutAction(BaseModel):
    action: str
    unmet: list[UnmetOut]


class LeftOutPath(BaseModel):
    slug: str
    reason: Literal["requirements", "no_action_fits"]
    unmet: list[UnmetOut]


class RecommendationOut(BaseModel):
    rank: int
    slug: str
    family: Family
    origin: Origin
    title: str
    score: float = Field(ge=0, le=100)
    standalone_score: float = Field(ge=0, le=100)
    summary: str
    addresses: list[AddressOut]
    builds_on: list[BuildsOnOut]
    duties: list[DutyOut] = Field(
        default_factory=list,
        description="The first duties or agenda items of the county's declared kinds the path carries.",
    )
    rationale: str
    actions: list[str]
    fit: list[FitOut]
    kind_fit: KindFitOut
    outcome_indicators: list[str]
    examples: list[ExampleRef]
    source: SourceOut
    score_parts: ScoreParts | None = None
    actions_left_out: list[LeftOutAction] | None = Field(
        default=None,
        description="With `?trace=true`: actions not shown, and the requirements they miss.",
    )


class AddressSummaryOut(BaseModel):
    challenge: str
    contribution: float


class RecommendationSummaryOut(BaseModel):
    rank: int
    slug: str
    family: Family
    title: str
    score: float = Field(ge=0, le=100)
    addresses: list[AddressSummaryOut]


class PeerOut(BaseModel):
    slug: str
    name: str
    similarity: float = Field(ge=0, le=1)
    compared: list[str]
    shared_kinds: list[CountyKind] = Field(default_factory=list)
    why: str = Field(description="Why the county is comparable, in words.")


class PeersNote(BaseModel):
    code: PeersNoteCode
    message: str


class KindEvidenceOut(BaseModel):
    indicator: str
    value: float
    op: Comparison
    line: float


class KindOut(BaseModel):
    slug: CountyKind
    label: str = Field(
        description="A declared kind by its name; one read off the figures by the trait it shows."
    )
    basis: KindBasis
    via: Literal["kinds", "zone", "resource"] | None = Field(
        default=None, description="The declared fact that gives the kind (kinds, zone or resource)."
    )
    evidence: list[KindEvidenceOut]


class LeadingIndustryOut(BaseModel):
    names: list[str] = Field(description="As the profile gives them.")
    labels: list[str] = Field(
        description="In the answer's language: a known industry by its name in the knowledge "
        "base, another as the profile gives it."
    )
    sectors: list[Sector] = Field(description="The sectors of the known industries.")
    share: float | None
    basis: Literal["declared", "evident"]
    concentration_risk: Literal["resource", "declining"] | None = Field(
        description="Why concentration in it is a risk (the resource itself, or in decline); "
        "null when it is a base to upgrade."
    )


class ConstraintEvidenceOut(BaseModel):
    basis: Literal["indicator", "province_debt_control"]
    label: str | None
    level: Literal["tight", "binding"] | None
    indicator: str | None = None
    value: float | None = None
    unit: str | None = None
    line: float | None = None
    province: str | None = None


class ConstraintLeftOut(BaseModel):
    path: str
    title: str
    action: str | None = Field(description="The action held back; null when the whole path is.")


class ConstraintOut(BaseModel):
    code: ConstraintCode
    label: str
    status: ConstraintStatus
    evidence: list[ConstraintEvidenceOut]
    effect: str | None = Field(description="What the constraint changes, when tight or binding.")
    left_out: list[ConstraintLeftOut]


class ConstraintSummaryOut(BaseModel):
    code: ConstraintCode
    status: ConstraintStatus


class StrengthOut(BaseModel):
    indicator: str
    label: str
    value: float | None = Field(
        description="The county's value; null for a leading industry the county declares "
        "without giving its share of output."
    )
    unit: str
    unit_label: str
    line: float
    when: BadWhen
    basis: Basis
    benchmark_value: float | None
    anchor: SourceOut


class BenchmarkUsed(BaseModel):
    slug: str
    kind: BenchmarkKind
    region: str
    year: int
    title: str
    confidence: float = Field(ge=0, le=1, description="Mean trust of its figures by tag.")
    overrides: list[str] = Field(description="Indicators the caller's benchmark_values replaced.")


class ChangeOut(BaseModel):
    challenge: str
    from_status: Status
    to_status: Status
    from_severity: float
    to_severity: float


class ScenarioOut(BaseModel):
    indicators: dict[str, float]
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    constraints: list[ConstraintOut]
    paths_ranked: int | None = Field(
        default=None, description="How many paths fit the county under the scenario."
    )
    recommendations: list[RecommendationOut]
    changes: list[ChangeOut]


class RecommendationResult(BaseModel):
    """The full view (``?view=full``, the default)."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: Language
    view: Literal["full"]
    benchmark_detail: BenchmarkUsed
    kinds: list[KindOut]
    leading_industry: LeadingIndustryOut | None
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    constraints: list[ConstraintOut]
    paths_ranked: int | None = Field(
        default=None,
        description="How many paths fit the county and were ranked; `recommendations` holds the "
        "first `?paths=` of them (all by default).",
    )
    recommendations: list[RecommendationOut]
    peers: list[PeerOut]
    peers_note: PeersNote | None
    paths_left_out: list[LeftOutPath] | None = Field(
        default=None, description="With `?trace=true`: paths never shown, and why."
    )
    scenario: ScenarioOut | None = None


class RecommendationSummary(BaseModel):
    """The summary view (``?view=summary``): no evidence, rationale, actions or examples."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: Language
    view: Literal["summary"]
    warnings: list[WarningOut]
    challenges: list[ChallengeSummaryOut]
    constraints: list[ConstraintSummaryOut]
    recommendations: list[RecommendationSummaryOut] = Field(description="The top ten ranked paths.")


class ProfileEcho(BaseModel):
    county: CountyOut
    indicators: dict[str, float]
    signals: list[str]
    benchmark: str


class ValidationResult(BaseModel):
    profile: ProfileEcho
    derived: dict[str, float]
    kinds: list[KindOut]
    warnings: list[WarningOut]
    kb_version: str


class RowProblem(BaseModel):
    """One invalid field of a batch row, by JSON Pointer into that row."""

    pointer: str
    code: str
    message: str


class BatchError(BaseModel):
    index: int = Field(ge=0, description="The row, counted from 0 in input order.")
    status: int
    code: ErrorCode
    detail: str
    errors: list[RowProblem]


class BatchItem(BaseModel):
    """One row's outcome: its ``result``, or its ``error``."""

    index: int = Field(ge=0)
    result: RecommendationResult | RecommendationSummary | None = Field(
        default=None, discriminator="view"
    )
    error: BatchError | None = None


class BatchWarning(BaseModel):
    """Something a CSV or workbook table held that was left out: a column nobody knows
    (``unknown_column``), a total row (``total_row``), a note under the table (``note_row``)."""

    code: str
    row: int = Field(ge=1, description="The sheet row (or CSV line).")
    column: str = Field(description="Column letter and header, e.g. `F (备注)`; '' if none.")
    message: str


class BatchResult(BaseModel):
    items: list[BatchItem]
    count: int
    succeeded: int
    failed: int
    warnings: list[BatchWarning] = Field(
        default_factory=list, description="What the table reader left out (CSV and workbooks)."
    )


def deqing_result_examples() -> dict[str, Any]:
    """The Deqing results published in the API docs: the full view (first three challenges and
    paths), the summary view, and a traced result (first challenge and path)."""
    path = Path(__file__).with_name("deqing-result.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def deqing_result_example() -> dict[str, Any]:
    """The full view of the Deqing result, as published in the API docs."""
    full: dict[str, Any] = deqing_result_examples()["full"]
    return full
