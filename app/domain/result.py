"""Assembling the recommendation result (contract section 5) in one language.

Everything is built as the typed values of app.domain.result_types, their fields in a fixed order
with rounded numbers, so the same input and knowledge-base version serialise to byte-identical
JSON. The ``summary`` view computes the
diagnosis and the ranking but renders no evidence, rationale, actions or examples; ``trace``
adds how every number was made and costs nothing when not asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Literal, NamedTuple, ParamSpec, cast

from app.domain.checks import ProfileWarning
from app.domain.compiled import ExampleText
from app.domain.conditions import Gate, gate, unmet
from app.domain.constraint_items import constraint_items, summary_items
from app.domain.diagnosis import Diagnosis, Evidence, diagnose
from app.domain.kinds import CountyKindOf
from app.domain.knowledge import LANGS, AdminForm, CountyKind, Lang
from app.domain.messages import catalogue, say
from app.domain.naming import localize
from app.domain.numbers import round4
from app.domain.peers import find_peers
from app.domain.profile import ProfileInput, ValidProfile, validate_profile
from app.domain.ranking import Ranked, excluded_paths, rank_paths
from app.domain.result_types import (
    AddressOut,
    AddressSummaryOut,
    BenchmarkUsed,
    BuildsOnOut,
    ChallengeOut,
    ChallengeSummaryOut,
    ChallengeTrace,
    ChangeOut,
    ConstraintOut,
    ConstraintSummaryOut,
    CountyOut,
    DutyOut,
    EvidenceOut,
    ExampleRef,
    FitOut,
    KindEvidenceOut,
    KindFitOut,
    KindOut,
    LeadingIndustryOut,
    LeftOutAction,
    LeftOutPath,
    NationalLinesOut,
    PeerOut,
    PeersNote,
    ProfileEcho,
    RecommendationOut,
    RecommendationResult,
    RecommendationSummary,
    RecommendationSummaryOut,
    ResourceOut,
    Result,
    ScenarioOut,
    ScoreParts,
    ScoreTarget,
    SourceOut,
    StrengthOut,
    Thresholds,
    UnmetOut,
    ValidationResult,
    WarningCode,
    WarningOut,
    absent,
)
from app.domain.sentences import (
    KindsText,
    benchmark_name,
    challenge_finding,
    challenge_reason,
    fit_sentence,
    kind_name,
    peer_reason,
    rationale,
)
from app.domain.snapshot import Snapshot
from app.domain.sources import source_dict
from app.domain.strengths import Strength, strengths
from app.errors import InvalidInput

View = Literal["full", "summary"]
P = ParamSpec("P")
STATUS_TEXT: dict[str, dict[str, str]] = {
    lang: {s: texts[lang] for s, texts in catalogue()["status"].items()} for lang in LANGS
}
SUMMARY_PATHS = 10


def _round(value: float | None) -> float | None:
    return None if value is None else round4(value)


def confidence_level(snap: Snapshot, value: float) -> Literal["high", "medium", "low"]:
    if value >= snap.tuning.confidence_high.value:
        return "high"
    return "medium" if value >= snap.tuning.confidence_medium.value else "low"


def _evidence(e: Evidence, lang: Lang) -> EvidenceOut:
    t = e.rule.texts[lang]
    nation = e.rule.national
    item = EvidenceOut(
        e.indicator,
        t.label,
        round4(e.value),
        t.unit,
        t.unit_label,
        e.band,
        t.benchmark_value,
        t.benchmark_year,
        t.thresholds,
        t.basis,
        t.bad_when,
        None if e.band == "ok" else _target(e, t.thresholds.watch),
        t.weight,
        t.anchor,
        t.line_sources,
        None if nation is None else e.against,
        None
        if nation is None
        else NationalLinesOut(
            nation.slug,
            round4(nation.value),
            Thresholds(round4(nation.watch), round4(nation.flag)),
            e.benchmark_lags,
        ),
    )
    return item  # without line sources, and but for a gap rule without the nation's lines


def _target(e: Evidence, own_watch: float) -> float:
    """The value that clears the indicator: its own set's watch line, or for a gap rule the
    stricter of that and the nation's."""
    nation = e.rule.national
    if nation is None:
        return own_watch
    below = e.rule.rule.bad_when == "below"
    return round4(max(own_watch, nation.watch) if below else min(own_watch, nation.watch))


def _challenge(
    snap: Snapshot,
    d: Diagnosis,
    lang: Lang,
    profile: ValidProfile,
    bench: str | None = None,
) -> ChallengeOut:
    ch = snap.challenges[d.slug]
    title, source = _challenge_text(snap, d.slug, lang)
    item = ChallengeOut(
        d.slug,
        title,
        d.status,
        d.severity,
        d.confidence.value,
        confidence_level(snap, d.confidence.value),
        ch.family,
        localize(snap, ch.summary.get(lang), profile.province, profile.admin_form, lang),
        challenge_finding(snap, d, lang, bench),
        [_evidence(e, lang) for e in d.evidence],
        list(d.signals),
        list(d.missing),
        list(d.unresolved),
        source,
        # the diagnosis writes the trace's keys (ChallengeTrace names them)
        cast(ChallengeTrace | None, d.trace),
    )
    return item


def _challenge_text(snap: Snapshot, slug: str, lang: Lang) -> tuple[str, SourceOut]:
    """A challenge's title and served source (the same for every county: kept per snapshot)."""
    key = (slug, lang)
    hit = snap.memo.challenge_texts.get(key)
    if hit is None:
        ch = snap.challenges[slug]
        hit = snap.memo.challenge_texts[key] = (ch.title.get(lang), source_dict(ch.source, lang))
    return hit


def _kind_fit(snap: Snapshot, r: Ranked) -> KindFitOut:
    """The kinds a path suits and is unsuited to (one value per snapshot and kind fit)."""
    hit = snap.memo.kind_fit_outs.get(r.kind_fit)
    if hit is None:
        fit = r.kind_fit
        hit = snap.memo.kind_fit_outs[fit] = KindFitOut(list(fit.suits), list(fit.unsuited))
    return hit


def _challenge_summary(snap: Snapshot, d: Diagnosis, lang: Lang) -> ChallengeSummaryOut:
    title = _challenge_text(snap, d.slug, lang)[0]
    return ChallengeSummaryOut(d.slug, title, d.status, d.severity, d.confidence.value)


def _ordered_examples(
    snap: Snapshot, slug: str, lang: Lang, kinds: frozenset[CountyKind]
) -> list[ExampleText]:
    """The path's examples a county of these kinds may see, those of its own kinds first (the
    same for every county of the same kinds, so kept per snapshot)."""
    key = (slug, lang, kinds)
    hit = snap.memo.examples.get(key)
    if hit is None:
        text = snap.path_texts[(slug, lang)]
        shown = [ex for ex in text.examples if not (ex.unsuited & kinds)]
        shown.sort(key=lambda ex: -len(ex.kinds & kinds))
        hit = snap.memo.examples[key] = shown
    return hit


def _examples(snap: Snapshot, slug: str, lang: Lang, profile: ValidProfile) -> list[ExampleRef]:
    """The path's first examples that fit the county: never one unsuited to its kinds, never
    one whose requirements fail, never the county itself as its own model
    (``GET /v1/examples?path=`` lists them all)."""
    limit = int(snap.tuning.examples_shown.value)
    out: list[ExampleRef] = []
    for ex in _ordered_examples(snap, slug, lang, profile.kind_slugs):
        if ex.county in profile.own_slugs or not gate(ex.requires, profile).kept:
            continue
        out.append(ex.item)
        if len(out) == limit:
            break
    return out


class _Rendering(NamedTuple):
    """What every ranked path of one result is written with: the county's challenge reasons
    and strengths, in one language."""

    snap: Snapshot
    profile: ValidProfile
    reasons: Mapping[str, str]
    strong: Mapping[str, Strength]
    lang: Lang
    trace: bool
    kb_words: Callable[[str], str]


def _kb_words(snap: Snapshot, profile: ValidProfile, lang: Lang) -> Callable[[str], str]:
    """The knowledge base's own texts (a path's summary, reasons, actions, conditions) in the
    county's own units, each localised once per snapshot and kind of county (province,
    administrative form, language): they are the same for every county of that kind. Texts
    made for one county (a rationale) are localised where they are made."""
    key = (profile.province.slug if profile.province else None, profile.admin_form, lang)
    known = snap.memo.localized.get(key)
    if known is None:
        known = snap.memo.localized[key] = {}
    province, form = profile.province, profile.admin_form

    def words(text: str) -> str:
        hit = known.get(text)
        if hit is None:
            hit = known[text] = localize(snap, text, province, form, lang)
        return hit

    return words


def _recommendation(ctx: _Rendering, r: Ranked) -> RecommendationOut:
    snap, profile, reasons, strong, lang = ctx.snap, ctx.profile, ctx.reasons, ctx.strong, ctx.lang
    p, text, kb = r.path, snap.path_texts[(r.path.slug, lang)], ctx.kb_words

    def own(words: str) -> str:  # the county's own units: 本市, 市内, 市级 in a city's text
        return localize(snap, words, profile.province, profile.admin_form, lang)

    sentences = [fit_sentence(snap, f, lang) for f in r.fit]
    sentences = [None if s is None else own(s) for s in sentences]
    names = profile.leading.labels(lang) if profile.leading else ()
    kinds = KindsText(text.kinds_note, text.duty_whys, profile.declared_slugs, names)
    item = RecommendationOut(
        r.rank,
        p.slug,
        p.family,
        p.origin,
        text.title,
        r.score,
        r.standalone_score,
        kb(text.summary),
        [AddressOut(c.challenge, c.share, kb(text.why[c.challenge])) for c in r.addresses],
        [
            BuildsOnOut(
                u.indicator,
                _round(strong[u.indicator].value),
                u.share,
                kb(text.builds_on_why[u.indicator]),
            )
            for u in r.builds_on
        ],
        [DutyOut(d.name, d.share, kb(text.duty_whys[d.owner])) for d in r.duties],
        own(rationale(snap, r, reasons, strong, sentences, kinds, lang)),
        [kb(text.actions[i]) for i in r.actions],
        [
            FitOut(kb(f.condition.text.get(lang)), f.outcome, sentence)
            for f, sentence in zip(r.fit, sentences, strict=True)
        ],
        _kind_fit(snap, r),
        text.outcome_indicators,
        _examples(snap, p.slug, lang, profile),
        text.source,
    )
    if not ctx.trace:
        return item
    return replace(
        item,
        score_parts=_score_parts(r),
        actions_left_out=[LeftOutAction(text.actions[i], _unmet(g)) for i, g in r.left_out],
    )


def _unmet(g: Gate) -> list[UnmetOut]:
    # conditions.unmet writes an UnmetOut's keys
    return cast(list[UnmetOut], unmet(g))


def _score_parts(r: Ranked) -> ScoreParts:
    """How the score was made: each target's weight, severity and share, and the factors."""
    targets: list[ScoreTarget] = [
        ScoreTarget(challenge=c.challenge, weight=c.weight, severity=c.severity, share=c.share)
        for c in r.addresses
    ]
    targets += [
        ScoreTarget(indicator=u.indicator, weight=u.weight, share=u.share) for u in r.builds_on
    ]
    targets += [
        ScoreTarget(name=d.name, weight=d.weight, share=d.share, owner=d.owner) for d in r.duties
    ]
    return ScoreParts(targets, r.fit_factor, r.kind_fit.factor, r.standalone_score, r.score)


def _summary_path(r: Ranked, lang: Lang, snap: Snapshot) -> RecommendationSummaryOut:
    return RecommendationSummaryOut(
        r.rank,
        r.path.slug,
        r.path.family,
        snap.path_texts[(r.path.slug, lang)].title,
        r.score,
        [AddressSummaryOut(c.challenge, c.share) for c in r.addresses],
    )


def warning_items(warnings: tuple[ProfileWarning, ...], lang: Lang) -> list[WarningOut]:
    return [
        WarningOut(
            cast(WarningCode, w.code), w.indicator, w.field, w.message.get(lang), w.suggested_value
        )
        for w in warnings
    ]


def _kind_label(snap: Snapshot, profile: ValidProfile, k: CountyKindOf, lang: Lang) -> str:
    """A kind implied by the declared zone carries the zone's legal name (重点生态功能区)."""
    if k.via == "zone" and profile.zone is not None:
        return snap.zones[profile.zone].label.get(lang)
    return kind_name(snap, k.slug, profile.declared_slugs, lang)


def _kinds(snap: Snapshot, profile: ValidProfile, lang: Lang) -> list[KindOut]:
    """The county's kinds: declared ones (or implied by a declared zone or resource) by their
    names, those read off the figures as traits with the values that show them."""
    return [
        KindOut(
            k.slug,
            _kind_label(snap, profile, k, lang),
            k.basis,
            k.via,
            [
                KindEvidenceOut(
                    e.condition.indicator, round4(e.value), e.condition.op, e.condition.value
                )
                for e in k.evidence
            ],
        )
        for k in profile.kinds
    ]


def _strengths(found: tuple[Strength, ...], lang: Lang) -> list[StrengthOut]:
    return [
        StrengthOut(
            s.indicator,
            s.line.indicator.label.get(lang),
            _round(s.value),
            s.line.indicator.unit,
            s.line.indicator.unit_label.get(lang),
            round4(s.line.line),
            s.line.when,
            s.line.basis,
            None if s.line.benchmark_value is None else round4(s.line.benchmark_value),
            source_dict(s.line.anchor, lang),
        )
        for s in found
    ]


def _benchmark(profile: ValidProfile, lang: Lang) -> BenchmarkUsed:
    b = profile.benchmark.benchmark
    return BenchmarkUsed(
        b.slug,
        b.kind,
        b.region,
        b.year,
        b.title.get(lang),
        profile.benchmark.confidence,
        list(profile.benchmark.overrides),
    )


class Analysis(NamedTuple):
    """A profile's recommendation as the engine holds it, for what is built on it (a plan):
    the county, its diagnosis, strengths and ranked paths, and the rendered result."""

    profile: ValidProfile
    diagnoses: tuple[Diagnosis, ...]
    strengths: tuple[Strength, ...]
    ranked: tuple[Ranked, ...]
    result: Result


class _Full(NamedTuple):
    """The parts of a full result that a scenario repeats for its variant."""

    derived: dict[str, float]
    warnings: list[WarningOut]
    challenges: list[ChallengeOut]
    strengths: list[StrengthOut]
    constraints: list[ConstraintOut]
    paths_ranked: int
    recommendations: list[RecommendationOut]


class _Summary(NamedTuple):
    warnings: list[WarningOut]
    challenges: list[ChallengeSummaryOut]
    constraints: list[ConstraintSummaryOut]
    recommendations: list[RecommendationSummaryOut]


def _analyse(
    snap: Snapshot,
    profile: ValidProfile,
    lang: Lang,
    view: View,
    trace: bool,
    paths: int | None = None,
) -> tuple[_Full | _Summary, tuple[Diagnosis, ...], tuple[Strength, ...], tuple[Ranked, ...]]:
    """The rendered parts and the engine's values. Every fitting path is ranked (a plan is
    built on all of them), but only the first ``paths`` are rendered: their texts, examples and
    reasons are most of the cost of a full answer."""
    diagnoses = diagnose(snap, profile, trace)
    found = strengths(profile)
    if view == "summary":
        top = rank_paths(snap, profile, diagnoses, found, paths or SUMMARY_PATHS)
        return (
            _Summary(
                warning_items(profile.warnings, lang),
                [_challenge_summary(snap, d, lang) for d in diagnoses],
                summary_items(snap, profile),
                [_summary_path(r, lang, snap) for r in top],
            ),
            diagnoses,
            found,
            top,
        )
    ranked = rank_paths(snap, profile, diagnoses, found)
    parts = _full(snap, profile, lang, trace, paths, diagnoses, found, ranked)
    return parts, diagnoses, found, ranked


def _full(
    snap: Snapshot,
    profile: ValidProfile,
    lang: Lang,
    trace: bool,
    paths: int | None,
    diagnoses: tuple[Diagnosis, ...],
    found: tuple[Strength, ...],
    ranked: tuple[Ranked, ...],
) -> _Full:
    bench = benchmark_name(snap, profile, lang)
    reasons = {d.slug: challenge_reason(snap, d, lang, bench) for d in diagnoses if d.active}
    strong = {s.indicator: s for s in found}
    ctx = _Rendering(snap, profile, reasons, strong, lang, trace, _kb_words(snap, profile, lang))
    return _Full(
        {k: round4(v) for k, v in profile.derived.items()},
        warning_items(profile.warnings, lang),
        [_challenge(snap, d, lang, profile, bench) for d in diagnoses],
        _strengths(found, lang),
        constraint_items(snap, profile, ranked, lang),
        len(ranked),
        [_recommendation(ctx, r) for r in ranked[:paths]],
    )


def validation_result(snap: Snapshot, profile: ValidProfile, lang: Lang) -> ValidationResult:
    return ValidationResult(
        ProfileEcho(
            county_head(snap, profile, lang),
            {k: profile.given[k] for k in sorted(profile.given)},
            list(profile.signals),
            profile.benchmark.slug,
        ),
        {k: round4(v) for k, v in profile.derived.items()},
        _kinds(snap, profile, lang),
        warning_items(profile.warnings, lang),
        snap.kb_version,
    )


def _peers(
    snap: Snapshot, profile: ValidProfile, lang: Lang
) -> tuple[list[PeerOut], PeersNote | None]:
    found = find_peers(snap, profile)
    items = [
        PeerOut(
            p.slug,
            snap.counties[p.slug].name.get(lang),
            p.similarity,
            list(p.compared),
            list(p.kinds),
            peer_reason(snap, profile, p, lang),
        )
        for p in found.peers
    ]
    if found.note is None:
        return items, None
    tuning = snap.tuning
    message = say(
        "warning",
        found.note,
        lang,
        shared=int(tuning.peers_min_shared.value),
        ratio=int(tuning.peers_max_level_ratio.value),
    )
    return items, PeersNote(found.note, message)


def _scenario(
    snap: Snapshot,
    request: ProfileInput,
    profile: ValidProfile,
    base: _Full,
    scenario: Mapping[str, float],
    lang: Lang,
    paths: int | None = None,
) -> ScenarioOut:
    variant = replace(
        request,
        indicators=dict(request.indicators) | dict(scenario),
        benchmark=profile.benchmark.slug,
    )
    try:
        alt_profile = validate_profile(snap, variant)
    except InvalidInput as exc:  # point at the scenario, where the bad value came from
        exc.errors = [
            replace(e, pointer=e.pointer.replace("/indicators", "/scenario/indicators", 1))
            for e in exc.errors
        ]
        raise
    diagnoses = diagnose(snap, alt_profile)
    found = strengths(alt_profile)
    ranked = rank_paths(snap, alt_profile, diagnoses, found)
    alt = _full(snap, alt_profile, lang, False, paths, diagnoses, found, ranked)
    before = {c.slug: c for c in base.challenges}
    changes = [
        ChangeOut(
            c.slug,
            before[c.slug].status,
            c.status,
            before[c.slug].severity,
            c.severity,
        )
        for c in alt.challenges
        if c.status != before[c.slug].status
    ]
    return ScenarioOut(
        {k: float(v) for k, v in sorted(scenario.items())},
        *alt,
        sorted(changes, key=lambda c: c.challenge),
    )


def analyse(
    snap: Snapshot,
    request: ProfileInput,
    lang: Lang,
    scenario: Mapping[str, float] | None = None,
    view: View = "full",
    trace: bool = False,
    paths: int | None = None,
) -> Analysis:
    """The diagnosis and ranked paths of one profile (see the module docstring for views),
    keeping the engine's own values beside the rendered result; ``paths`` caps how many ranked
    paths are rendered (None: every one)."""
    profile = validate_profile(snap, request)
    base, diagnoses, found, ranked = _analyse(snap, profile, lang, view, trace, paths)
    county = county_head(snap, profile, lang)
    code = profile.benchmark.slug
    if isinstance(base, _Summary):
        summary = RecommendationSummary(county, snap.kb_version, code, lang, "summary", *base)
        return Analysis(profile, diagnoses, found, ranked, summary)
    peers, note = _peers(snap, profile, lang)
    result = RecommendationResult(
        county,
        snap.kb_version,
        code,
        lang,
        "full",
        _benchmark(profile, lang),
        _kinds(snap, profile, lang),
        _leading(profile, lang),
        *base,
        peers,
        note,
        [LeftOutPath(e.slug, e.reason, _unmet(e.gate)) for e in excluded_paths(snap, profile)]
        if trace
        else None,
        None
        if scenario is None
        else _scenario(snap, request, profile, base, scenario, lang, paths),
    )
    return Analysis(profile, diagnoses, found, ranked, result)


def result_only(analysis: Callable[P, Analysis]) -> Callable[P, Result]:
    """A door that answers ``analysis``'s rendered result alone, with its parameters."""

    def result(*args: P.args, **kwargs: P.kwargs) -> Result:
        return analysis(*args, **kwargs).result

    return result


# The diagnosis and ranked paths of one profile; see the module docstring for views.
recommend = result_only(analyse)


def county_head(snap: Snapshot, profile: ValidProfile, lang: Lang) -> CountyOut:
    """The county as declared (what it did not declare left out), with what the division table
    says of its code: its official name, prefecture and administrative form (which names its
    departments in a plan)."""
    c, d = profile.county, profile.division
    res = c.resource
    division: tuple[str, str | None, AdminForm, str, str] | tuple[()] = ()
    if d is not None:
        form = snap.admin_forms.get(d.form)
        label = form.label.get(lang) if form else d.form
        division = (d.name, d.prefecture_name, d.form, label, d.code)
    head = CountyOut(
        c.name,
        c.code,
        c.province,
        c.year,
        list(c.kinds) if c.kinds else None,
        c.main_function_zone or None,
        ResourceOut(res.type, res.stage) if res else None,
        list(c.leading_industries) if c.leading_industries else None,
        *division,
    )
    return head if d is not None else absent(head, "prefecture")


def _leading(profile: ValidProfile, lang: Lang) -> LeadingIndustryOut | None:
    """The leading industry the county declares or shows, and whether its concentration is a
    risk (only when it is the resource itself or declared in decline)."""
    lead = profile.leading
    if lead is None:
        return None
    return LeadingIndustryOut(
        list(lead.names),
        list(lead.labels(lang)),
        sorted(lead.sectors),
        None if lead.share is None else round4(lead.share),
        lead.basis,
        lead.risk,
    )
