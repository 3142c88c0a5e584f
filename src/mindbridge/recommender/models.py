"""Recommender storage: learned state as inspectable JSON, clinician rules, and the event log.

Nothing here is free text, so nothing is encrypted: states and events are numbers, exercise ids
and the recommender's own explanation sentences. The two event tables are append-only; they are
the audit trail of what was offered and what came of it, and the source any layer can be
rebuilt from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class RecommenderState(Base):
    """One person's learned layer (`PersonState.to_dict()`); `revision` counts every write."""

    __tablename__ = "recommender_states"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommenderPopulation(Base):
    """The shared layer (`PopulationModel.to_dict()`), rebuilt from consenting clients' events."""

    __tablename__ = "recommender_population"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    events: Mapped[int] = mapped_column(Integer, default=0)  # outcome events folded in
    clients: Mapped[int] = mapped_column(Integer, default=0)  # consenting clients they came from
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommenderControls(Base):
    """A clinician's rules for one client (`Controls.to_dict()`) and the clinical flags that gate
    contraindicated exercises. The approvals here are the only approvals the companion knows."""

    __tablename__ = "recommender_controls"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    controls: Mapped[dict[str, Any]] = mapped_column(JSON)
    clinical_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommendationEvent(Base):
    """What was offered, where, with which reasons and the feature vector it was ranked on."""

    __tablename__ = "recommendation_events"
    __table_args__ = (Index("ix_recommendation_events_client_at", "client_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    surface: Mapped[str] = mapped_column(String(32))  # greeting, suggest, after_exercise, today
    top_id: Mapped[str] = mapped_column(String(64))
    exercise_ids: Mapped[list[str]] = mapped_column(JSON)  # top first, then the alternatives
    recommendation: Mapped[dict[str, Any]] = mapped_column(JSON)  # Recommendation.to_dict()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecommendationOutcome(Base):
    """What came of one exercise: the learning example and its link to the companion outcome."""

    __tablename__ = "recommendation_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "recommendation_events.id",
            ondelete="SET NULL",
            name="fk_recommendation_outcomes_recommendation_id",  # within 63 characters
        ),
        nullable=True,
        index=True,
    )
    companion_outcome_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "companion_outcomes.id",
            ondelete="SET NULL",
            name="fk_recommendation_outcomes_companion_outcome_id",
        ),
        nullable=True,
    )
    exercise_id: Mapped[str] = mapped_column(String(64))
    taken_up: Mapped[bool] = mapped_column(Boolean, default=False)  # it was among the offers
    was_top: Mapped[bool] = mapped_column(Boolean, default=False)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    helpfulness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mood_change: Mapped[float | None] = mapped_column(Float, nullable=True)
    reward: Mapped[float] = mapped_column(Float)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)  # OutcomeEvent.to_dict()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
