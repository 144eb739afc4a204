"""Sentences about a county's figures say only what its figures show: a gap judged against the
nation says whether the county does better than its own province, and a challenge's description
makes no claim about the county."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.language import codes
from app.domain.messages import say, with_unit
from app.domain.profile import County, ProfileInput
from app.domain.result import recommend
from app.domain.snapshot import Snapshot
from tests.unit.factories import HUANGCHUAN_2023

HUANGCHUAN = HUANGCHUAN_2023
HENAN = County("A county", "411526", "Henan", 2023, ("agricultural",))


def gap(snap: Snapshot, urbanisation: float, lang: str) -> dict[str, Any]:
    values = HUANGCHUAN | {"urbanization_rate_pct": urbanisation}
    result = recommend(snap, ProfileInput(HENAN, values), lang)
    return next(c for c in result.challenges if c.slug == "urban-rural-gap")


@pytest.mark.parametrize("lang", codes())
def test_above_the_province_below_the_nation_says_both(snapshot: Snapshot, lang: str) -> None:
    c = gap(snapshot, 59.39, lang)
    (e,) = [e for e in c.evidence if e.indicator == "urbanization_rate_pct"]
    assert (e.band, e.against) == ("watch", "nation")
    assert e.value > e.benchmark_value  # Henan: 58.08
    province = snapshot.provinces_by_name["henan"].name.get(lang)
    finding = c.finding
    assert say("text", "province_average", lang, province=province) in finding
    assert with_unit(e.benchmark_value, "pct", lang) in finding
    assert with_unit(e.national.thresholds.watch, "pct", lang) in finding
    assert say("text", "benchmark_lags", lang) not in finding


@pytest.mark.parametrize("lang", codes())
def test_below_the_province_too_keeps_the_plain_national_sentence(
    snapshot: Snapshot, lang: str
) -> None:
    c = gap(snapshot, 55.0, lang)
    (e,) = [e for e in c.evidence if e.indicator == "urbanization_rate_pct"]
    assert (e.band, e.against) == ("watch", "nation")
    assert e.value < e.benchmark_value
    province = snapshot.provinces_by_name["henan"].name.get(lang)
    assert say("text", "province_average", lang, province=province) not in c.finding
    assert say("text", "benchmark_lags", lang) in c.finding


@pytest.mark.parametrize("lang", codes())
def test_no_income_or_per_head_claim_without_the_figure(snapshot: Snapshot, lang: str) -> None:
    """The profile gives no income ratio, and GDP per head is on the good side of its line:
    neither the description nor the finding of a challenge names them."""
    result = recommend(snapshot, ProfileInput(HENAN, HUANGCHUAN), lang)
    by_slug = {c.slug: c for c in result.challenges}
    labels = {k: snapshot.indicators[k].label.get(lang) for k in snapshot.indicators}
    assert labels["urban_rural_income_ratio"] not in by_slug["urban-rural-gap"].finding
    assert labels["gdp_per_capita_cny"] not in by_slug["weak-industrial-base"].finding
    assert labels["fiscal_self_sufficiency"] in by_slug["weak-industrial-base"].finding


@pytest.mark.parametrize("lang", codes())
def test_a_caller_figure_is_not_called_the_province_average(snapshot: Snapshot, lang: str) -> None:
    """With the caller's own comparator figures the sentence names the set, not the province."""
    request = ProfileInput(HENAN, HUANGCHUAN, benchmark_values={"urbanization_rate_pct": 58.5})
    result = recommend(snapshot, request, lang)
    c = next(c for c in result.challenges if c.slug == "urban-rural-gap")
    title = snapshot.benchmarks[result.benchmark].benchmark.title.get(lang)
    assert say("text", "benchmark_named", lang, title=title) in c.finding
    assert with_unit(58.5, "pct", lang) in c.finding
