"""The unit of work: one transaction and the repositories that share it.

A service opens ``uow.write()`` (committed when the block ends cleanly, rolled back otherwise) or
``uow.read()``, and reaches every table through the repositories it yields; no service holds a
session or builds a query. Tests hand services an in-memory fake with the same shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, get_type_hints

from sqlalchemy import Engine
from sqlmodel import Session

from app.db.assessments_repo import AssessmentRepository
from app.db.audit_repo import AuditRepository
from app.db.jobs_repo import JobRepository
from app.db.kb_repo import KbRepository
from app.db.keys_repo import KeyRepository
from app.db.repository import Repository
from app.db.schema_repo import SchemaRepository
from app.db.secrets_repo import SecretRepository
from app.settings import Settings


@dataclass(frozen=True)
class Repositories:
    kb: KbRepository
    assessments: AssessmentRepository
    audit: AuditRepository
    keys: KeyRepository
    schema: SchemaRepository
    secrets: SecretRepository
    jobs: JobRepository

    @classmethod
    def over(cls, session: Session) -> Repositories:
        """Every repository over the one session: each field's type is its repository's class,
        so a new repository is one field."""
        return cls(**{name: kind.from_session(session) for name, kind in _CLASSES.items()})


# Each field's repository class, read off its annotation (Any to the type checker: hence the check).
_CLASSES: dict[str, Any] = get_type_hints(Repositories)
assert all(issubclass(kind, Repository) for kind in _CLASSES.values())


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        # Rows stay readable after the block (expire_on_commit=False): services return them.
        with Session(self.engine, expire_on_commit=False) as session:
            yield Repositories.over(session)

    @contextmanager
    def write(self) -> Iterator[Repositories]:
        with Session(self.engine, expire_on_commit=False) as session:
            # SQLite: BEGIN IMMEDIATE, so a transaction that reads first never fails to upgrade.
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield Repositories.over(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise


def uow_for(settings: Settings) -> SqlUnitOfWork:
    """A unit of work over a pooled engine of its own, for a process that lives with it (a job
    worker, the job sweeper): what the composition roots hand to the job queue."""
    from app.db.engine import make_engine

    return SqlUnitOfWork(make_engine(settings))
