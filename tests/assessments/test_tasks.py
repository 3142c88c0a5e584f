"""The reminder job: each owed reminder is sent once (in-app and email), never at night, never
after the form is done, and a second worker racing for the same reminder sends nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from huey.api import PeriodicTask
from sqlalchemy import select

from mindbridge.access.domain import Action, Record, Role
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments import tasks
from mindbridge.assessments.models import AssessmentReminder
from mindbridge.db import transaction
from mindbridge.jobs import worker
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications import service as notifications_service
from tests.assessments.support import PHQ9_ITEM9, count, drain_outbox, grant

NOW = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)  # personas live in UTC: mid-morning for them


@pytest.fixture
def assigned(rt, personas) -> int:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        care = grant(
            db,
            personas.clinician,
            Role.CLINICIAN,
            personas.client,
            Record.CARE_RECORD,
            Action.WRITE,
        )
        row = assessments_service.assign(
            db,
            care,
            instrument_id="PHQ-9",
            every=14,
            starts_at=NOW - timedelta(days=1),
            now=NOW - timedelta(days=1),
        )
        return row.id


def test_a_due_reminder_is_sent_once_in_app_and_by_email(rt, personas, assigned) -> None:  # type: ignore[no-untyped-def]
    first = tasks.send_reminders(rt.sessions, now=NOW)
    assert (first.sent, first.quiet, first.already_sent) == (1, 0, 0)
    assert tasks.send_reminders(rt.sessions, now=NOW + timedelta(hours=1)).sent == 0
    assert count(rt, AssessmentReminder) == 1

    assert drain_outbox(rt) == 2
    with transaction(rt.sessions) as db:
        notes = notifications_service.unread(db, user_id=personas.client)
        assert [(n.title, n.link) for n in notes] == [
            ("Your PHQ-9 questionnaire is ready", "/questionnaires/PHQ-9")
        ]
        email = json.loads(
            db.execute(select(OutboxEvent.payload).where(OutboxEvent.kind == "email")).scalar_one()
        )
    assert email["to"] == "client@test.example"
    assert "PHQ" not in email["subject"] + email["body"]  # nothing clinical leaves by email

    # Two days after it fell due, the second (and last) reminder is owed.
    later = tasks.send_reminders(rt.sessions, now=NOW + timedelta(days=1, hours=2))
    assert later.sent == 1 and count(rt, AssessmentReminder) == 2
    assert tasks.send_reminders(rt.sessions, now=NOW + timedelta(days=2)).sent == 0


def test_no_reminders_at_night_or_once_the_form_is_done(rt, personas, assigned) -> None:  # type: ignore[no-untyped-def]
    night = tasks.send_reminders(rt.sessions, now=NOW.replace(hour=23))
    assert (night.sent, night.quiet) == (0, 1)
    with transaction(rt.sessions) as db:
        mine = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        assessments_service.submit(
            db,
            mine,
            rt.vault,
            instrument_id="PHQ-9",
            answers={**PHQ9_ITEM9, "9": 0},
            authored_at=NOW - timedelta(hours=1),
            now=NOW,
        )
    run = tasks.send_reminders(rt.sessions, now=NOW)
    assert (run.sent, run.quiet) == (0, 0)
    assert count(rt, AssessmentReminder) == 0


def test_a_racing_worker_sends_nothing(rt, personas, assigned, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        stale = assessments_service.owed_reminders(db, now=NOW)
    assert len(stale) == 1
    assert tasks.send_reminders(rt.sessions, now=NOW).sent == 1
    # A second worker that computed the same list before the first one committed.
    monkeypatch.setattr(assessments_service, "owed_reminders", lambda db, now: stale)
    raced = tasks.send_reminders(rt.sessions, now=NOW)
    assert (raced.sent, raced.already_sent) == (0, 1)
    with transaction(rt.sessions) as db:
        kinds = list(db.execute(select(OutboxEvent.kind)).scalars())
    assert sorted(kinds) == ["email", "notify"]  # the loser's notifications rolled back


def test_the_worker_runs_the_periodic_task(rt, assigned) -> None:  # type: ignore[no-untyped-def]
    assert "mindbridge.assessments.tasks" in worker.HANDLER_MODULES
    task = tasks.questionnaire_reminders
    assert issubclass(task.task_class, PeriodicTask) and task.huey is worker.huey
    assert tasks.questionnaire_reminders.call_local() in (0, 1)
