"""Assembling the recommendation result (contract section 5) in one language.

Everything is built from plain dicts in a fixed order with rounded numbers, so the same input and
knowledge-base version serialise to byte-identical JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.domain.diagnosis import Diagnosis, diagnose
from app.domain.knowledge import Lang, Source
from app.domain.numbers import format_number as num
from app.domain.numbers import round4 as r4
from app.domain.peers import find_peers
from app.domain.profile import ProfileInput, ValidProfile, validate_profile
from app.domain.ranking import Ranked, rank_paths
from app.domain.snapshot import ResolvedRule, Snapshot
from app.errors import InvalidInput

STATUS_TEXT = {
    "en": {"flag": "flag", "watch": "watch", "ok": "ok", "insufficient_data": "insufficient data"},
    "zh": {"flag": "警示", "watch": "关注", "ok": "正常", "insufficient_data": "数据不足"},
}
FIT_OUTCOMES = ("met", "missed", "unknown")


def source_dict(src: Source, lang: Lang, cache: dict[Any, Any] | None = None) -> dict[str, Any]:
    """The public form of a source; cached per snapshot because sources never change in one."""
    if cache is not None:
        cache_key = ("source", id(src), lang)
        hit = cache.get(cache_key)
        if hit is None:
            hit = cache[cache_key] = source_dict(src, lang)
        return hit  # shared: results are serialised, never mutated
    out: dict[str, Any] = {}
    for key in ("document", "section", "doi", "url", "publisher", "year", "tag"):
        value = getattr(src, key)
        if value is not None:
            out[key] = value
    if src.heuristic:
        out["heuristic"] = True
    if src.note is not None:
        out["note"] = src.note.get(lang)
    return out


def _rule_static(snap: Snapshot, rr: ResolvedRule, lang: Lang) -> tuple[Any, ...]:
    """The parts of an evidence item fixed by the resolved rule and the language."""
    key = ("rule-static", id(rr), lang)
    hit: tuple[Any, ...] | None = snap.cache.get(key)
    if hit is None:
        ind = rr.indicator
        hit = snap.cache[key] = (
            ind.label.get(lang),
            ind.unit,
            ind.unit_label.get(lang),
            None if rr.benchmark_value is None else r4(rr.benchmark_value),
            {"watch": r4(rr.watch), "flag": r4(rr.flag)},
            {"watch": rr.watch_basis, "flag": rr.flag_basis},
            rr.rule.bad_when,
            r4(rr.watch),
            rr.rule.weight,
            source_dict(rr.rule.anchor, lang, snap.cache),
        )
    return hit


def _evidence(snap: Snapshot, d: Diagnosis, lang: Lang) -> list[dict[str, Any]]:
    items = []
    for e in d.evidence:
        label, unit, unit_label, bench, thresholds, basis, bad_when, target, weight, anchor = (
            _rule_static(snap, e.rule, lang)
        )
        items.append(
            {
                "indicator": e.indicator,
                "label": label,
                "value": r4(e.value),
                "unit": unit,
                "unit_label": unit_label,
                "band": e.band,
                "benchmark_value": bench,
                "thresholds": thresholds,
                "basis": basis,
                "bad_when": bad_when,
                "target": target,
                "weight": weight,
                "anchor": anchor,
            }
        )
    return items


def _challenges(
    snap: Snapshot, diagnoses: tuple[Diagnosis, ...], lang: Lang
) -> list[dict[str, Any]]:
    out = []
    for d in diagnoses:
        ch = snap.challenges[d.slug]
        out.append(
            {
                "slug": d.slug,
                "title": ch.title.get(lang),
                "family": ch.family,
                "status": d.status,
                "severity": d.severity,
                "summary": ch.summary.get(lang),
                "evidence": _evidence(snap, d, lang),
                "signals": list(d.signals),
                "missing": list(d.missing),
                "unresolved": list(d.unresolved),
                "source": source_dict(ch.source, lang, snap.cache),
            }
        )
    return out


def _why(snap: Snapshot, d: Diagnosis, lang: Lang) -> str:
    ch = snap.challenges[d.slug]
    status = STATUS_TEXT[lang][d.status]
    parts: list[str] = []
    for e in sorted(d.evidence, key=lambda e: (-e.badness, e.indicator)):
        if e.band == "ok":
            continue
        label = e.rule.indicator.label.get(lang)
        if lang == "zh":
            parts.append(f"{label}为{num(e.value)}，关注线为{num(e.rule.watch)}")
        else:
            parts.append(f"{label} is {num(e.value)} against a watch line of {num(e.rule.watch)}")
        if len(parts) == snap.kb.meta.tuning.reasons_shown.value:
            break
    if d.signals:
        labels = [snap.signals[s].label.get(lang) for s in d.signals]
        parts.append(
            ("已确认症状：" + "；".join(labels))
            if lang == "zh"
            else ("asserted: " + "; ".join(labels))
        )
    detail = ("，".join(parts) if lang == "zh" else "; ".join(parts)) if parts else ""
    title = ch.title.get(lang)
    if lang == "zh":
        return f"“{title}”（{status}，严重度{d.severity}）" + (f"：{detail}" if detail else "")
    return f"{title} ({status}, severity {d.severity})" + (f": {detail}" if detail else "")


def _rationale(
    snap: Snapshot,
    r: Ranked,
    diag: Mapping[str, Diagnosis],
    whys_cache: dict[str, str],
    fit_text: list[str],
    lang: Lang,
) -> str:
    whys = []
    for c in r.addresses:
        why = whys_cache.get(c.challenge)
        if why is None:
            why = whys_cache[c.challenge] = _why(snap, diag[c.challenge], lang)
        whys.append(why)
    met = [fit_text[i] for i, f in enumerate(r.fit) if f.outcome == "met"]
    missed = [fit_text[i] for i, f in enumerate(r.fit) if f.outcome == "missed"]
    if lang == "zh":
        text = (
            f"边际得分{r.score}（单独得分{r.standalone_score}），因为该路径应对"
            + "；以及".join(whys)
            + "。"
        )
        if met:
            text += "契合条件：" + "；".join(met) + "。"
        if missed:
            text += "不太契合：" + "；".join(missed) + "。"
        return text
    text = (
        f"Adds {r.score} (stand-alone {r.standalone_score}) because it addresses "
        + "; and ".join(whys)
        + "."
    )
    if met:
        text += " Fits because: " + "; ".join(met) + "."
    if missed:
        text += " Fits less: " + "; ".join(missed) + "."
    return text


def _path_static(snap: Snapshot, slug: str, lang: Lang) -> dict[str, Any]:
    """The parts of a recommendation that depend only on the path and the language."""
    key = ("path-static", slug, lang)
    hit = snap.cache.get(key)
    if hit is None:
        p = snap.paths[slug]
        hit = snap.cache[key] = {
            "title": p.title.get(lang),
            "summary": p.summary.get(lang),
            "why": {a.challenge: a.why.get(lang) for a in p.addresses},
            "actions": [a.get(lang) for a in p.actions],
            "outcome_indicators": list(p.outcome_indicators),
            "examples": [
                {
                    "slug": ex.slug,
                    "title": ex.title.get(lang),
                    "county": ex.county,
                    "year": ex.year,
                    "source": source_dict(ex.source, lang),
                }
                for ex in snap.examples_by_path.get(slug, ())
            ],
            "source": source_dict(p.source, lang),
            # Per fit condition, in order: its text without the final stop, and the rendered
            # item for each outcome.
            "fit_text": [c.text.get(lang).rstrip("。.") for c in p.fit],
            "fit": [
                {o: {"condition": c.text.get(lang), "outcome": o} for o in FIT_OUTCOMES}
                for c in p.fit
            ],
        }
    return hit


def _recommendations(
    snap: Snapshot, ranked: tuple[Ranked, ...], diagnoses: tuple[Diagnosis, ...], lang: Lang
) -> list[dict[str, Any]]:
    diag = {d.slug: d for d in diagnoses}
    whys: dict[str, str] = {}
    out = []
    for r in ranked:
        p = r.path
        static = _path_static(snap, p.slug, lang)
        out.append(
            {
                "rank": r.rank,
                "slug": p.slug,
                "family": p.family,
                "title": static["title"],
                "score": r.score,
                "standalone_score": r.standalone_score,
                "summary": static["summary"],
                "addresses": [
                    {
                        "challenge": c.challenge,
                        "contribution": c.share,
                        "why": static["why"][c.challenge],
                    }
                    for c in r.addresses
                ],
                "rationale": _rationale(snap, r, diag, whys, static["fit_text"], lang),
                "actions": static["actions"],
                "fit": [static["fit"][i][f.outcome] for i, f in enumerate(r.fit)],
                "outcome_indicators": static["outcome_indicators"],
                "examples": static["examples"],
                "source": static["source"],
            }
        )
    return out


def _warnings(profile: ValidProfile, lang: Lang) -> list[dict[str, Any]]:
    out = []
    for w in profile.warnings:
        item: dict[str, Any] = {
            "code": w.code,
            "indicator": w.indicator,
            "message": w.message.get(lang),
        }
        if w.suggested_value is not None:
            item["suggested_value"] = w.suggested_value
        out.append(item)
    return out


def validation_result(snap: Snapshot, profile: ValidProfile, lang: Lang) -> dict[str, Any]:
    return {
        "profile": {
            "county": profile.county.as_dict(),
            "indicators": {k: profile.given[k] for k in sorted(profile.given)},
            "signals": list(profile.signals),
            "benchmark": profile.benchmark.benchmark.slug,
        },
        "derived": {k: r4(v) for k, v in profile.derived.items()},
        "warnings": _warnings(profile, lang),
        "kb_version": snap.kb_version,
    }


def _analyse(snap: Snapshot, profile: ValidProfile, lang: Lang) -> dict[str, Any]:
    diagnoses = diagnose(snap, profile)
    ranked = rank_paths(snap, profile, diagnoses)
    return {
        "derived": {k: r4(v) for k, v in profile.derived.items()},
        "warnings": _warnings(profile, lang),
        "challenges": _challenges(snap, diagnoses, lang),
        "recommendations": _recommendations(snap, ranked, diagnoses, lang),
    }


def recommend(
    snap: Snapshot,
    request: ProfileInput,
    lang: Lang,
    scenario: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    profile = validate_profile(snap, request)
    base = _analyse(snap, profile, lang)
    result: dict[str, Any] = {
        "county": profile.county.as_dict(),
        "kb_version": snap.kb_version,
        "benchmark": profile.benchmark.benchmark.slug,
        "language": lang,
        **base,
        "peers": [
            {
                "slug": p.slug,
                "name": snap.counties[p.slug].name.get(lang),
                "similarity": p.similarity,
                "compared": list(p.compared),
            }
            for p in find_peers(snap, profile)
        ],
    }
    if scenario is not None:
        merged = dict(request.indicators) | dict(scenario)
        variant = ProfileInput(
            request.county, merged, request.signals, profile.benchmark.benchmark.slug
        )
        try:
            alt_profile = validate_profile(snap, variant)
        except InvalidInput as exc:  # point at the scenario, where the bad value came from
            exc.errors = [
                replace(e, pointer=e.pointer.replace("/indicators", "/scenario/indicators", 1))
                for e in exc.errors
            ]
            raise
        alt = _analyse(snap, alt_profile, lang)
        before = {c["slug"]: c for c in base["challenges"]}
        changes = [
            {
                "challenge": c["slug"],
                "from_status": before[c["slug"]]["status"],
                "to_status": c["status"],
                "from_severity": before[c["slug"]]["severity"],
                "to_severity": c["severity"],
            }
            for c in alt["challenges"]
            if c["status"] != before[c["slug"]]["status"]
        ]
        result["scenario"] = {
            "indicators": {k: float(v) for k, v in sorted(scenario.items())},
            **alt,
            "changes": sorted(changes, key=lambda c: c["challenge"]),
        }
    return result
