"""The featuriser: documented, fixed order, missing data flagged rather than read as bad."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mindbridge.recommender.context import CheckIn, Context, PastExercise, Wearable
from mindbridge.recommender.features import FEATURE_NAMES, featurise, summarise, time_of_day

from .strategies import NOW

DOC = Path(__file__).resolve().parents[2] / "docs" / "recommender.md"


def _vec(context: Context) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, featurise(context, NOW).tolist(), strict=True))


def test_empty_context_sets_every_missing_flag() -> None:
    v = _vec(Context())
    missing = [n for n in FEATURE_NAMES if n.endswith("_missing")]
    assert len(missing) >= 14
    assert all(v[n] == 1.0 for n in missing)
    assert v["mood_mean_7d"] == 0.5  # neutral, not "low"
    assert v["days_since_exercise"] == 1.0


def test_values_are_scaled_as_documented() -> None:
    context = Context(
        questionnaires={"phq9": 27, "gad7": 10.5},
        checkins=(
            CheckIn(NOW - timedelta(days=2), mood=2, anxiety=8, sleep_hours=4),
            CheckIn(NOW - timedelta(days=1), mood=4, anxiety=6, sleep_hours=7),
            CheckIn(NOW - timedelta(hours=1), mood=6, anxiety=4, sleep_hours=10),
            CheckIn(NOW - timedelta(days=30), mood=0, anxiety=10, sleep_hours=2),  # too old
        ),
        themes=frozenset({"sleep"}),
        wearable=Wearable(activity_z=-6.0),
        local_hour=21,
        recent_exercises=(
            PastExercise("sleep_diary", NOW - timedelta(days=3), True, helpfulness=5),
            PastExercise("worry_time", NOW - timedelta(days=1), False),
        ),
    )
    v = _vec(context)
    assert v["phq9"] == 1.0 and v["phq9_missing"] == 0.0
    assert v["gad7"] == pytest.approx(0.5)
    assert v["mood_mean_7d"] == pytest.approx(0.4)
    assert v["mood_last"] == pytest.approx(0.6)
    assert v["mood_trend"] > 0
    assert v["anxiety_last"] == pytest.approx(0.4)
    assert v["sleep_mean_7d"] == pytest.approx(0.0)
    assert v["sleep_last"] == pytest.approx(1.0)
    assert v["checkins_7d"] == pytest.approx(3 / 7)
    assert v["theme_sleep"] == 1.0 and v["theme_worry"] == 0.0
    assert v["activity_z"] == -1.0
    assert v["tod_evening"] == 1.0 and v["tod_morning"] == 0.0
    assert v["completion_rate_14d"] == 0.5
    assert v["helpfulness_mean"] == 1.0
    assert v["days_since_exercise"] == pytest.approx(1 / 14)


def test_wearable_sleep_fills_in_when_no_check_in_sleep() -> None:
    s = summarise(Context(wearable=Wearable(sleep_hours_mean=5.5)), NOW)
    assert s.sleep_source == "wearable" and s.sleep_mean == 5.5
    assert _vec(Context(wearable=Wearable(sleep_hours_mean=5.5)))["sleep_missing"] == 1.0


@pytest.mark.parametrize(
    ("hour", "bucket"),
    [(None, None), (5, "morning"), (12, "afternoon"), (18, "evening"), (2, "night")],
)
def test_time_of_day_buckets(hour: int | None, bucket: str | None) -> None:
    assert time_of_day(hour) == bucket


def test_every_feature_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    undocumented = [n for n in FEATURE_NAMES if f"`{n}`" not in text]
    assert not undocumented


def test_context_round_trips_through_json() -> None:
    context = Context(
        questionnaires={"phq9": 12},
        checkins=(CheckIn(NOW, mood=3.5),),
        themes=frozenset({"worry"}),
        recent_exercises=(PastExercise("sleep_diary", NOW, True, 4, 3.0, 4.5),),
        clinical_flags=frozenset({"sleep_apnoea"}),
        local_hour=7,
    )
    assert Context.from_dict(context.to_dict()) == context
