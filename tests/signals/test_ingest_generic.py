"""Generic long-format CSV/JSON: validation, rejected rows with reasons, time zones, dedup keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.signals.ingest_generic import parse_generic_csv, parse_generic_json

TZ = "Europe/Oslo"


def _csv(*rows: str, header: str = "timestamp,stream,value,unit,end") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


def test_valid_rows_become_canonical_observations() -> None:
    result = parse_generic_csv(
        _csv(
            "2024-01-05 10:00,steps,1200,count,",
            "2024-01-05 23:00,sleep_minutes,7.5,h,2024-01-06 07:00",
            "2024-01-06T06:30:00Z,heart_rate,58,count/min,",
            "2024-01-06 12:00,hrv_sdnn,0.045,s,",
        ),
        TZ,
    )
    assert result.ok, result.summary()
    rows = {o.stream: o for o in result.observations.records()}
    assert rows["steps"].start == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)  # CET is UTC+1
    assert rows["sleep_minutes"].value == 450.0 and rows["sleep_minutes"].unit == "min"
    assert rows["heart_rate"].start == datetime(2024, 1, 6, 6, 30, tzinfo=UTC)  # aware: kept
    assert abs(rows["hrv_sdnn"].value - 45.0) < 1e-9 and rows["hrv_sdnn"].unit == "ms"


def test_each_bad_row_is_rejected_with_its_line_and_reason() -> None:
    result = parse_generic_csv(
        _csv(
            "2024-01-05 10:00,steps,100,count,",
            "yesterday,steps,100,count,",
            "2024-01-05 11:00,steps,-5,count,",
            "2024-01-05 12:00,mood,5,score,",
            "2024-01-05 13:00,steps,5,furlongs,",
            "2024-01-05 14:00,steps,lots,count,",
            "2024-01-05 15:00,steps,5,count",
            "2024-01-05 16:00,sleep_minutes,600,min,2024-01-05 17:00",
        ),
        TZ,
    )
    assert not result.ok
    reasons = {r.line: r.reason for r in result.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9}
    assert "timestamp" in reasons[3]
    assert "below 0" in reasons[4]
    assert "unknown stream" in reasons[5]
    assert "unit" in reasons[6]
    assert "not a number" in reasons[7]
    assert "fields" in reasons[8]
    assert "do not fit" in reasons[9]
    assert len(result.observations) == 1  # the good row is still there for a lenient caller


def test_missing_header_column_is_fatal_and_nothing_is_returned() -> None:
    result = parse_generic_csv(
        _csv("2024-01-05 10:00,steps,1", header="timestamp,stream,value"), TZ
    )
    assert result.fatal and "unit" in result.fatal
    assert len(result.observations) == 0 and not result.ok


def test_spring_forward_gap_is_rejected_and_autumn_hour_reads_as_first_pass() -> None:
    result = parse_generic_csv(
        _csv("2024-03-31 02:30,steps,10,count,", "2024-10-27 02:30,steps,10,count,"), TZ
    )
    assert [r.line for r in result.rejected] == [2]
    assert "does not exist" in result.rejected[0].reason
    (obs,) = list(result.observations.records())
    assert obs.start == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST (UTC+2)


def test_same_zone_different_client_zone_changes_utc() -> None:
    oslo = parse_generic_csv(_csv("2024-06-01 08:00,steps,10,count,"), "Europe/Oslo")
    ny = parse_generic_csv(_csv("2024-06-01 08:00,steps,10,count,"), "America/New_York")
    assert int(ny.observations.start_s[0]) - int(oslo.observations.start_s[0]) == 6 * 3600


def test_reimport_gives_identical_keys_and_repeats_are_dropped() -> None:
    data = _csv("2024-01-05 10:00,steps,100,count,", "2024-01-05 10:00,steps,100,count,")
    first, second = parse_generic_csv(data, TZ), parse_generic_csv(data, TZ)
    assert first.ok and first.stats["duplicates_dropped"] == 1
    assert first.observations.dedup_keys() == second.observations.dedup_keys()
    assert len(first.observations) == 1


def test_conflicting_value_for_the_same_slot_is_rejected() -> None:
    result = parse_generic_csv(
        _csv("2024-01-05 10:00,steps,100,count,", "2024-01-05 10:00,steps,150,count,"), TZ
    )
    assert [r.line for r in result.rejected] == [3]
    assert "conflicts with line 2" in result.rejected[0].reason


def test_key_does_not_depend_on_value_so_a_correction_replaces() -> None:
    a = parse_generic_csv(_csv("2024-01-05 10:00,steps,100,count,"), TZ)
    b = parse_generic_csv(_csv("2024-01-05 10:00,steps,120,count,"), TZ)
    assert a.observations.dedup_keys() == b.observations.dedup_keys()


def test_json_items_report_their_position() -> None:
    items = [
        {"timestamp": "2024-01-05T10:00:00+01:00", "stream": "steps", "value": 10, "unit": "count"},
        {"timestamp": "2024-01-05T11:00:00", "stream": "steps", "value": True, "unit": "count"},
        "not an object",
        {
            "timestamp": "2024-01-05T12:00:00",
            "stream": "steps",
            "value": 1,
            "unit": "count",
            "x": 1,
        },
    ]
    result = parse_generic_json(json.dumps({"observations": items}).encode(), TZ)
    assert [r.line for r in result.rejected] == [2, 3, 4]
    assert "unknown field" in result.rejected[2].reason
    assert parse_generic_json(b"{not json", TZ).fatal


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
            st.sampled_from(["steps", "heart_rate", "screen_time_minutes"]),
            st.floats(min_value=20, max_value=200, allow_nan=False),
        ),
        max_size=30,
    )
)
def test_valid_rows_are_accepted_or_explained_never_raised(
    rows: list[tuple[datetime, str, float]],
) -> None:
    units = {"steps": "count", "heart_rate": "bpm", "screen_time_minutes": "min"}
    lines = [f"{t:%Y-%m-%d %H:%M},{s},{v!r},{units[s]}," for t, s, v in rows]
    result = parse_generic_csv(_csv(*lines), TZ)
    if not rows:
        assert result.fatal
        return
    # every row is either kept, dropped as an exact repeat, or rejected with a reason
    accounted = len(result.observations) + result.stats["duplicates_dropped"] + len(result.rejected)
    assert accounted == len(rows)
    for rejected in result.rejected:
        assert rejected.reason and 2 <= rejected.line <= len(rows) + 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_never_raises(blob: bytes) -> None:
    result = parse_generic_csv(b"timestamp,stream,value,unit\n" + blob, TZ)
    if result.fatal is not None:
        assert len(result.observations) == 0
    for row in result.rejected:
        assert row.reason and row.line >= 2


def test_all_or_nothing_callers_get_an_exception_and_a_storable_row_view() -> None:
    import pytest

    from mindbridge.signals.records import ImportRejected

    bad = parse_generic_csv(_csv("2024-01-05 10:00,steps,100,count,", "x,steps,1,count,"), TZ)
    with pytest.raises(ImportRejected) as err:
        bad.require_ok()
    assert "line 3" in str(err.value) and err.value.result is bad
    good = parse_generic_csv(_csv("2024-01-05 10:00,steps,100,count,"), TZ).require_ok()
    row = next(good.records()).to_dict()
    assert row == {
        "stream": "steps",
        "start": "2024-01-05T09:00:00+00:00",
        "end": "2024-01-05T09:00:00+00:00",
        "value": 100.0,
        "unit": "count",
        "source": "generic",
        "dedup_key": good.dedup_keys()[0],
    }
