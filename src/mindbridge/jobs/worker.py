"""The Huey job runner: SQLite-backed and embedded by default, Redis-backed when scaled out.

Web requests kick `deliver_outbox` after they commit; a sweep every minute catches anything a
crash left behind, so an event in the outbox is delivered even if no kick ever arrives.
"""

from __future__ import annotations

import importlib
import logging
import time

from huey import Huey, RedisHuey, SqliteHuey, crontab

from mindbridge.config import get_settings
from mindbridge.jobs import outbox
from mindbridge.runtime import runtime

log = logging.getLogger(__name__)


def _make_huey() -> Huey:
    settings = get_settings()
    if settings.redis_url:
        return RedisHuey("mindbridge", url=settings.redis_url)
    settings.ensure_data_dir()
    return SqliteHuey("mindbridge", filename=str(settings.data_dir / "jobs.db"))


huey = _make_huey()

# Modules whose outbox handlers the worker must know (importing registers them).
HANDLER_MODULES = (
    "mindbridge.notifications.service",
    "mindbridge.alerts.service",
    "mindbridge.scheduling.service",
    "mindbridge.assessments.tasks",
    "mindbridge.alerts.tasks",
    "mindbridge.signals.tasks",
    "mindbridge.language.service",
    "mindbridge.checkins.service",
    "mindbridge.journal.service",
    "mindbridge.recommender.tasks",
    "mindbridge.companion.reminders",
    "mindbridge.retention.tasks",
)
for _module in HANDLER_MODULES:
    importlib.import_module(_module)


DRAIN_SECONDS = 50.0  # a kick keeps delivering background work this long; the sweep resumes it


@huey.task()  # type: ignore[untyped-decorator]
def deliver_outbox() -> int:
    return drain()


def drain(seconds: float = DRAIN_SECONDS) -> int:
    """Deliver until nothing is due. Each pass takes every urgent event first, so an alert
    raised during a long backlog of text analyses waits for one small batch at most."""
    start = time.monotonic()
    total = 0
    while True:
        report = outbox.dispatch_pending(runtime().sessions)
        total += report.delivered
        if not report.more or time.monotonic() - start > seconds:
            return total


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def sweep_outbox() -> int:
    delivered = drain()
    if delivered:
        log.info("outbox sweep: %s delivered", delivered)
    return delivered


def kick() -> None:
    """Ask a worker to deliver now; harmless if no worker is listening (the sweep will)."""
    try:
        deliver_outbox()
    except Exception:  # the queue being down must never fail the request that caused the event
        log.warning("could not enqueue outbox delivery; the periodic sweep will deliver it")


def run_consumer(workers: int = 2) -> None:
    consumer = huey.create_consumer(workers=workers, periodic=True, check_worker_health=True)
    consumer.run()
