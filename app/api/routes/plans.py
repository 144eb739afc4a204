"""Action plans: public like recommendations, computed in memory like them (no thread hop)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from app.api.deps import LangDep, SnapshotDep
from app.api.http import json_response
from app.api.negotiation import require_json_accept, require_json_body
from app.api.security import public_unless_required
from app.schemas.common import problem_responses
from app.schemas.plans import PlanRequest, PlanResult
from app.services import plans as svc

router = APIRouter(prefix="/v1", tags=["plans"], dependencies=[Depends(public_unless_required)])


@router.post(
    "/plans",
    operation_id="plans-create",
    summary="Action plan for a county",
    description="Diagnoses the profile as `POST /v1/recommendations` does and turns the ranked "
    "paths into an action plan up to `horizon` (default 2030): for each action the lead "
    "department, partner departments, funding channels, a phase and dated KPIs. A KPI moves "
    "its indicator the good way from the profile's value; its target is the line that clears "
    "the challenge when the indicator's credible annual pace reaches it in time "
    "(`basis: clears_line`), else what that pace reaches by the horizon (`pace_limited`); an "
    "indicator without a value asks for a baseline first (`measure_baseline`). Actions "
    "addressing flagged challenges shown with confidence start in the first stage; an action "
    "starts only after the first stage of each path it depends on. Same profile, same plan.",
    response_model=PlanResult,
    responses=problem_responses(400, 401, 406, 413, 415, 422, 503),
    dependencies=[Depends(require_json_body), Depends(require_json_accept)],
)
async def create_plan(body: PlanRequest, snap: SnapshotDep, lang: LangDep) -> Response:
    return json_response(svc.plan(snap, body.profile(), body, lang), lang=lang)
