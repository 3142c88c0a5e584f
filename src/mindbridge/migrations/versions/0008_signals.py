"""signals: stored observations, import batches, daily features, deterioration scores

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("received_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("fatal", sa.Text(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("report_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_signal_imports_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_imports")),
    )
    with op.batch_alter_table("signal_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signal_imports_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "signal_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("start_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("dedup_key", sa.String(length=32), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_signal_observations_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["signal_imports.id"],
            name=op.f("fk_signal_observations_import_id_signal_imports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_observations")),
        sa.UniqueConstraint("client_id", "dedup_key", name="uq_signal_observations_client_key"),
    )
    with op.batch_alter_table("signal_observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signal_observations_client_start", ["client_id", "start_at"], unique=False
        )

    op.create_table(
        "signal_days",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("completeness", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.Column("computed_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_signal_days_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "day", name=op.f("pk_signal_days")),
    )

    op.create_table(
        "signal_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_signal_alerts_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_alerts")),
        sa.UniqueConstraint("client_id", "day", name="uq_signal_alerts_client_day"),
    )
    with op.batch_alter_table("signal_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_alerts_client_id"), ["client_id"], unique=False)

    op.create_table(
        "signal_nudges",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("sent_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name=op.f("fk_signal_nudges_client_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "source", "since", name=op.f("pk_signal_nudges")),
    )


def downgrade() -> None:
    op.drop_table("signal_nudges")
    with op.batch_alter_table("signal_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_alerts_client_id"))
    op.drop_table("signal_alerts")
    op.drop_table("signal_days")
    with op.batch_alter_table("signal_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_observations_client_start")
    op.drop_table("signal_observations")
    with op.batch_alter_table("signal_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_imports_client_id"))
    op.drop_table("signal_imports")
