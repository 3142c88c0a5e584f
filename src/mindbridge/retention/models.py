"""The retention policy: one row per kind of expirable data an admin has set (no row: default)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class RetentionRule(Base):
    __tablename__ = "retention_rules"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # retention.domain.Kind
    days: Mapped[int | None] = mapped_column(Integer)  # None: keep
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
