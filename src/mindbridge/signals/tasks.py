"""The daily signals job: recompute every recently active client's days, alert and nudge.

The worker imports this module (it is listed in `jobs.worker.HANDLER_MODULES`). Each client is
recomputed in a transaction of its own, so one failure does not hold back the others. The
alert cool-down and the one-nudge-per-gap rule are read from the database, so running the job
twice, or on two workers, sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.audit.service import AuditContext
from mindbridge.crypto.service import Vault
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.worker import huey
from mindbridge.runtime import runtime
from mindbridge.signals import service as signals_service

log = logging.getLogger(__name__)
JOB_CONTEXT = AuditContext(actor=None, request_id="job:signals-daily")


@dataclass(frozen=True)
class DailyRun:
    clients: int
    alerts: int
    nudges: int
    failed: int


def refresh_all(
    factory: sessionmaker[Session], vault: Vault, *, now: datetime | None = None
) -> DailyRun:
    now = now or utcnow()
    with transaction(factory) as db:
        ids = signals_service.clients_to_refresh(db, now=now)
    alerts = nudges = failed = 0
    for client_id in ids:
        try:
            with transaction(factory) as db:
                result = signals_service.recompute(
                    db, JOB_CONTEXT, vault, client_id=client_id, now=now
                )
        except Exception:
            log.exception("signals recompute failed for client %s", client_id)
            failed += 1
            continue
        if result is not None:
            alerts += int(result.alerted)
            nudges += len(result.nudged)
    return DailyRun(len(ids), alerts, nudges, failed)


@huey.periodic_task(crontab(hour="*/6", minute="20"))  # type: ignore[untyped-decorator]
def signals_daily() -> int:
    """Four times a day, so each client's local morning is covered whatever their zone."""
    rt = runtime()
    run = refresh_all(rt.sessions, rt.vault)
    log.info(
        "signals: %s clients recomputed, %s alerts, %s nudges, %s failed",
        run.clients,
        run.alerts,
        run.nudges,
        run.failed,
    )
    if run.alerts or run.nudges:
        from mindbridge.jobs import worker

        worker.kick()
    return run.clients
