"""Who is calling: API keys from ``Authorization: Bearer`` or ``X-API-Key`` (never the query
string), and the scopes a route needs.

The key is checked once, by :class:`AuthenticationMiddleware`, before anything else spends on the
request: an invalid credential is a 401 before any database query beyond the key check or any
body parsing. The rate limit then counts requests by the verified key, or by client address,
and an invalid credential's attempt counts against its client address before its 401 is sent. The
route dependencies read the verdict and check scopes; routes that declare nothing are public, and
the route table test walks every route, so an undeclared one cannot slip through unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.middleware import unguarded
from app.errors import AppError, Forbidden, Unauthorized, Unavailable
from app.services.key_directory import MAX_CREDENTIAL, KeyDirectory
from app.services.keys import Principal
from app.services.problem_text import problem

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <key>`")
QUERY_KEYS = frozenset({"api_key", "apikey", "key", "token", "access_token"})
CHALLENGE = {"WWW-Authenticate": "Bearer"}


def presented_key(scope: Scope) -> str | None:
    """The key the request carries, or None; 401 for a credential that cannot be one of ours:
    in the query string, longer than any key, or two different ones at once."""
    query = scope.get("query_string", b"").decode("latin-1")
    if query and any(name in QUERY_KEYS for name, _ in parse_qsl(query, keep_blank_values=True)):
        raise problem(Unauthorized, "keys_in_query", headers=CHALLENGE)
    found: set[bytes] = set()
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.strip().partition(b" ")
            if scheme.lower() == b"bearer":  # other schemes (Basic for a proxy) are not ours
                found.add(token.strip())
        elif name == b"x-api-key":
            found.add(value.strip())
    if len(found) > 1:
        raise problem(Unauthorized, "two_keys", headers=CHALLENGE)
    if not found:
        return None
    (raw,) = found
    if len(raw) > MAX_CREDENTIAL:
        raise problem(Unauthorized, "key_invalid", headers=CHALLENGE)
    return raw.decode("latin-1")


class AuthenticationMiddleware:
    """Settles who is calling (``scope["state"]["principal"]``), or why no one may: a failed
    credential is left in ``scope["state"]["refusal"]``, to be answered once it was counted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if unguarded(scope):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        try:
            state["principal"] = await _authenticate(scope)
        except AppError as exc:
            # Answered by LimitsMiddleware once the attempt is counted against the client
            # address; any route that would still be reached raises it (optional_principal).
            state["principal"] = None
            state["refusal"] = exc
        await self.app(scope, receive, send)


async def _authenticate(scope: Scope) -> Principal | None:
    presented = presented_key(scope)
    if presented is None:
        return None
    directory: KeyDirectory = scope["app"].state.keys
    try:
        principal = await directory.principal(presented)
    except SQLAlchemyError:
        raise problem(Unavailable, "keys_unavailable", headers={"Retry-After": "2"}) from None
    if principal is None:
        raise problem(Unauthorized, "key_invalid", headers=CHALLENGE)
    return principal


@dataclass(frozen=True)
class Access:
    """What a route demands: a key holding ``scope``, or (``scope`` None) a key only when the
    deployment sets COUNTYPATH_REQUIRE_KEY."""

    scope: str | None

    def refusal(self, principal: Principal | None, require_key: bool) -> AppError | None:
        if principal is None:
            if self.scope is None and not require_key:
                return None
            if self.scope is None:
                return problem(Unauthorized, "key_required", headers=CHALLENGE)
            return problem(Unauthorized, "scope_required", headers=CHALLENGE, scope=self.scope)
        if self.scope is not None and not principal.has(self.scope):
            return problem(Forbidden, "key_lacks_scope", key_name=principal.name, scope=self.scope)
        return None


def verified_principal(request: Request) -> Principal | None:
    """The caller AuthenticationMiddleware verified; its refusal, if the credential failed."""
    refusal: AppError | None = getattr(request.state, "refusal", None)
    if refusal is not None:
        raise refusal
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


async def optional_principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal | None:
    """The caller AuthenticationMiddleware verified. ``creds`` and ``header_key`` are declared so
    the published schema names both ways to send a key."""
    del creds, header_key
    return verified_principal(request)


def require(scope: str):  # type: ignore[no-untyped-def]
    """A dependency that admits a key holding ``scope`` (``admin`` holds every scope)."""
    access = Access(scope)

    async def dependency(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> Principal:
        refusal = access.refusal(principal, require_key=True)
        if refusal is not None:
            raise refusal
        assert principal is not None
        return principal

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    dependency.access = access  # type: ignore[attr-defined]
    return dependency


async def public_unless_required(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal | None:
    """Public reads and recommendations, unless COUNTYPATH_REQUIRE_KEY=true."""
    return admit_public(request, principal)


def admit_public(request: Request, principal: Principal | None) -> Principal | None:
    """``principal``, if a public route admits it (any caller, unless the deployment requires a
    key); else the 401."""
    refusal = PUBLIC.refusal(principal, request.app.state.settings.require_key)
    if refusal is not None:
        raise refusal
    return principal


PUBLIC = Access(None)
public_unless_required.access = PUBLIC  # type: ignore[attr-defined]


def access_refusal(request: Request) -> AppError | None:
    """The 401 or 403 the route would give this caller, if any. An error found before the route's
    own access check ran (a malformed body, an unsupported media type) yields to it, so a caller
    without access learns nothing about how the route reads its input."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    principal: Principal | None = getattr(request.state, "principal", None)
    require_key: bool = request.app.state.settings.require_key
    for access in _accesses(dependant):
        refusal = access.refusal(principal, require_key)
        if refusal is not None:
            return refusal
    return None


def _accesses(dependant: Any) -> list[Access]:
    found = []
    for dep in dependant.dependencies:
        access = getattr(dep.call, "access", None)
        if isinstance(access, Access):
            found.append(access)
        found += _accesses(dep)
    return found


AssessmentsKey = Annotated[Principal, Depends(require("assessments"))]
KbWriteKey = Annotated[Principal, Depends(require("kb:write"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
