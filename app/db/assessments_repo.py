"""Every query on stored assessments, behind a small repository and a store that opens one per
transaction. The service speaks to the ``AssessmentStore`` protocol, so it is tested against an
in-memory fake as well as against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app.db.engine import read_session, write_session
from app.models import Assessment

TREND_MAX_POINTS = 200
PLANS_MAX = 5


class DuplicateKey(Exception):
    """Another transaction stored the same owner and idempotency key first."""


class AssessmentRepository(Protocol):
    def by_idempotency_key(self, owner_key_id: int, key: str) -> Assessment | None: ...

    def release_key(self, row: Assessment) -> None: ...

    def add(self, row: Assessment) -> None: ...

    def get(self, assessment_id: str) -> Assessment | None: ...

    def page(
        self, owner_key_id: int, county_code: str | None, offset: int, count: int
    ) -> list[Assessment]: ...

    def latest_per_year(self, owner_key_id: int, county_code: str) -> list[Assessment]: ...

    def with_plans(self, owner_key_id: int, county_code: str) -> list[Assessment]: ...


class AssessmentStore(Protocol):
    def reading(self) -> AbstractContextManager[AssessmentRepository]: ...

    def writing(self) -> AbstractContextManager[AssessmentRepository]: ...


class SqlAssessments:
    """The repository over one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_idempotency_key(self, owner_key_id: int, key: str) -> Assessment | None:
        stmt = select(Assessment).where(
            col(Assessment.owner_key_id) == owner_key_id,
            col(Assessment.idempotency_key) == key,
        )
        return self.session.execute(stmt).scalars().first()

    def release_key(self, row: Assessment) -> None:
        """Free an expired idempotency key so it may be used afresh."""
        row.idempotency_key = None
        self.session.flush()

    def add(self, row: Assessment) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, assessment_id: str) -> Assessment | None:
        return self.session.get(Assessment, assessment_id)

    def page(
        self, owner_key_id: int, county_code: str | None, offset: int, count: int
    ) -> list[Assessment]:
        """One page by year then creation time (each row carries its whole result: never all)."""
        stmt = select(Assessment).where(col(Assessment.owner_key_id) == owner_key_id)
        if county_code is not None:
            stmt = stmt.where(col(Assessment.county_code) == county_code)
        stmt = stmt.order_by(
            col(Assessment.year).asc().nulls_last(), col(Assessment.created_at), col(Assessment.id)
        )
        return list(self.session.execute(stmt.offset(offset).limit(count)).scalars())

    def latest_per_year(self, owner_key_id: int, county_code: str) -> list[Assessment]:
        """The caller's latest assessment of the county in each year, in year order."""
        ranked = (
            select(
                col(Assessment.id).label("id"),
                func.row_number()
                .over(
                    partition_by=col(Assessment.year),
                    order_by=(col(Assessment.created_at).desc(), col(Assessment.id).desc()),
                )
                .label("n"),
            )
            .where(
                col(Assessment.owner_key_id) == owner_key_id,
                col(Assessment.county_code) == county_code,
                col(Assessment.year).is_not(None),
            )
            .subquery()
        )
        stmt = (
            select(Assessment)
            .join(ranked, col(Assessment.id) == ranked.c.id)
            .where(ranked.c.n == 1)
            .order_by(col(Assessment.year))
            .limit(TREND_MAX_POINTS)
        )
        return list(self.session.execute(stmt).scalars())

    def with_plans(self, owner_key_id: int, county_code: str) -> list[Assessment]:
        """The caller's latest assessments of the county that keep a plan, oldest first."""
        stmt = (
            select(Assessment)
            .where(
                col(Assessment.owner_key_id) == owner_key_id,
                col(Assessment.county_code) == county_code,
                col(Assessment.year).is_not(None),
                col(Assessment.plan).is_not(None),
            )
            .order_by(col(Assessment.year).desc(), col(Assessment.created_at).desc())
            .limit(PLANS_MAX)
        )
        return sorted(
            self.session.execute(stmt).scalars(), key=lambda r: (r.year or 0, r.created_at)
        )


class SqlAssessmentStore:
    """Opens a repository per transaction; a write commits when its block ends cleanly."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def reading(self) -> Iterator[AssessmentRepository]:
        with read_session(self.engine) as session:
            yield SqlAssessments(session)

    @contextmanager
    def writing(self) -> Iterator[AssessmentRepository]:
        try:
            with write_session(self.engine) as session:
                yield SqlAssessments(session)
        except IntegrityError:
            raise DuplicateKey from None
