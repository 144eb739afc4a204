"""Stored assessments: a diagnosis at a point in time, explainable later (the profile, the whole
result, the knowledge-base version and, when asked, the action plan are kept together).
Idempotency keys live in the same row, so a key and its assessment commit or fail together.
Storage is reached through the unit of work (``tx.assessments``); this module decides."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, TypeVar

import orjson
from pydantic import ValidationError

from app.domain import trend as trends
from app.domain.knowledge import Lang
from app.domain.plan_types import Plan, stored_plan
from app.domain.result_types import RecommendationResult, Result, stored_result
from app.domain.snapshot import Snapshot
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.models import Assessment, DuplicateKey
from app.schemas.plans import PlanOptions
from app.schemas.profile import ProfileIn
from app.services import plans
from app.services.keys import Principal
from app.services.ports import AssessmentRepo, UnitOfWork
from app.services.timestamps import iso

IDEMPOTENCY_WINDOW = timedelta(hours=24)
T = TypeVar("T")


class ChallengeBrief(TypedDict):
    slug: str
    status: str
    severity: float


class AssessmentSummary(TypedDict):
    """An assessment as a page of them lists it. The county and benchmark are the stored
    result's, as it was answered."""

    id: str
    created_at: str
    county: object
    year: int | None
    kb_version: str
    benchmark: object
    challenges: list[ChallengeBrief]
    has_plan: bool


class AssessmentDetail(AssessmentSummary):
    """One assessment: what it was made of and answered, kept as JSON."""

    profile: Mapping[str, object]
    result: Mapping[str, object]
    plan: Mapping[str, object] | None


def summary(row: Assessment) -> AssessmentSummary:
    return {
        "id": row.id,
        "created_at": iso(row.created_at),
        "county": row.result.get("county"),
        "year": row.year,
        "kb_version": row.kb_version,
        "benchmark": row.result.get("benchmark"),
        "challenges": [
            {"slug": c["slug"], "status": c["status"], "severity": c["severity"]}
            for c in row.result.get("challenges", [])
        ],
        "has_plan": row.plan is not None,
    }


def detail(row: Assessment) -> AssessmentDetail:
    return {**summary(row), "profile": row.profile, "result": row.result, "plan": row.plan}


def _stored(plan: Plan) -> dict[str, object]:
    """The plan as the JSON an assessment keeps: the bytes the API answers it with."""
    data: dict[str, object] = orjson.loads(orjson.dumps(plan))
    return data


def _request_hash(profile: Mapping[str, object], lang: Lang, options: PlanOptions | None) -> str:
    data = {"p": profile, "l": lang}
    if options is not None:  # a request without a plan hashes as it always did
        data["plan"] = options.model_dump()
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _analyse(
    snap: Snapshot, body: ProfileIn, lang: Lang, options: PlanOptions | None
) -> tuple[Result, Plan | None]:
    """The result, and the plan when asked for, through the same doors as the API's."""
    try:
        return plans.recommend_and_plan(snap, body, options, lang)
    except InvalidInput as exc:  # the horizon is a query parameter here, not a body field
        exc.errors = [
            FieldError("", e.code, f"query parameter horizon: {e.message}")
            if e.pointer == "/horizon"
            else e
            for e in exc.errors
        ]
        raise


def _replay(repo: AssessmentRepo, who: Principal, key: str, request_hash: str) -> Any:
    """The stored assessment this key already made, or None when the key is free."""
    existing = repo.by_idempotency_key(who.key_id, key)
    if existing is None:
        return None
    created_at = existing.created_at.replace(tzinfo=existing.created_at.tzinfo or UTC)
    if datetime.now(UTC) - created_at > IDEMPOTENCY_WINDOW:
        repo.release_key(existing)
        return None
    if existing.request_hash != request_hash:
        raise InvalidInput(
            detail="This Idempotency-Key was used with a different request.",
            errors=[
                FieldError(
                    "", "idempotency_key_reused", "send a new Idempotency-Key for a new request"
                )
            ],
        )
    return detail(existing)


def create(
    uow: UnitOfWork,
    snap: Snapshot,
    who: Principal,
    body: ProfileIn,
    lang: Lang,
    idempotency_key: str | None,
    options: PlanOptions | None = None,
) -> tuple[AssessmentDetail, bool]:
    """The stored assessment and whether it was created now (False: an idempotent replay)."""
    profile = body.model_dump(mode="json")
    request_hash = _request_hash(profile, lang, options)
    answered, plan = _analyse(snap, body, lang, options)
    result: dict[str, object] = orjson.loads(orjson.dumps(answered))  # stored as it is answered
    try:
        with uow.write() as tx:
            repo = tx.assessments
            if idempotency_key is not None:
                replayed = _replay(repo, who, idempotency_key, request_hash)
                if replayed is not None:
                    return replayed, False
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
                plan=None if plan is None else _stored(plan),
                created_at=datetime.now(UTC),
            )
            repo.add(row)
            out = detail(row)
    except DuplicateKey:
        raise Conflict(
            detail="Another request with this Idempotency-Key is in progress or just finished; retry to get its result.",
            headers={"Retry-After": "1"},
        ) from None
    return out, True


def get(uow: UnitOfWork, who: Principal, assessment_id: str) -> AssessmentDetail:
    with uow.read() as tx:
        row = tx.assessments.get(assessment_id)
        if row is None or row.owner_key_id != who.key_id:
            raise NotFound(detail=f"No assessment {assessment_id} for this key.")
        return detail(row)


def list_for(
    uow: UnitOfWork, who: Principal, county_code: str | None, offset: int, count: int
) -> list[AssessmentSummary]:
    """One page of the caller's assessments."""
    with uow.read() as tx:
        rows = tx.assessments.page(who.key_id, county_code, offset, count)
        return [summary(row) for row in rows]


LOG = logging.getLogger("countypath.assessments")


def _readable(
    what: str,
    assessment_id: str,
    read: Callable[[Mapping[str, object]], T],
    data: Mapping[str, object],
) -> T | None:
    """``data``, a stored ``what`` (result or plan), read back into its type by ``read``; None
    when it was stored in a shape the type cannot read (kept from an earlier release, see
    ``result_types.stored``), and the log says which assessment it was."""
    try:
        return read(data)
    except ValidationError as exc:
        LOG.warning(
            "stored %s of assessment %s not readable, left out: %d problem(s)",
            what,
            assessment_id,
            exc.error_count(),
        )
        return None


def readable_plan(assessment_id: str, data: Mapping[str, object] | None) -> Plan | None:
    """A stored plan read back into the plan type, or None when there is none or it cannot be
    read: the trend and the report then go on without it, instead of answering 500 forever."""
    return _readable("plan", assessment_id, stored_plan, data) if data else None


def _read_result(assessment_id: str, data: Mapping[str, object]) -> Result | None:
    return _readable("result", assessment_id, stored_result, data)


def readable_result(assessment_id: str, data: Mapping[str, object]) -> RecommendationResult:
    """A stored result read back into the result type. One stored in a shape the type no longer
    reads is a conflict the caller can act on (make the assessment again), not a 500 on every
    request for it."""
    result = _read_result(assessment_id, data)
    if not isinstance(result, RecommendationResult):
        raise Conflict(
            detail="This assessment's result was stored in an earlier shape that can no longer "
            "be read; make the assessment again to report on it."
        )
    return result


def trend(
    uow: UnitOfWork, snap: Snapshot, who: Principal, county_code: str, lang: Lang
) -> trends.Trend:
    """The caller's assessments of one county by year (the latest of each year), with changes
    between consecutive years and progress against the KPIs of any plan stored earlier.
    Assessments without a year cannot be placed and are left out. Labels are in ``lang``,
    whatever language each assessment or plan was stored in; codes stay codes."""
    with uow.read() as tx:
        rows = tx.assessments.latest_per_year(who.key_id, county_code)
        planned = tx.assessments.with_plans(who.key_id, county_code)
        results = [(r, _read_result(r.id, r.result)) for r in rows if r.year]
        points = [
            trends.point(r.id, r.year, r.profile, res) for r, res in results if res and r.year
        ]
        read = [(r.id, r.year, readable_plan(r.id, r.plan)) for r in planned if r.year]
        stored = [(at, year, plan) for at, year, plan in read if plan is not None]
    directions = {key: ind.direction for key, ind in snap.indicators.items()}
    labels = {key: ind.label.get(lang) for key, ind in snap.indicators.items()}
    county = _county_in(snap, rows[-1].result.get("county"), lang) if rows else None
    return trends.trend(county_code, points, stored, directions, labels, county)


def _county_in(snap: Snapshot, county: object, lang: Lang) -> Mapping[str, object] | None:
    """A stored result's county (its JSON) with its administrative form named in ``lang``."""
    if not isinstance(county, dict):
        return None
    form = next(
        (f for slug, f in snap.admin_forms.items() if slug == county.get("admin_form")), None
    )
    return county if form is None else county | {"admin_form_label": form.label.get(lang)}
