"""Companion storage: one encrypted conversation document and one encrypted memory per client,
the outcomes of exercises the client finished or stopped (outputs encrypted), the homework
clinicians assign (the note encrypted), and clinicians' sign-offs of flow versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mindbridge.db import Base, UTCDateTime, utcnow


class CompanionDocument(Base):
    """`kind` "conversation" ({"state", "transcript"}) or "memory" (Memory.to_dict()), encrypted."""

    __tablename__ = "companion_documents"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    document_enc: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CompanionOutcome(Base):
    """One finished (or stopped) exercise: what the recommender and the care team read."""

    __tablename__ = "companion_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[str] = mapped_column(String(32), default="")
    completed: Mapped[bool] = mapped_column(Boolean, default=True)
    helpfulness: Mapped[int | None] = mapped_column(Integer)
    mood_before: Mapped[float | None] = mapped_column(Float)
    mood_after: Mapped[float | None] = mapped_column(Float)
    outputs_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the flow's named outputs as JSON
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HomeworkAssignment(Base):
    """A clinician's homework: do this exercise by `due` (the client's local date).

    The companion copies open items into the person's memory on each turn, offers them on
    greeting and marks the row done when the exercise is finished, linking the outcome.
    """

    __tablename__ = "homework_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    flow_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    # daily homework: finishing it moves `due` to the next day until this date
    repeat_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done, cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    companion_outcome_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "companion_outcomes.id",
            ondelete="SET NULL",
            name="fk_homework_assignments_companion_outcome_id",  # within 63 characters
        ),
        nullable=True,
    )


class FlowSignoff(Base):
    """A clinician at this service read one version of an exercise and signed it off.

    Append-only: a new version of the flow file needs a new sign-off. `reviewer_name` keeps who
    signed even if the account is later removed. The note is about the exercise, never a client.
    """

    __tablename__ = "flow_signoffs"
    __table_args__ = (UniqueConstraint("flow_id", "version", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reviewer_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(1000), default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
