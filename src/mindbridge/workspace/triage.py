"""Caseload triage rules: which clients need the clinician first, and why, in words.

Pure: the service gathers the facts (alerts, questionnaire trajectories, due measures,
appointments and whatever other capabilities contribute) as `Reason`s, and these rules order the
caseload. A client's place is decided first by the most urgent reason they have (`Tier`), then by
the sum of the reasons' points, then by the oldest due time, then by name, so the order is total
and stable, and adding a reason can never move a client down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum


class Tier(IntEnum):
    """How soon a reason asks the clinician to act."""

    INFO = 0  # worth knowing (an upcoming session)
    ROUTINE = 1  # this week (an overdue questionnaire)
    HIGH = 2  # today (an elevated alert, a reliable deterioration)
    URGENT = 3  # now (imminent risk, an alert past its response target)


TIER_LABELS = {Tier.INFO: "info", Tier.ROUTINE: "routine", Tier.HIGH: "high", Tier.URGENT: "urgent"}

# Points per kind of reason; the tier decides first, points break ties within a tier.
ALERT_POINTS = {"imminent": 1000, "elevated": 400, "deterioration": 150}
ALERT_TIER = {"imminent": Tier.URGENT, "elevated": Tier.HIGH, "deterioration": Tier.HIGH}
OVERDUE_ALERT_POINTS = 300
DETERIORATION_POINTS = 200
OVERDUE_MEASURE_POINTS = 60
APPOINTMENT_POINTS = 20
APPOINTMENT_HORIZON = timedelta(hours=48)
MAX_PROVIDER_POINTS = 500  # a contributed reason cannot outweigh an imminent alert


@dataclass(frozen=True)
class Reason:
    """One fact about a client that asks for the clinician's attention.

    `kind` groups reasons for filters (alert, deterioration, measure, appointment, or a
    contributing capability's own kind); `text` is shown as is, so it must make sense alone and
    hold no client free text; `due_at` is when the reason's clock runs out, if it has one.
    """

    kind: str
    tier: Tier
    points: int
    text: str
    due_at: datetime | None = None
    link: str = ""


@dataclass(frozen=True)
class TriageRow:
    client_id: int
    name: str
    reasons: tuple[Reason, ...] = ()
    not_shared: tuple[str, ...] = field(default=())  # streams whose reasons we could not see

    @property
    def tier(self) -> Tier:
        return max((r.tier for r in self.reasons), default=Tier.INFO)

    @property
    def points(self) -> int:
        return sum(r.points for r in self.reasons)

    @property
    def tier_label(self) -> str:
        return TIER_LABELS[self.tier] if self.reasons else "none"

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(r.kind for r in self.reasons)

    @property
    def earliest_due(self) -> datetime | None:
        dues = [r.due_at for r in self.reasons if r.due_at is not None]
        return min(dues) if dues else None

    @property
    def ordered_reasons(self) -> tuple[Reason, ...]:
        return tuple(sorted(self.reasons, key=lambda r: (-r.tier, -r.points, r.text)))


def sort_key(row: TriageRow) -> tuple[int, int, float, str, int]:
    due = row.earliest_due
    return (
        -int(row.tier),
        -row.points,
        due.timestamp() if due is not None else float("inf"),
        row.name.casefold(),
        row.client_id,
    )


def rank(rows: Iterable[TriageRow]) -> list[TriageRow]:
    """Most in need first (see the module docstring for the order)."""
    return sorted(rows, key=sort_key)


# ---- filters --------------------------------------------------------------------------------

FILTERS: dict[str, str] = {
    "all": "Everyone",
    "attention": "Needs attention today",
    "alert": "Open alerts",
    "deterioration": "Reliable deterioration",
    "measure": "Overdue questionnaires",
    "appointment": "Session in the next 48 hours",
}


def matches(row: TriageRow, *, query: str = "", show: str = "all") -> bool:
    """Search by name (any words, any order, case-insensitive) and filter by reason."""
    name = row.name.casefold()
    if any(word not in name for word in query.casefold().split()):
        return False
    if show in ("", "all"):
        return True
    if show == "attention":
        return row.tier >= Tier.HIGH
    return show in row.kinds


def check_filter(show: str, extra: Iterable[str] = ()) -> str:
    """The filter asked for; `extra` are the keys of contributing providers (their own kinds)."""
    known = [*FILTERS, *extra]
    if show not in known and show != "":
        raise ValueError(f"show: choose one of {', '.join(known)}")
    return show or "all"


# ---- reasons workspace knows how to phrase -------------------------------------------------


def duration_text(delta: timedelta) -> str:
    """`45 min`, `5 h`, `3 days`: coarse on purpose, for scanning a list."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} days"


def alert_reason(
    *,
    alert_id: int,
    level: str,
    status: str,
    created_at: datetime,
    due_at: datetime,
    target: timedelta,
    tier_escalated: str,
    now: datetime,
) -> Reason:
    """An unresolved alert, with its age against its response target.

    An open alert past its target is urgent whatever its level; an acknowledged one counts half
    (someone has seen it, but it is not closed).
    """
    points = ALERT_POINTS.get(level, ALERT_POINTS["deterioration"])
    tier = ALERT_TIER.get(level, Tier.HIGH)
    age = duration_text(now - created_at)
    target_text = duration_text(target)
    if status == "open" and now > due_at:
        points += OVERDUE_ALERT_POINTS
        tier = Tier.URGENT
        text = (
            f"{level.capitalize()} alert open {age}: past its {target_text} response target "
            f"by {duration_text(now - due_at)}"
        )
    elif status == "open":
        text = (
            f"{level.capitalize()} alert open {age} (respond within {target_text}; "
            f"{duration_text(due_at - now)} left)"
        )
    else:
        points //= 2
        tier = min(tier, Tier.HIGH)
        text = f"{level.capitalize()} alert acknowledged, not yet resolved (raised {age} ago)"
    if tier_escalated and tier_escalated != "care_team":
        text += f"; escalated to {tier_escalated.replace('_', '-')}"
    return Reason(
        "alert", tier, points, text, due_at if status == "open" else None, f"/alerts/{alert_id}"
    )


def deterioration_reason(
    *, instrument: str, first: int, latest: int, latest_date: str, threshold: float
) -> Reason:
    change = latest - first
    sign = "+" if change > 0 else ""
    return Reason(
        "deterioration",
        Tier.HIGH,
        DETERIORATION_POINTS,
        f"{instrument}: reliable deterioration, {first} to {latest} ({sign}{change} points; "
        f"{threshold:g} or more counts as reliable), latest {latest_date}",
    )


def overdue_measure_reason(*, instrument: str, overdue_at: datetime, now: datetime) -> Reason:
    return Reason(
        "measure",
        Tier.ROUTINE,
        OVERDUE_MEASURE_POINTS,
        f"{instrument} overdue for {duration_text(now - overdue_at)}",
    )


def appointment_reason(*, starts_at: datetime, now: datetime, local_text: str) -> Reason | None:
    """A booked session within the next 48 hours (time to prepare), else nothing."""
    if not now <= starts_at <= now + APPOINTMENT_HORIZON:
        return None
    return Reason(
        "appointment",
        Tier.INFO,
        APPOINTMENT_POINTS,
        f"Session in {duration_text(starts_at - now)} ({local_text})",
    )


def contributed(reasons: Sequence[Reason], *, kind: str) -> tuple[Reason, ...]:
    """Reasons from another capability's provider, filed under the provider's key (so its filter
    finds them) and capped so none outweighs an imminent alert."""
    return tuple(
        Reason(
            kind,
            min(r.tier, Tier.HIGH),
            max(0, min(r.points, MAX_PROVIDER_POINTS)),
            r.text,
            r.due_at,
            r.link,
        )
        for r in reasons
    )
