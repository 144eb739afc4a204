"""A JSON body validated by a pydantic adapter built once, straight from its bytes.

FastAPI reads a declared body on every request by decoding the JSON into Python objects and then
validating those through a generic field. pydantic validates the bytes in one pass, without the
objects in between: on POST /v1/profiles/validate, the route clients call most and whose own work
is small, that was a noticeable part of the request's CPU. A route reading its body here publishes
it with :attr:`JsonBody.openapi` and answers as FastAPI would: a body that is not JSON is the same
400 before the route's own checks, a body that does not validate the same 422 after them. When
the bytes do not validate, they are decoded again as FastAPI decodes them, so every error listed
is the one FastAPI would list.
"""

from __future__ import annotations

import email.message
import json
from functools import lru_cache
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined
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

    def validated(self, received: Any) -> M:
        """``received`` (what :meth:`receive` answered) as the model; else the 422 FastAPI
        raises, each error placed under ``body``."""
        if isinstance(received, self.model):
            return received
        if received is PydanticUndefined:
            missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
            raise RequestValidationError([missing], body=None)
        try:
            return self._adapter.validate_python(received, from_attributes=True)
        except ValidationError as exc:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            raise RequestValidationError(errors, body=received) from None


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
