"""Care-team assignments. Queries about who cares for whom live here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.accounts.models import User
from mindbridge.care.models import CareRelationship
from mindbridge.db import utcnow


def is_assigned(db: Session, *, clinician_id: int, client_id: int) -> bool:
    row = db.execute(
        select(CareRelationship.id).where(
            CareRelationship.clinician_id == clinician_id,
            CareRelationship.client_id == client_id,
            CareRelationship.ended_at.is_(None),
        )
    ).first()
    return row is not None


def assign(db: Session, *, clinician_id: int, client_id: int, by: int | None) -> CareRelationship:
    existing = db.execute(
        select(CareRelationship).where(
            CareRelationship.clinician_id == clinician_id,
            CareRelationship.client_id == client_id,
            CareRelationship.ended_at.is_(None),
        )
    ).scalar_one_or_none()
    if existing:
        return existing
    rel = CareRelationship(clinician_id=clinician_id, client_id=client_id, created_by=by)
    db.add(rel)
    db.flush()
    return rel


def end(db: Session, *, clinician_id: int, client_id: int) -> int:
    rows = db.execute(
        select(CareRelationship).where(
            CareRelationship.clinician_id == clinician_id,
            CareRelationship.client_id == client_id,
            CareRelationship.ended_at.is_(None),
        )
    ).scalars()
    count = 0
    for rel in rows:
        rel.ended_at = utcnow()
        count += 1
    db.flush()
    return count


def clinicians(db: Session) -> list[User]:
    return list(
        db.execute(
            select(User).where(User.role == "clinician").order_by(User.display_name)
        ).scalars()
    )


def caseload(db: Session, *, clinician_id: int) -> list[User]:
    return list(
        db.execute(
            select(User)
            .join(CareRelationship, CareRelationship.client_id == User.id)
            .where(
                CareRelationship.clinician_id == clinician_id,
                CareRelationship.ended_at.is_(None),
            )
            .order_by(User.display_name)
        ).scalars()
    )


def care_team(db: Session, *, client_id: int) -> list[User]:
    return list(
        db.execute(
            select(User)
            .join(CareRelationship, CareRelationship.clinician_id == User.id)
            .where(CareRelationship.client_id == client_id, CareRelationship.ended_at.is_(None))
            .order_by(User.display_name)
        ).scalars()
    )
