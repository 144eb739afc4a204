"""Batch job shapes: the job as ``GET /v1/batch-jobs/{id}`` shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.domain.knowledge import LangCode
from app.schemas.common import Problem

JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]


class JobProgress(BaseModel):
    done: int = Field(ge=0, description="Rows computed and stored (bad rows included).")
    total: int = Field(ge=1, description="Rows in the batch.")


class JobResultsLink(BaseModel):
    """Where a done job's rows are read, and how many there are: the rows themselves (up to
    hundreds of megabytes in the full view) are never inlined in the job."""

    href: str = Field(description="`GET` it with `Accept`: JSON, NDJSON or .xlsx.")
    count: int
    succeeded: int
    failed: int = Field(description="Rows that are error entries (bad profiles).")
    media_types: list[str]


class BatchJobOut(BaseModel):
    id: str = Field(description="Random UUID.")
    status: JobStatus = Field(
        description="`queued`, `running` (rows are being computed), `done` (results ready), "
        "`failed` (the job itself could not finish: `error` says why; bad rows never fail a "
        "job, they are error entries in its results) or `cancelled` (by `DELETE`)."
    )
    view: Literal["full", "summary"]
    lang: LangCode = Field(description="The language of the results.")
    progress: JobProgress
    results: JobResultsLink | None = Field(description="Null until the job is done.")
    error: Problem | None = Field(description="Why a failed job failed, else null.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime = Field(
        description="When the job and its results are deleted (COUNTYPATH_JOB_TTL_SECONDS "
        "after it ended, or after it was submitted while it has not); then it is a 404."
    )
