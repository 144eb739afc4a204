"""The years a plan covers: it starts the year after the profile's, never before 2026. The plan
reads them, and so does the debt constraint, which judges the province's debt control in the
years the county plans for rather than in its statistics year."""

from __future__ import annotations

FIRST_PLAN_YEAR = 2026


def plan_start(profile_year: int | None) -> int:
    """The first year of the plan: the year after the profile's, never before 2026.

    >>> plan_start(2024), plan_start(2027), plan_start(None)
    (2026, 2028, 2026)
    """
    if profile_year is None:
        return FIRST_PLAN_YEAR
    return max(FIRST_PLAN_YEAR, profile_year + 1)
