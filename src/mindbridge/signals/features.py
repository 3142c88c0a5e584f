"""Daily features per client, with a completeness value for each, vectorised over clients.

A feature is NaN on a day its data did not arrive (completeness below the feature's bar):
missing data is missing, not a bad day. Features are grouped by domain so that several
measures of one thing (activity counts and steps) count once in the deterioration score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from mindbridge.signals.daily import DailyInputs
from mindbridge.signals.records import FloatArray


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    group: str  # sleep, activity, rhythm, physiology, phone, mood, engagement, text
    direction: int  # -1: lower is worse, +1: higher is worse, 0: a change either way
    floor: float  # smallest robust spread used (feature units, log units when `log`)
    log: bool  # z-scores on log1p scale (skewed totals such as steps)
    source: str | None  # completeness key in DailyInputs; None: present when a value exists
    min_completeness: float
    label: str  # plain words for explanations
    unit: str
    memory: int = 1  # days one value summarises (7 for rolling-window features)
    hold: bool = False  # sparse by design (a questionnaire): keep evidence between answers


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("sleep_h", "sleep", 0, 0.5, False, "sleep", 0.8, "sleep", "h"),
    FeatureSpec("sleep_midpoint_h", "sleep", 0, 0.5, False, "sleep", 0.8, "sleep midpoint", "h"),
    FeatureSpec("sleep_onset_h", "sleep", 1, 0.5, False, "sleep", 0.8, "falling asleep", "h"),
    FeatureSpec("wake_h", "sleep", 0, 0.5, False, "sleep", 0.8, "waking", "h"),
    FeatureSpec(
        "sleep_irregularity_h", "sleep", 1, 0.25, False, "sleep", 0.5, "sleep timing spread", "h", 7
    ),
    FeatureSpec("steps", "activity", -1, 0.15, True, "steps", 0.5, "steps", ""),
    FeatureSpec("activity_counts", "activity", -1, 0.1, True, "actigraphy", 0.9, "activity", ""),
    FeatureSpec(
        "sedentary_share", "activity", 1, 0.04, False, "actigraphy", 0.8, "sedentary time", ""
    ),
    FeatureSpec("rhythm_is", "rhythm", -1, 0.05, False, None, 0.0, "rhythm stability", "", 7),
    FeatureSpec("rhythm_iv", "rhythm", 1, 0.06, False, None, 0.0, "rhythm fragmentation", "", 7),
    FeatureSpec("rhythm_ra", "rhythm", -1, 0.02, False, None, 0.0, "day-night contrast", "", 7),
    FeatureSpec(
        "resting_hr", "physiology", 1, 2.0, False, "heart_rate", 0.3, "resting heart rate", "bpm"
    ),
    FeatureSpec("hrv_sdnn", "physiology", -1, 5.0, False, "hrv_sdnn", 1.0, "HRV", "ms"),
    FeatureSpec("screen_minutes", "phone", 1, 0.15, True, "screen_time", 1.0, "screen time", ""),
    FeatureSpec("mood", "mood", -1, 0.75, False, None, 0.0, "mood", "points"),
    FeatureSpec("phq9", "mood", 1, 2.0, False, None, 0.0, "PHQ-9", "points", 1, True),
    FeatureSpec("checkin_rate", "engagement", -1, 0.15, False, None, 0.0, "check-ins", "", 7),
    FeatureSpec("app_minutes", "engagement", -1, 0.2, True, None, 0.0, "app use", ""),
    FeatureSpec("sentiment", "text", -1, 0.1, False, None, 0.0, "tone of writing", ""),
    FeatureSpec("stress", "text", 1, 0.1, False, None, 0.0, "stress in writing", ""),
)
SPECS = {f.name: f for f in FEATURES}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(f.group for f in FEATURES))

# which DailyInputs value each feature is made from
_INPUT_OF = {
    "sleep_h": "sleep_minutes",
    "sleep_midpoint_h": "sleep_midpoint_h",
    "sleep_irregularity_h": "sleep_midpoint_h",
    "sleep_onset_h": "sleep_onset_h",
    "wake_h": "wake_h",
    "steps": "steps",
    "activity_counts": "activity_counts",
    "sedentary_share": "sedentary_share",
    "rhythm_is": "rhythm_is",
    "rhythm_iv": "rhythm_iv",
    "rhythm_ra": "rhythm_ra",
    "resting_hr": "resting_hr",
    "hrv_sdnn": "hrv_sdnn",
    "screen_minutes": "screen_minutes",
    "mood": "mood",
    "phq9": "phq9",
    "checkin_rate": "checkin",
    "app_minutes": "app_minutes",
    "sentiment": "sentiment",
    "stress": "stress",
}
ROLLING_DAYS = 7


@dataclass
class FeatureSet:
    """Feature values and completeness.

    Stored feature-major, (features, clients, days), so each feature is contiguous for the
    per-feature work; `values[client, day, feature]` and `completeness[...]` are views.
    """

    start: date
    names: tuple[str, ...]
    data: FloatArray  # (features, clients, days)
    coverage: FloatArray  # (features, clients, days)

    @property
    def values(self) -> FloatArray:
        return np.moveaxis(self.data, 0, -1)

    @property
    def completeness(self) -> FloatArray:
        return np.moveaxis(self.coverage, 0, -1)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def specs(self) -> tuple[FeatureSpec, ...]:
        return tuple(SPECS[n] for n in self.names)


def rolling_mean_std(
    x: FloatArray, window: int, min_count: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Trailing mean, SD and count over `window` days (axis 1), ignoring NaN."""
    ok = ~np.isnan(x)
    v = np.where(ok, x, 0.0)
    zero = np.zeros((x.shape[0], 1))
    c1 = np.concatenate((zero, np.cumsum(v, axis=1)), axis=1)
    c2 = np.concatenate((zero, np.cumsum(v * v, axis=1)), axis=1)
    cn = np.concatenate((zero, np.cumsum(ok, axis=1)), axis=1)
    lo = np.maximum(np.arange(1, x.shape[1] + 1) - window, 0)
    hi = np.arange(1, x.shape[1] + 1)
    n = cn[:, hi] - cn[:, lo]
    s1 = c1[:, hi] - c1[:, lo]
    s2 = c2[:, hi] - c2[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= min_count, s1 / n, np.nan)
        var = np.where(n >= max(min_count, 2), (s2 - s1 * s1 / n) / np.maximum(n - 1, 1), np.nan)
    return mean, np.sqrt(np.maximum(var, 0.0)), n


def carry_forward(x: FloatArray, limit: int) -> FloatArray:
    """Last value carried forward for up to `limit` days (a questionnaire every 2 weeks)."""
    ok = ~np.isnan(x)
    idx = np.where(ok, np.arange(x.shape[1]), -1)
    last = np.maximum.accumulate(idx, axis=1)
    rows = np.arange(x.shape[0])[:, None]
    carried = x[rows, np.maximum(last, 0)]
    fresh = (last >= 0) & (np.arange(x.shape[1]) - last <= limit)
    return np.where(fresh, carried, np.nan)


def compute_features(inputs: DailyInputs) -> FeatureSet:
    """DailyInputs -> FeatureSet with only the features whose inputs are present."""
    n, d = inputs.shape
    present = [spec for spec in FEATURES if _INPUT_OF[spec.name] in inputs.values]
    data = np.empty((len(present), n, d))
    coverage = np.empty((len(present), n, d))
    for i, spec in enumerate(present):
        raw = inputs.values[_INPUT_OF[spec.name]]
        value, have = _derive(spec.name, raw.astype(np.float64, copy=False))
        if spec.source is not None:
            c = inputs.completeness.get(spec.source)
            have = (~np.isnan(value)).astype(np.float64) if c is None else np.minimum(c, have)
        usable = have >= spec.min_completeness if spec.min_completeness > 0 else have > 0
        np.copyto(data[i], np.where(usable, value, np.nan))
        coverage[i] = have
    return FeatureSet(inputs.start, tuple(s.name for s in present), data, coverage)


def _derive(name: str, raw: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(feature value, completeness before the source's own completeness is applied)."""
    present = (~np.isnan(raw)).astype(np.float64)
    if name == "sleep_h":
        return raw / 60.0, present
    if name == "sleep_irregularity_h":
        _, sd, count = rolling_mean_std(raw, ROLLING_DAYS, 4)
        return sd, count / ROLLING_DAYS
    if name == "checkin_rate":
        mean, _, count = rolling_mean_std(raw, ROLLING_DAYS, 3)
        return mean, np.minimum(count / 3, 1.0)
    return raw, present
