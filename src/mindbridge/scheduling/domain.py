"""Scheduling rules: weekly availability into concrete slots, booking windows, ICS export.

All instants are aware UTC; availability is written in the clinician's own time zone so "Tuesday
09:00" stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class SchedulingError(ValueError):
    """A booking or availability request that breaks the rules; the message says which."""


@dataclass(frozen=True)
class WeeklyWindow:
    weekday: int  # 0 = Monday
    start: time
    end: time
    slot_minutes: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise SchedulingError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not 15 <= self.slot_minutes <= 180:
            raise SchedulingError("sessions last between 15 and 180 minutes")
        if self.end <= self.start:
            raise SchedulingError("availability must end after it starts")


@dataclass(frozen=True)
class BookingRules:
    min_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(weeks=8)
    client_change_cutoff: timedelta = timedelta(hours=24)
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def slots(windows: Iterable[WeeklyWindow], tz: str, start: date, days: int) -> Iterator[Slot]:
    """Concrete slots for `days` days from `start`, in UTC, from windows in local time `tz`."""
    zone = ZoneInfo(tz)
    by_day: dict[int, list[WeeklyWindow]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append(w)
    for offset in range(days):
        day = start + timedelta(days=offset)
        for w in sorted(by_day.get(day.weekday(), []), key=lambda w: w.start):
            cursor = datetime.combine(day, w.start, tzinfo=zone)
            end = datetime.combine(day, w.end, tzinfo=zone)
            step = timedelta(minutes=w.slot_minutes)
            while cursor + step <= end:
                # Wall-clock arithmetic in the zone, then convert: a nonexistent local time (a DST
                # gap) normalises forward through the UTC round trip.
                begin = cursor.astimezone(UTC)
                yield Slot(begin, begin + step)
                cursor = cursor + step


def bookable(slot: Slot, now: datetime, rules: BookingRules) -> bool:
    return now + rules.min_notice <= slot.starts_at <= now + rules.horizon


def check_client_change(starts_at: datetime, now: datetime, rules: BookingRules) -> None:
    if starts_at - now < rules.client_change_cutoff:
        hours = int(rules.client_change_cutoff.total_seconds() // 3600)
        raise SchedulingError(
            f"Appointments can be changed online up to {hours} hours before they start. "
            "Please contact your clinician."
        )


def reminder_times(starts_at: datetime, booked_at: datetime, rules: BookingRules) -> list[datetime]:
    """When to remind: each offset before the start that is still in the future when booked."""
    return [starts_at - off for off in rules.reminder_offsets if starts_at - off > booked_at]


def check_video_link(url: str) -> str:
    url = url.strip()
    if url and not (url.startswith("https://") and " " not in url and len(url) <= 500):
        raise SchedulingError("A video link must be an https:// address.")
    return url


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    url: str = ""
    cancelled: bool = False


def _ics_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 lines are at most 75 octets; longer ones continue with a leading space."""
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    out.append(raw.decode())
    return out


def to_ics(events: Iterable[CalendarEvent], *, now: datetime, name: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mindbridge//scheduling//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{_ics_time(now)}",
            f"DTSTART:{_ics_time(e.starts_at)}",
            f"DTEND:{_ics_time(e.ends_at)}",
            f"SUMMARY:{_ics_text(e.summary)}",
            f"STATUS:{'CANCELLED' if e.cancelled else 'CONFIRMED'}",
        ]
        if e.url:
            lines.append(f"URL:{e.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
