"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from app.api.deps import EngineDep, StoreDep
from app.api.negotiation import require_json_accept
from app.api.problems import problem_response
from app.errors import ErrorCode
from app.migrate import current_revision, head_revision
from app.schemas.common import Health, Readiness, problem_responses

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
    description="200 when the database answers and its schema is at the latest migration; "
    "503 problem+json otherwise.",
    response_model=Readiness,
    responses=problem_responses(406, 503),
)
def readyz(engine: EngineDep, store: StoreDep) -> Response | Readiness:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except SQLAlchemyError:
        return problem_response(
            "/readyz",
            503,
            ErrorCode.DATABASE_UNAVAILABLE,
            "Service unavailable",
            "The database does not answer.",
            headers={"Retry-After": "2"},
        )
    head = head_revision()
    if revision != head:
        return problem_response(
            "/readyz",
            503,
            ErrorCode.MIGRATIONS_PENDING,
            "Service unavailable",
            f"The schema is at {revision or 'nothing'}, not at {head}; run `countypath migrate`.",
        )
    kb = store.snapshot.kb_version if store.loaded else None
    return Readiness(status="ok", database="ok", migration=revision, kb_version=kb)
