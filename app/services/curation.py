"""Curating the knowledge base over HTTP: create, replace, patch and delete items, and import a
whole knowledge base. Every write is one transaction that validates the whole result with the
same checks as the seeds, runs the knowledge base's expert cases on it (a write that makes one
fail is refused), bumps the version and records an audit event; concurrent writers are
serialised (PostgreSQL advisory lock, SQLite BEGIN IMMEDIATE) and guarded by If-Match.

Expert cases are items too (``cases``): a write of a case set is judged by the cases it writes.
To change an item and the cases that hold it to account together, import the knowledge base
with both changed (one request, one version); or first write the cases so that they hold
before and after the change, then the item (docs/architecture.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from app.domain.integrity import check
from app.domain.item_kinds import BY_URL_NAME, ItemKind
from app.domain.knowledge import KnowledgeBase
from app.domain.merge import merge_patch
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import (
    CasesFailed,
    Conflict,
    FieldError,
    InvalidInput,
    KnowledgeBaseMissing,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    field_errors,
)
from app.models import AuditEvent, KbVersion
from app.services.expert_cases import CaseOutcome, broken_by, describe
from app.services.kb_guard import require_confirmation
from app.services.keys import Principal
from app.services.ports import Tx, UnitOfWork
from app.services.preconditions import entity_tag, strong_match
from app.services.timestamps import iso

# One curator at a time per process: threads queue here instead of all polling the database's
# write lock (SQLite's busy handler is not fair, so a crowd of waiters can starve one of them).
_WRITE_LOCK = threading.Lock()


# The kinds curators write, by their name in URLs, in the order their routes are listed
# (indicators are the profile's vocabulary: they change with the code, through the seeds).
KINDS: dict[str, ItemKind] = {
    name: BY_URL_NAME[name]
    for name in (
        "challenges",
        "paths",
        "examples",
        "signals",
        "reference-counties",
        "benchmarks",
        "cases",
    )
}


def item_etag(item: BaseModel) -> str:
    digest = hashlib.sha256(
        orjson.dumps(item.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    return entity_tag(digest)


def _validate(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(detail="The item is not valid.", errors=field_errors(exc)) from None


@dataclass(frozen=True)
class WriteOutcome:
    item: BaseModel | None
    etag: str | None
    snapshot: Snapshot


@dataclass(frozen=True)
class Change:
    """One item-level change, as the audit trail records it."""

    action: str
    kind: str
    slug: str
    before: BaseModel | None
    after: BaseModel | None


Edit = Callable[[KnowledgeBase], tuple[KnowledgeBase, Change]]


def _ident(item: BaseModel | None) -> str:
    return "" if item is None else str(vars(item)["slug"])


def create_item(uow: UnitOfWork, who: Principal, kind: str, payload: Any) -> WriteOutcome:
    spec = KINDS[kind]
    new = _validate(spec.model, payload)

    def edit(kb: KnowledgeBase) -> tuple[KnowledgeBase, Change]:
        items: list[BaseModel] = list(getattr(kb, spec.attr))
        if any(_ident(it) == _ident(new) for it in items):
            raise Conflict(detail=f"{kind} {_ident(new)!r} exists; PUT or PATCH it instead.")
        candidate = kb.model_copy(update={spec.attr: [*items, new]})
        return candidate, Change("create", kind, _ident(new), None, new)

    return _apply(uow, who, edit)


def replace_item(
    uow: UnitOfWork, who: Principal, kind: str, slug: str, payload: Any, if_match: str | None
) -> WriteOutcome:
    """PUT: the item whole."""
    return _rewrite(uow, who, kind, slug, if_match, "replace", lambda before: payload)


def patch_item(
    uow: UnitOfWork, who: Principal, kind: str, slug: str, patch: Any, if_match: str | None
) -> WriteOutcome:
    """PATCH: an RFC 7396 merge patch of the item's document form."""

    def merged(before: BaseModel) -> Any:
        return merge_patch(before.model_dump(mode="json"), patch)

    return _rewrite(uow, who, kind, slug, if_match, "update", merged)


def _rewrite(
    uow: UnitOfWork,
    who: Principal,
    kind: str,
    slug: str,
    if_match: str | None,
    action: str,
    document: Callable[[BaseModel], Any],
) -> WriteOutcome:
    """Replace the item the caller last read (If-Match) by ``document(item)``, validated."""
    tag = _required(if_match)

    def edit(kb: KnowledgeBase) -> tuple[KnowledgeBase, Change]:
        index, before = _current(kb, kind, slug, tag)
        new = _same_slug(_validate(KINDS[kind].model, document(before)), slug)
        return _replaced(kb, kind, index, new), Change(action, kind, slug, before, new)

    return _apply(uow, who, edit)


def delete_item(
    uow: UnitOfWork,
    who: Principal,
    kind: str,
    slug: str,
    if_match: str | None,
    confirm: bool = False,
) -> WriteOutcome:
    attr = KINDS[kind].attr
    tag = _required(if_match)

    def edit(kb: KnowledgeBase) -> tuple[KnowledgeBase, Change]:
        index, before = _current(kb, kind, slug, tag)
        items: list[BaseModel] = list(getattr(kb, attr))
        items.pop(index)
        return kb.model_copy(update={attr: items}), Change("delete", kind, slug, before, None)

    return _apply(uow, who, edit, confirm)


def _required(if_match: str | None) -> str:
    if if_match is None:
        raise PreconditionRequired(detail="Send If-Match with the ETag from a GET of this item.")
    return if_match


def _current(kb: KnowledgeBase, kind: str, slug: str, if_match: str) -> tuple[int, BaseModel]:
    """The item named in the URL, provided the caller saw its current version (If-Match)."""
    items: list[BaseModel] = list(getattr(kb, KINDS[kind].attr))
    index = next((i for i, it in enumerate(items) if _ident(it) == slug), None)
    if index is None:
        raise NotFound(detail=f"No {kind} item {slug!r}.")
    current = item_etag(items[index])
    if not strong_match(if_match, current):
        raise PreconditionFailed(
            detail="The item changed since you read it; GET it again.", headers={"ETag": current}
        )
    return index, items[index]


def _same_slug(item: BaseModel, slug: str) -> BaseModel:
    if _ident(item) != slug:
        raise InvalidInput(
            detail="The slug in the body differs from the one in the URL.",
            errors=[FieldError("/slug", "slug_mismatch", f"expected {slug!r}")],
        )
    return item


def _replaced(kb: KnowledgeBase, kind: str, index: int, item: BaseModel) -> KnowledgeBase:
    attr = KINDS[kind].attr
    items: list[BaseModel] = list(getattr(kb, attr))
    items[index] = item
    return kb.model_copy(update={attr: items})


def _check(candidate: KnowledgeBase, change: Change) -> Snapshot:
    """Refuse a change that leaves a reference dangling (409 for a delete: the item is in use);
    else the candidate as the check compiled it."""
    checked = check(candidate)
    problems = checked.issues
    if not problems and checked.snapshot is not None:
        return checked.snapshot
    if change.action == "delete":
        raise Conflict(
            detail=f"{change.kind} {change.slug!r} is still referenced: "
            + "; ".join(str(p) for p in problems[:10])
        )
    raise InvalidInput(
        detail="The change breaks a cross-reference.",
        errors=[
            FieldError(f"/{p.field.replace('.', '/')}", "broken_reference", str(p))
            for p in problems[:50]
        ],
    )


def _apply(uow: UnitOfWork, who: Principal, edit: Edit, confirm: bool = False) -> WriteOutcome:
    """One curation write: under the writers' lock, edit the latest knowledge base, check it
    (references, removals, expert cases), store it as a new version and audit the change, all in
    one transaction."""
    with _WRITE_LOCK, uow.write() as tx:
        tx.kb.lock()
        kb = tx.kb.read()
        if kb is None:
            raise KnowledgeBaseMissing(detail="No knowledge base is stored yet.")
        candidate, change = edit(kb)
        compiled = _check(candidate, change)
        require_confirmation(kb, candidate, confirm)
        _judge(kb, candidate, compiled)
        note = f"{change.action} {change.kind} {change.slug}"
        version = tx.kb.record(candidate, f"api:{who.name}", note)
        tx.audit.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=who.name,
                action=change.action,
                entity=change.kind,
                slug=change.slug,
                kb_version=version.number,
                before=None if change.before is None else change.before.model_dump(mode="json"),
                after=None if change.after is None else change.after.model_dump(mode="json"),
            )
        )
    etag = None if change.after is None else item_etag(change.after)
    return WriteOutcome(change.after, etag, _as_version(compiled, version))


def _judge(before: KnowledgeBase | None, candidate: KnowledgeBase, compiled: Snapshot) -> None:
    """Pass when no expert case fails because of the change; else CasesFailed naming each case,
    what it expected and what it found."""
    previous = (lambda: compile_snapshot(before, 0, "")) if before is not None else _no_snapshot
    broken = broken_by(before, previous, candidate, compiled)
    if broken:
        raise _cases_failed(broken)


def _no_snapshot() -> Snapshot:
    raise AssertionError("there is no earlier knowledge base to compile")


def _cases_failed(broken: list[CaseOutcome]) -> CasesFailed:
    names = "; ".join(o.label for o in broken[:10])
    more = f" and {len(broken) - 10} more" if len(broken) > 10 else ""
    return CasesFailed(
        detail=f"The change makes {len(broken)} expert case(s) fail: {names}{more}. Change the "
        "cases with it (POST /v1/kb/import) or first (PUT /v1/cases/{slug}).",
        errors=[
            FieldError(o.pointer(u.key), "case_failed", f"{o.label}: {describe(u)}")
            for o in broken
            for u in o.unmet
        ][:100],
    )


def _as_version(compiled: Snapshot, version: KbVersion) -> Snapshot:
    """The snapshot compiled before the write, as the version it was stored as."""
    return dataclasses.replace(compiled, version=version.number, checksum=version.checksum)


def import_kb(
    uow: UnitOfWork, who: Principal, payload: Any, origin: str = "import", confirm: bool = False
) -> tuple[Snapshot, bool]:
    """Replace the whole knowledge base with ``payload``: validated whole, all or nothing."""
    kb = _validate(KnowledgeBase, payload)
    assert isinstance(kb, KnowledgeBase)
    checked = check(kb)
    problems = checked.issues
    if problems or checked.snapshot is None:
        raise InvalidInput(
            detail="The knowledge base has broken references.",
            errors=[FieldError(f"/{p.kind}", "broken_reference", str(p)) for p in problems[:100]],
        )
    compiled = checked.snapshot
    checksum = kb.checksum()
    with _WRITE_LOCK, uow.write() as tx:
        tx.kb.lock()
        current = tx.kb.latest()
        if current is not None and current.checksum == checksum:
            return dataclasses.replace(compiled, version=current.number, checksum=checksum), False
        before = tx.kb.read()
        if before is not None:
            require_confirmation(before, kb, confirm)
        _judge(before, kb, compiled)
        version = tx.kb.record(kb, f"{origin}:{who.name}")
        tx.audit.add(_kb_event(who, "import", version.number, current, None))
    return _as_version(compiled, version), True


def kb_etag(version: int, checksum: str) -> str:
    """The validator of the knowledge base as a whole (GET /v1/kb), which a rollback must match."""
    return f'"kb-{version}-{checksum[:16]}"'


def rollback(
    uow: UnitOfWork, who: Principal, number: int, if_match: str | None, confirm: bool = False
) -> tuple[Snapshot, bool]:
    """Serve an earlier version's content again, as a new version (history is never rewritten)."""
    tag = _required(if_match)
    with _WRITE_LOCK, uow.write() as tx:
        tx.kb.lock()
        current, now = tx.kb.latest(), tx.kb.read()
        if current is None or now is None:
            raise KnowledgeBaseMissing(detail="No knowledge base is stored yet.")
        served = kb_etag(current.number, current.checksum)
        if not strong_match(tag, served):
            raise PreconditionFailed(
                detail="The knowledge base changed since you read it; GET /v1/kb again.",
                headers={"ETag": served},
            )
        target = tx.kb.version(number)
        if target is None:
            raise InvalidInput(
                detail=f"There is no knowledge-base version {number}.",
                errors=[FieldError("/version", "unknown_version", f"no version {number}")],
            )
        if target.checksum == current.checksum:
            return compile_snapshot(now, current.number, current.checksum), False
        restored = _kept_content(tx, target)
        require_confirmation(now, restored, confirm)
        compiled = compile_snapshot(restored, 0, "")
        _judge(now, restored, compiled)
        new = tx.kb.record(restored, f"rollback:{who.name}", f"rollback to version {number}")
        tx.audit.add(_kb_event(who, "rollback", new.number, current, target))
    return _as_version(compiled, new), True


def _kept_content(tx: Tx, target: KbVersion) -> KnowledgeBase:
    try:
        restored = tx.kb.document(target.checksum)
    except ValueError:  # a stored document that no longer validates or matches its checksum
        restored = None
    if restored is None:
        raise Conflict(
            detail=f"The content of version {target.number} was not kept, so it cannot be restored."
        )
    return restored


def _kb_event(
    who: Principal, action: str, number: int, before: KbVersion | None, after: KbVersion | None
) -> AuditEvent:
    """An audit event for a whole-knowledge-base change; the documents themselves are kept by
    version, so the event names versions and checksums."""

    def ref(v: KbVersion | None) -> dict[str, object] | None:
        return None if v is None else {"version": v.number, "checksum": v.checksum}

    return AuditEvent(
        at=datetime.now(UTC),
        actor=who.name,
        action=action,
        entity="kb",
        slug="*",
        kb_version=number,
        before=ref(before),
        after=ref(after) if after is not None else {"version": number},
    )


def list_versions(uow: UnitOfWork, offset: int, count: int) -> list[dict[str, object]]:
    """One page of the version history, newest first, saying which can be restored."""
    with uow.read() as tx:
        rows = tx.kb.versions(offset, count)
        kept = tx.kb.kept({r.checksum for r in rows})
    return [
        {
            "version": r.number,
            "kb_version": f"{r.number}:{r.checksum[:12]}",
            "checksum": r.checksum,
            "origin": r.origin,
            "note": r.note,
            "created_at": iso(r.created_at),
            "restorable": r.checksum in kept,
        }
        for r in rows
    ]
