"""Shapes shared across endpoints: the problem document and health answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.errors import ErrorCode

# Identifiers that several endpoints accept: a county's GB/T 2260 code, a stored assessment's id.
COUNTY_CODE = r"^\d{6}$"
UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID = f"^{UUID_TEXT}$"


class FieldProblem(BaseModel):
    pointer: str = Field(
        description="JSON Pointer into the request body ('' for parameters and for a body that "
        "is not JSON at all); a segment over 64 characters is cut and ends in '…'."
    )
    code: str
    message: str = Field(description="In the request's language; English where it has none.")
    parameter: str | None = None
    in_: str | None = Field(default=None, alias="in")
    line: int | None = Field(default=None, ge=1, description="Malformed JSON: line, from 1.")
    column: int | None = Field(default=None, ge=1, description="Malformed JSON: column, from 1.")
    offset: int | None = Field(
        default=None, ge=0, description="Malformed JSON: characters from the body's start."
    )


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable machine-readable ``code`` (docs/errors.md)."""

    type: str = Field(description="`urn:countypath:problem:` and the code, hyphenated.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str = Field(description="The path of the request.")
    code: ErrorCode
    errors: list[FieldProblem] | None = None


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str
    database: str
    migration: str | None
    kb_version: str | None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """Declare error statuses in OpenAPI with the Problem schema."""
    return {
        s: {
            "model": Problem,
            "content": {"application/problem+json": {}},
            "description": _DESC.get(s, "Error"),
        }
        for s in statuses
    }


def text_responses(media_type: str, description: str, *statuses: int) -> dict[int | str, Any]:
    """Declare a route that answers a text of ``media_type`` (a string in OpenAPI), described as
    ``description``, besides its error statuses."""
    text = {"content": {media_type: {"schema": {"type": "string"}}}, "description": description}
    return {**problem_responses(*statuses), 200: text}


_DESC = {
    400: "Malformed request (bad JSON, bad cursor)",
    401: "Missing or invalid API key",
    403: "The key lacks the scope",
    404: "No such resource",
    406: "The Accept header asks for a type this endpoint cannot produce",
    409: "Conflict with the current state",
    412: "If-Match does not match the current ETag",
    413: "Body over the size limit",
    415: "Body is not JSON",
    422: "Invalid input; errors[] names each field by JSON Pointer",
    428: "If-Match is required",
    429: "Rate limit exceeded",
    503: "Temporarily unavailable (database or knowledge base)",
}

# The error answers of each kind of operation, declared once: the statuses follow from what can
# refuse it (a key and its scope, a JSON body, a cursor, an id that may name nothing).
PUBLIC_BODY_ERRORS = problem_responses(400, 401, 406, 413, 415, 422, 503)
"""A public operation that reads a JSON body (a key is refused only when one is required)."""
KEYED_BODY_ERRORS = problem_responses(400, 401, 403, 406, 409, 413, 415, 422, 503)
"""A keyed operation that reads a JSON body and may conflict (a retried idempotency key, a
change the knowledge base refuses)."""
KEYED_LIST_ERRORS = problem_responses(400, 401, 403, 406, 422, 503)
"""A keyed read of the caller's own records, by query parameters (a bad cursor is a 400)."""
KEYED_ONE_ERRORS = problem_responses(401, 403, 404, 406, 422, 503)
"""A keyed read of one record by id (another key's record is a 404)."""
