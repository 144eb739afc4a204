"""The small offline page at ``/``: a profile form built from the API's own vocabulary."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.negotiation import negotiate
from app.schemas.common import problem_responses
from app.schemas.profile import DEQING_EXAMPLE

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
router = APIRouter(tags=["page"])


@lru_cache(maxsize=1)
def _index() -> bytes:
    """The page with the Deqing example embedded as data, so the form and the API's own
    documentation prefill from one profile."""
    example = orjson.dumps(DEQING_EXAMPLE).replace(b"</", b"<\\/")
    data = b'<script id="deqing-example" type="application/json">' + example + b"</script>\n"
    page = (STATIC / "index.html").read_bytes()
    anchor = b'<script src="/ui/app.js">'
    assert anchor in page
    return page.replace(anchor, data + anchor, 1)


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
