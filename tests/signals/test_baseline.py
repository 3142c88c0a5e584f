"""Robust per-person baselines against a plain reference implementation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mindbridge.signals.baseline import BaselineConfig, robust_baseline


def reference(x: np.ndarray, day: int, cfg: BaselineConfig) -> tuple[float, float]:
    w = x[max(0, day - cfg.gap - cfg.window) : max(0, day - cfg.gap)].astype(np.float32)
    w = w[~np.isnan(w)]
    if len(w) < cfg.min_count:
        return np.nan, np.nan
    med = float(np.median(w))
    mad = 1.4826 * float(np.median(np.abs(w - med)))
    lim = 3 * mad
    wsd = float(np.sqrt((np.clip(w - med, -lim, lim) ** 2).sum() / max(len(w) - 1, 1)))
    return med, max(mad, wsd)


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.integers(1, 90),
        elements=st.one_of(st.floats(-50, 50, width=32), st.just(np.nan)),
    ),
    st.integers(1, 12),
)
def test_matches_the_reference_for_any_series(x: np.ndarray, min_count: int) -> None:
    cfg = BaselineConfig(window=28, gap=7, min_count=min_count)
    base = robust_baseline(x[None, :, None], cfg)
    for day in range(len(x)):
        med, spread = reference(x, day, cfg)
        if np.isnan(med):
            assert np.isnan(base.median[0, day, 0])
        else:
            assert base.median[0, day, 0] == pytest.approx(med, abs=1e-4)
            assert base.spread[0, day, 0] == pytest.approx(spread, rel=1e-4, abs=1e-4)


def test_recent_days_are_left_out() -> None:
    x = np.r_[np.full(40, 5.0), np.full(7, 50.0)]
    base = robust_baseline(x[None, :, None], BaselineConfig())
    assert base.median[0, -1, 0] == 5.0  # the last 7 days (50s) are not their own baseline


def test_one_odd_day_does_not_move_the_baseline() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(7.5, 0.5, 60)
    odd = x.copy()
    odd[30] = 20.0
    a = robust_baseline(x[None, :, None]).median[0, 50, 0]
    b = robust_baseline(odd[None, :, None]).median[0, 50, 0]
    assert abs(a - b) < 0.1


def test_weekly_refresh_repeats_the_anchor_day() -> None:
    x = np.random.default_rng(1).normal(size=(3, 70, 2))
    weekly = robust_baseline(x, BaselineConfig(refresh=7))
    daily = robust_baseline(x, BaselineConfig())
    for day in range(70):
        anchor = day - day % 7
        np.testing.assert_allclose(weekly.median[:, day], daily.median[:, anchor])
