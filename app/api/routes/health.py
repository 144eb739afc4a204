"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.api.deps import StoreDep, UowDep
from app.api.negotiation import require_json_accept
from app.api.problems import problem_response
from app.migrate import head_revision
from app.schemas.common import Health, Readiness, problem_responses
from app.services.readiness import NotReady, readiness

router = APIRouter(tags=["health"], dependencies=[Depends(require_json_accept)])


@router.get(
    "/healthz",
    operation_id="health-live",
    summary="Liveness",
    description="Answers while the process lives; never touches the database.",
    response_model=Health,
    responses=problem_responses(406),
)
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="health-ready",
    summary="Readiness",
    description="200 when the database answers, its schema is at the latest migration and the "
    "knowledge base served can diagnose (it has indicators, benchmarks, challenges and paths); "
    "503 problem+json otherwise. Load balancers take a replica out of rotation on 503.",
    response_model=Readiness,
    responses=problem_responses(406, 503),
)
def readyz(request: Request, uow: UowDep, store: StoreDep) -> Response | Readiness:
    state = readiness(uow, head_revision(), store.snapshot if store.loaded else None)
    if isinstance(state, NotReady):
        return problem_response(
            request,
            503,
            state.code,
            state.detail,
            headers={"Retry-After": state.retry_after} if state.retry_after else None,
        )
    return Readiness(
        status="ok", database="ok", migration=state.migration, kb_version=state.kb_version
    )
