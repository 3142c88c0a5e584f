"""Stored passive signals: observations, import batches, computed days, alerts sent, nudges.

Observations are unique per (client, dedup key), so re-importing the same data changes nothing
and a corrected value for the same slot replaces the old one. Days are derived and recomputable
from the observations at any time; alerts and nudges record what was already sent, so the
cool-down and "tell the client once" survive restarts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class SignalImport(Base):
    """One import attempt (file, upload or API batch) and its report, accepted or not."""

    __tablename__ = "signal_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # who sent it (None: a system job)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    format: Mapped[str] = mapped_column(String(16))  # generic | actigraphy | apple-health | api
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16))  # imported | partial | rejected
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    fatal: Mapped[str] = mapped_column(Text, default="")
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # every rejected row {line, reason, raw}, encrypted: a raw row may hold anything
    report_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class SignalObservation(Base):
    __tablename__ = "signal_observations"
    __table_args__ = (
        UniqueConstraint("client_id", "dedup_key", name="uq_signal_observations_client_key"),
        Index("ix_signal_observations_client_start", "client_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(32))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))  # canonical (catalog.STREAMS)
    source: Mapped[str] = mapped_column(String(128))
    dedup_key: Mapped[str] = mapped_column(String(32))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal_imports.id", ondelete="SET NULL")
    )


class SignalDay(Base):
    """One client's local day as the detector saw it: features, completeness, score, reasons."""

    __tablename__ = "signal_days"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # name -> value | null
    completeness: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # source -> 0..1
    score: Mapped[float | None] = mapped_column(Float)
    contributions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    notices: Mapped[list[Any]] = mapped_column(JSON, default=list)  # data-quality notices
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignalAlert(Base):
    """A deterioration alert the detector sent, kept for the cool-down across runs."""

    __tablename__ = "signal_alerts"
    __table_args__ = (UniqueConstraint("client_id", "day", name="uq_signal_alerts_client_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(255))
    alert_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignalNudge(Base):
    """A "your data stopped syncing" message sent to the client, once per gap and source."""

    __tablename__ = "signal_nudges"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
