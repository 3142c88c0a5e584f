"""Due dates, due/overdue status and reminders, on the client's wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mindbridge.assessments.schedules import (
    Assignment,
    Cadence,
    add_interval,
    due_state,
    next_due,
    reminder_owed,
    reminders_owed,
)

LONDON = ZoneInfo("Europe/London")
START = datetime(2024, 3, 1, 9, 0, tzinfo=LONDON)  # GMT (UTC+0)


def _fortnightly(**kw) -> Assignment:
    return Assignment(
        "a-phq", "c1", "PHQ-9", Cadence(every=14, unit="days", **kw), START, "Europe/London"
    )


def test_first_form_is_due_at_the_start() -> None:
    a = _fortnightly()
    assert next_due(a, []) == START
    assert due_state(a, [], START - timedelta(hours=1)).status == "upcoming"
    assert due_state(a, [], START).status == "due"
    assert due_state(a, [], START + timedelta(days=2, hours=23)).status == "due"
    overdue = due_state(a, [], START + timedelta(days=3))
    assert overdue.status == "overdue"
    assert overdue.overdue_at == START + timedelta(days=3)


def test_next_due_counts_from_the_last_completion() -> None:
    a = _fortnightly()
    done = [START + timedelta(hours=1), START + timedelta(days=15)]
    assert next_due(a, done) == START + timedelta(days=29)
    state = due_state(a, done, START + timedelta(days=20))
    assert state.status == "upcoming"
    assert state.last_completed_at == done[-1]


def test_due_time_keeps_the_local_wall_clock_across_dst() -> None:
    a = _fortnightly()
    done = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)  # 09:00 GMT; clocks go forward on 31 March
    due = next_due(a, [done])
    assert due is not None
    assert (due.astimezone(LONDON).hour, due.astimezone(LONDON).day) == (9, 3)
    assert due.astimezone(UTC) == datetime(2024, 4, 3, 8, 0, tzinfo=UTC)


def test_monthly_after_intake_clamps_to_month_end() -> None:
    a = Assignment(
        "a-gad",
        "c1",
        "GAD-7",
        Cadence(every=1, unit="months"),
        datetime(2024, 1, 31, 18, 0, tzinfo=LONDON),
        "Europe/London",
    )
    intake = datetime(2024, 1, 31, 18, 30, tzinfo=LONDON)
    assert next_due(a, []) == a.starts_at  # at intake
    assert next_due(a, [intake]) == datetime(2024, 2, 29, 18, 30, tzinfo=LONDON)


def test_add_interval_weeks_and_months() -> None:
    t = datetime(2024, 12, 15, 8, 0, tzinfo=LONDON)
    assert add_interval(t, 2, "weeks", LONDON) == datetime(2024, 12, 29, 8, 0, tzinfo=LONDON)
    assert add_interval(t, 3, "months", LONDON) == datetime(2025, 3, 15, 8, 0, tzinfo=LONDON)


def test_first_due_one_interval_after_start() -> None:
    a = _fortnightly(at_start=False)
    assert next_due(a, []) == START + timedelta(days=14)


def test_completions_before_the_assignment_do_not_count() -> None:
    a = _fortnightly()
    assert next_due(a, [START - timedelta(days=1)]) == START


def test_one_off_is_completed_once_done() -> None:
    a = Assignment("a1", "c1", "PCL-5", Cadence(), START, "Europe/London")
    assert due_state(a, [], START).status == "due"
    state = due_state(a, [START + timedelta(hours=2)], START + timedelta(days=1))
    assert (state.status, state.due_at) == ("completed", None)


def test_assignment_ends() -> None:
    a = Assignment(
        "a1",
        "c1",
        "PHQ-9",
        Cadence(every=14),
        START,
        "Europe/London",
        ends_at=START + timedelta(days=20),
    )
    done = [START + timedelta(days=10)]
    assert next_due(a, done) is None
    assert due_state(a, done, START + timedelta(days=30)).status == "ended"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            lambda: Assignment("a", "c", "PHQ-9", Cadence(every=14), datetime(2024, 1, 1), "UTC"),
            "starts_at must be a timezone-aware",
        ),
        (
            lambda: Assignment("a", "c", "PHQ-9", Cadence(every=14), START, "Mars/Olympus"),
            "unknown time zone",
        ),
        (lambda: Cadence(every=0), "at least 1"),
        (lambda: Cadence(every=None, at_start=False), "one-off"),
        (lambda: due_state(_fortnightly(), [], datetime(2024, 3, 2)), "now must be"),
        (lambda: next_due(_fortnightly(), [datetime(2024, 3, 2)]), "completion time must be"),
    ],
)
def test_naive_times_and_bad_settings_are_rejected(bad, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bad()


def test_reminders_due_late_and_sent_once() -> None:
    a = _fortnightly()  # reminders at 0 and +2 days, grace 3 days
    assert reminder_owed(a, [], [], START - timedelta(minutes=1)) is None
    at_due = reminder_owed(a, [], [], START + timedelta(minutes=5))
    assert at_due is not None
    assert (at_due.kind, at_due.offset_days, at_due.send_at) == ("due", 0, START)
    assert reminder_owed(a, [], [at_due.key], START + timedelta(hours=3)) is None
    late = reminder_owed(a, [], [at_due.key], START + timedelta(days=2, hours=1))
    assert late is not None and (late.kind, late.offset_days) == ("late", 2)
    assert late.key != at_due.key


def test_only_the_latest_reminder_after_downtime() -> None:
    a = Assignment(
        "a1",
        "c1",
        "PHQ-9",
        Cadence(every=14, reminder_offsets_days=(-1, 0, 3)),
        START,
        "Europe/London",
    )
    before = reminder_owed(a, [], [], START - timedelta(hours=2))
    assert before is not None and before.kind == "before_due"
    owed = reminder_owed(a, [], [], START + timedelta(days=5))
    assert owed is not None and (owed.offset_days, owed.kind) == (3, "overdue")


def test_completion_clears_reminders_for_that_due_date() -> None:
    a = _fortnightly()
    done = [START + timedelta(hours=1)]
    assert reminder_owed(a, done, [], START + timedelta(days=2, hours=2)) is None
    next_one = reminder_owed(a, done, [], START + timedelta(days=14, hours=2))
    assert next_one is not None and next_one.due_at == START + timedelta(days=14, hours=1)


def test_reminders_across_assignments() -> None:
    a, b = _fortnightly(), Assignment("a2", "c2", "WHO-5", Cadence(every=7), START, "UTC")
    owed = reminders_owed([(a, []), (b, [START])], [], START + timedelta(hours=1))
    assert [r.assignment_id for r in owed] == ["a-phq"]


def test_assignment_round_trips_through_dict() -> None:
    a = Assignment(
        "a1",
        "c1",
        "GAD-7",
        Cadence(every=1, unit="months", grace_days=5, reminder_offsets_days=(0, 1)),
        START,
        "Europe/London",
        ends_at=START + timedelta(days=180),
        assigned_by="dr-a",
    )
    assert Assignment.from_dict(a.to_dict()) == a
    state = due_state(a, [], START)
    assert state.to_dict()["due_at"] == START.isoformat()
