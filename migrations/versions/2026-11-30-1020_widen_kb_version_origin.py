"""widen kb_version.origin to hold any key name

A version's origin is "api:<key name>" (or "import:", "rollback:"), and key names are up to 100
characters; 40 refused every write by a key with a long name on PostgreSQL.

Revision ID: 3f1c2a7b9d10
Revises: 9cd1b10a11a6
Create Date: 2026-11-30 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f1c2a7b9d10"
down_revision: str | None = "9cd1b10a11a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kb_version", schema=None) as batch_op:
        batch_op.alter_column(
            "origin",
            existing_type=sa.String(length=40),
            type_=sa.String(length=120),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Origins longer than 40 characters are cut to fit the narrower column.
    op.execute("UPDATE kb_version SET origin = substr(origin, 1, 40) WHERE length(origin) > 40")
    with op.batch_alter_table("kb_version", schema=None) as batch_op:
        batch_op.alter_column(
            "origin",
            existing_type=sa.String(length=120),
            type_=sa.String(length=40),
            existing_nullable=False,
        )
