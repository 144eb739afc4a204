"""From a diagnosis to an action plan a county bureau can adopt: who leads each action, who
supports it, how it is paid for, when it starts and by which dated targets it is judged.

Pure: it reads a recommendation result (plain dict) and the knowledge-base snapshot and
returns a plain dict in the result's language. Everything it says comes from the knowledge base:
departments, funding channels and prerequisites from the paths, the credible annual change of an
indicator from its ``pace``. Same result and knowledge base, same plan.

The rules:

- The plan runs from the year after the profile's (2026 at the earliest) to the horizon, in up to
  three stages (launch, scale up, consolidate).
- An action addressing a flagged challenge the data shows with at least medium confidence starts
  in the first stage; others in the second. An action starts only after the first stage of every
  path it depends on that is also in the plan.
- A KPI moves its indicator the good way from the profile's value. Its target is the line that
  clears the challenge when the pace reaches it by the horizon (``clears_line``, dated the year it
  is reached), else what the pace reaches by the horizon (``pace_limited``). Change is counted from
  the year the action starts. Without a baseline the KPI says one must be measured first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.knowledge import Indicator, Lang, Path
from app.domain.language import as_lang
from app.domain.messages import say
from app.domain.snapshot import Snapshot
from app.errors import FieldError, InvalidInput

FIRST_PLAN_YEAR = 2026
LAST_HORIZON = 2050
MIN_PLAN_YEARS = 3
# The stages in order; their names are the catalogue's ``plan_stage`` (app/locales).
STAGES = ("launch", "scale_up", "consolidate")


@dataclass(frozen=True, slots=True)
class Stage:
    number: int
    start: int
    end: int


def plan_start(profile_year: int | None) -> int:
    """The first year of the plan: the year after the profile's, never before 2026.

    >>> plan_start(2024), plan_start(2027), plan_start(None)
    (2026, 2028, 2026)
    """
    if profile_year is None:
        return FIRST_PLAN_YEAR
    return max(FIRST_PLAN_YEAR, profile_year + 1)


def check_horizon(start: int, horizon: int) -> None:
    """A plan needs three years at least, so that each of its stages has a year of its own."""
    if horizon > LAST_HORIZON or horizon < start + MIN_PLAN_YEARS - 1:
        raise InvalidInput(
            detail=f"The plan starts in {start}; choose a horizon from "
            f"{start + MIN_PLAN_YEARS - 1} to {LAST_HORIZON}.",
            errors=[
                FieldError(
                    "/horizon",
                    "out_of_range",
                    f"between {start + MIN_PLAN_YEARS - 1} and {LAST_HORIZON} for a plan "
                    f"starting in {start}",
                )
            ],
        )


def stages(start: int, horizon: int) -> tuple[Stage, ...]:
    """Three stages: two fifths of the years each for launch and scale-up, the rest (at least a
    year) to consolidate.

    >>> [(s.start, s.end) for s in stages(2026, 2030)]
    [(2026, 2027), (2028, 2029), (2030, 2030)]
    >>> [(s.start, s.end) for s in stages(2026, 2028)]
    [(2026, 2026), (2027, 2027), (2028, 2028)]
    >>> [(s.start, s.end) for s in stages(2026, 2035)]
    [(2026, 2029), (2030, 2033), (2034, 2035)]
    """
    years = horizon - start + 1
    first = max(1, round(years * 2 / 5))
    second = max(1, min(round(years * 2 / 5), years - first - 1))
    bounds = (start, start + first, start + first + second, horizon + 1)
    return tuple(Stage(n + 1, bounds[n], bounds[n + 1] - 1) for n in range(3))


def _urgent(
    rec: Mapping[str, Any], challenges: Mapping[str, Mapping[str, Any]], line: float
) -> bool:
    """Does the action address a flagged challenge the data shows with enough confidence?"""
    for address in rec["addresses"]:
        c = challenges.get(address["challenge"])
        if c is not None and c["status"] == "flag" and c.get("confidence", 1.0) >= line:
            return True
    return False


def sequence(
    picked: list[Mapping[str, Any]],
    paths: Mapping[str, Path],
    urgent: Mapping[str, bool],
    count: int,
) -> tuple[dict[str, int], list[str]]:
    """The stage index (0-based) of each picked path, and the paths whose prerequisites could not
    all finish their first stage before them (placed in the last stage)."""
    in_plan = {r["slug"] for r in picked}
    index: dict[str, int] = {}
    squeezed: list[str] = []

    def place(slug: str, trail: frozenset[str]) -> int:
        if slug in index:
            return index[slug]
        wanted = 0 if urgent[slug] else 1
        for dep in paths[slug].depends_on:
            if dep in in_plan and dep not in trail:
                wanted = max(wanted, place(dep, trail | {slug}) + 1)
        if wanted > count - 1:
            squeezed.append(slug)
        index[slug] = min(wanted, count - 1)
        return index[slug]

    for rec in picked:
        place(rec["slug"], frozenset())
    return index, sorted(squeezed)


def pick(result: Mapping[str, Any], snap: Snapshot, max_actions: int) -> list[Mapping[str, Any]]:
    """The top ``max_actions`` ranked paths, plus any recommended path one of them depends on
    (a recruitment drive brings its talent environment along), in rank order."""
    ranked = [r for r in result["recommendations"] if r["score"] > 0 and r["slug"] in snap.paths]
    recommended = {r["slug"] for r in ranked}
    chosen = {r["slug"] for r in ranked[:max_actions]}
    frontier = sorted(chosen)
    while frontier:
        for dep in snap.paths[frontier.pop()].depends_on:
            if dep in recommended and dep not in chosen:
                chosen.add(dep)
                frontier.append(dep)
    return [r for r in ranked if r["slug"] in chosen]


def _direction(snap: Snapshot, ind: Indicator, evidence: list[Mapping[str, Any]]) -> int:
    """+1 when the indicator should rise, -1 when it should fall, 0 when nothing says."""
    if ind.direction == "higher_is_better":
        return 1
    if ind.direction == "lower_is_better":
        return -1
    bad_when = [e["bad_when"] for e in evidence]
    if not bad_when:
        bad_when = [
            rule.bad_when
            for slug in sorted(snap.challenges)
            for rule in snap.challenges[slug].rules
            if rule.indicator == ind.key
        ]
    return (1 if bad_when[0] == "below" else -1) if bad_when else 0


def _line(evidence: list[Mapping[str, Any]], baseline: float, sign: int) -> float | None:
    """The farthest line still to clear on the good side of the baseline, if any."""
    lines = [
        float(e["target"])
        for e in evidence
        if e.get("band") != "ok"
        and e.get("target") is not None
        and (float(e["target"]) - baseline) * sign > 0
    ]
    return max(lines, key=lambda v: v * sign) if lines else None


def _decimals(pace: float) -> int:
    """Precision a target deserves: one digit below the pace's first significant digit.

    >>> _decimals(0.04), _decimals(0.2), _decimals(1.5), _decimals(800)
    (3, 2, 1, 0)
    """
    return max(0, min(4, 1 - math.floor(math.log10(pace))))


def _toward(value: float, baseline: float, decimals: int) -> float:
    """Round toward the baseline, so a rounded target never asks more than the pace allows."""
    scale = 10**decimals
    moved = value - baseline
    step = math.floor(abs(moved) * scale + 1e-9) / scale
    out = round(baseline + math.copysign(step, moved), decimals + 4)
    return 0.0 if out == 0 else out


def kpi(
    snap: Snapshot,
    key: str,
    baseline: float | None,
    evidence: list[Mapping[str, Any]],
    start: int,
    horizon: int,
    lang: Lang,
) -> dict[str, Any]:
    """One dated target for one outcome indicator of an action starting in ``start``."""
    ind = snap.indicators[key]
    sign = _direction(snap, ind, evidence)
    out: dict[str, Any] = {
        "indicator": key,
        "label": ind.label.get(lang),
        "unit": ind.unit,
        "unit_label": ind.unit_label.get(lang),
        "direction": {1: "increase", -1: "decrease", 0: None}[sign],
        "baseline": None if baseline is None else round(baseline, 4),
        "target": None,
        "year": horizon,
        "line": None,
        "pace": ind.pace.max_change_per_year if ind.pace else None,
    }
    if baseline is None:
        return out | {"year": start, "basis": "measure_baseline"}
    if sign == 0 or ind.pace is None:
        return out | {"basis": "no_direction" if sign == 0 else "no_pace"}
    pace = ind.pace.max_change_per_year
    line = _line(evidence, baseline, sign)
    reach = pace * (horizon - start + 1)
    if line is not None and abs(line - baseline) <= reach + 1e-9:
        years = max(1, math.ceil(abs(line - baseline) / pace - 1e-9))
        return out | {
            "target": round(line, 4),
            "year": start - 1 + years,
            "line": round(line, 4),
            "basis": "clears_line",
        }
    # Never past the indicator's range, and never behind the baseline (a derived baseline may
    # already lie outside the range an input could have).
    edge = ind.max if sign > 0 else ind.min
    raw = baseline + sign * max(0.0, min(reach, (edge - baseline) * sign))
    return out | {
        "target": _toward(raw, baseline, _decimals(pace)),
        "line": None if line is None else round(line, 4),
        "basis": "pace_limited",
    }


def _named(snap: Snapshot, lang: Lang) -> tuple[dict[str, str], dict[str, str]]:
    """Department and funding-channel names by slug, in ``lang``."""
    meta = snap.kb.meta
    return (
        {d.slug: d.name.get(lang) for d in meta.departments},
        {c.slug: c.name.get(lang) for c in meta.funding_channels},
    )


def _evidence_by_indicator(result: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for challenge in result["challenges"]:
        for e in challenge["evidence"]:
            out.setdefault(e["indicator"], []).append(e)
    return out


def _action(
    snap: Snapshot,
    rec: Mapping[str, Any],
    stage: Stage,
    context: _Context,
) -> dict[str, Any]:
    path = snap.paths[rec["slug"]]
    kpis = [
        kpi(
            snap,
            key,
            context.values.get(key),
            context.evidence.get(key, []),
            stage.start,
            context.horizon,
            context.lang,
        )
        for key in path.outcome_indicators
    ]
    for item in kpis:
        item["basis_text"] = say("kpi_basis", item["basis"], context.lang)
    return {
        "rank": rec["rank"],
        "path": path.slug,
        "family": path.family,
        "title": rec["title"],
        "stage": stage.number,
        "phase": {"start": stage.start, "end": context.horizon},
        "lead": _ref(path.lead, context.departments),
        "partners": [_ref(s, context.departments) for s in path.partners],
        "funding": [_ref(s, context.channels) for s in path.funding],
        "kpis": kpis,
        "depends_on": [d for d in path.depends_on if d in context.in_plan],
        "required_by": sorted(s for s in context.in_plan if path.slug in snap.paths[s].depends_on),
        "addresses": [
            {
                "challenge": a["challenge"],
                "title": context.challenges[a["challenge"]]["title"],
                "status": context.challenges[a["challenge"]]["status"],
                "confidence": context.challenges[a["challenge"]].get("confidence", 1.0),
            }
            for a in rec["addresses"]
            if a["challenge"] in context.challenges
        ],
        "tasks": list(rec["actions"]),
    }


def _ref(slug: str | None, names: Mapping[str, str]) -> dict[str, str] | None:
    if slug is None:
        return None
    return {"slug": slug, "name": names.get(slug, slug)}


@dataclass(frozen=True, slots=True)
class _Context:
    """What every action of one plan is built from."""

    lang: Lang
    horizon: int
    values: Mapping[str, float]
    evidence: Mapping[str, list[Mapping[str, Any]]]
    challenges: Mapping[str, Mapping[str, Any]]
    departments: Mapping[str, str]
    channels: Mapping[str, str]
    in_plan: frozenset[str]


def build_plan(
    snap: Snapshot,
    result: Mapping[str, Any],
    values: Mapping[str, float],
    horizon: int,
    max_actions: int,
) -> dict[str, Any]:
    """The plan for a recommendation ``result`` whose profile had ``values`` (given and derived
    indicators), in the result's language."""
    lang = as_lang(result.get("language"))
    start = plan_start(result["county"].get("year"))
    check_horizon(start, horizon)
    phases = stages(start, horizon)
    challenges = {c["slug"]: c for c in result["challenges"]}
    picked = pick(result, snap, max_actions)
    line = snap.kb.meta.tuning.confidence_medium.value
    urgent = {r["slug"]: _urgent(r, challenges, line) for r in picked}
    index, squeezed = sequence(picked, snap.paths, urgent, len(phases))
    departments, channels = _named(snap, lang)
    context = _Context(
        lang,
        horizon,
        values,
        _evidence_by_indicator(result),
        challenges,
        departments,
        channels,
        frozenset(r["slug"] for r in picked),
    )
    actions = [_action(snap, r, phases[index[r["slug"]]], context) for r in picked]
    actions.sort(key=lambda a: (a["stage"], a["rank"]))
    return {
        "county": result["county"],
        "kb_version": result["kb_version"],
        "benchmark": result["benchmark"],
        "language": lang,
        "start": start,
        "horizon": horizon,
        "phases": _phases(phases, lang),
        "challenges": _challenge_summary(result),
        "actions": actions,
        "warnings": list(result["warnings"]) + _squeeze_warnings(squeezed, snap, lang),
    }


def _phases(phases: tuple[Stage, ...], lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "stage": s.number,
            "name": say("plan_stage", STAGES[s.number - 1], lang),
            "start": s.start,
            "end": s.end,
        }
        for s in phases
    ]


def _challenge_summary(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The diagnosis the plan answers; a challenge without a confidence counts as certain."""
    return [
        {
            "slug": c["slug"],
            "title": c["title"],
            "status": c["status"],
            "severity": c["severity"],
            "confidence": c.get("confidence", 1.0),
        }
        for c in result["challenges"]
    ]


def _squeeze_warnings(squeezed: list[str], snap: Snapshot, lang: Lang) -> list[dict[str, Any]]:
    out = []
    for slug in squeezed:
        title = snap.paths[slug].title.get(lang)
        message = say("warning", "sequence_compressed", lang, title=title)
        out.append({"code": "sequence_compressed", "path": slug, "message": message})
    return out
