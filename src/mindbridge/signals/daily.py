"""From observations to one row per client and local day: values and completeness.

`DailyInputs` holds arrays of shape (clients, days), NaN where there is no value. The
passive part comes from observations (`daily_from_observations`); the self-reported and
engagement part (check-in mood, whether a scheduled check-in was done, app minutes,
questionnaire totals, text-derived sentiment and stress) comes from other capabilities and
is passed in as series.

Completeness is "the fraction of the data we expected that arrived", per source and day:
- actigraphy: worn minutes recorded / minutes in the local day (1380 or 1500 when clocks change);
- sleep: 1 when the night has any sleep record (or, from actigraphy, the night's coverage);
- steps: waking hours (07-23) with any record from a phone or wearable / 16;
- heart_rate: hours with at least one sample / 24;
- hrv_sdnn, screen_time: 1 when the day has any record.
A day with no data is missing, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mindbridge.signals import circadian
from mindbridge.signals.catalog import STREAM_CODES
from mindbridge.signals.clock import day_length_minutes, day_number, local_day_and_minute, zone
from mindbridge.signals.records import FloatArray, ObservationBatch

PASSIVE_INPUTS = (
    "sleep_minutes",
    "sleep_midpoint_h",
    "sleep_onset_h",
    "wake_h",
    "steps",
    "activity_counts",
    "sedentary_share",
    "rhythm_is",
    "rhythm_iv",
    "rhythm_ra",
    "resting_hr",
    "hrv_sdnn",
    "screen_minutes",
)
SELF_REPORT_INPUTS = ("mood", "checkin", "app_minutes", "phq9", "sentiment", "stress")
SOURCES = ("sleep", "steps", "actigraphy", "heart_rate", "hrv_sdnn", "screen_time")
WAKING_HOURS = (7, 23)
RHYTHM_WINDOW_DAYS = 7


@dataclass
class DailyInputs:
    """Daily values and completeness for `clients` x `days`, the first day being `start`."""

    start: date
    values: dict[str, FloatArray]
    completeness: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        first = next(iter(self.values.values()))
        return first.shape[0], first.shape[1]

    def day(self, i: int) -> date:
        return self.start + timedelta(days=i)

    def subset(self, rows: slice) -> DailyInputs:
        """Some clients only (the scale path works in chunks)."""
        return DailyInputs(
            self.start,
            {k: v[rows] for k, v in self.values.items()},
            {k: v[rows] for k, v in self.completeness.items()},
        )


def minute_grid(batch: ObservationBatch, tz: str, first: date, days: int) -> FloatArray:
    """Actigraphy epochs -> (days, 1440) counts per local wall minute, NaN where none.

    Epochs shorter than a minute are summed into their minute and scaled to a full minute;
    the repeated autumn hour is averaged over its two passes.
    """
    act = batch.select("activity")
    grid = np.full((days, circadian.MINUTES), np.nan)
    if len(act) == 0:
        return grid
    day, minute = local_day_and_minute(act.start_s, zone(tz))
    row = day - day_number(first)
    ok = (row >= 0) & (row < days)
    cell = row[ok] * circadian.MINUTES + minute[ok]
    seconds = np.minimum(np.maximum(act.end_s[ok] - act.start_s[ok], 1), 60)
    total = np.bincount(cell, weights=act.value[ok], minlength=grid.size)
    covered = np.bincount(cell, weights=seconds, minlength=grid.size)
    seen = covered > 0
    # counts per minute of recording: 30-s epochs add up, the autumn hour's two passes average
    grid.ravel()[seen] = total[seen] * 60.0 / covered[seen]
    return grid


def _interval_union(
    batch: ObservationBatch, tz: str, first: date, days: int
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Sleep intervals (any source) as a wall-minute mask over [first-1 day, last], unioned."""
    tzinfo = zone(tz)
    origin = (day_number(first) - 1) * circadian.MINUTES
    size = (days + 1) * circadian.MINUTES
    marks = np.zeros(size + 1, np.int64)
    spans = batch.end_s > batch.start_s
    if spans.any():
        d0, m0 = local_day_and_minute(batch.start_s[spans], tzinfo)
        d1, m1 = local_day_and_minute(batch.end_s[spans], tzinfo)
        a = np.clip(d0 * circadian.MINUTES + m0 - origin, 0, size)
        b = np.clip(d1 * circadian.MINUTES + m1 - origin, 0, size)
        np.add.at(marks, a, 1)
        np.add.at(marks, b, -1)
    asleep = np.cumsum(marks[:-1]) > 0
    nights = np.zeros(days, np.bool_)
    if spans.any():
        mid_day, mid_min = local_day_and_minute(
            (batch.start_s[spans] + batch.end_s[spans]) // 2, tzinfo
        )
        night = mid_day - day_number(first) + (mid_min >= 12 * 60)
        ok = (night >= 0) & (night < days)
        nights[night[ok]] = True
    return asleep.astype(np.float64), nights


def _sleep_from_intervals(
    batch: ObservationBatch, tz: str, first: date, days: int
) -> tuple[dict[str, FloatArray], FloatArray]:
    """Per night from sleep records: minutes asleep, half-sleep midpoint, first and last
    asleep minute (h from local midnight), and completeness."""
    sleep = batch.select("sleep_minutes")
    nan = np.full(days, np.nan)
    out = {"sleep_minutes": nan, "sleep_midpoint_h": nan, "sleep_onset_h": nan, "wake_h": nan}
    complete = np.zeros(days)
    if len(sleep) == 0:
        return out, complete
    mask, has_night = _interval_union(sleep, tz, first, days)
    half = circadian.MINUTES // 2
    windows = mask[half : half + days * circadian.MINUTES].reshape(days, circadian.MINUTES)
    total = windows.sum(axis=1)
    mid = np.argmax(np.cumsum(windows, axis=1) >= total[:, None] / 2, axis=1)
    asleep = windows > 0
    onset = np.argmax(asleep, axis=1)
    wake = circadian.MINUTES - np.argmax(asleep[:, ::-1], axis=1)
    timed = has_night & (total > 0)
    out = {
        "sleep_minutes": np.where(has_night, total, np.nan),
        "sleep_midpoint_h": np.where(timed, (mid - half) / 60.0, np.nan),
        "sleep_onset_h": np.where(timed, (onset - half) / 60.0, np.nan),
        "wake_h": np.where(timed, (wake - half) / 60.0, np.nan),
    }
    complete = has_night.astype(np.float64)
    totals = sleep.end_s == sleep.start_s  # daily totals without times: no timing
    if totals.any():
        day, _ = local_day_and_minute(sleep.start_s[totals], zone(tz))
        row = day - day_number(first)
        ok = (row >= 0) & (row < days)
        summed = np.bincount(row[ok], weights=sleep.value[totals][ok], minlength=days)[:days]
        has = np.bincount(row[ok], minlength=days)[:days] > 0
        minutes = out["sleep_minutes"]
        out["sleep_minutes"] = np.where(has, np.nan_to_num(minutes) + summed, minutes)
        complete = np.maximum(complete, has)
    return out, complete


def _per_day_by_source(
    batch: ObservationBatch, tz: str, first: date, days: int
) -> tuple[FloatArray, FloatArray]:
    """Daily sums per source, then the largest source (a phone and a watch both count steps;
    adding them would double count). Returns (value, has_any_record)."""
    if len(batch) == 0:
        return np.full(days, np.nan), np.zeros(days)
    mid = (batch.start_s + batch.end_s) // 2
    day, _ = local_day_and_minute(mid, zone(tz))
    row = day - day_number(first)
    ok = (row >= 0) & (row < days)
    n_src = max(len(batch.sources), 1)
    cell = row[ok] * n_src + batch.source[ok]
    sums = np.bincount(cell, weights=batch.value[ok], minlength=days * n_src).reshape(days, n_src)
    has = np.bincount(row[ok], minlength=days)[:days] > 0
    return np.where(has, sums.max(axis=1), np.nan), has.astype(np.float64)


def _hours_with_data(
    batch: ObservationBatch, tz: str, first: date, days: int, hours: tuple[int, int]
) -> FloatArray:
    """Fraction of the clock hours in [hours) of each day with at least one record."""
    if len(batch) == 0:
        return np.zeros(days)
    day, minute = local_day_and_minute(batch.start_s, zone(tz))
    row = day - day_number(first)
    hour = minute // 60
    ok = (row >= 0) & (row < days) & (hour >= hours[0]) & (hour < hours[1])
    seen = np.zeros((days, 24), np.bool_)
    seen[row[ok], hour[ok]] = True
    covered: FloatArray = seen[:, hours[0] : hours[1]].sum(axis=1) / (hours[1] - hours[0])
    return covered


def _resting_hr(batch: ObservationBatch, tz: str, first: date, days: int) -> FloatArray:
    """10th percentile of the day's heart-rate samples (needs 12 or more samples)."""
    out = np.full(days, np.nan)
    if len(batch) == 0:
        return out
    day, _ = local_day_and_minute(batch.start_s, zone(tz))
    row = day - day_number(first)
    ok = (row >= 0) & (row < days)
    row, value = row[ok], batch.value[ok]
    order = np.lexsort((value, row))
    row, value = row[order], value[order]
    starts = np.searchsorted(row, np.arange(days))
    counts = np.bincount(row, minlength=days)[:days]
    enough = counts >= 12
    pick = starts + np.floor(0.1 * np.maximum(counts - 1, 0)).astype(np.int64)
    out[enough] = value[pick[enough]]
    return out


def _daily_mean(batch: ObservationBatch, tz: str, first: date, days: int) -> FloatArray:
    if len(batch) == 0:
        return np.full(days, np.nan)
    day, _ = local_day_and_minute(batch.start_s, zone(tz))
    row = day - day_number(first)
    ok = (row >= 0) & (row < days)
    total = np.bincount(row[ok], weights=batch.value[ok], minlength=days)[:days]
    count = np.bincount(row[ok], minlength=days)[:days]
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def actigraphy_inputs(
    grid: FloatArray, day_minutes: FloatArray | None = None
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Daily values and completeness from a (days, 1440) minute grid of one client.

    `day_minutes` gives each local day's length (1380/1500 on clock-change days).
    """
    grid = circadian.clean(grid)
    days = grid.shape[0]
    lengths = np.full(days, circadian.MINUTES) if day_minutes is None else day_minutes
    worn = (~np.isnan(grid)).sum(axis=1)
    night = circadian.nights(grid)
    rhythm = circadian.rhythm(circadian.hourly(grid), RHYTHM_WINDOW_DAYS)
    values = {
        "activity_counts": np.where(worn > 0, np.nansum(grid, axis=1), np.nan),
        "sedentary_share": circadian.sedentary_share(grid, night.in_sleep),
        "rhythm_is": rhythm.interdaily_stability,
        "rhythm_iv": rhythm.intradaily_variability,
        "rhythm_ra": rhythm.relative_amplitude,
        "sleep_minutes": night.sleep_minutes,
        "sleep_midpoint_h": night.midpoint_h,
        "sleep_onset_h": night.onset_h,
        "wake_h": night.offset_h,
    }
    complete = {
        "actigraphy": np.clip(worn / np.minimum(lengths, circadian.MINUTES), 0, 1),
        "sleep": np.where(np.isnan(night.sleep_minutes), 0.0, night.coverage),
    }
    return values, complete


def daily_from_observations(
    batch: ObservationBatch,
    tz: str,
    first: date,
    last: date,
    *,
    self_report: Mapping[str, FloatArray] | None = None,
) -> DailyInputs:
    """One client's observations (any mix of sources) -> DailyInputs with one row.

    `self_report` maps names in SELF_REPORT_INPUTS to arrays of length `days` (NaN = none).
    """
    days = (last - first).days + 1
    if days <= 0:
        raise ValueError("last is before first")
    values: dict[str, FloatArray] = {}
    complete: dict[str, FloatArray] = {}

    grid = minute_grid(batch, tz, first, days)
    if not np.isnan(grid).all():
        lengths = np.array(
            [day_length_minutes(first + timedelta(days=i), zone(tz)) for i in range(days)]
        )
        act_values, act_complete = actigraphy_inputs(grid, lengths)
        values |= act_values
        complete |= act_complete

    if (batch.stream == STREAM_CODES["sleep_minutes"]).any():
        sleep_values, complete["sleep"] = _sleep_from_intervals(batch, tz, first, days)
        values |= sleep_values

    steps = batch.select("steps")
    if len(steps):
        values["steps"], _ = _per_day_by_source(steps, tz, first, days)
        device_on = batch.where(batch.stream != STREAM_CODES["activity"])
        complete["steps"] = _hours_with_data(device_on, tz, first, days, WAKING_HOURS)
    heart = batch.select("heart_rate")
    if len(heart):
        values["resting_hr"] = _resting_hr(heart, tz, first, days)
        complete["heart_rate"] = _hours_with_data(heart, tz, first, days, (0, 24))
    hrv = batch.select("hrv_sdnn")
    if len(hrv):
        values["hrv_sdnn"] = _daily_mean(hrv, tz, first, days)
        complete["hrv_sdnn"] = (~np.isnan(values["hrv_sdnn"])).astype(np.float64)
    screen = batch.select("screen_time_minutes")
    if len(screen):
        values["screen_minutes"], complete["screen_time"] = _per_day_by_source(
            screen, tz, first, days
        )

    for name, series in (self_report or {}).items():
        if name not in SELF_REPORT_INPUTS:
            raise ValueError(f"unknown self-report input {name!r}")
        arr = np.asarray(series, np.float64)
        if arr.shape != (days,):
            raise ValueError(f"{name} has {arr.shape[0]} days, expected {days}")
        values[name] = arr
    if not values:
        values["steps"] = np.full(days, np.nan)
    return DailyInputs(
        first,
        {k: v[None, :] for k, v in values.items()},
        {k: v[None, :] for k, v in complete.items()},
    )
