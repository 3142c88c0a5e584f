"""Check-ins. Ratings and tags are structured values; the optional note is free text and is
stored encrypted. The client's local day, weekday and hour are kept beside the UTC time so
patterns read in the client's own clock even after they move time zone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("client_id", "client_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    local_weekday: Mapped[int] = mapped_column(SmallInteger)
    local_hour: Mapped[int] = mapped_column(SmallInteger)
    mood: Mapped[int] = mapped_column(SmallInteger)
    anxiety: Mapped[int] = mapped_column(SmallInteger)
    energy: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    sleep_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    sleep_quality: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    emotions: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    risk_level: Mapped[str] = mapped_column(String(16), default="none")
    source: Mapped[str] = mapped_column(String(16), default="web")
    # A client-generated id (API): the same check-in sent twice is stored once.
    client_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
