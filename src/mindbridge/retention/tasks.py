"""The daily retention job (listed in `jobs.worker.HANDLER_MODULES`).

Runs at night, one transaction per kind; with the default policy only technical records
(delivered events, ended sessions, spent links, login attempts) are ever removed.
"""

from __future__ import annotations

import logging

from huey import crontab

from mindbridge.audit.service import AuditContext
from mindbridge.db import utcnow
from mindbridge.jobs.worker import huey
from mindbridge.retention import runner
from mindbridge.runtime import runtime

log = logging.getLogger(__name__)
JOB_CONTEXT = AuditContext(actor=None, request_id="job:retention")


@huey.periodic_task(crontab(hour="2", minute="40"))  # type: ignore[untyped-decorator]
def enforce_retention() -> int:
    report = runner.run(runtime().sessions, JOB_CONTEXT, now=utcnow())
    log.info(
        "retention: %s rows removed%s",
        report.total,
        f", {len(report.failed)} kinds failed" if report.failed else "",
    )
    return report.total
