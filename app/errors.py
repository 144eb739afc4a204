"""The one error model of countypath; the API renders every one as RFC 9457 problem+json.

Tree (status, stable ``code``)::

    AppError (500, INTERNAL)
    ├── BadRequest (400, BAD_REQUEST)
    │   ├── MalformedJson (400, MALFORMED_JSON)
    │   └── InvalidCursor (400, INVALID_CURSOR)
    ├── Unauthorized (401, UNAUTHORIZED)
    ├── Forbidden (403, FORBIDDEN)
    ├── NotFound (404, NOT_FOUND)
    ├── Conflict (409, CONFLICT)
    │   └── ConfirmationRequired (409, CONFIRMATION_REQUIRED)
    ├── PreconditionFailed (412, PRECONDITION_FAILED)
    ├── PreconditionRequired (428, PRECONDITION_REQUIRED)
    ├── PayloadTooLarge (413, PAYLOAD_TOO_LARGE)
    ├── UnsupportedMediaType (415, UNSUPPORTED_MEDIA_TYPE)
    ├── NotAcceptable (406, NOT_ACCEPTABLE)
    ├── InvalidInput (422, VALIDATION_FAILED)  -- carries field errors with JSON Pointers
    └── Unavailable (503, SERVICE_UNAVAILABLE)
        └── KnowledgeBaseMissing (503, KB_NOT_LOADED)

Nothing here imports FastAPI, so the domain and services raise these freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one place in the request, addressed by JSON Pointer (RFC 6901)."""

    pointer: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "code": self.code, "message": self.message}


@dataclass
class AppError(Exception):
    detail: str = "The server could not complete the request."
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    status = 500
    code = "INTERNAL"
    title = "Internal error"

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class BadRequest(AppError):
    status = 400
    code = "BAD_REQUEST"
    title = "Bad request"


class MalformedJson(BadRequest):
    code = "MALFORMED_JSON"
    title = "Malformed JSON"


class InvalidCursor(BadRequest):
    code = "INVALID_CURSOR"
    title = "Invalid cursor"


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHORIZED"
    title = "Unauthorized"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"
    title = "Forbidden"


class PreconditionFailed(AppError):
    status = 412
    code = "PRECONDITION_FAILED"
    title = "Precondition failed"


class PreconditionRequired(AppError):
    status = 428
    code = "PRECONDITION_REQUIRED"
    title = "Precondition required"


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"
    title = "Conflict"


class ConfirmationRequired(Conflict):
    """The change would remove most of the knowledge base and was not explicitly confirmed."""

    code = "CONFIRMATION_REQUIRED"
    title = "Confirmation required"


class PayloadTooLarge(AppError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    title = "Payload too large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported media type"


class NotAcceptable(AppError):
    status = 406
    code = "NOT_ACCEPTABLE"
    title = "Not acceptable"


class InvalidInput(AppError):
    status = 422
    code = "VALIDATION_FAILED"
    title = "Invalid input"


class Unavailable(AppError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    title = "Service unavailable"


class KnowledgeBaseMissing(Unavailable):
    code = "KB_NOT_LOADED"
    title = "Knowledge base not loaded"
