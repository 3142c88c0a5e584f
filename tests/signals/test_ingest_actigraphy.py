"""Minute actigraphy (Depresjon layout): real files, date-order detection, broken rows, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.signals.ingest_actigraphy import detect_date_order, parse_actigraphy_csv

TZ = "Europe/Oslo"


def _file(rows: list[str], header: str = "timestamp,date,activity") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _minutes(
    start: datetime, n: int, fmt: str = "%Y-%m-%d %H:%M:%S", date_fmt: str = "%Y-%m-%d"
) -> list[str]:
    moments = [start + timedelta(minutes=i) for i in range(n)]
    return [f"{t.strftime(fmt)},{t.strftime(date_fmt)},{i % 50}" for i, t in enumerate(moments)]


def test_real_condition_file_with_day_first_date_column(depresjon: Path) -> None:
    result = parse_actigraphy_csv(depresjon / "condition" / "condition_1.csv", TZ)
    assert result.ok, result.summary()
    batch = result.observations
    assert len(batch) == 23244
    assert datetime.fromtimestamp(int(batch.start_s[0]), UTC) == datetime(
        2003, 5, 7, 10, 0, tzinfo=UTC
    )
    assert set(np.diff(batch.start_s).tolist()) == {60}
    assert result.stats["epoch_seconds"] == 60


def test_real_control_file_with_day_first_timestamps_crosses_the_spring_gap(
    depresjon: Path,
) -> None:
    # 18/3/2003 - 23/4/2003 in Norway: the wall clock skips 02:00-02:59 on 30 March
    result = parse_actigraphy_csv(depresjon / "control" / "control_1.csv", TZ)
    assert result.ok, result.summary()
    assert len(result.observations) == 51611
    assert set(np.diff(result.observations.start_s).tolist()) == {60}  # continuous in UTC


def test_every_depresjon_file_parses_cleanly(depresjon: Path) -> None:
    total = 0
    for path in sorted(depresjon.glob("*/*.csv")):
        result = parse_actigraphy_csv(path, TZ)
        assert result.ok, (path.name, result.summary())
        total += len(result.observations)
    assert total == 1_571_706


def test_date_order_is_detected_from_evidence() -> None:
    assert detect_date_order(["18/3/2003", "19/3/2003"])("18/3/2003") == detect_date_order(
        ["2003-03-18"]
    )("2003-03-18")
    assert detect_date_order(["3/18/2003", "3/19/2003"])("3/18/2003") == detect_date_order(
        ["2003-03-18"]
    )("2003-03-18")
    # ambiguous throughout: the reading in which consecutive dates advance one day wins
    month_first = detect_date_order(["3/11/2003", "3/12/2003", "3/13/2003"])
    assert month_first("3/12/2003") == detect_date_order(["2003-03-12"])("2003-03-12")
    day_first = detect_date_order(["11/3/2003", "12/3/2003", "13/3/2003"])
    assert day_first("12/3/2003") == detect_date_order(["2003-03-12"])("2003-03-12")


def test_broken_rows_are_each_rejected_with_a_reason() -> None:
    rows = _minutes(datetime(2003, 5, 7, 12, 0), 6)
    rows[1] = "2003-05-07 12:01:00,2003-05-07,-4"
    rows[2] = "2003-05-07 12:02:00,2003-05-07,many"
    rows[3] = "2003-13-07 12:03:00,2003-13-07,5"
    rows[4] = "2003-05-07 12:04:00,2003-05-08,5"
    rows.append("2003-05-07 12:05:00,2003-05-07,7")  # same minute as the last row, other count
    rows.append("2003-05-07 12:09")
    result = parse_actigraphy_csv(_file(rows), TZ)
    reasons = {r.line: r.reason for r in result.rejected}
    assert reasons[3] == "negative activity count"
    assert "not a number" in reasons[4]
    assert "unreadable timestamp" in reasons[5]
    assert "disagrees" in reasons[6]
    assert "repeats the minute" in reasons[8]
    assert reasons[9] == "too few fields"
    assert len(result.observations) == 2 and not result.ok


def test_exact_repeats_are_dropped_not_rejected() -> None:
    rows = _minutes(datetime(2003, 5, 7, 12, 0), 3)
    result = parse_actigraphy_csv(_file([*rows, rows[1]]), TZ)
    assert result.ok and result.stats["duplicates_dropped"] == 1 and len(result.observations) == 3


def test_autumn_repeated_hour_is_resolved_by_order() -> None:
    # 26 Oct 2003: 02:59 CEST is followed by 02:00 CET; wall minutes 02:00-02:59 appear twice
    start = datetime(2003, 10, 26, 0, 0, tzinfo=UTC)  # 02:00 CEST
    rows = []
    for i in range(240):
        moment = (start + timedelta(minutes=i)).astimezone(_zone())
        rows.append(f"{moment:%Y-%m-%d %H:%M:%S},{moment:%Y-%m-%d},{i}")
    result = parse_actigraphy_csv(_file(rows), TZ)
    assert result.ok, result.summary()
    assert np.array_equal(result.observations.start_s, int(start.timestamp()) + 60 * np.arange(240))


def test_spring_gap_minutes_are_rejected() -> None:
    rows = _minutes(datetime(2003, 3, 30, 1, 58), 4)  # 01:58 .. 02:01, wall-clock naive
    result = parse_actigraphy_csv(_file(rows), TZ)
    assert [r.line for r in result.rejected] == [4, 5]
    assert all("does not exist" in r.reason for r in result.rejected)


def test_unknown_layout_is_fatal() -> None:
    assert parse_actigraphy_csv(b"time,counts\n1,2\n", TZ).fatal
    assert parse_actigraphy_csv(b"", TZ).fatal


def test_dedup_keys_are_stable_across_imports(depresjon: Path) -> None:
    path = depresjon / "condition" / "condition_8.csv"
    a = parse_actigraphy_csv(path, TZ).observations
    b = parse_actigraphy_csv(path.read_bytes(), TZ).observations
    assert a.dedup_keys()[:500] == b.dedup_keys()[:500]
    assert len(set(a.dedup_keys())) == len(a)


@settings(max_examples=40, deadline=None)
@given(
    st.dates(min_value=date(2001, 1, 1), max_value=date(2010, 12, 1)),
    st.integers(min_value=2, max_value=300),
    st.sampled_from(["iso", "day_first"]),
    st.randoms(use_true_random=False),
)
def test_any_clean_recording_round_trips_in_any_row_order(
    day: date, n: int, style: str, rnd: object
) -> None:
    start = datetime(day.year, day.month, day.day, 12, 0)
    if style == "iso":
        rows = _minutes(start, n)
    else:
        rows = _minutes(start, n, "%d/%m/%Y %H:%M", "%d/%m/%Y")
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    ordered, mixed = (
        parse_actigraphy_csv(_file(rows), TZ),
        parse_actigraphy_csv(_file(shuffled), TZ),
    )
    assert ordered.ok and mixed.ok
    assert np.array_equal(ordered.observations.start_s, mixed.observations.start_s)
    assert len(ordered.observations) == n


def _zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZ)
