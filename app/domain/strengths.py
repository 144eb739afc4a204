"""Strengths: indicators well past their good side, which paths may build on.

The line that marks a strength is data (``Indicator.strong``), absolute or a multiple of the
benchmark's figure, cited or marked heuristic like every line.
"""

from __future__ import annotations

from typing import NamedTuple

from app.domain.conditions import gate
from app.domain.leading import TOP_SHARE
from app.domain.profile import ValidProfile
from app.domain.snapshot import StrongLine


class Strength(NamedTuple):
    """An indicator past its strength line; ``value`` is None for a leading industry the county
    declares without giving its share (the declaration is the evidence)."""

    indicator: str
    value: float | None
    line: StrongLine


def strengths(profile: ValidProfile) -> tuple[Strength, ...]:
    """Every indicator of the profile past its strength line and fitting the county (a leading
    industry is a strength unless it is the resource itself), in indicator order."""
    out: list[Strength] = []
    for key, line in sorted(profile.rulebook.strong.items()):
        value = profile.values.get(key)
        if value is None:
            if key == TOP_SHARE and _declared_base(profile):
                out.append(Strength(key, None, line))
            continue
        strong = line.indicator.strong
        if strong is not None and strong.requires and not gate(strong.requires, profile).kept:
            continue
        if (value >= line.line) if line.when == "above" else (value <= line.line):
            out.append(Strength(key, value, line))
    return tuple(out)


def _declared_base(profile: ValidProfile) -> bool:
    lead = profile.leading
    return lead is not None and lead.basis == "declared" and lead.base
