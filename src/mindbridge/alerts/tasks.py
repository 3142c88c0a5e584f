"""The escalation job: a periodic Huey task that moves overdue open alerts up a tier.

The worker imports this module (it is listed in `jobs.worker.HANDLER_MODULES`). Escalation, its
audit row, its transition and its notifications (outbox events) commit together, and the tier
changes with a conditional UPDATE, so each escalation notifies its tier exactly once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.alerts import service as alerts_service
from mindbridge.audit.service import AuditContext
from mindbridge.config import Settings
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.worker import huey
from mindbridge.runtime import runtime

log = logging.getLogger(__name__)


def run_escalations(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> int:
    with transaction(factory) as db:
        return alerts_service.escalate_overdue(
            db,
            AuditContext(actor=None, request_id="job:alert-escalation"),
            now=now or utcnow(),
            targets=settings.alert_targets(),
            on_call_email=settings.on_call_email,
        )


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def escalate_alerts() -> int:
    rt = runtime()
    count = run_escalations(rt.sessions, rt.settings)
    if count:
        log.info("escalated %s overdue alerts", count)
        from mindbridge.jobs import worker

        worker.kick()
    return count
