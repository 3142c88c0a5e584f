"""Safety plans (one encrypted JSON per version) and the admin-edited crisis-resource directory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class SafetyPlanVersion(Base):
    """Every saved version of a client's safety plan; the highest version is the current one."""

    __tablename__ = "safety_plans"
    __table_args__ = (UniqueConstraint("client_id", "version", name="uq_safety_plans_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    plan_enc: Mapped[bytes] = mapped_column(LargeBinary)  # SafetyPlan.to_dict() as JSON
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrisisDirectoryVersion(Base):
    """The crisis-resource directory as edited by admins (CrisisDirectory.to_dict() JSON)."""

    __tablename__ = "crisis_directories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
