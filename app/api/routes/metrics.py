"""Prometheus scrape endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import StoreDep
from app.api.negotiation import negotiate
from app.schemas.common import problem_responses

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    operation_id="metrics-get",
    summary="Prometheus metrics",
    description="Requests and latency by route and status, diagnoses by challenge and status, the "
    "knowledge-base version served and database pool use, in Prometheus text format.",
    response_class=Response,
    responses={
        **problem_responses(406),
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics."},
    },
)
def metrics(request: Request, store: StoreDep) -> Response:
    negotiate(request, ("text/plain", "application/problem+json"))
    version = store.snapshot.version if store.loaded else None
    body = request.app.state.metrics.render(version, request.app.state.engine.pool)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
