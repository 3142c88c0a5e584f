"""Alert decisions: threshold, persistence, cool-down, escalation; replay equals one-by-one."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.signals.alerts import AlertPolicy, PastAlert, alert_days, decide_alert

DAY = date(2024, 5, 1)


def test_below_threshold_never_alerts() -> None:
    assert not decide_alert(DAY, [0.2, 0.3], [], AlertPolicy(persist_days=1)).alert


def test_persistence_is_required() -> None:
    policy = AlertPolicy(threshold=0.5, persist_days=2)
    assert not decide_alert(DAY, [0.3, 0.9], [], policy).alert
    assert decide_alert(DAY, [0.6, 0.9], [], policy).alert


def test_cool_down_holds_back_a_repeat_unless_clearly_worse() -> None:
    policy = AlertPolicy(threshold=0.5, persist_days=1, cooldown_days=14, escalation=0.2)
    past = [PastAlert(DAY - timedelta(days=5), 0.6)]
    held = decide_alert(DAY, [0.7], past, policy)
    assert not held.alert and "cool-down" in held.reason
    assert decide_alert(DAY, [0.85], past, policy).alert
    assert decide_alert(DAY + timedelta(days=9), [0.7], past, policy).alert


def test_policy_is_validated() -> None:
    with pytest.raises(ValueError):
        AlertPolicy(threshold=0)
    with pytest.raises(ValueError):
        AlertPolicy(persist_days=0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=60),
    st.floats(0.05, 1.0),
    st.integers(1, 3),
    st.integers(0, 20),
    st.floats(0, 0.5),
)
def test_replay_equals_deciding_day_by_day(
    scores: list[float], threshold: float, persist: int, cooldown: int, escalation: float
) -> None:
    policy = AlertPolicy(threshold, persist, cooldown, escalation)
    fired = alert_days(np.array([scores]), policy)[0]
    past: list[PastAlert] = []
    for t in range(len(scores)):
        decision = decide_alert(DAY + timedelta(days=t), scores[: t + 1], past, policy)
        assert decision.alert == bool(fired[t]), (t, decision.reason)
        if decision.alert:
            past.append(PastAlert(DAY + timedelta(days=t), scores[t]))
