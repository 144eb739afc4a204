"""assessment plan and trend index

A stored assessment may keep the action plan made with it, so later years can be compared with its
KPI targets; the trend reads a caller's assessments of one county by year.

Revision ID: 5b2e7c41d9a3
Revises: 3f1c2a7b9d10
Create Date: 2026-11-30 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e7c41d9a3"
down_revision: str | None = "3f1c2a7b9d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.JSON(), nullable=True))
        batch_op.create_index(
            "ix_assessment_owner_county_year", ["owner_key_id", "county_code", "year"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_owner_county_year")
        batch_op.drop_column("plan")
