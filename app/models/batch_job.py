"""Batch jobs: a batch of profiles run by the job workers, its state and its results.

The job row is small and read often (status polls); the input and the results are stored
compressed, the results in chunks of consecutive rows, each chunk written once by the worker
that holds the job's lease (app.services.batch_jobs)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class BatchJob(SQLModel, table=True):
    __tablename__ = "batch_job"
    __table_args__ = (
        Index("ix_batch_job_status_lease", "status", "lease_until"),
        Index("ix_batch_job_owner_created", "owner_key_id", "created_at"),
        UniqueConstraint("owner_key_id", "idempotency_key"),
    )

    id: str = Field(primary_key=True, max_length=36)
    # None: submitted from the command line without naming a key; only the CLI sees it.
    owner_key_id: int | None = Field(default=None, foreign_key="api_key.id", ondelete="CASCADE")
    status: str = Field(max_length=10)
    view: str = Field(max_length=10)
    lang: str = Field(max_length=5)
    source: str = Field(max_length=10)
    kb_version: int
    total: int
    done: int = 0
    failed: int = 0
    chunk_size: int
    attempts: int = 0
    # Running: the worker holding the job must renew this before it passes, or another takes
    # over. Queued: when the job is put on the queue again if no worker has taken it.
    lease_until: datetime = Field(sa_type=DateTime(timezone=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    started_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    error: dict[str, object] | None = Field(default=None, sa_type=JSON(none_as_null=True))
    # A retried POST with the same Idempotency-Key and body gets this job back.
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_hash: str = Field(max_length=64)
    # zstd of {"rows": [...], "origin": {...} | null}; read only by the worker and for workbooks.
    input: bytes = Field(sa_type=LargeBinary)


class BatchJobChunk(SQLModel, table=True):
    """Rows ``start`` .. ``start + count - 1`` of a job's results: zstd of their JSON entries."""

    __tablename__ = "batch_job_chunk"

    job_id: str = Field(
        foreign_key="batch_job.id", ondelete="CASCADE", primary_key=True, max_length=36
    )
    start: int = Field(primary_key=True)
    count: int
    failed: int
    data: bytes = Field(sa_type=LargeBinary)


@dataclass(frozen=True)
class JobEnd:
    """How a job ends (the repository's ``finish``): its last status at ``now``, the moment its
    record expires, and the problem it failed with, if any. One value for the port and the
    repository, instead of the same five parameters spelt out in each."""

    status: str
    now: datetime
    expires_at: datetime
    error: dict[str, object] | None = None
