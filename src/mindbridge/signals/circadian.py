"""Features of minute-level wrist actigraphy, vectorised over days.

Input is a grid of shape (days, 1440): movement counts per local wall-clock minute, NaN where
no epoch was recorded. Definitions and sources:

- Non-wear: a still run (at most 10 counts a minute, bursts of up to 2 minutes allowed) that
  lasts 12 h or more; or lasts 3 h or more and is either flat sensor noise (fewer than half
  the minutes at zero: a device lying on a table reads 3-9 here, while a sleeping wrist reads
  mostly zeros with bursts) or, starting in the daytime (07:00-19:00), never moves above 5.
  On Depresjon this recovers the valid recording periods (the unworn tails after a study).
  (After Choi et al., Med Sci Sports Exerc 2011, whose 90-minute rule is for hip devices.)
- Sleep/wake per minute: the Actiwatch rule (Actiware manual; Oakley 1997): weighted count
  A = 0.04 a[-2] + 0.2 a[-1] + a[0] + 0.2 a[+1] + 0.04 a[+2]; wake when A > 40.
- Main sleep of the night ending on day d: the longest block, in the noon-to-noon window,
  where at least 60% of a centred 61-minute neighbourhood is scored asleep. Its sleep minutes
  are the asleep minutes inside it; its midpoint is the time half of them are done.
- Interdaily stability, intradaily variability (Witting et al., Biol Psychiatry 1990;
  van Someren et al., Chronobiol Int 1999) on hourly means: IS = between-hour sum of squares
  / total sum of squares (the classic formula when no hour is missing); IV = mean squared
  successive hourly difference / variance. M10 and L5: the most and least active 10 and 5
  consecutive hours of the mean 24-h profile (hour resolution); RA = (M10-L5)/(M10+L5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MINUTES = 1440
SEDENTARY_BELOW = 100.0  # counts/min; device-specific (Actiwatch-scale counts)
WAKE_ABOVE = 40.0  # Actiwatch "medium" threshold for 60-s epochs
_WEIGHTS = np.array([0.04, 0.2, 1.0, 0.2, 0.04])
MIN_HOUR_MINUTES = 45  # an hour with fewer valid minutes is missing
MIN_NIGHT_COVERAGE = 0.8
MIN_MAIN_SLEEP = 60  # minutes; shorter than this is no main sleep found
STILL_MAX = 10.0  # counts/min at or below which the wrist is "still"
STILL_BLIP = 2  # minutes of movement that do not break a still run
FLAT_MAX = 5.0  # a "flat" run never exceeds this (no movement bursts at all)
NONWEAR_ANY_MIN = 12 * 60
NONWEAR_DAY_MIN = 3 * 60


def _runs(mask: BoolArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start and end (exclusive) indices of True runs in a 1-D mask."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def nonwear(grid: FloatArray) -> BoolArray:
    """Minutes judged not worn (see module docstring)."""
    flat = np.nan_to_num(grid.ravel())
    still = flat <= STILL_MAX
    moves, moves_end = _runs(~still)
    blips = moves_end - moves <= STILL_BLIP
    fill = np.zeros(len(flat) + 1, np.int64)
    np.add.at(fill, moves[blips], 1)
    np.add.at(fill, moves_end[blips], -1)
    still |= np.cumsum(fill[:-1]) > 0
    start, end = _runs(still)
    length = end - start
    zeros = np.concatenate(([0], np.cumsum(flat == 0)))
    above = np.concatenate(([0], np.cumsum(flat > FLAT_MAX)))
    zero_share = (zeros[end] - zeros[start]) / np.maximum(length, 1)
    flat_run = above[end] == above[start]
    start_minute = start % MINUTES
    daytime = (start_minute >= 7 * 60) & (start_minute < 19 * 60)
    off = (length >= NONWEAR_ANY_MIN) | (
        (length >= NONWEAR_DAY_MIN) & ((zero_share < 0.5) | (daytime & flat_run))
    )
    mask = np.zeros(len(flat) + 1, np.int64)
    np.add.at(mask, start[off], 1)
    np.add.at(mask, end[off], -1)
    return (np.cumsum(mask[:-1]) > 0).reshape(grid.shape) & ~np.isnan(grid)


def clean(grid: FloatArray) -> FloatArray:
    """The grid with non-wear minutes set to NaN (missing, not inactive)."""
    out = grid.copy()
    out[nonwear(grid)] = np.nan
    return out


def asleep(grid: FloatArray) -> FloatArray:
    """1.0 asleep, 0.0 awake, NaN unknown, per minute (Actiwatch weighted-count rule)."""
    flat = grid.ravel()
    valid = ~np.isnan(flat)
    filled = np.where(valid, flat, 0.0)
    weighted = np.convolve(filled, _WEIGHTS, mode="same")
    # renormalise where neighbours are missing, so a gap does not look like stillness
    weight_sum = np.convolve(valid.astype(np.float64), _WEIGHTS, mode="same")
    score = weighted * (_WEIGHTS.sum() / np.maximum(weight_sum, 1e-9))
    out = np.where(valid, (score <= WAKE_ABOVE).astype(np.float64), np.nan)
    return out.reshape(grid.shape)


@dataclass(frozen=True)
class Nights:
    """Per wake day: minutes asleep in the main sleep, its midpoint (h from local midnight,
    negative before midnight), its onset and offset (same scale), and window coverage."""

    sleep_minutes: FloatArray
    midpoint_h: FloatArray
    onset_h: FloatArray
    offset_h: FloatArray
    coverage: FloatArray
    in_sleep: BoolArray  # (days, 1440): minute belongs to a main sleep block


def _longest_true_run(rows: BoolArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row, the start and length of the longest run of True."""
    n = rows.shape[1]
    idx = np.arange(n)
    last_false = np.maximum.accumulate(np.where(~rows, idx, -1), axis=1)
    run = np.where(rows, idx - last_false, 0)
    end = np.argmax(run, axis=1)
    length = run[np.arange(len(rows)), end]
    return end - length + 1, length


@dataclass(frozen=True)
class MainSleep:
    """Main sleep per noon-to-noon window: start and length (minutes into the window), minutes
    asleep inside it, the minute half of them are done, and the window's coverage."""

    start: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]
    asleep_minutes: FloatArray
    half_done: npt.NDArray[np.int64]
    coverage: FloatArray

    @property
    def found(self) -> BoolArray:
        return (self.length >= MIN_MAIN_SLEEP) & (self.coverage >= MIN_NIGHT_COVERAGE)


def main_sleep(windows: FloatArray) -> MainSleep:
    """Main sleep in each row of `windows` (rows are noon-to-noon minute counts)."""
    sleep = asleep(windows)
    known = ~np.isnan(sleep)
    s = np.where(known, sleep, 0.0)
    k = 61
    num = _box(s, k)
    den = _box(known.astype(np.float64), k)
    rest = (num >= 0.6 * np.maximum(den, 1)) & (den >= k // 2)
    start, length = _longest_true_run(rest)
    idx = np.arange(windows.shape[1])
    inside = (idx >= start[:, None]) & (idx < (start + length)[:, None])
    asleep_inside = np.where(inside, s, 0.0)
    total = asleep_inside.sum(axis=1)
    half = np.argmax(np.cumsum(asleep_inside, axis=1) >= total[:, None] / 2, axis=1)
    return MainSleep(start, length, total, half, known.mean(axis=1))


def nights(grid: FloatArray) -> Nights:
    """Main sleep per night; the night ending on day d spans d-1 12:00 to d 12:00."""
    days = grid.shape[0]
    half = MINUTES // 2
    flat = np.concatenate((np.full(half, np.nan), grid.ravel()))[: days * MINUTES]
    main = main_sleep(flat.reshape(days, MINUTES))  # row d: d-1 12:00 .. d 11:59
    found = main.found
    idx = np.arange(MINUTES)
    inside = (idx >= main.start[:, None]) & (idx < (main.start + main.length)[:, None])
    kept = (inside & found[:, None]).ravel()
    in_sleep = np.concatenate((kept[half:], np.zeros(half, np.bool_))).reshape(days, MINUTES)
    nan = np.full(days, np.nan)
    return Nights(
        sleep_minutes=np.where(found, main.asleep_minutes, nan),
        midpoint_h=np.where(found, (main.half_done - half) / 60.0, nan),
        onset_h=np.where(found, (main.start - half) / 60.0, nan),
        offset_h=np.where(found, (main.start + main.length - half) / 60.0, nan),
        coverage=main.coverage,
        in_sleep=in_sleep,
    )


def _box(rows: FloatArray, k: int) -> FloatArray:
    """Centred moving sum of width k along each row (zeros beyond the ends)."""
    pad = k // 2
    c = np.cumsum(np.pad(rows, ((0, 0), (pad + 1, pad))), axis=1)
    return c[:, k:] - c[:, :-k]


def hourly(grid: FloatArray) -> FloatArray:
    """Mean counts per clock hour, (days, 24); NaN for hours with too few valid minutes."""
    per_hour = grid.reshape(grid.shape[0], 24, 60)
    valid = (~np.isnan(per_hour)).sum(axis=2)
    total = np.nansum(per_hour, axis=2)
    return np.where(valid >= MIN_HOUR_MINUTES, total / np.maximum(valid, 1), np.nan)


@dataclass(frozen=True)
class Rhythm:
    """Circadian measures per window end day (NaN where the window has too little data)."""

    interdaily_stability: FloatArray
    intradaily_variability: FloatArray
    relative_amplitude: FloatArray
    m10: FloatArray
    l5: FloatArray
    m10_start_h: FloatArray
    l5_start_h: FloatArray


def _window_sum(x: FloatArray, window: int) -> FloatArray:
    """Sum over the trailing `window` rows (axis 0), rows before the start count as 0."""
    c = np.cumsum(x, axis=0)
    out = c.copy()
    out[window:] = c[window:] - c[:-window]
    return out


def rhythm(hours: FloatArray, window: int = 7, min_fraction: float = 0.6) -> Rhythm:
    """IS, IV, RA, M10, L5 over the trailing `window` days ending at each day.

    `hours` is (days, 24). A window needs at least `min_fraction` of its hours present and
    every clock hour present at least once; otherwise its values are NaN.
    """
    days = hours.shape[0]
    present = ~np.isnan(hours)
    x = np.where(present, hours, 0.0)
    n_h = _window_sum(present.astype(np.float64), window)  # (days, 24)
    s_h = _window_sum(x, window)
    ss = _window_sum((x * x).sum(axis=1), window)  # (days,)
    n = n_h.sum(axis=1)
    mean = s_h.sum(axis=1) / np.maximum(n, 1)
    profile = s_h / np.maximum(n_h, 1)
    total_ss = ss - n * mean**2
    between = (n_h * (profile - mean[:, None]) ** 2).sum(axis=1)
    # successive differences on the flattened hourly series; pair i belongs to its 2nd hour
    flat = hours.ravel()
    steps = np.full(flat.shape, np.nan)
    steps[1:] = (flat[1:] - flat[:-1]) ** 2
    d2 = steps.reshape(days, 24)
    pair_ok = ~np.isnan(d2)
    pair_ss = _window_sum(np.where(pair_ok, d2, 0.0).sum(axis=1), window)
    pair_n = _window_sum(pair_ok.sum(axis=1).astype(np.float64), window)
    # the pair that enters the window from the day before its first day is not inside it
    first = np.arange(days) - window + 1
    cross_ok = (first >= 1) & pair_ok[np.clip(first, 0, days - 1), 0]
    cross_val = np.where(cross_ok, np.nan_to_num(d2[np.clip(first, 0, days - 1), 0]), 0.0)
    pair_ss = pair_ss - cross_val
    pair_n = pair_n - cross_ok
    variance = total_ss / np.maximum(n, 1)
    enough = (n >= min_fraction * 24 * window) & (n_h > 0).all(axis=1) & (variance > 0)
    safe_total = np.where(total_ss > 0, total_ss, 1.0)
    safe_var = np.where(variance > 0, variance, 1.0)
    is_ = np.where(enough, between / safe_total, np.nan)
    iv = np.where(enough & (pair_n > 0), (pair_ss / np.maximum(pair_n, 1)) / safe_var, np.nan)
    m10, m10_at = _best_block(profile, 10, np.argmax)
    l5, l5_at = _best_block(profile, 5, np.argmin)
    ra = np.where(m10 + l5 > 0, (m10 - l5) / np.where(m10 + l5 > 0, m10 + l5, 1.0), np.nan)
    nan = np.nan
    return Rhythm(
        interdaily_stability=is_,
        intradaily_variability=iv,
        relative_amplitude=np.where(enough, ra, nan),
        m10=np.where(enough, m10, nan),
        l5=np.where(enough, l5, nan),
        m10_start_h=np.where(enough, m10_at, nan),
        l5_start_h=np.where(enough, l5_at, nan),
    )


def _best_block(profile: FloatArray, hours: int, pick: object) -> tuple[FloatArray, FloatArray]:
    """Mean of the most (argmax) or least (argmin) active `hours` consecutive clock hours,
    wrapping round midnight, and the clock hour it starts at."""
    wrapped = np.concatenate((profile, profile[:, : hours - 1]), axis=1)
    c = np.concatenate((np.zeros((len(profile), 1)), np.cumsum(wrapped, axis=1)), axis=1)
    block = (c[:, hours:] - c[:, :-hours])[:, :24] / hours
    at = pick(block, axis=1)  # type: ignore[operator]
    return block[np.arange(len(block)), at], at.astype(np.float64)


def sedentary_share(grid: FloatArray, in_sleep: BoolArray) -> FloatArray:
    """Share of valid waking minutes (outside the main sleep) below SEDENTARY_BELOW counts."""
    awake = ~np.isnan(grid) & ~in_sleep
    low = awake & (grid < SEDENTARY_BELOW)
    n = awake.sum(axis=1)
    return np.where(n >= 8 * 60, low.sum(axis=1) / np.maximum(n, 1), np.nan)
