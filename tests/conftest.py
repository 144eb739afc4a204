"""Shared fixtures: the seed knowledge base, isolated SQLite files, and a fresh PostgreSQL database
per test session (skipped with a reason when no server answers, a failure in CI)."""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.uow import SqlUnitOfWork
from app.domain.knowledge import KnowledgeBase
from app.domain.snapshot import Snapshot, compile_snapshot
from app.main import create_app
from app.migrate import upgrade
from app.models import metadata
from app.services.seeding import load_seeds, seed
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DEQING_PROFILE = ROOT / "examples" / "deqing-2024.json"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# A test process holds the seeds, several compiled knowledge bases and many short-lived apps: with
# the default thresholds the cyclic collector walks that large heap again and again (about a
# seventh of the CPU of the API tests). The servers the system tests start keep the defaults.
gc.set_threshold(100_000, 50, 1000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Deal the tests that start processes (marked ``slow``: 5 to 80 s each, against well under
    a second for most others) evenly over the pytest-xdist workers, at the start of each one's
    work.

    pytest-xdist's load scheduling first sends each of its n workers a run of len // n // 4
    consecutive tests, then the rest a few at a time to whichever runs short. In file order the
    long tests sat in a few such runs (one worker ran 883 s of tests while the others ran 229 and
    301 s). Here run k holds every n-th long test from the k-th, topped up with short ones, and
    the short tests that remain fill in at the end. Without xdist the order is unchanged."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers < 2:
        return
    long: list[pytest.Item] = []
    rest: list[pytest.Item] = []
    for item in items:
        (long if item.get_closest_marker("slow") else rest).append(item)
    short = iter(rest)
    run = len(items) // workers // 4
    ordered: list[pytest.Item] = []
    for k in range(workers):
        dealt = long[k::workers]
        ordered += dealt + list(islice(short, max(run - len(dealt), 0)))
    ordered += short
    items[:] = ordered


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_seeds(SEEDS)


@pytest.fixture(scope="session")
def snapshot(kb: KnowledgeBase) -> Snapshot:
    return compile_snapshot(kb, 1, kb.checksum())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Path:
    """One migrated and seeded SQLite file per session; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(Settings(database_url=url), pooled=False)
    seed(SqlUnitOfWork(engine), kb)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "countypath.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url, kb_refresh_seconds=0.2, rate_limit="off")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


# ---------------------------------------------------------------- PostgreSQL


def _pg_admin_url() -> str:
    return os.environ.get("COUNTYPATH_TEST_POSTGRES_URL", DEFAULT_PG)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = _pg_admin_url()
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = f"PostgreSQL not reachable at {url}: {type(exc).__name__}"
        if os.environ.get("COUNTYPATH_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (COUNTYPATH_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh database for this test session (and worker), migrated to head."""
    name = f"countypath_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(pg_server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = pg_server.rpartition("/")
    url = f"{base}/{name}"
    upgrade(url)
    try:
        yield url
    finally:
        with psycopg.connect(_libpq(pg_server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """Isolation: every table is emptied before each test that uses PostgreSQL."""
    engine = make_engine(Settings(database_url=pg_database), pooled=False)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return pg_database


@pytest.fixture
def pg_seeded_url(pg_url: str, kb: KnowledgeBase) -> str:
    engine = make_engine(Settings(database_url=pg_url), pooled=False)
    seed(SqlUnitOfWork(engine), kb)
    engine.dispose()
    return pg_url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostgreSQL tests ran, so a green run cannot hide a skip."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "postgres" in getattr(report, "keywords", {}) and report.when in ("call", "setup"):
                if outcome != "passed" or report.when == "call":
                    counts[outcome] += 1
    terminalreporter.write_line(
        f"PostgreSQL tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest) -> Settings:
    """The test's settings on a seeded SQLite file, then on a seeded PostgreSQL database."""
    if request.param == "sqlite":
        settings: Settings = request.getfixturevalue("settings")
        return settings
    url = request.getfixturevalue("pg_seeded_url")
    return Settings(database_url=url, kb_refresh_seconds=0.2, rate_limit="off")


@pytest.fixture
def store_client(store_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(store_settings)) as c:
        yield c


@pytest.fixture
def store_keys(store_settings: Settings) -> dict[str, str]:
    """A curator's and an admin's key in the test's database (SQLite or PostgreSQL)."""
    from app.db.uow import SqlUnitOfWork
    from app.services.keys import create_key

    engine = make_engine(store_settings, pooled=False)
    uow = SqlUnitOfWork(engine)
    out = {
        "kbwrite": create_key(uow, "curator-key", ["kb:write"])[1],
        "admin": create_key(uow, "admin-key", ["admin"])[1],
    }
    engine.dispose()
    return out


@pytest.fixture
def api_keys(settings: Settings) -> dict[str, str]:
    """One key per role, in the test's database."""
    from app.db.uow import SqlUnitOfWork
    from app.services.keys import create_key

    engine = make_engine(settings, pooled=False)
    out = {
        role: create_key(SqlUnitOfWork(engine), f"{role}-key", scopes)[1]
        for role, scopes in {
            "assessments": ["assessments"],
            "kbwrite": ["kb:write"],
            "admin": ["admin"],
            "other": ["assessments"],
        }.items()
    }
    engine.dispose()
    return out


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


DOCS_ROUTES = frozenset(
    {
        "/docs",
        "/redoc",
        "/docs/oauth2-redirect",
        "/docs-assets/redoc.standalone.js",
        "/openapi.json",
        "/static-offline-docs",
        "/ui",
    }
)


def running_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, documentation routes and HEAD aside."""
    return {
        (method, rc.path)
        for rc in iter_route_contexts(app.router.routes)
        if rc.path not in DOCS_ROUTES
        for method in (rc.methods or ())
        if method != "HEAD"
    }


def seeds_with(tmp_path: Path, file: str, old: str, new: str, count: int = -1) -> Path:
    """A copy of the seeds with ``old`` replaced in one file (which must contain it)."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{file} no longer contains {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return target
