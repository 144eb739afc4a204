"""Every query on batch jobs. A job changes hands only through compare-and-set updates (the
``WHERE`` names the state the caller saw), so two workers or two sweepers racing for the same
job can never both win: the loser's update touches no row and it steps back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import col

from app.db.repository import Repository
from app.models import BatchJob, BatchJobChunk, JobEnd

UNFINISHED = ("queued", "running")
# The input column, as the ORM attribute ``defer`` takes (mypy sees the column's value type).
_INPUT = cast("QueryableAttribute[Any]", BatchJob.input)


def _changed(result: Any) -> bool:
    """Whether an UPDATE or DELETE touched a row."""
    assert isinstance(result, CursorResult)
    return bool(result.rowcount)


class JobRepository(Repository):
    def add(self, job: BatchJob) -> None:
        self.session.add(job)
        self.session.flush()

    def get(self, job_id: str) -> BatchJob | None:
        """The job without its input (status reads are frequent; the input can be megabytes)."""
        stmt = select(BatchJob).where(col(BatchJob.id) == job_id).options(defer(_INPUT))
        return self.session.execute(stmt).scalars().first()

    def by_idempotency_key(self, owner_key_id: int, key: str) -> BatchJob | None:
        stmt = (
            select(BatchJob)
            .where(col(BatchJob.owner_key_id) == owner_key_id, col(BatchJob.idempotency_key) == key)
            .options(defer(_INPUT))
        )
        return self.session.execute(stmt).scalars().first()

    def input_of(self, job_id: str) -> bytes | None:
        stmt = select(col(BatchJob.input)).where(col(BatchJob.id) == job_id)
        return self.session.execute(stmt).scalars().first()

    def claim(self, job_id: str, now: datetime, lease_until: datetime) -> int | None:
        """Take a queued job: it becomes running under a new attempt number, which every later
        write names. None when the job is not queued (done, cancelled, gone, or taken)."""
        taken = self.session.execute(
            update(BatchJob)
            .where(col(BatchJob.id) == job_id, col(BatchJob.status) == "queued")
            .values(
                status="running",
                attempts=col(BatchJob.attempts) + 1,
                lease_until=lease_until,
                started_at=func.coalesce(col(BatchJob.started_at), now),
            )
            .execution_options(synchronize_session=False)
        )
        if not _changed(taken):
            return None
        stmt = select(col(BatchJob.attempts)).where(col(BatchJob.id) == job_id)
        return int(self.session.execute(stmt).scalar_one())

    def advance(
        self,
        job_id: str,
        attempt: int,
        done: int,
        chunk: BatchJobChunk,
        lease_until: datetime,
    ) -> bool:
        """Store one chunk and move the progress past it, if this attempt still holds the job
        and nothing was stored past ``done``; False (and nothing stored) otherwise."""
        moved = self.session.execute(
            update(BatchJob)
            .where(
                col(BatchJob.id) == job_id,
                col(BatchJob.status) == "running",
                col(BatchJob.attempts) == attempt,
                col(BatchJob.done) == done,
            )
            .values(
                done=done + chunk.count,
                failed=col(BatchJob.failed) + chunk.failed,
                lease_until=lease_until,
            )
            .execution_options(synchronize_session=False)
        )
        if not _changed(moved):
            return False
        self.session.add(chunk)
        self.session.flush()
        return True

    def finish(self, job_id: str, attempt: int | None, end: JobEnd) -> bool:
        """End an unfinished job as ``end`` says (done, failed, cancelled); with ``attempt``,
        only if that attempt still holds it."""
        stmt = update(BatchJob).where(
            col(BatchJob.id) == job_id, col(BatchJob.status).in_(UNFINISHED)
        )
        if attempt is not None:
            stmt = stmt.where(col(BatchJob.attempts) == attempt)
        values: dict[str, object] = {
            "status": end.status,
            "finished_at": end.now,
            "expires_at": end.expires_at,
            "lease_until": end.now,
            "error": end.error,
        }
        return _changed(
            self.session.execute(stmt.values(**values).execution_options(synchronize_session=False))
        )

    def cancel(self, job_id: str, now: datetime, expires_at: datetime) -> bool:
        """Cancel an unfinished job and drop what it stored; False if it had already ended."""
        if not self.finish(job_id, None, JobEnd("cancelled", now, expires_at)):
            return False
        self.session.execute(delete(BatchJobChunk).where(col(BatchJobChunk.job_id) == job_id))
        return True

    def release(self, job_id: str, attempt: int, now: datetime) -> None:
        """Give up a running job at once (its lease ends now), so a sweep hands it on."""
        self.session.execute(
            update(BatchJob)
            .where(
                col(BatchJob.id) == job_id,
                col(BatchJob.status) == "running",
                col(BatchJob.attempts) == attempt,
            )
            .values(lease_until=now)
            .execution_options(synchronize_session=False)
        )

    def delete(self, job_id: str) -> None:
        self.session.execute(delete(BatchJobChunk).where(col(BatchJobChunk.job_id) == job_id))
        self.session.execute(delete(BatchJob).where(col(BatchJob.id) == job_id))

    def chunk(self, job_id: str, start: int) -> BatchJobChunk | None:
        return self.session.get(BatchJobChunk, (job_id, start))

    def stale(self, now: datetime, limit: int) -> list[BatchJob]:
        """Unfinished jobs whose lease (running) or wait (queued) has run out."""
        stmt = (
            select(BatchJob)
            .where(col(BatchJob.status).in_(UNFINISHED), col(BatchJob.lease_until) < now)
            .options(defer(_INPUT))
            .order_by(col(BatchJob.lease_until))
            .limit(limit)
        )
        return list(self.session.execute(stmt).scalars())

    def requeue(self, job_id: str, now: datetime, wait_until: datetime) -> bool:
        """Put a stale job back to queued (it will be taken under a new attempt); False if
        another sweeper did first or the job moved on."""
        return _changed(
            self.session.execute(
                update(BatchJob)
                .where(
                    col(BatchJob.id) == job_id,
                    col(BatchJob.status).in_(UNFINISHED),
                    col(BatchJob.lease_until) < now,
                )
                .values(status="queued", lease_until=wait_until)
                .execution_options(synchronize_session=False)
            )
        )

    def expired(self, now: datetime, limit: int) -> list[str]:
        stmt = (
            select(col(BatchJob.id))
            .where(col(BatchJob.expires_at) < now)
            .order_by(col(BatchJob.expires_at))
            .limit(limit)
        )
        return list(self.session.execute(stmt).scalars())
