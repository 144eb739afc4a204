"""Prometheus metrics, one registry per app (so tests never share state).

Behind several workers a scrape reaches whichever worker accepts it, so per-worker counters would
jump up and down between scrapes. ``countypath serve --workers N`` therefore sets
PROMETHEUS_MULTIPROC_DIR (a fresh directory unless the operator names one): each worker writes its
samples there and a scrape sums them (gauges: pool use summed over live workers, the highest
knowledge-base version served). One process keeps everything in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

from app.api.http import HTTP_METHODS
from app.domain.result_types import ChallengeSummaryOut

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "countypath_http_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "countypath_http_request_duration_seconds",
            "Request latency by route and method.",
            ["route", "method"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.diagnoses = Counter(
            "countypath_diagnoses",
            "Challenge diagnoses by challenge and status.",
            ["challenge", "status"],
            registry=self.registry,
        )
        self.kb_version = self._gauge("kb_version", "Knowledge-base version served.", "max")
        self.pool_checked_out = self._gauge(
            "db_pool_checked_out", "Database connections in use.", "livesum"
        )
        self.pool_size = self._gauge("db_pool_size", "Database pool size.", "livesum")
        self.rate_limited = Counter(
            "countypath_rate_limited", "Requests refused by the rate limit.", registry=self.registry
        )
        # Labelled children kept by their labels: ``labels()`` takes a lock and checks its
        # arguments on every call, which the hot path pays once per label set instead.
        self._children: dict[tuple[str, ...], Any] = {}

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric._name, *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def _gauge(self, name: str, documentation: str, mode: Literal["max", "livesum"]) -> Gauge:
        """A gauge of this registry; ``mode`` says how the workers' values combine."""
        return Gauge(
            f"countypath_{name}", documentation, registry=self.registry, multiprocess_mode=mode
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        # A client may send any token as its method; outside HTTP's own set it counts as OTHER,
        # so no caller can add label values (and series) at will.
        method = method if method in HTTP_METHODS else "OTHER"
        self._child(self.requests, route, method, str(status)).inc()
        self._child(self.latency, route, method).observe(seconds)

    def count_diagnoses(self, challenges: Iterable[ChallengeSummaryOut]) -> None:
        for c in challenges:
            self._child(self.diagnoses, c.slug, c.status).inc()

    def sample(self, kb_version: int | None, pool: Any) -> None:
        """Set this worker's gauges (on every scrape, and periodically: behind several workers a
        scrape is answered by one of them, and the others' gauges must not go stale)."""
        if kb_version is not None:
            self.kb_version.set(kb_version)
        checked_out = getattr(pool, "checkedout", None)
        size = getattr(pool, "size", None)
        if callable(checked_out):
            self.pool_checked_out.set(checked_out())
        if callable(size):
            self.pool_size.set(size())

    def render(self, kb_version: int | None, pool: Any) -> bytes:
        self.sample(kb_version, pool)
        if MULTIPROCESS_ENV in os.environ:
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)

    @staticmethod
    def forget_dead_workers() -> None:
        """A worker starting: drop the live gauges of workers that died without retiring (kill -9;
        the supervisor starts a replacement, which lands here)."""
        folder = os.environ.get(MULTIPROCESS_ENV)
        if not folder:
            return
        for file in Path(folder).glob("gauge_live*_*.db"):
            tail = file.stem.rsplit("_", 1)[1]
            if not tail.isdigit():
                continue
            pid = int(tail)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
            except PermissionError:
                pass  # alive, someone else's

    @staticmethod
    def retire() -> None:
        """A worker leaving: drop its live gauges from the shared directory."""
        if MULTIPROCESS_ENV in os.environ:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def serve_separately(address: str) -> None:
    """Serve every worker's merged samples on ``address`` (``host:port``) from this process, the
    one that starts the workers, so /metrics need not share the API's port and can listen where
    only the scraper reaches. PROMETHEUS_MULTIPROC_DIR must be set before any worker starts."""
    host, _, port = address.rpartition(":")
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(int(port), addr=host.strip("[]"), registry=registry)
