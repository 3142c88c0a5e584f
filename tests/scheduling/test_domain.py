"""Slots from weekly availability (across daylight-saving changes), booking windows, ICS."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.scheduling.domain import (
    BookingRules,
    CalendarEvent,
    SchedulingError,
    Slot,
    WeeklyWindow,
    bookable,
    check_client_change,
    check_video_link,
    reminder_times,
    slots,
    to_ics,
)

TUESDAY_MORNING = WeeklyWindow(1, time(9, 0), time(12, 0), 60)


def test_weekly_window_becomes_slots_in_utc() -> None:
    got = list(slots([TUESDAY_MORNING], "Europe/London", date(2026, 7, 6), 7))  # BST, UTC+1
    assert [s.starts_at for s in got] == [
        datetime(2026, 7, 7, h, 0, tzinfo=UTC) for h in (8, 9, 10)
    ]
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in got)


def test_local_time_is_kept_across_daylight_saving() -> None:
    # London leaves summer time on 25 October 2026: 09:00 local is 08:00 UTC before, 09:00 after.
    got = list(slots([TUESDAY_MORNING], "Europe/London", date(2026, 10, 19), 14))
    firsts = sorted({s.starts_at for s in got if s.starts_at.hour in (8, 9)})
    assert firsts[0] == datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
    assert datetime(2026, 10, 27, 9, 0, tzinfo=UTC) in firsts


@given(
    st.integers(0, 6),
    st.integers(0, 22),
    st.integers(1, 8),
    st.sampled_from([15, 30, 45, 50, 60]),
    st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"]),
)
def test_slots_fit_inside_their_window(
    day: int, hour: int, span: int, length: int, tz: str
) -> None:
    end_hour = min(23, hour + span)
    window = WeeklyWindow(day, time(hour, 0), time(end_hour, 59), length)
    got = list(slots([window], tz, date(2026, 3, 1), 14))
    assert len(got) >= 2 * ((end_hour * 60 + 59 - hour * 60) // length) - 2
    for s in got:
        assert s.ends_at - s.starts_at == timedelta(minutes=length)
        assert s.starts_at.tzinfo is UTC


@pytest.mark.parametrize(
    "args",
    [(7, time(9), time(10), 50), (0, time(10), time(9), 50), (0, time(9), time(10), 5)],
)
def test_bad_windows_are_rejected(args: tuple[int, time, time, int]) -> None:
    with pytest.raises(SchedulingError):
        WeeklyWindow(*args)


def test_booking_window_and_client_cutoff() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    rules = BookingRules()
    assert not bookable(Slot(now + timedelta(hours=2), now + timedelta(hours=3)), now, rules)
    assert bookable(Slot(now + timedelta(days=2), now + timedelta(days=2, hours=1)), now, rules)
    assert not bookable(
        Slot(now + timedelta(weeks=9), now + timedelta(weeks=9, hours=1)), now, rules
    )
    with pytest.raises(SchedulingError, match="24 hours"):
        check_client_change(now + timedelta(hours=5), now, rules)
    check_client_change(now + timedelta(hours=30), now, rules)


def test_reminders_only_in_the_future() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    start = now + timedelta(hours=10)
    assert reminder_times(start, now, BookingRules()) == [start - timedelta(hours=1)]


def test_video_links_must_be_https() -> None:
    assert check_video_link(" https://meet.example.org/abc ") == "https://meet.example.org/abc"
    assert check_video_link("") == ""
    with pytest.raises(SchedulingError):
        check_video_link("javascript:alert(1)")


def test_ics_is_valid_and_folded() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    event = CalendarEvent(
        "a-1@mindbridge",
        now,
        now + timedelta(hours=1),
        "Session with Dr Ünal, CBT; " + "x" * 100,
        url="https://v.example/1",
    )
    text = to_ics([event], now=now, name="Mine")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "DTSTART:20260501T120000Z" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Session with Dr Ünal\\, CBT\\; " in unfolded
