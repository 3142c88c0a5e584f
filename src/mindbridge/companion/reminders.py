"""Reminders the companion promises: homework on its due morning, and the check-back a flow set.

They travel through the outbox (delayed events), so a restart loses none. A reminder carries
no client words: the check-back's note may quote the person ("did you manage '…'?"), so the
notification says only which exercise it is about, and the words stay in the encrypted memory.
When it is due, the handler looks again: homework done or withdrawn by then gets no reminder.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.companion.models import CompanionOutcome, HomeworkAssignment
from mindbridge.jobs import outbox
from mindbridge.notifications import service as notifications

KIND = "companion_reminder"
MORNING = time(9, 0)
HOMEWORK = "homework"  # a clinician's homework (a row in homework_assignments)
PLAN = "plan"  # homework the companion set with the person (kept in their memory)
CHECKBACK = "checkback"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_morning(due: date, tz: str, now: datetime) -> datetime | None:
    """09:00 on the due date on the client's clock, or None when that moment has passed
    (homework due today is on the Today page already)."""
    at = datetime.combine(due, MORNING, tzinfo=_zone(tz))
    return at if at > now else None


def _enqueue(db: Session, payload: dict[str, Any], *, at: datetime, now: datetime) -> None:
    outbox.enqueue(db, KIND, payload, at=max(at, now))


def homework_reminder(
    db: Session, *, client_id: int, assignment_id: int, due: date, tz: str, now: datetime
) -> bool:
    """Remind the client of a clinician's homework on its due morning (False: too late)."""
    at = due_morning(due, tz, now)
    if at is None:
        return False
    _enqueue(
        db, {"user_id": client_id, "type": HOMEWORK, "assignment_id": assignment_id}, at=at, now=now
    )
    return True


def plan_reminder(
    db: Session, *, client_id: int, flow_id: str, title: str, due: date, tz: str, now: datetime
) -> bool:
    """Remind the client of something they planned with the companion, on its due morning."""
    at = due_morning(due, tz, now)
    if at is None:
        return False
    payload = {
        "user_id": client_id,
        "type": PLAN,
        "flow_id": flow_id,
        "title": title,
        "since": now.isoformat(),
    }
    _enqueue(db, payload, at=at, now=now)
    return True


def checkback(
    db: Session, *, client_id: int, flow_id: str, title: str, at: datetime, now: datetime
) -> None:
    """The check-back a flow promised ("I'll check back in 30 minutes")."""
    payload = {"user_id": client_id, "type": CHECKBACK, "flow_id": flow_id, "title": title}
    _enqueue(db, payload, at=at, now=now)


def _still_wanted(db: Session, payload: dict[str, Any]) -> bool:
    kind = payload.get("type")
    if kind == HOMEWORK:
        row = db.get(HomeworkAssignment, int(payload["assignment_id"]))
        return row is not None and row.status == "open"
    if kind == PLAN:
        since = datetime.fromisoformat(str(payload["since"]))
        done = db.execute(
            select(CompanionOutcome.id).where(
                CompanionOutcome.client_id == int(payload["user_id"]),
                CompanionOutcome.flow_id == str(payload["flow_id"]),
                CompanionOutcome.completed.is_(True),
                CompanionOutcome.completed_at > since,
            )
        ).first()
        return done is None
    return kind == CHECKBACK


def message(db: Session, payload: dict[str, Any]) -> tuple[str, str]:
    """The notification's title and link: fixed wording and exercise titles, no client words."""
    kind = payload.get("type")
    if kind == HOMEWORK:
        row = db.get(HomeworkAssignment, int(payload["assignment_id"]))
        title = row.title if row is not None else "your homework"
        return f"Homework due today: {title}", "/today"
    if kind == PLAN:
        return f"On your plan for today: {payload.get('title', 'an exercise')}", "/companion"
    return f"Checking back in about {payload.get('title', 'your plan')}", "/companion"


@outbox.handler(KIND)
def _deliver(db: Session, payload: dict[str, Any], event_id: int) -> None:
    if not _still_wanted(db, payload):
        return
    title, link = message(db, payload)
    notifications.notify(db, user_id=int(payload["user_id"]), kind=KIND, title=title, link=link)
