"""Stored text analyses and theme reports. Both are derived from client free text, so both are
encrypted with the client's data key, like the text itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class TextAnalysis(Base):
    """One analysed text. `source` names the stream it came from ("checkin", "journal",
    "companion"); `source_id` is that capability's id for the text."""

    __tablename__ = "text_analyses"
    __table_args__ = (UniqueConstraint("client_id", "source", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analysis_enc: Mapped[bytes] = mapped_column(LargeBinary)
    embedding_enc: Mapped[bytes] = mapped_column(LargeBinary)
    model_version: Mapped[str] = mapped_column(String(200))
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThemeSnapshot(Base):
    """The latest theme report over one client's texts from one source."""

    __tablename__ = "theme_snapshots"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)
    report_enc: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
