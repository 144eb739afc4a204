"""The recommendation result (contract section 5) as typed values, defined once: the engine
(app.domain.result) builds them, services, renderers and the command line read their fields, the
API publishes them as its schema (app.schemas.result) and its JSON is their fields in order
(orjson writes a dataclass as an object of the keys in its ``__dict__``).

Frozen dataclasses without slots, as the plan's (app.domain.plan_types says why), made by ``part``,
whose ``__init__`` sets an instance's ``__dict__`` in one step: a full answer builds some hundred
of them, and a frozen dataclass's own ``__init__``, one ``object.__setattr__`` per field, would
make it dearer than the dicts it replaced. A field whose
key the answer writes only when it has a value (``EvidenceOut.line_sources``, a warning's
``suggested_value``, a traced challenge's ``trace``) defaults to None and is dropped from the
instance's ``__dict__`` by ``absent`` when it has none: reading it gives None, orjson leaves the
key out, so the bytes are what they always were. The parts whose keys vary by what they describe
(a source, a challenge's trace, an unmet requirement, a score target) are TypedDicts: they are the
dicts they always were, with the keys they may have named and typed. A class without a docstring
has none on purpose: a docstring becomes the schema's description.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import KW_ONLY, MISSING, dataclass, fields
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Required, TypeVar, cast

from pydantic import (
    Field,
    GetCoreSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
)
from pydantic_core import CoreSchema, core_schema
from typing_extensions import (  # pydantic reads only this TypedDict before Python 3.12
    TypedDict,
    dataclass_transform,
)

from app.domain.knowledge import (
    AdminForm,
    Band,
    ConstraintCode,
    ConstraintStatus,
    CountyKind,
    Family,
    LangCode,
    Op,
    Origin,
    ResourceStage,
    ResourceType,
    Sector,
    Status,
    Tag,
    Zone,
)
from app.domain.thresholds import Basis

T = TypeVar("T")
BadWhen = Literal["below", "above"]
Outcome = Literal["met", "missed", "unknown", "conflict"]  # the ranking's fit outcomes
WarningCode = Literal["unit_suspect", "inconsistent", "benchmark_fallback"]
Unit01 = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=100)]


def absent(value: T, *names: str) -> T:
    """``value`` without the keys ``names`` in its ``__dict__``: each reads as its default
    (None), and orjson, which writes the ``__dict__``, leaves it out of the answer."""
    own = value.__dict__
    for name in names:
        del own[name]
    return value


@dataclass_transform(frozen_default=True)
def part(cls: type[T]) -> type[T]:
    """``cls`` as a frozen dataclass whose ``__init__`` sets the instance's ``__dict__`` at once
    (the fields, defaults and keyword-only marks are the dataclass's; Pydantic, ``replace`` and
    ``==`` work as on any dataclass), leaving out each of its ``unset_when_none`` keys that is
    None."""
    made = dataclass(frozen=True)(cls)
    optional = frozenset(getattr(made, "unset_when_none", ()))
    shape = fields(cast(Any, made))
    scope: dict[str, Any] = {"_set": object.__setattr__}
    positional: list[str] = []
    keyword: list[str] = []
    for f in shape:
        if f.default_factory is not MISSING:
            raise TypeError(f"{made.__name__}.{f.name}: a part's default is a constant")
        param = f.name
        if f.default is not MISSING:
            scope[f"_default_{f.name}"] = f.default
            param += f"=_default_{f.name}"
        (keyword if f.kw_only else positional).append(param)
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    names = [f.name for f in shape]
    first = next((i for i, name in enumerate(names) if name in optional), len(names))
    body = ", ".join(f"{name!r}: {name}" for name in names[:first])
    lines = [f"def __init__({params}):", f"    own = {{{body}}}"]
    for name in names[first:]:
        if name in optional:
            lines.append(f"    if {name} is not None:")
        lines.append(f"{'        ' if name in optional else '    '}own[{name!r}] = {name}")
    lines.append("    _set(self, '__dict__', own)")
    exec("\n".join(lines) + "\n", scope)
    init = scope["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    made.__init__ = init  # type: ignore[method-assign]
    made.__getattr__ = _added_later  # type: ignore[attr-defined]  # mypy still checks each field
    return made


# A required key a stored answer from an earlier release lacks (added since) reads the empty value
# it was read with (``stored``), by its class and name, while its instance leaves it out.
_READ_EMPTY: dict[tuple[type, str], object] = {}


def _added_later(self: object, name: str) -> object:
    """A part's attribute ``name`` when its ``__dict__`` lacks it and its class has no default:
    the empty value a key a stored answer lacks was read with, else AttributeError."""
    try:
        return _READ_EMPTY[type(self), name]
    except KeyError:
        raise AttributeError(name) from None


class Sparse:
    """A value some of whose keys (``absent_keys``) the answer writes only when they have a
    value: those of ``unset_when_none`` are left out by ``__init__`` when None (see ``part``),
    the others by the builder (``absent``). Read back from stored JSON, a key the JSON lacks is
    absent again, so a stored answer read into the type writes the bytes it was stored with."""

    absent_keys: ClassVar[tuple[str, ...]] = ()
    unset_when_none: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        keys = cls.absent_keys

        def as_stored(data: Any, validate: ValidatorFunctionWrapHandler) -> Any:
            value = validate(data)
            if isinstance(data, Mapping):
                absent(value, *(key for key in keys if key not in data))
            return value

        return core_schema.no_info_wrap_validator_function(as_stored, handler(source))


class SourceOut(TypedDict, total=False):
    document: str | None
    section: str | None
    doi: str | None
    url: str | None
    publisher: str | None
    year: int | None
    tag: Tag | None
    heuristic: bool | None
    note: str | None


@part
class ResourceOut:
    type: ResourceType
    stage: ResourceStage | None


@part
class CountyOut(Sparse):
    absent_keys = (
        "kinds",
        "main_function_zone",
        "resource",
        "leading_industries",
        "official_name",
        "prefecture",
        "admin_form",
        "admin_form_label",
        "division_code",
    )
    # a county under a province has a division but no prefecture: null, not left out
    unset_when_none = tuple(k for k in absent_keys if k != "prefecture")

    name: str
    code: str | None
    province: str | None
    year: int | None
    kinds: Annotated[
        list[CountyKind] | None,
        Field(description="The kinds the profile declared (absent when it declared none)."),
    ] = None
    main_function_zone: Annotated[
        Zone | None,
        Field(description="The declared main-function zone (absent when not declared)."),
    ] = None
    resource: ResourceOut | None = None
    leading_industries: list[str] | None = None
    official_name: Annotated[
        str | None, Field(description="The name the national division table gives the code.")
    ] = None
    prefecture: Annotated[
        str | None,
        Field(description="The prefecture above the county (null directly under a province)."),
    ] = None
    admin_form: Annotated[
        AdminForm | None,
        Field(
            description="The administrative form from the code (county, county-level city, district, "
            "banner, autonomous county …): it names the county's departments in a plan."
        ),
    ] = None
    admin_form_label: str | None = None
    division_code: Annotated[
        str | None,
        Field(description="The current code (differs from `code` when that was retired)."),
    ] = None


@part
class WarningOut(Sparse):
    absent_keys = ("suggested_value",)
    unset_when_none = absent_keys

    code: WarningCode
    indicator: Annotated[
        str | None, Field(description="The indicator concerned, if the warning is about one.")
    ]
    field: Annotated[str, Field(description="JSON Pointer to the part of the profile to check.")]
    message: str
    suggested_value: float | None = None


@part
class Thresholds:
    watch: float
    flag: float


@part
class ThresholdBasis:
    watch: Basis
    flag: Basis


class LineSources(TypedDict, total=False):
    watch: SourceOut | None
    flag: SourceOut | None


@part
class NationalLinesOut:
    benchmark: str
    benchmark_value: float
    thresholds: Thresholds
    benchmark_lags: Annotated[
        bool,
        Field(
            description="Whether the county's own benchmark itself lies past the nation's watch line."
        ),
    ]


@part
class EvidenceOut(Sparse):
    absent_keys = ("line_sources", "against", "national")
    unset_when_none = absent_keys

    indicator: str
    label: str
    value: float
    unit: str
    unit_label: str
    band: Band
    benchmark_value: float | None
    benchmark_year: Annotated[
        int | None,
        Field(
            default=None,
            description="The year of the benchmark figure, which may be older than its set's "
            "(the benchmark's figure says why in its note); null without a benchmark figure.",
        ),
    ]
    thresholds: Thresholds
    basis: ThresholdBasis
    bad_when: BadWhen
    target: Annotated[
        float | None,
        Field(
            description="The value that would bring this indicator back to `ok` (its watch line); "
            "null when it is already `ok`."
        ),
    ]
    weight: float
    anchor: SourceOut
    line_sources: Annotated[
        LineSources | None,
        Field(description="Sources of the lines themselves, when they have their own."),
    ] = None
    against: Annotated[
        Literal["benchmark", "nation"] | None,
        Field(
            description="For a gap rule, which lines made the band: the county's own set's or the "
            "nation's (the worse counts)."
        ),
    ] = None
    national: Annotated[
        NationalLinesOut | None, Field(description="A gap rule's lines against the nation.")
    ] = None


class WantsOut(TypedDict, total=False):
    """The condition an item needs of the county, as the knowledge base states it: exactly one
    subject is given (kinds, a zone, a resource, the province, an indicator compared with a
    value, a signal, a constraint's status, a pairing side)."""

    kinds: list[CountyKind] | None
    declared_kinds: list[CountyKind] | None
    not_kinds: list[CountyKind] | None
    zones: list[Zone] | None
    not_zones: list[Zone] | None
    resources: list[ResourceType] | None
    stages: list[ResourceStage] | None
    provinces: list[str] | None
    not_provinces: list[str] | None
    forms: list[AdminForm] | None
    leading_industry: bool | None
    leading_sectors: list[Sector] | None
    indicator: str | None
    op: Op | None
    value: float | None
    signal: str | None
    constraint: ConstraintCode | None
    status: list[ConstraintStatus] | None
    pairing: Literal["giving", "receiving"] | None


class UnmetOut(TypedDict):
    subject: str
    outcome: Literal["missed", "unknown"]
    wants: WantsOut


class TraceRule(TypedDict):
    indicator: str
    value: float
    watch: float
    flag: float
    basis: ThresholdBasis
    benchmark_value: float | None
    band: Band
    badness: Unit01
    weight: float


class TraceSignals(TypedDict):
    asserted: list[str]
    weight_each: float
    cap: float
    score: float


class ConfidenceParts(TypedDict):
    value: float
    coverage: float
    decisiveness: float


class RuleLeftOut(TypedDict):
    """A line of a challenge that does not judge this county, and why."""

    indicator: str
    unmet: list[UnmetOut]


class ChallengeTrace(TypedDict, total=False):
    """How the numbers of one challenge were made (``?trace=true``)."""

    rules: list[TraceRule] | None
    indicator_score: float | None
    signals: TraceSignals | None
    combined: float | None
    floor: Status | None
    capped_at_watch: bool | None
    status_lines: Thresholds | None
    kind_factor: float | None
    signal_floor: bool | None
    severity: float | None
    confidence: ConfidenceParts | None
    reason: Literal["too_few_indicators"] | None
    not_applicable: Annotated[
        list[RuleLeftOut] | None,
        Field(
            description="Lines of this challenge that do not judge the county, with the "
            "requirement each needs and the county does not meet (or does not declare)."
        ),
    ]
    available: int | None


@part
class ChallengeSummaryOut:
    slug: str
    title: str
    status: Status
    severity: Unit01
    confidence: Unit01


# A challenge in the full view: the summary's fields (the confidence explained), then the
# evidence behind them. (No docstring: it would become the schema's description.)
@part
class ChallengeOut(ChallengeSummaryOut, Sparse):
    absent_keys = ("trace",)
    unset_when_none = absent_keys

    confidence: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description="How much of the challenge's evidence was available (coverage) times how "
            "decisive it is (distance of the severity from the nearest status line).",
        ),
    ]
    confidence_level: Literal["high", "medium", "low"]
    family: Family
    summary: Annotated[str, Field(description="What the challenge is, in general.")]
    finding: Annotated[
        str | None,
        Field(
            description="What the county's own figures and reported signals say of it, when it "
            "is flagged or watched; null otherwise."
        ),
    ]
    evidence: list[EvidenceOut]
    signals: list[str]
    missing: Annotated[
        list[str], Field(description="Indicators that would sharpen this diagnosis.")
    ]
    unresolved: list[str]
    source: SourceOut
    trace: ChallengeTrace | None = None


@part
class AddressOut:
    challenge: str
    contribution: float
    why: str


@part
class BuildsOnOut:
    indicator: str
    value: Annotated[
        float | None,
        Field(
            description="The county's value; null for a leading industry declared without its share."
        ),
    ]
    contribution: float
    why: str


@part
class DutyOut:
    duty: Annotated[
        str, Field(description="The declared kind or zone whose duty or agenda the path carries.")
    ]
    contribution: float
    why: str


@part
class ExampleRef:
    slug: str
    title: str
    county: str
    county_name: Annotated[
        str, Field(description="The example's own county, in the reader's language.")
    ]
    year: int | None
    kinds: list[CountyKind]
    source: SourceOut


@part
class FitOut:
    condition: str
    outcome: Outcome
    sentence: Annotated[
        str | None, Field(description="What is the case for the county; null if unknown.")
    ]


@part
class KindFitOut:
    suits: list[CountyKind]
    unsuited: list[CountyKind]


class ScoreTarget(TypedDict, total=False):
    challenge: str | None
    indicator: str | None
    name: Annotated[str | None, Field(description="The kind or zone of a duty.")]
    owner: Annotated[str | None, Field(description="Whose duty: `kind:<kind>` or `zone:<zone>`.")]
    weight: Required[float]
    severity: float | None
    share: Required[float]


@part
class ScoreParts:
    targets: list[ScoreTarget]
    fit_factor: float
    kind_factor: float
    standalone_score: float
    marginal_score: float


@part
class LeftOutAction:
    action: str
    unmet: list[UnmetOut]


@part
class LeftOutPath:
    slug: str
    reason: Literal["requirements", "no_action_fits"]
    unmet: list[UnmetOut]


@part
class RecommendationOut(Sparse):
    absent_keys = ("score_parts", "actions_left_out")
    unset_when_none = absent_keys

    rank: int
    slug: str
    family: Family
    origin: Origin
    title: str
    score: Score
    standalone_score: Score
    summary: str
    addresses: list[AddressOut]
    builds_on: list[BuildsOnOut]
    duties: Annotated[
        list[DutyOut],
        Field(
            default_factory=list,
            description="The first duties or agenda items of the county's declared kinds the path carries.",
        ),
    ]
    rationale: str
    actions: list[str]
    fit: list[FitOut]
    kind_fit: KindFitOut
    outcome_indicators: list[str]
    examples: list[ExampleRef]
    source: SourceOut
    score_parts: ScoreParts | None = None
    actions_left_out: Annotated[
        list[LeftOutAction] | None,
        Field(description="With `?trace=true`: actions not shown, and the requirements they miss."),
    ] = None


@part
class AddressSummaryOut:
    challenge: str
    contribution: float


@part
class RecommendationSummaryOut:
    rank: int
    slug: str
    family: Family
    title: str
    score: Score
    addresses: list[AddressSummaryOut]


@part
class PeerOut:
    slug: str
    name: str
    similarity: Unit01
    compared: list[str]
    shared_kinds: Annotated[list[CountyKind], Field(default_factory=list)]
    why: Annotated[str, Field(description="Why the county is comparable, in words.")]


@part
class PeersNote:
    code: Literal["no_comparable_peers", "peers_need_level"]
    message: str


@part
class KindEvidenceOut:
    indicator: str
    value: float
    op: Op
    line: float


@part
class KindOut:
    slug: CountyKind
    label: Annotated[
        str,
        Field(
            description="A declared kind by its name; one read off the figures by the trait it shows."
        ),
    ]
    basis: Literal["declared", "inferred"]
    via: Annotated[
        Literal["kinds", "zone", "resource"] | None,
        Field(
            default=None,
            description="The declared fact that gives the kind (kinds, zone or resource).",
        ),
    ]
    evidence: list[KindEvidenceOut]


@part
class LeadingIndustryOut:
    names: Annotated[list[str], Field(description="As the profile gives them.")]
    labels: Annotated[
        list[str],
        Field(
            description="In the answer's language: a known industry by its name in the knowledge "
            "base, another as the profile gives it."
        ),
    ]
    sectors: Annotated[list[Sector], Field(description="The sectors of the known industries.")]
    share: float | None
    basis: Literal["declared", "evident"]
    concentration_risk: Annotated[
        Literal["resource", "declining"] | None,
        Field(
            description="Why concentration in it is a risk (the resource itself, or in decline); "
            "null when it is a base to upgrade."
        ),
    ]


# What shows a constraint's state: an indicator against its line, or the province's debt control.
# Each kind writes only its own keys, in this order (keyword-only: a required key follows some
# absent ones).
@part
class ConstraintEvidenceOut(Sparse):
    absent_keys = ("province", "indicator", "value", "unit", "line")

    _: KW_ONLY
    basis: Literal["indicator", "province_debt_control"]
    province: str | None = None
    indicator: str | None = None
    label: str | None
    value: float | None = None
    unit: str | None = None
    line: float | None = None
    level: Literal["tight", "binding"] | None


@part
class ConstraintLeftOut:
    path: str
    title: str
    action: Annotated[
        str | None, Field(description="The action held back; null when the whole path is.")
    ]


@part
class ConstraintOut:
    code: ConstraintCode
    label: str
    status: ConstraintStatus
    evidence: list[ConstraintEvidenceOut]
    effect: Annotated[
        str | None, Field(description="What the constraint changes, when tight or binding.")
    ]
    left_out: list[ConstraintLeftOut]


@part
class ConstraintSummaryOut:
    code: ConstraintCode
    status: ConstraintStatus


@part
class StrengthOut:
    indicator: str
    label: str
    value: Annotated[
        float | None,
        Field(
            description="The county's value; null for a leading industry the county declares "
            "without giving its share of output."
        ),
    ]
    unit: str
    unit_label: str
    line: float
    when: BadWhen
    basis: Basis
    benchmark_value: float | None
    anchor: SourceOut


@part
class BenchmarkUsed:
    slug: str
    kind: Literal["national", "provincial", "policy_target"]
    region: str
    year: int
    title: str
    confidence: Annotated[float, Field(ge=0, le=1, description="Mean trust of its figures by tag.")]
    overrides: Annotated[
        list[str], Field(description="Indicators the caller's benchmark_values replaced.")
    ]


@part
class ChangeOut:
    challenge: str
    from_status: Status
    to_status: Status
    from_severity: float
    to_severity: float


@part
class ScenarioOut:
    indicators: dict[str, float]
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    constraints: list[ConstraintOut]
    paths_ranked: Annotated[
        int | None,
        Field(default=None, description="How many paths fit the county under the scenario."),
    ]
    recommendations: list[RecommendationOut]
    changes: list[ChangeOut]


@part
class RecommendationResult(Sparse):
    """The full view (``?view=full``, the default)."""

    absent_keys = ("paths_left_out", "scenario")
    unset_when_none = absent_keys

    county: CountyOut
    kb_version: str
    benchmark: str
    language: LangCode
    view: Literal["full"]
    benchmark_detail: BenchmarkUsed
    kinds: list[KindOut]
    leading_industry: LeadingIndustryOut | None
    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    constraints: list[ConstraintOut]
    paths_ranked: Annotated[
        int | None,
        Field(
            default=None,
            description="How many paths fit the county and were ranked; `recommendations` holds "
            "the first `?paths=` of them (all by default).",
        ),
    ]
    recommendations: list[RecommendationOut]
    peers: list[PeerOut]
    peers_note: PeersNote | None
    paths_left_out: Annotated[
        list[LeftOutPath] | None,
        Field(description="With `?trace=true`: paths never shown, and why."),
    ] = None
    scenario: ScenarioOut | None = None


@part
class RecommendationSummary:
    """The summary view (``?view=summary``): no evidence, rationale, actions or examples."""

    county: CountyOut
    kb_version: str
    benchmark: str
    language: LangCode
    view: Literal["summary"]
    warnings: list[WarningOut]
    challenges: list[ChallengeSummaryOut]
    constraints: list[ConstraintSummaryOut]
    recommendations: Annotated[
        list[RecommendationSummaryOut], Field(description="The top ten ranked paths.")
    ]


Result = RecommendationResult | RecommendationSummary


@part
class ProfileEcho:
    county: CountyOut
    indicators: dict[str, float]
    signals: list[str]
    benchmark: str


@part
class ValidationResult:
    profile: ProfileEcho
    derived: dict[str, float]
    kinds: list[KindOut]
    warnings: list[WarningOut]
    kb_version: str


@cache
def _result_adapter() -> TypeAdapter[Result]:
    return TypeAdapter(Annotated[Result, Field(discriminator="view")])


class RowProblem(TypedDict):
    """Why a batch row has no result: a problem's fields, in the batch's language."""

    index: int
    status: int
    code: str
    detail: str
    errors: list[dict[str, object]]


class BatchEntry(TypedDict, total=False):
    """A batch row's answer: its result, or the problem that kept it from one. The result is
    typed when computed now, its JSON when read back from a stored job."""

    index: Required[int]
    result: Result | Mapping[str, object]
    error: RowProblem


def entry_result(entry: BatchEntry) -> Result:
    """The result of a batch entry: computed now (typed already), or read back from a stored
    job (its JSON) into the type."""
    result = entry["result"]
    if isinstance(result, RecommendationResult | RecommendationSummary):
        return result
    return stored_result(result)


def stored_result(data: Any) -> Result:
    """A result stored with an assessment (its JSON, as it was answered) read back into the type
    (``stored``). A stored result of a shape this version cannot read raises pydantic's
    ValidationError, which the storage edge turns into what it can show without it."""
    return stored(_result_adapter(), data)


# The empty value a required text an earlier release did not write is read with (a text added
# since: an example's own county name), by the error Pydantic gives for None in its place. A key
# that admits None reads None; a missing list, number or part is a shape the type cannot read.
_EMPTY_FOR: dict[str, object] = {"string_type": ""}


def stored(adapter: TypeAdapter[T], data: Any) -> T:
    """``data``, an answer stored by this or an earlier release, read into the adapter's type.
    A required key the stored JSON lacks (added to the answer since) reads None, or "" for a
    text that does not admit None, and is still left out of the instance's
    ``__dict__``: the instance writes the bytes it was stored with. Any other problem, or a
    missing key no empty value satisfies, raises the ValidationError."""
    work: Any = data
    filled: list[tuple[int | str, ...]] = []
    for attempt in range(3):
        try:
            value = adapter.validate_python(work)
        except ValidationError as exc:
            problems = exc.errors()
            if attempt == 2 or not all(_fillable(e, filled) for e in problems):
                raise
            if work is data:
                work = copy.deepcopy(data)
            for e in problems:
                loc = e["loc"]
                empty = None if e["type"] == "missing" else _EMPTY_FOR[e["type"]]
                _put(work, loc, empty)
                if loc not in filled:
                    filled.append(loc)
            continue
        for loc in filled:
            _leave_out(value, loc)
        return value
    raise AssertionError("unreachable")


def _fillable(error: Any, filled: list[tuple[int | str, ...]]) -> bool:
    """Whether the error is a key the stored JSON lacks, or the None put in its place."""
    if error["type"] == "missing":
        return True
    return error["loc"] in filled and error["type"] in _EMPTY_FOR and error["input"] is None


def _put(data: Any, loc: tuple[int | str, ...], empty: object) -> None:
    """``empty`` at ``loc`` in the stored JSON; a step of ``loc`` the JSON lacks names a
    member of a union (its tag), not a key."""
    here = data
    for step in loc[:-1]:
        if isinstance(here, list) and isinstance(step, int) and step < len(here):
            here = here[step]
        elif isinstance(here, Mapping) and step in here:
            here = here[step]
    if isinstance(here, dict):
        here[loc[-1]] = copy.copy(empty)


def _leave_out(value: Any, loc: tuple[int | str, ...]) -> None:
    """The key at ``loc``, read with an empty value, out of the read instance's ``__dict__``
    again; it then reads that empty value by its class and name (``_added_later``)."""
    here = value
    for step in loc[:-1]:
        if isinstance(here, list) and isinstance(step, int) and step < len(here):
            here = here[step]
        elif isinstance(step, str) and hasattr(here, "__dataclass_fields__"):
            here = here.__dict__.get(step, here)
        elif isinstance(here, dict) and step in here:
            here = here[step]
    name = loc[-1]
    own = getattr(here, "__dict__", None)
    if isinstance(name, str) and own is not None and name in own:
        if not hasattr(type(here), name):
            _READ_EMPTY.setdefault((type(here), name), own[name])
        del own[name]
