"""The semi-synthetic cohort and the benchmark's scoring of alerts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mindbridge.signals.early_warning import evaluate
from mindbridge.signals.simulation import Cohort, Episode, SimConfig, load_donors, simulate


@pytest.fixture(scope="module")
def cohort(depresjon: Path) -> Cohort:
    return simulate(
        load_donors(depresjon), 8, seed=5, config=SimConfig(days=90, onset_range=(55, 70))
    )


def test_same_seed_same_cohort(depresjon: Path, cohort: Cohort) -> None:
    again = simulate(
        load_donors(depresjon), 8, seed=5, config=SimConfig(days=90, onset_range=(55, 70))
    )
    np.testing.assert_array_equal(cohort.inputs.values["mood"], again.inputs.values["mood"])
    assert cohort.episodes == again.episodes


def test_cohort_has_real_actigraphy_features_and_gaps(cohort: Cohort) -> None:
    v, c = cohort.inputs.values, cohort.inputs.completeness
    assert cohort.inputs.shape == (8, 90)
    assert {"activity_counts", "sleep_minutes", "rhythm_is", "mood", "checkin", "phq9"} <= set(v)
    assert (c["actigraphy"] == 0).any() and (c["actigraphy"] > 0.95).mean() > 0.6
    hours = v["sleep_minutes"][~np.isnan(v["sleep_minutes"])] / 60
    assert 5 < np.median(hours) < 10


def test_episode_onset_is_the_half_way_day() -> None:
    ep = Episode(start=50, ramp_days=10, size=1.0, domains=("mood", "sleep"), sleep_kind="short")
    ramp = ep.ramp(80)
    assert ep.onset == 55 and ramp[49] == 0 and ramp[54] == pytest.approx(0.5) and ramp[59] == 1.0
    assert Episode(60, 0, 1.0, ("mood",), "short").ramp(80)[60] == 1.0


def test_scoring_counts_hits_delays_and_false_alerts() -> None:
    config = SimConfig(days=100, burn_in=40)
    eps = [Episode(60, 0, 1.0, ("mood",), "short"), Episode(60, 10, 1.0, ("mood",), "short"), None]
    cohort = Cohort(None, eps, ["a", "b", "c"], config)  # type: ignore[arg-type]
    alerts = np.zeros((3, 100), bool)
    alerts[0, 63] = True  # 3 days after onset
    alerts[1, 62] = True  # during the ramp, before the onset (day 65): early, not false
    alerts[1, 45] = True  # before the change started: false
    alerts[2, [50, 80]] = True  # no episode: both false
    alerts[2, 20] = True  # during burn-in: not counted
    m = evaluate(alerts, cohort)
    assert m["sensitivity_7d"] == 1.0 and m["median_delay_days"] == 0.0  # delays 3 and -3
    assert m["false_alerts"] == 3
    exposure_months = ((60 - 40) + (60 - 40) + (100 - 40)) / 30.44
    assert m["false_alerts_per_client_month"] == pytest.approx(3 / exposure_months, rel=1e-3)
