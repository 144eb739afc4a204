"""Content negotiation: 415 for bodies we cannot read, 406 for answers we cannot give."""

from __future__ import annotations

from fastapi import Request

from app.errors import NotAcceptable, UnsupportedMediaType
from app.services.problem_text import problem


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def require_json_body(request: Request) -> None:
    media = media_type(request)
    if media != "application/json" and not media.endswith("+json"):
        raise problem(UnsupportedMediaType, "json_body_required")


def _accept_ranges(header: str) -> list[tuple[float, str]]:
    out = []
    for part in header.split(","):
        pieces = part.split(";")
        mtype = pieces[0].strip().lower()
        if not mtype:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out.append((q, mtype))
    return out


def negotiate(request: Request, offered: tuple[str, ...]) -> str:
    """The best of ``offered`` for the Accept header (first offered wins ties); 406 if none."""
    header = request.headers.get("accept")
    if not header:
        return offered[0]
    best: tuple[float, int, str] | None = None
    for q, mtype in _accept_ranges(header):
        if q <= 0:
            continue
        for rank, candidate in enumerate(offered):
            main, _, sub = candidate.partition("/")
            if mtype in (candidate, "*/*", f"{main}/*") or (
                candidate == "application/problem+json" and mtype == "application/json"
            ):
                key = (q, -rank, candidate)
                if best is None or key[:2] > best[:2]:
                    best = key
    if best is None:
        raise problem(NotAcceptable, "not_acceptable", types=", ".join(offered))
    return best[2]


async def require_json_accept(request: Request) -> None:
    negotiate(request, ("application/json", "application/problem+json"))
