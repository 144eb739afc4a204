"""The knowledge-base document: one validated shape shared by seeds, storage, export and engine.

It lives in the domain because the engine reasons over it and cross-reference rules are domain
rules; it uses Pydantic only as a validating data container (no I/O, no framework).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

import orjson
from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from app.domain.cases import CaseSet
from app.domain.language import Lang as Lang
from app.domain.language import codes, language, languages, read_in, required

LANGS: tuple[Lang, ...] = codes()
"""The catalogue's languages, in its order (app/locales/messages.yaml)."""
_REQUIRED = required()
if TYPE_CHECKING:
    LangCode = str
else:
    LangCode = Literal[LANGS]
    """A language code as a schema states it: an enum of the catalogue's codes, in its order."""
Tag = Literal["V", "S", "P", "D", "R"]
Family = Literal["industry", "talent", "policy"]
FAMILIES: tuple[Family, ...] = get_args(Family)
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
Dimension = Literal[
    "economy", "industry", "innovation", "talent", "opening", "green", "digital", "constraint"
]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

CountyKind = Literal[
    "industrial",
    "export-oriented",
    "agricultural",
    "ecological",
    "resource-based",
    "metro-fringe",
    "tourism",
    "border",
    "pastoral",
    "trade-hub",
    "capital-fringe",
    "poverty-exit",
]
COUNTY_KINDS: tuple[CountyKind, ...] = get_args(CountyKind)
Zone = Literal["urbanised", "agricultural", "ecological"]
"""The legal main-function-zone designation: only ever declared, never inferred."""
ZONES: tuple[Zone, ...] = get_args(Zone)
ResourceType = Literal["coal", "oil-gas", "metal", "non-metal", "forestry"]
Sector = Literal[
    "farming", "food", "manufacturing", "digital", "mining", "energy", "tourism", "trade"
]
"""What a leading industry is, for the items that need one kind of base (an industrial chain needs
manufacturing or digital firms, not rice fields)."""
RESOURCE_TYPES: tuple[ResourceType, ...] = get_args(ResourceType)
ResourceStage = Literal["growing", "mature", "declining", "regenerating"]
"""The four stages of the national plan for resource-based cities."""
RESOURCE_STAGES: tuple[ResourceStage, ...] = get_args(ResourceStage)
AdminForm = Literal[
    "county",
    "county-level-city",
    "district",
    "banner",
    "autonomous-county",
    "autonomous-banner",
    "special-district",
    "forestry-district",
]
ADMIN_FORMS: tuple[AdminForm, ...] = get_args(AdminForm)
ConstraintCode = Literal["debt", "land", "energy", "ecological-redline", "farmland", "water"]
CONSTRAINT_CODES: tuple[ConstraintCode, ...] = get_args(ConstraintCode)
ConstraintStatus = Literal["binding", "tight", "ok", "unknown"]
Region = Literal["east", "central", "west", "northeast"]
Origin = Literal["paper", "beyond-paper"]
Op = Literal["lt", "le", "gt", "ge"]
Band = Literal["ok", "watch", "flag"]
Status = Literal["flag", "watch", "ok", "insufficient_data"]

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
KEY_RE = r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_RE, min_length=2, max_length=80)]
Key = Annotated[str, Field(pattern=KEY_RE, min_length=2, max_length=64)]


class Record(BaseModel):
    """Base of every knowledge-base item: immutable, no unknown fields, text trimmed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class TextBase(Record):
    """A text in every language of the catalogue: one field per language (app.domain.language),
    required unless the language falls back to another. Texts of two languages must differ, and
    a language with a script must be written in it."""

    def texts(self) -> dict[Lang, str]:
        """The languages the text is given in, in catalogue order."""
        return {k: v for k, v in self.__dict__.items() if isinstance(v, str)}

    def get(self, lang: Lang) -> str:
        """The text in ``lang``, else in the language it falls back to."""
        own = self.__dict__.get(lang)
        return own if isinstance(own, str) else read_in(self.texts(), lang)

    @model_validator(mode="after")
    def _languages(self) -> TextBase:
        given = list(self.texts().items())
        for i, (code, text) in enumerate(given):
            for other, other_text in given[i + 1 :]:
                if text == other_text:
                    names = language(code).name, language(other).name
                    raise ValueError("the {} and {} texts are identical".format(*names))
        for code, text in given:
            lang = language(code)
            if lang.script is not None and not lang.script.search(text):
                raise ValueError(f"the {lang.name} text holds no {lang.name} characters")
        return self


def per_language(**field: Any) -> dict[str, object]:
    """A string field for each language of the catalogue (``create_model``'s fields): required
    where the language has no fallback, else absent unless given."""
    return {
        lang.code: (str, Field(**field))
        if lang.fallback is None
        else (str | None, Field(default=None, **field))
        for lang in languages()
    }


def _in_languages() -> str:
    titles = [lang.title for lang in languages() if lang.fallback is None]
    every = "both" if len(titles) == 2 else "all"
    return f"A text in {' and '.join(titles)}; {every} present, and they must differ."


if TYPE_CHECKING:

    class Text(TextBase):
        """A text in every language of the catalogue (built from it at import)."""

else:
    Text = create_model(
        "Text",
        __base__=TextBase,
        __module__=__name__,
        __doc__=_in_languages(),
        **per_language(min_length=1, max_length=4000),
    )


class Source(Record):
    """Where a figure or claim comes from: a paper section, a statistics page, or our heuristic.

    ``publisher`` names who published the document and what it is, in English; ``publisher_zh``
    says the same in Chinese. A page read on a mirror or re-post names it in a trailing
    parenthesis of both, which printed documents leave out (app.domain.sources).
    """

    document: str | None = Field(default=None, pattern=SLUG_RE)
    section: str | None = Field(default=None, pattern=r"^\d+(\.\d+)*$")
    doi: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    publisher: str | None = Field(default=None, max_length=320)
    publisher_zh: str | None = Field(default=None, max_length=320)
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


class Document(Record):
    slug: Slug
    title: str
    doi: str | None = None
    url: str | None = None
    licence: str | None = None
    sections: list[str] = Field(min_length=1)


class ContextKey(Record):
    """A benchmark figure that is not a county indicator (e.g. the exchange rate)."""

    key: Key
    label: Text
    unit_label: Text


class Slip(Record):
    """A typical unit mistake: the entered value is ``factor`` times the true one."""

    factor: float = Field(gt=0)
    input: Key | None = None
    text: Text


class Pace(Record):
    """How fast an indicator can credibly move in a year, for plan targets; cited or heuristic.
    A ``relative`` pace is a share of the county's own level (GDP per head grows 5.5% a year);
    otherwise it is a change in the indicator's unit (a share rises 1.5 points a year)."""

    max_change_per_year: float = Field(gt=0)
    relative: bool = False
    source: Source


class StrongLine(Record):
    """Where a value becomes a strength: past ``line`` on the ``when`` side (an absolute value
    or a multiple of the benchmark's)."""

    when: Literal["above", "below"]
    line: Threshold
    requires: list[Requirement] = Field(default_factory=list)
    anchor: Source

    @model_validator(mode="after")
    def _basis(self) -> StrongLine:
        if self.line.percentile is not None:
            raise ValueError("a strength line is absolute or a benchmark ratio")
        return self


class Indicator(Record):
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
    same_fact_as: Key | None = None
    strong: StrongLine | None = None
    pace: Pace | None = None
    plan_target: Literal["binding", "expected", "none"] = "expected"
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


class Figure(Record):
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


class Benchmark(Record):
    slug: Slug
    kind: Literal["national", "provincial", "policy_target"]
    region: str = Field(min_length=2, max_length=60)
    year: int = Field(ge=1949, le=2100)
    title: Text
    description: Text
    values: list[Figure] = Field(min_length=1)
    source: Source


class Signal(Record):
    slug: Slug
    challenge: Slug
    label: Text
    description: Text
    source: Source


class Threshold(Record):
    """A band edge: an absolute value, a multiple of the benchmark, or a reference percentile."""

    value: float | None = None
    ratio: float | None = Field(default=None, gt=0)
    percentile: float | None = Field(default=None, gt=0, lt=100)
    fallback: float | None = None
    source: Source | None = None

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


class DatedThreshold(Record):
    """A line that changed over the years: each value is in force from its date on."""

    values: dict[date, Threshold] = Field(min_length=1)

    def at(self, year: int | None) -> Threshold:
        """The line in force at the end of ``year`` (the latest when the year is unknown or
        before the first date, which is the earliest line then).

        >>> t = DatedThreshold(values={date(2016, 1, 1): Threshold(value=-3.2),
        ...                            date(2021, 1, 1): Threshold(value=-2.8)})
        >>> t.at(2019).value, t.at(2024).value, t.at(None).value, t.at(2010).value
        (-3.2, -2.8, -2.8, -3.2)
        """
        dates = sorted(self.values)
        if year is None:
            return self.values[dates[-1]]
        past = [d for d in dates if d <= date(year, 12, 31)]
        return self.values[past[-1] if past else dates[0]]

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(sorted(self.values))


Line = Threshold | DatedThreshold


def line_at(line: Line, year: int | None) -> Threshold:
    return line.at(year) if isinstance(line, DatedThreshold) else line


_SUBJECTS = (
    "kinds",
    "declared_kinds",
    "not_kinds",
    "zones",
    "not_zones",
    "resources",
    "stages",
    "provinces",
    "not_provinces",
    "forms",
    "leading_industry",
    "leading_sectors",
    "indicator",
    "signal",
    "constraint",
    "pairing",
)


class Requirement(Record):
    """One condition an item needs of the county before it is shown (the one condition form of
    rules, paths, actions, examples, KPIs and funding channels; app.domain.conditions judges it).

    Exactly one subject: the county is of one of ``kinds`` (declared or inferred), declares one
    of ``declared_kinds`` (or a zone or resource that implies it), or is of none of
    ``not_kinds``; its declared main-function zone is one of ``zones`` or none of ``not_zones``
    (an undeclared zone meets ``not_zones``); its declared resource type is one of ``resources``
    or its stage one of ``stages``; its province is one of ``provinces`` or none of
    ``not_provinces``; its administrative form is one of ``forms``; it has a declared or evident
    leading industry (``leading_industry``) or one of ``leading_sectors``; an ``indicator`` compares with ``value`` by ``op``;
    a ``signal`` is asserted; a ``constraint`` has one of ``status``; its province takes part in a
    pairing programme on the ``pairing`` side (receiving east-west collaboration, say). A fact the
    county has not
    declared and its figures do not show is missed, except an indicator or signal nobody gave,
    which is unknown: ``unknown`` says whether the item is then kept or dropped.
    """

    kinds: list[CountyKind] | None = Field(default=None, min_length=1)
    declared_kinds: list[CountyKind] | None = Field(default=None, min_length=1)
    not_kinds: list[CountyKind] | None = Field(default=None, min_length=1)
    zones: list[Zone] | None = Field(default=None, min_length=1)
    not_zones: list[Zone] | None = Field(default=None, min_length=1)
    resources: list[ResourceType] | None = Field(default=None, min_length=1)
    stages: list[ResourceStage] | None = Field(default=None, min_length=1)
    provinces: list[Slug] | None = Field(default=None, min_length=1)
    not_provinces: list[Slug] | None = Field(default=None, min_length=1)
    forms: list[AdminForm] | None = Field(default=None, min_length=1)
    leading_industry: bool | None = None
    leading_sectors: list[Sector] | None = Field(default=None, min_length=1)
    indicator: Key | None = None
    op: Op | None = None
    value: float | None = None
    signal: Slug | None = None
    constraint: ConstraintCode | None = None
    status: list[ConstraintStatus] | None = Field(default=None, min_length=1)
    pairing: Literal["giving", "receiving"] | None = None
    unknown: Literal["keep", "drop"] = "drop"
    note: Text | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> Requirement:
        subjects = [name for name in _SUBJECTS if getattr(self, name) is not None]
        if len(subjects) != 1:
            raise ValueError(f"a requirement has exactly one subject of {list(_SUBJECTS)}")
        compares = self.op is not None or self.value is not None
        if (self.indicator is not None) != compares or (
            compares and (self.op is None or self.value is None)
        ):
            raise ValueError("an indicator requirement gives indicator, op and value")
        if (self.constraint is None) != (self.status is None):
            raise ValueError("a constraint requirement gives constraint and status")
        return self

    @property
    def subject(self) -> str:
        return next(name for name in _SUBJECTS if getattr(self, name) is not None)


class Rule(Record):
    """One line of a challenge. ``requires`` says which counties it judges (forest cover does
    not judge a pastoral county); a ratio line reads the county's own benchmark's figure, or the
    national figure when the set lacks it, unless ``national_fallback`` is off (then the rule's
    own ``fallback`` or nothing); ``also_national`` judges a gap against the nation too, so a
    county in a province that itself lags is not called fine."""

    indicator: Key
    bad_when: Literal["below", "above"]
    watch: Line
    flag: Line
    weight: float = Field(gt=0, le=10)
    max_band: Literal["watch", "flag"] = "flag"
    requires: list[Requirement] = Field(default_factory=list)
    also_national: bool = False
    national_fallback: bool = True
    anchor: Source
    note: Text | None = None


class KindScale(Record):
    """How much a challenge weighs for a kind of county, and why."""

    factor: float = Field(gt=0, le=1.5)
    note: Text


class Challenge(Record):
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
    by_kind: dict[CountyKind, KindScale] = Field(default_factory=dict)
    source: Source

    @model_validator(mode="after")
    def _consistent(self) -> Challenge:
        if self.watch_at >= self.flag_at:
            raise ValueError("watch_at must be below flag_at")
        keys = [r.indicator for r in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("an indicator appears in two rules of one challenge")
        return self


class Address(Record):
    challenge: Slug
    weight: float = Field(gt=0, le=1)
    why: Text


_PLACEHOLDER = re.compile(r"\{(\w*)\}")


class FitCondition(Record):
    """A circumstance that makes a path fit better (met) or worse (missed) for a county.

    ``text`` states the condition (the catalog shows it); ``met`` and ``missed`` are the sentences
    a result prints, saying what is the case for the county: ``{value}`` is the county's value
    and ``{line}`` the condition's line, both with their unit. A signal condition needs no
    sentence of its own unless it is a caution: the result then says the county reports it.

    ``role`` says what a met condition means: a ``support`` the path can build on (a leading
    industry to grow a cluster on), or a ``need`` the path answers (residents who left and may
    return). A support that holds only because of a diagnosed problem counts against the path; a
    need is expected to coincide with one.
    """

    indicator: Key | None = None
    signal: Slug | None = None
    op: Op | None = None
    value: float | None = None
    role: Literal["support", "need"] = "support"
    met_factor: float = Field(default=1.1, ge=1, le=2)
    missed_factor: float = Field(default=0.85, gt=0, le=1)
    text: Text
    met: Text | None = None
    missed: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> FitCondition:
        if (self.indicator is None) == (self.signal is None):
            raise ValueError("a fit condition names either an indicator or a signal")
        if self.indicator is not None:
            if self.op is None or self.value is None:
                raise ValueError("an indicator condition gives op and value")
            if self.met is None or self.missed is None:
                raise ValueError("an indicator condition says what is the case, met and missed")
        elif self.op is not None or self.value is not None or self.missed is not None:
            raise ValueError("a signal condition has no op, value or missed sentence")
        for text in (self.met, self.missed):
            for lang in LANGS:
                names = set(_PLACEHOLDER.findall(text.get(lang))) if text else set()
                if names - {"value", "line"}:
                    raise ValueError(f"unknown placeholder in a fit sentence: {sorted(names)}")
        return self


class Duty(Record):
    """A first duty of counties that declare a kind or a zone (a county out of poverty keeps its
    people from falling back; a grain county keeps its farmland): a path that carries it out is
    worth ``weight`` x the tuning's ``duty_value`` to such a county, whatever its diagnosis."""

    kind: CountyKind | None = None
    zone: Zone | None = None
    weight: float = Field(gt=0, le=1)
    why: Text

    @model_validator(mode="after")
    def _one(self) -> Duty:
        if (self.kind is None) == (self.zone is None):
            raise ValueError("a duty belongs to a declared kind or a declared zone")
        return self


class PathKinds(Record):
    """The county kinds a path suits and those it does not, with the reason."""

    suits: list[CountyKind] = Field(default_factory=list)
    unsuited: list[CountyKind] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _disjoint(self) -> PathKinds:
        if set(self.suits) & set(self.unsuited):
            raise ValueError("a kind cannot be both suited and unsuited")
        return self


class BuildsOn(Record):
    """A strength (an indicator well past its good line) that a path makes use of; with
    ``requires``, only where the county meets them (a port's processing grows on a leading trade
    or processing industry, not on any leading industry)."""

    indicator: Key
    weight: float = Field(gt=0, le=1)
    why: Text
    requires: list[Requirement] = Field(default_factory=list)


CostBand = Literal["small", "medium", "large"]
Timing = Literal["quick", "structural"]


class OutputKpi(Record):
    """An output a bureau is assessed on (hectares of high-standard farmland, firms signed)
    that is not a profile indicator: the plan asks for its baseline to be measured first."""

    slug: Slug
    label: Text
    unit_label: Text
    kind: Literal["binding", "expected"] = "expected"
    requires: list[Requirement] = Field(default_factory=list)
    note: Text | None = None


class Action(Record):
    """One action of a path: its text, what it needs of the county to be shown, and what a plan
    needs to schedule and fund it. A plain ``{en, zh}`` mapping in the seeds is an action with no
    requirement and nothing known of its cost or timing.

    ``timing`` is ``quick`` for what a county can start in the plan's first year with the means
    it has (a survey, a service desk, a policy document), ``structural`` for what needs land,
    money or partners lined up first. ``new_build`` marks a new facility without its own revenue
    (a park, a centre, a road), which a county under binding debt control may not finance with
    debt; ``debt_financed`` marks an action whose financing is government debt (special bonds for a
    fee-earning park), shown only where debt does not bind — its path gives the alternative for a
    county whose debt does. ``cost`` is an order of magnitude for a county (small: under 10 million yuan a year;
    medium: tens of millions; large: a hundred million or more) and ``cost_basis`` says why.
    """

    text: Text
    requires: list[Requirement] = Field(default_factory=list)
    timing: Timing | None = None
    cost: CostBand | None = None
    cost_basis: Text | None = None
    new_build: bool = False
    debt_financed: bool = False
    lead: Slug | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: object) -> object:
        if isinstance(data, dict) and "text" not in data and set(_REQUIRED) <= data.keys():
            return {"text": data}
        return data

    @model_validator(mode="after")
    def _no_debt_for_new_builds(self) -> Action:
        """A new build without revenue of its own is never financed by debt where debt binds:
        the requirement is part of the action, so every reader of the knowledge base sees it."""
        borrows = self.new_build or self.debt_financed
        if borrows and not any(r.constraint == "debt" for r in self.requires):
            rule = Requirement(constraint="debt", status=["ok", "tight", "unknown"])
            object.__setattr__(self, "requires", [*self.requires, rule])
        return self


class Path(Record):
    slug: Slug
    family: Family
    origin: Origin
    title: Text
    summary: Text
    actions: list[Action] = Field(min_length=3, max_length=8)
    addresses: list[Address] = Field(default_factory=list)
    requires: list[Requirement] = Field(default_factory=list)
    builds_on: list[BuildsOn] = Field(default_factory=list)
    duties: list[Duty] = Field(default_factory=list)
    kinds: PathKinds = Field(default_factory=PathKinds)
    fit: list[FitCondition] = Field(default_factory=list)
    outcome_indicators: list[Key] = Field(default_factory=list)
    output_kpis: list[OutputKpi] = Field(default_factory=list)
    lead: Slug | None = None
    partners: list[Slug] = Field(default_factory=list)
    funding: list[Slug] = Field(default_factory=list)
    depends_on: list[Slug] = Field(default_factory=list)
    no_example_reason: Text | None = None
    source: Source

    @model_validator(mode="after")
    def _has_a_target(self) -> Path:
        if not (self.addresses or self.duties or self.builds_on):
            raise ValueError("a path addresses a challenge, carries a duty or builds on a strength")
        return self


class ExampleFigure(Record):
    """A figure of a worked example. ``source``, ``year`` and ``tag`` default to the example's
    (its source, its year, its source's tag); a figure printed elsewhere names its own."""

    key: Key
    value: float
    unit: Text
    label: Text
    year: int | None = Field(default=None, ge=1949, le=2100)
    tag: Tag | None = None
    source: Source | None = None
    note: Text | None = None


class Example(Record):
    slug: Slug
    county: Slug = "deqing"
    county_name: Text | None = None  # needed when the county is not a reference county
    title: Text
    summary: Text
    year: int | None = Field(default=None, ge=1949, le=2100)
    figures: list[ExampleFigure] = Field(default_factory=list)
    paths: list[Slug] = Field(min_length=1)
    kinds: list[CountyKind] = Field(default_factory=list)
    unsuited_kinds: list[CountyKind] = Field(default_factory=list)
    requires: list[Requirement] = Field(default_factory=list)
    source: Source


class Resource(Record):
    """The resource a resource-based county lives on, and its stage in the national plan for
    resource-based cities."""

    type: ResourceType
    stage: ResourceStage | None = None


class ReferenceCounty(Record):
    """A county with sourced figures, used as a peer. Its kinds, zone and resource are facts of
    designation (sourced in ``kinds_note``), as a profile would declare them."""

    slug: Slug
    name: Text
    code: str = Field(pattern=r"^\d{6}$")
    province: str = Field(min_length=2, max_length=60)
    kinds: list[CountyKind] = Field(default_factory=list)
    main_function_zone: Zone | None = None
    resource: Resource | None = None
    kinds_note: Text | None = None
    values: list[Figure] = Field(min_length=1)


class DebtControl(Record):
    """A province on the central list of key debt-risk provinces (2023 debt-resolution package):
    new government investment projects are strictly controlled there."""

    since: int = Field(ge=2000, le=2100)
    status: Literal["listed", "exit-applied", "exited"]
    until: int | None = Field(default=None, ge=2000, le=2100)
    source: Source


class DepartmentName(Record):
    """How a province names one of the standard county departments, where it differs from the
    common naming (the name carries ``{unit}`` where the county's form goes: 县, 市, 区, 旗)."""

    slug: Slug
    name: Text
    scope: str | None = Field(default=None, max_length=200)
    source: Source


class Programme(Record):
    """A pairing programme a province takes part in (east-west collaboration, paired assistance,
    province-internal schemes such as Zhejiang's mountain-sea cooperation), and on which side."""

    slug: Slug
    name: Text
    side: Literal["giving", "receiving", "both"]
    partners: list[Slug] = Field(default_factory=list)
    since: int | None = Field(default=None, ge=1949, le=2100)
    scope: str | None = Field(default=None, max_length=300)
    source: Source


class Province(Record):
    """A provincial-level division: GB/T 2260 prefix, the slug benchmarks use, names, region, and
    what plans need of it (debt control, department names, pairing programmes)."""

    code: str = Field(pattern=r"^\d{2}$")
    slug: Slug
    name: Text
    region: Region
    aliases: list[str] = Field(default_factory=list)
    debt_control: DebtControl | None = None
    department_names: list[DepartmentName] = Field(default_factory=list)
    programmes: list[Programme] = Field(default_factory=list)


class Condition(Record):
    """An indicator compared with a line, e.g. ``primary_share_pct ge 15``."""

    indicator: Key
    op: Op
    value: float


class KindDefinition(Record):
    """A county kind; ``infer`` lists conditions any one of which shows the kind in a county's
    figures. A kind read off the figures is named by its ``trait`` ("farm-heavy economy"), never
    by ``label``, which may be a legal designation only the county can declare. A trait of the
    economy's structure weighs ``fully`` on the paths unsuited to it; one that only hints at a
    designation (forest cover at the ecological zone) weighs ``as_caution``. A declared kind in
    ``explained_by`` accounts for the same figures (a pastoral banner's large primary sector is
    its herds, not farming), so the trait is not read then."""

    slug: CountyKind
    label: Text
    trait: Text | None = None
    trait_weighs: Literal["fully", "as_caution"] = "fully"
    explained_by: list[CountyKind] = Field(default_factory=list)
    description: Text
    infer: list[Condition] = Field(default_factory=list)
    source: Source

    @model_validator(mode="after")
    def _named_trait(self) -> KindDefinition:
        if self.infer and self.trait is None:
            raise ValueError("a kind inferred from figures names the trait it shows")
        return self


class ZoneDefinition(Record):
    """A main-function zone as the national plan names it."""

    slug: Zone
    label: Text
    source: Source


class ResourceTypeDefinition(Record):
    """A resource type; ``words`` are names of industries that are that resource (so a declared
    leading industry "coal" is known to be the resource itself)."""

    slug: ResourceType
    label: Text
    words: list[str] = Field(default_factory=list)


class IndustryDefinition(Record):
    """An industry a county may declare as leading, its sector, and the names it is declared by
    (``words``, in any language, matched without regard to case), so that 服装, "garments" and
    "apparel" are one industry, printed in the answer's language."""

    slug: Slug
    label: Text
    sector: Sector
    words: list[str] = Field(default_factory=list)


class AdminFormDefinition(Record):
    """An administrative form of a county-level unit and the prefix its departments carry
    (县发展和改革局, 市发展和改革局, 旗发展和改革局)."""

    slug: AdminForm
    label: Text
    prefix: Text
    noun: Text  # the unit in running text: "this city" / 本市


class Department(Record):
    """A standard county government department that leads or supports actions of a plan.
    ``aliases`` are the short Chinese names texts use after the county's prefix (县发改局), so a
    text is written with the county's own name for it (市发展和改革局, 旗农牧局)."""

    slug: Slug
    name: Text
    aliases: list[str] = Field(default_factory=list)


class FundingChannel(Record):
    slug: Slug
    name: Text
    description: Text
    requires: list[Requirement] = Field(default_factory=list)
    source: Source | None = None


class FxRate(Record):
    """The yuan's average rate to the US dollar in one year, with its source and tag."""

    year: int = Field(ge=1949, le=2100)
    value: float = Field(gt=0)
    source: Source

    @model_validator(mode="after")
    def _tagged(self) -> FxRate:
        if self.source.tag is None:
            raise ValueError("an exchange rate's source carries its tag")
        return self


class ConstraintLine(Record):
    """Where an indicator makes a constraint tight or binding."""

    indicator: Key
    bad_when: Literal["above", "below"]
    tight: float | None = None
    binding: float | None = None

    @model_validator(mode="after")
    def _some_line(self) -> ConstraintLine:
        if self.tight is None and self.binding is None:
            raise ValueError("a constraint line gives a tight line, a binding line or both")
        return self


class ConstraintDefinition(Record):
    """A limit a county cannot plan past (debt, land, energy, red lines, farmland, water): the
    indicators that show it, whether its province's debt control binds it, and what it changes."""

    code: ConstraintCode
    label: Text
    lines: list[ConstraintLine] = Field(min_length=1)
    debt_control: bool = False
    effect: Text
    source: Source


class Identity(Record):
    """Indicators that must add up: ``sum(terms) == total`` within ``tolerance``."""

    slug: Slug
    terms: list[Key] = Field(min_length=2)
    total: float
    tolerance: float = Field(gt=0)
    anchor: Source


class Tuned(Record):
    """A tuning value of the engine, with the reason it has this value."""

    value: float
    anchor: Source


class Tuning(Record):
    """The engine's tuning values: data, so an analyst reviews them like thresholds."""

    ranking_coverage: Tuned
    floor_watch_count: Tuned
    floor_flag_count: Tuned
    floor_flag_weight_share: Tuned
    min_percentile_sample: Tuned
    reasons_shown: Tuned
    peers_min_shared: Tuned
    peers_max: Tuned
    peers_max_level_ratio: Tuned
    kind_suits_factor: Tuned
    kind_unsuited_factor: Tuned
    conflict_factor: Tuned
    strength_value: Tuned
    confidence_high: Tuned
    confidence_medium: Tuned
    examples_shown: Tuned
    leading_industry_share: Tuned
    trait_unsuited_factor: Tuned
    duty_value: Tuned
    min_score: Tuned


class Meta(Record):
    title: Text
    documents: list[Document] = Field(min_length=1)
    context_keys: list[ContextKey] = Field(default_factory=list)
    fx_rates: list[FxRate] = Field(default_factory=list)
    constraints: list[ConstraintDefinition] = Field(default_factory=list)
    provinces: list[Province] = Field(default_factory=list)
    county_kinds: list[KindDefinition] = Field(default_factory=list)
    zones: list[ZoneDefinition] = Field(default_factory=list)
    resource_types: list[ResourceTypeDefinition] = Field(default_factory=list)
    industries: list[IndustryDefinition] = Field(default_factory=list)
    admin_forms: list[AdminFormDefinition] = Field(default_factory=list)
    unit_phrases: list[Text] = Field(
        default_factory=list,
        description="Phrases of running text that name the county's unit (its leaders, the whole "
        "county): written for a county, they follow the county's form like department names do.",
    )
    departments: list[Department] = Field(default_factory=list)
    funding_channels: list[FundingChannel] = Field(default_factory=list)
    identities: list[Identity] = Field(default_factory=list)
    tuning: Tuning


class KnowledgeBase(Record):
    """The whole knowledge base. Its checksum identifies the content, whatever its origin."""

    meta: Meta
    indicators: list[Indicator]
    benchmarks: list[Benchmark]
    signals: list[Signal]
    challenges: list[Challenge]
    paths: list[Path]
    examples: list[Example]
    reference_counties: list[ReferenceCounty]
    cases: list[CaseSet] = Field(default_factory=list)  # expert cases: app.domain.cases

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
    "cases",
)
