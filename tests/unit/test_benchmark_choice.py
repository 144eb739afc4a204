"""Every province's county is judged against its own province, by name or by code, at the
nearest year; any departure says so."""

from __future__ import annotations

import pytest

from app.domain.profile import County, ProfileInput, validate_profile
from app.domain.snapshot import Snapshot
from app.services.seeding import load_seeds
from tests.conftest import SEEDS

PROVINCES = [(p.slug, p.name.en, p.name.zh, p.code) for p in load_seeds(SEEDS).meta.provinces]


def choose(snap: Snapshot, county: County) -> tuple[str, list[str]]:
    p = validate_profile(snap, ProfileInput(county, {"gdp_cny_100m": 300}))
    return p.benchmark.slug, [w.code for w in p.warnings]


def test_all_thirty_one_provinces_have_a_set(snapshot: Snapshot) -> None:
    assert len(PROVINCES) == 31
    assert set(snapshot.provincial_sets) == {slug for slug, *_ in PROVINCES}


@pytest.mark.parametrize(("slug", "en", "zh", "code"), PROVINCES)
def test_a_county_of_each_province_gets_its_province(
    snapshot: Snapshot, slug: str, en: str, zh: str, code: str
) -> None:
    years = [v.benchmark.year for v in snapshot.provincial_sets[slug]]
    year = max(years)
    by_name, warnings = choose(snapshot, County("A county", province=en, year=year))
    assert by_name == f"{slug}-{year}"
    assert warnings == []
    assert choose(snapshot, County("A county", province=zh, year=year))[0] == by_name
    assert choose(snapshot, County("A county", code=f"{code}0101", year=year))[0] == by_name
    older, warnings = choose(snapshot, County("A county", province=en, year=2019))
    assert older == f"{slug}-{min(years)}"
    assert warnings == ["benchmark_fallback"]


def test_a_name_and_a_code_that_disagree_are_flagged(snapshot: Snapshot) -> None:
    slug, warnings = choose(snapshot, County("A county", code="320281", province="Zhejiang"))
    assert slug.startswith("zhejiang-")
    assert "inconsistent" in warnings


def test_an_unknown_province_falls_back_to_national_and_says_so(snapshot: Snapshot) -> None:
    slug, warnings = choose(snapshot, County("A county", province="Atlantis", year=2024))
    assert slug == "china-2024"
    assert warnings == ["benchmark_fallback"]


def test_inline_values_override_the_set_and_are_reported(snapshot: Snapshot) -> None:
    county = County("A county", province="Zhejiang", year=2024)
    p = validate_profile(
        snapshot,
        ProfileInput(county, {"rd_intensity_pct": 2.0}, benchmark_values={"rd_intensity_pct": 4.0}),
    )
    assert p.benchmark.overrides == ("rd_intensity_pct",)
    rule = next(
        r
        for r in p.rulebook.rules["weak-innovation-capacity"]
        if r.indicator.key == "rd_intensity_pct"
    )
    assert rule.watch == pytest.approx(4.0)
    assert rule.flag == pytest.approx(2.8)
