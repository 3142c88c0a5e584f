"""Check-in triage rules: a usual check-in habit that stops, and a clearly lower week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mindbridge.checkins.triage import reasons_for
from mindbridge.workspace.triage import Tier

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _daily(first: int, last: int, mood: int) -> list[tuple[datetime, int]]:
    return [(NOW - timedelta(days=d), mood) for d in range(first, last - 1, -1)]


def test_regular_checkins_that_stop_are_flagged() -> None:
    rows = _daily(20, 5, 6)
    reasons = reasons_for(rows, now=NOW, client_id=7)
    assert [r.text.split(" (")[0] for r in reasons] == ["No check-in for 5 days"]
    assert reasons[0].tier is Tier.ROUTINE and reasons[0].link == "/clients/7/insights"


def test_occasional_checkins_are_not_a_habit_that_stopped() -> None:
    rows = [(NOW - timedelta(days=d), 6) for d in (30, 22, 12, 6)]
    assert reasons_for(rows, now=NOW, client_id=7) == []


def test_a_clearly_lower_week_is_flagged_and_a_small_dip_is_not() -> None:
    rows = _daily(30, 8, 7) + _daily(6, 0, 3)
    [reason] = reasons_for(rows, now=NOW, client_id=1)
    assert reason.text.startswith("Mood 4.0 points lower") and reason.tier is Tier.HIGH
    assert reasons_for(_daily(30, 8, 7) + _daily(6, 0, 6), now=NOW, client_id=1) == []


def test_nothing_without_data() -> None:
    assert reasons_for([], now=NOW, client_id=1) == []
