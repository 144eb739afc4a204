"""Curating the knowledge base over HTTP: create, replace, patch and delete items, and import a
whole knowledge base. Every write is one transaction that validates the whole result with the
same checks as the seeds, bumps the version and records an audit event; concurrent writers are
serialised (PostgreSQL row lock, SQLite BEGIN IMMEDIATE) and guarded by If-Match."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, select

from app.db.engine import write_session
from app.db.kb_repo import latest_version, read_kb, record_version, write_kb
from app.domain.integrity import check_references
from app.domain.knowledge import (
    Benchmark,
    Challenge,
    Example,
    KnowledgeBase,
    Path,
    ReferenceCounty,
    Signal,
)
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    KnowledgeBaseMissing,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from app.models import AuditEvent, KbMetaRow
from app.services.keys import Principal

# One curator at a time per process: threads queue here instead of all polling the database's
# write lock (SQLite's busy handler is not fair, so a crowd of waiters can starve one of them).
_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Kind:
    attr: str
    model: type[BaseModel]


KINDS: dict[str, Kind] = {
    "challenges": Kind("challenges", Challenge),
    "paths": Kind("paths", Path),
    "examples": Kind("examples", Example),
    "signals": Kind("signals", Signal),
    "reference-counties": Kind("reference_counties", ReferenceCounty),
    "benchmarks": Kind("benchmarks", Benchmark),
}


def item_etag(item: BaseModel) -> str:
    digest = hashlib.sha256(
        orjson.dumps(item.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    return f'"{digest[:32]}"'


def etag_matches(header: str, current: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or current in tags


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge recursively, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(loc: tuple[int | str, ...]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def _validate(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            detail="The item is not valid.",
            errors=[
                FieldError(_pointer(tuple(e["loc"])), str(e["type"]), str(e["msg"]))
                for e in exc.errors(include_url=False, include_input=False)
            ],
        ) from None


@dataclass(frozen=True)
class WriteOutcome:
    item: BaseModel | None
    etag: str | None
    snapshot: Snapshot


def _ident(item: BaseModel | None) -> str:
    return "" if item is None else str(vars(item)["slug"])


def write(
    engine: Engine,
    who: Principal,
    kind: str,
    action: str,
    slug: str | None,
    payload: Any,
    if_match: str | None,
) -> WriteOutcome:
    spec = KINDS[kind]
    if action != "create" and if_match is None:
        raise PreconditionRequired(detail="Send If-Match with the ETag from a GET of this item.")
    with _WRITE_LOCK, write_session(engine) as session:
        # Serialise curators: everything below sees the latest committed knowledge base.
        session.execute(select(KbMetaRow).where(KbMetaRow.id == 1).with_for_update()).first()  # type: ignore[arg-type]
        kb = read_kb(session)
        if kb is None:
            raise KnowledgeBaseMissing(detail="No knowledge base is stored yet.")
        items: list[BaseModel] = list(getattr(kb, spec.attr))
        index = (
            next((i for i, it in enumerate(items) if _ident(it) == slug), None) if slug else None
        )
        before = items[index] if index is not None else None

        if action == "create":
            new = _validate(spec.model, payload)
            if any(_ident(it) == _ident(new) for it in items):
                raise Conflict(detail=f"{kind} {_ident(new)!r} exists; PUT or PATCH it instead.")
            items.append(new)
        else:
            if before is None or index is None:
                raise NotFound(detail=f"No {kind} item {slug!r}.")
            assert if_match is not None
            if not etag_matches(if_match, item_etag(before)):
                raise PreconditionFailed(
                    detail="The item changed since you read it; GET it again.",
                    headers={"ETag": item_etag(before)},
                )
            if action == "delete":
                items.pop(index)
                new = None
            else:
                data = (
                    payload
                    if action == "replace"
                    else merge_patch(before.model_dump(mode="json"), payload)
                )
                new = _validate(spec.model, data)
                if _ident(new) != slug:
                    raise InvalidInput(
                        detail="The slug in the body differs from the one in the URL.",
                        errors=[FieldError("/slug", "slug_mismatch", f"expected {slug!r}")],
                    )
                items[index] = new

        candidate = kb.model_copy(update={spec.attr: items})
        problems = check_references(candidate)
        if problems:
            if action == "delete":
                raise Conflict(
                    detail=f"{kind} {slug!r} is still referenced: "
                    + "; ".join(str(p) for p in problems[:10])
                )
            raise InvalidInput(
                detail="The change breaks a cross-reference.",
                errors=[
                    FieldError(f"/{p.field.replace('.', '/')}", "broken_reference", str(p))
                    for p in problems[:50]
                ],
            )
        checksum = candidate.checksum()
        write_kb(session, candidate)
        version = record_version(
            session, checksum, f"api:{who.name}", f"{action} {kind} {slug or _ident(new)}"
        )
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=who.name,
                action=action,
                entity=kind,
                slug=slug or (_ident(new) if new else ""),
                kb_version=version.number,
                before=before.model_dump(mode="json") if before is not None else None,
                after=new.model_dump(mode="json") if new is not None else None,
            )
        )
        number = version.number
    return WriteOutcome(
        new, item_etag(new) if new else None, compile_snapshot(candidate, number, checksum)
    )


def import_kb(
    engine: Engine, who: Principal, payload: Any, origin: str = "import"
) -> tuple[Snapshot, bool]:
    """Replace the whole knowledge base with ``payload``: validated whole, all or nothing."""
    kb = _validate(KnowledgeBase, payload)
    assert isinstance(kb, KnowledgeBase)
    problems = check_references(kb)
    if problems:
        raise InvalidInput(
            detail="The knowledge base has broken references.",
            errors=[FieldError(f"/{p.kind}", "broken_reference", str(p)) for p in problems[:100]],
        )
    checksum = kb.checksum()
    with _WRITE_LOCK, write_session(engine) as session:
        session.execute(select(KbMetaRow).where(KbMetaRow.id == 1).with_for_update()).first()  # type: ignore[arg-type]
        current = latest_version(session)
        if current is not None and current.checksum == checksum:
            return compile_snapshot(kb, current.number, checksum), False
        write_kb(session, kb)
        version = record_version(session, checksum, f"{origin}:{who.name}")
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=who.name,
                action="import",
                entity="kb",
                slug="*",
                kb_version=version.number,
                before=None,
                after={"checksum": checksum},
            )
        )
        number = version.number
    return compile_snapshot(kb, number, checksum), True
