"""The device/app batch payload: per-item validation, client ids for idempotent retries."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.signals.api import BatchIn, parse_api_batch

TZ = "Europe/Oslo"


def item(i: str, value: Any = 100, **extra: Any) -> dict[str, Any]:
    return {
        "id": i,
        "stream": "steps",
        "start": "2024-01-05T10:00:00",
        "value": value,
        "unit": "count",
    } | extra


def test_a_retried_batch_changes_nothing() -> None:
    payload = {
        "device_id": "phone-1",
        "observations": [item("a"), item("b", start="2024-01-05T11:00:00")],
    }
    first, retry = parse_api_batch(payload, TZ), parse_api_batch(json.dumps(payload).encode(), TZ)
    assert first.ok and retry.ok
    assert first.observations.dedup_keys() == retry.observations.dedup_keys()


def test_the_same_id_twice_in_a_batch() -> None:
    same = parse_api_batch({"device_id": "d", "observations": [item("a"), item("a")]}, TZ)
    assert same.ok and same.stats["duplicates_dropped"] == 1 and len(same.observations) == 1
    clash = parse_api_batch({"device_id": "d", "observations": [item("a"), item("a", 5)]}, TZ)
    assert [r.line for r in clash.rejected] == [2] and "conflicts" in clash.rejected[0].reason


def test_ids_are_scoped_to_the_device() -> None:
    a = parse_api_batch({"device_id": "watch", "observations": [item("1")]}, TZ)
    b = parse_api_batch({"device_id": "phone", "observations": [item("1")]}, TZ)
    assert a.observations.dedup_keys() != b.observations.dedup_keys()


def test_bad_items_are_reported_by_position() -> None:
    result = parse_api_batch(
        {
            "device_id": "d",
            "observations": [
                item("ok"),
                item("x", "lots"),
                item("y", stream="mood"),
                item("z", -1),
                item("w", end="2024-01-05T09:00:00"),
                {"id": "v", "stream": "steps"},
            ],
        },
        TZ,
    )
    assert [r.line for r in result.rejected] == [2, 3, 4, 5, 6]
    reasons = [r.reason for r in result.rejected]
    assert "value" in reasons[0] and "unknown stream" in reasons[1] and "below 0" in reasons[2]
    assert "before" in reasons[3] and "start" in reasons[4]
    assert len(result.observations) == 1


def test_envelope_errors_are_fatal() -> None:
    assert parse_api_batch({"observations": []}, TZ).fatal
    assert parse_api_batch(b"[1, 2]", TZ).fatal
    assert parse_api_batch({"device_id": "d", "tz": "Mars/Olympus", "observations": []}, TZ).fatal


def test_naive_times_use_the_device_zone_when_given() -> None:
    oslo = parse_api_batch({"device_id": "d", "observations": [item("a")]}, TZ)
    tokyo = parse_api_batch({"device_id": "d", "tz": "Asia/Tokyo", "observations": [item("a")]}, TZ)
    assert int(oslo.observations.start_s[0]) - int(tokyo.observations.start_s[0]) == 8 * 3600


def test_schema_documents_the_streams() -> None:
    schema = BatchIn.model_json_schema()
    stream = schema["$defs"]["ObservationIn"]["properties"]["stream"]
    assert "heart_rate" in stream["enum"]
    assert (
        BatchIn.model_validate({"device_id": "d", "observations": [item("a")]}).observations[0].id
        == "a"
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdef0123456789-_:", min_size=1, max_size=12), max_size=20))
def test_keys_are_unique_per_distinct_id(ids: list[str]) -> None:
    result = parse_api_batch({"device_id": "d", "observations": [item(i) for i in ids]}, TZ)
    assert result.ok
    assert len(set(result.observations.dedup_keys())) == len(result.observations) == len(set(ids))


def test_blank_ids_are_rejected() -> None:
    result = parse_api_batch({"device_id": "d", "observations": [item("  "), item("")]}, TZ)
    assert [r.line for r in result.rejected] == [1, 2] and len(result.observations) == 0
