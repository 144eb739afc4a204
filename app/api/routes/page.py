"""The small offline page at ``/``: a profile form built from the API's own vocabulary."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.negotiation import negotiate
from app.domain.knowledge import LANGS, Lang
from app.domain.messages import say
from app.schemas.common import problem_responses
from app.schemas.profile import DEQING_EXAMPLE
from app.services.wording import words

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
router = APIRouter(tags=["page"])


def _page_words(lang: Lang) -> dict[str, object]:
    """What the page prints in ``lang``, from the message catalogue."""
    return {
        "tag": say("language", "tag", lang),
        "language": say("language", "name", lang),
        **words("page", lang),
        "dims": dict(words("dimension", lang)),
        "status_words": dict(words("status", lang)),
        "families": dict(words("family", lang)),
    }


def _data(name: str, value: object) -> bytes:
    """``value`` as a JSON data block the page's script reads (never a closing tag)."""
    text = orjson.dumps(value).replace(b"</", b"<\\/")
    return f'<script id="{name}" type="application/json">'.encode() + text + b"</script>\n"


@lru_cache(maxsize=1)
def _index() -> bytes:
    """The page with the Deqing example and the page's words embedded as data, so the form and
    the API's own documentation prefill from one profile, and the words come from the catalogue."""
    data = _data("deqing-example", DEQING_EXAMPLE)
    data += _data("page-words", {lang: _page_words(lang) for lang in LANGS})
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
