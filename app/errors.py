"""The one error model of countypath; the API renders every one as RFC 9457 problem+json.

Every ``code`` a problem can carry is a member of :class:`ErrorCode`, and :data:`CODES` says for
each its HTTP status and what it means. The OpenAPI ``Problem.code`` enum and the table in
docs/errors.md are generated from these two, so a new code is added here or nowhere.

Tree of the raised errors (status, stable ``code``)::

    AppError (500, INTERNAL)
    ├── BadRequest (400, BAD_REQUEST)
    │   ├── MalformedJson (400, MALFORMED_JSON)
    │   ├── MalformedSpreadsheet (400, MALFORMED_SPREADSHEET)
    │   └── InvalidCursor (400, INVALID_CURSOR)
    ├── Unauthorized (401, UNAUTHORIZED)
    ├── Forbidden (403, FORBIDDEN)
    ├── NotFound (404, NOT_FOUND)
    ├── Conflict (409, CONFLICT)
    │   ├── ConfirmationRequired (409, CONFIRMATION_REQUIRED)
    │   └── CasesFailed (409, KB_CASES_FAILED)  -- names each expert case that fails
    ├── PreconditionFailed (412, PRECONDITION_FAILED)
    ├── PreconditionRequired (428, PRECONDITION_REQUIRED)
    ├── PayloadTooLarge (413, PAYLOAD_TOO_LARGE)
    ├── RequestTimeout (408, REQUEST_TIMEOUT)
    ├── RateLimited (429, RATE_LIMITED)
    ├── UnsupportedMediaType (415, UNSUPPORTED_MEDIA_TYPE)
    ├── NotAcceptable (406, NOT_ACCEPTABLE)
    ├── InvalidInput (422, VALIDATION_FAILED)  -- carries field errors with JSON Pointers
    └── Unavailable (503, SERVICE_UNAVAILABLE)
        ├── KnowledgeBaseMissing (503, KB_NOT_LOADED)
        ├── Overloaded (503, OVERLOADED)
        └── TimedOut (503, TIMEOUT)  -- also what a batch raises when its deadline has passed

The other codes are answered by the HTTP layer itself (routing, admission control, database
outages); they are registered here all the same.

Languages: ``detail`` and every ``FieldError.message`` are written in English where they are
raised. ``key`` (a problem) and ``template``/``params`` (a field error) let the API say the same in
the request's language from the message catalogue (app/locales/messages.yaml, sections
``problem_detail`` and ``field_error``); without them the English text is served.

Nothing here imports FastAPI, so the domain and services raise these freely.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, NamedTuple

from pydantic import ValidationError


class ErrorCode(StrEnum):
    """Every machine-readable ``code`` of a problem document. Stable: never renamed."""

    BAD_REQUEST = "BAD_REQUEST"
    MALFORMED_JSON = "MALFORMED_JSON"
    MALFORMED_SPREADSHEET = "MALFORMED_SPREADSHEET"
    INVALID_CURSOR = "INVALID_CURSOR"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    CONFLICT = "CONFLICT"
    CONFIRMATION_REQUIRED = "CONFIRMATION_REQUIRED"
    KB_CASES_FAILED = "KB_CASES_FAILED"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    PRECONDITION_REQUIRED = "PRECONDITION_REQUIRED"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    KB_NOT_LOADED = "KB_NOT_LOADED"
    KB_CANNOT_DIAGNOSE = "KB_CANNOT_DIAGNOSE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    STORAGE_FULL = "STORAGE_FULL"
    MIGRATIONS_PENDING = "MIGRATIONS_PENDING"
    OVERLOADED = "OVERLOADED"
    TIMEOUT = "TIMEOUT"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


class CodeInfo(NamedTuple):
    status: int
    title: str
    meaning: str


CODES: dict[ErrorCode, CodeInfo] = {
    ErrorCode.BAD_REQUEST: CodeInfo(400, "Bad request", "The request cannot be read as sent."),
    ErrorCode.MALFORMED_JSON: CodeInfo(
        400, "Malformed JSON", "The body is not valid JSON (or a CSV body cannot be read)."
    ),
    ErrorCode.MALFORMED_SPREADSHEET: CodeInfo(
        400, "Malformed spreadsheet", "The body is not an .xlsx workbook that can be read."
    ),
    ErrorCode.INVALID_CURSOR: CodeInfo(
        400,
        "Invalid cursor",
        "The cursor was not issued by this API, or belongs to another list, filter or "
        "knowledge-base version: start again from the first page.",
    ),
    ErrorCode.UNAUTHORIZED: CodeInfo(
        401, "Unauthorized", "No API key, an unknown or revoked key, or a key in the query string."
    ),
    ErrorCode.FORBIDDEN: CodeInfo(403, "Forbidden", "The key lacks the scope the operation needs."),
    ErrorCode.NOT_FOUND: CodeInfo(
        404, "Not found", "No such resource (or a stored assessment that is not the caller's)."
    ),
    ErrorCode.METHOD_NOT_ALLOWED: CodeInfo(
        405, "Method not allowed", "The path exists; the `Allow` header lists its methods."
    ),
    ErrorCode.NOT_ACCEPTABLE: CodeInfo(
        406, "Not acceptable", "The `Accept` header asks for a type the operation cannot produce."
    ),
    ErrorCode.CONFLICT: CodeInfo(
        409,
        "Conflict",
        "The write conflicts with the current state (a slug that exists, an item still referenced, "
        "a request with the same `Idempotency-Key` still in progress).",
    ),
    ErrorCode.PRECONDITION_FAILED: CodeInfo(
        412, "Precondition failed", "`If-Match` does not match the current ETag: read it again."
    ),
    ErrorCode.PAYLOAD_TOO_LARGE: CodeInfo(413, "Payload too large", "The body is over the limit."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: CodeInfo(
        415, "Unsupported media type", "The body's `Content-Type` is not one the operation reads."
    ),
    ErrorCode.VALIDATION_FAILED: CodeInfo(
        422, "Invalid input", "Some fields are invalid; `errors[]` names each by JSON Pointer."
    ),
    ErrorCode.PRECONDITION_REQUIRED: CodeInfo(
        428,
        "Precondition required",
        "The write needs `If-Match` with the item's ETag (`*` is not accepted).",
    ),
    ErrorCode.RATE_LIMITED: CodeInfo(
        429, "Too many requests", "Over the quota; retry after `Retry-After` seconds."
    ),
    ErrorCode.INTERNAL: CodeInfo(
        500, "Internal error", "An unexpected error; the `X-Request-ID` finds it in the logs."
    ),
    ErrorCode.SERVICE_UNAVAILABLE: CodeInfo(
        503, "Service unavailable", "Temporarily unavailable; retry after `Retry-After` seconds."
    ),
    ErrorCode.KB_NOT_LOADED: CodeInfo(
        503, "Knowledge base not loaded", "No knowledge base is loaded yet (seed the database)."
    ),
    ErrorCode.KB_CANNOT_DIAGNOSE: CodeInfo(
        503,
        "Knowledge base cannot diagnose",
        "The knowledge base served lacks challenges or paths (roll back to an earlier version).",
    ),
    ErrorCode.DATABASE_UNAVAILABLE: CodeInfo(
        503, "Service unavailable", "The database does not answer; retry shortly."
    ),
    ErrorCode.STORAGE_FULL: CodeInfo(
        503, "Service unavailable", "Storage is full; writes are refused until space is freed."
    ),
    ErrorCode.MIGRATIONS_PENDING: CodeInfo(
        503, "Service unavailable", "The schema is not at the latest migration (`/readyz`)."
    ),
    ErrorCode.OVERLOADED: CodeInfo(
        503, "Service unavailable", "Too many requests in flight on this worker; retry shortly."
    ),
    ErrorCode.TIMEOUT: CodeInfo(
        503, "Service unavailable", "The request took longer than the server's time limit."
    ),
    ErrorCode.REQUEST_TIMEOUT: CodeInfo(
        408, "Request timeout", "The request body did not arrive within the server's time limit."
    ),
    ErrorCode.CONFIRMATION_REQUIRED: CodeInfo(
        409,
        "Confirmation required",
        "The change would remove most of the knowledge base; repeat it with `?confirm=remove`.",
    ),
    ErrorCode.KB_CASES_FAILED: CodeInfo(
        409,
        "Expert cases fail",
        "The change makes expert cases of the knowledge base fail; `errors[]` names each "
        "expectation (`pointer` into the knowledge-base document, `GET /v1/kb/export`), what it "
        "expected and what was found. Change the cases in the same request (`POST /v1/kb/import`) "
        "or first (`PUT /v1/cases/{slug}`).",
    ),
}


def codes_table() -> str:
    """The Markdown table of every code, as docs/errors.md publishes it."""
    lines = ["| code | status | title | meaning |", "| --- | --- | --- | --- |"]
    for code, info in sorted(CODES.items(), key=lambda item: (item[1].status, item[0])):
        lines.append(f"| `{code}` | {info.status} | {info.title} | {info.meaning} |")
    return "\n".join(lines) + "\n"


def code_for_status(status: int) -> ErrorCode:
    """The general code of an HTTP status (for errors raised by the HTTP layer itself)."""
    for code, info in CODES.items():
        if info.status == status:
            return code
    return ErrorCode.BAD_REQUEST if status < 500 else ErrorCode.INTERNAL


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 pointer to ``parts`` (``~`` and ``/`` escaped).

    >>> json_pointer("indicators", "a/b~c")
    '/indicators/a~1b~0c'
    """
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def suggestion(word: str, choices: Iterable[str], listing: str) -> dict[str, str]:
    """What a hint for an unknown name says: the closest choice, else where to look them up.

    >>> suggestion("gdp_cny", ["gdp_cny_100m"], "GET /v1/indicators")
    {'suggestion': 'gdp_cny_100m'}
    >>> suggestion("zzz", ["gdp_cny_100m"], "GET /v1/indicators")
    {'listing': 'GET /v1/indicators'}
    """
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.5)
    return {"suggestion": close[0]} if close else {"listing": listing}


def did_you_mean(word: str, choices: Iterable[str], listing: str) -> str:
    """A hint for an unknown name: the closest choice, else where to look them up.

    >>> did_you_mean("gdp_cny", ["gdp_cny_100m", "pm25_ugm3"], "GET /v1/indicators")
    "; did you mean 'gdp_cny_100m'?"
    """
    hint = suggestion(word, choices, listing)
    if "suggestion" in hint:
        return f"; did you mean '{hint['suggestion']}'?"
    return f"; see {listing}."


# A pointer names what the client sent; a segment longer than this (an over-long key) is cut, so
# an error never echoes more of the request than it needs to say where.
MAX_SEGMENT = 64


def short_pointer(*parts: str | int) -> str:
    """:func:`json_pointer`, each segment cut to :data:`MAX_SEGMENT` characters (marked ``…``).

    >>> short_pointer("indicators", "k" * 70) == "/indicators/" + "k" * 63 + "…"
    True
    """
    cut = [p if len(str(p)) <= MAX_SEGMENT else str(p)[: MAX_SEGMENT - 1] + "…" for p in parts]
    return json_pointer(*cut)


def field_errors(exc: ValidationError) -> list[FieldError]:
    """A Pydantic validation error as field errors, each addressed by JSON Pointer; the input is
    never echoed back (it may be NaN, huge or secret), and a long key in the pointer is cut. The
    error's context (limits, the expected values) goes along as ``params``."""
    return [
        FieldError(
            short_pointer(*e["loc"]),
            str(e["type"]),
            str(e["msg"]),
            params={k: str(v) for k, v in (e.get("ctx") or {}).items()},
        )
        for e in exc.errors(include_url=False, include_input=False)
    ]


@dataclass(frozen=True, slots=True)
class TextPosition:
    """Where in a text body something is: line and column from 1, offset in characters from 0.

    >>> TextPosition.of('{"a": 1,\\n  oops}', 12)
    TextPosition(line=2, column=4, offset=12)
    """

    line: int
    column: int
    offset: int

    @classmethod
    def of(cls, text: str, offset: int) -> TextPosition:
        line_start = text.rfind("\n", 0, offset) + 1
        return cls(text.count("\n", 0, offset) + 1, offset - line_start + 1, offset)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one place in the request, addressed by JSON Pointer (RFC 6901).

    ``template`` names the catalogue entry that says ``message`` in other languages (the code
    when empty), ``params`` fill its placeholders (a value may be a mapping by language, such as
    a unit label). ``position`` says where in an unreadable body the problem is; the pointer is
    then ``""`` (the body as a whole)."""

    pointer: str
    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)
    template: str = ""
    position: TextPosition | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "pointer": self.pointer,
            "code": self.code,
            "message": self.message,
        }
        if self.position is not None:
            out |= {
                "line": self.position.line,
                "column": self.position.column,
                "offset": self.position.offset,
            }
        return out


@dataclass
class AppError(Exception):
    """The base of every error countypath raises. A subclass names its ``code``; its ``status``
    and ``title`` are that code's, from :data:`CODES`, so the two never disagree."""

    detail: str = "The server could not complete the request."
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    key: str | None = None  # the catalogue entry (section problem_detail) saying ``detail``
    params: dict[str, object] = field(default_factory=dict)

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL
    status: ClassVar[int] = CODES[ErrorCode.INTERNAL].status
    title: ClassVar[str] = CODES[ErrorCode.INTERNAL].title

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.status, cls.title = CODES[cls.code].status, CODES[cls.code].title

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class BadRequest(AppError):
    code = ErrorCode.BAD_REQUEST


class MalformedJson(BadRequest):
    code = ErrorCode.MALFORMED_JSON


class MalformedSpreadsheet(BadRequest):
    code = ErrorCode.MALFORMED_SPREADSHEET


class InvalidCursor(BadRequest):
    code = ErrorCode.INVALID_CURSOR


class Unauthorized(AppError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(AppError):
    code = ErrorCode.FORBIDDEN


class PreconditionFailed(AppError):
    code = ErrorCode.PRECONDITION_FAILED


class PreconditionRequired(AppError):
    code = ErrorCode.PRECONDITION_REQUIRED


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


class Conflict(AppError):
    code = ErrorCode.CONFLICT


class ConfirmationRequired(Conflict):
    """The change would remove most of the knowledge base and was not explicitly confirmed."""

    code = ErrorCode.CONFIRMATION_REQUIRED


class CasesFailed(Conflict):
    """The change makes expert cases of the knowledge base fail (app.services.expert_cases)."""

    code = ErrorCode.KB_CASES_FAILED


class PayloadTooLarge(AppError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class RequestTimeout(AppError):
    code = ErrorCode.REQUEST_TIMEOUT


class RateLimited(AppError):
    code = ErrorCode.RATE_LIMITED


class UnsupportedMediaType(AppError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


class NotAcceptable(AppError):
    code = ErrorCode.NOT_ACCEPTABLE


class InvalidInput(AppError):
    code = ErrorCode.VALIDATION_FAILED


class Unavailable(AppError):
    code = ErrorCode.SERVICE_UNAVAILABLE


class KnowledgeBaseMissing(Unavailable):
    code = ErrorCode.KB_NOT_LOADED


class Overloaded(Unavailable):
    code = ErrorCode.OVERLOADED


class TimedOut(Unavailable):
    """The request's time is up. Raised by work that checks its deadline (batches), so a thread
    stops when its request is over instead of running on after the answer was sent."""

    code = ErrorCode.TIMEOUT
