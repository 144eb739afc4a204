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
from typing import Any

from pydantic import BaseModel, Field

from app.errors import ErrorCode
from app.schemas.vocabulary import (
    BadWhen,
    Band,
    Basis,
    Family,
    FitOutcome,
    Language,
    SourceTag,
    Status,
    WarningCode,
)


class SourceOut(BaseModel):
    """Where an item comes from: a section of a document, or a statistics page."""

    document: str | None = Field(default=None, description="Document slug, e.g. `yuan-2025`.")
    section: str | None = None
    doi: str | None = None
    url: str | None = None
    publisher: str | None = None
    year: int | None = None
    tag: SourceTag | None = None
    heuristic: bool | None = Field(default=None, description="True for countypath's own rule.")
    note: str | None = None


class CountyOut(BaseModel):
    name: str
    code: str | None
    province: str | None
    year: int | None


class WarningOut(BaseModel):
    code: WarningCode
    indicator: str
    message: str
    suggested_value: float | None = Field(
        default=None, description="The value the profile probably meant (unit slips)."
    )


class Thresholds(BaseModel):
    watch: float
    flag: float


class ThresholdBasis(BaseModel):
    watch: Basis
    flag: Basis


class EvidenceOut(BaseModel):
    indicator: str
    label: str
    value: float
    unit: str
    unit_label: str
    band: Band
    benchmark_value: float | None
    thresholds: Thresholds
    basis: ThresholdBasis
    bad_when: BadWhen
    target: float = Field(description="The value that brings this indicator back to `ok`.")
    weight: float
    anchor: SourceOut


class ChallengeOut(BaseModel):
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
    outcome: FitOutcome


class RecommendationOut(BaseModel):
    rank: int = Field(ge=1)
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


class RecommendationResult(BaseModel):
    county: CountyOut
    kb_version: str
    benchmark: str
    language: Language
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
    result: RecommendationResult | None = None
    error: BatchError | None = None


class BatchResult(BaseModel):
    items: list[BatchItem]
    count: int
    succeeded: int
    failed: int


def deqing_result_example() -> dict[str, Any]:
    """The Deqing result (first three challenges and paths) as published in the API docs."""
    path = Path(__file__).with_name("deqing-result.example.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
