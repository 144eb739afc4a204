"""batch jobs (batch_job, batch_job_chunk)

A batch of profiles can run as a job on the job workers: the job's state and its compressed
input live in batch_job, its results in batch_job_chunk, a chunk of consecutive rows each,
written once. Both go with the job (ON DELETE CASCADE), and jobs go with their owner's key.
An Idempotency-Key is unique per owner, so a retried submission finds its job.

Revision ID: d4b7a2e9c813
Revises: c2d8e61f4a07
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4b7a2e9c813"
down_revision: str | None = "c2d8e61f4a07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_key_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("view", sa.String(length=10), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("kb_version", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("input", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_key_id"],
            ["api_key.id"],
            name=op.f("fk_batch_job_owner_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_job")),
        sa.UniqueConstraint(
            "owner_key_id",
            "idempotency_key",
            name=op.f("uq_batch_job_owner_key_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("batch_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_job_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_batch_job_owner_created", ["owner_key_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_batch_job_status_lease", ["status", "lease_until"], unique=False)
    op.create_table(
        "batch_job_chunk",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["batch_job.id"],
            name=op.f("fk_batch_job_chunk_job_id_batch_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "start", name=op.f("pk_batch_job_chunk")),
    )


def downgrade() -> None:
    op.drop_table("batch_job_chunk")
    with op.batch_alter_table("batch_job", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_job_status_lease")
        batch_op.drop_index("ix_batch_job_owner_created")
        batch_op.drop_index(batch_op.f("ix_batch_job_expires_at"))
    op.drop_table("batch_job")
