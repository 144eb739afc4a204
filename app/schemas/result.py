"""Response shapes, for the OpenAPI document and contract tests. Handlers serialise the engine's
plain dicts directly (fast, byte-stable); these models describe exactly that output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["flag", "watch", "ok", "insufficient_data"]
Band = Literal["ok", "watch", "flag"]
Family = Literal["industry", "talent", "policy"]


CountyKind = Literal[
    "industrial",
    "export-oriented",
    "agricultural",
    "ecological",
    "resource-based",
    "metro-fringe",
    "tourism",
]
LineBasis = Literal["absolute", "benchmark_ratio", "percentile", "fallback"]
WarningCode = Literal["unit_suspect", "inconsistent", "benchmark_fallback"]


class Out(BaseModel):
    """Response models describe the engine's output exactly: no field beyond those listed."""

    model_config = ConfigDict(extra="forbid")


class SourceOut(Out):
    document: str | None = None
    section: str | None = None
    doi: str | None = None
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    tag: Literal["V", "S", "P", "D", "R"] | None = None
    heuristic: bool | None = None
    note: str | None = None


class CountyOut(Out):
    name: str
    code: str | None
    province: str | None
    year: int | None
    kinds: list[CountyKind] | None = Field(
        default=None, description="The kinds the profile declared (absent when it declared none)."
    )


class WarningOut(Out):
    code: WarningCode
    indicator: str | None = Field(
        description="The indicator concerned, if the warning is about one."
    )
    field: str = Field(description="JSON Pointer to the part of the profile to check.")
    message: str
    suggested_value: float | None = None


class Thresholds(Out):
    watch: float
    flag: float


class Basis(Out):
    watch: LineBasis
    flag: LineBasis


class LineSources(Out):
    watch: SourceOut | None = None
    flag: SourceOut | None = None


class EvidenceOut(Out):
    indicator: str
    label: str
    value: float
    unit: str
    unit_label: str
    band: Band
    benchmark_value: float | None
    thresholds: Thresholds
    basis: Basis
    bad_when: Literal["below", "above"]
    target: float | None = Field(
        description="The value that would bring this indicator back to `ok` (its watch line); "
        "null when it is already `ok`."
    )
    weight: float
    anchor: SourceOut
    line_sources: LineSources | None = Field(
        default=None, description="Sources of the lines themselves, when they have their own."
    )


class TraceRule(Out):
    indicator: str
    value: float
    watch: float
    flag: float
    basis: Basis
    benchmark_value: float | None
    band: Band
    badness: float = Field(ge=0, le=1)
    weight: float


class TraceSignals(Out):
    asserted: list[str]
    weight_each: float
    cap: float
    score: float


class ConfidenceParts(Out):
    value: float
    coverage: float
    decisiveness: float


class ChallengeTrace(Out):
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
    available: int | None = None


class ChallengeOut(Out):
    slug: str
    title: str
    status: Status
    severity: float = Field(ge=0, le=1)
    confidence: float = Field(
        ge=0,
        le=1,
        description="How much of the challenge's evidence was available (coverage) times how "
        "decisive it is (distance of the severity from the nearest status line).",
    )
    confidence_level: Literal["high", "medium", "low"]
    family: Family
    summary: str
    evidence: list[EvidenceOut]
    signals: list[str]
    missing: list[str] = Field(description="Indicators that would sharpen this diagnosis.")
    unresolved: list[str]
    source: SourceOut
    trace: ChallengeTrace | None = None


class ChallengeSummaryOut(Out):
    slug: str
    title: str
    status: Status
    severity: float = Field(ge=0, le=1)
    confidence: float = Field(ge=0, le=1)


class AddressOut(Out):
    challenge: str
    contribution: float
    why: str


class BuildsOnOut(Out):
    indicator: str
    value: float
    contribution: float
    why: str


class ExampleRef(Out):
    slug: str
    title: str
    county: str
    year: int | None
    kinds: list[CountyKind]
    source: SourceOut


class FitOut(Out):
    condition: str
    outcome: Literal["met", "missed", "unknown", "conflict"]
    sentence: str | None = Field(description="What is the case for the county; null if unknown.")


class KindFitOut(Out):
    suits: list[CountyKind]
    unsuited: list[CountyKind]


class ScoreTarget(Out):
    challenge: str | None = None
    indicator: str | None = None
    weight: float
    severity: float | None = None
    share: float


class ScoreParts(Out):
    targets: list[ScoreTarget]
    fit_factor: float
    kind_factor: float
    standalone_score: float
    marginal_score: float


class RecommendationOut(Out):
    rank: int
    slug: str
    family: Family
    origin: Literal["paper", "beyond-paper"]
    title: str
    score: float = Field(ge=0, le=100)
    standalone_score: float = Field(ge=0, le=100)
    summary: str
    addresses: list[AddressOut]
    builds_on: list[BuildsOnOut]
    rationale: str
    actions: list[str]
    fit: list[FitOut]
    kind_fit: KindFitOut
    outcome_indicators: list[str]
    examples: list[ExampleRef]
    source: SourceOut
    score_parts: ScoreParts | None = None


class AddressSummaryOut(Out):
    challenge: str
    contribution: float


class RecommendationSummaryOut(Out):
    rank: int
    slug: str
    family: Family
    title: str
    score: float = Field(ge=0, le=100)
    addresses: list[AddressSummaryOut]


class PeerOut(Out):
    slug: str
    name: str
    similarity: float = Field(ge=0, le=1)
    compared: list[str]


class PeersNote(Out):
    code: Literal["no_comparable_peers", "peers_need_level"]
    message: str


class KindEvidenceOut(Out):
    indicator: str
    value: float
    op: Literal["lt", "le", "gt", "ge"]
    line: float


class KindOut(Out):
    slug: CountyKind
    label: str
    basis: Literal["declared", "inferred"]
    evidence: list[KindEvidenceOut]


class StrengthOut(Out):
    indicator: str
    label: str
    value: float
    unit: str
    unit_label: str
    line: float
    when: Literal["above", "below"]
    basis: LineBasis
    benchmark_value: float | None
    anchor: SourceOut


class BenchmarkDetail(Out):
    slug: str
    kind: Literal["national", "provincial", "policy_target"]
    region: str
    year: int
    title: str
    confidence: float = Field(ge=0, le=1, description="Mean trust of its figures by tag.")
    overrides: list[str] = Field(description="Indicators the caller's benchmark_values replaced.")


class ChangeOut(Out):
    challenge: str
    from_status: Status
    to_status: Status
    from_severity: float
    to_severity: float


class ScenarioOut(Out):
    indicators: dict[str, float]
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    recommendations: list[RecommendationOut]
    changes: list[ChangeOut]


class RecommendationResult(Out):
    """The full view (``?view=full``, the default)."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: Literal["en", "zh"]
    view: Literal["full"]
    benchmark_detail: BenchmarkDetail
    kinds: list[KindOut]
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    recommendations: list[RecommendationOut]
    peers: list[PeerOut]
    peers_note: PeersNote | None
    scenario: ScenarioOut | None = None


class RecommendationSummary(Out):
    """The summary view (``?view=summary``): no evidence, rationale, actions or examples."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: Literal["en", "zh"]
    view: Literal["summary"]
    warnings: list[WarningOut]
    challenges: list[ChallengeSummaryOut]
    recommendations: list[RecommendationSummaryOut] = Field(description="The top ten ranked paths.")


class ProfileEcho(Out):
    county: CountyOut
    indicators: dict[str, float]
    signals: list[str]
    benchmark: str


class ValidationResult(Out):
    profile: ProfileEcho
    derived: dict[str, float]
    kinds: list[KindOut]
    warnings: list[WarningOut]
    kb_version: str


class BatchError(BaseModel):
    index: int
    status: int
    code: str
    detail: str
    errors: list[dict[str, Any]]


class BatchItem(BaseModel):
    index: int
    result: RecommendationResult | RecommendationSummary | None = Field(
        default=None, discriminator="view"
    )
    error: BatchError | None = None


class BatchResult(BaseModel):
    count: int
    succeeded: int
    failed: int
    items: list[BatchItem]


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
