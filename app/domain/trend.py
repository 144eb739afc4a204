"""A county over the years: each year's values and statuses, what improved and what worsened
between consecutive years, and how the values compare with the KPI targets of a stored plan.

Pure: it reads plain dicts (stored profiles, results and plans) and the indicators' directions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

STATUS_ORDER = {"ok": 0, "watch": 1, "flag": 2}
SEVERITY_STEP = 0.01  # smaller moves of severity are noise, not change
VALUE_STEP = 1e-9


def point(
    assessment_id: str, year: int, profile: Mapping[str, Any], result: Mapping[str, Any]
) -> dict[str, Any]:
    """One year of the trend: the values the profile gave and derived, and each challenge."""
    values = dict(profile.get("indicators", {})) | dict(result.get("derived", {}))
    return {
        "year": year,
        "assessment_id": assessment_id,
        "kb_version": result.get("kb_version"),
        "indicators": {k: values[k] for k in sorted(values)},
        "challenges": {
            c["slug"]: {"status": c["status"], "severity": c["severity"]}
            for c in result.get("challenges", [])
        },
    }


def _challenge_change(
    slug: str, a: Mapping[str, Any], b: Mapping[str, Any]
) -> dict[str, Any] | None:
    ra, rb = STATUS_ORDER.get(a["status"]), STATUS_ORDER.get(b["status"])
    if ra is None or rb is None:
        if a["status"] == b["status"]:
            return None
        change = "changed"
    elif ra != rb:
        change = "improved" if rb < ra else "worsened"
    elif abs(b["severity"] - a["severity"]) >= SEVERITY_STEP:
        change = "improved" if b["severity"] < a["severity"] else "worsened"
    else:
        return None
    return {
        "challenge": slug,
        "from_status": a["status"],
        "to_status": b["status"],
        "from_severity": a["severity"],
        "to_severity": b["severity"],
        "change": change,
    }


def _indicator_change(key: str, a: float, b: float, direction: str | None) -> dict[str, Any] | None:
    if abs(b - a) <= VALUE_STEP:
        return None
    if direction == "higher_is_better":
        change = "improved" if b > a else "worsened"
    elif direction == "lower_is_better":
        change = "improved" if b < a else "worsened"
    else:
        change = "changed"
    return {"indicator": key, "from": a, "to": b, "change": change}


def changes(
    points: Sequence[Mapping[str, Any]], directions: Mapping[str, str]
) -> list[dict[str, Any]]:
    """What improved, worsened or changed between each pair of consecutive years."""
    out = []
    for before, after in zip(points, points[1:], strict=False):
        ch = [
            _challenge_change(slug, before["challenges"][slug], after["challenges"][slug])
            for slug in sorted(set(before["challenges"]) & set(after["challenges"]))
        ]
        ind = [
            _indicator_change(
                key, before["indicators"][key], after["indicators"][key], directions.get(key)
            )
            for key in sorted(set(before["indicators"]) & set(after["indicators"]))
        ]
        out.append(
            {
                "from_year": before["year"],
                "to_year": after["year"],
                "challenges": [c for c in ch if c is not None],
                "indicators": [i for i in ind if i is not None],
            }
        )
    return out


def _expected(kpi: Mapping[str, Any], start: int, year: int) -> float:
    """Where the value should be in ``year`` on a straight line from the baseline (the year
    before the action starts) to the target (its due year)."""
    span = max(1, kpi["year"] - (start - 1))
    share = min(1.0, max(0.0, (year - (start - 1)) / span))
    return float(kpi["baseline"] + (kpi["target"] - kpi["baseline"]) * share)


def _kpi_status(kpi: Mapping[str, Any], start: int, year: int, value: float) -> tuple[str, float]:
    sign = 1 if kpi["direction"] == "increase" else -1
    expected = _expected(kpi, start, year)
    if (value - kpi["target"]) * sign >= -VALUE_STEP:
        return "met", expected
    if (value - expected) * sign >= -VALUE_STEP:
        return "on_track", expected
    return "behind", expected


def _kpi_progress(
    action: Mapping[str, Any], kpi: Mapping[str, Any], later: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    seen = [p for p in later if kpi["indicator"] in p["indicators"]]
    out: dict[str, Any] = {
        "path": action["path"],
        "indicator": kpi["indicator"],
        "label": kpi["label"],
        "baseline": kpi["baseline"],
        "target": kpi["target"],
        "due": kpi["year"],
        "latest_year": None,
        "latest_value": None,
        "expected": None,
    }
    if not seen:
        return out | {"status": "no_data"}
    latest = seen[-1]
    value = float(latest["indicators"][kpi["indicator"]])
    out |= {"latest_year": latest["year"], "latest_value": value}
    if kpi["target"] is None or kpi["baseline"] is None or kpi["direction"] is None:
        return out | {"status": "no_target"}
    start = action["phase"]["start"]
    if latest["year"] < start:
        # Read before the action began: the value says nothing of its progress yet.
        return out | {"status": "not_started"}
    status, expected = _kpi_status(kpi, start, latest["year"], value)
    return out | {"status": status, "expected": round(expected, 4)}


def progress(
    assessment_id: str, year: int, plan: Mapping[str, Any], points: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """How the years after a stored plan compare with its KPI targets."""
    later = [p for p in points if p["year"] > year]
    return {
        "assessment_id": assessment_id,
        "year": year,
        "horizon": plan["horizon"],
        "kpis": [
            _kpi_progress(action, kpi, later)
            for action in plan["actions"]
            for kpi in action["kpis"]
        ],
    }


def trend(
    county_code: str,
    points: list[dict[str, Any]],
    plans: Sequence[tuple[str, int, Mapping[str, Any]]],
    directions: Mapping[str, str],
) -> dict[str, Any]:
    """The whole trend of one county: points in year order, changes, and plan progress."""
    points = sorted(points, key=lambda p: p["year"])
    return {
        "county_code": county_code,
        "points": points,
        "changes": changes(points, directions),
        "progress": [progress(aid, year, plan, points) for aid, year, plan in plans],
    }
