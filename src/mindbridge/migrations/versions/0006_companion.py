"""companion: encrypted conversation and memory documents, exercise outcomes

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "companion_documents",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("document_enc", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", "kind"),
    )
    op.create_table(
        "companion_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("flow_version", sa.String(length=32), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("helpfulness", sa.Integer(), nullable=True),
        sa.Column("mood_before", sa.Float(), nullable=True),
        sa.Column("mood_after", sa.Float(), nullable=True),
        sa.Column("outputs_enc", sa.LargeBinary(), nullable=False),
        sa.Column("completed_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_companion_outcomes_client_id", "companion_outcomes", ["client_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_companion_outcomes_client_id", table_name="companion_outcomes")
    op.drop_table("companion_outcomes")
    op.drop_table("companion_documents")
