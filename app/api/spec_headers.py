"""The response headers countypath sends, as OpenAPI header components, and which operation and
status sends which. One table, so a client generator and a linter see every header a client can
read (rate limits, validators, links, the request id) on the answers that carry it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NotRequired, TypedDict

from app.api.versioning import SUNSET_KEY
from app.domain.knowledge import LANGS
from app.domain.messages import say


class Header(TypedDict):
    """An OpenAPI header object, keys in the order the document writes them."""

    description: str
    required: NotRequired[bool]
    schema: dict[str, object]


def _header(description: str, *, required: bool = False, **schema: object) -> Header:
    """A response header as the document declares it: a string unless ``schema`` says more."""
    typed: dict[str, object] = {"type": "string", **schema}
    if required:
        return {"description": description, "required": True, "schema": typed}
    return {"description": description, "schema": typed}


HEADERS: dict[str, Header] = {
    "X-Request-ID": _header(
        "The request's id (the caller's own `X-Request-ID` when it is safe, else a new one); "
        "every log line of the request carries it.",
        required=True,
        maxLength=128,
    ),
    "RateLimit": _header(
        "Remaining quota and seconds until the window resets, e.g. "
        '`"default";r=599;t=60` (IETF RateLimit fields). Absent when limits are off.'
    ),
    "RateLimit-Policy": _header(
        'The quota policy, e.g. `"default";q=600;w=60`. Absent when limits are off.'
    ),
    "Retry-After": _header("Seconds to wait before retrying.", type="integer", minimum=0),
    "Content-Language": _header(
        "The language of the text fields: `en` or `zh-CN`.",
        enum=[say("language", "tag", lang) for lang in LANGS],
    ),
    "ETag": _header(
        "The representation's validator; send it back in `If-None-Match` (reads) or "
        "`If-Match` (curation writes)."
    ),
    "Cache-Control": _header(
        "Caching: `public, max-age=N` on catalog reads, `no-store` elsewhere."
    ),
    "Link": _header('The next page, `<...>; rel="next"`, absent on the last page.'),
    "Location": _header("The path of the resource just created.", required=True),
    "Idempotent-Replayed": _header(
        "`true` when this answer replays the first request with the same `Idempotency-Key`.",
        enum=["true"],
    ),
    "WWW-Authenticate": _header("The authentication scheme to use: `Bearer`."),
    "Deprecation": _header(
        "RFC 9745: when the operation was deprecated, `@<unix time>`.", required=True
    ),
    "Sunset": _header(
        "RFC 8594: the HTTP date after which the operation may be gone.", required=True
    ),
    "Deprecation-Link": _header(
        'The versioning policy (`rel="deprecation"`) and the replacement '
        '(`rel="successor-version"`).'
    ),
}
UNLIMITED = ("health-", "metrics-", "page-")
REF = "#/components/headers/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _operation_id(op: Mapping[str, object]) -> str:
    return str(op.get("operationId", ""))


def _parameter_names(op: Mapping[str, object]) -> list[object]:
    """The names of the operation's parameters (a list of parameter objects, when it has any)."""
    parameters = op.get("parameters", ())
    assert isinstance(parameters, list | tuple)
    return [p.get("name") for p in parameters if isinstance(p, dict)]


def _success_headers(op: Mapping[str, object], status: str) -> dict[str, dict[str, str]]:
    """Headers of a 2xx or 304 answer of one operation."""
    operation_id = _operation_id(op)
    names = _parameter_names(op)
    out: dict[str, dict[str, str]] = {}
    if "lang" in names:
        out["Content-Language"] = _ref("Content-Language")
    if "If-None-Match" in names:
        out["ETag"] = _ref("ETag")
    if operation_id.endswith("-list") and status == "200":
        out["Link"] = _ref("Link")
    if status in ("201", "202"):
        out["Location"] = _ref("Location")
    if op.get("tags") == ["curation"] and status in ("200", "201"):
        out["ETag"] = _ref("ETag")
    if operation_id in ("assessments-create", "batch-jobs-create") and status in ("201", "202"):
        out["Idempotent-Replayed"] = _ref("Idempotent-Replayed")
    if operation_id == "batch-job-results-get" and status == "200":
        out["Content-Language"] = _ref("Content-Language")  # the language the job was sent in
    return out


def headers_for(op: Mapping[str, object], status: str) -> dict[str, dict[str, str]]:
    """Every header the answer ``status`` of ``op`` (an OpenAPI operation object) may carry."""
    out = {"X-Request-ID": _ref("X-Request-ID"), "Cache-Control": _ref("Cache-Control")}
    if not _operation_id(op).startswith(UNLIMITED):
        out |= {"RateLimit": _ref("RateLimit"), "RateLimit-Policy": _ref("RateLimit-Policy")}
    if status in ("429", "503"):
        out["Retry-After"] = _ref("Retry-After")
    if status == "401":
        out["WWW-Authenticate"] = _ref("WWW-Authenticate")
    if status[0] == "2" or status == "304":
        out |= _success_headers(op, status)
    if op.get("deprecated") and SUNSET_KEY in op:
        out |= {
            "Deprecation": _ref("Deprecation"),
            "Sunset": _ref("Sunset"),
            "Link": _ref("Deprecation-Link"),
        }
    return out
