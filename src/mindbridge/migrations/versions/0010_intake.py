"""intake and matching: intake submissions, clinician matching profiles, match offers

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("phq9_uid", sa.String(length=64), nullable=True),
        sa.Column("phq9_total", sa.Integer(), nullable=True),
        sa.Column("phq9_band", sa.String(length=64), nullable=True),
        sa.Column("gad7_uid", sa.String(length=64), nullable=True),
        sa.Column("gad7_total", sa.Integer(), nullable=True),
        sa.Column("gad7_band", sa.String(length=64), nullable=True),
        sa.Column("safety_flag", sa.Boolean(), nullable=False),
        sa.Column("safety_reasons", sa.JSON(), nullable=False),
        sa.Column("concern_areas", sa.JSON(), nullable=False),
        sa.Column("concerns_enc", sa.LargeBinary(), nullable=True),
        sa.Column("concerns_done", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("therapist_gender", sa.String(length=16), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("times", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("preferences_done", sa.Boolean(), nullable=False),
        sa.Column("share_for_matching", sa.Boolean(), nullable=False),
        sa.Column("created_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", mindbridge.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("matched_at", mindbridge.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intakes_person_id", "intakes", ["person_id"], unique=False)
    op.create_table(
        "clinician_profiles",
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("specialties", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("times", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("accepting", sa.Boolean(), nullable=False),
        sa.Column("updated_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["clinician_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("clinician_id"),
    )
    op.create_table(
        "intake_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("accepted_at", mindbridge.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["intake_id"], ["intakes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["clinician_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_matches_intake_id", "intake_matches", ["intake_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_intake_matches_intake_id", table_name="intake_matches")
    op.drop_table("intake_matches")
    op.drop_table("clinician_profiles")
    op.drop_index("ix_intakes_person_id", table_name="intakes")
    op.drop_table("intakes")
