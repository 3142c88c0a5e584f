"""Reminders the companion promises go through the outbox at their time, carry no client words,
and are dropped when the homework was done or withdrawn before they fell due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from mindbridge.access.domain import Action, Record, Role
from mindbridge.companion import homework as homework_service
from mindbridge.companion import reminders
from mindbridge.companion.models import CompanionOutcome, HomeworkAssignment
from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications.models import Notification
from tests.assessments.support import grant
from tests.companion.test_service import _turn

TINY_STEP = "open the document and write one heading"
PROCRASTINATION = [
    "I keep putting off my thesis",
    "one tiny step",
    "4",
    "the literature review chapter",
    "dread",
    TINY_STEP,
    "yes",
    "when I've had my morning coffee",
    "in 2 hours",
    "a biscuit",
    "5",
    "4",
]


def _reminder_events(rt) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return list(
            db.execute(select(OutboxEvent).where(OutboxEvent.kind == reminders.KIND)).scalars()
        )


def _deliver_everything_now(rt) -> None:  # type: ignore[no-untyped-def]
    """Time passes: every delayed event falls due, and the outbox delivers (two passes: the
    reminder queues the in-app notification)."""
    with transaction(rt.sessions) as db:
        db.execute(update(OutboxEvent).values(available_at=utcnow() - timedelta(seconds=1)))
    outbox.dispatch_pending(rt.sessions)
    outbox.dispatch_pending(rt.sessions)


def _notifications(rt, user_id: int) -> list[Notification]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return list(
            db.execute(
                select(Notification).where(
                    Notification.user_id == user_id, Notification.kind == reminders.KIND
                )
            ).scalars()
        )


def test_due_morning_is_nine_on_the_clients_clock() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    at = reminders.due_morning(date(2026, 12, 8), "Europe/Amsterdam", now)
    assert at is not None and at.astimezone(UTC) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert reminders.due_morning(date(2026, 12, 6), "UTC", now) is None  # already on Today
    assert reminders.due_morning(date(2026, 12, 7), "Not/AZone", now) == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC
    )


def _assign(rt, personas, due: date) -> int:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        g = grant(
            db,
            personas.clinician,
            Role.CLINICIAN,
            personas.client,
            resource=Record.CARE_RECORD,
            action=Action.WRITE,
        )
        row = homework_service.assign(
            db, g, rt.vault, flow_id="paced_breathing", due=due, today=utcnow().date()
        )
        return row.id


def test_clinician_homework_is_reminded_on_its_due_morning(rt, personas) -> None:  # type: ignore[no-untyped-def]
    due = utcnow().date() + timedelta(days=2)
    _assign(rt, personas, due)
    [event] = _reminder_events(rt)
    assert event.available_at == datetime.combine(due, reminders.MORNING, tzinfo=UTC)
    _deliver_everything_now(rt)
    [note] = _notifications(rt, personas.client)
    assert note.title == "Homework due today: Slow breathing" and note.link == "/today"


def test_homework_done_before_its_morning_gets_no_reminder(rt, personas) -> None:  # type: ignore[no-untyped-def]
    assignment = _assign(rt, personas, utcnow().date() + timedelta(days=1))
    with transaction(rt.sessions) as db:
        db.execute(
            update(HomeworkAssignment)
            .where(HomeworkAssignment.id == assignment)
            .values(status="done", completed_at=utcnow())
        )
    _deliver_everything_now(rt)
    assert _notifications(rt, personas.client) == []


def test_the_tiny_step_check_back_arrives_without_the_persons_words(rt, personas) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    for text in PROCRASTINATION:
        _turn(rt, personas.client, text)
    [event] = _reminder_events(rt)
    assert TINY_STEP not in event.payload and "thesis" not in event.payload
    due = event.available_at - start
    assert timedelta(hours=1, minutes=59) <= due <= timedelta(hours=2, minutes=1)
    _deliver_everything_now(rt)
    [note] = _notifications(rt, personas.client)
    assert note.title == "Checking back in about One tiny step" and note.link == "/companion"
    assert TINY_STEP not in f"{note.title} {note.body}"


def _plan(rt, client_id: int, *, due: date, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        reminders.plan_reminder(
            db,
            client_id=client_id,
            flow_id="behavioural_activation",
            title="Plan one small activity",
            due=due,
            tz="UTC",
            now=now,
        )


def test_a_plan_done_before_its_morning_gets_no_reminder(rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    for _ in range(2):
        _plan(rt, personas.client, due=now.date() + timedelta(days=1), now=now)
    with transaction(rt.sessions) as db:  # done once, after it was planned
        db.add(
            CompanionOutcome(
                client_id=personas.client,
                flow_id="behavioural_activation",
                flow_version="1.0.0",
                completed=True,
                outputs_enc=b"",
                completed_at=now + timedelta(hours=3),
            )
        )
    _deliver_everything_now(rt)
    assert _notifications(rt, personas.client) == []
    _plan(rt, personas.client, due=now.date() + timedelta(days=2), now=now + timedelta(hours=4))
    _deliver_everything_now(rt)
    [note] = _notifications(rt, personas.client)
    assert note.title == "On your plan for today: Plan one small activity"
