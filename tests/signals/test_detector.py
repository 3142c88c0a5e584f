"""Detector behaviour on constructed series: a clear drop is caught, missing data is not a drop."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from mindbridge.signals.daily import DailyInputs
from mindbridge.signals.detector import DetectorConfig, assess
from mindbridge.signals.explain import data_notices, explain, number_word
from mindbridge.signals.features import compute_features

DAYS = 120
ONSET = 90


def person(seed: int = 1, drop: bool = False, outage: tuple[int, int] | None = None) -> DailyInputs:
    rng = np.random.default_rng(seed)
    sleep = rng.normal(450, 30, DAYS)
    onset = rng.normal(-0.8, 0.3, DAYS)
    steps = rng.lognormal(np.log(8000), 0.2, DAYS)
    mood = np.clip(np.round(rng.normal(7, 0.8, DAYS)), 0, 10)
    checkin = (rng.random(DAYS) < 0.9).astype(float)
    if drop:
        sleep[ONSET:] -= 110
        onset[ONSET:] += 1.5
        steps[ONSET:] *= 0.6
        mood[ONSET:] -= 2
        checkin[ONSET:] = (rng.random(DAYS - ONSET) < 0.5).astype(float)
    mood[checkin == 0] = np.nan
    sleep_complete = np.ones(DAYS)
    steps_complete = np.ones(DAYS)
    if outage:
        sleep_complete[outage[0] : outage[1]] = 0.0
        steps_complete[outage[0] : outage[1]] = 0.0
    values = {
        "sleep_minutes": sleep,
        "sleep_onset_h": onset,
        "sleep_midpoint_h": onset + sleep / 120,
        "steps": steps,
        "mood": mood,
        "checkin": checkin,
    }
    return DailyInputs(
        date(2024, 1, 1),
        {k: v[None, :] for k, v in values.items()},
        {"sleep": sleep_complete[None, :], "steps": steps_complete[None, :]},
    )


def test_a_clear_drop_is_caught_within_a_week() -> None:
    inputs = person(drop=True)
    score = assess(compute_features(inputs)).score[0]
    assert score[50:ONSET].max() < 0.5
    first = ONSET + int(np.argmax(score[ONSET:] >= 0.5))
    assert score[first] >= 0.5 and first - ONSET <= 7


def test_a_sync_outage_is_missing_data_not_a_drop() -> None:
    inputs = person(outage=(70, 84))
    assessment = assess(compute_features(inputs))
    assert assessment.score[0, 40:].max() < 0.5
    notices = data_notices(inputs, 0, 73)
    assert {n.source for n in notices} == {"sleep", "steps"}
    sleep = next(n for n in notices if n.source == "sleep")
    assert sleep.since == date(2024, 3, 11)  # day 70
    assert "sync" in sleep.nudge.lower() and "missing" in sleep.message
    assert data_notices(inputs, 0, 60) == []


def test_no_baseline_yet_means_no_evidence() -> None:
    assessment = assess(compute_features(person(drop=True)))
    assert np.isnan(assessment.z[0, :10]).all()
    floor = 1 / (1 + np.exp(DetectorConfig().bias))  # the score with no evidence at all
    assert assessment.score[0, :17] == pytest.approx(floor)  # a baseline needs 10 days + the gap


def test_the_explanation_uses_the_persons_own_numbers() -> None:
    inputs = person(drop=True)
    assessment = assess(compute_features(inputs))
    early = explain(assessment, 0, ONSET + 4, inputs=inputs).text
    assert "steps down" in early and "mood 1." in early and "points below usual" in early
    text = explain(assessment, 0, ONSET + 12, inputs=inputs).text
    assert "h below usual on 7 of the last 7 nights" in text or "h later than usual on" in text
    assert "steps down 3" in text and "missed check-in" in text
    calmest = 40 + int(np.argmin(assessment.score[0, 40:ONSET]))
    quiet = explain(assessment, 0, calmest, inputs=inputs)
    assert quiet.text == "no change from usual" and quiet.score < 0.5


def test_explanation_dict_is_storable() -> None:
    inputs = person(drop=True)
    data = explain(assess(compute_features(inputs)), 0, ONSET + 7, inputs=inputs).to_dict()
    assert data["day"] == "2024-04-07" and isinstance(data["findings"], list)
    assert {"feature", "group", "evidence", "text"} <= set(data["findings"][0])


def test_one_bad_night_does_not_alert() -> None:
    inputs = person()
    inputs.values["sleep_minutes"][0, 80] = 150
    inputs.values["mood"][0, 81] = 3
    score = assess(compute_features(inputs)).score[0]
    assert score[40:].max() < 0.5


def test_clients_are_independent() -> None:
    a, b = person(1, drop=True), person(2)
    both = DailyInputs(
        a.start,
        {k: np.concatenate([a.values[k], b.values[k]]) for k in a.values},
        {k: np.concatenate([a.completeness[k], b.completeness[k]]) for k in a.completeness},
    )
    together = assess(compute_features(both)).score
    alone = assess(compute_features(a)).score
    np.testing.assert_allclose(together[0], alone[0], rtol=1e-6)


def test_a_higher_bias_is_more_conservative() -> None:
    features = compute_features(person(drop=True))
    loose = assess(features).score[0]
    strict = assess(features, DetectorConfig(bias=DetectorConfig().bias + 2.0)).score[0]
    assert (strict <= loose + 1e-12).all() and strict[ONSET + 7] < loose[ONSET + 7]


def modest_drift() -> DailyInputs:
    """Mood and steps slide by about one SD over three weeks: small for the fast CUSUM."""
    inputs = person(2)
    ramp = np.clip((np.arange(DAYS) - ONSET + 10) / 21, 0, 1)
    inputs.values["mood"][0] -= 1.2 * ramp
    inputs.values["steps"][0] *= np.exp(-0.3 * ramp)
    return inputs


def test_the_slow_cusum_accumulates_a_modest_drift() -> None:
    features = compute_features(modest_drift())
    fast = assess(features, DetectorConfig(slow_weight=0.0)).evidence_dgn.sum(axis=1)[:, 0]
    both = assess(features).evidence_dgn.sum(axis=1)[:, 0]
    late, early = slice(ONSET + 7, ONSET + 20), slice(40, ONSET - 10)
    assert fast[late].mean() < 1.0  # the fast CUSUM barely sees it
    added = both - fast
    assert added[late].mean() > 2.0 and added[late].mean() > 3 * added[early].mean()


def test_without_the_slow_cusum_the_fast_one_is_unchanged() -> None:
    features = compute_features(person(drop=True))
    a = assess(features, DetectorConfig(slow_weight=0.0))
    b = assess(features, DetectorConfig(slow_weight=0.0, slow_k=0.1, slow_z_clip=3.0))
    np.testing.assert_array_equal(a.evidence_dgn, b.evidence_dgn)
    mood = a.features.index("mood")
    assert (a.side[0, ONSET + 5 :, mood] == -1).all()  # the evidence is for "lower"


@pytest.mark.parametrize(("n", "word"), [(0, "no"), (2, "two"), (12, "12")])
def test_number_words(n: int, word: str) -> None:
    assert number_word(n) == word
