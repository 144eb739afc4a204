"""Limit/cursor pagination. Cursors are opaque: a signed offset bound to the list's filters and
the knowledge-base version, so a tampered or mismatched cursor is a clean 400, never a 500.
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

from app.errors import InvalidCursor

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_KEY = b"countypath-cursor-v1"

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


def _sign(payload: bytes) -> str:
    return hmac.new(_KEY, payload, hashlib.sha256).hexdigest()[:16]


def encode_cursor(offset: int, scope: str) -> str:
    payload = orjson.dumps({"o": offset, "s": scope})
    token = payload + b"." + _sign(payload).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, _, sig = raw.rpartition(b".")
        if not payload or not hmac.compare_digest(sig.decode(), _sign(payload)):
            raise ValueError("signature")
        data = orjson.loads(payload)
        offset = data["o"]
        if data["s"] != scope:
            raise InvalidCursor(
                detail="The cursor belongs to another list, filter or knowledge-base version."
            )
        if not isinstance(offset, int) or offset < 0:
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
        raise InvalidCursor(detail="The cursor is not one this API issued.") from None


def paginate(
    request: Request, items: Sequence[T], limit: int, cursor: str | None, scope: str
) -> tuple[dict[str, Any], dict[str, str]]:
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
) -> tuple[dict[str, Any], dict[str, str]]:
    """Like :func:`paginate` for lists that live in the database: ``fetch(offset, count)`` reads
    one page (plus one row, to know whether another page follows), never the whole list."""
    size = min(limit, MAX_LIMIT)
    start = decode_cursor(cursor, scope) if cursor else 0
    rows = fetch(start, size + 1)
    page = list(rows[:size])
    end = start + size
    headers: dict[str, str] = {}
    next_cursor = None
    if len(rows) > size:
        next_cursor = encode_cursor(end, scope)
        url = request.url.include_query_params(cursor=next_cursor, limit=size)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return {"items": page, "next_cursor": next_cursor}, headers
