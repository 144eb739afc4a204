"""The published OpenAPI document: every error response is problem+json with one Problem schema,
including FastAPI's own validation errors, so clients and contract tests see what is sent."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PUBLIC_TAGS = {"catalog", "diagnosis"}
PUBLIC_OPERATIONS = {"kb-export", "reports-create"}
_ERROR_DESCRIPTIONS = {
    "422": "Invalid input; errors[] names each field by JSON Pointer",
}


def _head_of(get: dict[str, Any]) -> dict[str, Any]:
    """The HEAD operation every GET resource has (HeadMiddleware): the GET's parameters, status
    codes and headers, no body."""
    head = copy.deepcopy(get)
    head["operationId"] = f"{get['operationId']}-head"
    head["summary"] = f"{get['summary']} (headers only)"
    head["description"] = (
        "The same status and headers as the GET, without a body (RFC 9110 section 9.3.2): "
        "check that a resource exists, or its ETag, without transferring it."
    )
    return head


def install(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            contact=app.contact,
            license_info=app.license_info,
        )
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                # A key is optional on public operations (required only when the deployment
                # sets COUNTYPATH_REQUIRE_KEY): an empty requirement says "or none".
                public = set(operation.get("tags", ())) & PUBLIC_TAGS or (
                    operation.get("operationId") in PUBLIC_OPERATIONS
                )
                if operation.get("security") and public:
                    operation["security"] = [{}, *operation["security"]]
                responses = operation.get("responses", {})
                if not operation.get("operationId", "").startswith(("health-", "metrics-")):
                    # Admission control answers before any route: document it everywhere it applies.
                    responses.setdefault(
                        "429", {"description": "Rate limit exceeded (see RateLimit headers)"}
                    )
                    responses.setdefault(
                        "503", {"description": "Overloaded, timed out or database unavailable"}
                    )
                if "requestBody" in operation:
                    responses.setdefault("408", {"description": "The body did not arrive in time"})
                for status, response in responses.items():
                    if status[0] in "45":
                        response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
                        if (
                            status in _ERROR_DESCRIPTIONS
                            and response.get("description") == "Validation Error"
                        ):
                            response["description"] = _ERROR_DESCRIPTIONS[status]
        for item in schema.get("paths", {}).values():
            if "get" in item and "head" not in item:
                item["head"] = _head_of(item["get"])
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
