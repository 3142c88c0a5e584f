"""Running enforcement with one transaction per kind, for the daily job and the CLI.

Kept apart from `tasks.py` so the command does not import the job queue. A kind that fails is
rolled back alone and reported; the others still run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction
from mindbridge.retention import service as retention_service
from mindbridge.retention.domain import Kind, KindResult, RetentionReport

log = logging.getLogger(__name__)


def run(
    factory: sessionmaker[Session], ctx: AuditContext, *, now: datetime, dry_run: bool = False
) -> RetentionReport:
    report = RetentionReport(now, dry_run, ())
    for kind in Kind:
        try:
            with transaction(factory) as db:
                part = retention_service.enforce(db, ctx, now=now, dry_run=dry_run, kinds=(kind,))
        except Exception as exc:
            log.exception("retention for %s failed", kind.value)
            part = RetentionReport(
                now, dry_run, (KindResult(kind, None, None, 0, f"{type(exc).__name__}: {exc}"),)
            )
        report = report.merged(part)
    return report
