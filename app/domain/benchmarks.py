"""Which benchmark a county is judged against, and why.

The county's own province (``county.province``, else the first two digits of ``county.code``)
picks its provincial sets; the one nearest the county's year is used (a tie goes to the later
year). Without one, the national set nearest the year. Every departure from "the province's set
for the county's year" is a ``benchmark_fallback`` warning that says what was asked and what was
used. A caller may add its own comparator values (``benchmark_values``), which override the
set's figures of the same indicators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from app.domain.checks import ProfileWarning, bilingual
from app.domain.knowledge import Benchmark, Lang, Province
from app.domain.snapshot import BenchmarkView, Snapshot


class Choice(NamedTuple):
    view: BenchmarkView | None
    province: Province | None
    warnings: tuple[ProfileWarning, ...]


def benchmark_head(b: Benchmark, lang: Lang) -> dict[str, object]:
    """What names a benchmark wherever one is shown: slug, kind, region, year and title."""
    return {
        "slug": b.slug,
        "kind": b.kind,
        "region": b.region,
        "year": b.year,
        "title": b.title.get(lang),
    }


def province_of(
    snap: Snapshot, name: str | None, code: str | None
) -> tuple[Province | None, list[ProfileWarning]]:
    """The county's province from its name, else from its code; a disagreement is a warning."""
    named = snap.provinces_by_name.get(name.strip().lower()) if name else None
    coded = snap.provinces_by_code.get(code[:2]) if code else None
    warnings: list[ProfileWarning] = []
    if named is not None and coded is not None and named.code != coded.code:
        warnings.append(
            ProfileWarning(
                "inconsistent",
                None,
                "/county/code",
                bilingual(
                    "warning",
                    "province_code_mismatch",
                    lambda lang: {
                        "named": named.name.get(lang),
                        "coded": coded.name.get(lang),
                        "code": code,
                    },
                ),
            )
        )
    return named or coded, warnings


def _nearest(views: tuple[BenchmarkView, ...], year: int | None) -> BenchmarkView:
    if year is None:
        return views[-1]
    return min(views, key=lambda v: (abs(v.benchmark.year - year), -v.benchmark.year))


def _fallback(
    name: str,
    used: BenchmarkView,
    province: Province | None = None,
    raw: str | None = None,
    year: int | None = None,
) -> ProfileWarning:
    def values(lang: Lang) -> dict[str, object]:
        asked = province.name.get(lang) if province is not None else raw
        return {"used": used.benchmark.title.get(lang), "province": asked, "year": year}

    message = bilingual("warning", name, values)
    return ProfileWarning("benchmark_fallback", None, "/benchmark", message)


def choose_benchmark(
    snap: Snapshot,
    requested: str | None,
    province_name: str | None,
    code: str | None,
    year: int | None,
) -> Choice:
    """The requested set when named; else the nearest set of the county's province; else the
    nearest national set, each departure explained in a warning."""
    province, warnings = province_of(snap, province_name, code)
    if requested is not None:
        return Choice(snap.benchmarks.get(requested), province, tuple(warnings))
    if province is not None and province.slug in snap.provincial_sets:
        view = _nearest(snap.provincial_sets[province.slug], year)
        if year is not None and view.benchmark.year != year:
            warnings.append(_fallback("benchmark_nearest_year", view, province, year=year))
        return Choice(view, province, tuple(warnings))
    if not snap.national_sets:
        return Choice(None, province, tuple(warnings))
    view = _nearest(snap.national_sets, year)
    if province is not None:
        warnings.append(_fallback("benchmark_no_province_set", view, province))
    elif province_name:
        warnings.append(_fallback("benchmark_unknown_province", view, raw=province_name))
    else:
        warnings.append(_fallback("benchmark_no_province", view))
    return Choice(view, province, tuple(warnings))


def with_values(snap: Snapshot, view: BenchmarkView, values: Mapping[str, float]) -> BenchmarkView:
    """``view`` with the caller's own figures laid over it, derived figures recomputed."""
    if not values:
        return view
    merged = dict(view.values) | dict(values)
    for key, formula in snap.formulas:
        if key in values or formula.benchmark_inputs:
            continue
        if formula.county_inputs <= merged.keys() and formula.county_inputs & values.keys():
            result = formula.evaluate(merged, merged)
            if result is not None:
                merged[key] = result
    borrowed = {k: v for k, v in view.borrowed.items() if k not in values}
    years = {k: y for k, y in view.years.items() if k not in values}
    return BenchmarkView(
        view.benchmark,
        merged,
        view.confidence,
        tuple(sorted(values)),
        borrowed,
        view.national,
        years,
    )
