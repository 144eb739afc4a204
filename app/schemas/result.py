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


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SourceOut(Open):
    document: str | None = None
    section: str | None = None
    doi: str | None = None
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    tag: str | None = None
    heuristic: bool | None = None
    note: str | None = None


class CountyOut(BaseModel):
    name: str
    code: str | None
    province: str | None
    year: int | None


class WarningOut(Open):
    code: Literal["unit_suspect", "inconsistent"]
    indicator: str
    message: str
    suggested_value: float | None = None


class Thresholds(BaseModel):
    watch: float
    flag: float


class Basis(BaseModel):
    watch: str
    flag: str


class EvidenceOut(Open):
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
    target: float = Field(description="The value that brings this indicator back to `ok`.")
    weight: float
    anchor: SourceOut


class ChallengeOut(Open):
    slug: str
    title: str
    family: Family
    status: Status
    severity: float = Field(ge=0, le=1)
    summary: str
    evidence: list[EvidenceOut]
    signals: list[str]
    missing: list[str] = Field(description="Indicators that would sharpen this diagnosis.")
    unresolved: list[str]
    source: SourceOut


class AddressOut(BaseModel):
    challenge: str
    contribution: float
    why: str


class ExampleRef(BaseModel):
    slug: str
    title: str
    county: str
    year: int | None
    source: SourceOut


class FitOut(BaseModel):
    condition: str
    outcome: Literal["met", "missed", "unknown"]


class RecommendationOut(Open):
    rank: int
    slug: str
    family: Family
    title: str
    score: float = Field(ge=0, le=100)
    standalone_score: float = Field(ge=0, le=100)
    summary: str
    addresses: list[AddressOut]
    rationale: str
    actions: list[str]
    fit: list[FitOut]
    outcome_indicators: list[str]
    examples: list[ExampleRef]
    source: SourceOut


class PeerOut(BaseModel):
    slug: str
    name: str
    similarity: float = Field(ge=0, le=1)
    compared: list[str]


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
    recommendations: list[RecommendationOut]
    changes: list[ChangeOut]


class RecommendationResult(Open):
    county: CountyOut
    kb_version: str
    benchmark: str
    language: Literal["en", "zh"]
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    recommendations: list[RecommendationOut]
    peers: list[PeerOut]
    scenario: ScenarioOut | None = None


class ProfileEcho(BaseModel):
    county: CountyOut
    indicators: dict[str, float]
    signals: list[str]
    benchmark: str


class ValidationResult(BaseModel):
    profile: ProfileEcho
    derived: dict[str, float]
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
    result: RecommendationResult | None = None
    error: BatchError | None = None


class BatchResult(BaseModel):
    count: int
    succeeded: int
    failed: int
    items: list[BatchItem]


def deqing_result_example() -> dict[str, Any]:
    """The Deqing result (first three challenges and paths) as published in the API docs."""
    path = Path(__file__).with_name("deqing-result.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
