"""Ranking: a portfolio of paths, each scored by what it adds to the ones ranked above it.

A path's stand-alone value is 100 x (1 - prod(1 - weight x severity)) over the active challenges it
addresses (watch or flag), times its fit (the factors of conditions the profile meets or misses;
unknown conditions count 1). Ranking is greedy with diminishing returns: once a path is ranked,
each challenge it addresses keeps ``1 - COVERAGE x weight`` of its remaining severity for the paths
below. So the fifth talent measure does not outrank the first industry one when both families
face active challenges, and the scores still fall monotonically down the list. ``score`` is that
marginal value; ``standalone_score`` is the value of the path on its own. Ties break by slug.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.diagnosis import Diagnosis
from app.domain.knowledge import FitCondition, Path
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot

_OPS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


@dataclass(frozen=True, slots=True)
class Contribution:
    challenge: str
    weight: float
    severity: float
    share: float


@dataclass(frozen=True, slots=True)
class FitOutcome:
    condition: FitCondition
    outcome: str  # met | missed | unknown


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    path: Path
    score: float
    standalone_score: float
    addresses: tuple[Contribution, ...]
    fit: tuple[FitOutcome, ...]


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


COVERAGE = 0.35


def _value(terms: list[tuple[float, float]], factor: float) -> float:
    remaining = 1.0
    for weight, severity in terms:
        remaining *= 1 - weight * severity
    return round(min(100.0, 100 * (1 - remaining) * factor), 1)


def rank_paths(
    snap: Snapshot, profile: ValidProfile, diagnoses: tuple[Diagnosis, ...]
) -> tuple[Ranked, ...]:
    active = {d.slug: d for d in diagnoses if d.active}
    # (path, fit factor, fit outcomes, [(challenge, weight, severity)])
    candidates: dict[
        str, tuple[Path, float, tuple[FitOutcome, ...], list[tuple[str, float, float]]]
    ] = {}
    for path in snap.paths.values():
        terms = [
            (a.challenge, a.weight, active[a.challenge].severity)
            for a in path.addresses
            if a.challenge in active
        ]
        if not terms:
            continue
        fits = tuple(FitOutcome(c, _fit(c, profile)) for c in path.fit)
        factor = 1.0
        for f in fits:
            if f.outcome == "met":
                factor *= f.condition.met_factor
            elif f.outcome == "missed":
                factor *= f.condition.missed_factor
        candidates[path.slug] = (path, factor, fits, terms)

    remaining = dict.fromkeys(active, 1.0)
    order = sorted(candidates)  # scanning in slug order with a strict ">" breaks ties by slug
    ranked: list[Ranked] = []
    while order:
        best_index, best_value = 0, -1.0
        for index, slug in enumerate(order):
            _, factor, _, terms = candidates[slug]
            left = 1.0
            for c, w, sev in terms:
                left *= 1 - w * sev * remaining[c]
            value = min(1.0, (1 - left) * factor)
            if value > best_value:
                best_index, best_value = index, value
        slug = order.pop(best_index)
        path, factor, fits, terms = candidates.pop(slug)
        standalone = _value([(w, sev) for _, w, sev in terms], factor)
        total = sum(w * sev * remaining[c] for c, w, sev in terms)
        contributions = tuple(
            sorted(
                (
                    Contribution(
                        c, w, sev, round(w * sev * remaining[c] / total, 3) if total else 0.0
                    )
                    for c, w, sev in terms
                ),
                key=lambda x: (-x.share, x.challenge),
            )
        )
        for c, w, _ in terms:
            remaining[c] *= 1 - COVERAGE * w
        score = round(100 * best_value, 1)
        ranked.append(Ranked(len(ranked) + 1, path, score, standalone, contributions, fits))
    return tuple(ranked)
