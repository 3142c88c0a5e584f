"""The early-warning benchmark: our detector against two simple baselines, on a cohort from
`simulation.py`.

Every method turns daily data into alert days with the same cool-down policy, using only
data up to each day (online). Metrics:
- sensitivity_7d: share of episodes with an alert 0-7 days after onset;
- median_delay_days: days from onset to the first alert, over episodes alerted at all;
- false_alerts_per_client_month: alerts outside episodes (after the burn-in, before onset,
  or anywhere for clients with no episode) per 30.44 monitored days.

Each method's settings were chosen on tuning seeds (TUNING_SEEDS), never on the seed that is
reported; `benchmarks/signals_tune_early_warning.py` reruns that search.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import ruptures as rpt
from ruptures.base import BaseCost
from ruptures.exceptions import NotEnoughPoints

from mindbridge.signals.alerts import AlertPolicy, alert_days
from mindbridge.signals.detector import DetectorConfig, assess
from mindbridge.signals.features import (
    FeatureSet,
    carry_forward,
    compute_features,
    rolling_mean_std,
)
from mindbridge.signals.records import FloatArray
from mindbridge.signals.simulation import Cohort, SimConfig, load_donors, simulate

BoolArray = npt.NDArray[np.bool_]
DAYS_PER_MONTH = 30.44
TUNING_SEEDS = (101, 102, 103)
EVAL_SEED = 7
MAX_FALSE_ALERTS = 0.5  # per client-month: the target; tuning aims under it with a margin

# the product defaults, chosen on TUNING_SEEDS by benchmarks/signals_tune_early_warning.py
DETECTOR = DetectorConfig()
DETECTOR_POLICY = AlertPolicy()


@dataclass(frozen=True)
class FixedRules:
    """Population cut-offs, the same for everyone (no personal baseline). The defaults were
    chosen on the tuning seeds like every other method's settings."""

    mood_max: float = 5.0  # mean of the last 3 check-in moods at or below this
    phq9_min: float = 10.0  # latest PHQ-9 at or above this (the usual caseness cut-off)
    sleep_below_h: float = 5.0  # on 3 of the last 4 nights with data
    activity_below: float = 250_000.0  # daily movement counts, on 3 of the last 4 days
    checkin_rate_max: float = 0.6  # over the last 7 days
    min_rules: int = 2  # how many rules must hold at once


@dataclass(frozen=True)
class PeltSettings:
    """ruptures Pelt run daily on the trailing `window` days of standardised features
    (defaults chosen on the tuning seeds)."""

    penalty: float = 20.0
    window: int = 56
    recent: int = 14  # a change point this recent counts
    worse_by: float = 0.5  # mean "worse" score after the change minus before, in SDs
    min_size: int = 5
    jump: int = 3


FIXED = FixedRules()
PELT = PeltSettings()
BASELINE_POLICY = AlertPolicy(threshold=0.5, persist_days=1, cooldown_days=14, escalation=1.0)


def detector_alerts(
    cohort: Cohort, config: DetectorConfig = DETECTOR, policy: AlertPolicy = DETECTOR_POLICY
) -> tuple[BoolArray, FloatArray]:
    features = compute_features(cohort.inputs)
    score = assess(features, config).score
    return alert_days(score, policy), score


def _count_in_last(x: BoolArray, ok: BoolArray, days: int) -> tuple[FloatArray, FloatArray]:
    """Per day: on how many of the last `days` x held, and how many of them had data."""

    def trailing(a: FloatArray) -> FloatArray:
        c = np.cumsum(np.pad(a, ((0, 0), (1, 0))), axis=1)
        out: FloatArray = c[:, 1:].copy()
        out[:, days:] -= c[:, 1:-days]
        return out

    return trailing(np.where(ok, x, False).astype(np.float64)), trailing(ok.astype(np.float64))


def fixed_rule_flags(cohort: Cohort, rules: FixedRules = FIXED) -> BoolArray:
    """Days on which at least `min_rules` population cut-offs are crossed."""
    v = cohort.inputs.values
    c = cohort.inputs.completeness
    n, d = cohort.inputs.shape
    hits = np.zeros((n, d), np.int64)
    mood = v.get("mood")
    if mood is not None:
        mean3, _, _ = rolling_mean_std(mood, 7, 3)
        hits += np.nan_to_num(mean3, nan=99.0) <= rules.mood_max
    phq = v.get("phq9")
    if phq is not None:
        hits += np.nan_to_num(carry_forward(phq, 21), nan=-1.0) >= rules.phq9_min
    sleep = v.get("sleep_minutes")
    if sleep is not None:
        ok = ~np.isnan(sleep) & (c.get("sleep", np.ones((n, d))) >= 0.8)
        low, have = _count_in_last(np.nan_to_num(sleep) / 60 < rules.sleep_below_h, ok, 4)
        hits += (low >= 3) & (have >= 3)
    act = v.get("activity_counts")
    if act is not None:
        ok = ~np.isnan(act) & (c.get("actigraphy", np.ones((n, d))) >= 0.9)
        low, have = _count_in_last(np.nan_to_num(act) < rules.activity_below, ok, 4)
        hits += (low >= 3) & (have >= 3)
    chk = v.get("checkin")
    if chk is not None:
        rate, _, _ = rolling_mean_std(chk, 7, 5)
        hits += np.nan_to_num(rate, nan=1.0) <= rules.checkin_rate_max
    return hits >= rules.min_rules


# features the change-point baseline watches, and which way is "worse" (+1 higher, -1 lower)
_PELT_FEATURES = {
    "activity_counts": -1,
    "sleep_h": 0,
    "sleep_midpoint_h": 1,
    "mood": -1,
    "checkin_rate": -1,
    "app_minutes": -1,
}


def _pelt_matrix(features: FeatureSet) -> tuple[FloatArray, FloatArray]:
    cols, signs = [], []
    for name, sign in _PELT_FEATURES.items():
        if name in features.names:
            x = features.values[..., features.index(name)]
            cols.append(
                np.log1p(np.maximum(x, 0)) if name in ("activity_counts", "app_minutes") else x
            )
            signs.append(sign)
    return np.stack(cols, axis=2), np.array(signs, np.float64)


class SegmentL2(BaseCost):  # type: ignore[misc]
    """ruptures' L2 cost (sum of squared deviations from the segment mean), with every
    segment's cost precomputed from cumulative sums when the signal is fitted: the same
    numbers as `CostL2`, found by lookup instead of recomputed for each candidate."""

    model = "l2_cumsum"
    min_size = 2

    def fit(self, signal: FloatArray) -> SegmentL2:
        x = signal if signal.ndim > 1 else signal[:, None]
        n = len(x)
        s1 = np.concatenate((np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)))
        s2 = np.concatenate((np.zeros(1), np.cumsum((x * x).sum(axis=1))))
        length = np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]
        diff1 = s1[None, :, :] - s1[:, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            cost = (s2[None, :] - s2[:, None]) - (diff1**2).sum(axis=2) / np.maximum(length, 1)
        self._cost = np.where(length > 0, np.maximum(cost, 0.0), 0.0)
        self.signal = x
        return self

    def error(self, start: int, end: int) -> float:
        if end - start < self.min_size:
            raise NotEnoughPoints
        return float(self._cost[start, end])


@dataclass(frozen=True)
class PeltChanges:
    """Per (client, day): days since the latest change point Pelt found in the trailing
    window (NaN if none), and how much worse the segment after it is than the one before."""

    recency: FloatArray
    worse: FloatArray

    def flags(self, settings: PeltSettings) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return (self.recency <= settings.recent) & (self.worse >= settings.worse_by)


def pelt_changes(cohort: Cohort, settings: PeltSettings = PELT) -> PeltChanges:
    """Run Pelt every day on data up to that day only (online), for every client."""
    features = compute_features(cohort.inputs)
    x, signs = _pelt_matrix(features)
    n, d, _ = x.shape
    recency = np.full((n, d), np.nan)
    worse = np.full((n, d), np.nan)
    w = settings.window
    weights = np.where(signs == 0, 0.0, signs) / max(int((signs != 0).sum()), 1)
    algo = rpt.Pelt(custom_cost=SegmentL2(), min_size=settings.min_size, jump=settings.jump)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n):
            for t in range(max(cohort.config.burn_in, w // 2), d):
                window = x[i, max(0, t - w + 1) : t + 1]
                z = _standardise(window)
                bkps = algo.fit(z).predict(pen=settings.penalty)
                if len(bkps) < 2:
                    continue
                b, prev = bkps[-2], (bkps[-3] if len(bkps) >= 3 else 0)
                recency[i, t] = len(window) - b
                worse[i, t] = float(((z[b:].mean(axis=0) - z[prev:b].mean(axis=0)) * weights).sum())
    return PeltChanges(recency, worse)


def pelt_flags(cohort: Cohort, settings: PeltSettings = PELT) -> BoolArray:
    """Days on which Pelt, run on data up to that day only, finds a recent change for the worse."""
    return pelt_changes(cohort, settings).flags(settings)


def _column_median(x: FloatArray) -> FloatArray:
    """Median of each column ignoring NaN (np.nanmedian is slow on small arrays)."""
    ordered = np.sort(x, axis=0)
    n = (~np.isnan(ordered)).sum(axis=0)
    cols = np.arange(x.shape[1])
    lo, hi = ordered[np.maximum((n - 1) // 2, 0), cols], ordered[np.maximum(n // 2, 0), cols]
    return np.where(n > 0, (lo + hi) / 2, np.nan)


def _standardise(window: FloatArray) -> FloatArray:
    """Per column: robust z within the window; gaps filled with the column median (0)."""
    med = _column_median(window)
    mad = _column_median(np.abs(window - med)) * 1.4826
    scale = np.where(np.isnan(mad) | (mad < 1e-6), 1.0, mad)
    z = (window - np.where(np.isnan(med), 0.0, med)) / scale
    return np.clip(np.nan_to_num(z), -5, 5)


def evaluate(alerts: BoolArray, cohort: Cohort, within: int = 7) -> dict[str, float | int | None]:
    """Sensitivity within `within` days of onset, delay, and false alerts per client-month.

    An alert between the first change and the onset (half the eventual size) is an early
    detection (negative delay); alerts before the first change are false alerts.
    """
    cfg: SimConfig = cohort.config
    detected, from_start, delays = [], [], []
    false_alerts = 0
    exposure = 0
    for i, ep in enumerate(cohort.episodes):
        end_free = ep.start if ep else alerts.shape[1]
        false_alerts += int(alerts[i, cfg.burn_in : end_free].sum())
        exposure += max(end_free - cfg.burn_in, 0)
        if ep is None:
            continue
        after = np.flatnonzero(alerts[i, ep.start :])
        first = int(after[0]) + ep.start if len(after) else None
        detected.append(first is not None and first - ep.onset <= within)
        from_start.append(first is not None and first - ep.start <= within)
        if first is not None:
            delays.append(first - ep.onset)
    episodes = len(detected)
    return {
        "episodes": episodes,
        "sensitivity_7d": round(float(np.mean(detected)), 4) if episodes else None,
        "sensitivity_7d_from_first_change": round(float(np.mean(from_start)), 4)
        if episodes
        else None,
        "sensitivity_any": round(len(delays) / episodes, 4) if episodes else None,
        "median_delay_days": float(np.median(delays)) if delays else None,
        "false_alerts": false_alerts,
        "false_alerts_per_client_month": round(
            false_alerts / max(exposure / DAYS_PER_MONTH, 1e-9), 4
        ),
    }


def breakdown(alerts: BoolArray, cohort: Cohort, within: int = 7) -> dict[str, dict[str, float]]:
    """Sensitivity within `within` days by episode shape and size."""
    out: dict[str, list[bool]] = {}
    for i, ep in enumerate(cohort.episodes):
        if ep is None:
            continue
        after = np.flatnonzero(alerts[i, ep.start :])
        hit = bool(len(after) and after[0] + ep.start - ep.onset <= within)
        size = "marked" if ep.size >= 0.75 else "moderate"
        for key in (ep.shape, size, f"{ep.shape}/{size}"):
            out.setdefault(key, []).append(hit)
    return {
        k: {"episodes": len(v), "sensitivity_7d": round(float(np.mean(v)), 3)}
        for k, v in sorted(out.items())
    }


def run(
    data_dir: Path,
    *,
    seed: int = EVAL_SEED,
    clients: int = 100,
    methods: tuple[str, ...] = ("mindbridge", "fixed_thresholds", "ruptures_pelt"),
) -> dict[str, object]:
    """The benchmark on one seed; the headline figures are our detector's."""
    t0 = time.perf_counter()
    donors = load_donors(data_dir)
    cohort = simulate(donors, clients, seed)
    built = time.perf_counter() - t0
    results: dict[str, dict[str, object]] = {}
    timings: dict[str, float] = {}
    for name in methods:
        t = time.perf_counter()
        if name == "mindbridge":
            alerts, _ = detector_alerts(cohort)
        elif name == "fixed_thresholds":
            alerts = alert_days(fixed_rule_flags(cohort).astype(np.float64), BASELINE_POLICY)
        elif name == "ruptures_pelt":
            alerts = alert_days(pelt_flags(cohort).astype(np.float64), BASELINE_POLICY)
        else:
            raise ValueError(f"unknown method {name!r}")
        timings[name] = round(time.perf_counter() - t, 2)
        results[name] = {**evaluate(alerts, cohort), "by_episode": breakdown(alerts, cohort)}
    ours = results.get("mindbridge", {})
    return {
        "seed": seed,
        "tuned_on_seeds": list(TUNING_SEEDS),
        "clients": clients,
        "days": cohort.config.days,
        "episodes": sum(e is not None for e in cohort.episodes),
        "donor_subjects": len(donors),
        "sensitivity_7d": ours.get("sensitivity_7d"),
        "median_delay_days": ours.get("median_delay_days"),
        "false_alerts_per_client_month": ours.get("false_alerts_per_client_month"),
        "methods": results,
        "seconds": {"cohort": round(built, 2), **timings},
    }
