"""The nightly retention job is registered with the worker and runs the same enforcement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent


def test_the_worker_runs_retention_nightly(rt) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.jobs import worker
    from mindbridge.retention import tasks

    assert "mindbridge.retention.tasks" in worker.HANDLER_MODULES
    count = select(func.count()).select_from(OutboxEvent)
    with transaction(rt.sessions) as db:
        db.add(OutboxEvent(kind="t", payload="{}", delivered_at=utcnow() - timedelta(days=200)))
        db.flush()
        before = db.execute(count).scalar_one()
    assert tasks.enforce_retention.call_local() == 1
    with transaction(rt.sessions) as db:
        assert db.execute(count).scalar_one() == before - 1
