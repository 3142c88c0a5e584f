"""Questionnaire storage: submissions (raw answers plus a cached score), drafts, assignments and
the reminders already sent.

The raw answers are the record of truth; total, band and flags are a cache of `score(...)` kept
in columns so trajectories and outcome tables are read without re-scoring every row.
Answers are numbers only, so nothing here is encrypted (free text would go through the vault).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class AssessmentSubmission(Base):
    __tablename__ = "assessment_submissions"
    __table_args__ = (
        UniqueConstraint("client_id", "uid", name="uq_assessment_submissions_client_uid"),
        Index("ix_assessment_submissions_trajectory", "client_id", "instrument_id", "authored_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64))  # the FHIR QuestionnaireResponse id
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(16))
    instrument_version: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # linkId -> raw value or null
    authored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="mindbridge")  # or fhir-import, api
    entered_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Cache of the score; None when the instrument's missing-data rule refused to score.
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    band_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    band_label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    refusal: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "raised", "suppressed" (no consent to automated alerts) or "" (the safety flow did not open)
    safety_alert: Mapped[str] = mapped_column(String(16), default="")


class AssessmentDraft(Base):
    """Answers saved part-way; one open draft per client and instrument."""

    __tablename__ = "assessment_drafts"
    __table_args__ = (
        UniqueConstraint("client_id", "instrument_id", name="uq_assessment_drafts_client_form"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # becomes the submission's uid
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(16))
    instrument_version: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    safety_alert: Mapped[str] = mapped_column(String(16), default="")


class AssessmentAssignment(Base):
    """A clinician's instruction: this client completes this instrument on this cadence."""

    __tablename__ = "assessment_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(16))
    every: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: once
    unit: Mapped[str] = mapped_column(String(8), default="days")
    at_start: Mapped[bool] = mapped_column(Boolean, default=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=3)
    reminder_offsets_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    assigned_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentReminder(Base):
    """A reminder already sent, by its stable key: the unique key makes sending exactly-once."""

    __tablename__ = "assessment_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_assignments.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
