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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent

log = logging.getLogger(__name__)

Handler = Callable[[Session, dict[str, Any], int], None]
_HANDLERS: dict[str, Handler] = {}
# Kinds that may wait (text analysis): delivered only after every other pending event, a few
# per pass, so a backlog of them never holds up an alert or a reminder.
_BACKGROUND: set[str] = set()
BACKGROUND_BATCH = 10

CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


def handler(kind: str, *, background: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        if background:
            _BACKGROUND.add(kind)
        else:
            _BACKGROUND.discard(kind)
        return fn

    return register


def known_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


def enqueue(
    db: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    delay: timedelta | None = None,
    at: datetime | None = None,
) -> OutboxEvent:
    """Queue `kind` for delivery now, after `delay`, or at `at` (whichever is given)."""
    if kind not in _HANDLERS:
        raise ValueError(f"no outbox handler for {kind!r}")
    event = OutboxEvent(
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        available_at=at if at is not None else utcnow() + (delay or timedelta()),
    )
    db.add(event)
    db.flush()
    return event


@dataclass(frozen=True)
class DispatchReport:
    delivered: int
    failed: int
    more: bool = False  # background events were left for the next pass


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


def _pending_ids(db: Session, *, background: bool, limit: int) -> list[int]:
    now = utcnow()
    kinds = OutboxEvent.kind.in_(sorted(_BACKGROUND))
    return list(
        db.execute(
            select(OutboxEvent.id)
            .where(
                OutboxEvent.delivered_at.is_(None),
                OutboxEvent.failed_at.is_(None),
                OutboxEvent.available_at <= now,
                or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
                kinds if background else ~kinds,
            )
            .order_by(OutboxEvent.id)
            .limit(limit)
        ).scalars()
    )


def dispatch_pending(
    factory: sessionmaker[Session], *, limit: int = 100, background_limit: int = BACKGROUND_BATCH
) -> DispatchReport:
    """Deliver what is due: every other kind first (oldest first), then at most
    `background_limit` background events; `more` says whether background work is left."""
    with transaction(factory) as db:
        ids = _pending_ids(db, background=False, limit=limit)
        spare = min(background_limit, max(0, limit - len(ids)))
        later = _pending_ids(db, background=True, limit=spare + 1) if spare else []
    more = len(later) > spare
    delivered = failed = 0
    for event_id in [*ids, *later[:spare]]:
        if not _claim(factory, event_id):
            continue
        if _deliver(factory, event_id):
            delivered += 1
        else:
            failed += 1
    return DispatchReport(delivered=delivered, failed=failed, more=more)


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
