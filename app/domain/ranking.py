"""Ranking: a portfolio of paths, each scored by what it adds to the ones ranked above it.

A path works on targets: the active challenges it addresses (watch or flag, at their severity)
and the strengths it builds on (each worth the tuning's ``strength_value``). Its stand-alone value
is 100 x (1 - prod(1 - weight x target)) times its fit: the factors of the conditions the profile
meets or misses (unknown ones count 1), and of the county's kinds (a path made for the kind gains,
one unsuited to it loses). A condition that holds only because of a diagnosed problem (a leading
industry past the concentration line) is a *conflict*: it counts against the path, not for it.

Ranking is greedy with diminishing returns: once a path is ranked, each target it works on keeps
``1 - coverage x weight`` of what remains for the paths below, so the top of the list covers every
active challenge rather than repeating one. ``score`` is that marginal value; ``standalone_score``
the value on its own. Ties break by slug.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Literal, NamedTuple

from app.domain.compiled import KindFit, PathPlan, duty_key
from app.domain.conditions import Gate, gate, passes
from app.domain.diagnosis import BAND_ORDER, Diagnosis, Evidence
from app.domain.kinds import OPS
from app.domain.knowledge import CountyKind, FitCondition, Path
from app.domain.profile import ValidProfile
from app.domain.snapshot import Snapshot
from app.domain.strengths import Strength

Outcome = Literal["met", "missed", "unknown", "conflict"]
# Builds a NamedTuple from a plain tuple without its Python-level ``__new__``: the hot loops
# below make thousands of them per second.
_new = tuple.__new__


class FitOutcome(NamedTuple):
    condition: FitCondition
    outcome: Outcome
    value: float | None
    conflict: tuple[str, Evidence] | None  # (challenge, evidence) when the condition is a problem


class Contribution(NamedTuple):
    challenge: str
    weight: float
    severity: float
    share: float


class StrengthUse(NamedTuple):
    indicator: str
    weight: float
    share: float


class DutyUse(NamedTuple):
    """A declared kind's or zone's first duty the path carries out."""

    name: str  # the kind or zone
    weight: float
    share: float
    owner: str = ""  # "kind:<kind>" or "zone:<zone>": a kind and a zone may share a name


class Ranked(NamedTuple):
    rank: int
    path: Path
    score: float
    standalone_score: float
    addresses: tuple[Contribution, ...]
    builds_on: tuple[StrengthUse, ...]
    fit: tuple[FitOutcome, ...]
    fit_factor: float
    kind_fit: KindFit
    duties: tuple[DutyUse, ...] = ()
    actions: tuple[int, ...] = ()  # the actions shown, by position in the path
    left_out: tuple[tuple[int, Gate], ...] = ()  # actions whose requirements fail, and why


class Target(NamedTuple):
    key: str  # "c:<challenge>", "s:<indicator>" or "d:kind:<kind>" / "d:zone:<zone>"
    name: str
    weight: float
    value: float
    reach: float  # weight x value, what the path can take of the target at most


class Candidate(NamedTuple):
    """A path that can be ranked, with its fit judged and its targets as the scan reads them."""

    plan: PathPlan
    fit: tuple[FitOutcome, ...]
    fit_factor: float
    kind_fit: KindFit
    targets: tuple[Target, ...]
    kind_factor: float
    reaches: tuple[tuple[str, float], ...]  # (target key, reach)
    actions: tuple[int, ...]
    left_out: tuple[tuple[int, Gate], ...]


class Excluded(NamedTuple):
    """A path never shown to the county: its own requirements fail, or none of its actions fit."""

    slug: str
    gate: Gate
    reason: Literal["requirements", "no_action_fits"]


def _problems(diagnoses: tuple[Diagnosis, ...]) -> dict[str, tuple[str, Evidence]]:
    """The worst band past ``ok`` of each indicator, with the challenge that shows it."""
    out: dict[str, tuple[str, Evidence]] = {}
    for d in diagnoses:
        for e in d.evidence:
            seen = out.get(e.indicator)
            if e.band != "ok" and (seen is None or BAND_ORDER[e.band] > BAND_ORDER[seen[1].band]):
                out[e.indicator] = (d.slug, e)
    return out


def _fit(
    snap: Snapshot,
    plan: PathPlan,
    profile: ValidProfile,
    problems: Mapping[str, tuple[str, Evidence]],
) -> tuple[tuple[FitOutcome, ...], float]:
    """Each condition's outcome, and the product of their factors (unknown ones count 1)."""
    if not plan.fit:
        return (), 1.0
    values = profile.values
    outcomes: list[FitOutcome] = []
    factor = 1.0
    for cond in plan.fit:
        if cond.signal is not None:
            met = cond.signal in profile.signals
            outcomes.append(_new(FitOutcome, (cond, "met" if met else "unknown", None, None)))
            factor *= cond.met_factor if met else 1.0
            continue
        assert cond.indicator is not None
        assert cond.op is not None
        assert cond.value is not None
        value = values.get(cond.indicator)
        if value is None:
            outcomes.append(_new(FitOutcome, (cond, "unknown", None, None)))
        elif not OPS[cond.op](value, cond.value):
            outcomes.append(_new(FitOutcome, (cond, "missed", value, None)))
            factor *= cond.missed_factor
        elif cond.role == "support" and (problem := problems.get(cond.indicator)):
            outcomes.append(_new(FitOutcome, (cond, "conflict", value, problem)))
            factor *= snap.tuning.conflict_factor.value
        else:
            outcomes.append(_new(FitOutcome, (cond, "met", value, None)))
            factor *= cond.met_factor
    return tuple(outcomes), factor


def _kind_fit(
    snap: Snapshot, plan: PathPlan, kinds: frozenset[CountyKind], declared: frozenset[CountyKind]
) -> KindFit:
    key = (plan.slug, kinds, declared)
    hit = snap.memo.kind_fits.get(key)
    if hit is None:
        hit = snap.memo.kind_fits[key] = _kind_fit_of(snap, plan, kinds, declared)
    return hit


def _kind_fit_of(
    snap: Snapshot, plan: PathPlan, kinds: frozenset[CountyKind], declared: frozenset[CountyKind]
) -> KindFit:
    """A kind the county declares weighs fully; a trait read off its figures only cautions."""
    unsuited = tuple(sorted(plan.unsuited & kinds))
    suits = tuple(sorted(plan.suits & kinds))
    tuning = snap.tuning
    if unsuited:
        firm = any(k in declared or snap.kinds[k].trait_weighs == "fully" for k in unsuited)
        factor = tuning.kind_unsuited_factor if firm else tuning.trait_unsuited_factor
        return KindFit(suits, unsuited, factor.value, firm)
    if suits:
        return KindFit(suits, unsuited, tuning.kind_suits_factor.value)
    return KindFit(suits, unsuited, 1.0)


def _actions(
    plan: PathPlan, profile: ValidProfile
) -> tuple[tuple[int, ...], tuple[tuple[int, Gate], ...]]:
    """The positions of the actions that fit the county, and those left out with their gate:
    only actions with requirements are judged, the others are always kept."""
    if not plan.gated_actions:
        return plan.open_actions, ()
    kept = list(plan.open_actions)
    left: list[tuple[int, Gate]] = []
    for i, requires in plan.gated_actions:
        if passes(requires, profile):
            kept.append(i)
        else:
            left.append((i, gate(requires, profile)))
    kept.sort()
    return tuple(kept), tuple(left)


def _duty_targets(plan: PathPlan, profile: ValidProfile, worth: float) -> list[Target]:
    out: list[Target] = []
    for duty in plan.duties:
        held = (duty.kind is not None and duty.kind in profile.declared_slugs) or (
            duty.zone is not None and duty.zone == profile.zone
        )
        if held:
            name = duty.kind or duty.zone or ""
            key = duty_key(duty, plan.slug)
            out.append(_new(Target, (key, name, duty.weight, worth, duty.weight * worth)))
    return out


def excluded_paths(snap: Snapshot, profile: ValidProfile) -> tuple[Excluded, ...]:
    """Paths the county is never shown, and why (for ``?trace=true``)."""
    out: list[Excluded] = []
    for plan in snap.path_plans:
        g = gate(plan.requires, profile)
        if not g.kept:
            out.append(Excluded(plan.slug, g, "requirements"))
        elif not _actions(plan, profile)[0]:
            out.append(Excluded(plan.slug, g, "no_action_fits"))
    return tuple(out)


def _candidates(
    snap: Snapshot,
    profile: ValidProfile,
    diagnoses: tuple[Diagnosis, ...],
    strengths: tuple[Strength, ...],
) -> list[Candidate]:
    severity = {d.slug: d.severity for d in diagnoses if d.active}
    strong = {s.indicator for s in strengths}
    worth = snap.tuning.strength_value.value
    duty_worth = snap.tuning.duty_value.value
    kinds, declared = profile.kind_slugs, profile.declared_slugs
    problems = _problems(diagnoses)
    pool: list[Candidate] = []
    for plan in snap.path_plans:  # slug order: the first of equal values is the first slug
        # Targets first: a path that works on nothing this county has is never judged.
        targets: list[Target] = _duty_targets(plan, profile, duty_worth) if plan.duties else []
        for key, challenge, weight in plan.addresses:
            sev = severity.get(challenge)
            if sev is not None:
                targets.append(_new(Target, (key, challenge, weight, sev, weight * sev)))
        for key, indicator, weight, needs in plan.builds_on:
            if indicator in strong and passes(needs, profile):
                targets.append(_new(Target, (key, indicator, weight, worth, weight * worth)))
        if not targets or (plan.requires and not passes(plan.requires, profile)):
            continue
        kept, left_out = _actions(plan, profile)
        if kept:
            fit, fit_factor = _fit(snap, plan, profile, problems)
            kind = _kind_fit(snap, plan, kinds, declared)
            reaches = tuple([(t.key, t.reach) for t in targets])
            pool.append(
                _new(
                    Candidate,
                    (plan, fit, fit_factor, kind, tuple(targets), kind.factor, reaches)
                    + (kept, left_out),
                )
            )
    return pool


def _value(c: Candidate, remaining: Mapping[str, float]) -> float:
    """What the path adds now: 1 - prod(1 - reach x what remains of the target), times fit."""
    left = 1.0
    for key, reach in c.reaches:
        left *= 1 - reach * remaining[key]
    value = (1 - left) * c.fit_factor * c.kind_factor
    return value if value < 1.0 else 1.0


def _by_share(c: Contribution) -> tuple[float, str]:
    return -c.share, c.challenge


def _ranked(rank: int, c: Candidate, value: float, remaining: dict[str, float]) -> Ranked:
    alone = 1.0
    shares = []
    for t in c.targets:
        alone *= 1 - t.reach
        shares.append(t.reach * remaining[t.key])
    total = sum(shares) or 1.0
    contributions: list[Contribution] = []
    uses: list[StrengthUse] = []
    duties: list[DutyUse] = []
    for t, share in zip(c.targets, shares, strict=True):
        part = round(share / total, 3)
        if t.key[0] == "c":
            contributions.append(_new(Contribution, (t.name, t.weight, t.value, part)))
        elif t.key[0] == "s":
            uses.append(_new(StrengthUse, (t.name, t.weight, part)))
        else:
            owner = ":".join(t.key.split(":")[1:3])
            duties.append(_new(DutyUse, (t.name, t.weight, part, owner)))
    if len(contributions) > 1:
        contributions.sort(key=_by_share)
    standalone = min(100.0, 100 * (1 - alone) * c.fit_factor * c.kind_factor)
    return Ranked(
        rank,
        c.plan.path,
        round(100 * value, 1),
        round(standalone, 1),
        tuple(contributions),
        tuple(uses),
        c.fit,
        round(c.fit_factor, 4),
        c.kind_fit,
        tuple(duties),
        c.actions,
        c.left_out,
    )


def rank_paths(
    snap: Snapshot,
    profile: ValidProfile,
    diagnoses: tuple[Diagnosis, ...],
    strengths: tuple[Strength, ...],
    limit: int | None = None,
) -> tuple[Ranked, ...]:
    """The greedy portfolio, best first; ``limit`` stops after that many paths.

    Values only fall as targets shrink, so the scan is lazy: candidates wait in a heap under
    the value they last had, and choosing a path marks stale only the candidates sharing one of
    its targets. A popped candidate that is not stale holds the highest value (ties to the first
    slug, by heap order); a stale one is valued again and put back. This is the choice a full
    rescan would make, for a fraction of the work.
    """
    coverage = snap.tuning.ranking_coverage.value
    pool = _candidates(snap, profile, diagnoses, strengths)
    remaining = {t.key: 1.0 for c in pool for t in c.targets}
    sharing: dict[str, list[int]] = {}
    for i, c in enumerate(pool):
        for t in c.targets:
            sharing.setdefault(t.key, []).append(i)
    heap = [(-_value(c, remaining), i) for i, c in enumerate(pool)]
    heapq.heapify(heap)
    stale = [False] * len(pool)
    wanted = len(pool) if limit is None else min(limit, len(pool))
    ranked: list[Ranked] = []
    floor = snap.tuning.min_score.value / 100
    while len(ranked) < wanted and heap:
        negative, best = heapq.heappop(heap)
        while stale[best]:  # valued again; kept if it still leads, else swapped for the leader
            stale[best] = False
            negative = -_value(pool[best], remaining)
            if heap and (negative, best) > heap[0]:
                negative, best = heapq.heapreplace(heap, (negative, best))
        if -negative < floor:
            break  # values only fall from here: the rest add too little to recommend
        chosen = pool[best]
        ranked.append(_ranked(len(ranked) + 1, chosen, -negative, remaining))
        for t in chosen.targets:
            remaining[t.key] *= 1 - coverage * t.weight
            for i in sharing[t.key]:
                stale[i] = True
    return tuple(ranked)
