"""The knowledge-base document: one validated shape shared by seeds, storage, export and engine.

It lives in the domain because the engine reasons over it and cross-reference rules are domain
rules; it uses Pydantic only as a validating data container (no I/O, no framework).
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
Tag = Literal["V", "S", "P", "D", "R"]
Family = Literal["industry", "talent", "policy"]
FAMILIES: tuple[Family, ...] = ("industry", "talent", "policy")
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
Dimension = Literal["economy", "industry", "innovation", "talent", "opening", "green", "digital"]
DIMENSIONS: tuple[Dimension, ...] = (
    "economy",
    "industry",
    "innovation",
    "talent",
    "opening",
    "green",
    "digital",
)

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
KEY_RE = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_RE, min_length=2, max_length=80)]
Key = Annotated[str, Field(pattern=KEY_RE, min_length=2, max_length=64)]
_CJK = re.compile(r"[\u3400-\u9fff]")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Text(Frozen):
    """A text in English and Simplified Chinese; both present, and they must differ."""

    en: str = Field(min_length=1, max_length=4000)
    zh: str = Field(min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _bilingual(self) -> Text:
        if self.en == self.zh:
            raise ValueError("the English and Chinese texts are identical")
        if not _CJK.search(self.zh):
            raise ValueError("the Chinese text holds no Chinese characters")
        return self

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class Source(Frozen):
    """Where a figure or claim comes from: a paper section, a statistics page, or our heuristic."""

    document: str | None = Field(default=None, pattern=SLUG_RE)
    section: str | None = Field(default=None, pattern=r"^\d+(\.\d+)*$")
    doi: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    publisher: str | None = Field(default=None, max_length=200)
    year: int | None = Field(default=None, ge=1949, le=2100)
    tag: Tag | None = None
    heuristic: bool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _kind(self) -> Source:
        if self.document is not None:
            if self.section is None:
                raise ValueError("a document source names its section")
        elif self.url is None and self.publisher is None and not self.heuristic:
            raise ValueError(
                "a source needs a document and section, a url or publisher, or heuristic"
            )
        if self.heuristic and self.note is None:
            raise ValueError("a heuristic source explains itself in a note")
        return self


class Document(Frozen):
    slug: Slug
    title: str
    doi: str | None = None
    url: str | None = None
    licence: str | None = None
    sections: list[str] = Field(min_length=1)


class ContextKey(Frozen):
    """A benchmark figure that is not a county indicator (e.g. the exchange rate)."""

    key: Key
    label: Text
    unit_label: Text


class Slip(Frozen):
    """A typical unit mistake: the entered value is ``factor`` times the true one."""

    factor: float = Field(gt=0)
    input: Key | None = None
    text: Text


class Indicator(Frozen):
    key: Key
    dimension: Dimension
    unit: str = Field(pattern=KEY_RE)
    unit_label: Text
    label: Text
    description: Text
    direction: Direction
    min: float
    max: float
    plausible: tuple[float, float] | None = None
    slips: list[Slip] = Field(default_factory=list)
    scale: Literal["linear", "log"] = "linear"
    derived: bool = False
    formula: str | None = None
    inputs: list[Key] = Field(default_factory=list)
    consistency_tolerance: float | None = Field(default=None, gt=0, lt=1)
    source: Source | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Indicator:
        if not self.min < self.max:
            raise ValueError("min must be below max")
        if self.plausible is not None:
            lo, hi = self.plausible
            if not (self.min <= lo < hi <= self.max):
                raise ValueError("plausible range must lie inside [min, max]")
        if self.derived and not self.formula:
            raise ValueError("a derived indicator states its formula")
        if self.formula and not self.inputs:
            raise ValueError("a formula lists its inputs")
        return self


class Figure(Frozen):
    """One sourced number: value as corrected, and as printed when the source erred."""

    indicator: Key
    value: float
    year: int = Field(ge=1949, le=2100)
    tag: Tag
    source: Source
    printed: float | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _explained(self) -> Figure:
        if self.printed is not None and self.note is None:
            raise ValueError("a corrected figure explains the correction in a note")
        return self


class Benchmark(Frozen):
    slug: Slug
    kind: Literal["national", "provincial", "policy_target"]
    region: str = Field(min_length=2, max_length=60)
    year: int = Field(ge=1949, le=2100)
    title: Text
    description: Text
    values: list[Figure] = Field(min_length=1)
    source: Source


class Signal(Frozen):
    slug: Slug
    challenge: Slug
    label: Text
    description: Text
    source: Source


class Threshold(Frozen):
    """A band edge: an absolute value, a multiple of the benchmark, or a reference percentile."""

    value: float | None = None
    ratio: float | None = Field(default=None, gt=0)
    percentile: float | None = Field(default=None, gt=0, lt=100)
    fallback: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Threshold:
        kinds = [k for k in (self.value, self.ratio, self.percentile) if k is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of value, ratio, percentile")
        if self.value is not None and self.fallback is not None:
            raise ValueError("an absolute threshold needs no fallback")
        return self

    @property
    def basis(self) -> str:
        if self.value is not None:
            return "absolute"
        return "benchmark_ratio" if self.ratio is not None else "percentile"


class Rule(Frozen):
    indicator: Key
    bad_when: Literal["below", "above"]
    watch: Threshold
    flag: Threshold
    weight: float = Field(gt=0, le=10)
    max_band: Literal["watch", "flag"] = "flag"
    anchor: Source
    note: Text | None = None


class Challenge(Frozen):
    slug: Slug
    family: Family
    title: Text
    summary: Text
    reasoning: Text
    rules: list[Rule] = Field(min_length=1)
    min_indicators: int = Field(ge=1, le=20)
    signal_weight: float = Field(default=0.15, ge=0, le=1)
    signal_cap: float = Field(default=0.6, ge=0, le=1)
    watch_at: float = Field(default=0.25, gt=0, lt=1)
    flag_at: float = Field(default=0.5, gt=0, lt=1)
    coverage_note: Text | None = None
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> Challenge:
        if self.watch_at >= self.flag_at:
            raise ValueError("watch_at must be below flag_at")
        keys = [r.indicator for r in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("an indicator appears in two rules of one challenge")
        return self


class Address(Frozen):
    challenge: Slug
    weight: float = Field(gt=0, le=1)
    why: Text


class FitCondition(Frozen):
    """A circumstance that makes a path fit better (met) or worse (missed) for a county."""

    indicator: Key | None = None
    signal: Slug | None = None
    op: Literal["lt", "le", "gt", "ge"] | None = None
    value: float | None = None
    met_factor: float = Field(default=1.1, ge=1, le=2)
    missed_factor: float = Field(default=0.85, gt=0, le=1)
    text: Text

    @model_validator(mode="after")
    def _shape(self) -> FitCondition:
        if (self.indicator is None) == (self.signal is None):
            raise ValueError("a fit condition names either an indicator or a signal")
        if self.indicator is not None and (self.op is None or self.value is None):
            raise ValueError("an indicator condition gives op and value")
        return self


class Path(Frozen):
    slug: Slug
    family: Family
    title: Text
    summary: Text
    actions: list[Text] = Field(min_length=3, max_length=6)
    addresses: list[Address] = Field(min_length=1)
    fit: list[FitCondition] = Field(default_factory=list)
    outcome_indicators: list[Key] = Field(default_factory=list)
    no_example_reason: Text | None = None
    source: Source


class ExampleFigure(Frozen):
    key: Key
    value: float
    unit: Text
    label: Text


class Example(Frozen):
    slug: Slug
    county: Slug = "deqing"
    title: Text
    summary: Text
    year: int | None = Field(default=None, ge=1949, le=2100)
    figures: list[ExampleFigure] = Field(default_factory=list)
    paths: list[Slug] = Field(min_length=1)
    source: Source


class ReferenceCounty(Frozen):
    slug: Slug
    name: Text
    code: str = Field(pattern=r"^\d{6}$")
    province: str = Field(min_length=2, max_length=60)
    values: list[Figure] = Field(min_length=1)


class Meta(Frozen):
    title: Text
    documents: list[Document] = Field(min_length=1)
    context_keys: list[ContextKey] = Field(default_factory=list)


class KnowledgeBase(Frozen):
    """The whole knowledge base. Its checksum identifies the content, whatever its origin."""

    meta: Meta
    indicators: list[Indicator]
    benchmarks: list[Benchmark]
    signals: list[Signal]
    challenges: list[Challenge]
    paths: list[Path]
    examples: list[Example]
    reference_counties: list[ReferenceCounty]

    def canonical_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)

    def checksum(self) -> str:
        return hashlib.sha256(self.canonical_json()).hexdigest()


KINDS: tuple[str, ...] = (
    "meta",
    "indicators",
    "benchmarks",
    "signals",
    "challenges",
    "paths",
    "examples",
    "reference_counties",
)
