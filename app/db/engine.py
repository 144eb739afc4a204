"""The engine factory; sessions are opened by the unit of work alone (app.db.uow). SQLite gets
WAL, foreign keys, a busy timeout and explicit BEGIN control (``BEGIN IMMEDIATE`` for writes, so
a reader-turned-writer never hits SQLITE_BUSY).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from app.settings import Settings


def normalize_url(url: str) -> str:
    """Accept the common ``postgresql://`` spelling and route it to psycopg 3."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def make_engine(settings: Settings, *, pooled: bool = True) -> Engine:
    url = normalize_url(settings.database_url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            poolclass=NullPool if not pooled else None,
        )
        _sqlite_pragmas(engine, settings.sqlite_busy_timeout_ms)
        return engine
    kwargs: dict[str, object] = {"pool_pre_ping": True}
    if pooled:
        kwargs |= {
            "pool_size": settings.db_pool_size,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout,
        }
    else:
        kwargs["poolclass"] = NullPool
    return create_engine(url, connect_args={"connect_timeout": 5}, **kwargs)


def _sqlite_pragmas(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
