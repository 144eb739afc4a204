"""Knowledge-base curation (scope kb:write), the audit trail (admin), export and import.

No `from __future__ import annotations` here: the routes are built in a loop and FastAPI must
see each closure's body model as a real type, not as an unresolvable string.
"""

from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Depends, Header, Path, Request
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import EngineDep, SnapshotDep, StoreDep
from app.api.http import json_response
from app.api.negotiation import require_json_accept, require_json_body
from app.api.pagination import CursorParam, LimitParam, paginate_query
from app.api.security import AdminKey, KbWriteKey, public_unless_required
from app.schemas.common import problem_responses
from app.schemas.curation import AuditPage, KbExport, KbImportResult
from app.services import curation
from app.services.audit import list_events
from app.services.keys import Principal
from app.services.knowledge_store import KnowledgeStore

router = APIRouter(prefix="/v1", dependencies=[Depends(require_json_accept)])
SlugParam = Annotated[str, Path(min_length=1, max_length=80, description="Stable kebab-case slug.")]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="The ETag from a GET of the item; required (428 without, 412 when stale).",
    ),
]
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 428, 503)


async def _write(
    store: KnowledgeStore,
    engine: Engine,
    who: Principal,
    kind: str,
    action: str,
    slug: str | None,
    payload: Any,
    if_match: str | None,
) -> curation.WriteOutcome:
    """Run a curation write off the event loop and serve its snapshot at once in this worker."""
    outcome = await run_in_threadpool(
        curation.write, engine, who, kind, action, slug, payload, if_match
    )
    store.install(outcome.snapshot)
    return outcome


def _item_response(
    outcome: curation.WriteOutcome, status: int, location: str | None = None
) -> Response:
    assert outcome.item is not None
    assert outcome.etag is not None
    headers = {"ETag": outcome.etag}
    if location:
        headers["Location"] = location
    return json_response(outcome.item.model_dump(mode="json"), status=status, headers=headers)


def _register(kind: str, spec: curation.Kind) -> None:
    model: type[BaseModel] = spec.model
    noun = kind.replace("-", " ")

    async def create(
        request: Request,
        who: KbWriteKey,
        engine: EngineDep,
        store: StoreDep,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> Response:
        outcome = await _write(
            store,
            engine,
            who,
            kind,
            "create",
            None,
            cast(BaseModel, body).model_dump(mode="json"),
            None,
        )
        slug = vars(outcome.item)["slug"]
        return _item_response(outcome, 201, f"/v1/{kind}/{slug}")

    async def replace(
        who: KbWriteKey,
        engine: EngineDep,
        store: StoreDep,
        slug: SlugParam,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> Response:
        outcome = await _write(
            store,
            engine,
            who,
            kind,
            "replace",
            slug,
            cast(BaseModel, body).model_dump(mode="json"),
            if_match,
        )
        return _item_response(outcome, 200)

    async def update(
        who: KbWriteKey,
        engine: EngineDep,
        store: StoreDep,
        slug: SlugParam,
        body: Annotated[dict[str, Any], Body(description="RFC 7396 merge patch of the item.")],
        if_match: IfMatch = None,
    ) -> Response:
        outcome = await _write(store, engine, who, kind, "update", slug, body, if_match)
        return _item_response(outcome, 200)

    async def delete(
        who: KbWriteKey,
        engine: EngineDep,
        store: StoreDep,
        slug: SlugParam,
        if_match: IfMatch = None,
    ) -> Response:
        await _write(store, engine, who, kind, "delete", slug, None, if_match)
        return Response(status_code=204)

    common = {"tags": ["curation"], "dependencies": [Depends(require_json_body)]}
    router.add_api_route(
        f"/{kind}",
        create,
        methods=["POST"],
        operation_id=f"{kind}-create",
        status_code=201,
        summary=f"Create one of the {noun}",
        response_model=model,
        responses=WRITE_ERRORS,
        description=f"Adds an item to the {noun}; validated like the seeds (cross-references "
        "included), one transaction that bumps the version and records an audit event.",
        **common,  # type: ignore[arg-type]
    )
    router.add_api_route(
        f"/{kind}/{{slug}}",
        replace,
        methods=["PUT"],
        operation_id=f"{kind}-replace",
        summary=f"Replace one of the {noun}",
        response_model=model,
        responses=WRITE_ERRORS,
        description="Replaces the item whole. `If-Match` is required.",
        **common,  # type: ignore[arg-type]
    )
    router.add_api_route(
        f"/{kind}/{{slug}}",
        update,
        methods=["PATCH"],
        operation_id=f"{kind}-update",
        summary=f"Patch one of the {noun}",
        response_model=model,
        responses=WRITE_ERRORS,
        description="Applies an RFC 7396 merge patch to the item's document form "
        "(bilingual texts as `{en, zh}`). `If-Match` is required.",
        **common,  # type: ignore[arg-type]
    )
    router.add_api_route(
        f"/{kind}/{{slug}}",
        delete,
        methods=["DELETE"],
        operation_id=f"{kind}-delete",
        status_code=204,
        summary=f"Delete one of the {noun}",
        response_class=Response,
        responses=problem_responses(401, 403, 404, 406, 409, 412, 422, 428, 503),
        description="Deletes the item; 409 while anything still refers to it. `If-Match` is required.",
        tags=["curation"],
    )


for _kind, _spec in curation.KINDS.items():
    _register(_kind, _spec)


@router.get(
    "/kb/export",
    operation_id="kb-export",
    tags=["curation"],
    summary="Export the knowledge base",
    description="The whole knowledge base as one JSON document (the format `kb import` and the seeds share).",
    response_model=KbExport,
    responses=problem_responses(401, 406, 503),
    dependencies=[Depends(public_unless_required)],
)
def export_kb(snap: SnapshotDep) -> Response:
    return Response(
        snap.kb.canonical_json(),
        media_type="application/json",
        headers={"ETag": f'"{snap.checksum[:32]}"'},
    )


@router.post(
    "/kb/import",
    operation_id="kb-import",
    tags=["curation"],
    summary="Import a knowledge base",
    description="Replaces the whole knowledge base with the document sent, validated whole: all or nothing.",
    response_model=KbImportResult,
    responses=problem_responses(400, 401, 403, 406, 413, 415, 422, 503),
    dependencies=[Depends(require_json_body)],
)
async def import_kb(
    who: KbWriteKey, engine: EngineDep, store: StoreDep, body: Annotated[dict[str, Any], Body()]
) -> Response:
    snap, changed = await run_in_threadpool(curation.import_kb, engine, who, body)
    store.install(snap)
    return json_response(
        {
            "version": snap.version,
            "kb_version": snap.kb_version,
            "checksum": snap.checksum,
            "changed": changed,
        }
    )


@router.get(
    "/audit",
    operation_id="audit-list",
    tags=["curation"],
    summary="Audit trail",
    description="Who changed what in the knowledge base and when, newest first (scope admin).",
    response_model=AuditPage,
    responses=problem_responses(400, 401, 403, 406, 422, 503),
)
def audit(
    request: Request,
    who: AdminKey,
    engine: EngineDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Response:
    body, headers = paginate_query(
        request,
        lambda offset, count: list_events(engine, offset, count),
        limit,
        cursor,
        "audit",
    )
    return json_response(body, headers=headers)
