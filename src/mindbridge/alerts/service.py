"""Raising alerts. The alert row, its audit entry and its delivery event commit together, so an
alert can't be lost between detection and delivery; the outbox delivers it to the care team.

Lifecycle (acknowledge, resolve, escalate) follows the safety core's rules
(`mindbridge.safety.alerts`): each change goes through the pure function, is written back to the
row, recorded in `alert_transitions` and audited. Viewing an alert is audited too.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mindbridge.access import service as access_service
from mindbridge.access.domain import Action, Purpose, Record, Role, Stream
from mindbridge.accounts.models import User
from mindbridge.alerts.models import Alert, AlertTransition
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.config import Settings, parse_alert_targets
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.jobs import outbox
from mindbridge.kit.errors import Conflict, Invalid, NotFound
from mindbridge.notifications import service as notifications_service
from mindbridge.safety import alerts as rules
from mindbridge.safety.levels import RiskLevel

log = logging.getLogger(__name__)

EVIDENCE_FIELD = "alerts.evidence"
NOTE_FIELD = "alerts.resolution_note"
LEVELS = ("imminent", "elevated", "deterioration")
# Only for the kill-the-worker test: seconds the delivery handler sleeps before it commits.
TEST_DELIVERY_DELAY_ENV = "MINDBRIDGE_TEST_DELIVERY_DELAY_SECONDS"
# The safety core knows none/low/elevated/imminent; a deterioration alert (from measures, not
# words) follows the same lifecycle with its own target, carried in the core's `low` slot.
_CORE_LEVEL = {
    "imminent": RiskLevel.IMMINENT,
    "elevated": RiskLevel.ELEVATED,
    "deterioration": RiskLevel.LOW,
}


def targets_from(settings: Settings | None) -> dict[str, timedelta]:
    if settings is None:
        return parse_alert_targets("")
    return settings.alert_targets()


def core_targets(targets: Mapping[str, timedelta]) -> rules.ResponseTargets:
    return rules.ResponseTargets(
        imminent=targets["imminent"], elevated=targets["elevated"], low=targets["deterioration"]
    )


def _settings() -> Settings | None:
    from mindbridge.runtime import runtime

    try:
        return runtime().settings
    except Exception:  # no configured runtime (pure unit use): the defaults apply
        return None


def raise_alert(
    db: Session,
    ctx: AuditContext,
    vault: Vault,
    *,
    client_id: int,
    level: str,
    source: str,
    summary: str,
    stream: Stream | None,
    evidence: dict[str, Any] | None = None,
    source_ref: str = "",
    dedup_key: str = "",
    targets: Mapping[str, timedelta] | None = None,
    imminent_overrides_consent: bool | None = None,
) -> Alert | None:
    """Record an alert for the client's care team, or None when consent does not allow one.

    Consent: an alert from a stream goes to the care team only if the client consented to
    automated alerts for that stream, unless the level overrides consent (imminent risk).
    A repeat with the same open `dedup_key` returns the existing alert instead of a new one.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown alert level {level!r}")
    settings = _settings() if targets is None or imminent_overrides_consent is None else None
    if targets is None:
        targets = targets_from(settings)
    if imminent_overrides_consent is None:
        imminent_overrides_consent = settings.imminent_overrides_consent if settings else True
    if dedup_key:
        existing = db.execute(
            select(Alert).where(Alert.dedup_key == dedup_key, Alert.status != "resolved")
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    consented = stream is None or consent_service.current(db, client_id=client_id).granted(
        stream, Purpose.AUTOMATED_ALERTS
    )
    override = not consented and level == "imminent" and imminent_overrides_consent
    if not consented and not override:
        audit_service.record(
            db,
            ctx,
            action="alert.suppressed",
            resource_type="alert",
            client_id=client_id,
            purpose=Purpose.AUTOMATED_ALERTS.value,
            outcome="denied",
            detail={"level": level, "source": source, "reason": "no consent to automated alerts"},
        )
        return None
    now = utcnow()
    alert = Alert(
        client_id=client_id,
        level=level,
        source=source,
        source_ref=source_ref,
        summary=summary[:255],
        evidence_enc=vault.encrypt(
            db, Vault.owner_for_client(client_id), json.dumps(evidence or {}), field=EVIDENCE_FIELD
        ),
        consent_override=override,
        created_at=now,
        due_at=now + targets[level],
        dedup_key=dedup_key,
    )
    db.add(alert)
    db.flush()
    db.add(
        AlertTransition(
            alert_id=alert.id,
            from_status="",
            to_status="open",
            actor_id=ctx.actor.user_id if ctx.actor else None,
        )
    )
    audit_service.record(
        db,
        ctx,
        action="alert.raise",
        resource_type="alert",
        resource_id=alert.id,
        client_id=client_id,
        purpose=Purpose.AUTOMATED_ALERTS.value,
        detail={"level": level, "source": source, "override": override},
    )
    outbox.enqueue(db, "alert.deliver", {"alert_id": alert.id})
    return alert


@outbox.handler("alert.deliver")
def _deliver(db: Session, payload: dict[str, Any], event_id: int) -> None:
    alert = db.get(Alert, payload["alert_id"])
    if alert is None:
        return
    delay = float(os.environ.get(TEST_DELIVERY_DELAY_ENV) or 0)
    if delay > 0:  # tests only: widen the window between detection and delivery
        log.warning("alert delivery delayed %.1fs by %s", delay, TEST_DELIVERY_DELAY_ENV)
        time.sleep(delay)
    team = care_service.care_team(db, client_id=alert.client_id)
    for clinician in team:
        notifications_service.notify(
            db,
            user_id=clinician.id,
            kind=f"alert.{alert.level}",
            title=f"{alert.level.capitalize()} alert: {alert.summary}",
            link=f"/alerts/{alert.id}",
        )
        notifications_service.send_email(
            db,
            to=clinician.email,
            subject=f"[mindbridge] {alert.level} alert",
            body=f"{alert.summary}\n\nOpen mindbridge to respond. "
            "(No client details are sent by email.)",
        )


# --- lifecycle --------------------------------------------------------------------------------


def to_core(alert: Alert) -> rules.Alert:
    """The row as the safety core's plain alert, so its rules decide every change."""
    return rules.Alert(
        id=str(alert.id),
        client_id=str(alert.client_id),
        level=_CORE_LEVEL[alert.level],
        source=alert.source,
        created_at=alert.created_at.isoformat(),
        due_at=alert.due_at.isoformat(),
        state=rules.AlertState(alert.status),
        tier=rules.EscalationTier(alert.tier or "care_team"),
        escalated_at=alert.escalated_at.isoformat() if alert.escalated_at else "",
        acknowledged_at=alert.acknowledged_at.isoformat() if alert.acknowledged_at else "",
        acknowledged_by=str(alert.acknowledged_by or ""),
        resolved_at=alert.resolved_at.isoformat() if alert.resolved_at else "",
        resolved_by=str(alert.resolved_by or ""),
        consent_overridden=alert.consent_override,
    )


def _transition(
    db: Session,
    ctx: AuditContext,
    alert: Alert,
    *,
    from_status: str,
    action: str,
    at: datetime,
    detail: str = "",
    audit_detail: dict[str, Any] | None = None,
) -> None:
    db.add(
        AlertTransition(
            alert_id=alert.id,
            at=at,
            actor_id=ctx.actor.user_id if ctx.actor else None,
            from_status=from_status,
            to_status=alert.status,
            detail=detail,
        )
    )
    audit_service.record(
        db,
        ctx,
        action=action,
        resource_type="alert",
        resource_id=alert.id,
        client_id=alert.client_id,
        purpose=Purpose.CARE_TEAM.value,
        detail={"level": alert.level, "from": from_status, "to": alert.status}
        | (audit_detail or {}),
    )


ON_CALL_PURPOSE = "on_call_escalation"


def _is_on_call(db: Session, ctx: AuditContext, alert: Alert) -> bool:
    """The configured on-call person, for an alert escalated past the care team: they must be
    able to open it and respond, though they are not on the client's care team."""
    settings = _settings()
    on_call_email = settings.on_call_email if settings is not None else None
    if ctx.actor is None or not on_call_email or alert.tier == "care_team":
        return False
    return any(u.id == ctx.actor.user_id for u in _active(db, email=on_call_email))


def get_for(db: Session, ctx: AuditContext, alert_id: int, action: Action = Action.READ) -> Alert:
    """The alert, if the actor may see the client's care record (authorised and audited), or
    is the on-call person and the alert was escalated to them (this alert only, audited)."""
    alert = db.get(Alert, alert_id)
    if alert is None:
        raise NotFound("No such alert.")
    try:
        access_service.authorize(
            db, ctx, client_id=alert.client_id, resource=Record.CARE_RECORD, action=action
        )
    except NotFound:
        if not _is_on_call(db, ctx, alert):
            raise
        audit_service.record(
            db,
            ctx,
            action=f"alert.{action.value}",
            resource_type="alert",
            resource_id=alert.id,
            client_id=alert.client_id,
            purpose=ON_CALL_PURPOSE,
            detail={"tier": alert.tier},
        )
    return alert


def acknowledge(db: Session, ctx: AuditContext, *, alert: Alert, now: datetime) -> Alert:
    assert ctx.actor is not None
    try:
        changed = rules.acknowledge(to_core(alert), by=str(ctx.actor.user_id), now=now)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc)) from exc
    before = alert.status
    alert.status = changed.state.value
    alert.acknowledged_at = now
    alert.acknowledged_by = ctx.actor.user_id
    _transition(db, ctx, alert, from_status=before, action="alert.acknowledge", at=now)
    return alert


def resolve(
    db: Session, ctx: AuditContext, vault: Vault, *, alert: Alert, note: str, now: datetime
) -> Alert:
    """Close an acknowledged alert; the note (what was done) is required and stored encrypted."""
    assert ctx.actor is not None
    try:
        changed = rules.resolve(to_core(alert), by=str(ctx.actor.user_id), note=note, now=now)
    except rules.IllegalTransition as exc:
        raise Conflict(str(exc)) from exc
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    before = alert.status
    alert.status = changed.state.value
    alert.resolved_at = now
    alert.resolved_by = ctx.actor.user_id
    alert.resolution_note_enc = vault.encrypt(
        db, Vault.owner_for_client(alert.client_id), changed.resolution_note, field=NOTE_FIELD
    )
    _transition(db, ctx, alert, from_status=before, action="alert.resolve", at=now)
    return alert


@dataclass(frozen=True)
class InboxRow:
    alert: Alert
    client_name: str
    age: timedelta
    overdue: bool


def inbox(db: Session, ctx: AuditContext, *, clinician_id: int, now: datetime) -> list[InboxRow]:
    """Open and acknowledged alerts for every client on the clinician's caseload, most urgent
    first. Each alert shown is audited as viewed."""
    clients = {c.id: c for c in care_service.caseload(db, clinician_id=clinician_id)}
    if not clients:
        return []
    alerts = list(
        db.execute(
            select(Alert)
            .where(Alert.client_id.in_(clients), Alert.status != "resolved")
            .order_by(Alert.due_at)
        ).scalars()
    )
    order = {"imminent": 0, "elevated": 1, "deterioration": 2}
    alerts.sort(key=lambda a: (a.status != "open", order.get(a.level, 9), a.due_at))
    for alert in alerts:
        audit_service.record(
            db,
            ctx,
            action="alert.view",
            resource_type="alert",
            resource_id=alert.id,
            client_id=alert.client_id,
            purpose=Purpose.CARE_TEAM.value,
            detail={"where": "inbox"},
        )
    return [
        InboxRow(
            alert=a,
            client_name=clients[a.client_id].display_name,
            age=now - a.created_at,
            overdue=rules.is_overdue(to_core(a), now),
        )
        for a in alerts
    ]


def open_count(db: Session, *, clinician_id: int) -> int:
    ids = [c.id for c in care_service.caseload(db, clinician_id=clinician_id)]
    if not ids:
        return 0
    return len(
        list(
            db.execute(
                select(Alert.id).where(Alert.client_id.in_(ids), Alert.status == "open")
            ).scalars()
        )
    )


@dataclass(frozen=True)
class AlertDetail:
    alert: Alert
    client_name: str
    evidence: dict[str, Any]
    resolution_note: str
    transitions: list[tuple[AlertTransition, str]]  # with the actor's display name
    overdue: bool


def detail(
    db: Session, ctx: AuditContext, vault: Vault, *, alert: Alert, now: datetime
) -> AlertDetail:
    """Decrypt the evidence and the note, and audit the view."""
    owner = Vault.owner_for_client(alert.client_id)
    evidence: dict[str, Any] = {}
    if alert.evidence_enc:
        evidence = json.loads(vault.decrypt(db, owner, alert.evidence_enc, field=EVIDENCE_FIELD))
    note = (
        vault.decrypt(db, owner, alert.resolution_note_enc, field=NOTE_FIELD)
        if alert.resolution_note_enc
        else ""
    )
    rows = db.execute(
        select(AlertTransition, User.display_name)
        .outerjoin(User, User.id == AlertTransition.actor_id)
        .where(AlertTransition.alert_id == alert.id)
        .order_by(AlertTransition.at, AlertTransition.id)
    ).all()
    client = db.get(User, alert.client_id)
    audit_service.record(
        db,
        ctx,
        action="alert.view",
        resource_type="alert",
        resource_id=alert.id,
        client_id=alert.client_id,
        purpose=Purpose.CARE_TEAM.value,
        detail={"where": "detail"},
    )
    return AlertDetail(
        alert=alert,
        client_name=client.display_name if client else "",
        evidence=evidence,
        resolution_note=note,
        transitions=[(t, name or "system") for t, name in rows],
        overdue=rules.is_overdue(to_core(alert), now),
    )


# --- escalation -------------------------------------------------------------------------------


def _active(db: Session, *, email: str | None = None, role: Role | None = None) -> list[User]:
    query = select(User).where(User.is_active.is_(True))
    if email is not None:
        query = query.where(User.email == email.strip().lower())
    if role is not None:
        query = query.where(User.role == role.value)
    return list(db.execute(query.order_by(User.id)).scalars())


def escalation_recipients(
    db: Session, tier: rules.EscalationTier, *, on_call_email: str | None
) -> list[User]:
    """On-call: the designated clinician or admin (admins if none is set or found).
    Admin tier: every active administrator."""
    if tier is rules.EscalationTier.ON_CALL and on_call_email:
        on_call = [
            u
            for u in _active(db, email=on_call_email)
            if u.role in (Role.CLINICIAN.value, Role.ADMIN.value)
        ]
        if on_call:
            return on_call
        log.warning("on-call %s is not an active clinician or admin; telling admins", on_call_email)
    return _active(db, role=Role.ADMIN)


def escalate_overdue(
    db: Session,
    ctx: AuditContext,
    *,
    now: datetime,
    targets: Mapping[str, timedelta],
    on_call_email: str | None,
) -> int:
    """Escalate each overdue open alert one tier (core rules), notifying that tier once.

    The tier changes with a conditional UPDATE, so two workers cannot both escalate (and notify)
    the same alert to the same tier. Returns how many alerts escalated.
    """
    core = core_targets(targets)
    candidates = list(
        db.execute(
            select(Alert).where(Alert.status == "open", Alert.due_at < now).order_by(Alert.id)
        ).scalars()
    )
    escalated = 0
    for alert in candidates:
        current = to_core(alert)
        tier = rules.escalation_due(current, now, core)
        if tier is None:
            continue
        rules.escalate(current, to=tier, now=now)  # raises if the rules forbid it
        result = db.execute(
            update(Alert)
            .where(Alert.id == alert.id, Alert.tier == current.tier.value, Alert.status == "open")
            .values(tier=tier.value, escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        db.refresh(alert)
        recipients = escalation_recipients(db, tier, on_call_email=on_call_email)
        _transition(
            db,
            ctx,
            alert,
            from_status=alert.status,
            action="alert.escalate",
            at=now,
            detail=f"escalated to {tier.value}",
            audit_detail={"tier": tier.value, "recipients": [u.id for u in recipients]},
        )
        for user in recipients:
            notifications_service.notify(
                db,
                user_id=user.id,
                kind=f"alert.escalated.{tier.value}",
                title=f"Overdue {alert.level} alert #{alert.id}: nobody has acknowledged it",
                link=f"/alerts/{alert.id}",
            )
            notifications_service.send_email(
                db,
                to=user.email,
                subject=f"[mindbridge] overdue {alert.level} alert #{alert.id}",
                body=f"Alert #{alert.id} ({alert.summary}) was due {alert.due_at:%Y-%m-%d %H:%M} "
                "UTC and is still unacknowledged. Contact the client's care team or open "
                "mindbridge. (No client details are sent by email.)",
            )
        escalated += 1
    return escalated
