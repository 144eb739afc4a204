"""Stored assessments: the caller's own only (another key's id is a 404)."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import LangDep, OwnerDep, SnapshotDep, created_headers, idempotency_key
from app.api.http import json_response
from app.api.negotiation import require_json_accept, require_json_body
from app.api.pagination import CursorParam, LimitParam, paged_response
from app.domain.trend import trend_json
from app.schemas.assessments import AssessmentDetail, AssessmentPage, TrendResult
from app.schemas.common import (
    COUNTY_CODE,
    KEYED_BODY_ERRORS,
    KEYED_LIST_ERRORS,
    KEYED_ONE_ERRORS,
    UUID,
)
from app.schemas.plans import DEFAULT_HORIZON, PlanOptions
from app.schemas.profile import ProfileIn
from app.services import assessments as svc

router = APIRouter(
    prefix="/v1/assessments", tags=["assessments"], dependencies=[Depends(require_json_accept)]
)


def _county_code_query() -> Any:
    return Query(pattern=COUNTY_CODE, description="GB/T 2260 code.")


@router.post(
    "",
    operation_id="assessments-create",
    summary="Store an assessment",
    description="Diagnoses the profile and stores the profile, the whole result and the "
    "knowledge-base version, so the assessment stays explainable after the knowledge base "
    "changes. `Idempotency-Key`: the same key and body return the same assessment (201 again, "
    "`Idempotent-Replayed: true`); the same key with another body is a 422; a concurrent "
    "duplicate is a 409. Keys are kept for 24 hours. With `plan=true` the action plan up to "
    "`horizon` is made and stored too (as `POST /v1/plans` makes it), so later years can be "
    "compared with its KPI targets in the trend.",
    status_code=201,
    response_model=AssessmentDetail,
    responses=KEYED_BODY_ERRORS,
    dependencies=[Depends(require_json_body)],
    openapi_extra={
        "responses": {
            "201": {
                "links": {
                    "GetAssessment": {
                        "operationId": "assessments-get",
                        "parameters": {"assessment_id": "$response.body#/id"},
                    }
                }
            }
        }
    },
)
async def create_assessment(
    body: ProfileIn,
    owner: OwnerDep,
    snap: SnapshotDep,
    lang: LangDep,
    idempotency_key: Annotated[
        str | None, idempotency_key("Retries with the same key return the same assessment.")
    ] = None,
    plan: Annotated[
        bool, Query(description="Also make and store the action plan for this assessment.")
    ] = False,
    horizon: Annotated[
        int, Query(ge=2028, le=2050, description="Last year of the stored plan.")
    ] = DEFAULT_HORIZON,
    max_actions: Annotated[
        int, Query(ge=1, le=30, description="Top-ranked paths the stored plan takes.")
    ] = 10,
) -> Response:
    options = PlanOptions(horizon=horizon, max_actions=max_actions) if plan else None
    out, created = await run_in_threadpool(
        svc.create, owner.uow, snap, owner.who, body, lang, idempotency_key, options
    )
    headers = created_headers(f"/v1/assessments/{out['id']}", created)
    return json_response(out, status=201, headers=headers, lang=lang)


@router.get(
    "",
    operation_id="assessments-list",
    summary="List my assessments",
    description="The caller's assessments, ordered by year then creation time, so a county's "
    "progress on each challenge reads off in order. Filter by `county_code`.",
    response_model=AssessmentPage,
    responses=KEYED_LIST_ERRORS,
)
def list_assessments(
    request: Request,
    owner: OwnerDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
    county_code: Annotated[str | None, _county_code_query()] = None,
) -> Response:
    basis = f"assessments|{owner.who.key_id}|{county_code}"
    scope = hashlib.sha256(basis.encode()).hexdigest()[:16]
    fetch = partial(svc.list_for, owner.uow, owner.who, county_code)
    return paged_response(request, fetch, limit, cursor, scope, {"Cache-Control": "no-store"})


@router.get(
    "/trend",
    operation_id="assessment-trends-get",
    summary="A county over the years",
    description="The caller's own assessments of one county (`county_code`), the latest of each "
    "year, in year order: each year's indicator values (given and derived) and each "
    "challenge's status and severity; what improved and what worsened between consecutive "
    "years; and, for a plan stored with an earlier assessment (`POST /v1/assessments?plan=true`), "
    "each KPI's latest value against its target and against a straight line from its baseline. "
    "Assessments without a year are left out. Another key's assessments never appear. Labels "
    "(the KPIs', the administrative form's) are in the language asked for, whatever language "
    "each assessment or plan was stored in; statuses stay codes.",
    response_model=TrendResult,
    responses=KEYED_LIST_ERRORS,
)
def assessment_trend(
    owner: OwnerDep,
    snap: SnapshotDep,
    lang: LangDep,
    county_code: Annotated[str, _county_code_query()],
) -> Response:
    body = trend_json(svc.trend(owner.uow, snap, owner.who, county_code, lang))
    return json_response(body, lang=lang, headers={"Cache-Control": "no-store"})


@router.get(
    "/{assessment_id}",
    operation_id="assessments-get",
    summary="One of my assessments",
    description="The stored profile and result; 404 for an id that is not the caller's.",
    response_model=AssessmentDetail,
    responses=KEYED_ONE_ERRORS,
)
def get_assessment(
    owner: OwnerDep,
    assessment_id: Annotated[str, Path(pattern=UUID, description="Assessment id (UUID).")],
) -> Response:
    return json_response(svc.get(owner.uow, owner.who, assessment_id))
