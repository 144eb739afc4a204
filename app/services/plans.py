"""The plan use case: the recommendation a profile earns, turned into an action plan. Routes,
reports, stored assessments and the CLI all come through here."""

from __future__ import annotations

from app.domain.knowledge import Lang
from app.domain.plan import build_plan
from app.domain.plan_types import Plan
from app.domain.result_types import Result
from app.domain.snapshot import Snapshot
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn, RecommendationRequest
from app.services import recommendations


def recommend_and_plan(
    snap: Snapshot,
    profile: ProfileIn,
    options: PlanOptions | None,
    lang: Lang,
    paths: int | None = None,
) -> tuple[Result, Plan | None]:
    """The recommendation result (its first ``paths`` ranked paths rendered, all by default),
    and its plan when ``options`` asks for one (built from the same analysis and every ranked
    path, so the plan answers exactly the diagnosis beside it)."""
    request = RecommendationRequest.model_construct(
        **{name: getattr(profile, name) for name in ProfileIn.model_fields}
    )
    analysis = recommendations.analysis(snap, request, lang, paths=paths)
    if options is None:
        return analysis.result, None
    return analysis.result, build_plan(snap, analysis, options.horizon, options.max_actions)


def plan(snap: Snapshot, profile: ProfileIn, options: PlanOptions, lang: Lang) -> Plan:
    out = recommend_and_plan(snap, profile, options, lang, paths=0)[1]  # no path rendered
    assert out is not None
    return out
