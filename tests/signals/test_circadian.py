"""Circadian measures and actigraphy scoring on constructed signals with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from mindbridge.signals import circadian


def test_a_perfectly_repeating_day_has_interdaily_stability_one() -> None:
    hours = np.tile(np.r_[np.zeros(8), np.full(16, 300.0)], (14, 1))
    r = circadian.rhythm(hours, window=7)
    assert r.interdaily_stability[-1] == pytest.approx(1.0)
    assert r.relative_amplitude[-1] == pytest.approx(1.0)  # L5 is 0
    assert r.l5_start_h[-1] in (0, 1, 2, 3) and r.m10_start_h[-1] >= 8


def test_square_wave_iv_matches_the_formula() -> None:
    # 12 h on / 12 h off: 13 level changes inside a 7-day window of 168 hours
    hours = np.tile(np.r_[np.zeros(12), np.full(12, 100.0)], (14, 1))
    iv = circadian.rhythm(hours, window=7).intradaily_variability[-1]
    assert iv == pytest.approx((13 * 100.0**2 / 167) / (100.0**2 / 4))


def test_a_smooth_sine_has_tiny_iv_and_noise_has_iv_near_two() -> None:
    t = np.arange(14 * 24)
    sine = (np.sin(2 * np.pi * t / 24) + 1.5).reshape(14, 24)
    assert circadian.rhythm(sine, 7).intradaily_variability[-1] == pytest.approx(
        2 * (1 - np.cos(2 * np.pi / 24)), rel=0.02
    )
    noise = np.random.default_rng(0).random((60, 24))
    r = circadian.rhythm(noise, 60)
    assert 1.8 < r.intradaily_variability[-1] < 2.2
    assert r.interdaily_stability[-1] < 0.1


def test_too_little_data_gives_nan_not_a_number() -> None:
    hours = np.tile(np.r_[np.zeros(8), np.full(16, 300.0)], (14, 1))
    hours[5:12] = np.nan
    r = circadian.rhythm(hours, window=7)
    assert np.isnan(r.interdaily_stability[11])


def _grid(days: int, nights: list[tuple[float, float]]) -> np.ndarray:
    """Minute counts for `days` days, asleep over each (start_h, end_h) in hours from the
    first midnight (e.g. (23, 31) sleeps 23:00 on day 0 to 07:00 on day 1)."""
    rng = np.random.default_rng(1)
    flat = rng.integers(150, 600, days * 1440).astype(float)
    for start, end in nights:
        a, b = int(start * 60), min(int(end * 60), len(flat))
        flat[a:b] = rng.choice([0, 0, 0, 0, 5, 30], b - a)
    return flat.reshape(days, 1440)


def test_main_sleep_is_found_with_duration_and_midpoint() -> None:
    grid = _grid(5, [(23 + 24 * d, 31 + 24 * d) for d in range(5)])
    nights = circadian.nights(grid)
    assert np.isnan(nights.sleep_minutes[0])  # no data before the first noon
    assert np.all(np.abs(nights.sleep_minutes[1:] - 480) < 40)
    assert np.all(np.abs(nights.midpoint_h[1:] - 3.0) < 0.5)
    assert np.all(np.abs(nights.onset_h[1:] + 1.0) < 0.3)


def test_a_later_night_moves_onset_and_midpoint() -> None:
    grid = _grid(3, [(23, 31), (24 + 25, 24 + 33)])  # second night: 01:00 to 09:00
    nights = circadian.nights(grid)
    assert nights.onset_h[1] == pytest.approx(-1.0, abs=0.3)
    assert nights.onset_h[2] == pytest.approx(1.0, abs=0.3)
    assert nights.midpoint_h[2] - nights.midpoint_h[1] == pytest.approx(2.0, abs=0.5)


def test_nonwear_flat_noise_and_long_zero_runs_but_not_sleep() -> None:
    grid = _grid(4, [(23 + 24 * d, 31 + 24 * d) for d in range(4)])
    grid[1, 9 * 60 : 14 * 60] = 4.0  # watch on the table: flat sensor noise, 5 h, daytime
    grid[2, 10 * 60 :] = 0.0  # taken off for good: 14 h of zeros
    grid[3, :] = 0.0
    off = circadian.nonwear(grid)
    assert off[1, 9 * 60 : 14 * 60].all() and not off[1, 15 * 60 : 23 * 60].any()
    assert off[2, 10 * 60 :].all() and off[3].all()
    assert not off[0].any()  # a normal night (zeros with movement bursts) is worn


def test_sedentary_share_counts_waking_minutes_only() -> None:
    grid = np.full((2, 1440), 500.0)
    grid[:, : 7 * 60] = 0.0
    in_sleep = np.zeros((2, 1440), bool)
    in_sleep[:, : 7 * 60] = True
    grid[1, 12 * 60 : 18 * 60] = 20.0  # 6 of 17 waking hours still
    share = circadian.sedentary_share(grid, in_sleep)
    assert share[0] == pytest.approx(0.0) and share[1] == pytest.approx(6 / 17)
