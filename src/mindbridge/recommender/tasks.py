"""The nightly refit of the shared layer (listed in `jobs.worker.HANDLER_MODULES`).

A full rebuild from consenting clients' outcome events, in its own transaction, so a client who
withdrew consent drops out of the shared model by the next morning.
"""

from __future__ import annotations

import logging

from huey import crontab

from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.worker import huey
from mindbridge.recommender import service as recommender_service
from mindbridge.runtime import runtime

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="3", minute="20"))  # type: ignore[untyped-decorator]
def refit_population() -> int:
    with transaction(runtime().sessions) as db:
        done = recommender_service.rebuild_population(
            db, AuditContext(actor=None, request_id="job-recommender-pool"), now=utcnow()
        )
    log.info("recommender shared layer: %s outcomes from %s clients", done.events, done.clients)
    return done.events
