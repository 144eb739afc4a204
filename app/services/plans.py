"""The plan use case: the recommendation a profile earns, turned into an action plan. Routes,
reports, stored assessments and the CLI all come through here."""

from __future__ import annotations

from typing import Any

from app.domain.knowledge import Lang
from app.domain.plan import build_plan
from app.domain.snapshot import Snapshot
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn, RecommendationRequest
from app.services import recommendations


def plan_for_result(
    snap: Snapshot, profile: ProfileIn, result: dict[str, Any], options: PlanOptions
) -> dict[str, Any]:
    """The plan of a result already computed for ``profile``."""
    values = dict(profile.indicators) | dict(result["derived"])
    return build_plan(snap, result, values, options.horizon, options.max_actions)


def recommend_and_plan(
    snap: Snapshot, profile: ProfileIn, options: PlanOptions | None, lang: Lang
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The recommendation result, and its plan when ``options`` asks for one."""
    request = RecommendationRequest.model_construct(
        **{name: getattr(profile, name) for name in ProfileIn.model_fields}
    )
    result = recommendations.recommendation(snap, request, lang)
    if options is None:
        return result, None
    return result, plan_for_result(snap, profile, result, options)


def plan(snap: Snapshot, profile: ProfileIn, options: PlanOptions, lang: Lang) -> dict[str, Any]:
    out = recommend_and_plan(snap, profile, options, lang)[1]
    assert out is not None
    return out
