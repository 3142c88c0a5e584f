"""checkins and journal: daily check-ins, encrypted journal entries, text analyses

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC = mindbridge.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_weekday", sa.SmallInteger(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        sa.Column("mood", sa.SmallInteger(), nullable=False),
        sa.Column("anxiety", sa.SmallInteger(), nullable=False),
        sa.Column("energy", sa.SmallInteger(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("sleep_quality", sa.SmallInteger(), nullable=True),
        sa.Column("emotions", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("risk_level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("client_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("client_id", "client_ref"),
    )
    op.create_index("ix_checkins_client_id", "checkins", ["client_id"])
    op.create_index("ix_checkins_recorded_at", "checkins", ["recorded_at"])
    op.create_index("ix_checkins_local_date", "checkins", ["local_date"])
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("title_enc", sa.LargeBinary(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("risk_level", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_journal_entries_client_id", "journal_entries", ["client_id"])
    op.create_index("ix_journal_entries_created_at", "journal_entries", ["created_at"])
    op.create_table(
        "text_analyses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("written_at", UTC, nullable=False),
        sa.Column("analysis_enc", sa.LargeBinary(), nullable=False),
        sa.Column("embedding_enc", sa.LargeBinary(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("analysed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("client_id", "source", "source_id"),
    )
    op.create_index("ix_text_analyses_client_id", "text_analyses", ["client_id"])
    op.create_table(
        "theme_snapshots",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("report_enc", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", "source"),
    )


def downgrade() -> None:
    op.drop_table("theme_snapshots")
    op.drop_table("text_analyses")
    op.drop_table("journal_entries")
    op.drop_table("checkins")
