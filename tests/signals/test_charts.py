"""Charts: missing days are gaps with a mark, never zero, and the summary says so in words."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mindbridge.signals.charts import line_chart, spans

START = date(2026, 3, 1)


def test_missing_days_break_the_line_and_are_named() -> None:
    days = [START + timedelta(days=i) for i in range(6)]
    chart = line_chart(
        "sleep_h", "Sleep", days, [7.0, 7.5, None, None, 6.0, 8.0], fmt=lambda v: f"{v:.1f} h"
    )
    assert len(chart.segments) == 2 and len(chart.points) == 4 and len(chart.missing) == 2
    assert "data on 4 of 6 days" in chart.summary
    assert "Missing (no data, not zero): Tue 3 Mar to Wed 4 Mar" in chart.summary
    assert chart.y_bottom_label == "6.0 h"  # the axis is the data's, not pulled down to zero
    assert all(m.label.endswith("no data") for m in chart.missing)


def test_a_series_with_no_data_says_so() -> None:
    days = [START, START + timedelta(days=1)]
    chart = line_chart("steps", "Steps", days, [None, None], fmt=str)
    assert not chart.has_data and "no data on any of the 2 days" in chart.summary


def test_threshold_line_is_on_the_axis() -> None:
    chart = line_chart(
        "score",
        "Score",
        [START],
        [0.2],
        fmt=str,
        low=0,
        high=1,
        threshold=0.5,
        threshold_label="alert line",
    )
    assert chart.threshold_y is not None
    assert chart.plot_top < chart.threshold_y < chart.plot_bottom


@given(st.lists(st.one_of(st.none(), st.floats(0, 1e5)), min_size=1, max_size=60))
def test_every_day_is_a_point_or_a_missing_mark(values: list[float | None]) -> None:
    days = [START + timedelta(days=i) for i in range(len(values))]
    chart = line_chart("x", "X", days, values, fmt=lambda v: f"{v:.0f}")
    assert len(chart.points) + len(chart.missing) == len(values)
    assert len(chart.missing) == sum(v is None for v in values)
    drawn = sum(len(s.split()) for s in chart.segments)
    assert drawn == len(chart.points)
    for p in chart.points:
        assert chart.plot_top - 0.1 <= p.y <= chart.plot_bottom + 0.1


@given(st.sets(st.integers(0, 40)))
def test_spans_cover_exactly_the_days(offsets: set[int]) -> None:
    days = sorted(START + timedelta(days=i) for i in offsets)
    runs = spans(days)
    covered = [a + timedelta(days=k) for a, b in runs for k in range((b - a).days + 1)]
    assert covered == days
