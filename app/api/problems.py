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
from app.api.middleware import localised_problem
from app.api.reading import body_model
from app.api.security import access_refusal
from app.domain.messages import say
from app.errors import (
    AppError,
    ErrorCode,
    FieldError,
    InvalidInput,
    MalformedJson,
    Unavailable,
    code_for_status,
    short_pointer,
)
from app.schemas.profile import ProfileIn
from app.services.problem_text import SOURCE, json_error, problem, unreadable_body
from app.services.recommendations import row_problems

log = logging.getLogger("countypath.errors")
PROBLEM = "application/problem+json"


def problem_response(
    request: Request,
    status: int,
    code: ErrorCode,
    detail: str,
    errors: list[FieldError] | list[dict[str, object]] | None = None,
    headers: dict[str, str] | None = None,
    *,
    key: str | None = None,
    params: dict[str, object] | None = None,
) -> Response:
    """The problem document, in the language the request asked for (English where the catalogue
    has no words for it); ``code`` is the same in every language."""
    body, language = localised_problem(
        request.scope, status, code, detail, key=key, params=params, errors=errors
    )
    return Response(
        content=orjson.dumps(body),
        status_code=status,
        media_type=PROBLEM,
        headers=(headers or {}) | {"Content-Language": language},
    )


def _pointer(loc: tuple[Any, ...]) -> tuple[str, dict[str, str]]:
    if loc and loc[0] == "body":
        return short_pointer(*loc[1:]) if len(loc) > 1 else "", {}
    if loc and loc[0] in ("query", "path", "header", "cookie"):
        return "", {"in": str(loc[0]), "parameter": str(loc[1]) if len(loc) > 1 else ""}
    return "", {}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for err in exc.errors():
        pointer, extra = _pointer(tuple(err.get("loc", ())))
        # Never echo the input back: it may be NaN, huge, or secret.
        entry: dict[str, object] = {
            "pointer": pointer,
            "code": str(err.get("type", "invalid")),
            "message": str(err.get("msg", "invalid value")),
            "params": {k: str(v) for k, v in (err.get("ctx") or {}).items()},
        }
        entry.update(extra)
        out.append(entry)
    return out


def _unreadable_json(exc: RequestValidationError) -> FieldError | None:
    """The JSON decoder's complaint, placed by line, column and character offset (FastAPI puts
    the offset where a JSON Pointer goes; it is not one)."""
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            offset = err["loc"][-1] if isinstance(err["loc"][-1], int) else 0
            text = exc.body if isinstance(exc.body, str) else ""
            return json_error(
                (err.get("ctx") or {}).get("error", "JSON decode error"), text, offset
            )
    return None


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
        request,
        exc.status,
        exc.code,
        exc.detail,
        exc.errors,
        exc.headers,
        key=exc.key,
        params=exc.params,
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
    unreadable = _unreadable_json(exc)
    if unreadable is not None:
        return _render(request, problem(MalformedJson, "malformed_json", errors=[unreadable]))
    invalid = problem(InvalidInput, "validation_failed")
    errors = _profile_problems(request, exc) or _validation_errors(exc)
    return problem_response(request, 422, invalid.code, invalid.detail, errors, key=invalid.key)


def _profile_problems(request: Request, exc: RequestValidationError) -> list[FieldError]:
    """A profile the schema refused gets every problem it has, as a batch row does (a wrong
    type does not hide a value out of range); other bodies and parameters keep the schema's."""
    model = body_model(request.scope.get("route"))
    found = list(exc.errors())
    if not (isinstance(model, type) and issubclass(model, ProfileIn)):
        return []
    if any(tuple(e.get("loc", ()))[:1] != ("body",) for e in found):
        return []  # a parameter is wrong too: the schema's own list says it
    store = request.app.state.store
    if not store.loaded:
        return []
    relative = [e | {"loc": tuple(e["loc"])[1:]} for e in found]
    return row_problems(store.snapshot, exc.body, relative)


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 400 and exc.__cause__ is not None:
        # FastAPI could not read a JSON body (nested too deeply, not UTF-8 ...): the code the
        # docs promise for an unreadable body, whatever the parser tripped on.
        refusal = access_refusal(request)
        if refusal is not None:
            return _render(request, refusal)
        return _render(request, unreadable_body(exc.__cause__))
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    key: str | None = None
    params: dict[str, object] = {}
    if status == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
        method = "HEAD" if getattr(request.state, "head", False) else request.method
        key, params = "method_not_allowed", {"method": method}
    elif status == 404:
        key, params = "not_found", {"path": request.url.path}
    if key is not None:
        detail = say("problem_detail", key, SOURCE, **params)
    return problem_response(
        request, status, code_for_status(status), detail, headers=headers, key=key, params=params
    )


async def _db_down(request: Request, exc: Exception) -> Response:
    text = str(getattr(exc, "orig", exc)).lower()
    full = "disk" in text and "full" in text
    log.warning("database unavailable: %s: %s", type(exc).__name__, text[:200])
    down = problem(Unavailable, "storage_full" if full else "database_unavailable")
    code = ErrorCode.STORAGE_FULL if full else ErrorCode.DATABASE_UNAVAILABLE
    return problem_response(
        request, 503, code, down.detail, headers={"Retry-After": "2"}, key=down.key
    )


def _internal(request: Request) -> Response:
    """The 500 of an error nobody foresaw: no detail of it leaves the server (the log has it)."""
    return _render(request, problem(AppError, "internal"))


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
