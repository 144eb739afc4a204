"""Diagnosis: band each indicator against its rule, combine bands and signals into a status, a
severity in [0, 1] and a confidence in [0, 1].

Severity is monotone: an indicator moving in its bad direction never lowers it. Per rule,
``badness`` is 0 on the good side of ``watch``, rises through [1/3, 2/3) across the watch band and
through [2/3, 1] beyond ``flag``. The challenge's indicator score is the weighted mean of badness;
signals add ``signal_weight`` each up to ``signal_cap``; the two combine as independent risks.
Bands set a floor (tuning values): enough indicators at watch or one at flag make the challenge at
least ``watch``; enough at flag, or enough flagged weight, make it ``flag``. A signal the county
asserts is evidence too, so a challenge with one is never ``ok``. The county's kinds then scale
the severity where a challenge matters less for that kind (an inland resource county is not
judged first on its exports). Indicators that are all inside their watch bands, with no signal,
keep the challenge below ``flag``: a flag needs a flagged indicator or a reported symptom.

``insufficient_data`` is kept for a challenge the data cannot show either way: no indicator and no
signal, or fewer indicators than the challenge needs, all on the good side. One indicator far past
its flag line is a ``flag`` with low confidence.

Confidence is coverage (the share of the challenge's rule weight the profile supplies; asserted
signals fill half of what is missing at most) times decisiveness (how far the severity sits from
the nearest status line: 0.5 on the line, 1 at 0.2 or more away).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from app.domain.conditions import Gate, gate, passes, unmet
from app.domain.knowledge import Band, Challenge, Status
from app.domain.profile import ValidProfile
from app.domain.snapshot import ResolvedRule, Snapshot

BAND_ORDER: dict[Band, int] = {"ok": 0, "watch": 1, "flag": 2}
STATUS_ORDER: dict[Status, int] = {"flag": 3, "watch": 2, "ok": 1, "insufficient_data": 0}
SIGNAL_COVERAGE_SHARE = 0.5
DECISIVE_MARGIN = 0.2


class Evidence(NamedTuple):
    """One indicator judged: its band and badness, and for a gap rule whether the nation's
    lines, not the county's own set's, made the band (``against``) and whether the county's own
    benchmark itself lags the nation (``benchmark_lags``)."""

    indicator: str
    value: float
    band: Band
    badness: float
    rule: ResolvedRule
    against: Literal["benchmark", "nation"] = "benchmark"
    benchmark_lags: bool = False


class Confidence(NamedTuple):
    value: float
    coverage: float
    decisiveness: float


class Diagnosis(NamedTuple):
    slug: str
    status: Status
    severity: float
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    signals: tuple[str, ...]
    missing: tuple[str, ...]
    unresolved: tuple[str, ...]
    trace: dict[str, Any] | None

    @property
    def active(self) -> bool:
        return self.status in ("watch", "flag")


def band_of(resolved: ResolvedRule, value: float) -> tuple[Band, float]:
    """The band and badness of ``value`` under a resolved rule.

    >>> from types import SimpleNamespace as NS
    >>> resolved = NS(rule=NS(bad_when="below", max_band="flag"), watch=60.0, flag=50.0)
    >>> band_of(resolved, 70), band_of(resolved, 55)[0], band_of(resolved, 40)
    (('ok', 0.0), 'watch', ('flag', 1.0))
    """
    return band_between(resolved, resolved.watch, resolved.flag, value)


def band_between(
    resolved: ResolvedRule, watch: float, flag: float, value: float
) -> tuple[Band, float]:
    """The band and badness of ``value`` between a rule's ``watch`` and ``flag`` lines."""
    below = resolved.rule.bad_when == "below"
    past_watch = (watch - value) if below else (value - watch)
    past_flag = (flag - value) if below else (value - flag)
    span = abs(watch - flag)
    band: Band
    if past_flag > 0:
        band, bad = "flag", 2 / 3 + min(1.0, past_flag / span) / 3
    elif past_watch > 0:
        band, bad = "watch", min(1 / 3 + past_watch / span / 3, 2 / 3 - 1e-9)
    else:
        return "ok", 0.0
    if resolved.rule.max_band == "watch" and band == "flag":
        band, bad = "watch", 2 / 3 - 1e-9
    return band, min(bad, 1.0)


class _Scores(NamedTuple):
    indicator: float
    signal: float
    combined: float
    floor: Status
    capped: bool
    kind_factor: float
    severity: float


def _floor(
    snap: Snapshot, evidence: list[Evidence], signals: tuple[str, ...], total_w: float
) -> Status:
    tuning = snap.tuning
    flags = [e for e in evidence if e.band == "flag"]
    if flags:
        flag_w = sum(e.rule.rule.weight for e in flags)
        if len(flags) >= tuning.floor_flag_count.value or (
            total_w and flag_w / total_w >= tuning.floor_flag_weight_share.value
        ):
            return "flag"
        return "watch"
    if signals or sum(e.band != "ok" for e in evidence) >= tuning.floor_watch_count.value:
        return "watch"
    return "ok"


def kind_factor(snap: Snapshot, ch: Challenge, profile: ValidProfile) -> float:
    """The mean scale of the county's kinds that have one for this challenge (1 when none)."""
    key = (ch.slug, profile.kind_slugs)
    hit = snap.memo.kind_factors.get(key)
    if hit is None:
        hit = snap.memo.kind_factors[key] = _kind_factor(ch, profile)
    return hit


def _kind_factor(ch: Challenge, profile: ValidProfile) -> float:
    factors = [ch.by_kind[k].factor for k in sorted(profile.kind_slugs) if k in ch.by_kind]
    return sum(factors) / len(factors) if factors else 1.0


def _scores(
    snap: Snapshot,
    ch: Challenge,
    profile: ValidProfile,
    evidence: list[Evidence],
    signals: tuple[str, ...],
    total_w: float,
) -> _Scores:
    ind = sum(e.rule.rule.weight * e.badness for e in evidence) / total_w if total_w else 0.0
    sig = min(ch.signal_cap, len(signals) * ch.signal_weight)
    combined = 1 - (1 - ind) * (1 - sig)
    floor = _floor(snap, evidence, signals, total_w)
    floored = max(combined, {"flag": ch.flag_at, "watch": ch.watch_at}.get(floor, 0.0))
    capped = not signals and not any(e.band == "flag" for e in evidence)
    if capped:  # indicators inside their watch bands cannot make a flag on their own
        floored = min(floored, ch.flag_at - 0.001)
    if not signals and evidence and all(e.rule.rule.max_band == "watch" for e in evidence):
        # Context lines (they stop at watch) can say "watch", never "nearly a flag".
        floored = min(floored, (ch.watch_at + ch.flag_at) / 2)
    factor = kind_factor(snap, ch, profile)
    severity = floored * factor
    if signals:
        severity = max(severity, ch.watch_at)
    return _Scores(ind, sig, combined, floor, capped, factor, round(min(1.0, severity), 3))


def _status(ch: Challenge, severity: float) -> Status:
    if severity >= ch.flag_at:
        return "flag"
    return "watch" if severity >= ch.watch_at else "ok"


def _confidence(
    ch: Challenge,
    rules_w: float,
    evidence_w: float,
    signals: tuple[str, ...],
    severity: float,
) -> Confidence:
    coverage = evidence_w / rules_w if rules_w else 0.0
    if signals and coverage < 1:
        sig_share = min(1.0, len(signals) * ch.signal_weight / ch.signal_cap)
        coverage += (1 - coverage) * SIGNAL_COVERAGE_SHARE * sig_share
    margin = min(abs(severity - ch.watch_at), abs(severity - ch.flag_at))
    decisiveness = 0.5 + 0.5 * min(1.0, margin / DECISIVE_MARGIN)
    return Confidence(round(coverage * decisiveness, 2), round(coverage, 2), round(decisiveness, 2))


def _judged(resolved: ResolvedRule, value: float) -> Evidence:
    """An indicator against its own set's lines and, for a gap rule, the nation's: the worse
    band counts, so a county of a lagging province is not called fine."""
    band, bad = band_of(resolved, value)
    nation = resolved.national
    if nation is None:
        return Evidence(resolved.rule.indicator, value, band, bad, resolved)
    lags = band_between(resolved, nation.watch, nation.flag, resolved.benchmark_value or 0)[0]
    n_band, n_bad = band_between(resolved, nation.watch, nation.flag, value)
    own_lags = resolved.benchmark_value is not None and lags != "ok"
    if n_bad > bad:
        return Evidence(resolved.rule.indicator, value, n_band, n_bad, resolved, "nation", own_lags)
    return Evidence(resolved.rule.indicator, value, band, bad, resolved, "benchmark", own_lags)


def _evidence(
    rules: tuple[ResolvedRule, ...], profile: ValidProfile
) -> tuple[list[Evidence], list[str]]:
    evidence: list[Evidence] = []
    missing: list[tuple[float, str]] = []
    for resolved in rules:
        value = profile.values.get(resolved.rule.indicator)
        if value is None:
            missing.append((-resolved.rule.weight, resolved.rule.indicator))
            continue
        evidence.append(_judged(resolved, value))
    return evidence, [k for _, k in sorted(missing)]


def _trace(
    ch: Challenge, evidence: list[Evidence], scores: _Scores, signals: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "rules": [
            {
                "indicator": e.indicator,
                "value": e.value,
                "watch": e.rule.watch,
                "flag": e.rule.flag,
                "basis": {"watch": e.rule.watch_basis, "flag": e.rule.flag_basis},
                "benchmark_value": e.rule.benchmark_value,
                "band": e.band,
                "badness": round(e.badness, 4),
                "weight": e.rule.rule.weight,
            }
            for e in evidence
        ],
        "indicator_score": round(scores.indicator, 4),
        "signals": {
            "asserted": list(signals),
            "weight_each": ch.signal_weight,
            "cap": ch.signal_cap,
            "score": round(scores.signal, 4),
        },
        "combined": round(scores.combined, 4),
        "floor": scores.floor,
        "capped_at_watch": scores.capped,
        "status_lines": {"watch": ch.watch_at, "flag": ch.flag_at},
        "kind_factor": round(scores.kind_factor, 4),
        "signal_floor": bool(signals),
        "severity": scores.severity,
    }


def applicable(
    rules: tuple[ResolvedRule, ...], profile: ValidProfile
) -> tuple[tuple[ResolvedRule, ...], tuple[tuple[ResolvedRule, Gate], ...]]:
    """The rules that judge this county (forest cover does not judge a pastoral county, nor a
    high-tech share a farm zone), and those whose requirements leave it alone."""
    if not any(r.requires for r in rules):
        return rules, ()
    kept: list[ResolvedRule] = []
    left: list[tuple[ResolvedRule, Gate]] = []
    for r in rules:
        if passes(r.requires, profile):
            kept.append(r)
        else:
            left.append((r, gate(r.requires, profile)))
    return tuple(kept), tuple(left)


def _diagnose_one(snap: Snapshot, ch: Challenge, profile: ValidProfile, trace: bool) -> Diagnosis:
    rules, left_out = applicable(profile.rulebook.rules[ch.slug], profile)
    evidence, missing = _evidence(rules, profile)
    signals = profile.signals_of.get(ch.slug, ())
    unresolved = profile.rulebook.unresolved[ch.slug]
    rules_w = sum(r.rule.weight for r in rules) if left_out else profile.rulebook.weights[ch.slug]
    evidence_w = sum(e.rule.rule.weight for e in evidence)
    if not signals and (
        not evidence
        or (len(evidence) < ch.min_indicators and all(e.band == "ok" for e in evidence))
    ):
        conf = _confidence(ch, rules_w, evidence_w, signals, 0.0)
        low = Confidence(round(conf.coverage * 0.5, 2), conf.coverage, 0.5)
        parts = (
            {
                "reason": "too_few_indicators",
                "available": len(evidence),
                "not_applicable": _left_out(left_out),
            }
            if trace
            else None
        )
        return Diagnosis(
            ch.slug,
            "insufficient_data",
            0.0,
            low,
            tuple(evidence),
            signals,
            tuple(missing),
            unresolved,
            parts,
        )
    scores = _scores(snap, ch, profile, evidence, signals, evidence_w)
    conf = _confidence(ch, rules_w, evidence_w, signals, scores.severity)
    parts = (
        _trace(ch, evidence, scores, signals)
        | {"confidence": conf._asdict(), "not_applicable": _left_out(left_out)}
        if trace
        else None
    )
    return Diagnosis(
        ch.slug,
        _status(ch, scores.severity),
        scores.severity,
        conf,
        tuple(evidence),
        signals,
        tuple(missing),
        unresolved,
        parts,
    )


def _left_out(left: tuple[tuple[ResolvedRule, Gate], ...]) -> list[dict[str, Any]]:
    return [{"indicator": r.rule.indicator, "unmet": unmet(g)} for r, g in left]


def diagnose(snap: Snapshot, profile: ValidProfile, trace: bool = False) -> tuple[Diagnosis, ...]:
    out = [_diagnose_one(snap, ch, profile, trace) for ch in snap.challenges.values()]
    out.sort(key=lambda d: (-d.severity, -STATUS_ORDER[d.status], d.slug))
    return tuple(out)
