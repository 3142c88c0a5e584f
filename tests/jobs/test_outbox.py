"""The outbox delivers each event once, retries failures, survives a missing worker, and runs on
both the embedded SQLite queue and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications import service as notifications_service
from mindbridge.notifications.models import Notification

CALLS: list[dict[str, Any]] = []


@outbox.handler("test.flaky")
def _flaky(db: Any, payload: dict[str, Any], event_id: int) -> None:
    CALLS.append(payload)
    if len(CALLS) == 1:
        raise RuntimeError("mail server down")


def test_event_commits_with_its_cause_and_is_delivered_once(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        notifications_service.notify(db, user_id=personas.client, kind="test", title="Hello")
    assert outbox.dispatch_pending(rt.sessions).delivered == 1
    assert outbox.dispatch_pending(rt.sessions).delivered == 0
    with transaction(rt.sessions) as db:
        assert len(list(db.execute(select(Notification)).scalars())) == 1


def test_rolled_back_cause_leaves_no_event(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction(rt.sessions) as db:
        notifications_service.notify(db, user_id=personas.client, kind="test", title="Hello")
        raise RuntimeError("the cause failed")
    with transaction(rt.sessions) as db:
        assert outbox.pending_count(db) == 0


def test_failed_delivery_is_retried_with_backoff(rt) -> None:  # type: ignore[no-untyped-def]
    CALLS.clear()
    with transaction(rt.sessions) as db:
        outbox.enqueue(db, "test.flaky", {"n": 1})
    report = outbox.dispatch_pending(rt.sessions)
    assert (report.delivered, report.failed) == (0, 1)
    with transaction(rt.sessions) as db:
        event = db.execute(select(OutboxEvent)).scalar_one()
        assert "mail server down" in event.last_error and event.available_at > utcnow()
        event.available_at = utcnow() - timedelta(seconds=1)
    assert outbox.dispatch_pending(rt.sessions).delivered == 1
    assert len(CALLS) == 2


def test_event_claimed_by_a_dead_worker_is_taken_over(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        notifications_service.notify(db, user_id=personas.client, kind="test", title="Hi")
        db.execute(
            update(OutboxEvent).values(
                claimed_until=utcnow() + timedelta(minutes=1), claimed_by="dead-worker"
            )
        )
    assert outbox.dispatch_pending(rt.sessions).delivered == 0  # still leased
    with transaction(rt.sessions) as db:
        db.execute(update(OutboxEvent).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert outbox.dispatch_pending(rt.sessions).delivered == 1


def test_unknown_kind_is_refused(rt) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError), transaction(rt.sessions) as db:
        outbox.enqueue(db, "no.such.kind", {})


def _env(settings, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINDBRIDGE_")}
    env.update(
        {
            "MINDBRIDGE_DATA_DIR": str(settings.data_dir),
            "MINDBRIDGE_DATABASE_URL": settings.resolved_database_url,
            "MINDBRIDGE_KEK": settings.kek.get_secret_value(),
            "MINDBRIDGE_SECRET_KEY": settings.secret_key.get_secret_value(),
            **extra,
        }
    )
    return env


def _wait_delivered(rt, timeout: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with transaction(rt.sessions) as db:
            if outbox.pending_count(db) == 0:
                return True
        time.sleep(0.3)
    return False


QUEUES = ["sqlite"] + (["redis"] if os.environ.get("MINDBRIDGE_TEST_REDIS_URL") else [])


@pytest.mark.parametrize("queue", QUEUES)
def test_real_worker_delivers_work_queued_while_it_was_down(rt, settings, personas, queue) -> None:  # type: ignore[no-untyped-def]
    extra = (
        {"MINDBRIDGE_REDIS_URL": os.environ["MINDBRIDGE_TEST_REDIS_URL"]}
        if queue == "redis"
        else {}
    )
    env = _env(settings, **extra)
    if queue == "redis":
        import redis

        redis.Redis.from_url(extra["MINDBRIDGE_REDIS_URL"]).flushdb()
    with transaction(rt.sessions) as db:
        notifications_service.notify(db, user_id=personas.client, kind="test", title="Queued")
    # The web process kicks the queue after commit; no worker is running yet.
    subprocess.run(
        [sys.executable, "-c", "from mindbridge.jobs import worker; worker.kick()"],
        env=env,
        check=True,
        timeout=60,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "mindbridge.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        delivered = _wait_delivered(rt)
    finally:
        worker.terminate()
        _out, err = worker.communicate(timeout=20)
    assert delivered, "the worker did not deliver the queued event:\n" + err.decode()[-3000:]
    with transaction(rt.sessions) as db:
        rows = list(db.execute(select(Notification)).scalars())
    assert [r.title for r in rows] == ["Queued"]


ORDER: list[str] = []


@outbox.handler("test.background", background=True)
def _background(db: Any, payload: dict[str, Any], event_id: int) -> None:
    ORDER.append("background")


@outbox.handler("test.urgent")
def _urgent(db: Any, payload: dict[str, Any], event_id: int) -> None:
    ORDER.append("urgent")


def test_background_backlog_never_holds_up_urgent_events(rt) -> None:  # type: ignore[no-untyped-def]
    ORDER.clear()
    with transaction(rt.sessions) as db:
        for i in range(25):
            outbox.enqueue(db, "test.background", {"i": i})
        outbox.enqueue(db, "test.urgent", {})  # raised last, behind the whole backlog
    first = outbox.dispatch_pending(rt.sessions)
    assert ORDER[0] == "urgent"
    assert first.delivered == 1 + outbox.BACKGROUND_BATCH and first.more
    from mindbridge.jobs import worker

    assert worker.drain() == 25 - outbox.BACKGROUND_BATCH  # a kick works through the rest
    assert ORDER.count("background") == 25
    assert not outbox.dispatch_pending(rt.sessions).more
