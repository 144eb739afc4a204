"""The limits a county cannot plan past: debt, construction land, energy, the ecological red line,
permanent basic farmland and water.

Each is ``binding``, ``tight``, ``ok`` or ``unknown``: the worst of its indicator lines the county
gives (seeds/meta.yaml ``constraints``), and for debt also the province's place on the central
debt-control list in the plan's first year (a listed province binds even when no debt figure is
given; one that had left the list by then, or was put on it later, does not). Fiscal
self-sufficiency is read even without a debt ratio. Items that need a constraint not to bind say so
in their requirements (a new build without revenue is never financed by debt where debt binds);
the result lists what each constraint left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from app.domain.knowledge import (
    ConstraintCode,
    ConstraintDefinition,
    ConstraintLine,
    ConstraintStatus,
    Province,
)
from app.domain.plan_years import plan_start

Level = Literal["tight", "binding"]
ORDER: dict[ConstraintStatus, int] = {"unknown": 0, "ok": 1, "tight": 2, "binding": 3}


class ConstraintEvidence(NamedTuple):
    """What made a constraint tight or binding: an indicator past its line, or the province's
    debt control."""

    level: Level | None
    indicator: str | None = None
    value: float | None = None
    line: float | None = None
    province: str | None = None  # the province slug, when its debt control binds


class ConstraintState(NamedTuple):
    code: ConstraintCode
    status: ConstraintStatus
    evidence: tuple[ConstraintEvidence, ...]


def _past(line: ConstraintLine, value: float, at: float | None) -> bool:
    if at is None:
        return False
    return value >= at if line.bad_when == "above" else value <= at


def _line(line: ConstraintLine, value: float) -> ConstraintEvidence:
    """One indicator against its lines.

    >>> _line(ConstraintLine(indicator="xy", bad_when="above", tight=100, binding=120), 110).level
    'tight'
    """
    if _past(line, value, line.binding):
        return ConstraintEvidence("binding", line.indicator, value, line.binding)
    if _past(line, value, line.tight):
        return ConstraintEvidence("tight", line.indicator, value, line.tight)
    return ConstraintEvidence(None, line.indicator, value, line.tight or line.binding)


def _debt_control(province: Province | None, year: int | None) -> ConstraintEvidence | None:
    """A province on the central list of key debt provinces in the first year of the plan the
    county makes from a profile of ``year``: the list binds what the county can finance in the
    years it plans for, not in the year its statistics describe.

    >>> from app.domain.knowledge import DebtControl
    >>> out = DebtControl.model_construct(since=2023, status="exited", until=2025)
    >>> p = Province.model_construct(slug="xy", debt_control=out)
    >>> _debt_control(p, 2022) is None, _debt_control(p, None) is None
    (True, True)
    >>> listed = DebtControl.model_construct(since=2023, status="listed", until=None)
    >>> _debt_control(Province.model_construct(slug="xy", debt_control=listed), 2020).level
    'binding'
    """
    control = province.debt_control if province else None
    if province is None or control is None:
        return None
    start = plan_start(year)
    if start < control.since:
        return None
    if control.status == "exited" and (control.until is None or start >= control.until):
        return None
    return ConstraintEvidence("binding", province=province.slug)


def judge_constraint(
    definition: ConstraintDefinition,
    values: Mapping[str, float],
    province: Province | None,
    year: int | None,
) -> ConstraintState:
    evidence = [
        _line(line, values[line.indicator]) for line in definition.lines if line.indicator in values
    ]
    if definition.debt_control:
        control = _debt_control(province, year)
        if control is not None:
            evidence.append(control)
    if not evidence:
        return ConstraintState(definition.code, "unknown", ())
    levels = [e.level for e in evidence if e.level is not None]
    status: ConstraintStatus = "binding" if "binding" in levels else "tight" if levels else "ok"
    return ConstraintState(definition.code, status, tuple(evidence))


def judge_constraints(
    definitions: list[ConstraintDefinition],
    values: Mapping[str, float],
    province: Province | None,
    year: int | None,
) -> tuple[ConstraintState, ...]:
    """Every constraint the knowledge base defines, judged for the county."""
    return tuple(judge_constraint(d, values, province, year) for d in definitions)
