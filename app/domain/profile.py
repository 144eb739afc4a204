"""Profile validation against the knowledge base: vocabulary, ranges, derivations and warnings.

Type checks (numbers, finiteness, shapes) happen before this, in the request schema; here go the
checks that need the knowledge base. Problems are collected, not raised one by one, so a client
fixes every field in one round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.domain.benchmarks import choose_benchmark, with_values
from app.domain.checks import (
    ProfileWarning,
    consistency_warnings,
    identity_warnings,
    unit_warnings,
)
from app.domain.kinds import CountyKindOf, county_kinds
from app.domain.knowledge import CountyKind, Indicator, Province
from app.domain.numbers import format_number as fmt
from app.domain.snapshot import BenchmarkView, RuleBook, Snapshot, build_rulebook
from app.errors import FieldError, InvalidInput, did_you_mean, json_pointer, suggestion


@dataclass(frozen=True, slots=True)
class County:
    name: str
    code: str | None = None
    province: str | None = None
    year: int | None = None
    kinds: tuple[CountyKind, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "code": self.code,
            "province": self.province,
            "year": self.year,
        }
        if self.kinds:
            out["kinds"] = list(self.kinds)
        return out


@dataclass(frozen=True, slots=True)
class ProfileInput:
    county: County
    indicators: Mapping[str, float]
    signals: Sequence[str] = ()
    benchmark: str | None = None
    benchmark_values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ValidProfile:
    county: County
    given: Mapping[str, float]
    derived: Mapping[str, float]
    values: Mapping[str, float]
    signals: tuple[str, ...]
    benchmark: BenchmarkView
    province: Province | None
    kinds: tuple[CountyKindOf, ...]
    rulebook: RuleBook
    warnings: tuple[ProfileWarning, ...]
    kind_slugs: frozenset[CountyKind]
    signals_of: Mapping[str, tuple[str, ...]]  # challenge -> the signals asserted for it


def _check_indicators(
    snap: Snapshot, indicators: Mapping[str, float], errors: list[FieldError]
) -> dict[str, float]:
    given: dict[str, float] = {}
    for key in sorted(indicators):
        value = indicators[key]
        ind = snap.indicators.get(key)
        if ind is not None and not ind.derived and ind.min <= value <= ind.max:
            given[key] = float(value)
            continue
        # Only a rejected value needs its pointer (the common case is a valid one).
        where = json_pointer("indicators", key)
        if ind is None:
            errors.append(_unknown(where, key, snap.input_keys))
        elif ind.derived:
            inputs = ", ".join(ind.inputs)
            errors.append(
                FieldError(
                    where,
                    "derived_indicator",
                    f"'{key}' is computed by countypath from {inputs}; give those instead.",
                    params={"key": key, "inputs": inputs},
                )
            )
        else:
            errors.append(_out_of_range(where, value, ind))
    return given


def _unknown(where: str, key: str, choices: Iterable[str]) -> FieldError:
    hint = suggestion(key, choices, "GET /v1/indicators")
    return FieldError(
        where,
        "unknown_indicator",
        f"'{key}' is not an indicator{did_you_mean(key, choices, 'GET /v1/indicators')}",
        params={"key": key, **hint},
    )


def _out_of_range(where: str, value: float, ind: Indicator) -> FieldError:
    return FieldError(
        where,
        "out_of_range",
        f"{fmt(value)} is outside the valid range [{fmt(ind.min)}, {fmt(ind.max)}] "
        f"({ind.unit_label.en}).",
        params={
            "value": fmt(value),
            "min": fmt(ind.min),
            "max": fmt(ind.max),
            "unit": ind.unit_label.model_dump(),
        },
    )


def _check_signals(
    snap: Snapshot, slugs: Sequence[str], errors: list[FieldError]
) -> tuple[str, ...]:
    signals: list[str] = []
    for index, slug in enumerate(slugs):
        if slug not in snap.signals:
            hint = did_you_mean(slug, snap.signals, "GET /v1/signals")
            errors.append(
                FieldError(
                    json_pointer("signals", index),
                    "unknown_signal",
                    f"'{slug}' is not a signal{hint}",
                    params={"slug": slug, **suggestion(slug, snap.signals, "GET /v1/signals")},
                )
            )
        elif slug not in signals:
            signals.append(slug)
    return tuple(sorted(signals))


def _check_benchmark_values(
    snap: Snapshot, values: Mapping[str, float], errors: list[FieldError]
) -> dict[str, float]:
    """The caller's own comparator figures, checked like indicators (context keys allowed)."""
    context = {c.key for c in snap.kb.meta.context_keys}
    out: dict[str, float] = {}
    for key in sorted(values):
        value, where, ind = (
            values[key],
            json_pointer("benchmark_values", key),
            snap.indicators.get(key),
        )
        if ind is None and key not in context:
            errors.append(_unknown(where, key, snap.indicators.keys() | context))
        elif ind is not None and not ind.min <= value <= ind.max:
            errors.append(_out_of_range(where, value, ind))
        elif ind is None and value <= 0:
            errors.append(
                FieldError(
                    where,
                    "out_of_range",
                    f"{fmt(value)} must be above 0.",
                    params={"value": fmt(value)},
                    template="above_zero",
                )
            )
        else:
            out[key] = float(value)
    return out


def _signals_of(snap: Snapshot, signals: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for slug in signals:
        out.setdefault(snap.signals[slug].challenge, []).append(slug)
    return {k: tuple(v) for k, v in out.items()}


def _rulebook(snap: Snapshot, view: BenchmarkView, year: int | None) -> RuleBook:
    era = snap.era_of(year)
    if not view.overrides:
        return snap.rulebooks[(view.slug, era)]
    return build_rulebook(
        snap.kb, snap.indicators, view.values, snap.county_values[view.slug], snap.era_year(era)
    )


def validate_profile(snap: Snapshot, profile: ProfileInput) -> ValidProfile:
    errors: list[FieldError] = []
    county = profile.county
    given = _check_indicators(snap, profile.indicators, errors)
    signals = _check_signals(snap, profile.signals, errors)
    own = _check_benchmark_values(snap, profile.benchmark_values, errors)
    choice = choose_benchmark(snap, profile.benchmark, county.province, county.code, county.year)
    if choice.view is None:
        slug = profile.benchmark or ""
        hint = did_you_mean(slug, snap.benchmarks, "GET /v1/benchmarks")
        errors.append(
            FieldError(
                "/benchmark",
                "unknown_benchmark",
                f"'{profile.benchmark}' is not a benchmark{hint}",
                params={"slug": slug, **suggestion(slug, snap.benchmarks, "GET /v1/benchmarks")},
            )
        )
    if not profile.indicators and not profile.signals:
        errors.append(
            FieldError("/indicators", "empty_profile", "Give at least one indicator or one signal.")
        )
    if errors:
        raise InvalidInput(
            detail="The profile has problems; see errors.", errors=errors, key="profile_invalid"
        )
    assert choice.view is not None
    view = with_values(snap, choice.view, own)
    derived = snap.derive(given, view.values)
    values = given | derived
    kinds = county_kinds(snap, county.kinds, values)
    warnings = [
        *choice.warnings,
        *unit_warnings(snap, given, derived),
        *consistency_warnings(snap, given, view.values),
        *identity_warnings(snap, given),
    ]
    return ValidProfile(
        county=county,
        given=given,
        derived={k: derived[k] for k in sorted(derived)},
        values=values,
        signals=signals,
        benchmark=view,
        province=choice.province,
        kinds=kinds,
        rulebook=_rulebook(snap, view, county.year),
        warnings=tuple(sorted(warnings, key=lambda w: (w.field, w.code))),
        kind_slugs=frozenset(k.slug for k in kinds),
        signals_of=_signals_of(snap, signals),
    )
