"""Response helpers: orjson bodies, language headers, ETag and caching for catalog reads."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from app.api.i18n import content_language
from app.domain.knowledge import Lang
from app.services.preconditions import entity_tag, weak_match

JSON = "application/json"
# The methods HTTP defines that an API answers, in the order an Allow header lists them.
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def json_response(
    data: Any,
    *,
    lang: Lang | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    out = dict(headers or {})
    if lang is not None:
        out["Content-Language"] = content_language(lang)
        out["Vary"] = "Accept-Language"
    return Response(orjson.dumps(data), status_code=status, media_type=media_type, headers=out)


def _caching(request: Request, max_age: int) -> dict[str, str]:
    """Catalog reads are the same for everyone, so shared caches may keep them, unless the
    deployment requires a key: then only the caller's own cache may, and the answer varies with
    the credential, so no cache serves one caller's copy to another."""
    if request.app.state.settings.require_key:
        return {
            "Cache-Control": f"private, max-age={max_age}",
            "Vary": "Accept-Language, Authorization, X-API-Key",
        }
    return {"Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Language"}


def cached_json(
    request: Request,
    data: Any,
    *,
    lang: Lang,
    version_key: str,
    max_age: int,
    extra: dict[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    """A catalog answer with an ETag: the given one, else a hash of (checksum, URL, language)."""
    if etag is None:
        basis = f"{version_key}|{request.url.path}|{request.url.query}|{lang}".encode()
        etag = entity_tag(hashlib.sha256(basis).hexdigest())
    headers = {
        "ETag": etag,
        "Content-Language": content_language(lang),
        **_caching(request, max_age),
    } | (extra or {})
    inm = request.headers.get("if-none-match")
    if inm and weak_match(inm, etag):
        return Response(status_code=304, headers=headers)
    return Response(orjson.dumps(data), media_type=JSON, headers=headers)
