"""Sentences a result prints about the county: why a path, how it fits, what builds on what.

Every sentence says what is the case for the county, in its own numbers with their units; a
condition is never printed as a fact. The frames come from the message catalogue, the names from
the knowledge base.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from app.domain.compiled import FIRST_DUTY, KindFit
from app.domain.diagnosis import Diagnosis, Evidence
from app.domain.knowledge import CountyKind, FitCondition, Lang, line_at
from app.domain.language import language, sentence_ends
from app.domain.messages import say, with_unit
from app.domain.naming import unit_noun
from app.domain.numbers import format_number
from app.domain.peers import Peer
from app.domain.profile import ValidProfile
from app.domain.ranking import FitOutcome, Ranked
from app.domain.snapshot import Snapshot
from app.domain.strengths import Strength
from app.domain.thresholds import Basis


def line_name(
    snap: Snapshot,
    line: float,
    basis: Basis,
    base: float | None,
    band: str,
    lang: Lang,
    benchmark: str | None = None,
    percentile: float | None = None,
) -> str:
    """What a line is, as a county document says it: the benchmark's average or a share or
    multiple of it (``2023年内蒙古自治区平均水平的80%``), the national average, a percentile of
    the reference counties, or a fixed level (警戒值, 参考值, 优势水平) for ``band``."""
    if basis in ("benchmark_ratio", "national_ratio") and base:
        view = snap.benchmarks.get(benchmark) if benchmark else None
        if basis == "national_ratio" or view is None or view.benchmark.kind == "national":
            average = say("band_line", "national_average", lang)
        else:
            average = say("band_line", "average", lang, title=view.benchmark.title.get(lang))
        ratio = line / base
        if abs(ratio - 1) < 0.005:
            return average
        if ratio < 1:
            return say("band_line", "share", lang, average=average, pct=f"{ratio * 100:.0f}")
        return say("band_line", "times", lang, average=average, times=format_number(ratio))
    if basis == "percentile" and percentile is not None:
        return say("band_line", "percentile", lang, p=format_number(percentile))
    return say("band_line", band, lang)


def _percentile(e: Evidence) -> float | None:
    th = line_at(e.rule.rule.flag if e.band == "flag" else e.rule.rule.watch, None)
    return th.percentile


def benchmark_name(snap: Snapshot, profile: ValidProfile, lang: Lang) -> str:
    """The county's benchmark as a sentence names it: a province's set by the province's
    average (its figures may be of another year than the set's), any other set, or one with the
    caller's own figures laid over it, by its title."""
    b = profile.benchmark.benchmark
    province = snap.provinces_by_name.get(b.region.strip().lower())
    if b.kind == "provincial" and province is not None and not profile.benchmark.overrides:
        return say("text", "province_average", lang, province=province.name.get(lang))
    return say("text", "benchmark_named", lang, title=b.title.get(lang))


def _beats_benchmark(e: Evidence) -> bool:
    """A gap judged against the nation while the county does better than its own benchmark's
    figure (a county above its province's urbanisation, below the nation's line)."""
    own = e.rule.benchmark_value
    if e.against != "nation" or own is None:
        return False
    return e.value > own if e.rule.rule.bad_when == "below" else e.value < own


def evidence_phrase(snap: Snapshot, e: Evidence, lang: Lang, bench: str | None = None) -> str:
    """``R&D intensity is 1.2%, below 80% of the benchmark average (1.5%)``; a gap judged
    against the nation names the national average, and says when the county's own province
    lags the nation too, or, given the benchmark's name (``bench``), that the county does better
    than its benchmark."""
    resolved = e.rule
    band = "flag" if e.band == "flag" else "watch"
    unit = resolved.indicator.unit
    if e.against == "nation" and resolved.national:
        national = resolved.national
        line = national.flag if band == "flag" else national.watch
        name = line_name(snap, line, "national_ratio", national.value, band, lang)
    else:
        line = resolved.flag if band == "flag" else resolved.watch
        basis = resolved.flag_basis if band == "flag" else resolved.watch_basis
        name = line_name(
            snap,
            line,
            basis,
            resolved.benchmark_value,
            band,
            lang,
            resolved.benchmark,
            _percentile(e),
        )
    below = resolved.rule.bad_when == "below"
    values = {
        "label": resolved.indicator.label.get(lang),
        "value": with_unit(e.value, unit, lang),
        "line_name": name,
        "line": with_unit(line, unit, lang),
    }
    if bench is not None and resolved.benchmark_value is not None and _beats_benchmark(e):
        frame = "beats_benchmark_below" if below else "beats_benchmark_above"
        own = with_unit(resolved.benchmark_value, unit, lang)
        return say("text", frame, lang, benchmark=bench, own=own, **values)
    phrase = say("text", "value_below" if below else "value_above", lang, **values)
    return phrase + say("text", "benchmark_lags", lang) if e.benchmark_lags else phrase


def _finding_detail(snap: Snapshot, d: Diagnosis, lang: Lang, bench: str | None) -> str | None:
    """The county's worst indicators against their lines and the signals it reports."""
    worst = sorted(
        (e for e in d.evidence if e.band != "ok"), key=lambda e: (-e.badness, e.indicator)
    )
    shown = worst[: int(snap.tuning.reasons_shown.value)]
    parts = [evidence_phrase(snap, e, lang, bench) for e in shown]
    if d.signals:
        labels = say("text", "list_sep", lang).join(
            snap.signals[s].label.get(lang) for s in d.signals
        )
        parts.append(say("text", "reports", lang, labels=labels))
    return say("text", "list_sep", lang).join(parts) if parts else None


def challenge_finding(
    snap: Snapshot, d: Diagnosis, lang: Lang, bench: str | None = None
) -> str | None:
    """What the county's own figures say of an active challenge, as one sentence (a report
    prints it under the challenge's general description); None when nothing is past a line.
    ``bench`` names the county's benchmark (see :func:`benchmark_name`)."""
    detail = _finding_detail(snap, d, lang, bench) if d.active else None
    if detail is None:
        return None
    return say("text", "finding", lang, detail=detail[:1].upper() + detail[1:])


def challenge_reason(snap: Snapshot, d: Diagnosis, lang: Lang, bench: str | None = None) -> str:
    """Why a challenge is active: its worst indicators and the signals the county reports."""
    title = snap.challenges[d.slug].title.get(lang)
    status = say("status", d.status, lang)
    detail = _finding_detail(snap, d, lang, bench)
    if detail is None:
        return say("text", "addresses_plain", lang, title=title, status=status)
    return say("text", "addresses", lang, title=title, status=status, detail=detail)


def _placeholders(snap: Snapshot, cond: FitCondition, value: float, lang: Lang) -> dict[str, str]:
    assert cond.indicator is not None
    assert cond.value is not None
    unit = snap.indicators[cond.indicator].unit
    return {"value": with_unit(value, unit, lang), "line": with_unit(cond.value, unit, lang)}


def fit_sentence(snap: Snapshot, f: FitOutcome, lang: Lang) -> str | None:
    """What is the case for one fit condition; None when nothing is known about it."""
    cond = f.condition
    if f.outcome == "unknown":
        return None
    if cond.signal is not None:
        if cond.met is not None:
            return cond.met.get(lang)
        return say("text", "fit_reports", lang, label=snap.signals[cond.signal].label.get(lang))
    assert f.value is not None
    if f.outcome == "conflict":
        assert f.conflict is not None
        assert cond.indicator is not None
        challenge, e = f.conflict
        band = "flag" if e.band == "flag" else "watch"
        line = e.rule.flag if band == "flag" else e.rule.watch
        basis = e.rule.flag_basis if band == "flag" else e.rule.watch_basis
        return say(
            "text",
            "fit_conflict",
            lang,
            label=snap.indicators[cond.indicator].label.get(lang),
            value=with_unit(f.value, e.rule.indicator.unit, lang),
            side=say("band_line", e.rule.rule.bad_when, lang),
            line_name=line_name(
                snap,
                line,
                basis,
                e.rule.benchmark_value,
                band,
                lang,
                e.rule.benchmark,
                _percentile(e),
            ),
            line=with_unit(line, e.rule.indicator.unit, lang),
            challenge=snap.challenges[challenge].title.get(lang),
        )
    text = cond.met if f.outcome == "met" else cond.missed
    assert text is not None
    return text.get(lang).format(**_placeholders(snap, cond, f.value, lang))


def kind_name(snap: Snapshot, kind: CountyKind, declared: frozenset[CountyKind], lang: Lang) -> str:
    """A declared kind by its name; a kind read off the figures by the trait it shows."""
    definition = snap.kinds[kind]
    if kind not in declared and definition.trait is not None:
        return definition.trait.get(lang)
    return definition.label.get(lang)


def _kind_names(
    snap: Snapshot, kinds: tuple[CountyKind, ...], declared: frozenset[CountyKind], lang: Lang
) -> str:
    return say("text", "kinds_sep", lang).join(kind_name(snap, k, declared, lang) for k in kinds)


def kind_sentence(
    snap: Snapshot,
    fit: KindFit,
    note: str | None,
    declared: frozenset[CountyKind],
    lang: Lang,
) -> str | None:
    """How the path suits the county's kinds. A kind the county declares is a fact of
    designation; a trait of its figures only asks for care, never rules a path out."""
    if fit.unsuited:
        names = _kind_names(snap, fit.unsuited, declared, lang)
        frame = "kind_unsuited" if fit.firm else "kind_trait_caution"
        if note:
            return say("text", frame, lang, kinds=names, note=note)
        return say("text", frame + "_plain", lang, kinds=names)
    if fit.suits:
        return say("text", "kind_suits", lang, kinds=_kind_names(snap, fit.suits, declared, lang))
    return None


def _owner_labels(snap: Snapshot, lang: Lang) -> Mapping[str, str]:
    """Every kind and zone by the owner name of its duties (``kind:<kind>``, ``zone:<zone>``),
    in one language: the same for every path of every county, so named once per snapshot."""
    labels = snap.memo.owner_labels.get(lang)
    if labels is None:
        labels = {f"kind:{k}": d.label.get(lang) for k, d in snap.kinds.items()}
        labels |= {f"zone:{z}": d.label.get(lang) for z, d in snap.zones.items()}
        snap.memo.owner_labels[lang] = labels
    return labels


def duty_sentences(snap: Snapshot, r: Ranked, whys: Mapping[str, str], lang: Lang) -> list[str]:
    """Each first duty the path carries out for the county, in its own words."""
    if not r.duties:
        return []
    labels = _owner_labels(snap, lang)
    return [
        say(
            "text",
            "duty" if d.weight >= FIRST_DUTY else "agenda",
            lang,
            kind=labels[d.owner],
            why=whys[d.owner],
        )
        for d in r.duties
    ]


def strength_sentence(snap: Snapshot, s: Strength, lang: Lang, names: tuple[str, ...] = ()) -> str:
    unit = s.line.indicator.unit
    if s.value is None:
        sep = say("text", "kinds_sep", lang)
        return say("text", "builds_on_declared", lang, names=sep.join(names))
    return say(
        "text",
        "builds_on",
        lang,
        label=s.line.indicator.label.get(lang),
        value=with_unit(s.value, unit, lang),
        side=say("band_line", s.line.when, lang),
        line_name=line_name(
            snap,
            s.line.line,
            s.line.basis,
            s.line.benchmark_value,
            "strong",
            lang,
            s.line.benchmark,
        ),
        line=with_unit(s.line.line, unit, lang),
    )


class KindsText(NamedTuple):
    """What the rationale says about kinds: the path's note on unsuited kinds, its duties'
    reasons, and the kinds the county declares."""

    note: str | None
    duty_whys: Mapping[str, str]
    declared: frozenset[CountyKind]
    leading_names: tuple[str, ...] = ()


def rationale(
    snap: Snapshot,
    r: Ranked,
    reasons: Mapping[str, str],
    strengths: Mapping[str, Strength],
    sentences: list[str | None],
    kinds: KindsText,
    lang: Lang,
) -> str:
    """Why this path: the duties it carries out, the challenges it addresses with their
    evidence, the strengths it builds on, how the county fits it, and whether it suits the
    county's kind."""
    sep = say("text", "list_sep", lang)
    out = duty_sentences(snap, r, kinds.duty_whys, lang)
    out += [reasons[c.challenge] for c in r.addresses]
    names = kinds.leading_names
    out += [strength_sentence(snap, strengths[u.indicator], lang, names) for u in r.builds_on]
    groups: dict[str, list[str]] = {"fits": [], "fits_less": [], "mind": []}
    for f, sentence in zip(r.fit, sentences, strict=True):
        if sentence is None:
            continue
        caution = f.outcome == "met" and f.condition.met_factor == 1.0
        group = "mind" if caution else "fits" if f.outcome == "met" else "fits_less"
        groups[group].append(sentence.rstrip(sentence_ends()))
    for name, items in groups.items():
        if items:
            out.append(say("text", name, lang, items=sep.join(items)) + language(lang).sentence_end)
    kind = kind_sentence(snap, r.kind_fit, kinds.note, kinds.declared, lang)
    if kind:
        out.append(kind)
    return language(lang).joiner.join(out)


def _similar(a: float, b: float, ratio: float = 1.5) -> bool:
    return a > 0 and b > 0 and 1 / ratio <= a / b <= ratio


def peer_reason(snap: Snapshot, profile: ValidProfile, p: Peer, lang: Lang) -> str:
    """Why a reference county is a peer, in words: the kinds and zone both have, the same
    province or region, a close GDP per head and, when both give it, a similar population."""
    parts: list[str] = []
    if p.kinds:
        names = say("text", "kinds_sep", lang).join(
            kind_name(snap, k, profile.declared_slugs, lang) for k in p.kinds
        )
        parts.append(say("peer", "kinds", lang, kinds=names[:1].lower() + names[1:]))
    if p.same_zone and profile.zone is not None:
        parts.append(say("peer", "zone", lang, zone=snap.zones[profile.zone].label.get(lang)))
    if p.same_province and profile.province is not None:
        parts.append(say("peer", "province", lang, province=profile.province.name.get(lang)))
    elif p.same_region and profile.province is not None:
        parts.append(
            say("peer", "region", lang, region=say("region", profile.province.region, lang))
        )
    ours = profile.values["gdp_per_capita_cny"]
    parts.append(
        say(
            "peer",
            "level" if _similar(p.level, ours) else "level_range",
            lang,
            peer=with_unit(p.level, "cny", lang),
            ours=with_unit(ours, "cny", lang),
            unit=unit_noun(snap, profile.admin_form, lang),
        )
    )
    size = profile.values.get("resident_population_10k")
    if p.size is not None and size is not None and _similar(p.size, size):
        parts.append(say("peer", "size", lang))
    text = say("peer", "sep", lang).join(parts)
    return text[:1].upper() + text[1:]
