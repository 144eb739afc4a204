"""Warnings about a valid profile: values outside the typical county range (unit slips) and
inputs that contradict each other. Warnings never block a diagnosis; they say what to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.knowledge import Indicator, Lang
from app.domain.numbers import format_number as fmt
from app.domain.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence in both languages."""

    en: str
    zh: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class ProfileWarning:
    code: str
    indicator: str
    message: Message
    suggested_value: float | None = None


def plausibility(ind: Indicator, value: float, reported_as: str) -> ProfileWarning | None:
    """A ``unit_suspect`` warning when ``value`` lies outside the indicator's typical range;
    a known slip (e.g. yuan typed for 亿元) names the input to fix."""
    if ind.plausible is None:
        return None
    lo, hi = ind.plausible
    if lo <= value <= hi:
        return None
    for slip in ind.slips:
        if lo <= value / slip.factor <= hi:
            return ProfileWarning(
                "unit_suspect",
                slip.input or ind.key,
                Message(
                    f"{ind.label.en} is {fmt(value)}, outside the typical county range "
                    f"{fmt(lo)}-{fmt(hi)}. {slip.text.en}",
                    f"{ind.label.zh}为{fmt(value)}，超出县域常见区间{fmt(lo)}-{fmt(hi)}。{slip.text.zh}",
                ),
            )
    return ProfileWarning(
        "unit_suspect",
        reported_as,
        Message(
            f"{ind.label.en} is {fmt(value)}, outside the typical county range {fmt(lo)}-{fmt(hi)} "
            f"({ind.unit_label.en}); check the unit.",
            f"{ind.label.zh}为{fmt(value)}，超出县域常见区间{fmt(lo)}-{fmt(hi)}"
            f"（{ind.unit_label.zh}），请核对单位。",
        ),
    )


def inputs_of(snap: Snapshot, key: str) -> set[str]:
    """Every indicator ``key`` is computed from, directly or through other derived ones."""
    out: set[str] = set()
    stack = list(snap.indicators[key].inputs)
    while stack:
        name = stack.pop()
        if name not in out:
            out.add(name)
            stack.extend(snap.indicators[name].inputs if name in snap.indicators else ())
    return out


def unit_warnings(
    snap: Snapshot, given: Mapping[str, float], derived: Mapping[str, float]
) -> list[ProfileWarning]:
    """Specific slips found through a derived figure first (they name the input to fix), then
    the given values, then derived figures whose inputs are not already under suspicion."""
    out: dict[tuple[str, str], ProfileWarning] = {}
    through_derived = {k: plausibility(snap.indicators[k], v, k) for k, v in derived.items()}
    for w in through_derived.values():
        if w is not None and w.indicator in given:
            out.setdefault((w.code, w.indicator), w)
    for key, value in given.items():
        if ("unit_suspect", key) not in out:
            w = plausibility(snap.indicators[key], value, key)
            if w is not None:
                out.setdefault((w.code, w.indicator), w)
    suspect = {ind for _, ind in out}
    for key, w in through_derived.items():
        if w is not None and w.indicator == key and not (inputs_of(snap, key) & suspect):
            out.setdefault((w.code, w.indicator), w)
    return list(out.values())


def consistency_warnings(
    snap: Snapshot, given: Mapping[str, float], bench: Mapping[str, float]
) -> list[ProfileWarning]:
    """``inconsistent`` when a given value disagrees with what its own inputs compute."""
    out: list[ProfileWarning] = []
    for key, formula in snap.formulas:
        ind = snap.indicators[key]
        if key not in given or ind.consistency_tolerance is None:
            continue
        expected = formula.evaluate(given, bench)
        if expected is None or expected == 0:
            continue
        gap = abs(given[key] - expected) / abs(expected)
        if gap > ind.consistency_tolerance:
            out.append(
                ProfileWarning(
                    "inconsistent",
                    key,
                    Message(
                        f"{ind.label.en} is given as {fmt(given[key])} but its inputs give "
                        f"{fmt(expected)} ({fmt(gap * 100)}% apart); check the year and units.",
                        f"{ind.label.zh}填写为{fmt(given[key])}，但由其构成指标计算为{fmt(expected)}"
                        f"（相差{fmt(gap * 100)}%），请核对年份和单位。",
                    ),
                    round(expected, 2),
                )
            )
    return out
