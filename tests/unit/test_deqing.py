"""The Deqing profile from the paper, through the real knowledge base."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.domain.profile import County, ProfileInput
from app.domain.result import recommend
from app.domain.snapshot import Snapshot
from tests.conftest import DEQING_PROFILE

PAPER_THREE = {
    "incomplete-industrial-structure",
    "high-end-talent-retention",
    "insufficient-opening-up",
}


def deqing_input(**changes: Any) -> ProfileInput:
    data = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    data["indicators"].update(changes)
    return ProfileInput(
        County(**data["county"]), data["indicators"], tuple(data["signals"]), data["benchmark"]
    )


@pytest.fixture(scope="module")
def result(snapshot: Snapshot) -> dict[str, Any]:
    return recommend(snapshot, deqing_input(), "en")


def test_the_papers_three_challenges_are_found(result: dict[str, Any]) -> None:
    status = {c.slug: c.status for c in result.challenges}
    for slug in PAPER_THREE:
        assert status[slug] in {"watch", "flag"}, (slug, status[slug])


def test_urban_rural_gap_is_a_strength(result: dict[str, Any]) -> None:
    status = {c.slug: c.status for c in result.challenges}
    assert status["urban-rural-gap"] == "ok"


def test_missing_statistics_are_insufficient_data_not_guesses(result: dict[str, Any]) -> None:
    by = {c.slug: c for c in result.challenges}
    assert by["weak-innovation-capacity"].status == "insufficient_data"
    assert "rd_intensity_pct" in by["weak-innovation-capacity"].missing


def test_trade_against_zhejiang_2024_is_counted_once(result: dict[str, Any]) -> None:
    assert result.derived["trade_lq"] == pytest.approx(0.82, abs=0.02)
    opening = next(c for c in result.challenges if c.slug == "insufficient-opening-up")
    indicators = [e.indicator for e in opening.evidence]
    assert "trade_lq" not in indicators  # the quotient states the same fact as dependence
    dep = next(e for e in opening.evidence if e.indicator == "trade_dependence_pct")
    assert dep.band == "watch"
    assert dep.target == pytest.approx(0.9 * 58.4, abs=0.1)  # a quotient of 0.9
    fdi = next(e for e in opening.evidence if e.indicator == "fdi_intensity_pct")
    assert fdi.band == "ok"  # scale-neutral FDI is not a gap: the nuance the research notes
    assert fdi.target is None


def test_top_nine_hold_all_three_families_each_with_a_cited_deqing_example(
    snapshot: Snapshot,
) -> None:
    """A Zhejiang county with Deqing's figures learns from Deqing's practice, cited to the paper."""
    neighbour = replace(deqing_input(), county=County("A Zhejiang county", None, "Zhejiang", 2024))
    top = recommend(snapshot, neighbour, "en").recommendations[:9]
    assert {r.family for r in top} == {"industry", "talent", "policy"}
    for r in top:
        deqing = [e for e in r.examples if e.county == "deqing"]
        assert deqing, r.slug
        assert all(e.source.get("section") or e.source.get("publisher") for e in deqing)
        assert any(e.source.get("document") == "yuan-2025" for e in deqing), r.slug
        assert all(e.county_name == "Deqing County" for e in deqing)


def test_deqing_is_never_shown_itself_as_its_model(result: dict[str, Any]) -> None:
    shown = {e.county for r in result.recommendations for e in r.examples}
    assert shown, "Deqing still sees other counties' examples"
    assert "deqing" not in shown
    assert "deqing" not in {p.slug for p in result.peers}


def test_rationale_is_built_from_evidence_in_both_languages(
    snapshot: Snapshot, result: dict[str, Any]
) -> None:
    zh = recommend(snapshot, deqing_input(), "zh")
    first_en, first_zh = result.recommendations[0], zh.recommendations[0]
    assert first_en.slug == first_zh.slug
    assert "40 km" in first_en.rationale
    assert "40公里" in first_zh.rationale
    assert first_en.rationale != first_zh.rationale


def test_fdi_typed_ten_times_too_large_earns_unit_suspect(
    snapshot: Snapshot, result: dict[str, Any]
) -> None:
    # Only named fallbacks: Zhejiang's set lacks FDI intensity, so the nation's is used and said.
    assert {w.code for w in result.warnings} <= {"benchmark_fallback"}
    assert all(w.indicator for w in result.warnings)
    slipped = recommend(snapshot, deqing_input(fdi_usd_100m=9.871), "en")
    warning = next(w for w in slipped.warnings if w.code == "unit_suspect")
    assert warning.indicator == "fdi_usd_100m"
    assert "billion" in warning.message


def test_trade_typed_in_yuan_earns_unit_suspect(snapshot: Snapshot) -> None:
    slipped = recommend(snapshot, deqing_input(foreign_trade_cny_100m=34_470_000_000), "en")
    warning = next(w for w in slipped.warnings if w.code == "unit_suspect")
    assert warning.indicator == "foreign_trade_cny_100m"
    assert "yuan" in warning.message


def test_contradicting_gdp_per_capita_is_inconsistent(snapshot: Snapshot) -> None:
    res = recommend(snapshot, deqing_input(gdp_per_capita_cny=60000), "en")
    warning = next(w for w in res.warnings if w.code == "inconsistent")
    assert warning.indicator == "gdp_per_capita_cny"
    assert warning.suggested_value == pytest.approx(129264.0, rel=1e-3)


def test_two_indicators_say_what_they_can_and_what_is_missing(snapshot: Snapshot) -> None:
    res = recommend(
        snapshot,
        ProfileInput(
            County("Sparse", province="Zhejiang", year=2024),
            {"gdp_cny_100m": 300, "rd_intensity_pct": 1.0},
        ),
        "en",
    )
    by = {c.slug: c for c in res.challenges}
    # R&D at a third of Zhejiang's is far past the flag line: a flag, with low confidence.
    assert by["weak-innovation-capacity"].status == "flag"
    assert by["weak-innovation-capacity"].confidence_level == "low"
    assert "hightech_enterprises_per_10bn_gdp" in by["weak-innovation-capacity"].missing
    assert by["incomplete-industrial-structure"].status == "insufficient_data"
    assert "hightech_industry_share_pct" in by["incomplete-industrial-structure"].missing


def test_peers_put_a_zhejiang_county_first_never_deqing_itself(result: dict[str, Any]) -> None:
    assert result.peers[0].slug in {"anji", "changxing", "jiashan", "cixi"}
    assert "浙江" not in result.peers[0].why
    assert "Zhejiang" in result.peers[0].why
    assert 0 <= result.peers[-1].similarity <= 1
