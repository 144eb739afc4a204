"""secrets shared by every worker and replica (app_secret)

The pagination cursor was signed with a constant written in the source, so anyone could forge
one; without COUNTYPATH_SECRET_KEY the signing key is now generated once and kept here.

Revision ID: c2d8e61f4a07
Revises: 7a4e0c5d2b31
Create Date: 2026-11-30 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2d8e61f4a07"
down_revision: str | None = "7a4e0c5d2b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_secret",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secret")),
    )


def downgrade() -> None:
    op.drop_table("app_secret")
