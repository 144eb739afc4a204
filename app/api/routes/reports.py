"""Printable reports: one self-contained HTML page (inline CSS and SVG), Markdown or DOCX, in the
formats of app.services.renderers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import LangDep, OwnerDep, SnapshotDep
from app.api.documents import chosen, content_of, document_response
from app.api.negotiation import require_json_body
from app.api.security import public_unless_required
from app.domain.snapshot import Snapshot
from app.schemas.common import KEYED_ONE_ERRORS, PUBLIC_BODY_ERRORS, UUID
from app.schemas.plans import PlanRequest
from app.services import renderers
from app.services import report as reports
from app.services.renderers import BRIEF_FORMATS, REPORT_FORMATS, OutputFormat

router = APIRouter(tags=["reports"])
DOCX = renderers.DOCX.media_type
CONTENT: dict[str, object] = {
    "content": content_of(REPORT_FORMATS),
    "description": "The report: a printable A4 page (text/html, default), Markdown, or a Word "
    "document laid out as a Chinese government document expects.",
}


Layout = Literal["full", "brief"]
LAYOUT = Query(
    description="`full` (default): the whole report. `brief`: one page for a meeting that "
    "decides, three problems (the challenges at flag or watch ranked first, each with the "
    "county's own figure), five measures (the plan's first actions with their lead units) and "
    "three numbers (targets from baseline to target year), as HTML or a one-page Word document "
    "(Markdown is 406).",
)


def _render(report: reports.Report, snap: Snapshot, fmt: OutputFormat) -> Response:
    body = renderers.render_report(fmt, report, snap)
    return document_response(body, fmt, report)


def _render_brief(report: reports.Report, snap: Snapshot, fmt: OutputFormat) -> Response:
    body = renderers.render_brief(fmt, report, snap)
    return document_response(body, fmt, report)


@router.post(
    "/v1/reports",
    operation_id="reports-create",
    summary="Report for a profile",
    description="Diagnoses the profile, makes its action plan up to `horizon` (default 2030) and "
    "answers a report in the requested language: `Accept: text/html` (default; one "
    "self-contained page, inline CSS and SVG charts, no external host), `text/markdown`, or "
    f"`{DOCX}` (a Word document in the fonts, heading numbers and page layout of a Chinese "
    "government document; with a plan it is the plan itself, one a county can adopt: guiding approach, "
    "main targets, main tasks, safeguards, the table of duties on a landscape page with its "
    "timeline as annex 1 and the diagnosis with its sources as annex 2). `layout=brief` answers "
    "the one-page brief instead.",
    responses={**PUBLIC_BODY_ERRORS, 200: CONTENT},
    response_class=Response,
    dependencies=[Depends(require_json_body), Depends(public_unless_required)],
)
async def create_report(
    request: Request,
    body: PlanRequest,
    snap: SnapshotDep,
    lang: LangDep,
    layout: Annotated[Layout, LAYOUT] = "full",
) -> Response:
    fmt = chosen(request, BRIEF_FORMATS if layout == "brief" else REPORT_FORMATS)
    report = await run_in_threadpool(reports.for_profile, snap, body, lang)
    if layout == "brief":
        return await run_in_threadpool(_render_brief, report, snap, fmt)
    return await run_in_threadpool(_render, report, snap, fmt)


@router.get(
    "/v1/assessments/{assessment_id}/report",
    operation_id="assessment-reports-get",
    summary="Report for a stored assessment",
    description="The report of a stored assessment, as it was when it was made (its own language, "
    "knowledge-base version and stored plan), with the county's trend over the caller's own "
    "assessments (a line chart per watched indicator, changes, and progress against the stored "
    "plan's KPIs). HTML, Markdown or DOCX by `Accept`. 404 for an id that is not the caller's.",
    responses={**KEYED_ONE_ERRORS, 200: CONTENT},
    response_class=Response,
)
def assessment_report(
    request: Request,
    owner: OwnerDep,
    snap: SnapshotDep,
    assessment_id: Annotated[str, Path(pattern=UUID)],
) -> Response:
    fmt = chosen(request, REPORT_FORMATS)
    report = reports.for_assessment(owner.uow, snap, owner.who, assessment_id)
    return _render(report, snap, fmt)
