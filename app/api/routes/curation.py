"""Knowledge-base curation (scope kb:write), the audit trail (admin), export and import.

No `from __future__ import annotations` here: the routes are built in a loop and FastAPI must
see each closure's body model as a real type, not as an unresolvable string.
"""

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.api.deps import SnapshotDep, StoreDep, UowDep
from app.api.http import json_response
from app.api.negotiation import require_json_accept, require_json_body
from app.api.pagination import CursorParam, LimitParam, paged_response
from app.api.routes.specs import Endpoint, RouteOptions, RouteSpec, add_routes
from app.api.security import AdminKey, KbWriteKey, public_unless_required
from app.domain.item_kinds import ItemKind
from app.domain.snapshot import Snapshot
from app.schemas.catalog import page_of
from app.schemas.common import KEYED_BODY_ERRORS, KEYED_LIST_ERRORS, problem_responses
from app.schemas.curation import AuditPage, KbExport
from app.schemas.versions import KbChangeOut, KbRollbackIn, KbVersionOut
from app.services import curation
from app.services.audit import list_events
from app.services.keys import Principal
from app.services.knowledge_store import KnowledgeStore
from app.services.ports import UnitOfWork
from app.services.preconditions import entity_tag

router = APIRouter(prefix="/v1", tags=["curation"], dependencies=[Depends(require_json_accept)])
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


@dataclass(frozen=True, slots=True)
class Writer:
    """A write's context: who writes (their scope checked), the unit of work to write through,
    and the store that serves the result in this worker at once."""

    who: Principal
    uow: UnitOfWork
    store: KnowledgeStore


async def _curator(who: KbWriteKey, uow: UowDep, store: StoreDep) -> Writer:
    return Writer(who, uow, store)


async def _admin(who: AdminKey, uow: UowDep, store: StoreDep) -> Writer:
    return Writer(who, uow, store)


Curator = Annotated[Writer, Depends(_curator)]
Admin = Annotated[Writer, Depends(_admin)]


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


def _create_endpoint(kind: str, model: type[BaseModel]) -> Endpoint:
    async def create(
        writer: Curator,
        body: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> Response:
        payload = cast(BaseModel, body).model_dump(mode="json")
        outcome = await _run(
            writer.store, curation.create_item, writer.uow, writer.who, kind, payload
        )
        return _item_response(outcome, 201, f"/v1/{kind}/{vars(outcome.item)['slug']}")

    return create


def _rewrite_endpoint(kind: str, body_type: Any, write: Any) -> Endpoint:
    """PUT (``body_type`` the item's model) or PATCH (a merge patch): ``write`` the item."""

    async def rewrite(
        writer: Curator, slug: SlugParam, body: body_type, if_match: IfMatch = None
    ) -> Response:
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        args = (writer.uow, writer.who, kind, slug, payload, if_match)
        return _item_response(await _run(writer.store, write, *args), 200)

    return rewrite


def _delete_endpoint(kind: str) -> Endpoint:
    async def delete(
        writer: Curator, slug: SlugParam, if_match: IfMatch = None, confirm: ConfirmParam = None
    ) -> Response:
        args = (writer.uow, writer.who, kind, slug, if_match, confirm is not None)
        await _run(writer.store, curation.delete_item, *args)
        return Response(status_code=204)

    return delete


MergePatch = Annotated[dict[str, object], Body(description="RFC 7396 merge patch of the item.")]
# Each write's summary and description; {noun} is the kind in words.
WRITE_DOCS = {
    "create": (
        "Create one of the {noun}",
        "Adds an item to the {noun}; validated like the seeds (cross-references included), one "
        "transaction that bumps the version and records an audit event.",
    ),
    "replace": ("Replace one of the {noun}", "Replaces the item whole. `If-Match` is required."),
    "update": (
        "Patch one of the {noun}",
        "Applies an RFC 7396 merge patch to the item's document form (bilingual texts as "
        "`{{en, zh}}`). `If-Match` is required.",
    ),
    "delete": (
        "Delete one of the {noun}",
        "Deletes the item; 409 while anything still refers to it. `If-Match` is required.",
    ),
}
DELETE_OPTIONS: RouteOptions = {
    "methods": ["DELETE"],
    "status_code": 204,
    "response_class": Response,
    "responses": problem_responses(401, 403, 404, 406, 409, 412, 422, 428, 503),
}


def _register(kind: str, spec: ItemKind) -> None:
    """POST on the collection; PUT, PATCH and DELETE on an item."""
    noun, item = kind.replace("-", " "), f"/{kind}/{{slug}}"
    writes: RouteOptions = {
        "dependencies": [Depends(require_json_body)],
        "response_model": spec.model,
        "responses": WRITE_ERRORS,
    }
    replace = _rewrite_endpoint(kind, Annotated[spec.model, Body()], curation.replace_item)
    endpoints: dict[str, tuple[str, Endpoint, RouteOptions]] = {
        "create": (
            f"/{kind}",
            _create_endpoint(kind, spec.model),
            writes | {"methods": ["POST"], "status_code": 201},
        ),
        "replace": (item, replace, writes | {"methods": ["PUT"]}),
        "update": (
            item,
            _rewrite_endpoint(kind, MergePatch, curation.patch_item),
            writes | {"methods": ["PATCH"]},
        ),
        "delete": (item, _delete_endpoint(kind), DELETE_OPTIONS),
    }
    routes = []
    for action, (path, endpoint, options) in endpoints.items():
        summary, description = (text.format(noun=noun) for text in WRITE_DOCS[action])
        routes.append(RouteSpec(path, endpoint, action, summary, description, options))
    add_routes(router, kind, routes)


for _kind, _spec in curation.KINDS.items():
    _register(_kind, _spec)


@router.get(
    "/kb/export",
    operation_id="kb-export",
    summary="Export the knowledge base",
    description="The whole knowledge base as one JSON document, expert cases included: the "
    "format `POST /v1/kb/import`, `countypath kb import` and the seeds share.",
    response_model=KbExport,
    responses=problem_responses(401, 406, 503),
    dependencies=[Depends(public_unless_required)],
)
def export_kb(snap: SnapshotDep) -> Response:
    return Response(
        snap.kb.canonical_json(),
        media_type="application/json",
        headers={"ETag": entity_tag(snap.checksum)},
    )


@router.post(
    "/kb/import",
    operation_id="kb-import",
    summary="Import a knowledge base",
    description="Replaces the whole knowledge base with the document sent, validated whole: all "
    "or nothing. The content replaced stays in the version history (`GET /v1/kb/versions`). An "
    "import that removes most of the knowledge base needs `?confirm=remove`.",
    responses=KEYED_BODY_ERRORS,
    response_model=KbChangeOut,
    dependencies=[Depends(require_json_body)],
)
async def import_kb(
    writer: Curator, body: Annotated[dict[str, object], Body()], confirm: ConfirmParam = None
) -> Response:
    args = (writer.uow, writer.who, body, "import", confirm is not None)
    snap, changed = await run_in_threadpool(curation.import_kb, *args)
    return _kb_change(writer.store, snap, changed)


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
    summary="Knowledge-base versions",
    description="Every version of the knowledge base, newest first (scope admin): who made it, "
    "when, and whether its content is kept so it can be restored with `POST /v1/kb/rollback`.",
    response_model=page_of(KbVersionOut),
    responses=KEYED_LIST_ERRORS,
)
def kb_versions(
    request: Request, who: AdminKey, uow: UowDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Response:
    return paged_response(
        request, partial(curation.list_versions, uow), limit, cursor, "kb-versions"
    )


@router.post(
    "/kb/rollback",
    operation_id="kb-rollback-create",
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
    writer: Admin, body: KbRollbackIn, if_match: IfMatch = None, confirm: ConfirmParam = None
) -> Response:
    args = (writer.uow, writer.who, body.version, if_match, confirm is not None)
    snap, changed = await run_in_threadpool(curation.rollback, *args)
    return _kb_change(writer.store, snap, changed)


@router.get(
    "/audit",
    operation_id="audit-list",
    summary="Audit trail",
    description="Who changed what in the knowledge base and when, newest first (scope admin): "
    "each event names the version it made and the item (or version) before and after.",
    response_model=AuditPage,
    responses=KEYED_LIST_ERRORS,
)
def audit(
    request: Request, who: AdminKey, uow: UowDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Response:
    return paged_response(request, partial(list_events, uow), limit, cursor, "audit")
