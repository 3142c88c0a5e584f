from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.safety.alerts import (
    Alert,
    AlertState,
    EscalationTier,
    IllegalTransition,
    ResponseTargets,
    acknowledge,
    due_time,
    escalate,
    escalation_due,
    is_overdue,
    open_alert,
    resolve,
    route,
)
from mindbridge.safety.levels import RiskLevel

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def new(level: RiskLevel = RiskLevel.IMMINENT) -> Alert:
    alert = open_alert(alert_id="a1", client_id="c1", level=level, source="chat", now=T0)
    assert alert is not None
    return alert


def test_default_targets_and_due_times() -> None:
    assert new().due == T0 + timedelta(minutes=15)
    assert new(RiskLevel.ELEVATED).due == T0 + timedelta(hours=24)
    assert (
        open_alert(alert_id="x", client_id="c", level=RiskLevel.LOW, source="chat", now=T0) is None
    )
    assert due_time(RiskLevel.NONE, T0, ResponseTargets()) is None


def test_targets_are_configurable_and_checked() -> None:
    targets = ResponseTargets.from_minutes({"imminent": 5, "low": 2880})
    assert targets.imminent == timedelta(minutes=5)
    assert targets.elevated == timedelta(hours=24)
    assert due_time(RiskLevel.LOW, T0, targets) == T0 + timedelta(days=2)
    with pytest.raises(ValueError):
        ResponseTargets(imminent=timedelta(hours=2), elevated=timedelta(hours=1))
    with pytest.raises(ValueError):
        ResponseTargets(imminent=None)
    with pytest.raises(ValueError):
        ResponseTargets(elevated=timedelta(0))


def test_lifecycle() -> None:
    alert = new()
    assert alert.state is AlertState.OPEN
    acked = acknowledge(alert, by="dr-jones", now=T0 + timedelta(minutes=3))
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "dr-jones"
    done = resolve(
        acked,
        by="dr-jones",
        note="  Called client; safety plan reviewed ",
        now=T0 + timedelta(hours=1),
    )
    assert done.state is AlertState.RESOLVED
    assert done.resolution_note == "Called client; safety plan reviewed"
    assert Alert.from_dict(done.to_dict()) == done


def test_illegal_transitions_raise() -> None:
    alert = new()
    with pytest.raises(IllegalTransition):
        resolve(alert, by="dr", note="done", now=T0)
    acked = acknowledge(alert, by="dr", now=T0)
    with pytest.raises(IllegalTransition):
        acknowledge(acked, by="dr", now=T0)
    with pytest.raises(ValueError, match="note"):
        resolve(acked, by="dr", note="   ", now=T0)
    done = resolve(acked, by="dr", note="ok", now=T0)
    with pytest.raises(IllegalTransition):
        resolve(done, by="dr", note="again", now=T0)
    with pytest.raises(IllegalTransition):
        escalate(done, to=EscalationTier.ADMIN, now=T0)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        open_alert(
            alert_id="a",
            client_id="c",
            level=RiskLevel.IMMINENT,
            source="chat",
            now=datetime(2025, 1, 1),
        )


def test_other_timezones_are_stored_in_utc() -> None:
    cet = timezone(timedelta(hours=1))
    alert = open_alert(
        alert_id="a", client_id="c", level=RiskLevel.IMMINENT, source="chat", now=T0.astimezone(cet)
    )
    assert alert is not None and alert.created_at.endswith("+00:00") and alert.created == T0


def test_overdue_and_escalation_ladder() -> None:
    alert = new()
    assert not is_overdue(alert, T0 + timedelta(minutes=15))
    assert escalation_due(alert, T0 + timedelta(minutes=10)) is None
    late = T0 + timedelta(minutes=16)
    assert is_overdue(alert, late)
    assert escalation_due(alert, late) is EscalationTier.ON_CALL
    on_call = escalate(alert, to=EscalationTier.ON_CALL, now=late)
    assert escalation_due(on_call, late + timedelta(minutes=10)) is None
    assert escalation_due(on_call, late + timedelta(minutes=16)) is EscalationTier.ADMIN
    admin = escalate(on_call, to=EscalationTier.ADMIN, now=late + timedelta(minutes=16))
    assert escalation_due(admin, late + timedelta(days=1)) is None
    with pytest.raises(IllegalTransition):
        escalate(admin, to=EscalationTier.ON_CALL, now=late)
    acked = acknowledge(on_call, by="on-call", now=late)
    assert not is_overdue(acked, late + timedelta(days=1))
    assert escalation_due(acked, late + timedelta(days=1)) is None


@given(st.integers(0, 10_000))
def test_overdue_exactly_after_due(minutes: int) -> None:
    alert = new()
    assert is_overdue(alert, T0 + timedelta(minutes=minutes)) == (minutes > 15)


def test_routing_respects_consent_except_imminent_policy() -> None:
    low = route(RiskLevel.LOW, consented=True)
    assert not low.alert
    yes = route(RiskLevel.ELEVATED, consented=True)
    assert yes.alert and not yes.consent_overridden
    no = route(RiskLevel.ELEVATED, consented=False)
    assert not no.alert and "chose not to" in no.reason
    override = route(RiskLevel.IMMINENT, consented=False)
    assert override.alert and override.consent_overridden
    assert "safety policy" in override.reason
    off = route(RiskLevel.IMMINENT, consented=False, imminent_overrides_consent=False)
    assert not off.alert
    for decision in (low, yes, no, override, off):
        assert decision.reason and decision.code
