"""The planner: owners, money and dated targets for every action; targets that move the right way
within the pace the knowledge base defends; stages that respect prerequisites."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.knowledge import KnowledgeBase, Pace, Source, Text
from app.domain.plan import build_plan, kpi, plan_start, stages
from app.domain.profile import County, ProfileInput
from app.domain.result import recommend
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import InvalidInput
from tests.conftest import DEQING_PROFILE

CJK = re.compile(r"[\u4e00-\u9fff]")
# A manufacturing county well behind on innovation and opening up, with a value for most of the
# indicators its paths are judged by.
INDUSTRIAL: dict[str, float] = {
    "gdp_cny_100m": 480.0,
    "resident_population_10k": 62.0,
    "secondary_share_pct": 52.0,
    "primary_share_pct": 6.0,
    "tertiary_share_pct": 42.0,
    "rd_intensity_pct": 1.1,
    "hightech_industry_share_pct": 22.0,
    "strategic_emerging_share_pct": 14.0,
    "digital_core_share_pct": 3.1,
    "new_product_sales_share_pct": 12.0,
    "enterprise_rd_to_revenue_pct": 0.8,
    "rd_personnel_per_10k_employed": 35.0,
    "college_educated_per_100k": 9000.0,
    "resident_to_registered_ratio": 0.86,
    "physicians_per_1k": 2.3,
    "foreign_trade_cny_100m": 40.0,
    "fdi_usd_100m": 0.2,
    "export_delivery_share_pct": 6.0,
    "hightech_export_share_pct": 8.0,
    "energy_intensity_tce_per_10k_cny": 0.9,
    "enterprise_digitalization_pct": 55.0,
    "urban_rural_income_ratio": 2.3,
    "distance_to_core_city_km": 160.0,
}


def _result(snap: Snapshot, indicators: dict[str, float], lang: str = "zh", **county: Any) -> Any:
    place = {"name": "Test County", "code": "341221", "province": "Anhui", "year": 2024} | county
    request = ProfileInput(
        County(place["name"], place["code"], place["province"], place["year"]),
        indicators,
        (),
        None,
    )
    return recommend(snap, request, lang)  # type: ignore[arg-type]


def _plan(snap: Snapshot, indicators: dict[str, float], horizon: int = 2030, **kw: Any) -> Any:
    result = _result(snap, indicators, **kw)
    return build_plan(snap, result, indicators | result["derived"], horizon, 10)


def _check_kpis(plan: dict[str, Any], snap: Snapshot) -> int:
    """Every KPI of every action obeys the rule; returns how many had a target."""
    with_target = 0
    for action in plan["actions"]:
        assert action["kpis"], action["path"]
        for k in action["kpis"]:
            assert action["phase"]["start"] <= k["year"] <= plan["horizon"], (action["path"], k)
            if k["baseline"] is None:
                assert k["target"] is None
                assert k["basis"] == "measure_baseline"
                continue
            with_target += 1
            sign = 1 if k["direction"] == "increase" else -1
            moved = (k["target"] - k["baseline"]) * sign
            assert moved >= 0, (action["path"], k)
            years = k["year"] - action["phase"]["start"] + 1
            pace = snap.indicators[k["indicator"]].pace
            assert pace is not None
            assert k["pace"] == pace.max_change_per_year
            assert moved <= pace.max_change_per_year * years + 1e-9, (action["path"], k)
            if k["basis"] == "clears_line":
                assert k["target"] == k["line"]
            else:
                assert k["basis"] == "pace_limited"
                assert k["year"] == plan["horizon"]
    return with_target


def test_every_action_has_a_chinese_lead_partners_funding_and_a_kpi(snapshot: Snapshot) -> None:
    body = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    for indicators, signals in ((body["indicators"], tuple(body["signals"])), (INDUSTRIAL, ())):
        request = ProfileInput(
            County("德清县", "330521", "Zhejiang", 2024), indicators, signals, None
        )
        result = recommend(snapshot, request, "zh")
        plan = build_plan(snapshot, result, indicators | result["derived"], 2030, 10)
        assert len(plan["actions"]) >= 6
        for action in plan["actions"]:
            assert CJK.search(action["lead"]["name"]), action
            assert action["partners"]
            assert all(CJK.search(p["name"]) for p in action["partners"])
            assert action["funding"]
            assert all(CJK.search(f["name"]) for f in action["funding"])
            assert action["kpis"]
            assert all(CJK.search(k["label"]) for k in action["kpis"])
        assert plan["phases"][0]["name"] == "启动实施"


def test_kpis_move_the_right_way_within_pace_inside_phase_and_horizon(snapshot: Snapshot) -> None:
    plan = _plan(snapshot, INDUSTRIAL)
    assert _check_kpis(plan, snapshot) >= 8
    bases = {k["basis"] for a in plan["actions"] for k in a["kpis"]}
    assert {"clears_line", "pace_limited"} <= bases


def test_rd_intensity_does_not_jump_to_the_line(snapshot: Snapshot) -> None:
    """1.1% against a line near 2.7%: three years at 0.2 points a year reach 1.7, not the line."""
    plan = _plan(snapshot, INDUSTRIAL, horizon=2028)
    rd = [k for a in plan["actions"] for k in a["kpis"] if k["indicator"] == "rd_intensity_pct"]
    assert rd
    for k in rd:
        assert k["basis"] == "pace_limited"
        assert k["line"] is not None
        assert k["line"] > 2
        assert k["target"] <= 1.1 + 0.2 * 3 + 1e-9
        assert k["target"] > 1.1


def test_a_close_line_is_the_target_dated_when_the_pace_reaches_it(snapshot: Snapshot) -> None:
    plan = _plan(snapshot, INDUSTRIAL)
    lq = [k for a in plan["actions"] for k in a["kpis"] if k["indicator"] == "trade_lq"]
    cleared = [k for k in lq if k["basis"] == "clears_line"]
    pace = 0.05
    for k in cleared:
        assert k["target"] == k["line"]
        assert k["year"] < plan["horizon"] or abs(k["line"] - k["baseline"]) > 3 * pace


def test_missing_baseline_says_measure_first(snapshot: Snapshot) -> None:
    plan = _plan(snapshot, {"rd_intensity_pct": 0.6, "invention_patents_per_10k": 1.0})
    measured = [k for a in plan["actions"] for k in a["kpis"] if k["baseline"] is None]
    assert measured
    for k in measured:
        assert k["target"] is None
        assert k["basis"] == "measure_baseline"
        assert "baseline" in k["basis_text"] or "基期" in k["basis_text"]


def test_stages_respect_dependencies_and_confidence(snapshot: Snapshot) -> None:
    plan = _plan(snapshot, INDUSTRIAL)
    by_path = {a["path"]: a for a in plan["actions"]}
    ends = {p["stage"]: p["end"] for p in plan["phases"]}
    dependent = [a for a in plan["actions"] if a["depends_on"]]
    assert dependent, "the industrial county's plan holds a path with a prerequisite"
    for action in dependent:
        for dep in action["depends_on"]:
            first_end = ends[by_path[dep]["stage"]]
            assert action["phase"]["start"] > first_end, (action["path"], dep)
            assert action["path"] in by_path[dep]["required_by"]
    for action in plan["actions"]:
        flagged = any(a["status"] == "flag" and a["confidence"] >= 0.4 for a in action["addresses"])
        if flagged and not action["depends_on"]:
            assert action["stage"] == 1, action["path"]
        if not flagged:
            assert action["stage"] >= 2, action["path"]


def test_low_confidence_flags_wait_for_the_second_stage(snapshot: Snapshot) -> None:
    result = _result(snapshot, INDUSTRIAL)
    for c in result["challenges"]:
        c["confidence"] = 0.2
    plan = build_plan(snapshot, result, INDUSTRIAL | result["derived"], 2030, 10)
    assert {a["stage"] for a in plan["actions"]} >= {2}
    assert all(a["stage"] >= 2 for a in plan["actions"])


def test_a_prerequisite_outside_the_top_joins_the_plan(snapshot: Snapshot) -> None:
    body = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    request = ProfileInput(
        County("Deqing", "330521", "Zhejiang", 2024),
        body["indicators"],
        tuple(body["signals"]),
        None,
    )
    result = recommend(snapshot, request, "en")
    top = [r["slug"] for r in result["recommendations"][:3]]
    assert "targeted-investment-promotion" in top
    plan = build_plan(snapshot, result, body["indicators"] | result["derived"], 2030, 3)
    by_path = {a["path"]: a for a in plan["actions"]}
    assert by_path["leading-cluster-plus"]["required_by"] == ["targeted-investment-promotion"]
    assert (
        by_path["targeted-investment-promotion"]["stage"] > by_path["leading-cluster-plus"]["stage"]
    )


def test_plan_years_start_after_the_profile_and_never_before_2026() -> None:
    assert plan_start(2020) == 2026
    assert plan_start(2027) == 2028
    assert plan_start(None) == 2026
    assert [(s.start, s.end) for s in stages(2028, 2030)] == [
        (2028, 2028),
        (2029, 2029),
        (2030, 2030),
    ]


@pytest.mark.parametrize(("year", "horizon"), [(2024, 2027), (2029, 2030), (2024, 2051)])
def test_a_horizon_too_short_or_far_is_422_naming_horizon(
    snapshot: Snapshot, year: int, horizon: int
) -> None:
    result = _result(snapshot, INDUSTRIAL, year=year)
    with pytest.raises(InvalidInput) as caught:
        build_plan(snapshot, result, INDUSTRIAL, horizon, 10)
    assert caught.value.errors[0].pointer == "/horizon"


def test_neutral_indicator_takes_its_direction_from_the_rule(kb: KnowledgeBase) -> None:
    note = Text(en="test pace", zh="测试速度")
    indicators = [
        i.model_copy(
            update={"pace": Pace(max_change_per_year=1, source=Source(heuristic=True, note=note))}
        )
        if i.key == "secondary_share_pct"
        else i
        for i in kb.indicators
    ]
    snap = compile_snapshot(kb.model_copy(update={"indicators": indicators}), 1, "x")
    assert snap.indicators["secondary_share_pct"].direction == "neutral"
    up = kpi(
        snap,
        "secondary_share_pct",
        30.0,
        [{"bad_when": "below", "band": "flag", "target": 40}],
        2026,
        2030,
        "en",
    )
    assert up["direction"] == "increase"
    assert up["target"] == 35
    assert up["basis"] == "pace_limited"
    down = kpi(
        snap,
        "secondary_share_pct",
        80.0,
        [{"bad_when": "above", "band": "watch", "target": 78}],
        2026,
        2030,
        "en",
    )
    assert down["direction"] == "decrease"
    assert down["target"] == 78
    assert down["year"] == 2027


def test_same_result_same_plan_bytes(snapshot: Snapshot) -> None:
    first = orjson.dumps(_plan(snapshot, INDUSTRIAL))
    assert orjson.dumps(_plan(snapshot, INDUSTRIAL)) == first


VALUE = st.floats(min_value=0.01, max_value=1.0)


@settings(max_examples=40, deadline=None)
@given(
    shares=st.dictionaries(
        st.sampled_from(sorted(INDUSTRIAL)), VALUE, min_size=3, max_size=len(INDUSTRIAL)
    ),
    year=st.one_of(st.none(), st.integers(2018, 2027)),
    extra=st.integers(2, 12),
)
def test_kpi_rule_holds_for_any_county(
    snapshot: Snapshot, shares: dict[str, float], year: int | None, extra: int
) -> None:
    """Values drawn across each indicator's plausible range, any year and horizon."""
    indicators = {}
    for key, share in shares.items():
        ind = snapshot.indicators[key]
        lo, hi = ind.plausible or (ind.min, ind.max)
        indicators[key] = round(lo + (hi - lo) * share, 3)
    start = plan_start(year)
    plan = _plan(snapshot, indicators, horizon=start + extra, year=year)
    _check_kpis(plan, snapshot)


def test_the_examples_in_the_planner_docstrings_hold() -> None:
    import doctest

    import app.domain.plan

    outcome = doctest.testmod(app.domain.plan)
    assert outcome.attempted >= 4
    assert outcome.failed == 0
