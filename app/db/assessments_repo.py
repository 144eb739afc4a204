"""Every query on stored assessments. The service reaches them through the unit of work
(``tx.assessments``), typed against ``app.services.ports.AssessmentRepo``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.db.repository import Repository
from app.models import Assessment, DuplicateKey

TREND_MAX_POINTS = 200
PLANS_MAX = 5


class AssessmentRepository(Repository):
    """Stored assessments, in the unit of work's transaction."""

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
        """Store ``row``; DuplicateKey when another transaction stored its idempotency key
        first (the transaction is then rolled back by the unit of work)."""
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            raise DuplicateKey from None

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
