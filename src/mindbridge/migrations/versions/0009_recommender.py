"""recommender: per-person state, recommendation and outcome events, clinician rules

Also the companion's homework assignments (clinician-set, with an encrypted note).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import mindbridge.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = mindbridge.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recommender_states",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name="fk_recommender_states_client_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name="pk_recommender_states"),
    )
    op.create_table(
        "recommender_population",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("clients", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_recommender_population"),
    )
    op.create_table(
        "recommender_controls",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("clinical_flags", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name="fk_recommender_controls_client_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name="fk_recommender_controls_updated_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("client_id", name="pk_recommender_controls"),
    )
    op.create_table(
        "recommendation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(length=32), nullable=False),
        sa.Column("top_id", sa.String(length=64), nullable=False),
        sa.Column("exercise_ids", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name="fk_recommendation_events_client_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_events"),
    )
    op.create_index(
        "ix_recommendation_events_client_at",
        "recommendation_events",
        ["client_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "recommendation_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("companion_outcome_id", sa.Integer(), nullable=True),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("taken_up", sa.Boolean(), nullable=False),
        sa.Column("was_top", sa.Boolean(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("helpfulness", sa.Integer(), nullable=True),
        sa.Column("mood_change", sa.Float(), nullable=True),
        sa.Column("reward", sa.Float(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name="fk_recommendation_outcomes_client_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation_events.id"],
            name="fk_recommendation_outcomes_recommendation_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["companion_outcome_id"],
            ["companion_outcomes.id"],
            name="fk_recommendation_outcomes_companion_outcome_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_outcomes"),
    )
    op.create_index(
        "ix_recommendation_outcomes_client_id",
        "recommendation_outcomes",
        ["client_id"],
        unique=False,
    )
    op.create_index(
        "ix_recommendation_outcomes_recommendation_id",
        "recommendation_outcomes",
        ["recommendation_id"],
        unique=False,
    )
    op.create_table(
        "homework_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("companion_outcome_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["users.id"],
            name="fk_homework_assignments_client_id_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["users.id"],
            name="fk_homework_assignments_assigned_by_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["companion_outcome_id"],
            ["companion_outcomes.id"],
            name="fk_homework_assignments_companion_outcome_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_homework_assignments"),
    )
    op.create_index(
        "ix_homework_assignments_client_id", "homework_assignments", ["client_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_homework_assignments_client_id", table_name="homework_assignments")
    op.drop_table("homework_assignments")
    op.drop_index(
        "ix_recommendation_outcomes_recommendation_id", table_name="recommendation_outcomes"
    )
    op.drop_index("ix_recommendation_outcomes_client_id", table_name="recommendation_outcomes")
    op.drop_table("recommendation_outcomes")
    op.drop_index("ix_recommendation_events_client_at", table_name="recommendation_events")
    op.drop_table("recommendation_events")
    op.drop_table("recommender_controls")
    op.drop_table("recommender_population")
    op.drop_table("recommender_states")
