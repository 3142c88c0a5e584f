"""Time-zone rules shared by the parsers and the daily aggregation.

Naive timestamps are wall-clock times in the client's IANA zone; aware ones are converted to
UTC. A wall time inside a spring-forward gap never happened, so it is rejected. A wall time
in the repeated autumn hour is ambiguous: alone it is read as the first occurrence (fold 0);
in a minute series it is resolved by order (the second pass through the hour is fold 1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - a naive wall-clock origin, on purpose

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """Look up an IANA zone, with a clear error for a typo such as 'Europe/Olso'."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def exists(wall: datetime, tz: ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward transition."""
    aware = wall.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall.replace(fold=0)


def to_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    """Aware -> UTC; naive -> interpreted in `tz` (fold 0 when ambiguous). Raises in a gap."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(UTC)
    if not exists(moment, tz):
        raise ValueError(
            f"{moment:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks went forward)"
        )
    return moment.replace(tzinfo=tz).astimezone(UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole UTC epoch seconds of an aware datetime."""
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())


def _wall_offsets(wall_quarter: int, tz: ZoneInfo) -> tuple[int, int, bool]:
    """UTC offsets (fold 0, fold 1) in seconds of a wall quarter-hour, and whether it exists."""
    wall = _EPOCH + timedelta(minutes=15 * wall_quarter)
    a = wall.replace(tzinfo=tz).utcoffset()
    b = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert a is not None and b is not None
    return int(a.total_seconds()), int(b.total_seconds()), exists(wall, tz)


def localise_wall_minutes(wall_min: IntArray, tz: ZoneInfo) -> tuple[IntArray, BoolArray]:
    """Vectorised: wall-clock minutes since 1970-01-01 (file order) -> UTC epoch seconds.

    The zone is asked once per distinct day; only on a day whose offset changes is it asked
    per quarter-hour (zones shift by 30 or 45 minutes too). Returns (utc_seconds, valid),
    `valid` being False for wall times that do not exist.
    """
    days, day_inv = np.unique(wall_min // 1440, return_inverse=True)
    per_day = np.empty((len(days), 3), np.int64)
    plain = np.empty(len(days), np.bool_)
    for i, d in enumerate(days.tolist()):
        first, last = _wall_offsets(d * 96, tz), _wall_offsets(d * 96 + 95, tz)
        per_day[i] = first
        plain[i] = first == last and first[0] == first[1] and first[2]
    off0, off1 = per_day[day_inv, 0], per_day[day_inv, 1]
    real = np.ones(len(wall_min), np.bool_)
    changing = ~plain[day_inv]
    if changing.any():
        quarters, q_inv = np.unique(wall_min[changing] // 15, return_inverse=True)
        looked = np.array([_wall_offsets(q, tz) for q in quarters.tolist()], np.int64)
        off0[changing], off1[changing] = looked[q_inv, 0], looked[q_inv, 1]
        real[changing] = looked[q_inv, 2].astype(np.bool_)
    ambiguous = (off0 != off1) & real
    offset = off0
    if ambiguous.any():
        offset = np.where(_second_pass(wall_min, ambiguous), off1, off0)
    return wall_min * 60 - offset, real


def _second_pass(wall_min: IntArray, ambiguous: BoolArray) -> BoolArray:
    """In file order, rows of a repeated hour after the clock went back are the second pass."""
    fold = np.zeros(len(wall_min), np.bool_)
    previous = None
    latest = -(2**62)
    in_second = False
    for i in np.flatnonzero(ambiguous).tolist():
        if previous is None or i != previous + 1:  # a new run of ambiguous rows
            latest, in_second = -(2**62), False
        w = int(wall_min[i])
        if w <= latest:
            in_second = True
        latest = max(latest, w)
        fold[i] = in_second
        previous = i
    return fold


def _utc_offset(utc_s: int, tz: ZoneInfo) -> int:
    off = datetime.fromtimestamp(utc_s, tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def local_day_and_minute(utc_s: IntArray, tz: ZoneInfo) -> tuple[IntArray, IntArray]:
    """UTC epoch seconds -> (local day number since 1970-01-01, local wall minute of day).

    Asks the zone once per distinct UTC day, per quarter-hour only on days it changes.
    """
    days, day_inv = np.unique(utc_s // 86_400, return_inverse=True)
    first = np.array([_utc_offset(d * 86_400, tz) for d in days.tolist()], np.int64)
    last = np.array([_utc_offset(d * 86_400 + 86_399, tz) for d in days.tolist()], np.int64)
    offset = first[day_inv]
    changing = (first != last)[day_inv]
    if changing.any():
        quarters, q_inv = np.unique(utc_s[changing] // 900, return_inverse=True)
        looked = np.array([_utc_offset(q * 900, tz) for q in quarters.tolist()], np.int64)
        offset[changing] = looked[q_inv]
    local = utc_s + offset
    day = local // 86_400
    return day, (local - day * 86_400) // 60


def day_length_minutes(day: date, tz: ZoneInfo) -> int:
    """1440 on most days; 1380 or 1500 on the days the clocks change."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() // 60)


def day_from_number(n: int) -> date:
    return date.fromordinal(EPOCH_ORDINAL + n)


def day_number(d: date) -> int:
    return d.toordinal() - EPOCH_ORDINAL
