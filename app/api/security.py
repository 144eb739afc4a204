"""Who is calling: API keys from ``Authorization: Bearer`` or ``X-API-Key`` (never the query
string), and the scopes a route needs. Routes that declare nothing are public; the route table
test walks every route, so an undeclared one cannot slip through unnoticed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.errors import Forbidden, Unauthorized
from app.services.keys import Principal, PrincipalCache, authenticate

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <key>`")
QUERY_KEYS = ("api_key", "apikey", "key", "token", "access_token")


def _credential(
    request: Request,
    creds: HTTPAuthorizationCredentials | None,
    header_key: str | None,
) -> str | None:
    if any(k in request.query_params for k in QUERY_KEYS):
        raise Unauthorized(
            detail="Keys in the query string are refused (they leak into logs); send Authorization: Bearer or X-API-Key.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if creds is not None and creds.scheme.lower() == "bearer":
        return creds.credentials
    return header_key


async def optional_principal(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal | None:
    presented = _credential(request, creds, header_key)
    if presented is None:
        return None
    cache: PrincipalCache = request.app.state.key_cache
    principal = cache.get(presented)
    if principal is None:
        # The only database touch on a public request: a key this worker has not seen succeed.
        generation = cache.generation
        principal = await run_in_threadpool(authenticate, request.app.state.uow, presented)
        if principal is not None:
            cache.put(presented, principal, generation)
    if principal is None:
        raise Unauthorized(
            detail="The API key is not valid.", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


def require(scope: str):  # type: ignore[no-untyped-def]
    """A dependency that admits a key holding ``scope`` (``admin`` holds every scope)."""

    async def dependency(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> Principal:
        if principal is None:
            raise Unauthorized(
                detail=f"This needs an API key with scope {scope!r}.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.has(scope):
            raise Forbidden(detail=f"The key {principal.name!r} lacks scope {scope!r}.")
        return principal

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    return dependency


async def public_unless_required(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal | None:
    """Public reads and recommendations, unless COUNTYPATH_REQUIRE_KEY=true."""
    if principal is None and request.app.state.settings.require_key:
        raise Unauthorized(
            detail="This deployment requires an API key.", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


AssessmentsKey = Annotated[Principal, Depends(require("assessments"))]
KbWriteKey = Annotated[Principal, Depends(require("kb:write"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
