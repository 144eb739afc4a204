"""Batch jobs: a batch of profiles submitted once, run by the job workers, read when done.

The database holds the truth (every replica reads it); the task queue (app.services.job_queue)
only wakes a worker. A job goes ``queued -> running -> done``, or ``failed`` or ``cancelled``:

- *Taking a job* is a compare-and-set from ``queued`` to ``running`` that gives it a new attempt
  number and a lease. Every later write names that attempt, so a worker that lost the job (its
  lease ran out, the job was cancelled or expired) finds its writes refused and stops.
- *Results* are stored in chunks of consecutive rows, each chunk in the same transaction that
  moves the progress past it and renews the lease; a chunk is written once, by the holder of the
  lease, however often its rows were computed. A worker that takes a job over starts at the first
  row not stored.
- *Sweeping* (every worker process, every few seconds) puts a job whose lease ran out back on the
  queue (a worker was killed, or a replica went away), fails one that was started
  ``COUNTYPATH_JOB_MAX_ATTEMPTS`` times, enqueues a queued job that waited too long (its queue
  message was lost) and deletes expired jobs with their results.

A job runs on the knowledge-base version it was submitted under, so a job taken over after a
curation still gives every row from one version. Rows and input are stored as zstd-compressed
JSON: a chunk of 50 full-view results (~94 KB each) packs to ~2.8 KB a row.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypedDict, cast

import orjson
import zstandard
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.domain.knowledge import Lang
from app.domain.language import as_lang
from app.domain.result import View
from app.domain.result_types import BatchEntry
from app.domain.snapshot import Snapshot, compile_snapshot
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.models import BatchJob, BatchJobChunk, JobEnd
from app.services import recommendations as svc
from app.services.keys import Principal
from app.services.knowledge_store import KnowledgeStore
from app.services.ports import UnitOfWork
from app.services.tables import XLSX, Origin, warning_dicts
from app.settings import Settings

log = logging.getLogger("countypath.jobs")
UNFINISHED = ("queued", "running")
# Rows per stored chunk: a full-view chunk is ~4.7 MB of JSON before compression, so a download
# holds one chunk at a time in memory; summary rows are 20x smaller.
CHUNK_ROWS: dict[str, int] = {"full": 50, "summary": 500}
SWEEP_LIMIT = 100
RESULT_TYPES = (
    "application/json",
    "application/x-ndjson",
    XLSX,
)


@dataclass(frozen=True)
class JobConfig:
    """The settings a job's life depends on."""

    ttl: timedelta
    lease: timedelta
    max_attempts: int

    @classmethod
    def of(cls, settings: Settings) -> JobConfig:
        return cls(
            ttl=timedelta(seconds=settings.job_ttl_seconds),
            lease=timedelta(seconds=settings.job_lease_seconds),
            max_attempts=settings.job_max_attempts,
        )

    @property
    def queued_wait(self) -> timedelta:
        """How long a queued job waits before it is enqueued again (its message may be lost:
        a replica with a local queue went away). A duplicate message is harmless: only one
        worker can take the job."""
        return self.lease * 4


class Enqueue(Protocol):
    def enqueue(self, job_id: str) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = _aware(moment).astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def pack(value: Any) -> bytes:
    return zstandard.ZstdCompressor(level=3).compress(orjson.dumps(value))


def unpack(blob: bytes) -> Any:
    return orjson.loads(zstandard.ZstdDecompressor().decompress(blob))


# ---------------------------------------------------------------- what clients see


def results_link(job_id: str) -> str:
    return f"/v1/batch-jobs/{job_id}/results"


class JobProgress(TypedDict):
    done: int
    total: int


class JobResultsLink(TypedDict):
    href: str
    count: int
    succeeded: int
    failed: int
    media_types: list[str]


class PublicJob(TypedDict):
    """A batch job as the API shows it (``public``)."""

    id: str
    status: str
    view: str
    lang: str
    progress: JobProgress
    results: JobResultsLink | None
    error: dict[str, object] | None
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    expires_at: str | None


def public(job: BatchJob) -> PublicJob:
    """The job as ``GET /v1/batch-jobs/{id}`` shows it. ``results`` is null until the job is
    done; then it links to the download and counts the rows (the rows themselves can be
    hundreds of megabytes, so they are never inlined)."""
    results: JobResultsLink | None = None
    if job.status == "done":
        results = {
            "href": results_link(job.id),
            "count": job.total,
            "succeeded": job.total - job.failed,
            "failed": job.failed,
            "media_types": list(RESULT_TYPES),
        }
    return {
        "id": job.id,
        "status": job.status,
        "view": job.view,
        "lang": job.lang,
        "progress": {"done": job.done, "total": job.total},
        "results": results,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "expires_at": _iso(job.expires_at),
    }


def request_hash(media: str, body: bytes, view: str, lang: str) -> str:
    """What an Idempotency-Key is bound to: the body as sent, its type, the view and language."""
    digest = hashlib.sha256(f"{media}|{view}|{lang}|".encode())
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class Submission:
    """A batch to run as a job, as it arrived."""

    rows: list[Any]
    origin: Origin | None
    source: str
    view: View
    lang: Lang
    request_hash: str = ""
    idempotency_key: str | None = None


def submit(
    uow: UnitOfWork,
    queue: Enqueue,
    owner: Principal | None,
    batch: Submission,
    snap: Snapshot,
    config: JobConfig,
) -> tuple[PublicJob, bool]:
    """Store the job (queued) and put it on the queue; the job, and whether it was made now
    (False: the owner's Idempotency-Key already made it, from the same request). If the queue
    cannot be reached the job is kept all the same: a sweep enqueues it after ``queued_wait``."""
    now = utc_now()
    job = BatchJob(
        id=str(uuid.uuid4()),
        owner_key_id=None if owner is None else owner.key_id,
        status="queued",
        view=batch.view,
        lang=batch.lang,
        source=batch.source,
        kb_version=snap.version,
        total=len(batch.rows),
        chunk_size=CHUNK_ROWS[batch.view],
        lease_until=now + config.queued_wait,
        created_at=now,
        expires_at=now + config.ttl,
        idempotency_key=batch.idempotency_key,
        request_hash=batch.request_hash,
        input=pack(
            {"rows": batch.rows, "origin": None if batch.origin is None else asdict(batch.origin)}
        ),
    )
    try:
        with uow.write() as tx:
            if owner is not None and batch.idempotency_key is not None:
                earlier = tx.jobs.by_idempotency_key(owner.key_id, batch.idempotency_key)
                if earlier is not None and _aware(earlier.expires_at) > now:
                    return _replayed(earlier, batch), False
                if earlier is not None:  # expired, not yet swept: the key is free again
                    tx.jobs.delete(earlier.id)
            tx.jobs.add(job)
    except IntegrityError:
        raise Conflict(
            detail="Another request with this Idempotency-Key is in progress or just finished; "
            "retry to get its job.",
            headers={"Retry-After": "1"},
        ) from None
    try:
        queue.enqueue(job.id)
    except Exception as exc:  # noqa: BLE001 - any queue failure: the sweep enqueues it later
        log.warning("job %s stored but not enqueued (%s); a sweep will", job.id, exc)
    return public(job), True


def _replayed(earlier: BatchJob, batch: Submission) -> PublicJob:
    if earlier.request_hash != batch.request_hash:
        raise InvalidInput(
            detail="This Idempotency-Key was used with a different request.",
            errors=[
                FieldError(
                    "", "idempotency_key_reused", "send a new Idempotency-Key for a new request"
                )
            ],
        )
    return public(earlier)


def _find(uow: UnitOfWork, who: Principal | None, job_id: str) -> BatchJob:
    """The caller's job; 404 for another key's, an expired one or none. ``who`` None is the
    operator at the command line, who sees every job."""
    with uow.read() as tx:
        job = tx.jobs.get(job_id)
    if (
        job is None
        or (who is not None and job.owner_key_id != who.key_id)
        or _aware(job.expires_at) <= utc_now()
    ):
        raise NotFound(detail=f"No batch job {job_id} for this key.")
    return job


def status(uow: UnitOfWork, who: Principal | None, job_id: str) -> PublicJob:
    return public(_find(uow, who, job_id))


def cancel(
    uow: UnitOfWork, who: Principal | None, job_id: str, config: JobConfig
) -> PublicJob | None:
    """Cancel a queued or running job: its rows are dropped and it shows ``cancelled`` until it
    expires (the answer is the job). A job that had already ended is deleted with its results
    (the answer is None)."""
    job = _find(uow, who, job_id)
    now = utc_now()
    with uow.write() as tx:
        if job.status in UNFINISHED:
            tx.jobs.cancel(job_id, now, now + config.ttl)
            # Cancelled now, or ended meanwhile (then it is left as it ended, results and all).
            current = tx.jobs.get(job_id)
            return None if current is None else public(current)
        tx.jobs.delete(job_id)
    return None


@dataclass(frozen=True)
class JobResults:
    """A done job's results, read one chunk at a time."""

    uow: UnitOfWork
    job: BatchJob

    @property
    def lang(self) -> Lang:
        return as_lang(self.job.lang)

    def entries(self) -> Iterator[BatchEntry]:
        """Every row's entry (a result or an error), in input order. Each chunk is read in its
        own short transaction, so a long download holds no transaction open."""
        start = 0
        while start < self.job.total:
            with self.uow.read() as tx:
                chunk = tx.jobs.chunk(self.job.id, start)
            if chunk is None:  # expired or deleted during the download: end it incomplete
                raise NotFound(detail=f"The results of batch job {self.job.id} are gone.")
            yield from unpack(chunk.data)
            start += chunk.count

    def source_rows(self) -> tuple[list[Any], Origin | None]:
        """The submitted rows and, for a workbook, where each came from."""
        with self.uow.read() as tx:
            blob = tx.jobs.input_of(self.job.id)
        if blob is None:
            raise NotFound(detail=f"The batch job {self.job.id} is gone.")
        data = unpack(blob)
        origin = data["origin"]
        return data["rows"], None if origin is None else Origin(**origin)

    def ndjson(self) -> Iterator[bytes]:
        """One entry a line, after one ``{"warning": ...}`` line for each thing the table reader
        left out, as the batch endpoint streams them."""
        warnings = warning_dicts(self.source_rows()[1], self.lang)
        buf: list[bytes] = [orjson.dumps({"warning": w}) + b"\n" for w in warnings]
        for entry in self.entries():
            buf.append(orjson.dumps(entry) + b"\n")
            if len(buf) == svc.CHUNK:
                yield b"".join(buf)
                buf.clear()
        if buf:
            yield b"".join(buf)

    def json(self) -> Iterator[bytes]:
        """``{"items": [...], "count", "succeeded", "failed", "warnings"}``, the batch
        endpoint's document (warnings: what the table reader left out of a CSV or workbook)."""
        buf = [b'{"items":[']
        for index, entry in enumerate(self.entries()):
            buf.append((b"," if index else b"") + orjson.dumps(entry))
            if len(buf) >= svc.CHUNK:
                yield b"".join(buf)
                buf.clear()
        job = self.job
        warnings = warning_dicts(self.source_rows()[1], self.lang)
        buf.append(
            b'],"count":%d,"succeeded":%d,"failed":%d,"warnings":%s}'
            % (job.total, job.total - job.failed, job.failed, orjson.dumps(warnings))
        )
        yield b"".join(buf)


def results(uow: UnitOfWork, who: Principal | None, job_id: str) -> JobResults:
    """The results of the caller's job; 409 while it is not done."""
    job = _find(uow, who, job_id)
    if job.status != "done":
        where = f" ({job.done} of {job.total} rows)" if job.status in UNFINISHED else ""
        raise Conflict(
            detail=f"Batch job {job_id} is {job.status}{where}; results are read once it is done.",
            headers={"Retry-After": "2"} if job.status in UNFINISHED else {},
        )
    return JobResults(uow, job)


# ---------------------------------------------------------------- the worker's side


class Snapshots:
    """The knowledge base a job asks for: the one served now, or an earlier version compiled
    from the document every version keeps (one is cached)."""

    def __init__(self, uow: UnitOfWork, store: KnowledgeStore) -> None:
        self.uow = uow
        self.store = store
        self._lock = threading.Lock()
        self._earlier: Snapshot | None = None

    def at(self, version: int) -> Snapshot:
        self.store.poll()
        current = self.store.snapshot
        if current.version == version:
            return current
        with self._lock:
            if self._earlier is not None and self._earlier.version == version:
                return self._earlier
            with self.uow.read() as tx:
                row = tx.kb.version(version)
                kb = None if row is None else tx.kb.document(row.checksum)
            if row is None or kb is None:
                log.warning("knowledge-base version %s is not kept; using %s", version, current)
                return current
            self._earlier = compile_snapshot(kb, row.number, row.checksum)
            return self._earlier


@dataclass
class Worker:
    """What a job worker process holds: its unit of work, its knowledge bases, the settings,
    and the jobs it is running now (released at once if the process is told to stop)."""

    uow: UnitOfWork
    snapshots: Snapshots
    config: JobConfig
    clock: Callable[[], datetime] = utc_now

    def __post_init__(self) -> None:
        self.running: dict[str, int] = {}
        self._lock = threading.Lock()

    def release_all(self) -> None:
        with self._lock:
            held = list(self.running.items())
        for job_id, attempt in held:
            try:
                with self.uow.write() as tx:
                    tx.jobs.release(job_id, attempt, self.clock())
            except SQLAlchemyError as exc:
                log.warning("could not release job %s: %s", job_id, type(exc).__name__)


def run(worker: Worker, job_id: str) -> str:
    """Take the job and compute its missing rows, chunk by chunk; the outcome in one word:
    ``done``, ``skipped`` (not queued: done, cancelled, taken or gone) or ``lost`` (another
    worker or a cancellation took it meanwhile)."""
    lease = worker.config.lease
    now = worker.clock()
    with worker.uow.write() as tx:
        attempt = tx.jobs.claim(job_id, now, now + lease)
    if attempt is None:
        return "skipped"
    with worker._lock:
        worker.running[job_id] = attempt
    try:
        return _compute(worker, job_id, attempt)
    except Exception:
        log.exception("job %s failed on attempt %s; released for another try", job_id, attempt)
        with worker.uow.write() as tx:
            tx.jobs.release(job_id, attempt, worker.clock())
        raise
    finally:
        with worker._lock:
            worker.running.pop(job_id, None)


def _compute(worker: Worker, job_id: str, attempt: int) -> str:
    with worker.uow.read() as tx:
        job = tx.jobs.get(job_id)
        blob = tx.jobs.input_of(job_id)
    if job is None or blob is None:
        return "lost"
    rows = unpack(blob)["rows"]
    snap = worker.snapshots.at(job.kb_version)
    lang, view = as_lang(job.lang), cast(View, job.view)
    done = job.done
    while done < job.total:
        end = min(done + job.chunk_size, job.total)
        entries = [svc.run_one(snap, i, rows[i], lang, view) for i in range(done, end)]
        chunk = BatchJobChunk(
            job_id=job_id,
            start=done,
            count=end - done,
            failed=sum("error" in e for e in entries),
            data=pack(entries),
        )
        with worker.uow.write() as tx:
            if not tx.jobs.advance(
                job_id, attempt, done, chunk, worker.clock() + worker.config.lease
            ):
                log.info("job %s: attempt %s no longer holds it; stopping", job_id, attempt)
                return "lost"
        done = end
    now = worker.clock()
    with worker.uow.write() as tx:
        finished = tx.jobs.finish(job_id, attempt, JobEnd("done", now, now + worker.config.ttl))
    return "done" if finished else "lost"


@dataclass
class SweepReport:
    requeued: list[str]
    failed: list[str]
    purged: int


def _gave_up(job_id: str, attempts: int) -> dict[str, object]:
    """The problem a job failed with: its workers stopped ``attempts`` times."""
    return {
        "type": "urn:countypath:problem:internal",
        "title": "Internal error",
        "status": 500,
        "code": "INTERNAL",
        "detail": f"The job was started {attempts} times and its worker stopped each time "
        "before it finished; it is not tried again. Submit it in smaller parts.",
        "instance": f"/v1/batch-jobs/{job_id}",
    }


def sweep(uow: UnitOfWork, queue: Enqueue, config: JobConfig, now: datetime) -> SweepReport:
    """Hand on jobs whose lease or wait ran out, fail those started too often, delete expired
    ones. Safe to run in every worker process at once: each change is a compare-and-set."""
    report = SweepReport([], [], 0)
    with uow.read() as tx:
        stale = tx.jobs.stale(now, SWEEP_LIMIT)
    for job in stale:
        give_up = job.status == "running" and job.attempts >= config.max_attempts
        with uow.write() as tx:
            # The compare-and-set on the lease comes first, so a job whose worker renewed its
            # lease meanwhile is left alone, and only one sweeper acts on each job.
            moved = tx.jobs.requeue(job.id, now, now + config.queued_wait)
            if moved and give_up:
                failed = JobEnd("failed", now, now + config.ttl, _gave_up(job.id, job.attempts))
                tx.jobs.finish(job.id, None, failed)
        if moved and give_up:
            report.failed.append(job.id)
        elif moved:
            queue.enqueue(job.id)
            report.requeued.append(job.id)
    with uow.write() as tx:
        for job_id in tx.jobs.expired(now, SWEEP_LIMIT):
            tx.jobs.delete(job_id)
            report.purged += 1
    return report
