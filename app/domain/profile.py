"""Profile validation against the knowledge base: vocabulary, ranges, derivations and warnings.

Type checks (numbers, finiteness, shapes) happen before this, in the request schema; here go the
checks that need the knowledge base. Problems are collected, not raised one by one, so a client
fixes every field in one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.checks import ProfileWarning, consistency_warnings, unit_warnings
from app.domain.numbers import format_number as fmt
from app.domain.snapshot import BenchmarkView, Snapshot
from app.errors import FieldError, InvalidInput, did_you_mean, json_pointer


@dataclass(frozen=True, slots=True)
class County:
    name: str
    code: str | None = None
    province: str | None = None
    year: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "code": self.code, "province": self.province, "year": self.year}


@dataclass(frozen=True, slots=True)
class ProfileInput:
    county: County
    indicators: Mapping[str, float]
    signals: Sequence[str] = ()
    benchmark: str | None = None


@dataclass(frozen=True, slots=True)
class ValidProfile:
    county: County
    given: Mapping[str, float]
    derived: Mapping[str, float]
    values: Mapping[str, float]
    signals: tuple[str, ...]
    benchmark: BenchmarkView
    warnings: tuple[ProfileWarning, ...]


def choose_benchmark(snap: Snapshot, county: County, requested: str | None) -> BenchmarkView | None:
    """The requested set; else the province's set for the year; else the latest national set."""
    if requested is not None:
        return snap.benchmarks.get(requested)
    comparators = [v for v in snap.benchmarks.values() if v.benchmark.kind != "policy_target"]
    if county.province:
        province = county.province.strip().lower()
        for view in comparators:
            b = view.benchmark
            if b.kind == "provincial" and b.region.lower() == province and b.year == county.year:
                return view
    national = [v for v in comparators if v.benchmark.kind == "national"]
    if not national:
        return comparators[0] if comparators else None
    return max(national, key=lambda v: (v.benchmark.year, v.benchmark.slug))


def _check_indicators(
    snap: Snapshot, indicators: Mapping[str, float], errors: list[FieldError]
) -> dict[str, float]:
    given: dict[str, float] = {}
    for key in sorted(indicators):
        value = indicators[key]
        ind = snap.indicators.get(key)
        where = json_pointer("indicators", key)
        if ind is None:
            hint = did_you_mean(key, snap.input_keys, "GET /v1/indicators")
            errors.append(
                FieldError(where, "unknown_indicator", f"'{key}' is not an indicator{hint}")
            )
        elif ind.derived:
            errors.append(
                FieldError(
                    where,
                    "derived_indicator",
                    f"'{key}' is computed by countypath from {', '.join(ind.inputs)}; give those instead.",
                )
            )
        elif not ind.min <= value <= ind.max:
            errors.append(
                FieldError(
                    where,
                    "out_of_range",
                    f"{fmt(value)} is outside the valid range [{fmt(ind.min)}, {fmt(ind.max)}] "
                    f"({ind.unit_label.en}).",
                )
            )
        else:
            given[key] = float(value)
    return given


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
                )
            )
        elif slug not in signals:
            signals.append(slug)
    return tuple(sorted(signals))


def validate_profile(snap: Snapshot, profile: ProfileInput) -> ValidProfile:
    errors: list[FieldError] = []
    given = _check_indicators(snap, profile.indicators, errors)
    signals = _check_signals(snap, profile.signals, errors)
    view = choose_benchmark(snap, profile.county, profile.benchmark)
    if view is None:
        hint = did_you_mean(profile.benchmark or "", snap.benchmarks, "GET /v1/benchmarks")
        errors.append(
            FieldError(
                "/benchmark", "unknown_benchmark", f"'{profile.benchmark}' is not a benchmark{hint}"
            )
        )
    if not profile.indicators and not profile.signals:
        errors.append(
            FieldError("/indicators", "empty_profile", "Give at least one indicator or one signal.")
        )
    if errors:
        raise InvalidInput(detail="The profile has problems; see errors.", errors=errors)
    assert view is not None
    derived = snap.derive(given, view.values)
    warnings = unit_warnings(snap, given, derived) + consistency_warnings(snap, given, view.values)
    return ValidProfile(
        county=profile.county,
        given=given,
        derived={k: derived[k] for k in sorted(derived)},
        values=given | derived,
        signals=signals,
        benchmark=view,
        warnings=tuple(sorted(warnings, key=lambda w: (w.indicator, w.code))),
    )
