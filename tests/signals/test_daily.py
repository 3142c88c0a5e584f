"""Daily aggregation: completeness, missing is missing, DST days, several sources."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from mindbridge.signals.clock import day_length_minutes
from mindbridge.signals.daily import daily_from_observations
from mindbridge.signals.ingest_actigraphy import parse_actigraphy_csv
from mindbridge.signals.ingest_generic import parse_generic_csv

TZ = "Europe/Oslo"


def _actigraphy(start: datetime, minutes: int, value: int = 200) -> bytes:
    rows = ["timestamp,date,activity"]
    zone = ZoneInfo(TZ)
    utc0 = start.replace(tzinfo=zone).timestamp()
    for i in range(minutes):
        wall = datetime.fromtimestamp(utc0 + 60 * i, zone)
        rows.append(
            f"{wall:%Y-%m-%d %H:%M:%S},{wall:%Y-%m-%d},{value if 7 <= wall.hour < 23 else 0}"
        )
    return ("\n".join(rows) + "\n").encode()


def test_clock_change_days_have_their_own_length() -> None:
    zone = ZoneInfo(TZ)
    assert day_length_minutes(date(2024, 3, 31), zone) == 1380
    assert day_length_minutes(date(2024, 10, 27), zone) == 1500
    assert day_length_minutes(date(2024, 6, 1), zone) == 1440


def test_full_spring_forward_day_is_complete() -> None:
    batch = parse_actigraphy_csv(_actigraphy(datetime(2024, 3, 30), 3 * 1440), TZ).require_ok()
    inputs = daily_from_observations(batch, TZ, date(2024, 3, 30), date(2024, 4, 1))
    assert inputs.completeness["actigraphy"][0].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_partial_and_absent_days_are_incomplete_not_low() -> None:
    batch = parse_actigraphy_csv(_actigraphy(datetime(2024, 6, 1, 12), 1440), TZ).require_ok()
    inputs = daily_from_observations(batch, TZ, date(2024, 6, 1), date(2024, 6, 3))
    comp = inputs.completeness["actigraphy"][0]
    assert comp[0] == pytest.approx(0.5) and comp[1] == pytest.approx(0.5) and comp[2] == 0.0
    assert np.isnan(inputs.values["activity_counts"][0, 2])  # no data: missing, not zero


def test_steps_from_two_devices_are_not_double_counted() -> None:
    rows = ["timestamp,stream,value,unit,end,source"]
    for h in range(8, 20):
        rows.append(f"2024-06-01 {h:02d}:00,steps,500,count,2024-06-01 {h:02d}:30,phone")
        rows.append(f"2024-06-01 {h:02d}:00,steps,450,count,2024-06-01 {h:02d}:30,watch")
    batch = parse_generic_csv("\n".join(rows).encode(), TZ).require_ok()
    inputs = daily_from_observations(batch, TZ, date(2024, 6, 1), date(2024, 6, 2))
    assert inputs.values["steps"][0, 0] == 6000
    assert np.isnan(inputs.values["steps"][0, 1])
    assert inputs.completeness["steps"][0].tolist() == pytest.approx([12 / 16, 0.0])


def test_overlapping_sleep_records_are_merged_and_timed() -> None:
    rows = [
        "timestamp,stream,value,unit,end,source",
        "2024-06-01 23:00,sleep_minutes,420,min,2024-06-02 06:00,watch",
        "2024-06-01 23:30,sleep_minutes,450,min,2024-06-02 07:00,phone",
    ]
    batch = parse_generic_csv("\n".join(rows).encode(), TZ).require_ok()
    inputs = daily_from_observations(batch, TZ, date(2024, 6, 1), date(2024, 6, 3))
    v = inputs.values
    assert v["sleep_minutes"][0, 1] == 480  # 23:00-07:00 once, not 420 + 450
    assert v["sleep_onset_h"][0, 1] == pytest.approx(-1.0)
    assert v["wake_h"][0, 1] == pytest.approx(7.0)
    assert v["sleep_midpoint_h"][0, 1] == pytest.approx(3.0, abs=1 / 60)  # minute resolution
    assert inputs.completeness["sleep"][0].tolist() == [0.0, 1.0, 0.0]


def test_self_report_series_must_match_the_days() -> None:
    batch = parse_generic_csv(
        b"timestamp,stream,value,unit\n2024-06-01 10:00,steps,5,count\n", TZ
    ).require_ok()
    mood = np.array([7.0, np.nan])
    inputs = daily_from_observations(
        batch, TZ, date(2024, 6, 1), date(2024, 6, 2), self_report={"mood": mood}
    )
    assert inputs.values["mood"][0, 0] == 7.0
    with pytest.raises(ValueError):
        daily_from_observations(
            batch, TZ, date(2024, 6, 1), date(2024, 6, 3), self_report={"mood": mood}
        )
    with pytest.raises(ValueError):
        daily_from_observations(
            batch, TZ, date(2024, 6, 1), date(2024, 6, 2), self_report={"vibes": mood}
        )


def test_days_before_first_are_ignored() -> None:
    batch = parse_actigraphy_csv(_actigraphy(datetime(2024, 6, 1), 3 * 1440), TZ).require_ok()
    inputs = daily_from_observations(
        batch, TZ, date(2024, 6, 2), date(2024, 6, 2) + timedelta(days=0)
    )
    assert inputs.shape == (1, 1) and inputs.completeness["actigraphy"][0, 0] == pytest.approx(1.0)


def test_minute_grid_sums_short_epochs_and_averages_the_repeated_hour() -> None:
    from mindbridge.signals.daily import minute_grid

    rows = [
        "timestamp,stream,value,unit,end",
        "2024-06-01T10:00:00Z,activity,10,counts,2024-06-01T10:00:30Z",
        "2024-06-01T10:00:30Z,activity,20,counts,2024-06-01T10:01:00Z",
        # 02:30 local happens twice on 27 Oct: at 00:30 UTC (CEST) and 01:30 UTC (CET)
        "2024-10-27T00:30:00Z,activity,100,counts,",
        "2024-10-27T01:30:00Z,activity,300,counts,",
    ]
    batch = parse_generic_csv("\n".join(rows).encode(), TZ).require_ok()
    june = minute_grid(batch, TZ, date(2024, 6, 1), 1)
    assert june[0, 12 * 60] == 30  # 10:00 UTC is 12:00 in Oslo in summer
    october = minute_grid(batch, TZ, date(2024, 10, 27), 1)
    assert october[0, 2 * 60 + 30] == 200
