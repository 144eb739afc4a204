"""keep every knowledge-base version's content (kb_document)

Until now a version kept only its checksum, so nothing could bring an earlier knowledge base back.
Documents are keyed by checksum; versions that existed before this migration have none (they
cannot be restored), the current one is stored by the next write.

Revision ID: 7a4e0c5d2b31
Revises: 5b2e7c41d9a3
Create Date: 2026-11-30 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a4e0c5d2b31"
down_revision: str | None = "5b2e7c41d9a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_document",
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("checksum", name=op.f("pk_kb_document")),
    )


def downgrade() -> None:
    op.drop_table("kb_document")
