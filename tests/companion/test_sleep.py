"""Sleep diary arithmetic and the sleep-restriction window: hand-checked cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.companion.sleep import (
    DAY,
    adjust_window,
    diary_night,
    pooled_efficiency,
    sleep_efficiency,
    sleep_window,
)


def night(tst: int, tib: int = 480, date: str | None = None) -> dict[str, object]:
    return {"tst_min": tst, "tib_min": tib, "date": date}


def test_a_diary_night_by_hand() -> None:
    # in bed 23:00, 45 min to fall asleep, 60 min awake, last woke 06:30, up 07:00
    n = diary_night(23 * 60, 45, 60, 6 * 60 + 30, 7 * 60, "2026-03-02")
    # in bed 8 h = 480; asleep span 23:00-06:30 = 450, minus 105 = 345; 345/480 = 0.71875
    assert n == {
        "date": "2026-03-02",
        "bedtime": 1380,
        "wake": 390,
        "out_of_bed": 420,
        "tib_min": 480,
        "tst_min": 345,
        "efficiency": 0.7188,
    }


def test_slips_in_a_diary_are_clipped_not_refused() -> None:
    # final wake "after" getting up counts as getting up; sleep never negative
    n = diary_night(23 * 60, 600, 0, 8 * 60, 7 * 60)
    assert n["tst_min"] == 0 and n["tib_min"] == 480 and n["efficiency"] == 0.0
    assert diary_night(0, 0, 0, 0, 0)["efficiency"] is None


def test_first_window_by_hand() -> None:
    # seven nights averaging 6 h 07 min asleep -> rounds to 6 h; wake 06:30 -> bed 00:30
    nights = [night(t) for t in (360, 370, 365, 350, 380, 360, 385)]
    w = sleep_window(nights, 6 * 60 + 30)
    assert w is not None
    assert w["mean_tst_min"] == 367 and w["tib_min"] == 360
    assert w["bedtime"] == 30 and w["wake"] == 390
    assert w["efficiency"] == round(2570 / 3360, 4)


def test_floor_of_five_hours_holds() -> None:
    # averaging 4 h asleep still gives 5 h in bed: wake 07:00 -> bed 02:00
    w = sleep_window([night(240)] * 7, 7 * 60)
    assert w is not None and w["tib_min"] == 300 and w["bedtime"] == 120
    w = sleep_window([night(240)] * 7, 7 * 60, floor_hours=5.5)
    assert w is not None and w["tib_min"] == 330


def test_window_needs_seven_nights_and_uses_the_latest_fourteen() -> None:
    assert sleep_window([night(400)] * 6, 420) is None
    old = [night(200, date=f"2026-01-{d:02d}") for d in range(1, 11)]
    recent = [night(420, date=f"2026-02-{d:02d}") for d in range(1, 15)]
    w = sleep_window(old + recent, 420)
    assert w is not None and w["nights"] == 14 and w["tib_min"] == 420


def test_weekly_adjustment_by_hand() -> None:
    window = {"bedtime": 60, "wake": 420, "tib_min": 360, "floor_min": 300, "set_on": "2026-03-02"}
    week = [night(330, 360, f"2026-03-{d:02d}") for d in range(3, 10)]  # 91.7%
    up = adjust_window(window, week)
    assert (up["change_min"], up["tib_min"], up["bedtime"], up["reason"]) == (
        15,
        375,
        45,
        "efficiency_high",
    )
    down = adjust_window(window, [night(270, 360, f"2026-03-{d:02d}") for d in range(3, 10)])  # 75%
    assert (down["change_min"], down["bedtime"], down["reason"]) == (-15, 75, "efficiency_low")
    same = adjust_window(
        window, [night(295, 360, f"2026-03-{d:02d}") for d in range(3, 10)]
    )  # 81.9%
    assert (same["change_min"], same["reason"]) == (0, "efficiency_in_range")
    floor = adjust_window({**window, "tib_min": 300}, [night(200, 300, "2026-03-05")] * 7)
    assert (floor["change_min"], floor["tib_min"], floor["reason"]) == (0, 300, "at_floor")
    # nights before the window was set do not count
    few = adjust_window(
        window, [night(330, 360, "2026-02-20")] * 7 + [night(330, 360, "2026-03-05")]
    )
    assert few["reason"] == "not_enough_nights" and few["change_min"] == 0


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        sleep_window([night(400)] * 7, 1440)
    with pytest.raises(ValueError):
        sleep_window([night(400)] * 7, 420, floor_hours=0)
    with pytest.raises(ValueError):
        adjust_window({"tib_min": 360, "wake": 420}, [], raise_at=0.7, lower_below=0.8)


clock = st.integers(min_value=0, max_value=DAY - 1)
durations = st.integers(min_value=0, max_value=DAY - 1)
nights_strategy = st.lists(
    st.builds(
        lambda tib, frac: night(int(tib * frac), tib),
        st.integers(min_value=1, max_value=DAY - 1),
        st.floats(min_value=0, max_value=1),
    ),
    min_size=7,
    max_size=20,
)


@given(nights_strategy, clock, st.floats(min_value=3, max_value=8))
def test_window_properties(nights: list[dict[str, object]], wake: int, floor_hours: float) -> None:
    w = sleep_window(nights, wake, floor_hours=floor_hours)
    assert w is not None
    floor = round(floor_hours * 60)
    assert w["tib_min"] >= floor  # floor respected
    assert 0 < w["tib_min"] < DAY  # within 24 h
    assert 0 <= w["bedtime"] < DAY
    assert (w["bedtime"] + w["tib_min"]) % DAY == wake  # counted back from the wake time
    assert w["tib_min"] % 15 == 0 or w["tib_min"] == floor
    # never more than the mean sleep rounded to the nearest 15 minutes (unless the floor)
    assert w["tib_min"] <= max(floor, w["mean_tst_min"] + 8)


@given(nights_strategy, clock, st.integers(min_value=300, max_value=600))
def test_adjustment_properties(nights: list[dict[str, object]], wake: int, tib: int) -> None:
    window = {"bedtime": (wake - tib) % DAY, "wake": wake, "tib_min": tib, "floor_min": 300}
    new = adjust_window(window, nights)
    assert new["change_min"] in (-15, 0, 15)
    assert new["tib_min"] >= 300 and new["wake"] == wake
    assert (new["bedtime"] + new["tib_min"]) % DAY == wake


@given(clock, durations, durations, clock, clock)
def test_diary_night_properties(bed: int, latency: int, awake: int, wake: int, out: int) -> None:
    n = diary_night(bed, latency, awake, wake, out)
    assert 0 <= n["tst_min"] <= n["tib_min"] < DAY
    if n["efficiency"] is not None:
        assert 0.0 <= n["efficiency"] <= 1.0


@given(st.floats(min_value=0, max_value=2000), st.floats(min_value=-10, max_value=2000))
def test_efficiency_is_a_fraction_or_none(tst: float, tib: float) -> None:
    value = sleep_efficiency(tst, tib)
    assert value is None if tib <= 0 else 0.0 <= value <= 1.0


def test_pooled_efficiency_weights_by_time_in_bed() -> None:
    assert pooled_efficiency([night(100, 200), night(300, 300)]) == 0.8
    assert pooled_efficiency([]) is None
