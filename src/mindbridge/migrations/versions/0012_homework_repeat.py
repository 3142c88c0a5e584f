"""homework_repeat: a clinician's homework may repeat daily until a date

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("homework_assignments") as batch:
        batch.add_column(sa.Column("repeat_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("done_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("homework_assignments") as batch:
        batch.drop_column("done_count")
        batch.drop_column("repeat_until")
