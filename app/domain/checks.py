"""Warnings about a valid profile: values outside the typical county range (unit slips) and
inputs that contradict each other. Warnings never block a diagnosis; they say what to check.

A derived figure never raises a unit warning on its own: an odd trade location quotient of 0.015
is simply a county that trades little. It only helps find which *input* was mistyped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.domain.knowledge import LANGS, Identity, Indicator, Lang
from app.domain.language import read_in
from app.domain.messages import say
from app.domain.numbers import format_number as fmt
from app.domain.snapshot import Snapshot
from app.errors import json_pointer


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence in every language, by language code."""

    texts: Mapping[Lang, str]

    def get(self, lang: Lang) -> str:
        return read_in(self.texts, lang)


def bilingual(section: str, name: str, values: Callable[[Lang], Mapping[str, object]]) -> Message:
    """A catalogue message filled per language (labels differ by language, numbers do not)."""
    return Message({lang: say(section, name, lang, **values(lang)) for lang in LANGS})


@dataclass(frozen=True, slots=True)
class ProfileWarning:
    code: str
    indicator: str | None
    field: str
    message: Message
    suggested_value: float | None = None


def _unit_suspect(
    ind: Indicator, value: float, target: str, slip: Message | None
) -> ProfileWarning:
    lo, hi = ind.plausible or (ind.min, ind.max)

    def values(lang: Lang) -> dict[str, object]:
        return {
            "label": ind.label.get(lang),
            "value": fmt(value),
            "lo": fmt(lo),
            "hi": fmt(hi),
            "unit": ind.unit_label.get(lang),
            "slip": slip.get(lang) if slip else "",
        }

    name = "unit_suspect_slip" if slip else "unit_suspect"
    pointer = json_pointer("indicators", target)
    return ProfileWarning("unit_suspect", target, pointer, bilingual("warning", name, values))


def plausibility(ind: Indicator, value: float) -> ProfileWarning | None:
    """``unit_suspect`` when ``value`` lies outside the indicator's typical county range; a known
    slip (e.g. yuan typed for 亿元) names the input to fix and how."""
    if ind.plausible is None:
        return None
    lo, hi = ind.plausible
    if lo <= value <= hi:
        return None
    for slip in ind.slips:
        if lo <= value / slip.factor <= hi:
            text = Message(slip.text.texts())
            return _unit_suspect(ind, value, slip.input or ind.key, text)
    if ind.derived:
        return None
    return _unit_suspect(ind, value, ind.key, None)


def unit_warnings(
    snap: Snapshot, given: Mapping[str, float], derived: Mapping[str, float]
) -> list[ProfileWarning]:
    """Slips found through a derived figure first (they name the input to fix), then the given
    values not already named."""
    out: dict[str, ProfileWarning] = {}
    for key, value in derived.items():
        w = plausibility(snap.indicators[key], value)
        if w is not None and w.indicator is not None and w.indicator in given:
            out.setdefault(w.indicator, w)
    for key, value in given.items():
        if key not in out:
            w = plausibility(snap.indicators[key], value)
            if w is not None:
                out.setdefault(key, w)
    return list(out.values())


def _formula_gap(snap: Snapshot, key: str, given: float, expected: float) -> ProfileWarning:
    ind = snap.indicators[key]
    gap = abs(given - expected) / abs(expected)

    def values(lang: Lang) -> dict[str, object]:
        return {
            "label": ind.label.get(lang),
            "value": fmt(given),
            "expected": fmt(expected),
            "gap": fmt(gap * 100),
        }

    message = bilingual("warning", "inconsistent_formula", values)
    pointer = json_pointer("indicators", key)
    return ProfileWarning("inconsistent", key, pointer, message, round(expected, 2))


def consistency_warnings(
    snap: Snapshot, given: Mapping[str, float], bench: Mapping[str, float]
) -> list[ProfileWarning]:
    """``inconsistent`` when a given value disagrees with what its own inputs compute."""
    out: list[ProfileWarning] = []
    for key, formula in snap.formulas:
        tolerance = snap.indicators[key].consistency_tolerance
        if key not in given or tolerance is None:
            continue
        expected = formula.evaluate(given, bench)
        if expected and abs(given[key] - expected) / abs(expected) > tolerance:
            out.append(_formula_gap(snap, key, given[key], expected))
    return out


def _identity_gap(snap: Snapshot, identity: Identity, total: float) -> ProfileWarning:
    def values(lang: Lang) -> dict[str, object]:
        labels = [snap.indicators[k].label.get(lang) for k in identity.terms]
        return {
            "labels": say("text", "list_sep", lang).join(labels),
            "sum": fmt(total),
            "total": fmt(identity.total),
        }

    first = identity.terms[0]
    message = bilingual("warning", "inconsistent_identity", values)
    return ProfileWarning("inconsistent", first, json_pointer("indicators", first), message)


def identity_warnings(snap: Snapshot, given: Mapping[str, float]) -> list[ProfileWarning]:
    """``inconsistent`` when indicators that must add up (three sector shares) do not."""
    out: list[ProfileWarning] = []
    for identity in snap.kb.meta.identities:
        if all(k in given for k in identity.terms):
            total = sum(given[k] for k in identity.terms)
            if abs(total - identity.total) > identity.tolerance:
                out.append(_identity_gap(snap, identity, total))
    return out
