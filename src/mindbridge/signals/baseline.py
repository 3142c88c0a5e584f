"""Per-person robust baselines: median and spread of the person's own recent past.

For day t the baseline is taken over the `window` days before t - `gap`: the most recent
days are left out so a slowly developing change does not become its own reference. Median
and spread (the larger of 1.4826 x MAD and a winsorised SD) resist the odd extreme day and
ignore missing days; a baseline needs `min_count` present
days, otherwise it is NaN (too early to judge, which is not the same as "fine").
With `refresh` > 1 the baseline is recomputed every `refresh` days (weekly is 7x cheaper
and, for a 28-day window, changes little).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from mindbridge.signals.records import FloatArray

MAD_TO_SD = 1.4826  # MAD x 1.4826 estimates the SD of normally distributed data
WINSOR = 3.0


@dataclass(frozen=True)
class BaselineConfig:
    window: int = 28
    gap: int = 7
    min_count: int = 10
    refresh: int = 1


@dataclass(frozen=True)
class Baseline:
    """Median, robust SD and present-day count, stored (features, clients, days);
    `median[client, day, feature]` etc. are views."""

    med: npt.NDArray[np.float32]
    sd: npt.NDArray[np.float32]
    n: npt.NDArray[np.float32]

    @property
    def median(self) -> npt.NDArray[np.float32]:
        return np.moveaxis(self.med, 0, -1)

    @property
    def spread(self) -> npt.NDArray[np.float32]:
        return np.moveaxis(self.sd, 0, -1)

    @property
    def count(self) -> npt.NDArray[np.float32]:
        return np.moveaxis(self.n, 0, -1)


def _pick(rows: npt.NDArray[np.float32], idx: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """rows[..., idx] per row (a flat gather: much faster than take_along_axis in 3-D)."""
    width = rows.shape[-1]
    flat = np.arange(0, idx.size * width, width, dtype=np.int64).reshape(idx.shape) + idx
    return np.take(rows.reshape(-1), flat)


def _median_sorted(
    sorted_rows: npt.NDArray[np.float32], count: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    """Median of each row of an ascending-sorted array whose NaNs sit at the end."""
    lo = np.maximum((count - 1) // 2, 0)
    hi = np.maximum(count // 2, 0)
    mid = (_pick(sorted_rows, lo) + _pick(sorted_rows, hi)) / np.float32(2)
    return np.where(count > 0, mid, np.float32(np.nan))


def robust_baseline(values: FloatArray, config: BaselineConfig = BaselineConfig()) -> Baseline:
    """Baselines for an array shaped (clients, days, features)."""
    return baseline_by_feature(np.moveaxis(values, -1, 0), config)


def baseline_by_feature(values: FloatArray, config: BaselineConfig = BaselineConfig()) -> Baseline:
    """Baselines for an array shaped (features, clients, days)."""
    shape = values.shape
    median = np.empty(shape, np.float32)
    spread = np.empty(shape, np.float32)
    count = np.empty(shape, np.float32)
    for f in range(shape[0]):
        median[f], spread[f], count[f] = baseline_rows(values[f], config)
    return Baseline(median, spread, count)


def baseline_rows(
    values: FloatArray, config: BaselineConfig = BaselineConfig()
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(median, spread, count) for one feature, (clients, days) in, (clients, days) out."""
    n_clients, days = values.shape
    w, g, r = config.window, config.gap, max(config.refresh, 1)
    anchors = np.arange(0, days, r)
    # padded[:, a] is day a - g - w, so padded[:, a : a + w] is day a's baseline window
    padded = np.empty((n_clients, w + g + days), np.float32)
    padded[:, : w + g] = np.nan
    padded[:, w + g :] = values
    ordered = np.ascontiguousarray(sliding_window_view(padded, w, axis=1)[:, anchors])
    ordered.sort(axis=-1)  # NaNs go to the end
    c = w - np.isnan(ordered).sum(axis=-1)
    med = _median_sorted(ordered, c)
    dev = ordered
    dev -= med[..., None]
    np.abs(dev, out=dev)
    dev.sort(axis=-1)
    mad_sd = np.float32(MAD_TO_SD) * _median_sorted(dev, c)
    # heavy tails (real sleep data) make the MAD understate the spread; a winsorised SD
    # (deviations capped at 3 MAD-SDs) sees them without being led by one odd night
    np.minimum(dev, (np.float32(WINSOR) * mad_sd)[..., None], out=dev)
    np.fmax(dev, 0, out=dev)  # NaN -> 0
    wsd = np.sqrt(np.einsum("...i,...i->...", dev, dev) / np.maximum(c - 1, 1))
    enough = c >= config.min_count
    median = np.where(enough, med, np.float32(np.nan))
    spread = np.where(enough, np.fmax(mad_sd, wsd), np.float32(np.nan)).astype(np.float32)
    count = c.astype(np.float32)
    if r > 1:
        expand = np.arange(days) // r
        median, spread, count = median[:, expand], spread[:, expand], count[:, expand]
    return median, spread, count
