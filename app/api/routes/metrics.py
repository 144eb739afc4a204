"""Prometheus scrape endpoint: open by default, limited to a bearer token with
COUNTYPATH_METRICS_TOKEN, or moved off the API's port with COUNTYPATH_METRICS_ADDRESS."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import Response

from app.api.deps import StoreDep
from app.api.negotiation import negotiate
from app.errors import NotFound, Unauthorized
from app.schemas.common import text_responses

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    operation_id="metrics-get",
    summary="Prometheus metrics",
    description="Requests and latency by route and status, diagnoses by challenge and status, the "
    "knowledge-base version served and database pool use, in Prometheus text format. With "
    "COUNTYPATH_METRICS_TOKEN set it needs `Authorization: Bearer <token>`; with "
    "COUNTYPATH_METRICS_ADDRESS set it is served there instead (404 here).",
    response_class=Response,
    responses=text_responses("text/plain", "Metrics.", 401, 404, 406),
)
def metrics(
    request: Request,
    store: StoreDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    settings = request.app.state.settings
    if settings.metrics_address:
        raise NotFound(detail="Metrics are served on a separate address.")
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        presented = (authorization or "").encode("utf-8", "replace")
        if not hmac.compare_digest(presented, expected):
            raise Unauthorized(
                detail="Metrics need the metrics token.", headers={"WWW-Authenticate": "Bearer"}
            )
    negotiate(request, ("text/plain", "application/problem+json"))
    version = store.snapshot.version if store.loaded else None
    body = request.app.state.metrics.render(version, request.app.state.engine.pool)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
