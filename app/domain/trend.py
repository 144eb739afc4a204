"""A county over the years: each year's values and statuses, what improved and what worsened
between consecutive years, and how the values compare with the KPI targets of a stored plan.

Pure: it reads stored profiles, results and plans read back into their types, and the indicators'
directions; it answers typed values. The county it names is the stored result's JSON (with its
administrative form named in the reader's language): the trend is written through Pydantic, which
would write a county's absent keys as nulls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from app.domain.knowledge import Status
from app.domain.plan_types import ActionOut, Plan, TargetOut
from app.domain.result_types import RecommendationResult, Result

STATUS_ORDER = {"ok": 0, "watch": 1, "flag": 2}
SEVERITY_STEP = 0.01  # smaller moves of severity are noise, not change
VALUE_STEP = 1e-9

Change = Literal["improved", "worsened", "changed"]
KpiStatus = Literal["met", "on_track", "behind", "no_data", "no_target", "not_started"]


@dataclass(frozen=True)
class StatusSeverity:
    status: Status
    severity: float


@dataclass(frozen=True)
class TrendPoint:
    year: int
    assessment_id: str
    kb_version: str | None
    indicators: Annotated[
        dict[str, float], Field(description="Given and derived values of that year.")
    ]
    challenges: dict[str, StatusSeverity]


@dataclass(frozen=True)
class ChallengeChange:
    challenge: str
    from_status: Status
    to_status: Status
    from_severity: float
    to_severity: float
    change: Change


@dataclass(frozen=True)
class IndicatorChange:
    indicator: str
    from_: Annotated[float, Field(alias="from")]
    to: float
    change: Annotated[
        Change, Field(description="`changed` for an indicator with no good direction.")
    ]


@dataclass(frozen=True)
class YearChange:
    from_year: int
    to_year: int
    challenges: list[ChallengeChange]
    indicators: list[IndicatorChange]


@dataclass(frozen=True)
class KpiProgress:
    path: str
    indicator: str
    label: str
    baseline: float | None
    target: float | None
    due: int
    latest_year: int | None
    latest_value: float | None
    expected: Annotated[
        float | None,
        Field(
            description="Where the value should be by `latest_year` on a straight line from the "
            "baseline to the target."
        ),
    ]
    status: KpiStatus


@dataclass(frozen=True)
class PlanProgress:
    assessment_id: Annotated[str, Field(description="The assessment the plan was stored with.")]
    year: int
    horizon: int
    kpis: list[KpiProgress]


@dataclass(frozen=True)
class Trend:
    """A county over the years (published as ``TrendResult``)."""

    county_code: str
    points: Annotated[
        list[TrendPoint], Field(description="The latest assessment of each year, in order.")
    ]
    changes: Annotated[
        list[YearChange], Field(description="Between each pair of consecutive points.")
    ]
    progress: Annotated[
        list[PlanProgress],
        Field(
            description="For each stored plan (latest five), later years against its KPI targets."
        ),
    ]
    county: Mapping[str, Any] | None


@cache
def _trend_adapter() -> TypeAdapter[Trend]:
    return TypeAdapter(Trend)


def trend_json(found: Trend) -> Any:
    """The trend as the API answers it (``from`` is a keyword in Python, not in JSON)."""
    return _trend_adapter().dump_python(found, by_alias=True)


def point(assessment_id: str, year: int, profile: Mapping[str, Any], result: Result) -> TrendPoint:
    """One year of the trend: the values the profile gave and derived, and each challenge."""
    derived = result.derived if isinstance(result, RecommendationResult) else {}
    values = dict(profile.get("indicators", {})) | derived
    return TrendPoint(
        year=year,
        assessment_id=assessment_id,
        kb_version=result.kb_version,
        indicators={k: values[k] for k in sorted(values)},
        challenges={c.slug: StatusSeverity(c.status, c.severity) for c in result.challenges},
    )


def _challenge_change(slug: str, a: StatusSeverity, b: StatusSeverity) -> ChallengeChange | None:
    change: Change
    ra, rb = STATUS_ORDER.get(a.status), STATUS_ORDER.get(b.status)
    if ra is None or rb is None:
        if a.status == b.status:
            return None
        change = "changed"
    elif ra != rb:
        change = "improved" if rb < ra else "worsened"
    elif abs(b.severity - a.severity) >= SEVERITY_STEP:
        change = "improved" if b.severity < a.severity else "worsened"
    else:
        return None
    return ChallengeChange(slug, a.status, b.status, a.severity, b.severity, change)


def _indicator_change(
    key: str, a: float, b: float, direction: str | None
) -> IndicatorChange | None:
    change: Change
    if abs(b - a) <= VALUE_STEP:
        return None
    if direction == "higher_is_better":
        change = "improved" if b > a else "worsened"
    elif direction == "lower_is_better":
        change = "improved" if b < a else "worsened"
    else:
        change = "changed"
    return IndicatorChange(key, a, b, change)


def changes(points: Sequence[TrendPoint], directions: Mapping[str, str]) -> list[YearChange]:
    """What improved, worsened or changed between each pair of consecutive years."""
    out = []
    for before, after in zip(points, points[1:], strict=False):
        ch = [
            _challenge_change(slug, before.challenges[slug], after.challenges[slug])
            for slug in sorted(set(before.challenges) & set(after.challenges))
        ]
        ind = [
            _indicator_change(
                key, before.indicators[key], after.indicators[key], directions.get(key)
            )
            for key in sorted(set(before.indicators) & set(after.indicators))
        ]
        out.append(
            YearChange(
                from_year=before.year,
                to_year=after.year,
                challenges=[c for c in ch if c is not None],
                indicators=[i for i in ind if i is not None],
            )
        )
    return out


def _expected(kpi: TargetOut, start: int, year: int) -> float:
    """Where the value should be in ``year`` on a straight line from the baseline (the year
    before the action starts) to the target (its due year)."""
    span = max(1, kpi.year - (start - 1))
    share = min(1.0, max(0.0, (year - (start - 1)) / span))
    return float(kpi.baseline + (kpi.target - kpi.baseline) * share)


def _kpi_status(kpi: TargetOut, start: int, year: int, value: float) -> tuple[KpiStatus, float]:
    sign = 1 if kpi.direction == "increase" else -1
    expected = _expected(kpi, start, year)
    if (value - kpi.target) * sign >= -VALUE_STEP:
        return "met", expected
    if (value - expected) * sign >= -VALUE_STEP:
        return "on_track", expected
    return "behind", expected


def _kpi_progress(
    action: ActionOut, kpi: TargetOut, later: Sequence[TrendPoint], label: str
) -> KpiProgress:
    seen = [p for p in later if kpi.indicator in p.indicators]
    latest = seen[-1] if seen else None
    value = None if latest is None else float(latest.indicators[kpi.indicator])
    status: KpiStatus = "no_data"
    expected = None
    if latest is not None and value is not None:
        if latest.year < action.phase.start:
            # Read before the action began: the value says nothing of its progress yet.
            status = "not_started"
        else:
            status, found = _kpi_status(kpi, action.phase.start, latest.year, value)
            expected = round(found, 4)
    return KpiProgress(
        path=action.path,
        indicator=kpi.indicator,
        label=label,
        baseline=kpi.baseline,
        target=kpi.target,
        due=kpi.year,
        latest_year=None if latest is None else latest.year,
        latest_value=value,
        expected=expected,
        status=status,
    )


def progress(
    assessment_id: str,
    year: int,
    plan: Plan,
    points: Sequence[TrendPoint],
    labels: Mapping[str, str],
) -> PlanProgress:
    """How the years after a stored plan compare with its KPI targets (each KPI labelled from
    ``labels`` where it names the indicator, else as the plan was stored)."""
    later = [p for p in points if p.year > year]
    return PlanProgress(
        assessment_id=assessment_id,
        year=year,
        horizon=plan.horizon,
        kpis=[
            _kpi_progress(action, kpi, later, labels.get(kpi.indicator, kpi.label))
            for action in plan.actions
            for kpi in action.kpis
        ],
    )


def trend(
    county_code: str,
    points: Sequence[TrendPoint],
    plans: Sequence[tuple[str, int, Plan]],
    directions: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    county: Mapping[str, Any] | None = None,
) -> Trend:
    """The whole trend of one county: points in year order, changes, and plan progress."""
    ordered = sorted(points, key=lambda p: p.year)
    return Trend(
        county_code=county_code,
        points=ordered,
        changes=changes(ordered, directions),
        progress=[progress(aid, year, plan, ordered, labels or {}) for aid, year, plan in plans],
        county=county,
    )
