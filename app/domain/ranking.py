"""Ranking: a portfolio of paths, each scored by what it adds to the ones ranked above it.

A path's stand-alone value is 100 x (1 - prod(1 - weight x severity)) over the active challenges it
addresses (watch or flag), times its fit (the factors of conditions the profile meets or misses;
unknown conditions count 1). Ranking is greedy with diminishing returns: once a path is ranked,
each challenge it addresses keeps ``1 - coverage x weight`` of its remaining severity for the paths
below. So the fifth talent measure does not outrank the first industry one when both families
face active challenges, and the scores still fall monotonically down the list. ``score`` is that
marginal value; ``standalone_score`` is the value of the path on its own. Ties break by slug.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import NamedTuple

from app.domain.diagnosis import Diagnosis
from app.domain.knowledge import FitCondition, Path
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot

_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


# Named tuples rather than frozen dataclasses: a result holds about a hundred of these, and a
# frozen dataclass pays for object.__setattr__ on every field.
class Contribution(NamedTuple):
    challenge: str
    weight: float
    severity: float
    share: float


class FitOutcome(NamedTuple):
    condition: FitCondition
    outcome: str  # met | missed | unknown


class Ranked(NamedTuple):
    rank: int
    path: Path
    score: float
    standalone_score: float
    addresses: tuple[Contribution, ...]
    fit: tuple[FitOutcome, ...]


class _Plan(NamedTuple):
    """A path as the ranking reads it, compiled once per snapshot."""

    slug: str
    path: Path
    addresses: tuple[tuple[str, float], ...]
    fit: tuple[tuple[FitCondition, dict[str, FitOutcome]], ...]


def _plans(snap: Snapshot) -> tuple[_Plan, ...]:
    hit: tuple[_Plan, ...] | None = snap.cache.get("ranking-plans")
    if hit is None:
        hit = snap.cache["ranking-plans"] = tuple(
            _Plan(
                slug,
                path,
                tuple((a.challenge, a.weight) for a in path.addresses),
                tuple(
                    (c, {o: FitOutcome(c, o) for o in ("met", "missed", "unknown")})
                    for c in path.fit
                ),
            )
            for slug, path in sorted(snap.paths.items())
        )
    return hit


def _fit(cond: FitCondition, profile: ValidProfile) -> str:
    if cond.signal is not None:
        return "met" if cond.signal in profile.signals else "unknown"
    assert cond.indicator is not None
    assert cond.op is not None
    assert cond.value is not None
    value = profile.values.get(cond.indicator)
    if value is None:
        return "unknown"
    return "met" if _OPS[cond.op](value, cond.value) else "missed"


def rank_paths(
    snap: Snapshot, profile: ValidProfile, diagnoses: tuple[Diagnosis, ...]
) -> tuple[Ranked, ...]:
    coverage = snap.kb.meta.tuning.ranking_coverage.value
    severity = {d.slug: d.severity for d in diagnoses if d.active}
    remaining = dict.fromkeys(severity, 1.0)
    # (path, fit factor, fit outcomes, [(challenge, weight, severity)], [(challenge, w x sev)]),
    # in slug order: scanning with a strict ">" breaks ties by slug.
    pool: list[
        tuple[
            Path,
            float,
            tuple[FitOutcome, ...],
            tuple[tuple[str, float, float], ...],
            tuple[tuple[str, float], ...],
        ]
    ] = []
    for _, path, addresses, fit in _plans(snap):
        terms = tuple((c, w, severity[c]) for c, w in addresses if c in severity)
        if not terms:
            continue
        factor = 1.0
        outcomes = []
        for cond, by_outcome in fit:
            outcome = _fit(cond, profile)
            if outcome == "met":
                factor *= cond.met_factor
            elif outcome == "missed":
                factor *= cond.missed_factor
            outcomes.append(by_outcome[outcome])
        pool.append((path, factor, tuple(outcomes), terms, tuple((c, w * s) for c, w, s in terms)))

    ranked: list[Ranked] = []
    while pool:
        best_index, best_value = 0, -1.0
        for index, (_, factor, _, _, weighted) in enumerate(pool):
            left = 1.0
            for c, ws in weighted:
                left *= 1 - ws * remaining[c]
            value = (1 - left) * factor
            if value > 1.0:
                value = 1.0
            if value > best_value:
                best_index, best_value = index, value
        path, factor, fits, terms, weighted = pool.pop(best_index)
        alone = 1.0
        for _, ws in weighted:
            alone *= 1 - ws
        shares = [ws * remaining[c] for c, ws in weighted]
        total = sum(shares)
        contributions = [
            Contribution(c, w, sev, round(share / total, 3) if total else 0.0)
            for (c, w, sev), share in zip(terms, shares, strict=True)
        ]
        if len(contributions) > 1:
            contributions.sort(key=lambda x: (-x.share, x.challenge))
        for c, w, _ in terms:
            remaining[c] *= 1 - coverage * w
        ranked.append(
            Ranked(
                len(ranked) + 1,
                path,
                round(100 * best_value, 1),
                round(min(100.0, 100 * (1 - alone) * factor), 1),
                tuple(contributions),
                fits,
            )
        )
    return tuple(ranked)
