"""Writing, reading and verifying the audit log. Appends join the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from mindbridge.access.domain import Actor
from mindbridge.audit.domain import GENESIS, ChainReport, entry_hash, verify_chain
from mindbridge.audit.models import AuditEvent, AuditHead
from mindbridge.db import utcnow


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and on which request, passed down from the web or CLI layer."""

    actor: Actor | None
    request_id: str = ""


PENDING = "audit_pending"
_WRITING = "audit_writing"


@dataclass(frozen=True)
class Pending:
    """An entry recorded in this transaction, chained when the transaction commits."""

    at: datetime
    actor_id: int | None
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    client_id: int | None
    purpose: str
    outcome: str
    request_id: str
    detail: str


def record(
    db: Session,
    ctx: AuditContext,
    *,
    action: str,
    resource_type: str,
    resource_id: str | int = "",
    client_id: int | None = None,
    purpose: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    actor_override: tuple[int | None, str] | None = None,
) -> None:
    """Add an entry to this transaction's audit trail.

    The entry is chained (id, previous hash) when the transaction commits, or earlier when
    this transaction reads the audit log, so the chain's lock is held only for the commit
    instead of for the whole request; a rollback drops the entry with everything else.
    """
    actor_id, role = actor_override or (
        (ctx.actor.user_id, ctx.actor.role.value) if ctx.actor else (None, "anonymous")
    )
    if not db.in_transaction():
        db.begin()  # so that a rollback before any SQL still drops the entry
    db.info.setdefault(PENDING, []).append(
        Pending(
            at=utcnow(),
            actor_id=actor_id,
            actor_role=role,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            client_id=client_id,
            purpose=purpose,
            outcome=outcome,
            request_id=ctx.request_id,
            detail=json.dumps(detail or {}, sort_keys=True),
        )
    )


def write_pending(db: Session) -> int:
    """Chain and insert this transaction's recorded entries; returns how many were written."""
    pending: list[Pending] = db.info.get(PENDING) or []
    if not pending or db.info.get(_WRITING) or db.in_nested_transaction():
        return 0  # inside a savepoint, wait for the commit: a savepoint rollback would lose them
    db.info[_WRITING] = True
    try:
        head = db.execute(
            select(AuditHead).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if head is None:
            head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
            db.add(head)
            db.flush()
        entries = list(pending)
        pending.clear()
        for entry in entries:
            event = AuditEvent(
                id=head.last_id + 1,
                at=entry.at,
                actor_id=entry.actor_id,
                actor_role=entry.actor_role,
                action=entry.action,
                resource_type=entry.resource_type,
                resource_id=entry.resource_id,
                client_id=entry.client_id,
                purpose=entry.purpose,
                outcome=entry.outcome,
                request_id=entry.request_id,
                detail=entry.detail,
                prev_hash=head.last_hash,
                hash="",
            )
            event.hash = entry_hash(head.last_hash, _fields(event))
            db.add(event)
            head.last_id = event.id
            head.last_hash = event.hash
        db.flush()
        return len(entries)
    finally:
        db.info[_WRITING] = False


@sa_event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    write_pending(session)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """Entries belong to their transaction: written by its commit or dropped by its rollback
    (a savepoint's rollback keeps them: the attempt it recorded still happened)."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


@sa_event.listens_for(Session, "do_orm_execute")
def _chain_before_reading(state: ORMExecuteState) -> None:
    """A transaction that reads the audit log sees its own entries."""
    if not state.session.info.get(PENDING) or state.session.info.get(_WRITING):
        return
    if any(m.class_ in _AUDIT_CLASSES for m in state.all_mappers) or any(
        t in _AUDIT_TABLES
        for t in find_tables(cast(ClauseElement, state.statement), include_crud=True)
    ):
        write_pending(state.session)


_AUDIT_CLASSES = (AuditEvent, AuditHead)
_AUDIT_TABLES = (AuditEvent.__table__, AuditHead.__table__)


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "client_id": event.client_id,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def verify(db: Session) -> ChainReport:
    write_pending(db)
    head = db.get(AuditHead, 1)

    def rows() -> Iterator[dict[str, Any]]:
        for event in (
            db.execute(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000).scalars()
        ):
            yield _fields(event)

    return verify_chain(
        rows(),
        head_id=head.last_id if head else 0,
        head_hash=head.last_hash if head else GENESIS,
    )


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    client_id: int | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(
    db: Session, flt: AuditFilter, *, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    if flt.actor_id is not None:
        query = query.where(AuditEvent.actor_id == flt.actor_id)
    if flt.client_id is not None:
        query = query.where(AuditEvent.client_id == flt.client_id)
    if flt.action:
        query = query.where(AuditEvent.action.startswith(flt.action))
    if flt.outcome:
        query = query.where(AuditEvent.outcome == flt.outcome)
    if flt.since:
        query = query.where(AuditEvent.at >= flt.since)
    if flt.until:
        query = query.where(AuditEvent.at < flt.until)
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.execute(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    return list(rows), int(total)
