"""Engine behaviour on a hand-made knowledge base: validation, bands, status, ranking, peers."""

from __future__ import annotations

import pytest

from app.domain.diagnosis import diagnose
from app.domain.profile import County, ProfileInput, validate_profile
from app.domain.ranking import rank_paths
from app.domain.result import recommend
from app.domain.result_types import ChangeOut
from app.errors import InvalidInput
from tests.unit.factories import make_snapshot

SNAP = make_snapshot()
ZJ = County("Test", "330000", "Zhejiang", 2024)


def profile(
    indicators: dict[str, float], signals: tuple[str, ...] = (), bench: str | None = "bench"
) -> ProfileInput:
    return ProfileInput(ZJ, indicators, signals, bench)


def by_slug(indicators: dict[str, float], signals: tuple[str, ...] = ()) -> dict[str, object]:
    p = validate_profile(SNAP, profile(indicators, signals))
    return {d.slug: d for d in diagnose(SNAP, p)}


def test_unknown_indicator_names_pointer_and_closest_key() -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_profile(SNAP, profile({"shar_a": 10, "gdp": 1}))
    (err,) = exc.value.errors
    assert err.pointer == "/indicators/shar_a"
    assert err.code == "unknown_indicator"
    assert "share_a" in err.message


def test_out_of_range_and_derived_and_unknown_signal_all_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_profile(SNAP, profile({"share_a": 140, "trade_dep": 3}, ("sig-nope",), "nope"))
    codes = {(e.pointer, e.code) for e in exc.value.errors}
    assert codes == {
        ("/indicators/share_a", "out_of_range"),
        ("/indicators/trade_dep", "derived_indicator"),
        ("/signals/0", "unknown_signal"),
        ("/benchmark", "unknown_benchmark"),
    }


def test_empty_profile_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_profile(SNAP, profile({}))
    assert exc.value.errors[0].code == "empty_profile"


def test_default_benchmark_is_province_and_year_else_latest_national() -> None:
    p = validate_profile(SNAP, ProfileInput(ZJ, {"gdp": 100}, (), None))
    assert p.benchmark.benchmark.slug == "bench"
    other = validate_profile(
        SNAP, ProfileInput(County("X", None, "Hunan", 2024), {"gdp": 100}, (), None)
    )
    assert other.benchmark.benchmark.slug == "nation"


def test_derived_indicators_and_location_quotient() -> None:
    p = validate_profile(SNAP, profile({"gdp": 700, "trade": 350}))
    assert p.derived["trade_dep"] == pytest.approx(50.0)
    assert p.derived["trade_lq"] == pytest.approx(1.0)


def test_unit_slip_on_a_derived_indicator_names_the_input() -> None:
    p = validate_profile(SNAP, profile({"gdp": 700, "trade": 3_500_000}))
    (w,) = [w for w in p.warnings if w.code == "unit_suspect"]
    assert w.indicator == "trade"
    assert "wan" in w.message.get("en")


def test_bands_and_targets() -> None:
    d = by_slug({"share_a": 45, "share_b": 25, "ratio_c": 1.5})["alpha"]
    bands = {e.indicator: e.band for e in d.evidence}  # type: ignore[attr-defined]
    assert bands == {"share_a": "watch", "share_b": "ok", "ratio_c": "ok"}
    share = next(e for e in d.evidence if e.indicator == "share_a")  # type: ignore[attr-defined]
    assert share.rule.watch == 50  # ratio 1.0 x benchmark 50
    assert share.rule.flag == 40


def test_insufficient_data_names_what_is_missing() -> None:
    d = by_slug({"share_a": 55})["alpha"]  # one indicator, on the good side: cannot tell
    assert d.status == "insufficient_data"  # type: ignore[attr-defined]
    assert d.severity == 0  # type: ignore[attr-defined]
    assert set(d.missing) == {"share_b", "ratio_c"}  # type: ignore[attr-defined]


def test_one_indicator_past_its_line_is_a_status_with_low_confidence() -> None:
    d = by_slug({"share_a": 20})["alpha"]  # far past the flag line, others missing
    assert d.status == "flag"  # type: ignore[attr-defined]
    assert d.confidence.value < 0.4  # type: ignore[attr-defined]
    assert set(d.missing) == {"share_b", "ratio_c"}  # type: ignore[attr-defined]
    full = by_slug({"share_a": 20, "share_b": 5, "ratio_c": 3.0})["alpha"]
    assert full.confidence.value > d.confidence.value  # type: ignore[attr-defined]


def test_signals_alone_lift_a_challenge_above_insufficient() -> None:
    d = by_slug({"gdp": 10}, ("sig-one", "sig-two"))["alpha"]
    assert d.status == "watch"  # type: ignore[attr-defined]
    assert d.signals == ("sig-one", "sig-two")  # type: ignore[attr-defined]


def test_two_flags_make_a_flag() -> None:
    d = by_slug({"share_a": 10, "share_b": 5, "ratio_c": 1.0})["alpha"]
    assert d.status == "flag"  # type: ignore[attr-defined]


def test_ranking_covers_active_challenges_only_and_breaks_ties_by_slug() -> None:
    p = validate_profile(
        SNAP, profile({"share_a": 10, "share_b": 5, "ratio_c": 1.0, "gdp": 700, "trade": 100})
    )
    diagnoses = diagnose(SNAP, p)
    active = {d.slug for d in diagnoses if d.active}
    ranked = rank_paths(SNAP, p, diagnoses, ())
    assert ranked
    for r in ranked:
        assert {c.challenge for c in r.addresses} <= active
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert "p-talent" not in {r.path.slug for r in ranked}  # gamma is ok


def test_diminishing_returns_let_another_family_in() -> None:
    p = validate_profile(
        SNAP, profile({"share_a": 10, "share_b": 5, "ratio_c": 1.0, "gdp": 700, "trade": 200})
    )
    ranked = rank_paths(SNAP, p, diagnose(SNAP, p), ())
    first = ranked[0]
    assert first.score == first.standalone_score
    second_industry = next(r for r in ranked if r.path.slug == "p-industry-2")
    assert second_industry.score < second_industry.standalone_score


SIMILAR = {
    "gdp": 700,
    "trade": 350,
    "share_a": 40,
    "gdp_per_capita_cny": 100000,
    "share_b": 20,
    "ratio_c": 1.5,
}


def test_result_shape_and_peers() -> None:
    res = recommend(SNAP, profile(SIMILAR), "zh")
    assert res.kb_version == SNAP.kb_version
    assert [c.slug for c in res.challenges][0] in {"alpha", "beta", "gamma"}
    assert [p.slug for p in res.peers] == ["peer-a"]  # peer-b is four times richer
    assert res.peers[0].similarity == 1.0
    assert res.peers_note is None
    assert res.language == "zh"


def test_no_comparable_peer_is_said_not_papered_over() -> None:
    poor = SIMILAR | {"gdp_per_capita_cny": 30000}
    res = recommend(SNAP, profile(poor), "en")
    assert res.peers == []
    assert res.peers_note.code == "no_comparable_peers"
    few = recommend(SNAP, profile({"gdp": 700, "trade": 350, "gdp_per_capita_cny": 100000}), "en")
    assert few.peers == []  # three shared indicators are too few to compare on


def test_scenario_reports_status_changes() -> None:
    res = recommend(SNAP, profile({"gdp": 700, "trade": 200}), "en", {"trade": 400})
    change = res.scenario.changes
    assert change == [ChangeOut("beta", "flag", "ok", change[0].from_severity, 0.0)]


def test_scenario_errors_point_into_the_scenario() -> None:
    with pytest.raises(InvalidInput) as exc:
        recommend(SNAP, profile({"gdp": 700}), "en", {"nope": 1})
    assert exc.value.errors[0].pointer == "/scenario/indicators/nope"
