"""The plan's target table (主要目标): one target per indicator, a pace the county can keep.

A target moves the indicator the good way from the county's own value at the indicator's pace:
a share of the county's level for what grows with the economy (GDP and income per head), a change
in the indicator's unit otherwise. Where a line is still to clear, the target is that line when the
pace reaches it by the horizon, else what the pace reaches; where nothing is to clear, a level
indicator grows at its pace and a share holds its level. No target is better than the best value
any reference county or benchmark shows, none is set on geography or a descriptive ratio, none on
an indicator whose lines do not judge the county (forest cover on steppe), and each is rounded as a
plan writes it and labelled binding (约束性) or expected (预期性) with its basis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from app.domain.conditions import gate
from app.domain.knowledge import Indicator, Lang
from app.domain.messages import say, with_unit
from app.domain.numbers import round4
from app.domain.plan_types import TargetBasis, TargetKind, TargetOut
from app.domain.profile import ValidProfile
from app.domain.result_types import EvidenceOut
from app.domain.sentences import line_name
from app.domain.snapshot import Snapshot

Basis = TargetBasis


class Target(NamedTuple):
    indicator: str
    baseline: float
    target: float
    year: int
    kind: TargetKind
    basis: Basis
    direction: int  # +1 rises, -1 falls
    line: float | None
    best: float | None
    line_name: str | None = None  # what the line is, in a document's words (全国平均水平的90%)


def _direction(snap: Snapshot, ind: Indicator, evidence: Iterable[EvidenceOut]) -> int:
    """+1 when the indicator should rise, -1 when it should fall, 0 when nothing says: an
    indicator whose good direction depends on the county follows its rule's evidence."""
    if ind.direction == "higher_is_better":
        return 1
    if ind.direction == "lower_is_better":
        return -1
    bad = [e.bad_when for e in evidence if e.band != "ok"]
    return (1 if bad[0] == "below" else -1) if bad else 0


def judged_here(snap: Snapshot, key: str, profile: ValidProfile) -> bool:
    """Whether any line of this indicator judges the county (no target where none does)."""
    rules = [r for ch in snap.kb.challenges for r in ch.rules if r.indicator == key]
    return not rules or any(gate(r.requires, profile).kept for r in rules)


def best_observed(snap: Snapshot, key: str, sign: int) -> float | None:
    """The best value any reference county or benchmark set shows: no plan asks for more."""
    seen = [v[key] for per in snap.county_values.values() for v in per.values() if key in v]
    seen += [b.values[key] for b in snap.benchmarks.values() if key in b.values]
    if not seen:
        return None
    return max(seen) if sign > 0 else min(seen)


def _line(
    evidence: Iterable[EvidenceOut], baseline: float, sign: int
) -> tuple[float, EvidenceOut] | None:
    """The farthest line still to clear on the good side of the baseline, if any, with the
    evidence that draws it."""
    lines = [
        (float(e.target), e)
        for e in evidence
        if e.band != "ok" and e.target is not None and (float(e.target) - baseline) * sign > 0
    ]
    return max(lines, key=lambda v: v[0] * sign) if lines else None


def _line_name(
    snap: Snapshot, profile: ValidProfile, line: float, e: EvidenceOut, lang: Lang
) -> str:
    """The line as the diagnosis names it (全国平均水平的90%, 参照县域的25分位值, 参考值)."""
    national = e.national if e.against == "nation" else None
    basis = e.basis.watch
    base: float | None
    if national is not None:
        base, bench, basis = (
            national.benchmark_value,
            national.benchmark,
            ("national_ratio" if basis == "benchmark_ratio" else basis),
        )
    else:
        base, bench = e.benchmark_value, profile.benchmark.benchmark.slug
    return line_name(snap, line, basis, base, "watch", lang, bench)


def _reach(ind: Indicator, baseline: float, years: int) -> float:
    """How far the indicator can move in ``years`` at its pace."""
    assert ind.pace is not None
    step = ind.pace.max_change_per_year
    if ind.pace.relative:
        return abs(baseline) * ((1 + step) ** years - 1)
    return step * years


FINEST = {"pct": 0.1, "ratio": 0.01, "years": 0.1, "cny": 100.0}
"""The finest step a plan writes for a unit (a tenth of a point, a hundredth of a ratio)."""


def plan_round(value: float, baseline: float, unit: str) -> float:
    """The target as a plan writes it: a round number at two significant figures of the change
    (never finer than the unit's usual step), rounded toward the baseline so it never asks
    more than the pace allows.

    >>> plan_round(163712.4, 122500, "cny"), plan_round(2.7421, 2.4, "pct")
    (163000.0, 2.7)
    >>> plan_round(1.2861, 1.35, "ratio"), plan_round(54105.26, 42105.26, "cny")
    (1.29, 54000.0)
    """
    change = value - baseline
    if change == 0:
        return shown(value, unit)
    precision = max(10.0 ** (math.floor(math.log10(abs(change))) - 1), FINEST.get(unit, 1e-4))
    steps = value / precision
    whole = math.floor(steps + 1e-9) if change > 0 else math.ceil(steps - 1e-9)
    rounded = whole * precision
    if (rounded - baseline) * change <= 0:
        return shown(baseline, unit)
    return round(rounded, 4)


def shown(value: float, unit: str) -> float:
    """A county's own value as a plan prints it (yuan to the yuan, shares to the hundredth).

    >>> shown(42105.2632, "cny"), shown(0.16667, "ratio"), shown(45.0, "pct")
    (42105.0, 0.1667, 45.0)
    """
    return round(value, 0 if unit == "cny" else 4)


def line_round(line: float, sign: int, unit: str) -> float:
    """A line as a plan can sign it: to the hundredth (yuan to the yuan), rounded the way that
    still clears it, so 0.488% to raise becomes 0.49% and 47.875 to cut becomes 47.87.

    >>> line_round(0.488, 1, "pct"), line_round(47.875, -1, "pct"), line_round(54000.4, 1, "cny")
    (0.49, 47.87, 54001.0)
    """
    step = 1.0 if unit == "cny" else 0.01
    steps = line / step
    whole = math.ceil(steps - 1e-9) if sign > 0 else math.floor(steps + 1e-9)
    return round(whole * step, 4)


SHARE_GROWTH_CAP = 2.0
"""A share or ratio is not asked to more than double over a plan, whatever its step: a tiny base
(trade at 0.1% of GDP) moved by points would be a hundredfold."""


def target_for(
    snap: Snapshot,
    profile: ValidProfile,
    key: str,
    evidence: list[EvidenceOut],
    span: tuple[int, int, int],
    lang: Lang,
) -> Target | None:
    """The one target of ``key`` for the plan's years ``span`` (the baseline's year, the plan's
    first year, the horizon), or None when the indicator takes no target for this county.
    The pace runs from the baseline's year; a line within its reach is the target for the
    horizon, as every main target is, named as the diagnosis names it."""
    ind = snap.indicators[key]
    baseline = profile.values.get(key)
    if ind.plan_target == "none" or baseline is None or ind.pace is None:
        return None
    if not judged_here(snap, key, profile):
        return None
    sign = _direction(snap, ind, evidence)
    if sign == 0:
        return None
    base_year, start, horizon = span
    kind: TargetKind = "binding" if ind.plan_target == "binding" else "expected"
    drawn = _line(evidence, baseline, sign)
    line = None if drawn is None else drawn[0]
    best = best_observed(snap, key, sign)
    reach = _reach(ind, baseline, horizon - base_year)
    if not ind.pace.relative and sign > 0 and baseline > 0:
        reach = min(reach, baseline * (SHARE_GROWTH_CAP - 1))
    if line is None and not ind.pace.relative and kind == "binding":
        held = shown(baseline, ind.unit)
        return Target(key, baseline, held, horizon, kind, "hold", sign, None, best)
    if drawn is not None and line is not None and abs(line - baseline) <= reach + 1e-9:
        signed = line_round(line, sign, ind.unit)
        name = _line_name(snap, profile, line, drawn[1], lang)
        return Target(key, baseline, signed, horizon, kind, "clears_line", sign, line, best, name)
    raw = baseline + sign * reach
    edge = ind.max if sign > 0 else ind.min
    raw = baseline + sign * max(0.0, min(abs(raw - baseline), (edge - baseline) * sign))
    basis: Basis = "pace_limited" if line is not None else "pace"
    if best is not None and (raw - best) * sign > 0:
        raw, basis = (best, "best_observed") if (best - baseline) * sign > 0 else (baseline, "hold")
    return Target(
        key, baseline, plan_round(raw, baseline, ind.unit), horizon, kind, basis, sign, line, best
    )


def basis_text(snap: Snapshot, t: Target, lang: Lang) -> str:
    """The basis of a target in words (年均增长5.5%, 达到关注线…, 保持现有水平 …)."""
    ind = snap.indicators[t.indicator]
    assert ind.pace is not None
    unit = ind.unit
    if t.basis == "hold":
        return say("target_basis", "hold", lang)
    if t.basis == "clears_line":
        return say("target_basis", "reaches_line", lang, level=t.line_name or "")
    if t.basis == "best_observed":
        return say("target_basis", "best_observed", lang, best=with_unit(t.target, unit, lang))
    pace = ind.pace.max_change_per_year
    if ind.pace.relative:
        rate = with_unit(round(pace * 100, 1), "pct", lang)
        name = "pace_rate_up" if t.direction > 0 else "pace_rate_down"
        return say("target_basis", name, lang, rate=rate)
    step = with_unit(pace, unit, lang)
    name = "pace_step_up" if t.direction > 0 else "pace_step_down"
    return say("target_basis", name, lang, step=step)


def target_item(snap: Snapshot, t: Target, lang: Lang, base_year: int | None = None) -> TargetOut:
    """A target as the plan's table prints it, with the year its baseline is of."""
    ind = snap.indicators[t.indicator]
    return TargetOut(
        indicator=t.indicator,
        label=ind.label.get(lang),
        unit=ind.unit,
        unit_label=ind.unit_label.get(lang),
        direction="increase" if t.direction > 0 else "decrease",
        baseline=shown(t.baseline, ind.unit),
        target=t.target,
        year=t.year,
        kind=t.kind,
        kind_label=say("target_kind", t.kind, lang),
        basis=t.basis,
        basis_text=basis_text(snap, t, lang),
        line=None if t.line is None else round4(t.line),
        best_observed=None if t.best is None else round4(t.best),
        base_year=base_year,
    )
