"""Read-only numbers from finished companion exercises, for the recommender's context.

Kept apart from `service.py` so the recommender can read them without importing the service
that, in turn, calls the recommender. Outputs (what the person wrote) are never read here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Stream
from mindbridge.access.service import ClientGrant
from mindbridge.companion.models import CompanionOutcome
from mindbridge.recommender.context import PastExercise


def recent_exercises(db: Session, grant: ClientGrant, *, since: datetime) -> list[PastExercise]:
    """Exercises finished or stopped since `since`, oldest first (ratings and moods only)."""
    grant.require(Stream.COMPANION)
    rows = db.execute(
        select(CompanionOutcome)
        .where(
            CompanionOutcome.client_id == grant.client_id,
            CompanionOutcome.completed_at >= since,
        )
        .order_by(CompanionOutcome.completed_at, CompanionOutcome.id)
    ).scalars()
    return [
        PastExercise(
            exercise_id=row.flow_id,
            at=row.completed_at,
            completed=row.completed,
            helpfulness=row.helpfulness,
            mood_before=row.mood_before,
            mood_after=row.mood_after,
        )
        for row in rows
    ]
