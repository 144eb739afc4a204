"""Answering with a rendered document (a report or a plan in one of app.services.renderers'
formats): the format negotiated from `Accept`, its OpenAPI content, and the response itself."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from app.api.i18n import content_language
from app.api.negotiation import negotiate
from app.services.renderers import OutputFormat, by_media_type
from app.services.report import Report

PROBLEM = "application/problem+json"


def offered(formats: tuple[OutputFormat, ...]) -> tuple[str, ...]:
    """The media types an operation answers, its default first (a problem last)."""
    return (*(f.media_type for f in formats), PROBLEM)


def chosen(request: Request, formats: tuple[OutputFormat, ...]) -> OutputFormat:
    """The format `Accept` asks for (the first when it names none, or only a problem); 406 when
    none fits."""
    media = negotiate(request, offered(formats))
    return formats[0] if media == PROBLEM else by_media_type(formats, media)


def content_of(formats: tuple[OutputFormat, ...]) -> dict[str, object]:
    """The OpenAPI ``content`` of a successful answer in ``formats`` (a rendered document is a
    string; a binary one, bytes)."""
    return {
        f.media_type: {
            "schema": {"type": "string", "format": "binary"} if f.binary else {"type": "string"}
        }
        for f in formats
    }


def document_response(body: str | bytes, fmt: OutputFormat, report: Report) -> Response:
    """The rendered ``body``, in the report's language, never cached; a binary document is an
    attachment named after the county."""
    headers = {
        "Content-Language": content_language(report.lang),
        "Vary": "Accept, Accept-Language",
        "Cache-Control": "no-store",
    }
    if fmt.binary:
        headers["Content-Disposition"] = f'attachment; filename="{fmt.file_name(report)}"'
        return Response(body, media_type=fmt.media_type, headers=headers)
    return Response(body, media_type=f"{fmt.media_type}; charset=utf-8", headers=headers)
