"""Apple Health export.xml in the real schema: kept types, offsets, truncation, bounded memory."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from mindbridge.signals.ingest_apple import iter_apple_health, parse_apple_health

TZ = "Europe/Oslo"
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED
  sourceName CDATA #REQUIRED creationDate CDATA #IMPLIED startDate CDATA #REQUIRED
  endDate CDATA #REQUIRED>
]>
<HealthData locale="en_GB">
 <ExportDate value="2024-01-10 08:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01"/>
"""
TAIL = "</HealthData>\n"


def record(
    kind: str, value: str, start: str, end: str, unit: str = "", source: str = "Watch"
) -> str:
    return (
        f' <Record type="{kind}" sourceName="{source}" sourceVersion="10.1" unit="{unit}" '
        f'creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}"/>\n'
    )


SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
STEPS = "HKQuantityTypeIdentifierStepCount"
HR = "HKQuantityTypeIdentifierHeartRate"
HRV = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"


def export(*records: str) -> bytes:
    return (HEAD + "".join(records) + TAIL).encode()


def test_kept_types_become_observations_in_utc() -> None:
    data = export(
        record(
            SLEEP,
            "HKCategoryValueSleepAnalysisInBed",
            "2024-01-05 23:00:00 +0100",
            "2024-01-06 07:00:00 +0100",
        ),
        record(
            SLEEP,
            "HKCategoryValueSleepAnalysisAsleepCore",
            "2024-01-05 23:10:00 +0100",
            "2024-01-06 06:40:00 +0100",
        ),
        record(
            SLEEP,
            "HKCategoryValueSleepAnalysisAwake",
            "2024-01-06 03:00:00 +0100",
            "2024-01-06 03:10:00 +0100",
        ),
        record(
            STEPS,
            "312",
            "2024-01-06 09:00:00 +0100",
            "2024-01-06 09:10:00 +0100",
            "count",
            "iPhone",
        ),
        ' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
        'creationDate="2024-01-06 07:00:00 +0100" startDate="2024-01-06 07:00:00 +0100" '
        'endDate="2024-01-06 07:00:00 +0100" value="61">\n'
        '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
        " </Record>\n",
        record(HRV, "48.5", "2024-01-06 07:05:00 +0100", "2024-01-06 07:06:00 +0100", "ms"),
        record(
            "HKQuantityTypeIdentifierBodyMass",
            "70",
            "2024-01-06 07:00:00 +0100",
            "2024-01-06 07:00:00 +0100",
            "kg",
        ),
    )
    result = parse_apple_health(io.BytesIO(data), TZ)
    assert result.ok, result.summary()
    assert result.stats["records"] == 7 and result.stats["ignored_records"] == 2
    obs = {o.stream: o for o in result.observations.records()}
    assert set(obs) == {"in_bed_minutes", "sleep_minutes", "steps", "heart_rate", "hrv_sdnn"}
    assert obs["sleep_minutes"].value == 450.0
    assert obs["sleep_minutes"].start == datetime(2024, 1, 5, 22, 10, tzinfo=UTC)
    assert obs["steps"].source == "apple:iPhone" and obs["steps"].value == 312
    assert obs["heart_rate"].value == 61 and obs["heart_rate"].unit == "bpm"


def test_bad_records_are_rejected_with_their_line() -> None:
    data = export(
        record(STEPS, "-3", "2024-01-06 09:00:00 +0100", "2024-01-06 09:10:00 +0100", "count"),
        record(HR, "61", "not a date", "2024-01-06 09:10:00 +0100", "count/min"),
        record(HR, "61", "2024-01-06 09:10:00 +0100", "2024-01-06 09:00:00 +0100", "count/min"),
        record(
            SLEEP,
            "HKCategoryValueSleepAnalysisDreaming",
            "2024-01-06 01:00:00 +0100",
            "2024-01-06 02:00:00 +0100",
        ),
        record(HRV, "48", "2024-01-06 09:00:00 +0100", "2024-01-06 09:00:00 +0100", "furlongs"),
    )
    result = parse_apple_health(io.BytesIO(data), TZ)
    first = HEAD.count("\n") + 1
    assert [r.line for r in result.rejected] == [first, first + 1, first + 2, first + 3, first + 4]
    reasons = [r.reason for r in result.rejected]
    assert "below 0" in reasons[0] and "timestamp" in reasons[1] and "before" in reasons[2]
    assert "sleep value" in reasons[3] and "unit" in reasons[4]


def test_truncated_export_imports_nothing() -> None:
    data = export(
        record(STEPS, "10", "2024-01-06 09:00:00 +0100", "2024-01-06 09:10:00 +0100", "count"),
        record(STEPS, "11", "2024-01-06 10:00:00 +0100", "2024-01-06 10:10:00 +0100", "count"),
    )
    for cut in (len(data) - len(TAIL), len(data) - len(TAIL) - 40):
        result = parse_apple_health(io.BytesIO(data[:cut]), TZ)
        assert result.fatal and "truncated" in result.fatal
        assert len(result.observations) == 0 and not result.ok


def test_wrong_root_is_fatal() -> None:
    assert parse_apple_health(io.BytesIO(b"<Other><Record/></Other>"), TZ).fatal


def test_reimport_gives_the_same_keys() -> None:
    data = export(
        record(STEPS, "10", "2024-01-06 09:00:00 +0100", "2024-01-06 09:10:00 +0100", "count")
    )
    a = parse_apple_health(io.BytesIO(data), TZ).observations.dedup_keys()
    b = parse_apple_health(io.BytesIO(data), TZ).observations.dedup_keys()
    assert a == b and len(a) == 1


class _Lines(io.RawIOBase):
    """A large export generated on the fly, never held in memory as a whole."""

    def __init__(self, n: int) -> None:
        self._it = self._gen(n)
        self._buf = b""

    @staticmethod
    def _gen(n: int) -> Iterator[bytes]:
        yield HEAD.encode()
        t0 = datetime(2024, 1, 1, 0, 0)
        for i in range(n):
            t = t0 + timedelta(minutes=5 * i)
            yield record(
                HR,
                str(55 + i % 30),
                f"{t:%Y-%m-%d %H:%M:%S} +0100",
                f"{t:%Y-%m-%d %H:%M:%S} +0100",
                "count/min",
            ).encode()
        yield TAIL.encode()

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        while len(self._buf) < len(b):
            try:
                self._buf += next(self._it)
            except StopIteration:
                break
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _peak_while_streaming(n: int) -> tuple[int, int]:
    stream = io.BufferedReader(_Lines(n))
    tracemalloc.start()
    count = sum(1 for _ in iter_apple_health(stream, TZ))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak


def test_streaming_memory_does_not_grow_with_the_file() -> None:
    small_n, small_peak = _peak_while_streaming(1_000)
    big_n, big_peak = _peak_while_streaming(8_000)  # about 2 MB of XML
    assert (small_n, big_n) == (1_000, 8_000)
    assert big_peak < 1.5 * small_peak + 200_000, (small_peak, big_peak)
