"""Raising alerts. The alert row, its audit entry and its delivery event commit together, so an
alert can't be lost between detection and delivery; the outbox delivers it to the care team.

Lifecycle (acknowledge, resolve, escalate) and the inbox build on these rows.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts.models import Alert, AlertTransition
from mindbridge.audit import service as audit_service
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.consent import service as consent_service
from mindbridge.crypto.service import Vault
from mindbridge.db import utcnow
from mindbridge.jobs import outbox
from mindbridge.notifications import service as notifications_service

EVIDENCE_FIELD = "alerts.evidence"
DEFAULT_TARGETS = {
    "imminent": timedelta(minutes=15),
    "elevated": timedelta(hours=24),
    "deterioration": timedelta(hours=72),
}
# Imminent risk reaches the care team even without consent to automated alerts (service policy,
# shown to clients on their consent page).
OVERRIDE_LEVELS = frozenset({"imminent"})


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
) -> Alert | None:
    """Record an alert for the client's care team, or None when consent does not allow one.

    Consent: an alert from a stream goes to the care team only if the client consented to
    automated alerts for that stream, unless the level overrides consent (imminent risk).
    A repeat with the same open `dedup_key` returns the existing alert instead of a new one.
    """
    if level not in DEFAULT_TARGETS:
        raise ValueError(f"unknown alert level {level!r}")
    if dedup_key:
        existing = db.execute(
            select(Alert).where(Alert.dedup_key == dedup_key, Alert.status != "resolved")
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    consented = stream is None or consent_service.current(db, client_id=client_id).granted(
        stream, Purpose.AUTOMATED_ALERTS
    )
    override = not consented and level in OVERRIDE_LEVELS
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
        due_at=now + DEFAULT_TARGETS[level],
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
    team = care_service.care_team(db, client_id=alert.client_id)
    for clinician in team:
        notifications_service.notify(
            db,
            user_id=clinician.id,
            kind=f"alert.{alert.level}",
            title=f"{alert.level.capitalize()} alert: {alert.summary}",
            link=f"/clients/{alert.client_id}",
        )
        notifications_service.send_email(
            db,
            to=clinician.email,
            subject=f"[mindbridge] {alert.level} alert",
            body=f"{alert.summary}\n\nOpen mindbridge to respond. "
            "(No client details are sent by email.)",
        )
