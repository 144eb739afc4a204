"""Assembling the recommendation result (contract section 5) in one language.

Everything is built from plain dicts in a fixed order with rounded numbers, so the same input and
knowledge-base version serialise to byte-identical JSON. The ``summary`` view computes the
diagnosis and the ranking but renders no evidence, rationale, actions or examples; ``trace``
adds how every number was made and costs nothing when not asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Literal, NamedTuple, ParamSpec

from app.domain.benchmarks import benchmark_head
from app.domain.checks import ProfileWarning
from app.domain.compiled import ExampleText
from app.domain.conditions import gate, unmet
from app.domain.constraint_items import constraint_items, summary_items
from app.domain.diagnosis import Diagnosis, Evidence, diagnose
from app.domain.kinds import CountyKindOf
from app.domain.knowledge import LANGS, CountyKind, Lang, Status
from app.domain.messages import catalogue, say
from app.domain.naming import localize
from app.domain.numbers import round4
from app.domain.peers import find_peers
from app.domain.profile import ProfileInput, ValidProfile, validate_profile
from app.domain.ranking import Ranked, excluded_paths, rank_paths
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


def _evidence(e: Evidence, lang: Lang) -> dict[str, Any]:
    t = e.rule.texts[lang]
    item: dict[str, Any] = {
        "indicator": e.indicator,
        "label": t.label,
        "value": round4(e.value),
        "unit": t.unit,
        "unit_label": t.unit_label,
        "band": e.band,
        "benchmark_value": t.benchmark_value,
        "benchmark_year": t.benchmark_year,
        "thresholds": t.thresholds,
        "basis": t.basis,
        "bad_when": t.bad_when,
        "target": None if e.band == "ok" else _target(e, t.thresholds["watch"]),
        "weight": t.weight,
        "anchor": t.anchor,
    }
    if t.line_sources is not None:
        item["line_sources"] = t.line_sources
    nation = e.rule.national
    if nation is not None:
        item["against"] = e.against
        item["national"] = {
            "benchmark": nation.slug,
            "benchmark_value": round4(nation.value),
            "thresholds": {"watch": round4(nation.watch), "flag": round4(nation.flag)},
            "benchmark_lags": e.benchmark_lags,
        }
    return item


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
    view: View,
    profile: ValidProfile,
    bench: str | None = None,
) -> dict[str, Any]:
    ch = snap.challenges[d.slug]
    item: dict[str, Any] = {
        "slug": d.slug,
        "title": ch.title.get(lang),
        "status": d.status,
        "severity": d.severity,
        "confidence": d.confidence.value,
    }
    if view == "summary":
        return item
    item |= {
        "confidence_level": confidence_level(snap, d.confidence.value),
        "family": ch.family,
        "summary": localize(snap, ch.summary.get(lang), profile.province, profile.admin_form, lang),
        "finding": challenge_finding(snap, d, lang, bench),
        "evidence": [_evidence(e, lang) for e in d.evidence],
        "signals": list(d.signals),
        "missing": list(d.missing),
        "unresolved": list(d.unresolved),
        "source": source_dict(ch.source, lang),
    }
    if d.trace is not None:
        item["trace"] = d.trace
    return item


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


def _examples(snap: Snapshot, slug: str, lang: Lang, profile: ValidProfile) -> list[dict[str, Any]]:
    """The path's first examples that fit the county: never one unsuited to its kinds, never
    one whose requirements fail, never the county itself as its own model
    (``GET /v1/examples?path=`` lists them all)."""
    limit = int(snap.tuning.examples_shown.value)
    out: list[dict[str, Any]] = []
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


def _recommendation(ctx: _Rendering, r: Ranked) -> dict[str, Any]:
    snap, profile, reasons, strong, lang = ctx.snap, ctx.profile, ctx.reasons, ctx.strong, ctx.lang
    p, text = r.path, snap.path_texts[(r.path.slug, lang)]

    def own(words: str) -> str:  # the county's own units: 本市, 市内, 市级 in a city's text
        return localize(snap, words, profile.province, profile.admin_form, lang)

    sentences = [fit_sentence(snap, f, lang) for f in r.fit]
    sentences = [None if s is None else own(s) for s in sentences]
    names = profile.leading.labels(lang) if profile.leading else ()
    kinds = KindsText(text.kinds_note, text.duty_whys, profile.declared_slugs, names)
    item: dict[str, Any] = {
        "rank": r.rank,
        "slug": p.slug,
        "family": p.family,
        "origin": p.origin,
        "title": text.title,
        "score": r.score,
        "standalone_score": r.standalone_score,
        "summary": own(text.summary),
        "addresses": [
            {"challenge": c.challenge, "contribution": c.share, "why": own(text.why[c.challenge])}
            for c in r.addresses
        ],
        "builds_on": [
            {
                "indicator": u.indicator,
                "value": _round(strong[u.indicator].value),
                "contribution": u.share,
                "why": own(text.builds_on_why[u.indicator]),
            }
            for u in r.builds_on
        ],
        "duties": [
            {"duty": d.name, "contribution": d.share, "why": own(text.duty_whys[d.owner])}
            for d in r.duties
        ],
        "rationale": own(rationale(snap, r, reasons, strong, sentences, kinds, lang)),
        "actions": [own(text.actions[i]) for i in r.actions],
        "fit": [
            {
                "condition": own(f.condition.text.get(lang)),
                "outcome": f.outcome,
                "sentence": sentence,
            }
            for f, sentence in zip(r.fit, sentences, strict=True)
        ],
        "kind_fit": {"suits": list(r.kind_fit.suits), "unsuited": list(r.kind_fit.unsuited)},
        "outcome_indicators": text.outcome_indicators,
        "examples": _examples(snap, p.slug, lang, profile),
        "source": text.source,
    }
    if ctx.trace:
        item["score_parts"] = _score_parts(r)
        item["actions_left_out"] = [
            {"action": text.actions[i], "unmet": unmet(g)} for i, g in r.left_out
        ]
    return item


def _score_parts(r: Ranked) -> dict[str, Any]:
    """How the score was made: each target's weight, severity and share, and the factors."""
    return {
        "targets": [c._asdict() for c in r.addresses]
        + [u._asdict() for u in r.builds_on]
        + [d._asdict() for d in r.duties],
        "fit_factor": r.fit_factor,
        "kind_factor": r.kind_fit.factor,
        "standalone_score": r.standalone_score,
        "marginal_score": r.score,
    }


def _summary_path(r: Ranked, lang: Lang, snap: Snapshot) -> dict[str, Any]:
    return {
        "rank": r.rank,
        "slug": r.path.slug,
        "family": r.path.family,
        "title": snap.path_texts[(r.path.slug, lang)].title,
        "score": r.score,
        "addresses": [{"challenge": c.challenge, "contribution": c.share} for c in r.addresses],
    }


def warning_items(warnings: tuple[ProfileWarning, ...], lang: Lang) -> list[dict[str, Any]]:
    out = []
    for w in warnings:
        item: dict[str, Any] = {
            "code": w.code,
            "indicator": w.indicator,
            "field": w.field,
            "message": w.message.get(lang),
        }
        if w.suggested_value is not None:
            item["suggested_value"] = w.suggested_value
        out.append(item)
    return out


def _kind_label(snap: Snapshot, profile: ValidProfile, k: CountyKindOf, lang: Lang) -> str:
    """A kind implied by the declared zone carries the zone's legal name (重点生态功能区)."""
    if k.via == "zone" and profile.zone is not None:
        return snap.zones[profile.zone].label.get(lang)
    return kind_name(snap, k.slug, profile.declared_slugs, lang)


def _kinds(snap: Snapshot, profile: ValidProfile, lang: Lang) -> list[dict[str, Any]]:
    """The county's kinds: declared ones (or implied by a declared zone or resource) by their
    names, those read off the figures as traits with the values that show them."""
    return [
        {
            "slug": k.slug,
            "label": _kind_label(snap, profile, k, lang),
            "basis": k.basis,
            "via": k.via,
            "evidence": [
                {
                    "indicator": e.condition.indicator,
                    "value": round4(e.value),
                    "op": e.condition.op,
                    "line": e.condition.value,
                }
                for e in k.evidence
            ],
        }
        for k in profile.kinds
    ]


def _strengths(found: tuple[Strength, ...], lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "indicator": s.indicator,
            "label": s.line.indicator.label.get(lang),
            "value": _round(s.value),
            "unit": s.line.indicator.unit,
            "unit_label": s.line.indicator.unit_label.get(lang),
            "line": round4(s.line.line),
            "when": s.line.when,
            "basis": s.line.basis,
            "benchmark_value": None
            if s.line.benchmark_value is None
            else round4(s.line.benchmark_value),
            "anchor": source_dict(s.line.anchor, lang),
        }
        for s in found
    ]


def _benchmark(profile: ValidProfile, lang: Lang) -> dict[str, Any]:
    return benchmark_head(profile.benchmark.benchmark, lang) | {
        "confidence": profile.benchmark.confidence,
        "overrides": list(profile.benchmark.overrides),
    }


class Analysis(NamedTuple):
    """A profile's recommendation as the engine holds it, for what is built on it (a plan):
    the county, its diagnosis, strengths and ranked paths, and the rendered result."""

    profile: ValidProfile
    diagnoses: tuple[Diagnosis, ...]
    strengths: tuple[Strength, ...]
    ranked: tuple[Ranked, ...]
    result: dict[str, Any]


def _analyse(
    snap: Snapshot,
    profile: ValidProfile,
    lang: Lang,
    view: View,
    trace: bool,
    paths: int | None = None,
) -> tuple[dict[str, Any], tuple[Diagnosis, ...], tuple[Strength, ...], tuple[Ranked, ...]]:
    """The rendered result and the engine's values. Every fitting path is ranked (a plan is
    built on all of them), but only the first ``paths`` are rendered: their texts, examples and
    reasons are most of the cost of a full answer."""
    diagnoses = diagnose(snap, profile, trace)
    found = strengths(profile)
    if view == "summary":
        top = rank_paths(snap, profile, diagnoses, found, paths or SUMMARY_PATHS)
        return (
            {
                "warnings": warning_items(profile.warnings, lang),
                "challenges": [_challenge(snap, d, lang, view, profile) for d in diagnoses],
                "constraints": summary_items(profile),
                "recommendations": [_summary_path(r, lang, snap) for r in top],
            },
            diagnoses,
            found,
            top,
        )
    ranked = rank_paths(snap, profile, diagnoses, found)
    bench = benchmark_name(snap, profile, lang)
    reasons = {d.slug: challenge_reason(snap, d, lang, bench) for d in diagnoses if d.active}
    ctx = _Rendering(snap, profile, reasons, {s.indicator: s for s in found}, lang, trace)
    return (
        {
            "derived": {k: round4(v) for k, v in profile.derived.items()},
            "warnings": warning_items(profile.warnings, lang),
            "challenges": [_challenge(snap, d, lang, view, profile, bench) for d in diagnoses],
            "strengths": _strengths(found, lang),
            "constraints": constraint_items(snap, profile, ranked, lang),
            "paths_ranked": len(ranked),
            "recommendations": [_recommendation(ctx, r) for r in ranked[:paths]],
        },
        diagnoses,
        found,
        ranked,
    )


def validation_result(snap: Snapshot, profile: ValidProfile, lang: Lang) -> dict[str, Any]:
    return {
        "profile": {
            "county": county_head(snap, profile, lang),
            "indicators": {k: profile.given[k] for k in sorted(profile.given)},
            "signals": list(profile.signals),
            "benchmark": profile.benchmark.slug,
        },
        "derived": {k: round4(v) for k, v in profile.derived.items()},
        "kinds": _kinds(snap, profile, lang),
        "warnings": warning_items(profile.warnings, lang),
        "kb_version": snap.kb_version,
    }


def _peers(snap: Snapshot, profile: ValidProfile, lang: Lang) -> tuple[list[dict[str, Any]], Any]:
    found = find_peers(snap, profile)
    items = [
        {
            "slug": p.slug,
            "name": snap.counties[p.slug].name.get(lang),
            "similarity": p.similarity,
            "compared": list(p.compared),
            "shared_kinds": list(p.kinds),
            "why": peer_reason(snap, profile, p, lang),
        }
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
    return items, {"code": found.note, "message": message}


def _scenario(
    snap: Snapshot,
    request: ProfileInput,
    profile: ValidProfile,
    base: dict[str, Any],
    scenario: Mapping[str, float],
    lang: Lang,
    paths: int | None = None,
) -> dict[str, Any]:
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
    alt = _analyse(snap, alt_profile, lang, "full", False, paths)[0]
    before: dict[str, tuple[Status, float]] = {
        c["slug"]: (c["status"], c["severity"]) for c in base["challenges"]
    }
    changes = [
        {
            "challenge": c["slug"],
            "from_status": before[c["slug"]][0],
            "to_status": c["status"],
            "from_severity": before[c["slug"]][1],
            "to_severity": c["severity"],
        }
        for c in alt["challenges"]
        if c["status"] != before[c["slug"]][0]
    ]
    return {
        "indicators": {k: float(v) for k, v in sorted(scenario.items())},
        **alt,
        "changes": sorted(changes, key=lambda c: c["challenge"]),
    }


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
    head: dict[str, Any] = {
        "county": county_head(snap, profile, lang),
        "kb_version": snap.kb_version,
        "benchmark": profile.benchmark.slug,
        "language": lang,
    }
    if view == "summary":
        return Analysis(profile, diagnoses, found, ranked, head | {"view": "summary"} | base)
    peers, note = _peers(snap, profile, lang)
    result = head | {
        "view": "full",
        "benchmark_detail": _benchmark(profile, lang),
        "kinds": _kinds(snap, profile, lang),
        "leading_industry": _leading(profile, lang),
        **base,
        "peers": peers,
        "peers_note": note,
    }
    if trace:
        result["paths_left_out"] = [
            {"slug": e.slug, "reason": e.reason, "unmet": unmet(e.gate)}
            for e in excluded_paths(snap, profile)
        ]
    if scenario is not None:
        result["scenario"] = _scenario(snap, request, profile, base, scenario, lang, paths)
    return Analysis(profile, diagnoses, found, ranked, result)


def result_only(analysis: Callable[P, Analysis]) -> Callable[P, dict[str, Any]]:
    """A door that answers ``analysis``'s rendered result alone, with its parameters."""

    def result(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        return analysis(*args, **kwargs).result

    return result


# The diagnosis and ranked paths of one profile; see the module docstring for views.
recommend = result_only(analyse)


def county_head(snap: Snapshot, profile: ValidProfile, lang: Lang) -> dict[str, Any]:
    """The county as declared, with what the division table says of its code: its official
    name, prefecture and administrative form (which names its departments in a plan)."""
    out = profile.county.as_dict()
    d = profile.division
    if d is not None:
        form = (
            next(f for f in snap.kb.meta.admin_forms if f.slug == d.form)
            if snap.kb.meta.admin_forms
            else None
        )
        out |= {
            "official_name": d.name,
            "prefecture": d.prefecture_name,
            "admin_form": d.form,
            "admin_form_label": form.label.get(lang) if form else d.form,
            "division_code": d.code,
        }
    return out


def _leading(profile: ValidProfile, lang: Lang) -> dict[str, Any] | None:
    """The leading industry the county declares or shows, and whether its concentration is a
    risk (only when it is the resource itself or declared in decline)."""
    lead = profile.leading
    if lead is None:
        return None
    return {
        "names": list(lead.names),
        "labels": list(lead.labels(lang)),
        "sectors": sorted(lead.sectors),
        "share": None if lead.share is None else round4(lead.share),
        "basis": lead.basis,
        "concentration_risk": lead.risk,
    }
