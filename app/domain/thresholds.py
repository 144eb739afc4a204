"""Turning a rule's lines into numbers for one benchmark and year.

A line is absolute (``value``), a multiple of the benchmark's figure (``ratio``) or a position
among the reference counties (``percentile``); ``fallback`` stands in when the benchmark lacks
the figure or too few reference counties have it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from app.domain.knowledge import Rule, Threshold, line_at

Basis = Literal["absolute", "benchmark_ratio", "national_ratio", "percentile", "fallback"]


class Lines(NamedTuple):
    watch: float
    flag: float
    watch_basis: Basis
    flag_basis: Basis
    watch_line: Threshold
    flag_line: Threshold


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile, as spreadsheets compute it.

    >>> percentile([1, 2, 3, 4], 50), percentile([10, 20, 30, 40, 50], 25)
    (2.5, 20.0)
    """
    data = sorted(values)
    rank = (len(data) - 1) * p / 100
    lo = int(rank)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (rank - lo)


def resolve(
    th: Threshold, bench_value: float | None, sample: Sequence[float], min_sample: float
) -> tuple[float | None, Basis]:
    """One line as a number and the basis it came from.

    >>> resolve(Threshold(ratio=0.9, fallback=29), 58.4, [], 4)
    (52.56, 'benchmark_ratio')
    >>> resolve(Threshold(ratio=0.9, fallback=29), None, [], 4)
    (29.0, 'fallback')
    >>> resolve(Threshold(percentile=50, fallback=3), None, [1, 2, 3, 4], 4)
    (2.5, 'percentile')
    """
    if th.value is not None:
        return th.value, "absolute"
    if th.ratio is not None:
        if bench_value is not None and bench_value > 0:
            return round(th.ratio * bench_value, 10), "benchmark_ratio"
        return th.fallback, "fallback"
    assert th.percentile is not None
    if len(sample) >= min_sample:
        return percentile(sample, th.percentile), "percentile"
    return th.fallback, "fallback"


def _ordered(rule: Rule, watch: float, flag: float) -> bool:
    """Flag lies strictly past watch on the bad side: the bands cannot collapse."""
    return flag < watch if rule.bad_when == "below" else flag > watch


def resolve_rule(
    rule: Rule,
    year: int | None,
    bench_value: float | None,
    sample: Sequence[float],
    min_sample: float,
) -> Lines | None:
    """Both lines of ``rule`` in force in ``year``; None when they cannot be resolved or would
    collapse into one line (then even the fallbacks are tried before giving up)."""
    watch_line, flag_line = line_at(rule.watch, year), line_at(rule.flag, year)
    watch, wb = resolve(watch_line, bench_value, sample, min_sample)
    flag, fb = resolve(flag_line, bench_value, sample, min_sample)
    if watch is not None and flag is not None and _ordered(rule, watch, flag):
        return Lines(watch, flag, wb, fb, watch_line, flag_line)
    watch, flag = watch_line.fallback, flag_line.fallback
    if watch is not None and flag is not None and _ordered(rule, watch, flag):
        return Lines(watch, flag, "fallback", "fallback", watch_line, flag_line)
    return None
