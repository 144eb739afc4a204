"""initial schema

Revision ID: 9cd1b10a11a6
Revises:
Create Date: 2026-11-28 12:35:14.687016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9cd1b10a11a6"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("kb_version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "benchmark",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_benchmark")),
    )
    op.create_table(
        "challenge",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("min_indicators", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_challenge")),
    )
    op.create_table(
        "example",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_example")),
    )
    op.create_table(
        "indicator",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("min_value", sa.Float(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=False),
        sa.Column("derived", sa.Boolean(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_indicator")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_dimension"), ["dimension"], unique=False)

    op.create_table(
        "kb_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_meta")),
    )
    op.create_table(
        "kb_version",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_kb_version")),
    )
    with op.batch_alter_table("kb_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_version_checksum"), ["checksum"], unique=False)

    op.create_table(
        "path",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_path")),
    )
    with op.batch_alter_table("path", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_path_family"), ["family"], unique=False)

    op.create_table(
        "reference_county",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("province", sa.String(length=60), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_reference_county")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_key_id", sa.Integer(), nullable=False),
        sa.Column("county_name", sa.String(length=100), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("kb_version", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_key_id"],
            ["api_key.id"],
            name=op.f("fk_assessment_owner_key_id_api_key"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "owner_key_id",
            "idempotency_key",
            name=op.f("uq_assessment_owner_key_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_county_code"), ["county_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_owner_key_id"), ["owner_key_id"], unique=False
        )

    op.create_table(
        "benchmark_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benchmark_slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=1), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benchmark_slug"],
            ["benchmark.slug"],
            name=op.f("fk_benchmark_value_benchmark_slug_benchmark"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_value")),
        sa.UniqueConstraint(
            "benchmark_slug", "indicator", name=op.f("uq_benchmark_value_benchmark_slug_indicator")
        ),
    )
    op.create_table(
        "challenge_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_slug", sa.String(length=80), nullable=False),
        sa.Column("indicator_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bad_when", sa.String(length=10), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_slug"],
            ["challenge.slug"],
            name=op.f("fk_challenge_rule_challenge_slug_challenge"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_key"],
            ["indicator.key"],
            name=op.f("fk_challenge_rule_indicator_key_indicator"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_rule")),
        sa.UniqueConstraint(
            "challenge_slug",
            "indicator_key",
            name=op.f("uq_challenge_rule_challenge_slug_indicator_key"),
        ),
    )
    op.create_table(
        "example_path",
        sa.Column("example_slug", sa.String(length=80), nullable=False),
        sa.Column("path_slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["example_slug"],
            ["example.slug"],
            name=op.f("fk_example_path_example_slug_example"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["path_slug"],
            ["path.slug"],
            name=op.f("fk_example_path_path_slug_path"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("example_slug", "path_slug", name=op.f("pk_example_path")),
    )
    op.create_table(
        "path_challenge",
        sa.Column("path_slug", sa.String(length=80), nullable=False),
        sa.Column("challenge_slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_slug"],
            ["challenge.slug"],
            name=op.f("fk_path_challenge_challenge_slug_challenge"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["path_slug"],
            ["path.slug"],
            name=op.f("fk_path_challenge_path_slug_path"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("path_slug", "challenge_slug", name=op.f("pk_path_challenge")),
    )
    op.create_table(
        "reference_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_slug", sa.String(length=80), nullable=False),
        sa.Column("indicator_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=1), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_slug"],
            ["reference_county.slug"],
            name=op.f("fk_reference_value_county_slug_reference_county"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_key"],
            ["indicator.key"],
            name=op.f("fk_reference_value_indicator_key_indicator"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_value")),
        sa.UniqueConstraint(
            "county_slug",
            "indicator_key",
            name=op.f("uq_reference_value_county_slug_indicator_key"),
        ),
    )
    op.create_table(
        "signal",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("challenge_slug", sa.String(length=80), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_slug"],
            ["challenge.slug"],
            name=op.f("fk_signal_challenge_slug_challenge"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_signal")),
    )


def downgrade() -> None:
    op.drop_table("signal")
    op.drop_table("reference_value")
    op.drop_table("path_challenge")
    op.drop_table("example_path")
    op.drop_table("challenge_rule")
    op.drop_table("benchmark_value")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_owner_key_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_county_code"))

    op.drop_table("assessment")
    op.drop_table("reference_county")
    with op.batch_alter_table("path", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_path_family"))

    op.drop_table("path")
    with op.batch_alter_table("kb_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_version_checksum"))

    op.drop_table("kb_version")
    op.drop_table("kb_meta")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_dimension"))

    op.drop_table("indicator")
    op.drop_table("example")
    op.drop_table("challenge")
    op.drop_table("benchmark")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_prefix"))

    op.drop_table("api_key")
