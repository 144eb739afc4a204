"""Diagnosis: band each indicator against its rule, combine bands and signals into a status and
a severity in [0, 1].

Severity is monotone: an indicator moving in its bad direction never lowers it. Per rule,
``badness`` is 0 on the good side of ``watch``, rises through [1/3, 2/3) across the watch band and
through [2/3, 1] beyond ``flag``. The challenge's indicator score is the weighted mean of badness;
signals add ``signal_weight`` each up to ``signal_cap``; the two combine as independent risks.
Bands also set a floor (research note, section 3.1): two indicators at watch or one at flag make
the challenge at least ``watch``; two at flag, or flagged weight of half or more, make it ``flag``.
"""

from __future__ import annotations

from typing import NamedTuple

from app.domain.profile import ValidProfile
from app.domain.snapshot import ResolvedRule, Snapshot

BAND_ORDER = {"ok": 0, "watch": 1, "flag": 2}
STATUS_ORDER = {"flag": 3, "watch": 2, "ok": 1, "insufficient_data": 0}


# Named tuples: a result builds dozens of these, and frozen dataclasses are slow to construct.
class Evidence(NamedTuple):
    indicator: str
    value: float
    band: str
    badness: float
    rule: ResolvedRule


class Diagnosis(NamedTuple):
    slug: str
    status: str
    severity: float
    evidence: tuple[Evidence, ...]
    signals: tuple[str, ...]
    missing: tuple[str, ...]
    unresolved: tuple[str, ...]

    @property
    def active(self) -> bool:
        return self.status in ("watch", "flag")


def band_of(rr: ResolvedRule, value: float) -> tuple[str, float]:
    """The band and badness of ``value`` under a resolved rule."""
    below = rr.rule.bad_when == "below"
    # Express everything as "how far past the line, in the bad direction".
    past_watch = (rr.watch - value) if below else (value - rr.watch)
    past_flag = (rr.flag - value) if below else (value - rr.flag)
    span = abs(rr.watch - rr.flag)
    if past_flag > 0:
        scale = span if span > 0 else max(abs(rr.flag), 1e-9)
        band, bad = "flag", 2 / 3 + min(1.0, past_flag / scale) / 3
    elif past_watch > 0:
        band, bad = "watch", 1 / 3 + (past_watch / span if span > 0 else 0.0) / 3
        bad = min(bad, 2 / 3 - 1e-9)
    else:
        return "ok", 0.0
    if rr.rule.max_band == "watch" and band == "flag":
        band, bad = "watch", 2 / 3 - 1e-9
    return band, min(bad, 1.0)


def diagnose(snap: Snapshot, profile: ValidProfile) -> tuple[Diagnosis, ...]:
    out: list[Diagnosis] = []
    tuning = snap.kb.meta.tuning
    bench = profile.benchmark.benchmark.slug
    for slug, challenge in snap.challenges.items():
        rules = snap.rules[bench][slug]
        evidence: list[Evidence] = []
        missing: list[tuple[float, str]] = []
        for rr in rules:
            value = profile.values.get(rr.rule.indicator)
            if value is None:
                missing.append((-rr.rule.weight, rr.rule.indicator))
                continue
            band, bad = band_of(rr, value)
            evidence.append(Evidence(rr.rule.indicator, value, band, bad, rr))
        asserted = tuple(s for s in profile.signals if snap.signals[s].challenge == slug)
        available = len(evidence)
        if available < challenge.min_indicators and not asserted:
            status, severity = "insufficient_data", 0.0
        else:
            total_w = sum(e.rule.rule.weight for e in evidence)
            ind_score = (
                sum(e.rule.rule.weight * e.badness for e in evidence) / total_w if total_w else 0.0
            )
            sig_score = min(challenge.signal_cap, len(asserted) * challenge.signal_weight)
            severity = 1 - (1 - ind_score) * (1 - sig_score)
            flags = [e for e in evidence if e.band == "flag"]
            worse = [e for e in evidence if e.band != "ok"]
            flag_w = sum(e.rule.rule.weight for e in flags)
            floor = "ok"
            if len(flags) >= tuning.floor_flag_count.value or (
                total_w and flags and flag_w / total_w >= tuning.floor_flag_weight_share.value
            ):
                floor = "flag"
            elif flags or len(worse) >= tuning.floor_watch_count.value:
                floor = "watch"
            if floor == "flag":
                severity = max(severity, challenge.flag_at)
            elif floor == "watch":
                severity = max(severity, challenge.watch_at)
            severity = round(min(1.0, severity), 3)
            status = (
                "flag"
                if severity >= challenge.flag_at
                else "watch"
                if severity >= challenge.watch_at
                else "ok"
            )
        out.append(
            Diagnosis(
                slug=slug,
                status=status,
                severity=severity,
                evidence=tuple(evidence),
                signals=asserted,
                missing=tuple(k for _, k in sorted(missing)),
                unresolved=snap.unresolved[bench][slug],
            )
        )
    out.sort(key=lambda d: (-d.severity, -STATUS_ORDER[d.status], d.slug))
    return tuple(out)
