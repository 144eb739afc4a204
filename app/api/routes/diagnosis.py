"""Profile validation, recommendations (with what-if scenarios) and batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypedDict, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from starlette.responses import Response

from app.api import batch_formats
from app.api.deps import DeadlineDep, LangDep, SnapshotDep
from app.api.hot import (
    RECOMMENDATION_OPENAPI,
    VALIDATE_OPENAPI,
    Diagnosing,
    ProfileToValidate,
    RecommendationToMake,
    View,
    ViewQuery,
    door,
    profile_to_validate,
    recommendation_to_make,
)
from app.api.http import json_response
from app.api.security import public_unless_required
from app.domain.result_types import RecommendationResult, RecommendationSummary, ValidationResult
from app.schemas.common import PUBLIC_BODY_ERRORS
from app.schemas.profile import ProfileIn, RecommendationRequest
from app.schemas.result import BatchResult
from app.services import recommendations as svc

router = APIRouter(prefix="/v1", tags=["diagnosis"])
AnyResult = Annotated[RecommendationResult | RecommendationSummary, Field(discriminator="view")]
E = TypeVar("E", bound=Callable[..., Any])


class Docs(TypedDict):
    """A route's summary and description, spread as the declaration's keyword arguments."""

    summary: str
    description: str


# What each route with a door says of itself, by operation id.
DOOR_DOCS: dict[str, Docs] = {
    "profiles-validate": {
        "summary": "Validate a profile",
        "description": "Checks a profile against the indicator vocabulary, computes the derived "
        "indicators and warns about suspect units (`unit_suspect`) and contradictions "
        "(`inconsistent`). Scores nothing.",
    },
    "recommendations-create": {
        "summary": "Diagnose a county and rank the paths",
        "description": "Diagnoses every challenge (status, severity, evidence with targets), "
        "ranks the recommended paths with rationale, actions and Deqing examples, and lists the "
        "closest reference counties. With `scenario`, the same analysis runs on the overridden "
        "indicators and `scenario.changes` lists the challenges whose status moved.",
    },
}


def _door_route(
    path: str, operation_id: str, model: Any, published: dict[str, object]
) -> Callable[[E], E]:
    """The declaration of a route with a door (app.api.hot): public, a JSON body whose errors
    it answers, and the parameters and body its door reads, published as FastAPI would."""
    return router.post(
        path,
        operation_id=operation_id,
        response_model=model,
        responses=PUBLIC_BODY_ERRORS,
        openapi_extra=published,
        **DOOR_DOCS[operation_id],
    )


@_door_route("/profiles/validate", "profiles-validate", ValidationResult, VALIDATE_OPENAPI)
async def validate_profile(request: Request, read: ProfileToValidate) -> Response:
    return validated(request, read)


def validated(request: Request, read: Diagnosing[ProfileIn]) -> Response:
    """The validation's answer (the route's, and its door's: see app.api.hot)."""
    del request
    return json_response(svc.validate(read.snap, read.body, read.lang), lang=read.lang)


@_door_route("/recommendations", "recommendations-create", AnyResult, RECOMMENDATION_OPENAPI)
async def create_recommendation(request: Request, read: RecommendationToMake) -> Response:
    return recommended(request, read)


def recommended(request: Request, read: Diagnosing[RecommendationRequest]) -> Response:
    """The recommendation's answer (the route's, and its door's: see app.api.hot)."""
    # The parameters are validated (VIEW, TRACE, PATHS); this narrows them to their types.
    params = read.params
    view: View = "summary" if params["view"] == "summary" else "full"
    trace = params["trace"] is True
    paths = params["paths"] if isinstance(params["paths"], int) else None
    result = svc.recommendation(
        read.snap, read.body, read.lang, view, trace and view == "full", paths
    )
    request.app.state.metrics.count_diagnoses(result.challenges)
    return json_response(result, lang=read.lang)


# The two operations clients call most, answered past FastAPI's matching and solving.
DOORS = (
    door("POST", "/v1/profiles/validate", profile_to_validate, validated),
    door("POST", "/v1/recommendations", recommendation_to_make, recommended),
)


@router.post(
    "/recommendations/batch",
    operation_id="recommendations-batch",
    summary="Recommendations for many profiles",
    description="Up to 5,000 profiles as a JSON array, as CSV (one column per indicator, plus "
    "county_name, county_code, province, year, benchmark and `;`-separated signals) or as an .xlsx "
    "workbook (one county per row; indicator keys or their Chinese labels as headers). Results "
    "keep input order; a bad row yields an error entry for that row only. With "
    "`Accept: application/x-ndjson` the results stream one JSON object per line; with the .xlsx "
    "type the answer is a workbook with a results sheet and an errors sheet naming row and column."
    "\n\n"
    "A batch still running at the request timeout (`COUNTYPATH_REQUEST_TIMEOUT_SECONDS`) is cut "
    'short. NDJSON then ends with one line `{"error": <problem>}` (code `TIMEOUT`, no '
    "`index`): every line before it is whole, the rows after it were not computed. A JSON "
    "answer cannot say so once it has begun: its body is left unterminated (the connection "
    "closes before the final chunk), so clients see an incomplete read, never a document "
    "without its closing `count`. Send large batches as NDJSON, or in parts.",
    response_model=BatchResult,
    responses=PUBLIC_BODY_ERRORS | {200: {"content": batch_formats.RESPONSE_CONTENT}},
    openapi_extra={"requestBody": batch_formats.REQUEST_BODY},
    dependencies=[Depends(public_unless_required)],
)
async def create_batch(
    accept: batch_formats.AnswerFormatDep,
    body: batch_formats.BatchBodyDep,
    snap: SnapshotDep,
    lang: LangDep,
    deadline: DeadlineDep,
    view: ViewQuery = "full",
) -> Response:
    return await batch_formats.answer(accept, snap, body.rows, body.origin, lang, view, deadline)
