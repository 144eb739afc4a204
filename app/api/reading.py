"""A request's JSON body and query parameters read by pydantic adapters built once.

FastAPI reads a route's declared parameters and body on every request through generic fields:
for each parameter it looks up aliases, copies the default and validates through a field; a
body is decoded into Python objects and then validated. pydantic validates the body's bytes in
one pass, and a query parameter through an adapter built for it, with none of that bookkeeping.
A route reading its request here (app.api.hot) publishes it with the ``openapi`` of each reader,
what FastAPI publishes for the same declaration, and answers as FastAPI would: a body that is
not JSON is the same 400, an invalid parameter or body the same 422 with the same errors (when
the body's bytes do not validate, they are decoded again as FastAPI decodes them, so each error
listed is the one FastAPI would list).
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

M = TypeVar("M", bound=BaseModel)
UNREADABLE = "There was an error parsing the body"


@lru_cache(maxsize=64)
def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI decodes a body sent with this Content-Type as JSON (a missing one: no)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class JsonBody(Generic[M]):
    """The body of a route, a ``model`` sent as JSON."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._adapter = TypeAdapter(model)
        schema = {"$ref": f"#/components/schemas/{model.__name__}"}
        # What FastAPI publishes for a declared body of this model (the route's openapi_extra).
        self.openapi = {
            "requestBody": {"content": {"application/json": {"schema": schema}}, "required": True}
        }

    async def receive(self, request: Request) -> Any:
        """The model, when the body is JSON that validates; else what FastAPI would go on to
        validate: nothing (an empty body), the decoded JSON, or the bytes of another media type.
        A body that cannot be read or decoded is refused here, as FastAPI refuses it."""
        try:
            raw = await request.body()
        except Exception as exc:  # noqa: BLE001 - FastAPI answers any failed read with this 400
            raise HTTPException(400, UNREADABLE) from exc
        if not raw:
            return PydanticUndefined
        if not _is_json(request.headers.get("content-type")):
            return raw
        try:
            return self._adapter.validate_json(raw)
        except ValidationError:
            pass  # decoded again below, for FastAPI's own errors
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            error = {
                "type": "json_invalid",
                "loc": ("body", exc.pos),
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": exc.msg},
            }
            raise RequestValidationError([error], body=exc.doc) from exc
        except Exception as exc:  # noqa: BLE001 - too deep, not UTF-8 …: FastAPI's 400 as well
            raise HTTPException(400, UNREADABLE) from exc

    def validated(self, received: Any, errors: list[dict[str, object]]) -> M | None:
        """``received`` (what :meth:`receive` answered) as the model; else None, with the
        errors FastAPI lists (each placed under ``body``) added to ``errors``."""
        if isinstance(received, self.model):
            return received
        if received is PydanticUndefined:
            errors.append(
                {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
            )
            return None
        try:
            return self._adapter.validate_python(received, from_attributes=True)
        except ValidationError as exc:
            errors += [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            return None


class QueryParam:
    """A query parameter: ``annotation`` is its type with FastAPI's ``Query(...)``, as a route's
    signature declares it; ``default`` is what an absent parameter means (never validated)."""

    def __init__(self, name: str, annotation: Any, default: Any = None) -> None:
        self.name = name
        self.default = default
        self._adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        schema = self._adapter.json_schema() | {"title": name.title()}
        if default is not None:
            schema["default"] = default
        self.openapi: dict[str, object] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": _description(annotation),
        }

    def read(self, query: QueryParams, errors: list[dict[str, object]]) -> Any:
        """The parameter's value, or None with its errors added to ``errors``."""
        raw = query.get(self.name)
        if raw is None:
            return self.default
        try:
            return self._adapter.validate_python(raw, from_attributes=True)
        except ValidationError as exc:
            loc = ("query", self.name)
            errors += [{**e, "loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False)]
            return None


def _description(annotation: Any) -> str | None:
    return next(
        (
            m.description
            for m in getattr(annotation, "__metadata__", ())
            if isinstance(m, FieldInfo)
        ),
        None,
    )


def body_model(route: Any) -> Any:
    """The model a route's body is read as: its declared body's, or that of the :class:`JsonBody`
    one of its dependencies reads (``body`` on the dependency)."""
    declared = getattr(getattr(route, "body_field", None), "field_info", None)
    if declared is not None:
        return declared.annotation
    for dep in getattr(getattr(route, "dependant", None), "dependencies", ()):
        body = getattr(dep.call, "body", None)
        if isinstance(body, JsonBody):
            return body.model
    return None


def models_read_by(routes: Iterable[Any]) -> list[type[BaseModel]]:
    """The body models of the routes that read their body with a :class:`JsonBody` instead of
    declaring it: FastAPI's document does not name them among its schemas."""
    found = []
    for route in routes:
        model = None if getattr(route, "body_field", None) else body_model(route)
        if model is not None and model not in found:
            found.append(model)
    return found
