"""Action plans: public like recommendations, computed in memory like them (no thread hop) when
answered as JSON; as Markdown or a Word document (app.services.renderers) when `Accept` asks."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import LangDep, SnapshotDep
from app.api.documents import chosen, content_of, document_response
from app.api.http import json_response
from app.api.negotiation import require_json_body
from app.api.security import public_unless_required
from app.schemas.common import PUBLIC_BODY_ERRORS
from app.schemas.plans import PlanRequest, PlanResult
from app.services import plans as svc
from app.services import renderers
from app.services import report as reports
from app.services.renderers import PLAN_FORMATS

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
    "starts only after the first stage of each path it depends on. Same profile, same plan. "
    "`Accept: text/markdown` answers the plan as a table and a timeline in Markdown, and "
    f"`{renderers.DOCX.media_type}` as a Word document (with the diagnosis it comes from).",
    response_model=PlanResult,
    responses={
        **PUBLIC_BODY_ERRORS,
        200: {"content": content_of(PLAN_FORMATS[1:])},
    },
    dependencies=[Depends(require_json_body)],
)
async def create_plan(
    request: Request, body: PlanRequest, snap: SnapshotDep, lang: LangDep
) -> Response:
    fmt = chosen(request, PLAN_FORMATS)
    if fmt is renderers.JSON:  # the API's own JSON, as every other answer
        return json_response(svc.plan(snap, body.profile(), body, lang), lang=lang)
    report = await run_in_threadpool(reports.for_plan, snap, body, lang)
    document = await run_in_threadpool(renderers.render_plan, fmt, report, snap)
    return document_response(document, fmt, report)
