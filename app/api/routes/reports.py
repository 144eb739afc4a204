"""Printable reports: one self-contained HTML page (inline CSS and SVG) or Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import EngineDep, LangDep, SnapshotDep
from app.api.i18n import content_language
from app.api.negotiation import negotiate, require_json_body
from app.api.security import AssessmentsKey, public_unless_required
from app.domain.knowledge import Lang
from app.domain.result import recommend
from app.schemas.common import problem_responses
from app.schemas.profile import ProfileIn
from app.services import assessments as stored
from app.services.report import render_html, render_markdown

router = APIRouter(tags=["reports"])
OFFERED = ("text/html", "text/markdown", "application/problem+json")
CONTENT: dict[str, Any] = {
    "content": {
        "text/html": {"schema": {"type": "string"}},
        "text/markdown": {"schema": {"type": "string"}},
    },
    "description": "The report: a printable A4 page (text/html, default) or Markdown.",
}


def _render(result: dict[str, object], media: str, lang: str) -> Response:
    language: Lang = "zh" if lang == "zh" else "en"
    body = (
        render_markdown(result, language)
        if media == "text/markdown"
        else render_html(result, language)
    )
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={
            "Content-Language": content_language(language),
            "Vary": "Accept, Accept-Language",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/v1/reports",
    operation_id="reports-create",
    summary="Report for a profile",
    description="Diagnoses the profile and answers a printable report in the requested language: "
    "`Accept: text/html` (default; one self-contained page, inline CSS and SVG, no external host) "
    "or `text/markdown`.",
    responses={**problem_responses(400, 401, 406, 413, 415, 422, 503), 200: CONTENT},
    response_class=Response,
    dependencies=[Depends(require_json_body), Depends(public_unless_required)],
)
async def create_report(
    request: Request, body: ProfileIn, snap: SnapshotDep, lang: LangDep
) -> Response:
    media = negotiate(request, OFFERED)
    result = await run_in_threadpool(recommend, snap, body.to_domain(), lang)
    return await run_in_threadpool(_render, result, media, result["language"])


@router.get(
    "/v1/assessments/{assessment_id}/report",
    operation_id="assessment-reports-get",
    summary="Report for a stored assessment",
    description="The report of a stored assessment, as it was when it was made (its own language "
    "and knowledge-base version). 404 for an id that is not the caller's.",
    responses={**problem_responses(401, 403, 404, 406, 422, 503), 200: CONTENT},
    response_class=Response,
)
def assessment_report(
    request: Request,
    who: AssessmentsKey,
    engine: EngineDep,
    assessment_id: Annotated[
        str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    ],
) -> Response:
    media = negotiate(request, OFFERED)
    found = stored.get(stored.store_for(engine), who, assessment_id)
    result = found["result"]
    return _render(result, media, result.get("language", "en"))
