"""Safety alerts to the care team: who gets one, how fast they must respond, and what happens
when nobody does. Pure rules on plain dataclasses; storage and delivery are the service's.

Lifecycle: `open` -> `acknowledged` -> `resolved` (resolving needs a note). Anything else
raises `IllegalTransition`. The response target (default: imminent 15 minutes, elevated 24
hours, low no alert) runs from `created_at` to acknowledgement; an alert still open past its
due time is overdue and escalates, first to the on-call clinician, then (after another full
target period) to an administrator.

Every timestamp must be timezone-aware; alerts store them as ISO 8601 strings in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from mindbridge.safety.levels import RiskLevel

MAX_NOTE = 2000


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class EscalationTier(StrEnum):
    CARE_TEAM = "care_team"  # the client's own clinicians: every alert starts here
    ON_CALL = "on_call"  # the on-call clinician, once the target is missed
    ADMIN = "admin"  # a service administrator, once on-call has also not responded


class IllegalTransition(ValueError):
    """That change is not allowed from the alert's current state."""


@dataclass(frozen=True)
class ResponseTargets:
    """How soon someone must acknowledge an alert, per level; None means no alert."""

    imminent: timedelta | None = timedelta(minutes=15)
    elevated: timedelta | None = timedelta(hours=24)
    low: timedelta | None = None

    def __post_init__(self) -> None:
        for name in ("imminent", "elevated", "low"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValueError(f"response target for {name} must be positive")
        if self.imminent is None:
            raise ValueError("imminent risk always needs a response target")
        order = [t for t in (self.imminent, self.elevated, self.low) if t is not None]
        if order != sorted(order):
            raise ValueError("a more urgent level cannot have a longer response target")

    def for_level(self, level: RiskLevel) -> timedelta | None:
        return {
            RiskLevel.IMMINENT: self.imminent,
            RiskLevel.ELEVATED: self.elevated,
            RiskLevel.LOW: self.low,
        }.get(level)

    @classmethod
    def from_minutes(cls, data: Mapping[str, float | None]) -> ResponseTargets:
        """From settings like {"imminent": 15, "elevated": 1440, "low": null}."""
        d = cls()
        defaults = {"imminent": d.imminent, "elevated": d.elevated, "low": d.low}

        def pick(name: str) -> timedelta | None:
            if name not in data:
                return defaults[name]
            value = data[name]
            return None if value is None else timedelta(minutes=float(value))

        return cls(pick("imminent"), pick("elevated"), pick("low"))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else _aware(moment).isoformat()


def _parse(value: str) -> datetime | None:
    return _aware(datetime.fromisoformat(value)) if value else None


@dataclass(frozen=True)
class Alert:
    """One alert. Plain fields (ISO strings, enum values) so it stores as a row or JSON."""

    id: str
    client_id: str
    level: RiskLevel
    source: str  # "chat", "journal", "checkin", "phq9", "safety_plan", ...
    created_at: str
    due_at: str
    state: AlertState = AlertState.OPEN
    tier: EscalationTier = EscalationTier.CARE_TEAM
    escalated_at: str = ""
    acknowledged_at: str = ""
    acknowledged_by: str = ""
    resolved_at: str = ""
    resolved_by: str = ""
    resolution_note: str = ""
    consent_overridden: bool = False

    @property
    def created(self) -> datetime:
        moment = _parse(self.created_at)
        assert moment is not None
        return moment

    @property
    def due(self) -> datetime:
        moment = _parse(self.due_at)
        assert moment is not None
        return moment

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "level": self.level.value,
            "source": self.source,
            "created_at": self.created_at,
            "due_at": self.due_at,
            "state": self.state.value,
            "tier": self.tier.value,
            "escalated_at": self.escalated_at,
            "acknowledged_at": self.acknowledged_at,
            "acknowledged_by": self.acknowledged_by,
            "resolved_at": self.resolved_at,
            "resolved_by": self.resolved_by,
            "resolution_note": self.resolution_note,
            "consent_overridden": self.consent_overridden,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        return cls(
            id=str(data["id"]),
            client_id=str(data["client_id"]),
            level=RiskLevel(data["level"]),
            source=str(data.get("source", "")),
            created_at=str(data["created_at"]),
            due_at=str(data["due_at"]),
            state=AlertState(data.get("state", AlertState.OPEN)),
            tier=EscalationTier(data.get("tier", EscalationTier.CARE_TEAM)),
            escalated_at=str(data.get("escalated_at", "")),
            acknowledged_at=str(data.get("acknowledged_at", "")),
            acknowledged_by=str(data.get("acknowledged_by", "")),
            resolved_at=str(data.get("resolved_at", "")),
            resolved_by=str(data.get("resolved_by", "")),
            resolution_note=str(data.get("resolution_note", "")),
            consent_overridden=bool(data.get("consent_overridden", False)),
        )


def due_time(level: RiskLevel, created_at: datetime, targets: ResponseTargets) -> datetime | None:
    """When the alert must be acknowledged; None when the level raises no alert."""
    target = targets.for_level(level)
    return None if target is None else _aware(created_at) + target


def open_alert(
    *,
    alert_id: str,
    client_id: str,
    level: RiskLevel,
    source: str,
    now: datetime,
    targets: ResponseTargets | None = None,
    consent_overridden: bool = False,
) -> Alert | None:
    """A new open alert, or None when the level needs none (`none`, or `low` by default)."""
    due = due_time(level, now, targets or ResponseTargets())
    if due is None:
        return None
    return Alert(
        id=alert_id,
        client_id=client_id,
        level=level,
        source=source,
        created_at=_iso(now),
        due_at=_iso(due),
        consent_overridden=consent_overridden,
    )


def acknowledge(alert: Alert, *, by: str, now: datetime) -> Alert:
    if alert.state is not AlertState.OPEN:
        raise IllegalTransition(f"an alert that is {alert.state.value} cannot be acknowledged")
    if not by.strip():
        raise ValueError("say who acknowledged the alert")
    return replace(
        alert, state=AlertState.ACKNOWLEDGED, acknowledged_at=_iso(now), acknowledged_by=by
    )


def resolve(alert: Alert, *, by: str, note: str, now: datetime) -> Alert:
    """Close an acknowledged alert; the note (what was done) is required."""
    if alert.state is not AlertState.ACKNOWLEDGED:
        raise IllegalTransition(
            f"an alert that is {alert.state.value} cannot be resolved; acknowledge it first"
            if alert.state is AlertState.OPEN
            else "this alert is already resolved"
        )
    note = " ".join(note.split())
    if not note:
        raise ValueError("resolving an alert needs a note saying what was done")
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note can be at most {MAX_NOTE} characters")
    if not by.strip():
        raise ValueError("say who resolved the alert")
    return replace(
        alert,
        state=AlertState.RESOLVED,
        resolved_at=_iso(now),
        resolved_by=by,
        resolution_note=note,
    )


def is_overdue(alert: Alert, now: datetime) -> bool:
    """Still unacknowledged after its due time."""
    return alert.state is AlertState.OPEN and _aware(now) > alert.due


def escalation_due(
    alert: Alert, now: datetime, targets: ResponseTargets | None = None
) -> EscalationTier | None:
    """The tier the alert should now go to, or None if nothing needs to change.

    Missed target -> on-call clinician. Still unacknowledged one more target period after
    that escalation -> administrator. Acknowledged and resolved alerts never escalate.
    """
    if not is_overdue(alert, now):
        return None
    if alert.tier is EscalationTier.CARE_TEAM:
        return EscalationTier.ON_CALL
    if alert.tier is EscalationTier.ON_CALL:
        target = (targets or ResponseTargets()).for_level(alert.level) or (
            alert.due - alert.created
        )
        since = _parse(alert.escalated_at) or alert.due
        if _aware(now) > since + target:
            return EscalationTier.ADMIN
    return None


def escalate(alert: Alert, *, to: EscalationTier, now: datetime) -> Alert:
    order = list(EscalationTier)
    if alert.state is not AlertState.OPEN:
        raise IllegalTransition("only open alerts escalate")
    if order.index(to) <= order.index(alert.tier):
        raise IllegalTransition(f"cannot escalate from {alert.tier.value} to {to.value}")
    return replace(alert, tier=to, escalated_at=_iso(now))


@dataclass(frozen=True)
class RoutingDecision:
    """Whether the care team is alerted automatically, with a reason the client can read."""

    alert: bool
    reason: str
    consent_overridden: bool = False
    code: str = ""


def route(
    level: RiskLevel, *, consented: bool, imminent_overrides_consent: bool = True
) -> RoutingDecision:
    """Apply the client's consent to automated alerts, and the service's imminent-risk policy.

    `consented` is the client's choice for automated alerts from the stream the text came
    from; `imminent_overrides_consent` is the service's policy (on by default).
    """
    if not level.needs_crisis_response:
        return RoutingDecision(
            alert=False,
            reason="Nothing you wrote here is sent to your care team as an alert.",
            code="below_alert_level",
        )
    if consented:
        return RoutingDecision(
            alert=True,
            reason="You agreed that your care team can be alerted when you might be at risk, "
            "so we have let them know.",
            code="consented",
        )
    if level is RiskLevel.IMMINENT and imminent_overrides_consent:
        return RoutingDecision(
            alert=True,
            reason="You chose not to have automatic alerts. Because what you wrote suggests you "
            "may be in danger right now, our service's safety policy is to let your care team "
            "know anyway. This is the only time we do that.",
            consent_overridden=True,
            code="policy_override",
        )
    return RoutingDecision(
        alert=False,
        reason="You chose not to have automatic alerts, so your care team has not been told. "
        "The people and numbers shown here are there for you at any time.",
        code="no_consent",
    )
