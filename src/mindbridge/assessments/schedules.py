"""Assessment schedules: when an assigned questionnaire is next due, whether it is late, and
which reminder is owed. Pure functions of the assignment, the completion history and "now".

Due times are anchored on the last completion (PHQ-9 every 14 days means 14 days after the last
one, never two forms in a row), and interval arithmetic runs on the client's wall clock in the
assignment's IANA time zone, so a 09:00 due time stays 09:00 across daylight-saving changes.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mindbridge.assessments.timestamps import parse_aware, require_aware

Unit = Literal["days", "weeks", "months"]
Status = Literal["upcoming", "due", "overdue", "completed", "ended"]
ReminderKind = Literal["before_due", "due", "late", "overdue"]


@dataclass(frozen=True)
class Cadence:
    every: int | None = None  # None: ask once
    unit: Unit = "days"
    at_start: bool = True  # first due at the assignment's start, else one interval after it
    grace_days: int = 3  # due becomes overdue after this many days
    reminder_offsets_days: tuple[int, ...] = (0, 2)  # relative to the due time; negative = before

    def __post_init__(self) -> None:
        if self.every is not None and self.every < 1:
            raise ValueError(f"cadence interval must be at least 1, got {self.every}")
        if self.every is None and not self.at_start:
            raise ValueError("a one-off assessment must be due at the start")
        if self.grace_days < 0:
            raise ValueError("grace_days cannot be negative")

    def to_dict(self) -> dict[str, Any]:
        return {
            "every": self.every,
            "unit": self.unit,
            "at_start": self.at_start,
            "grace_days": self.grace_days,
            "reminder_offsets_days": list(self.reminder_offsets_days),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cadence:
        return cls(
            every=data.get("every"),
            unit=data.get("unit", "days"),
            at_start=bool(data.get("at_start", True)),
            grace_days=int(data.get("grace_days", 3)),
            reminder_offsets_days=tuple(data.get("reminder_offsets_days", (0, 2))),
        )


@dataclass(frozen=True)
class Assignment:
    """A clinician's instruction: this client completes this instrument on this cadence."""

    id: str
    client_id: str
    instrument_id: str
    cadence: Cadence
    starts_at: datetime
    timezone: str  # IANA name, e.g. "Europe/London": the client's wall clock
    ends_at: datetime | None = None
    assigned_by: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.starts_at, "starts_at")
        if self.ends_at is not None:
            require_aware(self.ends_at, "ends_at")
            if self.ends_at < self.starts_at:
                raise ValueError("ends_at is before starts_at")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "instrument_id": self.instrument_id,
            "cadence": self.cadence.to_dict(),
            "starts_at": self.starts_at.isoformat(),
            "timezone": self.timezone,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "assigned_by": self.assigned_by,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assignment:
        ends = data.get("ends_at")
        return cls(
            id=data["id"],
            client_id=data["client_id"],
            instrument_id=data["instrument_id"],
            cadence=Cadence.from_dict(data["cadence"]),
            starts_at=parse_aware(data["starts_at"], "starts_at"),
            timezone=data["timezone"],
            ends_at=parse_aware(ends, "ends_at") if ends else None,
            assigned_by=data.get("assigned_by"),
        )


def add_interval(moment: datetime, every: int, unit: Unit, zone: ZoneInfo) -> datetime:
    """Add days, weeks or calendar months on `zone`'s wall clock (Jan 31 + 1 month = Feb 28)."""
    local = require_aware(moment, "moment").astimezone(zone)
    if unit == "days":
        return local + timedelta(days=every)
    if unit == "weeks":
        return local + timedelta(weeks=every)
    year, month0 = divmod(local.month - 1 + every, 12)
    year += local.year
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day)


def _days_later(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone) + timedelta(days=days)


def _completions(assignment: Assignment, completions: Iterable[datetime]) -> list[datetime]:
    own = [require_aware(c, "completion time") for c in completions]
    return sorted(c for c in own if c >= assignment.starts_at)


def next_due(assignment: Assignment, completions: Iterable[datetime]) -> datetime | None:
    """When the next form is due; None once a one-off is done or the assignment has ended."""
    cadence, zone = assignment.cadence, assignment.zone
    done = _completions(assignment, completions)
    if done:
        if cadence.every is None:
            return None
        due = add_interval(done[-1], cadence.every, cadence.unit, zone)
    elif cadence.at_start:
        due = assignment.starts_at.astimezone(zone)
    else:
        assert cadence.every is not None
        due = add_interval(assignment.starts_at, cadence.every, cadence.unit, zone)
    if assignment.ends_at is not None and due > assignment.ends_at:
        return None
    return due


@dataclass(frozen=True)
class DueState:
    status: Status
    due_at: datetime | None
    overdue_at: datetime | None
    last_completed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "status": self.status,
            "due_at": iso(self.due_at),
            "overdue_at": iso(self.overdue_at),
            "last_completed_at": iso(self.last_completed_at),
        }


def due_state(assignment: Assignment, completions: Iterable[datetime], now: datetime) -> DueState:
    require_aware(now, "now")
    done = _completions(assignment, completions)
    last = done[-1] if done else None
    due = next_due(assignment, done)
    if due is None:
        status: Status = "completed" if assignment.cadence.every is None and done else "ended"
        return DueState(status, None, None, last)
    overdue_at = _days_later(due, assignment.cadence.grace_days, assignment.zone)
    if now < due:
        status = "upcoming"
    elif now < overdue_at:
        status = "due"
    else:
        status = "overdue"
    return DueState(status, due, overdue_at, last)


@dataclass(frozen=True)
class Reminder:
    assignment_id: str
    client_id: str
    instrument_id: str
    due_at: datetime
    offset_days: int
    send_at: datetime
    kind: ReminderKind

    @property
    def key(self) -> str:
        """Stable id: store it when sent, pass it back in `sent`, and it is never owed again."""
        return f"{self.assignment_id}:{self.due_at.isoformat()}:{self.offset_days:+d}"


def reminder_owed(
    assignment: Assignment,
    completions: Sequence[datetime],
    sent: Iterable[str],
    now: datetime,
) -> Reminder | None:
    """The latest reminder whose time has come for the current due date, unless already sent.

    After downtime only the most recent reminder is owed, so a client never gets a burst.
    """
    state = due_state(assignment, completions, now)
    if state.due_at is None or state.overdue_at is None:
        return None
    sent_keys = set(sent)
    latest: Reminder | None = None
    for offset in sorted(assignment.cadence.reminder_offsets_days):
        send_at = _days_later(state.due_at, offset, assignment.zone)
        if send_at > now:
            break
        if offset < 0:
            kind: ReminderKind = "before_due"
        elif offset == 0:
            kind = "due"
        else:
            kind = "overdue" if send_at >= state.overdue_at else "late"
        latest = Reminder(
            assignment.id,
            assignment.client_id,
            assignment.instrument_id,
            state.due_at,
            offset,
            send_at,
            kind,
        )
    if latest is None or latest.key in sent_keys:
        return None
    return latest


def reminders_owed(
    work: Iterable[tuple[Assignment, Sequence[datetime]]],
    sent: Iterable[str],
    now: datetime,
) -> list[Reminder]:
    """Reminders owed now across many assignments (each with its completion times)."""
    sent_keys = set(sent)
    owed = (reminder_owed(a, done, sent_keys, now) for a, done in work)
    return [r for r in owed if r is not None]
