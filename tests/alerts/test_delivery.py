"""Alerts reach people: email through a real SMTP server, and an alert survives its worker being
killed between detection and delivery (delivered after restart, exactly once)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from mindbridge.alerts import service as alerts_service
from mindbridge.alerts.models import Alert
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications.models import Notification
from tests.conftest import PERSONA_EMAILS

SYSTEM = AuditContext(actor=None, request_id="test")


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for rcpts, _ in self.messages for r in rcpts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _raise_imminent(rt, personas) -> int:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        alert = alerts_service.raise_alert(
            db,
            SYSTEM,
            rt.vault,
            client_id=personas.client,
            level="imminent",
            source="journal",
            summary="Imminent risk language in journal",
            stream=None,
            evidence={"text": "secret client words"},
        )
        assert alert is not None
        return alert.id


def test_alert_email_goes_through_a_real_smtp_server(rt, personas, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    rt.settings.smtp_host, rt.settings.smtp_port = "127.0.0.1", port
    _raise_imminent(rt, personas)
    outbox.dispatch_pending(rt.sessions)  # alert.deliver -> notify + email events
    outbox.dispatch_pending(rt.sessions)  # the email itself
    assert inbox.recipients() == [PERSONA_EMAILS["clinician"]]
    _rcpts, message = inbox.messages[0]
    assert message["Subject"] == "[mindbridge] imminent alert"
    assert message["Message-ID"].startswith("<outbox-")
    assert "secret client words" not in message.get_payload()  # no client words by email


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


def _kick(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", "from mindbridge.jobs import worker; worker.kick()"],
        env=env,
        check=True,
        timeout=60,
    )


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mindbridge.cli", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _deliver_event(rt, alert_id: int) -> OutboxEvent:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        for event in db.execute(select(OutboxEvent).where(OutboxEvent.kind == "alert.deliver")):
            row = event[0]
            if json.loads(row.payload) == {"alert_id": alert_id}:
                db.expunge(row)
                return row
    raise AssertionError("no alert.deliver event")


def test_alert_survives_a_killed_worker_and_is_delivered_once(rt, settings, personas, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    with transaction(rt.sessions) as db:  # a care team of two
        care_service.assign(
            db, clinician_id=personas.other_clinician, client_id=personas.client, by=None
        )
    alert_id = _raise_imminent(rt, personas)
    smtp_env = {"MINDBRIDGE_SMTP_HOST": "127.0.0.1", "MINDBRIDGE_SMTP_PORT": str(port)}

    # 1. A worker picks the alert up and stalls inside delivery; we kill it there.
    slow = _env(settings, **smtp_env, **{alerts_service.TEST_DELIVERY_DELAY_ENV: "120"})
    _kick(slow)
    first = _worker(slow)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _deliver_event(rt, alert_id).claimed_by:
            time.sleep(0.2)
        claimed = _deliver_event(rt, alert_id)
        assert claimed.claimed_by, "the first worker never claimed the alert"
        time.sleep(1.0)  # well inside the handler's delay: detected, not yet delivered
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    assert first.returncode == -signal.SIGKILL
    event = _deliver_event(rt, alert_id)
    assert event.delivered_at is None and event.attempts == 1
    with transaction(rt.sessions) as db:
        assert list(db.execute(select(Notification)).scalars()) == []
    assert inbox.recipients() == []

    # 2. Its claim lapses (2 minutes in production; expired here), a new worker delivers.
    with transaction(rt.sessions) as db:
        db.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event.id)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    fast = _env(settings, **smtp_env)
    second = _worker(fast)
    try:
        deadline = time.monotonic() + 90
        done = False
        while time.monotonic() < deadline and not done:
            _kick(fast)
            time.sleep(1.5)
            with transaction(rt.sessions) as db:
                done = outbox.pending_count(db) == 0 and len(inbox.recipients()) >= 2
    finally:
        second.terminate()
        _out, err = second.communicate(timeout=30)
    assert done, "not delivered after restart:\n" + err.decode()[-3000:]
    time.sleep(1.0)  # anything extra would have arrived by now

    event = _deliver_event(rt, alert_id)
    assert event.delivered_at is not None and event.attempts == 2
    with transaction(rt.sessions) as db:
        notes = sorted(
            n.user_id
            for n in db.execute(select(Notification)).scalars()
            if n.kind == "alert.imminent"
        )
        assert db.get(Alert, alert_id).status == "open"  # type: ignore[union-attr]
    assert notes == sorted([personas.clinician, personas.other_clinician])
    assert inbox.recipients() == sorted(
        [PERSONA_EMAILS["clinician"], PERSONA_EMAILS["other_clinician"]]
    )
