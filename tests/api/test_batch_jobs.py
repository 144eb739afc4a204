"""Batch jobs through the API, on SQLite and PostgreSQL, with the job's rows computed by a worker
in this process (tests/system/test_batch_jobs.py runs real servers and worker processes):
ownership, results in every format, cancellation, expiry, retries that store each row once."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.main import create_app
from app.services import batch_jobs
from app.services.keys import create_key
from app.settings import Settings
from tests.conftest import DEQING_PROFILE, auth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def deqing() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEQING_PROFILE.read_text(encoding="utf-8"))
    return data


def rows(count: int, bad: tuple[int, ...] = ()) -> list[Any]:
    out: list[Any] = []
    for i in range(count):
        row = deqing()
        row["county"]["name"] = f"County {i}"
        if i in bad:
            row["indicators"]["urbanization_rate_pct"] = 163.5
        out.append(row)
    return out


@pytest.fixture
def keys(store_settings: Settings) -> dict[str, str]:
    engine = make_engine(store_settings, pooled=False)
    uow = SqlUnitOfWork(engine)
    out = {
        "mine": create_key(uow, "portal-a", ["assessments"])[1],
        "theirs": create_key(uow, "portal-b", ["assessments"])[1],
        "curator": create_key(uow, "curator", ["kb:write"])[1],
    }
    engine.dispose()
    return out


@pytest.fixture
def job_settings(store_settings: Settings, tmp_path: Path) -> Settings:
    """The test's database (SQLite, then PostgreSQL), the queue file in its own directory."""
    return store_settings.model_copy(update={"job_queue_path": tmp_path / "queue.db"})


@pytest.fixture
def store_client(job_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(job_settings)) as c:
        yield c


def work(client: TestClient, job_id: str) -> str:
    """What a job worker does when the queue hands it ``job_id``."""
    return batch_jobs.run(client.app.state.jobs.worker(), job_id)  # type: ignore[attr-defined]


def submit(client: TestClient, key: str, body: list[Any], **params: str) -> dict[str, Any]:
    res = client.post("/v1/batch-jobs", json=body, headers=auth(key), params=params)
    assert res.status_code == 202, res.text
    job: dict[str, Any] = res.json()
    assert res.headers["location"] == f"/v1/batch-jobs/{job['id']}"
    return job


def test_a_job_from_submission_to_results(store_client: TestClient, keys: dict[str, str]) -> None:
    c, h = store_client, auth(keys["mine"])
    job = submit(c, keys["mine"], rows(120, bad=(7,)), view="summary", lang="zh")
    assert job["status"] == "queued"
    assert job["progress"] == {"done": 0, "total": 120}
    assert job["results"] is None
    assert c.get(f"/v1/batch-jobs/{job['id']}/results", headers=h).status_code == 409
    assert work(c, job["id"]) == "done"
    assert work(c, job["id"]) == "skipped", "a repeated message does nothing"
    done = c.get(f"/v1/batch-jobs/{job['id']}", headers=h).json()
    assert done["status"] == "done"
    assert done["progress"] == {"done": 120, "total": 120}
    assert done["results"]["href"] == f"/v1/batch-jobs/{job['id']}/results"
    assert (done["results"]["succeeded"], done["results"]["failed"]) == (119, 1)

    whole = c.get(done["results"]["href"], headers=h)
    assert whole.headers["content-language"] == "zh-CN"
    body = whole.json()
    assert (body["count"], body["succeeded"], body["failed"]) == (120, 119, 1)
    assert [i["index"] for i in body["items"]] == list(range(120))
    assert body["items"][7]["error"]["errors"][0]["pointer"] == "/indicators/urbanization_rate_pct"
    assert body["items"][0]["result"]["view"] == "summary"
    # The same rows as the batch endpoint gives for the same body.
    batch = c.post(
        "/v1/recommendations/batch?view=summary&lang=zh", json=rows(120, bad=(7,))
    ).json()
    assert body == batch

    lines = c.get(done["results"]["href"], headers=h | {"Accept": "application/x-ndjson"})
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    assert [orjson.loads(x) for x in lines.content.splitlines()] == body["items"]

    head = c.head(done["results"]["href"], headers=h | {"Accept": "application/x-ndjson"})
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("application/x-ndjson")
    assert head.content == b""
    book = c.get(done["results"]["href"], headers=h | {"Accept": XLSX})
    assert book.headers["content-type"] == XLSX
    sheets = load_workbook(io.BytesIO(book.content), read_only=True)
    assert len(list(sheets["results"].iter_rows())) == 1 + 119
    errors = list(sheets["errors"].iter_rows(values_only=True))
    assert errors[1][1] == "County 7"


def test_shutting_the_app_down_closes_its_job_workers_connections(
    job_settings: Settings, keys: dict[str, str]
) -> None:
    """A worker built in the app's process (here by the test, as an embedding program may) holds
    a pool of its own; left to the collector at shutdown, its connections stayed open in the
    heap the app froze at start-up."""
    with TestClient(create_app(job_settings)) as c:
        job = submit(c, keys["mine"], rows(3), view="summary")
        assert work(c, job["id"]) == "done"
        pool = c.app.state.jobs.worker().uow.engine.pool  # type: ignore[attr-defined]
        assert pool.checkedin() > 0, "the worker's pool kept the connection it used"
    assert pool.checkedin() == 0


def test_another_keys_job_is_not_found(store_client: TestClient, keys: dict[str, str]) -> None:
    c = store_client
    job = submit(c, keys["mine"], rows(2))
    theirs = auth(keys["theirs"])
    for method, path in (
        ("GET", f"/v1/batch-jobs/{job['id']}"),
        ("GET", f"/v1/batch-jobs/{job['id']}/results"),
        ("DELETE", f"/v1/batch-jobs/{job['id']}"),
    ):
        res = c.request(method, path, headers=theirs)
        assert res.status_code == 404, (method, path)
        assert res.json()["code"] == "NOT_FOUND"
    assert c.get(f"/v1/batch-jobs/{job['id']}", headers=auth(keys["curator"])).status_code == 403
    assert c.get(f"/v1/batch-jobs/{job['id']}").status_code == 401
    assert c.post("/v1/batch-jobs", json=rows(1)).status_code == 401
    # The owner's job was not touched by the refused DELETE.
    assert c.get(f"/v1/batch-jobs/{job['id']}", headers=auth(keys["mine"])).json()["status"] == (
        "queued"
    )


def test_cancel_stops_the_worker_and_drops_rows(
    store_client: TestClient, keys: dict[str, str]
) -> None:
    c, h = store_client, auth(keys["mine"])
    job = submit(c, keys["mine"], rows(1200), view="summary")
    worker = c.app.state.jobs.worker()  # type: ignore[attr-defined]
    # The worker takes the job and stores its first chunk; then the owner cancels.
    uow = worker.uow
    now = batch_jobs.utc_now()
    with uow.write() as tx:
        attempt = tx.jobs.claim(job["id"], now, now + timedelta(minutes=1))
    assert attempt == 1
    cancelled = c.delete(f"/v1/batch-jobs/{job['id']}", headers=h)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    # The worker's next write is refused: it stops, and nothing it computed is kept.
    assert batch_jobs._compute(worker, job["id"], attempt) == "lost"
    with uow.read() as tx:
        assert tx.jobs.chunk(job["id"], 0) is None
    assert work(c, job["id"]) == "skipped"
    again = c.get(f"/v1/batch-jobs/{job['id']}", headers=h).json()
    assert again["status"] == "cancelled"
    assert c.get(f"/v1/batch-jobs/{job['id']}/results", headers=h).status_code == 409
    # Deleting an ended job removes it.
    assert c.delete(f"/v1/batch-jobs/{job['id']}", headers=h).status_code == 204
    assert c.get(f"/v1/batch-jobs/{job['id']}", headers=h).status_code == 404


def test_jobs_expire(job_settings: Settings, keys: dict[str, str]) -> None:
    settings = job_settings.model_copy(update={"job_ttl_seconds": 1})
    with TestClient(create_app(settings)) as c:
        h = auth(keys["mine"])
        job = submit(c, keys["mine"], rows(3), view="summary")
        assert work(c, job["id"]) == "done"
        assert c.get(f"/v1/batch-jobs/{job['id']}", headers=h).status_code == 200
        worker = c.app.state.jobs.worker()  # type: ignore[attr-defined]
        later = batch_jobs.utc_now() + timedelta(seconds=2)
        worker.clock = lambda: later
        # Past its time the job is gone for its owner at once, and a sweep deletes it.
        with worker.uow.read() as tx:
            row = tx.jobs.get(job["id"])
        assert row is not None
        report = batch_jobs.sweep(worker.uow, c.app.state.jobs, worker.config, later)  # type: ignore[attr-defined]
        assert report.purged == 1
        assert c.get(f"/v1/batch-jobs/{job['id']}", headers=h).status_code == 404
        with worker.uow.read() as tx:
            assert tx.jobs.get(job["id"]) is None
            assert tx.jobs.chunk(job["id"], 0) is None


def test_a_lost_worker_is_taken_over_and_each_row_stored_once(
    store_client: TestClient, keys: dict[str, str]
) -> None:
    """A worker stops after two chunks without a word (its process was killed): once its lease
    runs out a sweep hands the job on; the next worker computes only the rows not stored, and
    the first worker, should it wake, can store nothing more."""
    c, h = store_client, auth(keys["mine"])
    job = submit(c, keys["mine"], rows(130, bad=(3, 128)), view="full")
    worker = c.app.state.jobs.worker()  # type: ignore[attr-defined]
    uow, config = worker.uow, worker.config
    now = batch_jobs.utc_now()
    with uow.write() as tx:
        first = tx.jobs.claim(job["id"], now, now + config.lease)
    assert first == 1
    stored = _store_chunks(worker, job["id"], first, count=2)
    assert c.get(f"/v1/batch-jobs/{job['id']}", headers=h).json()["progress"]["done"] == stored
    # Before the lease runs out nobody takes the job over.
    assert batch_jobs.sweep(uow, c.app.state.jobs, config, now).requeued == []  # type: ignore[attr-defined]
    # The lease was renewed with the last chunk stored.
    later = batch_jobs.utc_now() + config.lease + timedelta(seconds=1)
    report = batch_jobs.sweep(uow, c.app.state.jobs, config, later)  # type: ignore[attr-defined]
    assert report.requeued == [job["id"]]
    assert c.get(f"/v1/batch-jobs/{job['id']}", headers=h).json()["status"] == "queued"
    assert work(c, job["id"]) == "done"
    # The first worker wakes up: its attempt no longer holds the job.
    assert batch_jobs._compute(worker, job["id"], first) == "lost"
    body = c.get(f"/v1/batch-jobs/{job['id']}/results", headers=h).json()
    assert [i["index"] for i in body["items"]] == list(range(130))
    assert (body["succeeded"], body["failed"]) == (128, 2)
    with uow.read() as tx:
        row = tx.jobs.get(job["id"])
    assert row is not None
    assert row.attempts == 2
    assert row.done == 130


def _store_chunks(worker: batch_jobs.Worker, job_id: str, attempt: int, count: int) -> int:
    """What a worker does for its first ``count`` chunks; the rows stored."""
    with worker.uow.read() as tx:
        job = tx.jobs.get(job_id)
        blob = tx.jobs.input_of(job_id)
    assert job is not None
    assert blob is not None
    data = batch_jobs.unpack(blob)["rows"]
    snap = worker.snapshots.at(job.kb_version)
    done = 0
    from app.models import BatchJobChunk
    from app.services import recommendations

    for _ in range(count):
        end = done + job.chunk_size
        entries = [recommendations.run_one(snap, i, data[i], "en") for i in range(done, end)]
        chunk = BatchJobChunk(
            job_id=job_id,
            start=done,
            count=end - done,
            failed=sum("error" in e for e in entries),
            data=batch_jobs.pack(entries),
        )
        with worker.uow.write() as tx:
            assert tx.jobs.advance(
                job_id, attempt, done, chunk, worker.clock() + worker.config.lease
            )
        done = end
    return done


def test_a_job_started_too_often_fails(store_client: TestClient, keys: dict[str, str]) -> None:
    c, h = store_client, auth(keys["mine"])
    job = submit(c, keys["mine"], rows(2), view="summary")
    worker = c.app.state.jobs.worker()  # type: ignore[attr-defined]
    config = worker.config
    moment = batch_jobs.utc_now()
    for _ in range(config.max_attempts):
        with worker.uow.write() as tx:
            assert tx.jobs.claim(job["id"], moment, moment + config.lease) is not None
        moment += config.lease + timedelta(seconds=1)
        batch_jobs.sweep(worker.uow, c.app.state.jobs, config, moment)  # type: ignore[attr-defined]
    failed = c.get(f"/v1/batch-jobs/{job['id']}", headers=h).json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "INTERNAL"
    assert f"started {config.max_attempts} times" in failed["error"]["detail"]
    assert failed["results"] is None


def test_workbook_and_csv_bodies_and_refusals(
    store_client: TestClient, job_settings: Settings, keys: dict[str, str]
) -> None:
    client, settings, h = store_client, job_settings, auth(keys["mine"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["县名", "代码", "地区生产总值（亿元）", "常住人口城镇化率（%）"])
    sheet.append(["德清县", "330521", 720, 66.5])
    sheet.append(["苍南县", "330327", 500, 163.5])
    buf = io.BytesIO()
    book.save(buf)
    res = client.post("/v1/batch-jobs", content=buf.getvalue(), headers=h | {"Content-Type": XLSX})
    assert res.status_code == 202, res.text
    job = res.json()
    assert work(client, job["id"]) == "done"
    out = client.get(f"/v1/batch-jobs/{job['id']}/results", headers=h | {"Accept": XLSX})
    errors = list(load_workbook(io.BytesIO(out.content))["errors"].iter_rows(values_only=True))
    # The errors sheet names the workbook's own row and column.
    assert errors[1][:3] == (3, "苍南县", "D (常住人口城镇化率（%）)")

    csv = "county_name,gdp_cny_100m\nA,100\nB,200\n"
    res = client.post("/v1/batch-jobs", content=csv, headers=h | {"Content-Type": "text/csv"})
    assert res.status_code == 202
    assert res.json()["progress"]["total"] == 2

    assert client.post("/v1/batch-jobs", json=[], headers=h).status_code == 422
    assert (
        client.post(
            "/v1/batch-jobs", content=b"[", headers=h | {"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        client.post("/v1/batch-jobs", content=b"x", headers=h | {"Content-Type": "text/plain"})
    ).status_code == 415
    big = settings.model_copy(update={"max_batch_profiles": 2})
    with TestClient(create_app(big)) as small:
        assert small.post("/v1/batch-jobs", json=rows(3), headers=h).status_code == 422


def test_downloads_are_not_cut_by_the_request_timeout(
    job_settings: Settings, keys: dict[str, str]
) -> None:
    """A job's results stream at the client's pace: a time limit no request could meet leaves the
    download whole, while it still cuts the batch endpoint."""
    timed = job_settings.model_copy(update={"request_timeout_seconds": 0.001})
    with TestClient(create_app(job_settings)) as c:
        job = submit(c, keys["mine"], rows(300), view="full")
        assert work(c, job["id"]) == "done"
    with TestClient(create_app(timed)) as c:
        res = c.get(f"/v1/batch-jobs/{job['id']}/results", headers=auth(keys["mine"]))
        assert res.status_code == 200
        assert res.json()["count"] == 300
        cut = c.post("/v1/recommendations/batch", json=rows(300))
        assert cut.status_code == 503
        assert cut.json()["code"] == "TIMEOUT"


def test_a_retried_submission_gets_the_same_job(
    store_client: TestClient, keys: dict[str, str]
) -> None:
    c = store_client
    h = auth(keys["mine"]) | {"Idempotency-Key": "upload-2026-12-06"}
    first = c.post("/v1/batch-jobs", json=rows(3), headers=h)
    again = c.post("/v1/batch-jobs", json=rows(3), headers=h)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    other = c.post("/v1/batch-jobs", json=rows(4), headers=h)
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    # Another key's same Idempotency-Key is its own.
    theirs = c.post("/v1/batch-jobs", json=rows(3), headers=h | auth(keys["theirs"]))
    assert theirs.status_code == 202
    assert theirs.json()["id"] != first.json()["id"]
