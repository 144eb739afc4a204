"""Profile validation against the knowledge base: vocabulary, ranges, derivations and warnings.

Type checks (numbers, finiteness, shapes) happen before this, in the request schema; here go the
checks that need the knowledge base. Problems are collected, not raised one by one, so a client
fixes every field in one round trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.domain import divisions
from app.domain.benchmarks import choose_benchmark, with_values
from app.domain.checks import (
    ProfileWarning,
    bilingual,
    consistency_warnings,
    identity_warnings,
    unit_warnings,
)
from app.domain.conditions import passes
from app.domain.constraints import ConstraintState, judge_constraints
from app.domain.divisions import Division
from app.domain.kinds import CountyKindOf, county_kinds, declared_kinds
from app.domain.knowledge import (
    AdminForm,
    ConstraintCode,
    ConstraintStatus,
    CountyKind,
    Indicator,
    Lang,
    Province,
    ResourceStage,
    ResourceType,
    Zone,
)
from app.domain.language import default, languages
from app.domain.leading import TOP_SHARE, LeadingIndustry, leading_industry
from app.domain.numbers import format_number as fmt
from app.domain.snapshot import BenchmarkView, CountyIndex, RuleBook, Snapshot, build_rulebook
from app.errors import FieldError, InvalidInput, did_you_mean, json_pointer, suggestion


@dataclass(frozen=True, slots=True)
class ResourceFact:
    type: ResourceType
    stage: ResourceStage | None = None


@dataclass(frozen=True, slots=True)
class County:
    """What the profile declares of the county: who it is and the facts only it can state."""

    name: str
    code: str | None = None
    province: str | None = None
    year: int | None = None
    kinds: tuple[CountyKind, ...] = ()
    main_function_zone: Zone | None = None
    resource: ResourceFact | None = None
    leading_industries: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "code": self.code,
            "province": self.province,
            "year": self.year,
        }
        if self.kinds:
            out["kinds"] = list(self.kinds)
        if self.main_function_zone:
            out["main_function_zone"] = self.main_function_zone
        if self.resource:
            out["resource"] = {"type": self.resource.type, "stage": self.resource.stage}
        if self.leading_industries:
            out["leading_industries"] = list(self.leading_industries)
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
    """The county as every rule, path, action, example, peer and plan reads it: its declared
    facts, what its code and figures tell, and its values against its benchmark. Built once per
    profile; nothing downstream guesses a fact again."""

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
    declared_slugs: frozenset[CountyKind] = frozenset()
    leading: LeadingIndustry | None = None
    division: Division | None = None
    constraints: Mapping[ConstraintCode, ConstraintStatus] = field(default_factory=dict)
    constraint_states: tuple[ConstraintState, ...] = ()
    own_slugs: frozenset[str] = frozenset()  # the knowledge base's own names for this county

    @property
    def admin_form(self) -> AdminForm | None:
        return self.division.form if self.division else None

    @property
    def zone(self) -> Zone | None:
        return self.county.main_function_zone

    @property
    def resource_type(self) -> ResourceType | None:
        return self.county.resource.type if self.county.resource else None

    @property
    def resource_stage(self) -> ResourceStage | None:
        return self.county.resource.stage if self.county.resource else None

    @property
    def province_slug(self) -> str | None:
        return self.province.slug if self.province else None

    @property
    def pairing_sides(self) -> frozenset[str]:
        """The sides of the pairing programmes the county's province takes part in."""
        if self.province is None:
            return frozenset()
        return frozenset(p.side for p in self.province.programmes)

    @property
    def leading_base(self) -> bool | None:
        """Whether the county has a leading industry to build on; None when nothing tells."""
        if self.leading is not None:
            return self.leading.base
        return False if TOP_SHARE in self.values else None


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
        f"({ind.unit_label.get(default())}).",
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
    # The caller's own figures (and what they recompute) have no year of the set's.
    years = {k: y for k, y in view.years.items() if k not in view.overrides}
    return build_rulebook(
        snap.kb,
        snap.indicators,
        view.values,
        snap.county_values[view.slug],
        snap.era_year(era),
        view.borrowed,
        view.national,
        years,
        view.slug,
    )


def _plain(name: str, suffixes: tuple[str, ...]) -> str:
    """A county name without case, spacing or its form's suffix ("Yiwu City" = "yiwu").

    >>> _plain(" Yiwu City ", (" city",)), _plain("Yiwu", (" city",))
    ('yiwu', 'yiwu')
    """
    out = " ".join(name.lower().split())
    for suffix in suffixes:
        if out.endswith(suffix) and len(out) > len(suffix) + 1:
            return out[: -len(suffix)].strip()
    return out


def _suffixes(snap: Snapshot) -> tuple[str, ...]:
    """The endings a county's name may carry by its form (县, 市, " county" …), longest first:
    the fields of an administrative form each language names a county by, after its joiner."""
    words = {
        lang.joiner + getattr(form, field).get(lang.code).lower()
        for form in snap.kb.meta.admin_forms
        for lang in languages()
        for field in lang.name_endings
    }
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def _county_index(snap: Snapshot) -> CountyIndex:
    """Built once per snapshot: every profile is compared with all the knowledge base's counties."""
    if snap.memo.counties is None:
        ends = _suffixes(snap)
        by_code: dict[str, list[str]] = {}
        for slug, county in snap.counties.items():
            if county.code:
                by_code.setdefault(county.code, []).append(slug)
        by_name: dict[str, list[str]] = {}
        for slug, name in snap.county_names.items():
            for plain in dict.fromkeys(_plain(text, ends) for text in name.texts().values()):
                by_name.setdefault(plain, []).append(slug)
        snap.memo.counties = CountyIndex(
            ends,
            {k: tuple(v) for k, v in by_code.items()},
            {k: tuple(v) for k, v in by_name.items()},
        )
    return snap.memo.counties


def own_slugs(snap: Snapshot, county: County) -> frozenset[str]:
    """The knowledge base's counties that are this county: the same code, or the same name in
    either language (a county is never shown itself as a model or a peer)."""
    index = _county_index(snap)
    out = set(index.by_code.get(county.code, ()) if county.code else ())
    out |= set(index.by_name.get(_plain(county.name, index.suffixes), ()))
    return frozenset(out)


def division_of(
    county: County, province: Province | None
) -> tuple[Division | None, list[ProfileWarning]]:
    """Who the county is by the national division table: from its code (a retired code leads to
    the unit that replaced it), else from its name inside its province when only one unit bears
    it. A code the table does not know is a warning, never a refusal."""
    if county.code:
        found = divisions.current(county.code)
        if found is None:
            return None, [_code_warning("code_not_found", county.code)]
        if found.code != county.code:
            return found, [_code_warning("code_superseded", county.code, found.code)]
        return found, _name_warning(county.name, found)
    if province is None:
        return None, []
    named = divisions.find(county.name.strip(), province.code)
    return (named[0] if len(named) == 1 and named[0].current else None), []


def _name_warning(name: str, found: Division) -> list[ProfileWarning]:
    """A name written in Chinese characters that is not the coded unit's: its first character
    differs from the official name's and every former name's (an abbreviation such as a
    county's first two characters passes; 安吉县 under 德清县's code does not)."""
    given = name.strip()
    if not given or not HAN.match(given):
        return []
    if any(known[:1] == given[:1] for known in (found.name, *found.former_names)):
        return []
    message = bilingual(
        "warning",
        "name_code_mismatch",
        lambda lang: {"given": given, "code": found.code, "official": found.name},
    )
    return [ProfileWarning("inconsistent", None, "/county/name", message)]


HAN = re.compile(r"[\u3400-\u9fff]")


def _code_warning(name: str, code: str, now: str | None = None) -> ProfileWarning:
    message = bilingual(
        "warning", name, lambda lang: {"code": code, "now": now, "edition": divisions.edition()}
    )
    return ProfileWarning("inconsistent", None, "/county/code", message)


def line_warnings(snap: Snapshot, profile: ValidProfile) -> list[ProfileWarning]:
    """``benchmark_fallback`` naming each indicator of the county judged on another line than
    its own benchmark's figure: the national set's, a fixed line, or none at all."""
    out: list[ProfileWarning] = []
    used = profile.benchmark
    for slug, rules in profile.rulebook.rules.items():
        for r in rules:
            key = r.rule.indicator
            national = "national_ratio" in (r.watch_basis, r.flag_basis)
            fixed = not national and "fallback" in (r.watch_basis, r.flag_basis)
            # judged only for a line that would be named: most rules read the set's own figure
            if not (national or fixed) or key not in profile.values:
                continue
            if not passes(r.requires, profile):
                continue
            if national:
                out.append(_line_warning(snap, "line_national", key, used, used.borrowed[key]))
            else:
                out.append(_line_warning(snap, "line_fixed", key, used, None))
        for key in profile.rulebook.unresolved[slug]:
            if key in profile.values:
                out.append(_line_warning(snap, "line_missing", key, used, None))
    unique = {(w.indicator, w.message.get(default())): w for w in out}
    return list(unique.values())


def _line_warning(
    snap: Snapshot, name: str, key: str, used: BenchmarkView, source: str | None
) -> ProfileWarning:
    ind = snap.indicators[key]
    national = snap.benchmarks.get(source) if source else None

    def values(lang: Lang) -> dict[str, object]:
        return {
            "label": ind.label.get(lang),
            "set": used.benchmark.title.get(lang),
            "national": national.benchmark.title.get(lang) if national else "",
        }

    pointer = json_pointer("indicators", key)
    return ProfileWarning("benchmark_fallback", key, pointer, bilingual("warning", name, values))


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
    division, code_warnings = division_of(county, choice.province)
    view = with_values(snap, choice.view, own)
    derived = snap.derive(given, view.values)
    values = given | derived
    states = judge_constraints(snap.kb.meta.constraints, values, choice.province, county.year)
    stated = declared_kinds(county.kinds, county.main_function_zone, county.resource is not None)
    kinds = county_kinds(snap, stated, values)
    kind_slugs = frozenset(k.slug for k in kinds)
    warnings = [
        *choice.warnings,
        *code_warnings,
        *unit_warnings(snap, given, derived),
        *consistency_warnings(snap, given, view.values),
        *identity_warnings(snap, given),
    ]
    valid = ValidProfile(
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
        kind_slugs=kind_slugs,
        signals_of=_signals_of(snap, signals),
        declared_slugs=frozenset(k.slug for k in stated),
        own_slugs=own_slugs(snap, county),
        constraint_states=states,
        constraints={s.code: s.status for s in states},
        division=division,
        leading=leading_industry(
            county.leading_industries,
            values,
            kind_slugs,
            (county.resource.type, county.resource.stage) if county.resource else (None, None),
            snap.tuning.leading_industry_share.value,
            snap.resource_types,
            snap.industries,
        ),
    )
    if valid.benchmark.benchmark.kind == "national":
        return valid
    found = line_warnings(snap, valid)
    if not found:
        return valid
    ordered = sorted((*valid.warnings, *found), key=lambda w: (w.field, w.code))
    return replace(valid, warnings=tuple(ordered))
