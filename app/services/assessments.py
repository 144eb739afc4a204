"""Stored assessments: a diagnosis at a point in time, explainable later (the profile, the whole
result and the knowledge-base version are kept together). Idempotency keys live in the same row,
so a key and its assessment commit or fail together."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.db.engine import read_session, write_session
from app.domain.knowledge import Lang
from app.domain.result import recommend
from app.domain.snapshot import Snapshot
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.models import Assessment
from app.schemas.profile import ProfileIn
from app.services.keys import Principal

IDEMPOTENCY_WINDOW = timedelta(hours=24)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def summary(row: Assessment) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": _iso(row.created_at),
        "county": row.result.get("county"),
        "year": row.year,
        "kb_version": row.kb_version,
        "benchmark": row.result.get("benchmark"),
        "challenges": [
            {"slug": c["slug"], "status": c["status"], "severity": c["severity"]}
            for c in row.result.get("challenges", [])
        ],
    }


def detail(row: Assessment) -> dict[str, Any]:
    return summary(row) | {"profile": row.profile, "result": row.result}


def create(
    engine: Engine,
    snap: Snapshot,
    who: Principal,
    body: ProfileIn,
    lang: Lang,
    idempotency_key: str | None,
) -> tuple[dict[str, Any], bool]:
    """The stored assessment and whether it was created now (False: an idempotent replay)."""
    profile = body.model_dump(mode="json")
    request_hash = hashlib.sha256(
        orjson.dumps({"p": profile, "l": lang}, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    result = recommend(snap, body.to_domain(), lang)
    try:
        with write_session(engine) as session:
            if idempotency_key is not None:
                existing = (
                    session.execute(
                        select(Assessment).where(
                            col(Assessment.owner_key_id) == who.key_id,
                            col(Assessment.idempotency_key) == idempotency_key,
                        )
                    )
                    .scalars()
                    .first()
                )
                if existing is not None:
                    created_at = existing.created_at.replace(
                        tzinfo=existing.created_at.tzinfo or UTC
                    )
                    if datetime.now(UTC) - created_at > IDEMPOTENCY_WINDOW:
                        existing.idempotency_key = None  # expired: the key may be used afresh
                        session.flush()
                    elif existing.request_hash != request_hash:
                        raise InvalidInput(
                            detail="This Idempotency-Key was used with a different request.",
                            errors=[
                                FieldError(
                                    "",
                                    "idempotency_key_reused",
                                    "send a new Idempotency-Key for a new request",
                                )
                            ],
                        )
                    else:
                        return detail(existing), False
            row = Assessment(
                id=str(uuid.uuid4()),
                owner_key_id=who.key_id,
                county_name=body.county.name,
                county_code=body.county.code,
                year=body.county.year,
                kb_version=snap.kb_version,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                profile=profile,
                result=result,
                created_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            out = detail(row)
    except IntegrityError:
        raise Conflict(
            detail="Another request with this Idempotency-Key is in progress or just finished; retry to get its result.",
            headers={"Retry-After": "1"},
        ) from None
    return out, True


def get(engine: Engine, who: Principal, assessment_id: str) -> dict[str, Any]:
    with read_session(engine) as session:
        row = session.get(Assessment, assessment_id)
        if row is None or row.owner_key_id != who.key_id:
            raise NotFound(detail=f"No assessment {assessment_id} for this key.")
        return detail(row)


def list_for(
    engine: Engine, who: Principal, county_code: str | None, offset: int, count: int
) -> list[dict[str, Any]]:
    """One page of the caller's assessments (each row carries its whole result: never load all)."""
    stmt = select(Assessment).where(col(Assessment.owner_key_id) == who.key_id)
    if county_code is not None:
        stmt = stmt.where(col(Assessment.county_code) == county_code)
    stmt = stmt.order_by(Assessment.year.asc().nulls_last(), Assessment.created_at, Assessment.id)  # type: ignore[union-attr, arg-type]
    stmt = stmt.offset(offset).limit(count)
    with read_session(engine) as session:
        return [summary(row) for row in session.execute(stmt).scalars()]
