"""Deprecating an operation of /v1 (docs/versioning.md): the route carries the marker, and every
answer it gives then says so in the headers clients can act on, RFC 9745 ``Deprecation`` and
RFC 8594 ``Sunset``, with links to the policy and to the replacement.

Mark a route with ``**deprecated(since=..., sunset=..., successor=...)`` in its decorator; the
OpenAPI document shows it as ``deprecated: true`` with the dates, and the request context middleware
adds the headers to every answer of that route, errors included (:class:`DeprecationHeaders`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import TypedDict

# The policy as this server publishes it: the "Versioning" section of the API description.
POLICY_PATH = "/redoc#section/Versioning"
MIN_NOTICE = timedelta(days=180)
SUNSET_KEY = "x-sunset"
SINCE_KEY = "x-deprecated-since"
SUCCESSOR_KEY = "x-successor"


class DeprecatedRoute(TypedDict):
    """The route keyword arguments :func:`deprecated` gives."""

    deprecated: bool
    openapi_extra: dict[str, object]


def deprecated(since: date, sunset: date, successor: str | None = None) -> DeprecatedRoute:
    """Route keyword arguments that deprecate an operation from ``since`` and remove it on
    ``sunset`` (at least 180 days later, as the policy promises)."""
    if sunset - since < MIN_NOTICE:
        raise ValueError("the policy gives at least 180 days between deprecation and sunset")
    extra: dict[str, object] = {SINCE_KEY: since.isoformat(), SUNSET_KEY: sunset.isoformat()}
    if successor:
        extra[SUCCESSOR_KEY] = successor
    return {"deprecated": True, "openapi_extra": extra}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def headers_for(extra: Mapping[str, object]) -> list[tuple[bytes, bytes]]:
    """``Deprecation: @<epoch>``, ``Sunset: <HTTP-date>`` and ``Link``s for a marked route
    (``extra``: its OpenAPI extension keys, as :func:`deprecated` wrote them)."""
    since = _midnight(date.fromisoformat(str(extra[SINCE_KEY])))
    sunset = _midnight(date.fromisoformat(str(extra[SUNSET_KEY])))
    links = [f'<{POLICY_PATH}>; rel="deprecation"; type="text/html"']
    if extra.get(SUCCESSOR_KEY):
        links.append(f'<{extra[SUCCESSOR_KEY]}>; rel="successor-version"')
    return [
        (b"deprecation", f"@{int(since.timestamp())}".encode()),
        (b"sunset", format_datetime(sunset, usegmt=True).encode()),
        (b"link", ", ".join(links).encode()),
    ]


class DeprecationHeaders:
    """The deprecation headers of each route, built once per route: what the request context
    middleware adds to every answer of a route marked with :func:`deprecated` (one layer fewer
    than a middleware of its own, on every request)."""

    def __init__(self) -> None:
        self._built: dict[int, tuple[object, list[tuple[bytes, bytes]]]] = {}

    def of(self, route: object) -> list[tuple[bytes, bytes]]:
        """The headers for an answer of ``route`` (none unless it is marked)."""
        if route is None:
            return []
        built = self._built.get(id(route))
        if built is None or built[0] is not route:
            extra = getattr(route, "openapi_extra", None) or {}
            marked = getattr(route, "deprecated", False) and SUNSET_KEY in extra
            built = self._built[id(route)] = (route, headers_for(extra) if marked else [])
        return built[1]
