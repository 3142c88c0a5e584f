"""The transactional outbox: what must never be lost is written with its cause, then delivered.

`enqueue` joins the caller's transaction. `dispatch_pending` claims events one at a time with a
conditional UPDATE (several workers are safe), runs the handler and marks the event delivered in
the handler's own transaction, so database effects happen exactly once; an interrupted delivery is
retried after its claim lapses.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[Session, dict[str, Any], int], None]
_HANDLERS: dict[str, Handler] = {}

CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def known_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


def enqueue(
    db: Session, kind: str, payload: dict[str, Any], *, delay: timedelta | None = None
) -> OutboxEvent:
    if kind not in _HANDLERS:
        raise ValueError(f"no outbox handler for {kind!r}")
    event = OutboxEvent(
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        available_at=utcnow() + (delay or timedelta()),
    )
    db.add(event)
    db.flush()
    return event


@dataclass(frozen=True)
class DispatchReport:
    delivered: int
    failed: int


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(factory: sessionmaker[Session], event_id: int) -> bool:
    now = utcnow()
    with transaction(factory) as db:
        result = db.execute(
            update(OutboxEvent)
            .where(
                OutboxEvent.id == event_id,
                OutboxEvent.delivered_at.is_(None),
                OutboxEvent.failed_at.is_(None),
                or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
            )
            .values(
                claimed_until=now + CLAIM_LEASE,
                claimed_by=_worker_id(),
                attempts=OutboxEvent.attempts + 1,
            )
        )
        return getattr(result, "rowcount", 0) == 1


def _deliver(factory: sessionmaker[Session], event_id: int) -> bool:
    try:
        with transaction(factory) as db:
            event = db.get(OutboxEvent, event_id)
            if event is None or event.delivered_at is not None:
                return False
            _HANDLERS[event.kind](db, json.loads(event.payload), event.id)
            event.delivered_at = utcnow()
            event.claimed_until = None
        return True
    except Exception as exc:
        log.exception("outbox event %s failed", event_id)
        with transaction(factory) as db:
            event = db.get(OutboxEvent, event_id)
            if event is not None:
                event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                # Back off exponentially; give up (and keep the row for people to see) eventually.
                event.claimed_until = None
                event.available_at = utcnow() + timedelta(seconds=min(3600, 5 * 2**event.attempts))
                if event.attempts >= MAX_ATTEMPTS:
                    event.failed_at = utcnow()
        return False


def dispatch_pending(factory: sessionmaker[Session], *, limit: int = 100) -> DispatchReport:
    now = utcnow()
    with transaction(factory) as db:
        ids = list(
            db.execute(
                select(OutboxEvent.id)
                .where(
                    OutboxEvent.delivered_at.is_(None),
                    OutboxEvent.failed_at.is_(None),
                    OutboxEvent.available_at <= now,
                    or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
                )
                .order_by(OutboxEvent.id)
                .limit(limit)
            ).scalars()
        )
    delivered = failed = 0
    for event_id in ids:
        if not _claim(factory, event_id):
            continue
        if _deliver(factory, event_id):
            delivered += 1
        else:
            failed += 1
    return DispatchReport(delivered=delivered, failed=failed)


def pending_count(db: Session) -> int:
    return len(
        list(
            db.execute(
                select(OutboxEvent.id).where(
                    OutboxEvent.delivered_at.is_(None), OutboxEvent.failed_at.is_(None)
                )
            ).scalars()
        )
    )
