"""Retention rules: which data may expire, the least time it is kept, and the cut-off that follows.

Pure rules. An admin sets a number of days (or "keep") per kind of data; a kind never goes below
its minimum, and "keep" never deletes anything. Everything not listed in `Kind` (alerts, the audit
log, questionnaires, session notes, consent records, safety plans…) never expires; `NEVER_EXPIRE`
says why, for the page and the docs. The consent overview's counting and small-cell rule live here
too, so the page can show counts without singling anyone out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from mindbridge.access.domain import Purpose, Stream
from mindbridge.consent.domain import ConsentState, choices

FLOOR_DAYS = 30  # nothing expires sooner: a mistaken setting must leave time to notice it
MAX_DAYS = 36_500  # about a hundred years; anything longer is "keep"
KEEP = "keep"
# The signals job rebuilds each client's daily features from this many days of raw observations
# (`signals.service.WINDOW_DAYS`); raw data inside that window is never removed.
SIGNAL_WINDOW_DAYS = 120
SIGNAL_MARGIN_DAYS = 10  # local days reach a day either side of UTC, and imports arrive late
LONGEST_SESSION_DAYS = 30  # `session_max_hours` allows at most 30 days


class Kind(StrEnum):
    """Kinds of data that may lawfully expire: none is part of the clinical or legal record."""

    COMPANION_TRANSCRIPT = "companion_transcript"
    NOTIFICATIONS_READ = "notifications_read"
    SIGNAL_OBSERVATIONS = "signal_observations"
    OUTBOX_DELIVERED = "outbox_delivered"
    SESSIONS_ENDED = "sessions_ended"
    TOKENS_SPENT = "tokens_spent"
    LOGIN_ATTEMPTS = "login_attempts"


@dataclass(frozen=True)
class KindRule:
    kind: Kind
    label: str
    removes: str  # exactly what goes, and what stays
    minimum_days: int
    default_days: int | None  # None: keep
    why_minimum: str


RULES: dict[Kind, KindRule] = {
    rule.kind: rule
    for rule in (
        KindRule(
            Kind.COMPANION_TRANSCRIPT,
            "Companion conversation transcripts",
            "A client's conversation with the companion (the transcript and where the exercise "
            "stood) once nothing was said for this long; the client then starts afresh. The "
            "companion's memory, finished exercises, homework and any alert it raised are kept.",
            90,
            None,
            "Clinicians read the transcript between sessions; 90 days spans a course of sessions.",
        ),
        KindRule(
            Kind.NOTIFICATIONS_READ,
            "Read in-app notifications",
            "Notifications the person has read, counted from when they read them. Unread ones "
            "are kept.",
            FLOOR_DAYS,
            None,
            "The safe minimum for everything.",
        ),
        KindRule(
            Kind.SIGNAL_OBSERVATIONS,
            "Raw passive-signal observations",
            "Raw sleep, activity and screen-time readings older than this. The daily features "
            "computed from them (what the care team and the detector read) are kept.",
            SIGNAL_WINDOW_DAYS + SIGNAL_MARGIN_DAYS,
            None,
            f"Daily features are rebuilt from the last {SIGNAL_WINDOW_DAYS} days of raw data, "
            "and a client's newest readings keep that window whatever the setting.",
        ),
        KindRule(
            Kind.OUTBOX_DELIVERED,
            "Delivered background events",
            "Delivery records of reminders, notifications and emails that were delivered. "
            "Pending and failed ones are kept for people to see.",
            FLOOR_DAYS,
            90,
            "The safe minimum; delivery records help explain a missed reminder.",
        ),
        KindRule(
            Kind.SESSIONS_ENDED,
            "Ended login sessions",
            "Login sessions signed out, or last used, this long ago (device and address "
            "included). Logins themselves stay in the audit log.",
            FLOOR_DAYS,
            90,
            f"Longer than the longest allowed session ({LONGEST_SESSION_DAYS} days).",
        ),
        KindRule(
            Kind.TOKENS_SPENT,
            "Used or expired invitation and reset links",
            "Invitation and password-reset tokens (only their hashes are stored) used or expired "
            "this long ago.",
            FLOOR_DAYS,
            90,
            "The safe minimum; a spent link can never be used again.",
        ),
        KindRule(
            Kind.LOGIN_ATTEMPTS,
            "Login attempts (for throttling)",
            "Records of login attempts (email and address) used to slow down password guessing. "
            "Each login's outcome also stays in the audit log.",
            FLOOR_DAYS,
            90,
            "Far longer than any throttling window.",
        ),
    )
}

NEVER_EXPIRE: tuple[tuple[str, str], ...] = (
    (
        "Alerts and their timelines",
        "They are the clinical record of a risk and what the care team did about it.",
    ),
    (
        "The audit log",
        "Who read or changed what must stay provable (audit controls are a legal duty for health "
        "data, and the log is hash-chained: a gap would look like tampering).",
    ),
    (
        "Questionnaire answers and scores",
        "They are clinical measurements: outcomes, change over treatment and safety answers rest "
        "on them.",
    ),
    (
        "Clinicians' session notes",
        "They are the clinical record, which professional and legal rules require to be kept.",
    ),
    (
        "Consent records",
        "They prove what each client agreed to and when; every use of their data rests on them.",
    ),
    (
        "Safety plans",
        "They are part of the clinical record, and an older plan shows what was agreed at a time "
        "of risk.",
    ),
)


@dataclass(frozen=True)
class RetentionPolicy:
    """Days to keep each kind (None: keep). Kinds missing from `days` take their default."""

    days: Mapping[Kind, int | None] = field(default_factory=dict)

    @classmethod
    def defaults(cls) -> RetentionPolicy:
        return cls({k: r.default_days for k, r in RULES.items()})

    @classmethod
    def from_stored(cls, stored: Mapping[str, int | None]) -> RetentionPolicy:
        """Stored rows over the defaults; rows of kinds this version does not know are ignored."""
        values = dict(cls.defaults().days)
        for name, days in stored.items():
            if name in Kind.__members__.values():
                values[Kind(name)] = days
        return cls(values)

    def get(self, kind: Kind) -> int | None:
        return self.days.get(kind, RULES[kind].default_days)

    def changes(self, new: RetentionPolicy) -> dict[Kind, tuple[int | None, int | None]]:
        """Only what differs, so a save that changes nothing writes and audits nothing."""
        return {k: (self.get(k), new.get(k)) for k in Kind if self.get(k) != new.get(k)}

    def as_text(self) -> dict[str, str]:
        return {k.value: display_days(self.get(k)) for k in Kind}


def display_days(days: int | None) -> str:
    return KEEP if days is None else str(days)


class PolicyError(ValueError):
    """Some fields are not valid; `errors` maps each kind to what is wrong with it."""

    def __init__(self, errors: Mapping[Kind, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{RULES[k].label}: {m}" for k, m in self.errors.items()))


def parse_days(kind: Kind, raw: str | None) -> int | None:
    """A whole number of days at or above the kind's minimum, or "keep". Raises ValueError."""
    minimum = RULES[kind].minimum_days
    wanted = f"enter a whole number of days from {minimum} to {MAX_DAYS}, or {KEEP}"
    text = (raw or "").strip().lower()
    if text == KEEP:
        return None
    if not (text.isascii() and text.isdigit()):  # refuses signs, decimals, blanks, other digits
        raise ValueError(wanted)
    days = int(text)
    if days < minimum:
        raise ValueError(f"at least {minimum} days ({RULES[kind].why_minimum}); or {KEEP}")
    if days > MAX_DAYS:
        raise ValueError(wanted)
    return days


def parse_policy(form: Mapping[str, Any]) -> RetentionPolicy:
    """Every kind must be given; all errors are collected so the page can name each field."""
    values: dict[Kind, int | None] = {}
    errors: dict[Kind, str] = {}
    for kind in Kind:
        raw = form.get(kind.value)
        try:
            values[kind] = parse_days(kind, raw if isinstance(raw, str) else None)
        except ValueError as exc:
            errors[kind] = str(exc)
    if errors:
        raise PolicyError(errors)
    return RetentionPolicy(values)


def cutoff(kind: Kind, days: int | None, now: datetime) -> datetime | None:
    """Rows older than this go; None means keep. The minimum holds even for a value that got
    into the database some other way."""
    if days is None:
        return None
    return now - timedelta(days=max(days, RULES[kind].minimum_days))


def cutoffs(policy: RetentionPolicy, now: datetime) -> dict[Kind, datetime | None]:
    return {kind: cutoff(kind, policy.get(kind), now) for kind in Kind}


def signal_cutoff(general: datetime, newest_observation: datetime) -> datetime:
    """A client's raw observations inside the window their daily features are rebuilt from are
    kept, even when their newest data is old (a historical import is scored to its own last
    day), so removing raw data never changes a derived day."""
    window = timedelta(days=SIGNAL_WINDOW_DAYS + SIGNAL_MARGIN_DAYS)
    return min(general, newest_observation - window)


# --- reports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindResult:
    kind: Kind
    days: int | None
    cutoff: datetime | None
    count: int  # removed, or that would be removed on a dry run
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "days": display_days(self.days),
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "count": self.count,
            "error": self.error,
        }


@dataclass(frozen=True)
class RetentionReport:
    now: datetime
    dry_run: bool
    results: tuple[KindResult, ...]

    @property
    def total(self) -> int:
        return sum(r.count for r in self.results)

    @property
    def failed(self) -> tuple[KindResult, ...]:
        return tuple(r for r in self.results if r.error)

    def merged(self, other: RetentionReport) -> RetentionReport:
        return RetentionReport(self.now, self.dry_run, self.results + other.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "total": self.total,
            "kinds": [r.to_dict() for r in self.results],
        }


# --- consent overview -------------------------------------------------------------------------

SMALL_CELL = 5  # counts from 1 to 4 are shown as "fewer than 5", like the service outcomes page

PURPOSE_LABELS = {
    Purpose.CARE_TEAM: "Care team can see it",
    Purpose.AUTOMATED_ALERTS: "May trigger automatic alerts",
    Purpose.RESEARCH: "De-identified research",
    Purpose.MODEL_REPLIES: "Companion replies from the language model",
}


def shown(count: int, other: int, small: int = SMALL_CELL) -> str:
    """A count for the page. Small counts become "fewer than 5"; when the other side of the same
    row is small, this one becomes "at least …", or total minus this count would reveal it."""
    if count == 0:
        return "0"
    if count < small:
        return f"fewer than {small}"
    if 0 < other < small:
        return f"at least {count + other - (small - 1)}"
    return str(count)


@dataclass(frozen=True)
class ConsentCount:
    stream: Stream
    purpose: Purpose
    sharing: int
    not_sharing: int

    @property
    def sharing_text(self) -> str:
        return shown(self.sharing, self.not_sharing)

    @property
    def not_sharing_text(self) -> str:
        return shown(self.not_sharing, self.sharing)


def count_consent(states: Iterable[ConsentState]) -> list[ConsentCount]:
    """Per choice a client can make (stream and purpose), how many clients share it now and how
    many do not (the default)."""
    states = list(states)
    counts = []
    for stream, purpose in choices():
        sharing = sum(1 for s in states if s.granted(stream, purpose))
        counts.append(ConsentCount(stream, purpose, sharing, len(states) - sharing))
    return counts
