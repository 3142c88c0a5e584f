"""The retention policy, its enforcement, and the admins' consent overview.

Retention is the one place that deletes rows of other capabilities' tables by age. It reads their
models only to select by timestamp, never their content, and each kind's deletion is audited with
its count. `enforce` flushes, never commits; `runner.run` gives each kind a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import LoginAttempt, OneTimeToken, WebSession
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import CompanionDocument
from mindbridge.consent import service as consent_service
from mindbridge.db import Base, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.kit.errors import Invalid, NotFound
from mindbridge.notifications.models import Notification
from mindbridge.retention.domain import (
    ConsentCount,
    Kind,
    KindResult,
    PolicyError,
    RetentionPolicy,
    RetentionReport,
    count_consent,
    cutoffs,
    display_days,
    parse_policy,
    signal_cutoff,
)
from mindbridge.retention.models import RetentionRule
from mindbridge.signals.models import SignalObservation

CONVERSATION = "conversation"  # companion_documents.kind of the transcript (never "memory")


class PolicyInvalid(Invalid):
    """The retention form is not valid; `errors` names each field and what is wrong with it."""

    def __init__(self, error: PolicyError) -> None:
        super().__init__(str(error))
        self.errors = {kind.value: message for kind, message in error.errors.items()}


def _require_admin(ctx: AuditContext) -> None:
    if ctx.actor is None or ctx.actor.role is not Role.ADMIN:
        raise NotFound("Not found.")


# --- the policy --------------------------------------------------------------------------------


def policy(db: Session) -> RetentionPolicy:
    rows = db.execute(select(RetentionRule.kind, RetentionRule.days)).all()
    return RetentionPolicy.from_stored({kind: days for kind, days in rows})


def save_policy(db: Session, ctx: AuditContext, *, form: Mapping[str, Any]) -> int:
    """Validate every field before writing anything; store and audit (old and new) what changed.
    Returns how many kinds changed."""
    _require_admin(ctx)
    try:
        wanted = parse_policy(form)
    except PolicyError as exc:
        raise PolicyInvalid(exc) from None
    old = policy(db)
    changes = old.changes(wanted)
    if not changes:
        return 0
    assert ctx.actor is not None
    for kind, (_, days) in changes.items():
        row = db.get(RetentionRule, kind.value)
        if row is None:
            row = RetentionRule(kind=kind.value)
            db.add(row)
        row.days = days
        row.updated_by = ctx.actor.user_id
        row.updated_at = utcnow()
    audit_service.record(
        db,
        ctx,
        action="retention.policy.update",
        resource_type="retention_policy",
        purpose="administration",
        detail={
            "old": {k.value: display_days(before) for k, (before, _) in changes.items()},
            "new": {k.value: display_days(after) for k, (_, after) in changes.items()},
        },
    )
    db.flush()
    return len(changes)


# --- enforcement -------------------------------------------------------------------------------


def _expired(kind: Kind, cutoff: datetime) -> tuple[type[Base], ColumnElement[bool]]:
    """The table and the condition selecting a kind's rows older than the cut-off."""
    if kind is Kind.COMPANION_TRANSCRIPT:
        return CompanionDocument, and_(
            CompanionDocument.kind == CONVERSATION, CompanionDocument.updated_at < cutoff
        )
    if kind is Kind.NOTIFICATIONS_READ:
        return Notification, Notification.read_at < cutoff
    if kind is Kind.OUTBOX_DELIVERED:
        return OutboxEvent, OutboxEvent.delivered_at < cutoff
    if kind is Kind.SESSIONS_ENDED:
        # Last use before the cut-off means it ended long ago: idle timeouts are at most a day.
        return WebSession, or_(WebSession.revoked_at < cutoff, WebSession.last_seen_at < cutoff)
    if kind is Kind.TOKENS_SPENT:
        return OneTimeToken, or_(
            OneTimeToken.used_at < cutoff,
            and_(OneTimeToken.used_at.is_(None), OneTimeToken.expires_at < cutoff),
        )
    if kind is Kind.LOGIN_ATTEMPTS:
        return LoginAttempt, LoginAttempt.at < cutoff
    raise ValueError(f"{kind} has its own rule")


def _aware(moment: datetime) -> datetime:
    # aggregates bypass the column type on SQLite and come back naive (they are UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _signal_conditions(db: Session, cutoff: datetime) -> list[ColumnElement[bool]]:
    """Older than the cut-off and outside the window each client's days are rebuilt from: one
    condition for every client whose data is recent, one each for the few whose newest data is
    old enough to pull their cut-off earlier."""
    newest = db.execute(
        select(SignalObservation.client_id, func.max(SignalObservation.start_at)).group_by(
            SignalObservation.client_id
        )
    ).all()
    earlier = {
        client_id: own
        for client_id, last in newest
        if last is not None and (own := signal_cutoff(cutoff, _aware(last))) < cutoff
    }
    return [
        and_(SignalObservation.start_at < cutoff, SignalObservation.client_id.not_in(earlier)),
        *(
            and_(SignalObservation.client_id == client_id, SignalObservation.start_at < own)
            for client_id, own in earlier.items()
        ),
    ]


def _apply(
    db: Session, table: type[Base], conditions: Iterable[ColumnElement[bool]], *, dry_run: bool
) -> int:
    total = 0
    for condition in conditions:
        if dry_run:
            query = select(func.count()).select_from(table).where(condition)
            total += db.execute(query).scalar_one()
        else:
            result = db.execute(
                delete(table).where(condition).execution_options(synchronize_session=False)
            )
            total += int(getattr(result, "rowcount", 0) or 0)
    return total


def _count_or_delete(db: Session, kind: Kind, cutoff: datetime, *, dry_run: bool) -> int:
    if kind is Kind.SIGNAL_OBSERVATIONS:
        return _apply(db, SignalObservation, _signal_conditions(db, cutoff), dry_run=dry_run)
    table, condition = _expired(kind, cutoff)
    return _apply(db, table, [condition], dry_run=dry_run)


def enforce(
    db: Session,
    ctx: AuditContext,
    *,
    now: datetime,
    dry_run: bool = False,
    kinds: Iterable[Kind] | None = None,
) -> RetentionReport:
    """Delete what the policy says has expired (or only count it, on a dry run).

    Kinds set to "keep" are skipped. Each kind that runs writes one audit row with its cut-off
    and the number of rows removed, never what they held; a dry run changes nothing and audits
    nothing.
    """
    current = policy(db)
    limits = cutoffs(current, now)
    results = []
    for kind in kinds if kinds is not None else Kind:
        cutoff = limits[kind]
        if cutoff is None:
            results.append(KindResult(kind, None, None, 0))
            continue
        count = _count_or_delete(db, kind, cutoff, dry_run=dry_run)
        results.append(KindResult(kind, current.get(kind), cutoff, count))
        if not dry_run:
            audit_service.record(
                db,
                ctx,
                action="retention.enforce",
                resource_type="retention",
                resource_id=kind.value,
                purpose="retention",
                detail={
                    "deleted": count,
                    "cutoff": cutoff.isoformat(),
                    "days": display_days(current.get(kind)),
                },
            )
    db.flush()
    return RetentionReport(now, dry_run, tuple(results))


# --- consent overview --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentOverview:
    clients: int
    counts: list[ConsentCount]


def consent_overview(db: Session, ctx: AuditContext) -> ConsentOverview:
    """How many active clients share each stream for each purpose: counts only, audited."""
    _require_admin(ctx)
    clients = [u for u in accounts_service.list_users(db, role=Role.CLIENT) if u.is_active]
    states = consent_service.current_for(db, client_ids=[u.id for u in clients]).values()
    audit_service.record(
        db,
        ctx,
        action="consent.overview.read",
        resource_type="report",
        purpose="administration",
        detail={"clients": len(clients)},
    )
    return ConsentOverview(len(clients), count_consent(states))
