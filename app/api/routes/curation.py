"""Knowledge-base curation (scope kb:write), the audit trail (admin), export and import.

No `from __future__ import annotations` here: the routes are built in a loop and FastAPI must
see each closure's body model as a real type, not as an unresolvable string.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import SnapshotDep, StoreDep, UowDep
from app.api.http import json_response
from app.api.negotiation import require_json_accept, require_json_body
from app.api.pagination import CursorParam, LimitParam, paginate_query
from app.api.security import AdminKey, KbWriteKey, public_unless_required
from app.domain.item_kinds import ItemKind
from app.domain.snapshot import Snapshot
from app.schemas.catalog import page_of
from app.schemas.common import problem_responses
from app.schemas.curation import AuditPage, KbExport
from app.schemas.versions import KbChangeOut, KbRollbackIn, KbVersionOut
from app.services import curation
from app.services.audit import list_events
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
ConfirmParam = Annotated[
    Literal["remove"] | None,
    Query(
        description="`remove` confirms a change that removes most of the knowledge base (more "
        "than half of a kind, or every item of one); without it such a change is refused (409)."
    ),
]
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 406, 409, 412, 413, 415, 422, 428, 503)


async def _run(store: KnowledgeStore, write: Any, *args: Any) -> curation.WriteOutcome:
    """Run a curation write off the event loop and serve its snapshot at once in this worker."""
    outcome: curation.WriteOutcome = await run_in_threadpool(write, *args)
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


def _create_endpoint(kind: str, model: type[BaseModel]) -> Callable[..., Awaitable[Response]]:
    async def create(
        who: KbWriteKey,
        uow: UowDep,
        store: StoreDep,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> Response:
        payload = cast(BaseModel, body).model_dump(mode="json")
        outcome = await _run(store, curation.create_item, uow, who, kind, payload)
        return _item_response(outcome, 201, f"/v1/{kind}/{vars(outcome.item)['slug']}")

    return create


def _replace_endpoint(kind: str, model: type[BaseModel]) -> Callable[..., Awaitable[Response]]:
    async def replace(
        who: KbWriteKey,
        uow: UowDep,
        store: StoreDep,
        slug: SlugParam,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
        if_match: IfMatch = None,
    ) -> Response:
        payload = cast(BaseModel, body).model_dump(mode="json")
        args = (uow, who, kind, slug, payload, if_match)
        return _item_response(await _run(store, curation.replace_item, *args), 200)

    return replace


def _patch_endpoint(kind: str) -> Callable[..., Awaitable[Response]]:
    async def update(
        who: KbWriteKey,
        uow: UowDep,
        store: StoreDep,
        slug: SlugParam,
        body: Annotated[dict[str, Any], Body(description="RFC 7396 merge patch of the item.")],
        if_match: IfMatch = None,
    ) -> Response:
        args = (uow, who, kind, slug, body, if_match)
        return _item_response(await _run(store, curation.patch_item, *args), 200)

    return update


def _delete_endpoint(kind: str) -> Callable[..., Awaitable[Response]]:
    async def delete(
        who: KbWriteKey,
        uow: UowDep,
        store: StoreDep,
        slug: SlugParam,
        if_match: IfMatch = None,
        confirm: ConfirmParam = None,
    ) -> Response:
        args = (uow, who, kind, slug, if_match, confirm is not None)
        await _run(store, curation.delete_item, *args)
        return Response(status_code=204)

    return delete


def _register(kind: str, spec: ItemKind) -> None:
    """POST on the collection; PUT, PATCH and DELETE on an item."""
    noun = kind.replace("-", " ")
    item = f"/{kind}/{{slug}}"
    body = {
        "tags": ["curation"],
        "dependencies": [Depends(require_json_body)],
        "response_model": spec.model,
        "responses": WRITE_ERRORS,
    }
    router.add_api_route(
        f"/{kind}",
        _create_endpoint(kind, spec.model),
        methods=["POST"],
        operation_id=f"{kind}-create",
        status_code=201,
        summary=f"Create one of the {noun}",
        description=f"Adds an item to the {noun}; validated like the seeds (cross-references "
        "included), one transaction that bumps the version and records an audit event.",
        **body,  # type: ignore[arg-type]
    )
    router.add_api_route(
        item,
        _replace_endpoint(kind, spec.model),
        methods=["PUT"],
        operation_id=f"{kind}-replace",
        summary=f"Replace one of the {noun}",
        description="Replaces the item whole. `If-Match` is required.",
        **body,  # type: ignore[arg-type]
    )
    router.add_api_route(
        item,
        _patch_endpoint(kind),
        methods=["PATCH"],
        operation_id=f"{kind}-update",
        summary=f"Patch one of the {noun}",
        description="Applies an RFC 7396 merge patch to the item's document form "
        "(bilingual texts as `{en, zh}`). `If-Match` is required.",
        **body,  # type: ignore[arg-type]
    )
    router.add_api_route(
        item,
        _delete_endpoint(kind),
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
    description="Replaces the whole knowledge base with the document sent, validated whole: all "
    "or nothing. The content replaced stays in the version history (`GET /v1/kb/versions`). An "
    "import that removes most of the knowledge base needs `?confirm=remove`.",
    responses=problem_responses(400, 401, 403, 406, 409, 413, 415, 422, 503),
    response_model=KbChangeOut,
    dependencies=[Depends(require_json_body)],
)
async def import_kb(
    who: KbWriteKey,
    uow: UowDep,
    store: StoreDep,
    body: Annotated[dict[str, Any], Body()],
    confirm: ConfirmParam = None,
) -> Response:
    args = (uow, who, body, "import", confirm is not None)
    snap, changed = await run_in_threadpool(curation.import_kb, *args)
    return _kb_change(store, snap, changed)


def _kb_change(store: KnowledgeStore, snap: Snapshot, changed: bool) -> Response:
    """Serve a whole-knowledge-base change at once in this worker, and answer with it."""
    store.install(snap)
    body = {
        "version": snap.version,
        "kb_version": snap.kb_version,
        "checksum": snap.checksum,
        "changed": changed,
    }
    return json_response(body, headers={"ETag": curation.kb_etag(snap.version, snap.checksum)})


@router.get(
    "/kb/versions",
    operation_id="kb-versions-list",
    tags=["curation"],
    summary="Knowledge-base versions",
    description="Every version of the knowledge base, newest first (scope admin): who made it, "
    "when, and whether its content is kept so it can be restored with `POST /v1/kb/rollback`.",
    response_model=page_of(KbVersionOut),
    responses=problem_responses(400, 401, 403, 406, 422, 503),
)
def kb_versions(
    request: Request,
    who: AdminKey,
    uow: UowDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Response:
    body, headers = paginate_query(
        request,
        lambda offset, count: curation.list_versions(uow, offset, count),
        limit,
        cursor,
        "kb-versions",
    )
    return json_response(body, headers=headers)


@router.post(
    "/kb/rollback",
    operation_id="kb-rollback-create",
    tags=["curation"],
    summary="Roll the knowledge base back",
    description="Serves the content of an earlier version again, as a new version (scope admin; "
    "audited). `If-Match` must carry the ETag of `GET /v1/kb` (428 without, 412 when the "
    "knowledge base changed since). A rollback that removes most of the knowledge base needs "
    "`?confirm=remove`.",
    response_model=KbChangeOut,
    responses=problem_responses(400, 401, 403, 406, 409, 412, 413, 415, 422, 428, 503),
    dependencies=[Depends(require_json_body)],
)
async def kb_rollback(
    who: AdminKey,
    uow: UowDep,
    store: StoreDep,
    body: KbRollbackIn,
    if_match: IfMatch = None,
    confirm: ConfirmParam = None,
) -> Response:
    args = (uow, who, body.version, if_match, confirm is not None)
    snap, changed = await run_in_threadpool(curation.rollback, *args)
    return _kb_change(store, snap, changed)


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
    uow: UowDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Response:
    body, headers = paginate_query(
        request,
        lambda offset, count: list_events(uow, offset, count),
        limit,
        cursor,
        "audit",
    )
    return json_response(body, headers=headers)
