"""The task queue that wakes the job workers: huey (docs/jobs.md says why), on Redis when
COUNTYPATH_REDIS_URL is set, so every replica's workers take jobs from one queue, else on a
SQLite file that needs no server.

A message carries a job id and nothing else: the job itself is in the database
(app.services.batch_jobs), so a lost message costs a delay, never a job, and a repeated one costs
nothing. Messages are JSON, never pickle, so whoever can write to the queue cannot make a worker
run code.

huey itself (with the Redis and PostgreSQL clients its storage module imports, about 19 MB) is
imported when the queue is first opened (app.services.huey_queue): a serving worker that never
takes a job never loads it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from app.services import batch_jobs
from app.services.knowledge_store import KnowledgeStore
from app.services.ports import UnitOfWork
from app.settings import Settings

UowFactory = Callable[[Settings], UnitOfWork]
"""Builds the unit of work over the settings' database: given by a composition root (the app
factory, the command line), so the queue never builds storage itself."""

log = logging.getLogger("countypath.jobs")
TASK = "countypath.batch_job"
NICENESS = 10


class JobQueue:
    """The queue as the API and the CLI use it (``enqueue``) and as a worker process runs it
    (``run_worker``). The queue is opened on first use (an API process that never takes a job
    never creates the queue file); the worker's database engine and knowledge base are built in
    the process that runs the tasks, after any fork."""

    def __init__(self, settings: Settings, make_uow: UowFactory) -> None:
        self.settings = settings
        self.make_uow = make_uow
        self._huey: Any = None
        self._task: Any = None
        self._worker: batch_jobs.Worker | None = None
        self._worker_pid = 0
        self._lock = threading.Lock()

    @property
    def huey(self) -> Any:
        with self._lock:
            if self._huey is None:
                self._huey = self._open()
            return self._huey

    def _open(self) -> Any:
        from app.services import huey_queue  # see the module's docstring

        huey = huey_queue.make_huey(self.settings)

        def run_batch_job(job_id: str) -> None:
            outcome = batch_jobs.run(self.worker(), job_id)
            log.info("job %s: %s", job_id, outcome)

        self._task = huey.task(name=TASK)(run_batch_job)

        def interrupted(signal: str, task: Any, *rest: Any) -> None:
            del signal, task, rest
            if self._worker is not None:
                self._worker.release_all()

        huey.signal(huey_queue.SIGNAL_INTERRUPTED)(interrupted)
        return huey

    def enqueue(self, job_id: str) -> None:
        self.huey  # noqa: B018 - opens the queue and registers the task
        self._task(job_id)

    def close(self) -> None:
        """Close the queue's connections (the SQLite file's, or the Redis pool) and this
        process's worker's database pool, where they were opened. Left to the garbage collector,
        the pool's connections would stay open in a heap the app froze at start-up."""
        with self._lock:
            huey, self._huey = self._huey, None
            worker, self._worker = self._worker, None
        if worker is not None and self._worker_pid == os.getpid():
            worker.uow.close()
        if huey is None:
            return
        huey.storage.close()
        pool = getattr(huey.storage, "pool", None)
        if pool is not None:
            pool.disconnect()

    def worker(self) -> batch_jobs.Worker:
        """This process's worker context, built on first use."""
        with self._lock:
            if self._worker is None or self._worker_pid != os.getpid():
                self._worker = _build_worker(self.settings, self.make_uow)
                self._worker_pid = os.getpid()
            return self._worker

    def sweep_forever(self, stop: threading.Event, interval: float, parent: int | None) -> None:
        """Sweep until ``stop`` is set; a failed sweep is logged and tried again. With
        ``parent``, the process stops itself once that process is gone (``serve`` was killed)."""
        worker = _build_worker(self.settings, self.make_uow)
        while not stop.is_set():
            try:
                report = batch_jobs.sweep(worker.uow, self, worker.config, batch_jobs.utc_now())
                if report.requeued or report.failed:
                    log.warning("jobs handed on: %s; failed: %s", report.requeued, report.failed)
            except Exception as exc:  # noqa: BLE001 - the sweeper outlives a database outage
                log.warning("job sweep failed: %s", exc)
            if parent is not None and os.getppid() != parent:
                log.warning("the serving process is gone; the job worker stops")
                os.kill(os.getpid(), signal.SIGTERM)
                return
            stop.wait(interval)

    def run_worker(self, workers: int, parent: int | None = None) -> None:
        """Run ``workers`` job workers (a thread for one, processes for more) and a sweeper until
        SIGTERM (stop now: the jobs held are released, and taken up again where their stored
        rows end) or SIGINT (huey's graceful stop: the running jobs finish first). Under
        ``serve`` (``parent``) SIGINT is ignored (the server stops its job worker itself) and the
        worker runs at a lower CPU priority than the API."""
        if parent is not None and hasattr(os, "nice"):
            # Beside the API, batch work yields the CPU to requests: a 5,000-row job must not
            # slow the answers of the server it runs beside.
            os.nice(NICENESS)
        stop = threading.Event()
        interval = max(0.5, min(5.0, self.settings.job_lease_seconds / 3))
        sweeper = threading.Thread(
            target=self.sweep_forever,
            args=(stop, interval, parent),
            name="job-sweeper",
            daemon=True,
        )
        sweeper.start()
        from app.services.huey_queue import ServingConsumer

        consumer = ServingConsumer(
            self.huey,
            workers=workers,
            worker_type="thread" if workers == 1 else "process",
            periodic=False,
            initial_delay=0.1,
            max_delay=1.0,
            check_worker_health=True,
            health_check_interval=5,
        )
        consumer.ignore_interrupt = parent is not None
        try:
            consumer.run()
        finally:
            stop.set()
            if self._worker is not None:
                self._worker.release_all()


class WorkerProcess:
    """The job worker ``countypath serve`` runs beside the API: a ``countypath jobs worker``
    process, started again if it dies (a crash, or a kill), stopped when the server stops."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._stopping = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._supervise, name="job-worker", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "app", "jobs", "worker"]
        command += ["--workers", str(self.workers), "--parent", str(os.getpid())]
        with self._lock:
            if not self._stopping.is_set():
                self._proc = subprocess.Popen(command)

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            proc = self._proc
            assert proc is not None
            code = proc.wait()
            if self._stopping.is_set() or code == 0:
                return
            log.warning("the job worker exited (%s); starting it again", code)
            if self._stopping.wait(1.0):
                return
            self._spawn()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (the jobs held are released), then SIGKILL after ``timeout`` seconds."""
        self._stopping.set()
        with self._lock:
            proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _build_worker(settings: Settings, make_uow: UowFactory) -> batch_jobs.Worker:
    uow = make_uow(settings)
    return batch_jobs.Worker(
        uow, batch_jobs.Snapshots(uow, KnowledgeStore(uow)), batch_jobs.JobConfig.of(settings)
    )
