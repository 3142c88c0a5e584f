"""Every query the assessments service runs; nothing here checks access (the service does)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mindbridge.alerts.models import Alert
from mindbridge.assessments.models import (
    AssessmentAssignment,
    AssessmentDraft,
    AssessmentReminder,
    AssessmentSubmission,
)


def submissions(
    db: Session, *, client_id: int, instrument_id: str | None = None
) -> list[AssessmentSubmission]:
    query = select(AssessmentSubmission).where(AssessmentSubmission.client_id == client_id)
    if instrument_id is not None:
        query = query.where(AssessmentSubmission.instrument_id == instrument_id)
    return list(
        db.execute(
            query.order_by(AssessmentSubmission.authored_at, AssessmentSubmission.id)
        ).scalars()
    )


def submissions_for_clients(
    db: Session, *, client_ids: Iterable[int], instrument_ids: Iterable[str]
) -> dict[int, list[AssessmentSubmission]]:
    ids = list(client_ids)
    found: dict[int, list[AssessmentSubmission]] = defaultdict(list)
    if not ids:
        return found
    rows = db.execute(
        select(AssessmentSubmission)
        .where(
            AssessmentSubmission.client_id.in_(ids),
            AssessmentSubmission.instrument_id.in_(list(instrument_ids)),
        )
        .order_by(AssessmentSubmission.authored_at, AssessmentSubmission.id)
    ).scalars()
    for row in rows:
        found[row.client_id].append(row)
    return found


def submission_by_uid(db: Session, *, client_id: int, uid: str) -> AssessmentSubmission | None:
    return db.execute(
        select(AssessmentSubmission).where(
            AssessmentSubmission.client_id == client_id, AssessmentSubmission.uid == uid
        )
    ).scalar_one_or_none()


def existing_uids(
    db: Session, *, client_id: int, uids: Iterable[str]
) -> dict[str, AssessmentSubmission]:
    wanted = list(set(uids))
    if not wanted:
        return {}
    rows = db.execute(
        select(AssessmentSubmission).where(
            AssessmentSubmission.client_id == client_id, AssessmentSubmission.uid.in_(wanted)
        )
    ).scalars()
    return {row.uid: row for row in rows}


def draft(db: Session, *, client_id: int, instrument_id: str) -> AssessmentDraft | None:
    return db.execute(
        select(AssessmentDraft).where(
            AssessmentDraft.client_id == client_id,
            AssessmentDraft.instrument_id == instrument_id,
        )
    ).scalar_one_or_none()


def drafts(db: Session, *, client_id: int) -> list[AssessmentDraft]:
    return list(
        db.execute(
            select(AssessmentDraft)
            .where(AssessmentDraft.client_id == client_id)
            .order_by(AssessmentDraft.updated_at.desc())
        ).scalars()
    )


def assignments(
    db: Session, *, client_id: int, active_at: datetime | None = None
) -> list[AssessmentAssignment]:
    query = select(AssessmentAssignment).where(AssessmentAssignment.client_id == client_id)
    if active_at is not None:
        query = query.where(
            or_(AssessmentAssignment.ends_at.is_(None), AssessmentAssignment.ends_at > active_at)
        )
    return list(db.execute(query.order_by(AssessmentAssignment.id)).scalars())


def assignment(db: Session, *, client_id: int, assignment_id: int) -> AssessmentAssignment | None:
    row = db.get(AssessmentAssignment, assignment_id)
    return row if row is not None and row.client_id == client_id else None


def active_assignments(db: Session, *, now: datetime) -> list[AssessmentAssignment]:
    return list(
        db.execute(
            select(AssessmentAssignment)
            .where(or_(AssessmentAssignment.ends_at.is_(None), AssessmentAssignment.ends_at > now))
            .order_by(AssessmentAssignment.id)
        ).scalars()
    )


def completion_times(
    db: Session, *, pairs: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], list[datetime]]:
    """When each (client, instrument) was completed, oldest first."""
    wanted = set(pairs)
    found: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    if not wanted:
        return found
    rows = db.execute(
        select(
            AssessmentSubmission.client_id,
            AssessmentSubmission.instrument_id,
            AssessmentSubmission.authored_at,
        )
        .where(
            AssessmentSubmission.client_id.in_(sorted({c for c, _ in wanted})),
            AssessmentSubmission.instrument_id.in_(sorted({i for _, i in wanted})),
        )
        .order_by(AssessmentSubmission.authored_at)
    ).all()
    for client_id, instrument_id, authored_at in rows:
        if (client_id, instrument_id) in wanted:
            found[(client_id, instrument_id)].append(authored_at)
    return found


def sent_reminder_keys(db: Session, *, assignment_ids: Iterable[int]) -> set[str]:
    ids = list(assignment_ids)
    if not ids:
        return set()
    return set(
        db.execute(
            select(AssessmentReminder.key).where(AssessmentReminder.assignment_id.in_(ids))
        ).scalars()
    )


def open_alerts(db: Session, *, client_id: int, source: str) -> list[Alert]:
    """The client's alerts from one source that nobody has resolved yet, newest first."""
    return list(
        db.execute(
            select(Alert)
            .where(Alert.client_id == client_id, Alert.source == source, Alert.status != "resolved")
            .order_by(Alert.created_at.desc())
        ).scalars()
    )
