"""The reminder job: a periodic Huey task that sends each owed questionnaire reminder once.

The worker imports this module (it is listed in `jobs.worker.HANDLER_MODULES`). Each reminder is
recorded and its notifications queued in one transaction of its own, so one failure does not hold
back the others, and the unique reminder key makes a second worker's attempt roll back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from huey import crontab
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.assessments import service as assessments_service
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.worker import huey
from mindbridge.runtime import runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderRun:
    sent: int
    quiet: int  # owed, but it is night on the client's clock: sent on a later run
    already_sent: int  # another worker got there first


def send_reminders(factory: sessionmaker[Session], *, now: datetime | None = None) -> ReminderRun:
    now = now or utcnow()
    with transaction(factory) as db:
        owed = assessments_service.owed_reminders(db, now=now)
    sent = quiet = raced = 0
    for reminder, timezone in owed:
        if assessments_service.in_quiet_hours(timezone, now):
            quiet += 1
            continue
        try:
            with transaction(factory) as db:
                assessments_service.send_reminder(db, reminder, now=now)
        except IntegrityError:
            raced += 1
            continue
        sent += 1
    return ReminderRun(sent, quiet, raced)


@huey.periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]
def questionnaire_reminders() -> int:
    run = send_reminders(runtime().sessions)
    if run.sent or run.already_sent:
        log.info(
            "questionnaire reminders: %s sent, %s raced, %s held for quiet hours",
            run.sent,
            run.already_sent,
            run.quiet,
        )
    return run.sent
