"""Catalog response shapes (open: new fields may be added, none renamed)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from app.schemas.result import SourceOut


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class IndicatorOut(Open):
    key: str
    dimension: str
    unit: str
    unit_label: str
    label: str
    description: str
    direction: Literal["higher_is_better", "lower_is_better", "neutral"]
    min: float
    max: float
    plausible: list[float] | None
    scale: Literal["linear", "log"]
    derived: bool
    formula: str | None
    inputs: list[str]
    source: SourceOut | None


class SignalOut(Open):
    slug: str
    challenge: str
    label: str
    description: str
    source: SourceOut


class LineOut(BaseModel):
    """A rule line: one of value, ratio or percentile (with a fallback), and its own source."""

    value: float | None = None
    ratio: float | None = None
    percentile: float | None = None
    fallback: float | None = None
    source: SourceOut | None = None


class DatedLineOut(BaseModel):
    """A line that changed over the years: each value in force from its date (YYYY-MM-DD)."""

    values: dict[str, LineOut]


class RuleOut(Open):
    indicator: str
    bad_when: Literal["below", "above"]
    watch: LineOut | DatedLineOut
    flag: LineOut | DatedLineOut
    weight: float
    max_band: Literal["watch", "flag"]
    anchor: SourceOut
    note: str | None


class ChallengeDetail(Open):
    slug: str
    family: Literal["industry", "talent", "policy"]
    title: str
    summary: str
    reasoning: str
    min_indicators: int
    signals: list[str]
    rules: list[RuleOut]
    paths: list[str]
    source: SourceOut


class PathDetail(Open):
    slug: str
    family: Literal["industry", "talent", "policy"]
    title: str
    summary: str
    actions: list[str]
    addresses: list[dict[str, Any]]
    fit: list[dict[str, Any]]
    outcome_indicators: list[str]
    examples: list[str]
    no_example_reason: str | None
    source: SourceOut


class ExampleDetail(Open):
    slug: str
    county: str
    title: str
    summary: str
    year: int | None
    figures: list[dict[str, Any]]
    paths: list[str]
    source: SourceOut


class FigureOut(Open):
    indicator: str
    value: float
    year: int
    tag: Literal["V", "S", "P", "D", "R"]
    printed: float | None
    note: str | None
    source: SourceOut


class ReferenceCountyDetail(Open):
    slug: str
    name: str
    code: str
    province: str
    values: list[FigureOut]


class BenchmarkDetail(Open):
    slug: str
    kind: Literal["national", "provincial", "policy_target"]
    region: str
    year: int
    title: str
    description: str
    values: list[FigureOut]
    source: SourceOut


class KbSummary(Open):
    version: int
    kb_version: str
    checksum: str
    counts: dict[str, int]


def page_of(model: type[BaseModel]) -> type[BaseModel]:
    """A ``{items, next_cursor}`` page model for one item type."""
    from pydantic import create_model

    return create_model(
        f"{model.__name__.removesuffix('Out').removesuffix('Detail')}Page",
        items=(list[model], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, ...),
    )
