"""Trajectory views: reliable-change markers by direction, the text summary a screen reader gets,
and chart geometry that stays inside the plot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.assessments.definitions import default_registry
from mindbridge.assessments.scoring import score
from mindbridge.assessments.trajectories import (
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Point,
    build,
    reliable_threshold,
)

REGISTRY = default_registry()
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _points(instrument: str, totals: list[int | None]) -> list[Point]:
    definition = REGISTRY.get(instrument)
    points = []
    for k, total in enumerate(totals):
        band = definition.band_for(total).label if total is not None else None
        points.append(Point(f"s{k}", T0 + timedelta(days=14 * k), total, band))
    return points


def test_thresholds_come_from_the_definitions() -> None:
    assert reliable_threshold(REGISTRY.get("PHQ-9"))[0] == 6
    assert reliable_threshold(REGISTRY.get("GAD-7"))[0] == 4
    assert reliable_threshold(REGISTRY.get("K10")) == (None, "")


def test_phq9_markers_and_summary() -> None:
    t = build(REGISTRY.get("PHQ-9"), _points("PHQ-9", [18, 14, 13, 12, None, 7]))
    assert [p.marker for p in t.points] == ["", "", "", "improved", "", "improved"]
    assert [p.change for p in t.points] == [0, -4, -5, -6, None, -11]
    assert t.outcome == "improved" and len(t.scored) == 5
    assert t.summary == (
        "PHQ-9: 5 scores from 6 Jan 2025 to 17 Mar 2025. First 18 (Moderately severe), latest 7 "
        "(Mild). Down 11 points since the first score. Lower scores are better. That is a "
        "reliable improvement (a change of 6 points or more counts as reliable)."
    )
    worse = build(REGISTRY.get("GAD-7"), _points("GAD-7", [5, 9]))
    assert worse.outcome == "deteriorated" and "reliable deterioration" in worse.summary


def test_summaries_without_threshold_or_scores() -> None:
    k10 = build(REGISTRY.get("K10"), _points("K10", [30, 18]))
    assert k10.outcome == "" and "No reliable-change threshold is set" in k10.summary
    assert build(REGISTRY.get("PHQ-9"), []).summary == "PHQ-9: no scores yet."
    late = [Point("w", T0.replace(hour=2), 12, "Low")]  # 21:00 the day before in New York
    one = build(REGISTRY.get("WHO-5"), late, timezone="America/New_York")
    assert one.summary == "WHO-5: one score so far, 12 out of 25 (Low) on 5 Jan 2025."


def test_self_harm_answers_are_labelled_in_text() -> None:
    definition = REGISTRY.get("PHQ-9")
    flags = score(definition, [0, 0, 0, 0, 0, 0, 0, 0, 1]).flags
    t = build(definition, [Point("a", T0, 1, "Minimal", flags)])
    assert t.points[0].safety_text == "item 9 above 0"


@given(st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=12))
def test_chart_points_stay_inside_the_plot(totals: list[int]) -> None:
    t = build(REGISTRY.get("PHQ-9"), _points("PHQ-9", list(totals)))
    for p in t.scored:
        assert LEFT <= p.x <= WIDTH - RIGHT
        assert TOP <= p.y <= HEIGHT
    tops = [b.y_top for b in t.bands]
    assert tops == sorted(tops, reverse=True)  # higher bands sit higher on the chart
