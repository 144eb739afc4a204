"""Every error leaves as RFC 9457 problem+json; this module is the only place that renders one."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.api.http import HTTP_METHODS
from app.api.middleware import problem_document
from app.api.security import access_refusal
from app.errors import AppError, ErrorCode, FieldError, code_for_status, json_pointer

log = logging.getLogger("countypath.errors")
PROBLEM = "application/problem+json"


def problem_response(
    request_path: str,
    status: int,
    code: ErrorCode,
    title: str,
    detail: str,
    errors: list[FieldError] | list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_document(status, code, title, detail, request_path)
    if errors:
        body["errors"] = [e.as_dict() if isinstance(e, FieldError) else e for e in errors]
    return Response(
        content=orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=headers
    )


def _pointer(loc: tuple[Any, ...]) -> tuple[str, dict[str, str]]:
    if loc and loc[0] == "body":
        return json_pointer(*loc[1:]) if len(loc) > 1 else "", {}
    if loc and loc[0] in ("query", "path", "header", "cookie"):
        return "", {"in": str(loc[0]), "parameter": str(loc[1]) if len(loc) > 1 else ""}
    return "", {}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for err in exc.errors():
        pointer, extra = _pointer(tuple(err.get("loc", ())))
        # Never echo the input back: it may be NaN, huge, or secret.
        entry: dict[str, Any] = {
            "pointer": pointer,
            "code": str(err.get("type", "invalid")),
            "message": str(err.get("msg", "invalid value")),
        }
        entry.update(extra)
        out.append(entry)
    return out


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (routes may be split across decorators)."""
    allowed = []
    for method in HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    if "GET" in allowed and "HEAD" not in allowed:  # HeadMiddleware serves HEAD as GET
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return allowed


def _render(request: Request, exc: AppError) -> Response:
    return problem_response(
        request.url.path, exc.status, exc.code, exc.title, exc.detail, exc.errors, exc.headers
    )


async def _app_error(request: Request, exc: AppError) -> Response:
    if exc.status in (400, 406, 413, 415, 422):
        # Raised before the route checked access (a dependency reading the request)?
        # Access comes first: a caller without it learns nothing about the input.
        exc = access_refusal(request) or exc
    return _render(request, exc)


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    refusal = access_refusal(request)
    if refusal is not None:  # the body is read before any dependency runs
        return _render(request, refusal)
    errors = _validation_errors(exc)
    if any(e["code"] == "json_invalid" for e in errors):
        return problem_response(
            request.url.path,
            400,
            ErrorCode.MALFORMED_JSON,
            "Malformed JSON",
            "The request body is not valid JSON.",
            [e for e in errors if e["code"] == "json_invalid"],
        )
    return problem_response(
        request.url.path,
        422,
        ErrorCode.VALIDATION_FAILED,
        "Invalid input",
        "Some fields of the request are invalid; see errors.",
        errors,
    )


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    status = exc.status_code
    headers = dict(exc.headers or {})
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
        method = "HEAD" if getattr(request.state, "head", False) else request.method
        detail = f"{method} is not allowed here; see the Allow header."
    elif status == 404:
        detail = f"No resource at {request.url.path}."
    return problem_response(
        request.url.path,
        status,
        code_for_status(status),
        HTTPStatus(status).phrase,
        detail,
        headers=headers,
    )


async def _db_down(request: Request, exc: Exception) -> Response:
    text = str(getattr(exc, "orig", exc)).lower()
    if "disk" in text and "full" in text:
        code, detail = (
            ErrorCode.STORAGE_FULL,
            "Storage is full; writes are refused until space is freed.",
        )
    else:
        code, detail = (
            ErrorCode.DATABASE_UNAVAILABLE,
            "The database is unavailable; retry shortly.",
        )
    log.warning("database unavailable: %s: %s", type(exc).__name__, text[:200])
    return problem_response(
        request.url.path, 503, code, "Service unavailable", detail, headers={"Retry-After": "2"}
    )


def _internal(request: Request) -> Response:
    """The 500 of an error nobody foresaw: no detail of it leaves the server (the log has it)."""
    detail = "The request could not be completed."
    return problem_response(request.url.path, 500, ErrorCode.INTERNAL, "Internal error", detail)


async def _db_error(request: Request, exc: DBAPIError) -> Response:
    if exc.connection_invalidated:
        return await _db_down(request, exc)
    log.exception("database error")
    return _internal(request)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error")
    return _internal(request)


def install(app: FastAPI) -> None:
    """Every error, whoever raises it, leaves through one of these handlers."""
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _db_down)
    app.add_exception_handler(PoolTimeout, _db_down)
    app.add_exception_handler(DBAPIError, _db_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
