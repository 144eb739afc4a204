"""Profile validation, recommendations (with what-if scenarios) and batches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api.deps import LangDep, SettingsDep, SnapshotDep
from app.api.http import json_response
from app.api.i18n import content_language
from app.api.negotiation import media_type, negotiate, require_json_accept, require_json_body
from app.api.security import public_unless_required
from app.errors import UnsupportedMediaType
from app.schemas.common import problem_responses
from app.schemas.profile import DEQING_EXAMPLE, ProfileIn, RecommendationRequest
from app.schemas.result import (
    BatchResult,
    RecommendationResult,
    ValidationResult,
    deqing_result_example,
)
from app.services import recommendations as svc

router = APIRouter(prefix="/v1", tags=["diagnosis"], dependencies=[Depends(public_unless_required)])
ERRORS = problem_responses(400, 401, 406, 413, 415, 422, 503)
JSON_ONLY = [Depends(require_json_body), Depends(require_json_accept)]
NDJSON = "application/x-ndjson"


@router.post(
    "/profiles/validate",
    operation_id="profiles-validate",
    summary="Validate a profile",
    description="Checks a profile against the indicator vocabulary, computes the derived "
    "indicators and warns about suspect units (`unit_suspect`) and contradictions "
    "(`inconsistent`). Scores nothing.",
    response_model=ValidationResult,
    responses=ERRORS,
    dependencies=JSON_ONLY,
)
async def validate_profile(body: ProfileIn, snap: SnapshotDep, lang: LangDep) -> Response:
    return json_response(svc.validate(snap, body, lang), lang=lang)


@router.post(
    "/recommendations",
    operation_id="recommendations-create",
    summary="Diagnose a county and rank the paths",
    description="Diagnoses every challenge (status, severity, evidence with targets), ranks the "
    "recommended paths with rationale, actions and Deqing examples, and lists the closest "
    "reference counties. With `scenario`, the same analysis runs on the overridden indicators "
    "and `scenario.changes` lists the challenges whose status moved.",
    response_model=RecommendationResult,
    responses=ERRORS
    | {200: {"content": {"application/json": {"example": deqing_result_example()}}}},
    dependencies=JSON_ONLY,
)
async def create_recommendation(
    request: Request, body: RecommendationRequest, snap: SnapshotDep, lang: LangDep
) -> Response:
    result = svc.recommendation(snap, body, lang)
    request.app.state.metrics.count_diagnoses(result["challenges"])
    return json_response(result, lang=lang)


BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 5000,
                    "items": {
                        "description": "A profile shaped like ProfileIn. A row that is not valid "
                        "yields an error entry in the result instead of failing the batch.",
                    },
                },
                "example": [DEQING_EXAMPLE],
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "county_name,province,year,gdp_cny_100m,foreign_trade_cny_100m\nDeqing,Zhejiang,2024,720,344.7\n",
            },
        },
    }
}


@router.post(
    "/recommendations/batch",
    operation_id="recommendations-batch",
    summary="Recommendations for many profiles",
    description="Up to 5,000 profiles as a JSON array or as CSV (one column per indicator, plus "
    "county_name, county_code, province, year, benchmark and `;`-separated signals). Results "
    "keep input order; a bad row yields an error entry for that row only. With "
    "`Accept: application/x-ndjson` the results stream one JSON object per line.\n\n"
    "A batch still running at the request timeout (`COUNTYPATH_REQUEST_TIMEOUT_SECONDS`) is cut "
    'short. NDJSON then ends with one line `{"error": <problem>}` (code `TIMEOUT`, no '
    "`index`): every line before it is whole, the rows after it were not computed. A JSON "
    "answer cannot say so once it has begun: its body is left unterminated (the connection "
    "closes before the final chunk), so clients see an incomplete read, never a document "
    "without its closing `count`. Send large batches as NDJSON, or in parts.",
    response_model=BatchResult,
    responses=ERRORS | {200: {"content": {NDJSON: {"schema": {"type": "string"}}}}},
    openapi_extra=BATCH_BODY,
)
async def create_batch(
    request: Request, snap: SnapshotDep, settings: SettingsDep, lang: LangDep
) -> Response:
    accept = negotiate(request, ("application/json", NDJSON, "application/problem+json"))
    media = media_type(request)
    body = await request.body()
    if media == "application/json" or media.endswith("+json"):
        rows = await run_in_threadpool(svc.parse_json_rows, body, settings.max_batch_profiles)
    elif media == "text/csv":
        rows = await run_in_threadpool(svc.parse_csv_rows, body, settings.max_batch_profiles)
    else:
        raise UnsupportedMediaType(detail="Send the batch as application/json or text/csv.")

    headers = {"Content-Language": content_language(lang), "Vary": "Accept-Language"}
    if accept == NDJSON:
        return StreamingResponse(
            svc.ndjson_chunks(snap, rows, lang), media_type=NDJSON, headers=headers
        )
    # Streamed in chunks: memory stays flat however large the batch, and the summary comes last.
    return StreamingResponse(
        svc.json_chunks(snap, rows, lang), media_type="application/json", headers=headers
    )
