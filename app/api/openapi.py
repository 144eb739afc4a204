"""The published OpenAPI document, completed after FastAPI builds it: every error answer is
problem+json with one Problem schema and an example; every response header is documented
(app.api.spec_headers); a key is optional on public operations, required on the others and absent
on probes; each closed vocabulary is one named enum; PATCH bodies are merge patches; If-Match is
required where its absence is a 428; catalog reads take If-None-Match; responses carry examples
(app/schemas/examples.json). Examples are set after FastAPI's encoder, which drops nulls."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from pydantic.json_schema import models_json_schema

from app.api import spec_headers
from app.api.middleware import ProblemDocument, problem_document
from app.api.reading import models_read_by
from app.domain.cases import EXPECTATIONS
from app.errors import CODES, ErrorCode
from app.schemas import vocabulary
from app.schemas.assessments import trend_example
from app.schemas.plans import deqing_plan_example
from app.schemas.result import deqing_result_examples

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
REF_TEMPLATE = "#/components/schemas/{model}"
KEY_SCHEMES: list[dict[str, list[str]]] = [{"HTTPBearer": []}, {"APIKeyHeader": []}]
PUBLIC_TAGS = {"catalog", "diagnosis", "reports", "plans"}
PUBLIC_OPERATIONS = {"kb-export", "plans-create"}
UNSECURED = ("health-", "metrics-", "page-")
SERVERS = [{"url": "/", "description": "The server that publishes this document."}]
EXAMPLES = Path(__file__).resolve().parent.parent / "schemas" / "examples.json"
_STATUS_CODE = {  # the example code of each status, where the status has several
    400: ErrorCode.MALFORMED_JSON,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}
_DESCRIPTIONS = {
    "429": "Rate limit exceeded (see the RateLimit headers and Retry-After)",
    "503": "Overloaded, timed out or database unavailable; retry after Retry-After",
}


def _obj(node: object) -> dict[str, object]:
    """``node`` as the JSON object the document holds there (FastAPI built it so)."""
    assert isinstance(node, dict), node
    return node


def _list(node: object) -> list[object]:
    """``node`` as the JSON array the document holds there."""
    assert isinstance(node, list), node
    return node


def _text(node: object) -> str:
    """``node`` as the string the document holds there ("" for none)."""
    return node if isinstance(node, str) else ""


def _operations(schema: dict[str, object]) -> Iterator[dict[str, object]]:
    """Every operation object of the document, path by path."""
    for item in _obj(schema["paths"]).values():
        yield from map(_obj, _obj(item).values())


@lru_cache(maxsize=1)
def published_examples() -> dict[str, dict[str, object]]:
    """Response and request examples by ``operationId``, then by ``"request"`` or status,
    generated from real answers (tests refresh them with UPDATE_OPENAPI_SNAPSHOT=1)."""
    data: dict[str, dict[str, object]] = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return data


def problem_example(status: int, path: str, op: Mapping[str, object]) -> ProblemDocument:
    """A problem document this operation can answer with ``status``."""
    code = _STATUS_CODE.get(status) or next(c for c, i in CODES.items() if i.status == status)
    if status == 400 and "requestBody" not in op:
        code = ErrorCode.INVALID_CURSOR
    example = problem_document(status, code, CODES[code].title, CODES[code].meaning, path)
    if code is ErrorCode.VALIDATION_FAILED:
        example["detail"] = "Some fields of the request are invalid; see errors."
        example["errors"] = [
            {"pointer": "/county/name", "code": "missing", "message": "Field required"}
            if "requestBody" in op
            else {
                "pointer": "",
                "code": "greater_than_equal",
                "message": "Input should be greater than or equal to 1",
                "in": "query",
                "parameter": "limit",
            }
        ]
    return example


def _security(op: dict[str, object]) -> None:
    """Public operations inherit the document's optional key; probes need none; the rest need
    one. (A client generator then lets public operations run without credentials.)"""
    operation_id = _text(op.get("operationId"))
    public = set(_list(op.get("tags", []))) & PUBLIC_TAGS or operation_id in PUBLIC_OPERATIONS
    if operation_id.startswith(UNSECURED):
        op["security"] = []
    elif public:
        op.pop("security", None)
    else:
        op["security"] = copy.deepcopy(KEY_SCHEMES)


def _responses(path: str, op: dict[str, object]) -> None:
    responses = _obj(op.setdefault("responses", {}))
    if "requestBody" in op:
        responses.setdefault("408", {"description": "The body did not arrive in time"})
    if not _text(op.get("operationId")).startswith(UNSECURED):
        # Admission control answers before any route: document it everywhere it applies.
        for status, text in _DESCRIPTIONS.items():
            responses.setdefault(status, {"description": text})
    for status, entry in responses.items():
        response = _obj(entry)
        if status[0] in "45":
            example = problem_example(int(status), path, op)
            response["content"] = {PROBLEM: {"schema": PROBLEM_REF, "example": example}}
            if response.get("description") == "Validation Error":
                response["description"] = "Invalid input; errors[] names each field by JSON Pointer"
        response["headers"] = spec_headers.headers_for(op, status)


def _preconditions(method: str, op: dict[str, object]) -> None:
    """If-Match is required where its absence is answered 428; catalog reads take
    If-None-Match and may answer 304."""
    responses = _obj(op.get("responses", {}))
    for param in map(_obj, _list(op.get("parameters", []))):
        if _text(param.get("name")).lower() == "if-match" and "428" in responses:
            param["required"] = True
    if method == "get" and "catalog" in _list(op.get("tags", [])):
        _list(op.setdefault("parameters", [])).append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "An ETag from an earlier answer: 304 when it is still current.",
                "schema": {"type": "string"},
            }
        )
        responses["304"] = {"description": "Not modified: the ETag is still current."}
    if method == "patch" and "requestBody" in op:
        content = _obj(_obj(op["requestBody"])["content"])
        content["application/merge-patch+json"] = content.pop("application/json")


class NamedEnum(TypedDict):
    """The schema component of a closed vocabulary."""

    type: str
    enum: list[str]
    title: str
    description: str


def _named_enums() -> dict[frozenset[str], NamedEnum]:
    """Values -> the component of every closed vocabulary (name, values in order, description)."""
    out: dict[frozenset[str], NamedEnum] = {}
    for item in vocabulary.VOCABULARIES:
        name, values = vocabulary.named_values(item)
        described = vocabulary.description_of(item)
        out[frozenset(values)] = {
            "type": "string",
            "enum": list(values),
            "title": name,
            "description": described,
        }
    return out


def _share_enums(schema: dict[str, object]) -> None:
    """Point every inline enum whose values are a named vocabulary at that one component (and
    write same-typed tuples as plain arrays)."""
    named = _named_enums()
    components = _obj(_obj(schema["components"])["schemas"])

    def walk(node: object, owner: str | None) -> object:
        if isinstance(node, list):
            return [walk(item, owner) for item in node]
        if not isinstance(node, dict):
            return node
        prefix = node.get("prefixItems")
        if prefix and "items" not in node and all(p == prefix[0] for p in _list(prefix)):
            # A fixed-length tuple of one type: plain items, which every generator reads.
            node = {k: v for k, v in node.items() if k != "prefixItems"} | {"items": prefix[0]}
        values = node.get("enum")
        strings = (
            values if isinstance(values, list) and all(isinstance(v, str) for v in values) else None
        )
        if strings is not None and node.get("type", "string") == "string":
            hit = named.get(frozenset(strings))
            if hit is not None and hit["title"] != owner:
                name = hit["title"]
                components.setdefault(name, hit)
                rest = {k: v for k, v in node.items() if k not in ("enum", "type", "title")}
                return {"$ref": f"#/components/schemas/{name}", **rest}
        return {k: walk(v, owner) for k, v in node.items()}

    for name in list(components):
        components[name] = walk(components[name], name)
    schema["paths"] = walk(schema["paths"], None)


# Vocabularies that may grow within /v1 (docs/versioning.md): their known values are one named
# enum, and every field that takes one also accepts any other string, so a client generated from
# this document reads a code added later instead of failing on it.
OPEN_SETS = ("ErrorCode", "WarningCode")
_OPEN_NOTE = (
    " An open set: these are the values known to this version; new ones may be added within /v1 "
    "without notice, so a client must accept (and may ignore) a value it does not know."
)


def _open_sets(schema: dict[str, object]) -> None:
    """Publish each of OPEN_SETS as its named enum of known values, and every use of it as
    ``anyOf: [that enum, string]``."""
    components = _obj(_obj(schema["components"])["schemas"])
    refs = {f"#/components/schemas/{name}" for name in OPEN_SETS if name in components}
    for ref in refs:
        named = _obj(components[ref.rsplit("/", 1)[-1]])
        said = _text(named.get("description")).rstrip()
        if "open" not in said.lower():  # a vocabulary may say so itself (schemas/vocabulary.py)
            named["description"] = said + _OPEN_NOTE

    def walk(node: object) -> object:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("$ref") in refs:
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {"anyOf": [{"$ref": node["$ref"]}, {"type": "string"}], **rest}
        return {k: walk(v) for k, v in node.items()}

    for name in list(components):
        if name not in OPEN_SETS:
            components[name] = walk(components[name])
    schema["paths"] = walk(schema["paths"])


def _typed_cases(components: dict[str, object]) -> None:
    """An expert case's profiles are county profiles and its expectations the known keys; the
    knowledge base keeps them as plain data (app.domain.cases), the document says what they
    hold."""
    if "Case" not in components or "CaseSet" not in components:
        return
    case, case_set = _obj(components["Case"]), _obj(components["CaseSet"])
    profile = {"$ref": "#/components/schemas/RecommendationRequest"}
    members = _obj(_obj(components["RecommendationRequest"])["properties"])
    changes = {
        "type": "object",
        "properties": {
            name: {"description": f"Merged into the base's `{name}`."} for name in members
        },
        "additionalProperties": False,
    }
    for holder, name, typed in (
        (case, "profile", profile),
        (case, "changes", changes),
        (case_set, "base", profile),
    ):
        field = _obj(_obj(holder["properties"])[name])
        field["anyOf"] = [typed, {"type": "null"}]
    expect = _obj(_obj(case["properties"])["expect"])
    expect.update(
        properties={
            key: {"description": (check.__doc__ or "See seeds/cases/README.md.").split("\n")[0]}
            for key, check in sorted(EXPECTATIONS.items())
        },
        additionalProperties=False,
    )


def _examples(schema: dict[str, object]) -> None:
    """Attach the published examples: ``{operationId: {status or "request": example}}``."""
    examples = published_examples()
    examples.pop("recommendations-create", None)  # published below as full, summary and trace
    for op in _operations(schema):
        found = examples.get(_text(op.get("operationId")), {})
        for key, example in found.items():
            # "request", "201" or "200 text/markdown": the part, and its media type if not the
            # first one declared.
            part, _, media = key.partition(" ")
            holder = op["requestBody"] if part == "request" else _obj(op["responses"])[part]
            content = _obj(_obj(holder).setdefault("content", {}))
            media = media or next(iter(content), "application/json")
            _obj(content.setdefault(media, {}))["example"] = example
    _result_examples(schema)


def _json_200(schema: dict[str, object], path: str, method: str) -> dict[str, object]:
    """The JSON media object of the 200 answer of ``method`` on ``path``."""
    op = _obj(_obj(_obj(schema["paths"])[path])[method])
    content = _obj(_obj(_obj(op["responses"])["200"])["content"])
    return _obj(content["application/json"])


def _result_examples(schema: dict[str, object]) -> None:
    """The Deqing result in each view and its plan, attached after generation so their nulls
    stay (the generator drops every null it meets)."""
    for path, method, example in (
        ("/v1/plans", "post", deqing_plan_example()),
        ("/v1/assessments/trend", "get", trend_example()),
    ):
        _json_200(schema, path, method)["example"] = example
    labels = {"full": "full view", "summary": "?view=summary", "trace": "?trace=true"}
    media = _json_200(schema, "/v1/recommendations", "post")
    media.pop("example", None)
    media["examples"] = {
        name: {"summary": f"Deqing, {labels[name]}", "value": value}
        for name, value in deqing_result_examples().items()
    }


def build_document(app: FastAPI) -> dict[str, object]:
    """FastAPI's document of ``app``, completed (see the module's docstring)."""
    schema: dict[str, object] = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=SERVERS,
        contact=app.contact,
        license_info=app.license_info,
    )
    components = _obj(schema.setdefault("components", {}))
    _add_bodies_read(app, _obj(components.setdefault("schemas", {})))
    schema["security"] = [{}, *copy.deepcopy(KEY_SCHEMES)]
    for path, item in _obj(schema.get("paths", {})).items():
        for method, op in _obj(item).items():
            _security(_obj(op))
            _preconditions(method, _obj(op))
            _responses(path, _obj(op))
    used = {
        _text(_obj(ref)["$ref"]).rsplit("/", 1)[-1]
        for op in _operations(schema)
        for response in _obj(op["responses"]).values()
        for ref in _obj(_obj(response).get("headers", {})).values()
    }
    components["headers"] = {k: v for k, v in spec_headers.HEADERS.items() if k in used}
    for unused in ("HTTPValidationError", "ValidationError"):
        _obj(components.get("schemas", {})).pop(unused, None)
    _share_enums(schema)
    _open_sets(schema)
    _typed_cases(_obj(components.get("schemas", {})))
    _examples(schema)
    for item in map(_obj, _obj(schema.get("paths", {})).values()):
        if "get" in item and "head" not in item:
            item["head"] = _head_of(_obj(item["get"]))
    return schema


def _add_bodies_read(app: FastAPI, schemas: dict[str, object]) -> None:
    """The schemas of bodies routes read themselves (app.api.reading), as FastAPI adds those of
    declared ones; a schema FastAPI already made is kept."""
    models = models_read_by(iter_route_contexts(app.router.routes))
    if not models:
        return
    _, found = models_json_schema([(m, "validation") for m in models], ref_template=REF_TEMPLATE)
    # Without nulls, as FastAPI's encoder leaves its own document.
    for name, definition in jsonable_encoder(found, exclude_none=True).get("$defs", {}).items():
        schemas.setdefault(name, definition)


def _head_of(get: dict[str, object]) -> dict[str, object]:
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
    def build() -> dict[str, object]:
        if not app.openapi_schema:
            app.openapi_schema = build_document(app)
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
