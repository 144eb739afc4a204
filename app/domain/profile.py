"""Profile validation against the knowledge base: vocabulary, ranges, derivations and warnings.

Type checks (numbers, finiteness, shapes) happen before this, in the request schema; here go the
checks that need the knowledge base. Problems are collected, not raised one by one, so a client
fixes every field in one round trip.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.knowledge import Indicator, Lang
from app.domain.snapshot import BenchmarkView, Snapshot
from app.errors import FieldError, InvalidInput


@dataclass(frozen=True, slots=True)
class Msg:
    en: str
    zh: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


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
class Warning:
    code: str
    indicator: str
    message: Msg
    suggested_value: float | None = None


@dataclass(frozen=True, slots=True)
class ValidProfile:
    county: County
    given: Mapping[str, float]
    derived: Mapping[str, float]
    values: Mapping[str, float]
    signals: tuple[str, ...]
    benchmark: BenchmarkView
    warnings: tuple[Warning, ...]


def _pointer(*parts: str | int) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def num(value: float) -> str:
    """A number as a person writes it: no float noise, thousands grouped."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    digits = 0 if magnitude >= 1000 else 1 if magnitude >= 100 else 2 if magnitude >= 1 else 4
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


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


def _plausibility(ind: Indicator, value: float, reported_as: str) -> Warning | None:
    if ind.plausible is None:
        return None
    lo, hi = ind.plausible
    if lo <= value <= hi:
        return None
    for slip in ind.slips:
        corrected = value / slip.factor
        if lo <= corrected <= hi:
            target = slip.input or ind.key
            return Warning(
                "unit_suspect",
                target,
                Msg(
                    f"{ind.label.en} is {num(value)}, outside the typical county range "
                    f"{num(lo)}-{num(hi)}. {slip.text.en}",
                    f"{ind.label.zh}为{num(value)}，超出县域常见区间{num(lo)}-{num(hi)}。{slip.text.zh}",
                ),
                None,
            )
    return Warning(
        "unit_suspect",
        reported_as,
        Msg(
            f"{ind.label.en} is {num(value)}, outside the typical county range {num(lo)}-{num(hi)} "
            f"({ind.unit_label.en}); check the unit.",
            f"{ind.label.zh}为{num(value)}，超出县域常见区间{num(lo)}-{num(hi)}"
            f"（{ind.unit_label.zh}），请核对单位。",
        ),
        None,
    )


def _inputs_of(snap: Snapshot, key: str) -> set[str]:
    """Every indicator ``key`` is computed from, directly or through other derived ones."""
    out: set[str] = set()
    stack = list(snap.indicators[key].inputs)
    while stack:
        name = stack.pop()
        if name not in out:
            out.add(name)
            stack.extend(snap.indicators[name].inputs if name in snap.indicators else ())
    return out


def validate_profile(snap: Snapshot, profile: ProfileInput) -> ValidProfile:
    errors: list[FieldError] = []
    given: dict[str, float] = {}
    for key in sorted(profile.indicators):
        value = profile.indicators[key]
        ind = snap.indicators.get(key)
        if ind is None:
            close = difflib.get_close_matches(key, sorted(snap.input_keys), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else "; see GET /v1/indicators."
            errors.append(
                FieldError(
                    _pointer("indicators", key),
                    "unknown_indicator",
                    f"'{key}' is not an indicator{hint}",
                )
            )
            continue
        if ind.derived:
            errors.append(
                FieldError(
                    _pointer("indicators", key),
                    "derived_indicator",
                    f"'{key}' is computed by countypath from {', '.join(ind.inputs)}; give those instead.",
                )
            )
            continue
        if not ind.min <= value <= ind.max:
            errors.append(
                FieldError(
                    _pointer("indicators", key),
                    "out_of_range",
                    f"{num(value)} is outside the valid range [{num(ind.min)}, {num(ind.max)}] "
                    f"({ind.unit_label.en}).",
                )
            )
            continue
        given[key] = float(value)

    signals: list[str] = []
    for index, slug in enumerate(profile.signals):
        if slug not in snap.signals:
            close = difflib.get_close_matches(slug, sorted(snap.signals), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else "; see GET /v1/signals."
            errors.append(
                FieldError(
                    _pointer("signals", index), "unknown_signal", f"'{slug}' is not a signal{hint}"
                )
            )
        elif slug not in signals:
            signals.append(slug)

    view = choose_benchmark(snap, profile.county, profile.benchmark)
    if view is None:
        close = difflib.get_close_matches(
            profile.benchmark or "", sorted(snap.benchmarks), n=1, cutoff=0.5
        )
        hint = f"; did you mean '{close[0]}'?" if close else "; see GET /v1/benchmarks."
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
    values = given | derived
    warnings: list[Warning] = []
    seen: set[tuple[str, str]] = set()

    def add(w: Warning | None) -> None:
        if w is not None and (w.code, w.indicator) not in seen:
            seen.add((w.code, w.indicator))
            warnings.append(w)

    # Specific slips found through a derived figure first (they name the input to fix), then
    # the given values, then derived figures whose inputs are not already under suspicion.
    derived_warnings = {k: _plausibility(snap.indicators[k], v, k) for k, v in derived.items()}
    for w in derived_warnings.values():
        if w is not None and w.indicator in given:
            add(w)
    for key, value in given.items():
        if ("unit_suspect", key) not in seen:
            add(_plausibility(snap.indicators[key], value, key))
    suspect = {ind for code, ind in seen if code == "unit_suspect"}
    for key, w in derived_warnings.items():
        if w is not None and w.indicator == key and not (_inputs_of(snap, key) & suspect):
            add(w)
    for key, formula in snap.formulas:
        ind = snap.indicators[key]
        if key in given and ind.consistency_tolerance is not None:
            expected = formula.evaluate(given, view.values)
            if expected is not None and expected != 0:
                gap = abs(given[key] - expected) / abs(expected)
                if gap > ind.consistency_tolerance:
                    add(
                        Warning(
                            "inconsistent",
                            key,
                            Msg(
                                f"{ind.label.en} is given as {num(given[key])} but its inputs give "
                                f"{num(expected)} ({num(gap * 100)}% apart); check the year and units.",
                                f"{ind.label.zh}填写为{num(given[key])}，但由其构成指标计算为{num(expected)}"
                                f"（相差{num(gap * 100)}%），请核对年份和单位。",
                            ),
                            round(expected, 2),
                        )
                    )
    return ValidProfile(
        county=profile.county,
        given=given,
        derived={k: derived[k] for k in sorted(derived)},
        values=values,
        signals=tuple(sorted(signals)),
        benchmark=view,
        warnings=tuple(sorted(warnings, key=lambda w: (w.indicator, w.code))),
    )
