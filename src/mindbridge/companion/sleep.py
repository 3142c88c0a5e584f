"""Sleep diary arithmetic and the CBT-I sleep-restriction rules, as pure functions.

Clock times are minutes after midnight (0-1439) so a night that crosses midnight is plain
modular arithmetic. Diary nights and sleep windows are plain dicts because they live in the
person's JSON memory and in flow answers; the keys are documented on each function.

Rules (clinical-reference section 4, CBT-I):
* sleep efficiency = total sleep / time in bed;
* the first window: time in bed = mean total sleep over the last 1-2 weeks of diary
  (at least 7 nights, at most the latest 14), rounded to the nearest 15 minutes, never below
  a floor (5 h by default), counted back from a fixed wake time;
* each week: efficiency >= `raise_at` adds 15 minutes, < `lower_below` removes 15 (never below
  the floor), anything between keeps the window. The thresholds are parameters so the flow
  file, which a clinician reviews, states them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DAY = 24 * 60
DEFAULT_FLOOR_MINUTES = 5 * 60
MIN_NIGHTS = 7
MAX_NIGHTS = 14
STEP_MINUTES = 15


def _clock(value: float) -> int:
    minutes = round(value)
    if not 0 <= minutes < DAY:
        raise ValueError(f"clock time must be 0-1439 minutes after midnight, got {value}")
    return minutes


def _span(start: int, end: int) -> int:
    """Minutes from `start` to `end`, crossing midnight when needed (0 when equal)."""
    return (end - start) % DAY


def diary_night(
    bedtime: float,
    latency: float,
    awake: float,
    final_wake: float,
    out_of_bed: float,
    date: str | None = None,
) -> dict[str, Any]:
    """One diary night from what the person reports.

    `bedtime`, `final_wake` and `out_of_bed` are clock minutes; `latency` (time to fall
    asleep) and `awake` (time awake in the night) are durations in minutes. Returns
    {date, bedtime, wake, out_of_bed, tib_min, tst_min, efficiency}; efficiency is None when
    time in bed is 0. Inconsistent reports are clipped rather than refused, because a sleepy
    person at 7 a.m. makes small slips: a final wake after getting up counts as getting up,
    and total sleep never goes below 0.
    """
    bed = _clock(bedtime)
    out = _clock(out_of_bed)
    wake = _clock(final_wake)
    tib = _span(bed, out)
    asleep_span = min(_span(bed, wake), tib)
    tst = max(0, asleep_span - max(0, round(latency)) - max(0, round(awake)))
    return {
        "date": date,
        "bedtime": bed,
        "wake": wake,
        "out_of_bed": out,
        "tib_min": tib,
        "tst_min": tst,
        "efficiency": round(tst / tib, 4) if tib else None,
    }


def sleep_efficiency(total_sleep: float, time_in_bed: float) -> float | None:
    """Total sleep / time in bed (0-1), None when time in bed is not positive."""
    if time_in_bed <= 0:
        return None
    return round(min(max(total_sleep / time_in_bed, 0.0), 1.0), 4)


def _usable(nights: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [n for n in nights if n.get("tib_min") and n.get("tst_min") is not None]


def pooled_efficiency(nights: Sequence[Mapping[str, Any]]) -> float | None:
    """Efficiency over several nights: their total sleep over their total time in bed."""
    usable = _usable(nights)
    return sleep_efficiency(
        sum(float(n["tst_min"]) for n in usable), sum(float(n["tib_min"]) for n in usable)
    )


def _round_to(value: float, step: int) -> int:
    return int(step * round(value / step))


def sleep_window(
    nights: Sequence[Mapping[str, Any]],
    wake_time: float,
    floor_hours: float = DEFAULT_FLOOR_MINUTES / 60,
    min_nights: int = MIN_NIGHTS,
    max_nights: int = MAX_NIGHTS,
    date: str | None = None,
) -> dict[str, Any] | None:
    """The first sleep window from diary nights (oldest first), or None below `min_nights`.

    Returns {bedtime, wake, tib_min, mean_tst_min, mean_tib_min, efficiency, nights, set_on,
    floor_min}. Time in bed is the mean total sleep of the latest `max_nights` usable nights
    rounded to 15 minutes, raised to the floor; bedtime is the wake time minus that.
    """
    if min_nights < 1 or max_nights < min_nights:
        raise ValueError("need 1 <= min_nights <= max_nights")
    wake = _clock(wake_time)
    floor = round(floor_hours * 60)
    if not 0 < floor < DAY:
        raise ValueError("the floor must be between 0 and 24 hours")
    recent = _usable(nights)[-max_nights:]
    if len(recent) < min_nights:
        return None
    mean_tst = sum(float(n["tst_min"]) for n in recent) / len(recent)
    mean_tib = sum(float(n["tib_min"]) for n in recent) / len(recent)
    tib = min(max(_round_to(mean_tst, STEP_MINUTES), floor), DAY - STEP_MINUTES)
    return {
        "bedtime": (wake - tib) % DAY,
        "wake": wake,
        "tib_min": tib,
        "mean_tst_min": round(mean_tst),
        "mean_tib_min": round(mean_tib),
        "efficiency": pooled_efficiency(recent),
        "nights": len(recent),
        "set_on": date,
        "floor_min": floor,
        "change_min": 0,
    }


def adjust_window(
    window: Mapping[str, Any],
    nights: Sequence[Mapping[str, Any]],
    raise_at: float = 0.85,
    lower_below: float = 0.80,
    min_nights: int = 5,
    date: str | None = None,
) -> dict[str, Any]:
    """The weekly review: the window moved by +15, -15 or 0 minutes, the wake time kept.

    Uses the latest 7 usable nights dated on or after the window's `set_on` (all nights when
    it has no date). With fewer than `min_nights` of them the window stays and `reason` says
    why. Returns a new window dict with `change_min`, `week_efficiency` and `reason`.
    """
    if not 0 < lower_below <= raise_at <= 1:
        raise ValueError("need 0 < lower_below <= raise_at <= 1")
    set_on = window.get("set_on")
    since = [n for n in _usable(nights) if not set_on or (n.get("date") or "") >= set_on]
    week = since[-7:]
    floor = int(window.get("floor_min") or DEFAULT_FLOOR_MINUTES)
    tib = int(window["tib_min"])
    wake = _clock(window["wake"])
    efficiency = pooled_efficiency(week)
    change = 0
    if len(week) < min_nights or efficiency is None:
        reason = "not_enough_nights"
    elif efficiency >= raise_at:
        change, reason = STEP_MINUTES, "efficiency_high"
    elif efficiency < lower_below:
        change = -STEP_MINUTES if tib - STEP_MINUTES >= floor else 0
        reason = "efficiency_low" if change else "at_floor"
    else:
        reason = "efficiency_in_range"
    new_tib = min(tib + change, DAY - STEP_MINUTES)
    return {
        **dict(window),
        "bedtime": (wake - new_tib) % DAY,
        "wake": wake,
        "tib_min": new_tib,
        "change_min": new_tib - tib,
        "week_efficiency": efficiency,
        "week_nights": len(week),
        "reason": reason,
        "set_on": date or set_on,
    }
