"""The daily check-in: what a client can log in about twenty seconds, and its validation.

Plain rules with no web or database imports. Every problem is reported at once, naming the
field, so a phone form can show them all and nothing half-valid is stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mindbridge.kit.errors import Invalid

MAX_NOTE = 2_000
MAX_TAGS = 12
MAX_EMOTIONS = 8
SLEEP_QUALITY = ("very poor", "poor", "okay", "good", "very good")  # stored as 0..4

# Emotion chips, in plain words a person would use about themselves.
EMOTION_CHIPS: tuple[str, ...] = (
    "calm",
    "content",
    "hopeful",
    "grateful",
    "proud",
    "energised",
    "tired",
    "bored",
    "lonely",
    "sad",
    "worried",
    "tense",
    "irritable",
    "angry",
    "ashamed",
    "overwhelmed",
    "numb",
)

# Context tags offered by default; a service adds its own (MINDBRIDGE_CHECKIN_TAGS) and a client
# may type one of their own, as long as it is a short word or two.
DEFAULT_TAGS: tuple[str, ...] = (
    "work",
    "study",
    "family",
    "partner",
    "friends",
    "social",
    "alone",
    "exercise",
    "outdoors",
    "alcohol",
    "caffeine late",
    "screen time late",
    "poor diet",
    "period",
    "pain",
    "therapy",
    "travel",
    "money",
)
_TAG = re.compile(r"^[a-z][a-z0-9 '\-]{0,23}$")


def service_tags(extra: str) -> tuple[str, ...]:
    """The default tags plus a service's own (comma-separated); duplicates removed."""
    out = list(DEFAULT_TAGS)
    for raw in extra.split(","):
        tag = normalise_tag(raw)
        if tag and _TAG.match(tag) and tag not in out:
            out.append(tag)
    return tuple(out)


def normalise_tag(raw: str) -> str:
    return " ".join(raw.strip().lower().split())


@dataclass(frozen=True)
class CheckinInput:
    mood: int  # 0 (worst) .. 10 (best)
    anxiety: int  # 0 (none) .. 10 (extreme)
    energy: int | None = None  # 0..10
    sleep_hours: float | None = None  # last night, 0..16 in half hours
    sleep_quality: int | None = None  # index into SLEEP_QUALITY
    emotions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    note: str = ""
    recorded_at: datetime | None = None  # aware; None means now


def _int_in(
    values: Mapping[str, object],
    name: str,
    lo: int,
    hi: int,
    problems: list[str],
    *,
    required: bool,
) -> int | None:
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            problems.append(f"{name}: required (a whole number from {lo} to {hi})")
        return None
    if isinstance(raw, bool):
        problems.append(f"{name}: must be a whole number from {lo} to {hi}")
        return None
    try:
        number = float(str(raw).strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append(f"{name}: must be a whole number from {lo} to {hi}")
        return None
    if not math.isfinite(number) or number != int(number) or not lo <= number <= hi:
        problems.append(f"{name}: must be a whole number from {lo} to {hi}")
        return None
    return int(number)


def _list_of(raw: object) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [p for p in (x.strip() for x in raw.split(",")) if p]
    if isinstance(raw, Iterable):
        return [str(x) for x in raw]
    return [str(raw)]


def validate(
    values: Mapping[str, object], *, allowed_tags: Iterable[str] = DEFAULT_TAGS
) -> CheckinInput:
    """A check-in from form or JSON values, or `Invalid` listing every problem."""
    problems: list[str] = []
    known = set(values) - {
        "mood",
        "anxiety",
        "energy",
        "sleep_hours",
        "sleep_quality",
        "emotions",
        "tags",
        "custom_tag",
        "note",
        "recorded_at",
        "csrf_token",
        "client_ref",
    }
    for name in sorted(known):
        problems.append(f"{name}: unknown field")
    mood = _int_in(values, "mood", 0, 10, problems, required=True)
    anxiety = _int_in(values, "anxiety", 0, 10, problems, required=True)
    energy = _int_in(values, "energy", 0, 10, problems, required=False)
    quality = _int_in(values, "sleep_quality", 0, len(SLEEP_QUALITY) - 1, problems, required=False)

    sleep: float | None = None
    raw_sleep = values.get("sleep_hours")
    if raw_sleep is not None and not (isinstance(raw_sleep, str) and not raw_sleep.strip()):
        try:
            if isinstance(raw_sleep, bool):
                raise ValueError
            sleep = float(str(raw_sleep).strip())
        except ValueError:
            problems.append("sleep_hours: must be a number of hours from 0 to 16")
            sleep = None
        else:
            if not math.isfinite(sleep) or not 0 <= sleep <= 16:
                problems.append("sleep_hours: must be a number of hours from 0 to 16")
                sleep = None
            else:
                sleep = round(sleep * 2) / 2

    emotions: list[str] = []
    for raw in _list_of(values.get("emotions")):
        chip = raw.strip().lower()
        if chip not in EMOTION_CHIPS:
            problems.append(f"emotions: {raw!r} is not one of the offered feelings")
        elif chip not in emotions:
            emotions.append(chip)
    if len(emotions) > MAX_EMOTIONS:
        problems.append(f"emotions: choose at most {MAX_EMOTIONS}")

    allowed = set(allowed_tags)
    tags: list[str] = []
    for raw in [*_list_of(values.get("tags")), *_list_of(values.get("custom_tag"))]:
        tag = normalise_tag(raw)
        if not tag:
            continue
        if tag not in allowed and not _TAG.match(tag):
            problems.append(
                f"tags: {raw!r} must be a short word or two (letters, digits, spaces, "
                "' and -; at most 24 characters)"
            )
        elif tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        problems.append(f"tags: choose at most {MAX_TAGS}")

    note = str(values.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        problems.append(f"note: at most {MAX_NOTE} characters (this one has {len(note)})")

    recorded_at: datetime | None = None
    raw_when = values.get("recorded_at")
    if isinstance(raw_when, datetime):
        recorded_at = raw_when
    elif raw_when is not None and str(raw_when).strip():
        try:
            recorded_at = datetime.fromisoformat(str(raw_when).strip())
        except ValueError:
            problems.append("recorded_at: must be an ISO 8601 date-time with a UTC offset")
    if recorded_at is not None and recorded_at.tzinfo is None:
        problems.append("recorded_at: must include a UTC offset (for example +00:00)")
        recorded_at = None

    if problems:
        raise Invalid("; ".join(problems))
    assert mood is not None and anxiety is not None
    return CheckinInput(
        mood=mood,
        anxiety=anxiety,
        energy=energy,
        sleep_hours=sleep,
        sleep_quality=quality,
        emotions=tuple(emotions),
        tags=tuple(tags),
        note=note,
        recorded_at=recorded_at,
    )


@dataclass(frozen=True)
class LocalTime:
    """Where a moment falls in the client's own day: what weekday-by-hour patterns are made of."""

    day: date
    weekday: int  # Monday = 0
    hour: int


def local_time(moment: datetime, tz_name: str) -> LocalTime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = moment.astimezone(tz)
    return LocalTime(local.date(), local.weekday(), local.hour)
