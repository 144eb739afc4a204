"""The floor for server CPU per request: a bare Starlette app under the same uvicorn that answers a
POST with fixed bytes (countypath's own full answer to the Deqing profile), so that what
countypath costs above it is its own work, not the framework's or the server's.

    FLOOR_BODY=answer.json .venv/bin/python -m uvicorn bench.floor:app --port 8001
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ.get("FLOOR_BODY", "/dev/null")).read_bytes()


async def answer(request: Request) -> Response:
    await request.body()  # read the profile, as any endpoint must
    return Response(BODY, media_type="application/json")


async def ready(request: Request) -> Response:
    return Response(b"ok")


app = Starlette(routes=[Route("/floor", answer, methods=["POST"]), Route("/readyz", ready)])
