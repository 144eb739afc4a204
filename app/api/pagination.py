"""Limit/cursor pagination. Cursors are opaque: an offset bound to the list's filters and the
knowledge-base version, signed with the deployment's secret key (``app.state.cursor_key``: see
app.services.signing), so a tampered, forged or mismatched cursor is a clean 400, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Query, Request
from starlette.responses import Response

from app.api.http import json_response
from app.errors import InvalidCursor, Unavailable
from app.services.problem_text import problem

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 2**31 - 1  # no list is longer; a larger offset can only be forged

LimitParam = Annotated[
    int,
    Query(
        ge=1, le=2**31, description="Page size: default 20; values above 100 are clamped to 100."
    ),
]
CursorParam = Annotated[
    str | None,
    Query(max_length=512, description="Opaque cursor from the previous page's `next_cursor`."),
]


def _sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()[:32]


def encode_cursor(key: bytes, offset: int, scope: str) -> str:
    payload = orjson.dumps({"o": offset, "s": scope})
    token = payload + b"." + _sign(key, payload).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(key: bytes, cursor: str, scope: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, _, sig = raw.rpartition(b".")
        if not payload or not hmac.compare_digest(sig.decode(), _sign(key, payload)):
            raise ValueError("signature")
        data = orjson.loads(payload)
        offset = data["o"]
        if data["s"] != scope:
            raise problem(InvalidCursor, "cursor_elsewhere")
        if type(offset) is not int or not 0 <= offset <= MAX_OFFSET:
            raise ValueError("offset")
        return offset
    except InvalidCursor:
        raise
    except (
        ValueError,
        KeyError,
        TypeError,
        binascii.Error,
        UnicodeDecodeError,
        orjson.JSONDecodeError,
    ):
        raise problem(InvalidCursor, "cursor_foreign") from None


def _key(request: Request) -> bytes:
    key: bytes | None = request.app.state.cursor_key
    if key is None:  # the database could not be asked for it yet
        raise problem(Unavailable, "cursor_unsigned", headers={"Retry-After": "2"})
    return key


def paginate(
    request: Request, items: Sequence[T], limit: int, cursor: str | None, scope: str
) -> tuple[dict[str, object], dict[str, str]]:
    """One page of ``items`` (already in memory) plus the Link header; ``scope`` binds the
    cursor to filters."""
    return paginate_query(
        request, lambda start, count: items[start : start + count], limit, cursor, scope
    )


def paginate_query(
    request: Request,
    fetch: Callable[[int, int], Sequence[T]],
    limit: int,
    cursor: str | None,
    scope: str,
) -> tuple[dict[str, object], dict[str, str]]:
    """Like :func:`paginate` for lists that live in the database: ``fetch(offset, count)`` reads
    one page (plus one row, to know whether another page follows), never the whole list."""
    size = min(limit, MAX_LIMIT)
    key = _key(request)
    start = decode_cursor(key, cursor, scope) if cursor else 0
    rows = fetch(start, size + 1)
    page = list(rows[:size])
    end = start + size
    headers: dict[str, str] = {}
    next_cursor = None
    if len(rows) > size:
        next_cursor = encode_cursor(key, end, scope)
        url = request.url.include_query_params(cursor=next_cursor, limit=size)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return {"items": page, "next_cursor": next_cursor}, headers


def paged_response(
    request: Request,
    fetch: Callable[[int, int], Sequence[Any]],
    limit: int,
    cursor: str | None,
    scope: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """One page of a database list as the JSON answer, with its Link header (and ``headers``)."""
    body, links = paginate_query(request, fetch, limit, cursor, scope)
    return json_response(body, headers=links | (headers or {}))
