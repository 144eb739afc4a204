"""Batch jobs: a batch too large to answer within one request, run by the job workers. The
caller's own only (another key's job is a 404, as with assessments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api import batch_formats
from app.api.deps import (
    LangDep,
    SettingsDep,
    SnapshotDep,
    UowDep,
    created_headers,
    idempotency_key,
)
from app.api.hot import ViewQuery
from app.api.http import json_response
from app.api.i18n import content_language
from app.api.negotiation import negotiate, require_json_accept
from app.api.security import AssessmentsKey
from app.schemas.batch_jobs import BatchJobOut
from app.schemas.common import KEYED_BODY_ERRORS, KEYED_ONE_ERRORS, UUID, problem_responses
from app.services import batch_jobs as svc
from app.services.tables import XLSX

router = APIRouter(prefix="/v1/batch-jobs", tags=["batch-jobs"])
JobId = Annotated[str, Path(pattern=UUID, description="Batch job id (UUID).")]
NO_STORE = {"Cache-Control": "no-store"}
SOURCES = {batch_formats.CSV: "csv", XLSX: "xlsx"}


def _queue(request: Request) -> svc.Enqueue:
    queue: svc.Enqueue = request.app.state.jobs
    return queue


@router.post(
    "",
    operation_id="batch-jobs-create",
    summary="Run a batch as a job",
    description="The bodies and views of `POST /v1/recommendations/batch` (a JSON array, CSV or "
    "an .xlsx workbook; up to COUNTYPATH_MAX_BATCH_PROFILES profiles), run by the job workers "
    "instead of within the request, so no request timeout cuts it. Answers 202 with the job "
    "and `Location: /v1/batch-jobs/{id}`; poll that until `status` is `done`, then read "
    "`results.href`. A body that cannot be read at all (not JSON, no county-name column) is "
    "refused here; a bad row is an error entry in the results, as in the batch. The results "
    "are in the language asked for here.",
    status_code=202,
    response_model=BatchJobOut,
    responses=KEYED_BODY_ERRORS,
    openapi_extra={"requestBody": batch_formats.REQUEST_BODY},
    dependencies=[Depends(require_json_accept)],
)
async def create_job(
    request: Request,
    who: AssessmentsKey,
    uow: UowDep,
    body: batch_formats.BatchBodyDep,
    snap: SnapshotDep,
    settings: SettingsDep,
    lang: LangDep,
    view: ViewQuery = "full",
    idempotency_key: Annotated[
        str | None,
        idempotency_key(
            "Retries with the same key and body return the same job (202 again, "
            "`Idempotent-Replayed: true`) instead of submitting it twice; the same key with "
            "another body is a 422. A key is free again once its job has expired."
        ),
    ] = None,
) -> Response:
    batch = svc.Submission(
        body.rows,
        body.origin,
        SOURCES.get(body.media, "json"),
        view,
        lang,
        await run_in_threadpool(svc.request_hash, body.media, body.raw, view, lang),
        idempotency_key,
    )
    job, created = await run_in_threadpool(
        svc.submit, uow, _queue(request), who, batch, snap, svc.JobConfig.of(settings)
    )
    headers = created_headers(f"/v1/batch-jobs/{job['id']}", created, NO_STORE)
    return json_response(job, status=202, headers=headers)


@router.get(
    "/{job_id}",
    operation_id="batch-jobs-get",
    summary="One of my batch jobs",
    description="Status and progress; once `done`, `results` links to the rows and counts them. "
    "404 for a job that is not the caller's, or has expired.",
    response_model=BatchJobOut,
    responses=KEYED_ONE_ERRORS,
    dependencies=[Depends(require_json_accept)],
)
async def get_job(who: AssessmentsKey, uow: UowDep, job_id: JobId) -> Response:
    job = await run_in_threadpool(svc.status, uow, who, job_id)
    return json_response(job, headers=NO_STORE)


@router.get(
    "/{job_id}/results",
    operation_id="batch-job-results-get",
    summary="The results of a done batch job",
    description="The rows as the batch endpoint gives them, by `Accept`: JSON (`BatchResult`), "
    "NDJSON (one `BatchItem` a line) or an .xlsx workbook (a results sheet and an errors sheet "
    "naming row and column). JSON and NDJSON stream from storage, a chunk of rows at a time. "
    "409 while the job is not done.",
    response_model=None,
    responses=problem_responses(401, 403, 404, 406, 409, 422, 503)
    | {200: {"content": batch_formats.RESPONSE_CONTENT, "description": "The rows."}},
)
async def job_results(
    request: Request, who: AssessmentsKey, uow: UowDep, snap: SnapshotDep, job_id: JobId
) -> Response:
    accept = negotiate(request, batch_formats.ANSWERS)
    found = await run_in_threadpool(svc.results, uow, who, job_id)
    headers = {"Content-Language": content_language(found.lang), "Vary": "Accept"} | NO_STORE
    if getattr(request.state, "head", False):
        # HEAD: the headers a GET would send, without reading hundreds of megabytes to drop them.
        return Response(status_code=200, media_type=accept, headers=headers)
    if accept == XLSX:
        from app.services import spreadsheets  # openpyxl: see app.api.batch_formats

        rows, origin = await run_in_threadpool(found.source_rows)
        book = await run_in_threadpool(
            spreadsheets.write_results, found.entries(), rows, origin, snap, found.lang
        )
        headers["Content-Disposition"] = f'attachment; filename="countypath-{job_id}.xlsx"'
        return Response(book, media_type=XLSX, headers=headers)
    chunks = found.ndjson() if accept == batch_formats.NDJSON else found.json()
    return StreamingResponse(chunks, media_type=accept, headers=headers)


@router.delete(
    "/{job_id}",
    operation_id="batch-jobs-delete",
    summary="Cancel a batch job, or delete a finished one",
    description="A queued or running job is cancelled: its workers stop at the next chunk, its "
    "stored rows are dropped, and it shows `cancelled` (200, the job) until it expires. A job "
    "that has ended (done, failed, cancelled) is deleted with its results at once (204).",
    response_model=BatchJobOut,
    responses=KEYED_ONE_ERRORS
    | {204: {"description": "The finished job and its results are deleted."}},
    dependencies=[Depends(require_json_accept)],
)
async def delete_job(
    who: AssessmentsKey, uow: UowDep, settings: SettingsDep, job_id: JobId
) -> Response:
    job = await run_in_threadpool(svc.cancel, uow, who, job_id, svc.JobConfig.of(settings))
    if job is None:
        return Response(status_code=204, headers=NO_STORE)
    return json_response(job, headers=NO_STORE)
