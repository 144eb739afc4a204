"""Strengths: indicators well past their good side, which paths may build on.

The line that marks a strength is data (``Indicator.strong``), absolute or a multiple of the
benchmark's figure, cited or marked heuristic like every line.
"""

from __future__ import annotations

from typing import NamedTuple

from app.domain.conditions import gate
from app.domain.profile import ValidProfile
from app.domain.snapshot import StrongLine


class Strength(NamedTuple):
    indicator: str
    value: float
    line: StrongLine


def strengths(profile: ValidProfile) -> tuple[Strength, ...]:
    """Every indicator of the profile past its strength line and fitting the county (a leading
    industry is a strength unless it is the resource itself), in indicator order."""
    out: list[Strength] = []
    for key, line in sorted(profile.rulebook.strong.items()):
        value = profile.values.get(key)
        if value is None:
            continue
        strong = line.indicator.strong
        if strong is not None and strong.requires and not gate(strong.requires, profile).kept:
            continue
        if (value >= line.line) if line.when == "above" else (value <= line.line):
            out.append(Strength(key, value, line))
    return tuple(out)
