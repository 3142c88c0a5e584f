"""Alerts for a client's care team: what happened, how urgent, and who did what about it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(16))  # elevated | imminent | deterioration
    source: Mapped[str] = mapped_column(String(32))  # companion, journal, checkin, questionnaire...
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(255))  # no client words: safe for lists and email
    evidence_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # may quote the client
    status: Mapped[str] = mapped_column(String(16), default="open")
    consent_override: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(Integer)
    resolution_note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tier: Mapped[str] = mapped_column(String(16), default="care_team")  # care_team|on_call|admin
    dedup_key: Mapped[str] = mapped_column(String(128), default="", index=True)


class AlertTransition(Base):
    """Every change of an alert's state, for its timeline."""

    __tablename__ = "alert_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
