"""Depressed vs control from wrist actigraphy, evaluated leave-one-subject-out.

The Depresjon layout: `condition/*.csv` (depressed), `control/*.csv`, and `scores.csv`
(latin-1; only used to cross-check the subject list). One feature vector per person, from
worn time only (non-wear removed), fixed a priori from the literature rather than chosen on
this data: Garcia-Ceja et al. 2018 (mean, SD and share of zero-count minutes), nonparametric
circadian measures (IS, IV, RA, M10, L5 and their timing) and sleep (duration, midpoint,
their night-to-night spread), and day-to-day variation of activity.

Evaluation: each person is held out once; the classifier (standardise + L2 logistic
regression) is fitted on the others, its C chosen by an inner stratified 5-fold CV inside
those others only. Metrics are over the 55 held-out predictions; F1 is for the depressed class.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from mindbridge.signals import circadian
from mindbridge.signals.clock import day_from_number, local_day_and_minute, zone
from mindbridge.signals.daily import actigraphy_inputs, minute_grid
from mindbridge.signals.ingest_actigraphy import parse_actigraphy_csv
from mindbridge.signals.records import FloatArray

GROUPS = {"condition": 1, "control": 0}
DEFAULT_TZ = "Europe/Oslo"  # the Depresjon recordings were made in Norway
MIN_WORN = 0.9  # a day counts when at least 90% of it was worn
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)

FEATURE_NAMES = (
    "mean_counts",
    "sd_counts",
    "zero_share",
    "daily_total_mean",
    "daily_total_cv",
    "interdaily_stability",
    "intradaily_variability",
    "relative_amplitude",
    "m10",
    "l5",
    "m10_start_h",
    "l5_start_h",
    "sleep_h",
    "sleep_h_sd",
    "sleep_midpoint_h",
    "sleep_midpoint_sd_h",
    "sedentary_share",
)


@dataclass(frozen=True)
class Subject:
    name: str
    label: int
    features: FloatArray
    worn_days: int
    minutes: int


def _natural(path: Path) -> tuple[str, int]:
    m = re.search(r"(\d+)$", path.stem)
    return path.stem.rstrip("0123456789"), int(m.group(1)) if m else 0


def subject_grid(path: Path, tz: str) -> FloatArray:
    """One recording as a (days, 1440) minute grid in local wall-clock time."""
    batch = parse_actigraphy_csv(path, tz).observations
    if len(batch) == 0:
        return np.full((1, circadian.MINUTES), np.nan)
    day, _ = local_day_and_minute(batch.start_s[[0, -1]], zone(tz))
    first = day_from_number(int(day[0]))
    return minute_grid(batch, tz, first, int(day[1] - day[0]) + 1)


def subject_features(grid: FloatArray) -> tuple[FloatArray, int]:
    """The feature vector (FEATURE_NAMES order) and the number of well-worn days."""
    values, complete = actigraphy_inputs(grid)
    clean = circadian.clean(grid)
    worn_day = complete["actigraphy"] >= MIN_WORN
    minutes = clean[~np.isnan(clean)]
    totals = values["activity_counts"][worn_day]
    hours = circadian.hourly(clean)
    whole = circadian.rhythm(hours, window=hours.shape[0], min_fraction=0.0)
    sleep = values["sleep_minutes"] / 60.0
    mid = values["sleep_midpoint_h"]
    sed = values["sedentary_share"][worn_day]

    def stat(f: Callable[[FloatArray], object], x: FloatArray) -> float:
        x = x[~np.isnan(x)]
        return float(f(x)) if len(x) >= 2 else np.nan  # type: ignore[arg-type]

    feats = [
        float(minutes.mean()) if len(minutes) else np.nan,
        float(minutes.std()) if len(minutes) else np.nan,
        float((minutes == 0).mean()) if len(minutes) else np.nan,
        stat(np.mean, totals),
        stat(lambda x: np.std(x) / np.mean(x) if np.mean(x) > 0 else np.nan, totals),
        float(whole.interdaily_stability[-1]),
        float(whole.intradaily_variability[-1]),
        float(whole.relative_amplitude[-1]),
        float(whole.m10[-1]),
        float(whole.l5[-1]),
        float(whole.m10_start_h[-1]),
        float(whole.l5_start_h[-1]),
        stat(np.median, sleep),
        stat(np.std, sleep),
        stat(np.median, mid),
        stat(np.std, mid),
        stat(np.mean, sed),
    ]
    return np.array(feats), int(worn_day.sum())


def load_depresjon(data_dir: Path, tz: str = DEFAULT_TZ) -> list[Subject]:
    """Every recording under condition/ and control/, as subject-level features."""
    subjects = []
    for group, label in GROUPS.items():
        folder = data_dir / group
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} not found (expected the Depresjon layout)")
        for path in sorted(folder.glob("*.csv"), key=_natural):
            grid = subject_grid(path, tz)
            feats, worn = subject_features(grid)
            subjects.append(Subject(path.stem, label, feats, worn, int((~np.isnan(grid)).sum())))
    if not subjects:
        raise FileNotFoundError(f"no recordings under {data_dir}")
    return subjects


def check_scores(data_dir: Path, subjects: list[Subject]) -> list[str]:
    """Names in scores.csv that have no recording, and recordings missing from it."""
    path = data_dir / "scores.csv"
    if not path.exists():
        return []
    with path.open(encoding="latin-1", newline="") as handle:
        listed = {
            row["number"] if "number" in row else row["name"] for row in csv.DictReader(handle)
        }
    have = {s.name for s in subjects}
    return sorted(listed ^ have)


def _model(seed: int, y: npt.NDArray[np.int64]) -> Pipeline:
    """Standardise, then logistic regression whose C an inner stratified k-fold CV picks.

    The inner CV sees only the training subjects of the outer fold.
    """
    folds = int(min(5, np.bincount(y).min()))
    inner = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(
            Cs=list(C_GRID),
            cv=inner,
            scoring="f1",
            class_weight="balanced",
            solver="newton-cholesky",
            max_iter=1000,
        ),
    )


def _impute(train: FloatArray, test: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Fill missing features with the training median (no information from the test row)."""
    med = np.nanmedian(train, axis=0)
    med = np.where(np.isnan(med), 0.0, med)
    return np.where(np.isnan(train), med, train), np.where(np.isnan(test), med, test)


def evaluate_loso(subjects: list[Subject], seed: int = 0) -> dict[str, object]:
    """Leave-one-subject-out predictions and metrics."""
    x = np.stack([s.features for s in subjects])
    y = np.array([s.label for s in subjects])
    pred = np.zeros(len(y), np.int64)
    chosen: list[float] = []
    for i in range(len(y)):
        train = np.arange(len(y)) != i
        xtr, xte = _impute(x[train], x[i : i + 1])
        model = _model(seed, y[train])
        model.fit(xtr, y[train])
        chosen.append(float(model[-1].C_[0]))
        pred[i] = int(model.predict(xte)[0])
    return {
        "subjects": len(y),
        "depressed": int(y.sum()),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "f1": round(float(f1_score(y, pred)), 4),
        "mcc": round(float(matthews_corrcoef(y, pred)), 4),
        "chosen_C": {str(c): chosen.count(c) for c in sorted(set(chosen))},
        "predictions": {s.name: int(p) for s, p in zip(subjects, pred, strict=True)},
    }


def run(data_dir: Path, tz: str = DEFAULT_TZ, seed: int = 0) -> dict[str, object]:
    t0 = time.perf_counter()
    subjects = load_depresjon(data_dir, tz)
    loaded = time.perf_counter() - t0
    result = evaluate_loso(subjects, seed)
    result["features"] = list(FEATURE_NAMES)
    result["evaluation"] = (
        "leave-one-subject-out; C by inner stratified 5-fold CV on training subjects"
    )
    result["load_and_features_s"] = round(loaded, 2)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    unmatched = check_scores(data_dir, subjects)
    if unmatched:
        result["scores_csv_mismatch"] = unmatched
    return result
