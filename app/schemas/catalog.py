"""Catalog response shapes: every field typed, vocabularies as named enums. New fields may be
added within /v1 (docs/versioning.md), none renamed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, create_model

from app.domain.knowledge import per_language
from app.domain.result_types import SourceOut
from app.schemas.vocabulary import (
    BadWhen,
    BenchmarkKind,
    Comparison,
    Direction,
    Family,
    MaxBand,
    Scale,
    SourceTag,
)


class IndicatorOut(BaseModel):
    key: str
    dimension: str
    unit: str
    unit_label: str
    label: str
    description: str
    direction: Direction
    min: float
    max: float
    plausible: list[float] | None = Field(
        description="The range most counties fall in: `[low, high]`; a value outside draws a "
        "warning.",
    )
    scale: Scale
    derived: bool
    formula: str | None
    inputs: list[str]
    source: SourceOut | None


class SignalOut(BaseModel):
    slug: str
    challenge: str
    label: str
    description: str
    source: SourceOut


class ThresholdRule(BaseModel):
    """One line of a rule: exactly one of ``value``, ``ratio`` (of the benchmark's value) or
    ``percentile`` (of the reference counties), with a ``fallback`` value when that is unknown,
    and the line's own source when it has one."""

    value: float | None = None
    ratio: float | None = None
    percentile: float | None = None
    fallback: float | None = None
    source: SourceOut | None = None


class DatedThresholdRule(BaseModel):
    """A line that changed over the years: each value in force from its date (YYYY-MM-DD)."""

    values: dict[str, ThresholdRule]


class RuleOut(BaseModel):
    indicator: str
    bad_when: BadWhen
    watch: ThresholdRule | DatedThresholdRule
    flag: ThresholdRule | DatedThresholdRule
    weight: float
    max_band: MaxBand
    anchor: SourceOut
    note: str | None


class ChallengeDetail(BaseModel):
    slug: str
    family: Family
    title: str
    summary: str
    reasoning: str
    min_indicators: int
    signal_weight: float
    signal_cap: float
    watch_at: float
    flag_at: float
    signals: list[str]
    rules: list[RuleOut]
    paths: list[str]
    source: SourceOut


class PathAddress(BaseModel):
    challenge: str
    weight: float
    why: str


class FitConditionOut(BaseModel):
    """A circumstance that makes the path fit better (met) or worse (missed)."""

    indicator: str | None
    signal: str | None
    op: Comparison | None
    value: float | None
    met_factor: float
    missed_factor: float
    text: str


class PathDetail(BaseModel):
    slug: str
    family: Family
    title: str
    summary: str
    actions: list[str]
    addresses: list[PathAddress]
    fit: list[FitConditionOut]
    outcome_indicators: list[str]
    examples: list[str]
    no_example_reason: str | None
    source: SourceOut


class FigureOut(BaseModel):
    indicator: str
    value: float
    year: int
    tag: SourceTag
    printed: float | None = Field(description="The value as the source printed it, if it erred.")
    note: str | None
    source: SourceOut


class ExampleFigureOut(BaseModel):
    """A figure quoted by a worked example (an investment, a count), in its own unit, with the
    year it describes and where it is printed (the example's own year and source unless it
    names others)."""

    key: str
    value: float
    unit: str
    label: str
    year: int | None
    tag: SourceTag | None
    note: str | None
    source: SourceOut


class ExampleDetail(BaseModel):
    slug: str
    county: str
    title: str
    summary: str
    year: int | None
    figures: list[ExampleFigureOut]
    paths: list[str]
    source: SourceOut


class ReferenceCountyDetail(BaseModel):
    slug: str
    name: str
    code: str
    province: str
    values: list[FigureOut]


class BenchmarkDetail(BaseModel):
    slug: str
    kind: BenchmarkKind
    region: str
    year: int
    title: str
    description: str
    values: list[FigureOut]
    source: SourceOut


if TYPE_CHECKING:

    class KbTitle(BaseModel):
        """The knowledge base's title, a field per language (built from the catalogue)."""

else:
    KbTitle = create_model("KbTitle", __module__=__name__, **per_language())


class DocumentOut(BaseModel):
    slug: str
    title: str
    doi: str | None
    licence: str | None


class KbCounts(BaseModel):
    indicators: int
    benchmarks: int
    signals: int
    challenges: int
    paths: int
    examples: int
    reference_counties: int
    cases: int = Field(description="Sets of expert cases (`countypath kb test` runs them).")


class KbSummary(BaseModel):
    version: int
    kb_version: str
    checksum: str
    title: KbTitle
    documents: list[DocumentOut]
    counts: KbCounts


def page_of(model: type[BaseModel]) -> type[BaseModel]:
    """A ``{items, next_cursor}`` page model for one item type."""
    return create_model(
        f"{model.__name__.removesuffix('Out').removesuffix('Detail')}Page",
        items=(list[model], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, Field(description="Pass as `cursor` for the next page.")),
    )
