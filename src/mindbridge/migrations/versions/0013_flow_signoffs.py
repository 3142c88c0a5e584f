"""flow_signoffs: clinicians at this service sign off each version of an exercise flow

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("signed_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_flow_signoffs_reviewer_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_signoffs")),
        sa.UniqueConstraint(
            "flow_id", "version", "reviewer_id", name=op.f("uq_flow_signoffs_flow_id")
        ),
    )
    op.create_index(op.f("ix_flow_signoffs_flow_id"), "flow_signoffs", ["flow_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_flow_signoffs_flow_id"), table_name="flow_signoffs")
    op.drop_table("flow_signoffs")
