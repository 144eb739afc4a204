"""Strengths: indicators well past their good side, which paths may build on.

The line that marks a strength is data (``Indicator.strong``), absolute or a multiple of the
benchmark's figure, cited or marked heuristic like every line.
"""

from __future__ import annotations

from typing import NamedTuple

from app.domain.profile import ValidProfile
from app.domain.snapshot import StrongLine


class Strength(NamedTuple):
    indicator: str
    value: float
    line: StrongLine


def strengths(profile: ValidProfile) -> tuple[Strength, ...]:
    """Every indicator of the profile past its strength line, in indicator order."""
    out: list[Strength] = []
    for key, line in sorted(profile.rulebook.strong.items()):
        value = profile.values.get(key)
        if value is None:
            continue
        if (value >= line.line) if line.when == "above" else (value <= line.line):
            out.append(Strength(key, value, line))
    return tuple(out)
