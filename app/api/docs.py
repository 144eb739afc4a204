"""The documentation pages, /docs (Swagger UI) and /redoc, served from the vendored assets of
fastapi-offline with nothing from another host: no fonts, no validator badge, ReDoc's bundle
without its footer logo (which it loads from a CDN), and a Content-Security-Policy that confines
every load to this server in case a later bundle adds another."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse, Response

STATIC = "/static-offline-docs"
REDOC_JS = "/docs-assets/redoc.standalone.js"
FAVICON = f"{STATIC}/favicon.png"
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA="
# Swagger UI starts from an inline script; ReDoc builds its search index in a blob worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SWAGGER_PARAMETERS = {"validatorUrl": None, "deepLinking": True}


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    """ReDoc's standalone bundle with the CDN logo of its footer replaced by an empty image."""
    folder = Path(fastapi_offline.__file__).parent / "static"
    return (folder / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, EMPTY_IMAGE)


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


def _page(render: Callable[[str], HTMLResponse]) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """A documentation page rendered for the app's root path (``render(root)``) and confined
    to this server."""

    async def page(request: Request) -> HTMLResponse:
        return _confined(render(request.scope.get("root_path", "")))

    return page


class _Shared(TypedDict):
    openapi_url: str
    title: str


def install(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Register both pages; the app must have been built with ``docs_url=None, redoc_url=None``
    and serve the assets at ``STATIC`` (fastapi-offline mounts them there)."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect = f"{docs_url}/oauth2-redirect"
    # The pages' functions hold the title, not the app: FastAPI caches facts about every
    # endpoint function process-wide, so a function that held the app would keep each app built
    # in the process (and its compiled knowledge base) alive.
    title = app.title

    def shared(root: str, viewer: str) -> _Shared:
        """What both pages take alike: the document they show and their title."""
        return {"openapi_url": f"{root}{openapi_url}", "title": f"{title} - {viewer}"}

    def swagger_ui(root: str) -> HTMLResponse:
        return get_swagger_ui_html(
            **shared(root, "Swagger UI"),
            oauth2_redirect_url=f"{root}{redirect}",
            swagger_js_url=f"{root}{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{root}{FAVICON}",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    def redoc(root: str) -> HTMLResponse:
        return get_redoc_html(
            **shared(root, "ReDoc"),
            redoc_js_url=f"{root}{REDOC_JS}",
            redoc_favicon_url=f"{root}{FAVICON}",
            with_google_fonts=False,
        )

    app.get(docs_url, include_in_schema=False)(_page(swagger_ui))
    app.get(redirect, include_in_schema=False)(
        _page(lambda _: get_swagger_ui_oauth2_redirect_html())
    )

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            redoc_bundle(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.get(redoc_url, include_in_schema=False)(_page(redoc))
