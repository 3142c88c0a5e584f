"""safety: alert escalation tier, safety plans, crisis-resource directory

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("tier", sa.String(length=16), nullable=False, server_default="care_team")
        )
    op.create_table(
        "safety_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan_enc", sa.LargeBinary(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "version", name="uq_safety_plans_version"),
    )
    op.create_index("ix_safety_plans_client_id", "safety_plans", ["client_id"], unique=False)
    op.create_table(
        "crisis_directories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("crisis_directories")
    op.drop_index("ix_safety_plans_client_id", table_name="safety_plans")
    op.drop_table("safety_plans")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("tier")
