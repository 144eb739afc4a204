"""From a diagnosis to an action plan a county bureau can sign: its targets first, then who does
what and when, how it is paid for, and in the county's own names.

Pure: it reads the engine's analysis of a profile (app.domain.result.Analysis) and the snapshot and
returns one plan object in the result's language, which every renderer (JSON, HTML, Word, the brief)
only formats. Same analysis and knowledge base, same plan.

- **Targets** (``targets``, 主要目标): one row per indicator the plan's actions move, built once
  (app.domain.plan_targets); an action's KPIs are those rows, so an indicator never has two
  targets, and the county-wide ones (GDP and income per head, fiscal self-sufficiency) are main
  targets only, never one action's KPI. Outputs a bureau is assessed on that are not indicators (``outputs``) ask for their
  baseline to be measured first.
- **Sequencing** (app.domain.plan_sequence): the plan runs from the year after the profile's (2026
  at the earliest) to the horizon in three stages; quick tasks and the tasks of urgent paths start
  in the first stage, structural ones in the second, a path after the first stage of the paths it
  depends on, and every plan starts something in its first year.
- **Funding and names** (app.domain.plan_funding): departments named by province and form,
  channels the county can use, a cost band and the county's share per action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.domain.conditions import gate
from app.domain.constraint_items import constraint_items
from app.domain.knowledge import Lang
from app.domain.messages import say
from app.domain.naming import localize, programmes
from app.domain.plan_funding import channels, cost, department
from app.domain.plan_sequence import STAGES_NAMES, Stage, Task, schedule, stages, urgent
from app.domain.plan_targets import Target, judged_here, target_for, target_item
from app.domain.plan_types import (
    ActionOut,
    AddressedOut,
    Named,
    OutputKpiOut,
    PhaseOut,
    Plan,
    PlanChallenge,
    ProgrammeOut,
    SequenceWarning,
    StageOut,
    TargetKind,
    TargetOut,
    TaskOut,
    ToMeasureOut,
)
from app.domain.plan_years import plan_start
from app.domain.profile import ValidProfile
from app.domain.ranking import Ranked
from app.domain.result import Analysis
from app.domain.result_types import (
    ChallengeOut,
    ChallengeSummaryOut,
    EvidenceOut,
    Result,
    WarningOut,
)
from app.domain.snapshot import Snapshot
from app.errors import FieldError, InvalidInput

LAST_HORIZON = 2050
MIN_PLAN_YEARS = 3
HEADLINE = ("gdp_per_capita_cny", "income_per_capita_cny", "urban_rural_income_ratio")
"""Indicators every plan's main targets open with when the county gives them."""
COUNTY_WIDE = frozenset((*HEADLINE, "fiscal_self_sufficiency"))
"""Indicators of the whole county's economy and purse: they are the plan's main targets and
never one action's KPI. No single action moves them on its own (an award for grain output is a
transfer, which does not raise the county's own revenue), and written under several actions one
target would read as several."""


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


PLAN_SCORE_SHARE = 0.1
"""A path enters the plan only when it adds at least a tenth of what the leading path adds: a
ranked path's score is what it brings beyond the paths above it, so one far below the leader
(6 points beside 88) is a remainder of the ranking, not a task a county commits money and
departments to. It stays a ranked option."""


def pick(ranked: Sequence[Ranked], max_actions: int) -> list[Ranked]:
    """The top ``max_actions`` ranked paths that the county fits and that add at least
    ``PLAN_SCORE_SHARE`` of the leading path's score, plus any recommended path one of them
    depends on (a recruitment drive brings its talent environment along), in rank order. A path
    whose own conditions the county's figures miss (farm processing where farming is 2.5% of
    GDP), or that is unsuited to a kind the county is (a full manufacturing chain for a pastoral
    banner), stays a ranked option but is not written into the plan a county signs."""
    by_slug = {r.path.slug: r for r in ranked if r.score > 0 and not _misfit(r)}
    floor = max((r.score for r in ranked), default=0.0) * PLAN_SCORE_SHARE
    ranked = [r for r in ranked if r.path.slug in by_slug]
    chosen = {r.path.slug for r in [r for r in ranked if r.score >= floor][:max_actions]}
    frontier = sorted(chosen)
    while frontier:
        for dep in by_slug[frontier.pop()].path.depends_on:
            if dep in by_slug and dep not in chosen:
                chosen.add(dep)
                frontier.append(dep)
    return [r for r in ranked if r.path.slug in chosen]


def _misfit(r: Ranked) -> bool:
    """A fit condition the county's figures miss, or a kind the county firmly is (declared, or
    a trait that weighs fully) that the path is unsuited to."""
    if r.kind_fit.unsuited and r.kind_fit.firm:
        return True
    return any(f.outcome == "missed" for f in r.fit)


def _evidence(result: Result) -> dict[str, list[EvidenceOut]]:
    out: dict[str, list[EvidenceOut]] = {}
    for challenge in result.challenges:
        for e in challenge.evidence if isinstance(challenge, ChallengeOut) else ():
            out.setdefault(e.indicator, []).append(e)
    return out


def _targets(
    snap: Snapshot,
    analysis: Analysis,
    picked: Sequence[Ranked],
    span: tuple[int, int, int],
    lang: Lang,
) -> dict[str, Target]:
    """One target per indicator: the headline ones, then each action's outcome indicators."""
    evidence = _evidence(analysis.result)
    keys = [k for k in HEADLINE if k in analysis.profile.values]
    keys += [k for r in picked for k in r.path.outcome_indicators if k not in keys]
    out: dict[str, Target] = {}
    for key in dict.fromkeys(keys):
        t = target_for(snap, analysis.profile, key, evidence.get(key, []), span, lang)
        if t is not None:
            out[key] = t
    return out


def _flagged(result: Result, line: float) -> dict[str, bool]:
    return {c.slug: c.status == "flag" and c.confidence >= line for c in result.challenges}


def _task_text(snap: Snapshot, analysis: Analysis, r: Ranked, t: Task, lang: Lang) -> str:
    """A task's text naming the county's own units (市发展和改革局, 本市)."""
    profile = analysis.profile
    text = snap.path_texts[(r.path.slug, lang)].actions[t.index]
    return localize(snap, text, profile.province, profile.admin_form, lang)


def _unit(snap: Snapshot, profile: ValidProfile, slug: str, context: _Context) -> Named:
    """A department as the county names it, named once per plan: the same few units lead and
    partner most actions and tasks, and a unit is a frozen value that can be shared."""
    found = context.units.get(slug)
    if found is None:
        found = context.units[slug] = department(snap, profile, slug, context.lang)
    return found


def _lead(
    snap: Snapshot, profile: ValidProfile, slug: str | None, context: _Context
) -> Named | None:
    return None if slug is None else _unit(snap, profile, slug, context)


def _task_item(
    snap: Snapshot, profile: ValidProfile, r: Ranked, t: Task, text: str, context: _Context
) -> TaskOut:
    a = t.action
    return TaskOut(
        text=text,
        start=t.start,
        timing=a.timing,
        cost=a.cost,
        new_build=a.new_build,
        lead=_lead(snap, profile, a.lead or r.path.lead, context),
    )


def _action(
    snap: Snapshot,
    analysis: Analysis,
    r: Ranked,
    tasks: tuple[Task, ...],
    context: _Context,
) -> ActionOut:
    lang, profile, path = context.lang, analysis.profile, r.path
    start = min(t.start for t in tasks)
    stage = next(s for s in context.phases if s.start <= start <= s.end)
    usable, note = channels(snap, profile, path.funding, lang)
    texts = [_task_text(snap, analysis, r, t, lang) for t in tasks]
    return ActionOut(
        rank=r.rank,
        path=path.slug,
        family=path.family,
        title=snap.path_texts[(path.slug, lang)].title,
        stage=stage.number,
        phase=PhaseOut(start, context.horizon),
        lead=_lead(snap, profile, path.lead, context),
        partners=[_unit(snap, profile, s, context) for s in path.partners],
        funding=usable,
        funding_note=note,
        cost=cost(snap, tasks, profile, lang),
        kpis=[
            context.targets[k]
            for k in path.outcome_indicators
            if k in context.targets and k not in COUNTY_WIDE
        ],
        outputs=[o.slug for o in path.output_kpis if gate(o.requires, profile).kept],
        to_measure=_to_measure(snap, profile, path.outcome_indicators, context),
        depends_on=[d for d in path.depends_on if d in context.in_plan],
        required_by=sorted(s for s in context.in_plan if path.slug in context.depends[s]),
        addresses=[
            AddressedOut(
                challenge=c.challenge,
                title=context.challenges[c.challenge].title,
                status=context.challenges[c.challenge].status,
                confidence=context.challenges[c.challenge].confidence,
            )
            for c in r.addresses
        ],
        tasks=texts,
        task_details=[
            _task_item(snap, profile, r, t, text, context)
            for t, text in zip(tasks, texts, strict=True)
        ],
        serves=[k for k in path.outcome_indicators if k in context.serves],
    )


def _to_measure(
    snap: Snapshot, profile: ValidProfile, keys: Sequence[str], context: _Context
) -> list[ToMeasureOut]:
    """Outcome indicators the action moves that the county has not given: a plan names them so
    that their baselines are measured and their targets set, rather than leaving a row bare. A
    county-wide one is named once, among the main targets (``Plan.to_measure``)."""
    return [
        m for m in _unmeasured(snap, profile, keys, context.lang) if m.indicator not in COUNTY_WIDE
    ]


def _unmeasured(
    snap: Snapshot, profile: ValidProfile, keys: Sequence[str], lang: Lang
) -> list[ToMeasureOut]:
    out = []
    for key in dict.fromkeys(keys):
        ind = snap.indicators[key]
        if key in profile.values or ind.plan_target == "none":
            continue
        if ind.pace is None or not judged_here(snap, key, profile):
            continue
        kind: TargetKind = "binding" if ind.plan_target == "binding" else "expected"
        out.append(ToMeasureOut(key, ind.label.get(lang), ind.unit_label.get(lang), kind))
    return out


class _Context:
    """What every action of one plan is built from."""

    def __init__(
        self,
        lang: Lang,
        horizon: int,
        phases: tuple[Stage, ...],
        targets: Mapping[str, TargetOut],
        picked: Sequence[Ranked],
        challenges: Mapping[str, ChallengeSummaryOut],
    ) -> None:
        self.lang, self.horizon, self.phases, self.targets = lang, horizon, phases, targets
        self.in_plan = frozenset(r.path.slug for r in picked)
        self.depends = {r.path.slug: frozenset(r.path.depends_on) for r in picked}
        self.challenges = challenges
        self.units: dict[str, Named] = {}
        self.serves = frozenset(k for k in targets if k in COUNTY_WIDE)


def _outputs(
    snap: Snapshot, picked: Sequence[Ranked], profile: ValidProfile, lang: Lang
) -> list[OutputKpiOut]:
    """Outputs a bureau is assessed on (not indicators): their baselines are measured first."""
    seen: dict[str, OutputKpiOut] = {}
    for r in picked:
        for o in r.path.output_kpis:
            if not gate(o.requires, profile).kept:
                continue
            item = seen.get(o.slug)
            if item is None:
                item = seen[o.slug] = OutputKpiOut(
                    slug=o.slug,
                    label=localize(
                        snap, o.label.get(lang), profile.province, profile.admin_form, lang
                    ),
                    unit_label=o.unit_label.get(lang),
                    kind=o.kind,
                    kind_label=say("target_kind", o.kind, lang),
                    baseline=None,
                    target=None,
                    basis_text=say("target_basis", _unset_basis(o.kind), lang),
                    paths=[],
                )
            item.paths.append(r.path.slug)
    return list(seen.values())


def _unset_basis(kind: TargetKind) -> str:
    """Where a target without a baseline comes from: a binding one is the task the province or
    city assigns (粮食产量, 能耗强度), an expected one follows from the measured baseline."""
    return "assigned_task" if kind == "binding" else "measure_baseline"


def build_plan(snap: Snapshot, analysis: Analysis, horizon: int, max_actions: int) -> Plan:
    """The plan for an analysed profile, in the result's language."""
    result = analysis.result
    lang: Lang = result.language
    start = plan_start(result.county.year)
    check_horizon(start, horizon)
    phases = stages(start, horizon)
    picked = pick(analysis.ranked, max_actions)
    flagged = _flagged(result, snap.tuning.confidence_medium.value)
    tasks, squeezed = schedule(picked, phases, {r.path.slug: urgent(r, flagged) for r in picked})
    base_year = result.county.year or start - 1
    targets = _targets(snap, analysis, picked, (base_year, start, horizon), lang)
    rows = {k: target_item(snap, t, lang, base_year) for k, t in targets.items()}
    challenges: dict[str, ChallengeSummaryOut] = {c.slug: c for c in result.challenges}
    context = _Context(lang, horizon, phases, rows, picked, challenges)
    wide = [k for r in picked for k in r.path.outcome_indicators if k in COUNTY_WIDE]
    county_wide = [
        m for m in _unmeasured(snap, analysis.profile, wide, lang) if m.indicator not in rows
    ]
    context.serves |= {m.indicator for m in county_wide}
    actions = [_action(snap, analysis, r, tasks[r.path.slug], context) for r in picked]
    actions.sort(key=lambda a: (a.phase.start, a.rank))
    warnings: list[WarningOut | SequenceWarning] = [
        *result.warnings,
        *_squeeze_warnings(squeezed, snap, lang),
    ]
    constraints = constraint_items(snap, analysis.profile, analysis.ranked, lang)
    return Plan(
        county=result.county,
        kb_version=result.kb_version,
        benchmark=result.benchmark,
        language=lang,
        start=start,
        horizon=horizon,
        phases=_phases(phases, lang),
        challenges=_challenge_summary(result),
        targets=list(rows.values()),
        outputs=_outputs(snap, picked, analysis.profile, lang),
        constraints=constraints,
        programmes=_programmes(analysis, lang),
        actions=actions,
        warnings=warnings,
        to_measure=county_wide,
    )


def _programmes(analysis: Analysis, lang: Lang) -> list[ProgrammeOut]:
    """The pairing programmes of the county's province a plan can draw on (the receiving side,
    or a scheme within the province on both sides): a giving province's assistance is paired by
    named counties, so it is not written into every county's plan."""
    return [
        ProgrammeOut(p.slug, p.name.get(lang), p.side, list(p.partners))
        for p in programmes(analysis.profile.province, "receiving")
    ]


def _phases(phases: tuple[Stage, ...], lang: Lang) -> list[StageOut]:
    return [
        StageOut(s.number, say("plan_stage", STAGES_NAMES[s.number - 1], lang), s.start, s.end)
        for s in phases
    ]


def _challenge_summary(result: Result) -> list[PlanChallenge]:
    """The diagnosis the plan answers."""
    return [
        PlanChallenge(c.slug, c.title, c.status, c.severity, c.confidence)
        for c in result.challenges
    ]


def _squeeze_warnings(squeezed: list[str], snap: Snapshot, lang: Lang) -> list[SequenceWarning]:
    out = []
    for slug in squeezed:
        title = snap.paths[slug].title.get(lang)
        message = say("warning", "sequence_compressed", lang, title=title)
        out.append(SequenceWarning("sequence_compressed", slug, message))
    return out
