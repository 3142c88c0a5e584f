"""Intake tables: one intake per person at a time, clinicians' matching profiles, and the matches
accepted (the care relationship itself lives in `care`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class Intake(Base):
    """A person's intake. Scores are copied from their questionnaire submissions (linked by uid)
    so the matching queue reads one table; the concerns text is encrypted for the person."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|submitted|matched
    phq9_uid: Mapped[str | None] = mapped_column(String(64))
    phq9_total: Mapped[int | None] = mapped_column(Integer)
    phq9_band: Mapped[str | None] = mapped_column(String(64))
    gad7_uid: Mapped[str | None] = mapped_column(String(64))
    gad7_total: Mapped[int | None] = mapped_column(Integer)
    gad7_band: Mapped[str | None] = mapped_column(String(64))
    safety_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    safety_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    concern_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    concerns_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    concerns_done: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="")
    therapist_gender: Mapped[str] = mapped_column(String(16), default="any")
    modality: Mapped[str] = mapped_column(String(16), default="any")
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64), default="")
    preferences_done: Mapped[bool] = mapped_column(Boolean, default=False)
    share_for_matching: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ClinicianProfile(Base):
    """What a clinician offers, as admins record it for matching."""

    __tablename__ = "clinician_profiles"

    clinician_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    gender: Mapped[str] = mapped_column(String(16), default="")
    times: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    accepting: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class IntakeMatch(Base):
    """An accepted match: who was matched, by whom, and the score and reasons shown at the time."""

    __tablename__ = "intake_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
