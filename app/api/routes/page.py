"""The small offline page at ``/``: a profile form built from the API's own vocabulary."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.negotiation import negotiate
from app.schemas.common import problem_responses

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
router = APIRouter(tags=["page"])


@lru_cache(maxsize=1)
def _index() -> bytes:
    return (STATIC / "index.html").read_bytes()


@router.get(
    "/",
    operation_id="page-get",
    summary="The countypath page",
    description="A form prefilled with the Deqing example; submitting shows the diagnosis and the "
    "ranked paths, and links to the printable report. Works offline; no external host.",
    response_class=Response,
    responses={
        **problem_responses(406),
        200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "The page."},
    },
)
def page(request: Request) -> Response:
    negotiate(request, ("text/html", "application/problem+json"))
    return Response(
        _index(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
