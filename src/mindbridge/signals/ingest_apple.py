"""Apple Health `export.xml`, streamed with bounded memory.

Exports run to gigabytes, so the file is pull-parsed (the ElementTree machinery under
`iterparse`) and fed one line at a time, which gives exact line numbers for rejected
records; each top-level element is cleared from the root once handled. A record is read at
its start tag (attributes are complete there). A parse error anywhere, including a file cut
off mid-way, is fatal and returns no observations: nothing is half-imported.

Kept: sleep analysis (asleep -> sleep_minutes, in bed -> in_bed_minutes), step count, heart
rate, HRV (SDNN). Every other record type is counted and skipped, not rejected.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from zoneinfo import ZoneInfo

from mindbridge.signals.catalog import canonical_value
from mindbridge.signals.clock import epoch_seconds, zone
from mindbridge.signals.ingest_generic import MAX_SPAN_S, parse_timestamp
from mindbridge.signals.records import (
    BatchBuilder,
    ParseResult,
    ProgressCallback,
    RejectedRow,
)

QUANTITY_TYPES = {
    "HKQuantityTypeIdentifierStepCount": "steps",
    "HKQuantityTypeIdentifierHeartRate": "heart_rate",
    "HKQuantityTypeIdentifierHeartRateVariabilitySDNN": "hrv_sdnn",
}
SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
_SLEEP = "HKCategoryValueSleepAnalysis"
SLEEP_VALUES = {
    f"{_SLEEP}InBed": "in_bed_minutes",
    f"{_SLEEP}Asleep": "sleep_minutes",  # before iOS 16
    f"{_SLEEP}AsleepUnspecified": "sleep_minutes",
    f"{_SLEEP}AsleepCore": "sleep_minutes",
    f"{_SLEEP}AsleepDeep": "sleep_minutes",
    f"{_SLEEP}AsleepREM": "sleep_minutes",
    f"{_SLEEP}Awake": "",  # awake in bed: known, not a sleep amount
}
SOURCE_PREFIX = "apple:"


@dataclass(frozen=True, slots=True)
class AppleSample:
    """One kept record, canonical units, UTC epoch seconds."""

    stream: str
    source: str
    start_s: int
    end_s: int
    value: float
    line: int


@dataclass
class _Counters:
    records: int = 0
    ignored: int = 0


def _sample(attrs: dict[str, str], line: int, tzinfo: ZoneInfo) -> AppleSample | RejectedRow | None:
    """A kept sample, a rejection, or None for a record type we do not use."""
    kind = attrs.get("type", "")
    if kind == SLEEP_TYPE:
        stream = SLEEP_VALUES.get(attrs.get("value", ""))
        if stream is None:
            return RejectedRow(line, f"unknown sleep value {attrs.get('value')!r}", kind)
        if not stream:
            return None
    elif kind in QUANTITY_TYPES:
        stream = QUANTITY_TYPES[kind]
    else:
        return None
    try:
        start = epoch_seconds(parse_timestamp(attrs.get("startDate", ""), tzinfo))
        end = epoch_seconds(parse_timestamp(attrs.get("endDate", "") or attrs["startDate"], tzinfo))
        if end < start:
            raise ValueError("endDate is before startDate")
        if end - start > MAX_SPAN_S:
            raise ValueError("record spans more than two days")
        if kind == SLEEP_TYPE:
            value = canonical_value(stream, (end - start) / 60, "min")
        else:
            raw = attrs.get("value")
            if raw is None:
                raise ValueError("value missing")
            try:
                number = float(raw)
            except ValueError:
                raise ValueError(f"value {raw!r} is not a number") from None
            value = canonical_value(stream, number, attrs.get("unit", ""))
    except (ValueError, KeyError) as exc:
        return RejectedRow(
            line, str(exc) if not isinstance(exc, KeyError) else "startDate missing", kind
        )
    source = SOURCE_PREFIX + (attrs.get("sourceName") or "unknown").strip()
    return AppleSample(stream, source, start, end, value, line)


def iter_apple_health(
    source: str | Path | BinaryIO,
    tz: str,
    *,
    progress: ProgressCallback | None = None,
    counters: _Counters | None = None,
) -> Iterator[AppleSample | RejectedRow]:
    """Yield kept samples and rejected records in file order, holding one line in memory.

    Raises xml.etree.ElementTree.ParseError for malformed or truncated XML (after yielding
    what came before it, so a caller that wants atomicity collects first: see
    `parse_apple_health`).
    """
    tzinfo = zone(tz)
    counters = counters or _Counters()
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield from iter_apple_health(handle, tz, progress=progress, counters=counters)
        return
    try:
        total = os.fstat(source.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        total = 0
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    root: Element | None = None
    depth = 0
    done = 0
    for line_no, raw in enumerate(source, start=1):
        parser.feed(raw)
        done += len(raw)
        if progress and line_no % 20_000 == 0:
            progress(done, total)
        for queued in parser.read_events():
            event, elem = queued[0], queued[-1]
            if not isinstance(elem, Element):
                continue
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    if elem.tag != "HealthData":
                        raise ParseError(f"root element is <{elem.tag}>, expected <HealthData>")
                elif depth == 2 and elem.tag == "Record":
                    counters.records += 1
                    item = _sample(dict(elem.attrib), line_no, tzinfo)
                    if item is None:
                        counters.ignored += 1
                    else:
                        yield item
            else:
                depth -= 1
                if depth == 1 and root is not None:
                    root.clear()  # bounded memory: drop every finished top-level element
    parser.close()
    if root is None:
        raise ParseError("no <HealthData> element found")
    if progress:
        progress(done, total)


def parse_apple_health(
    source: str | Path | BinaryIO,
    tz: str,
    *,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse a whole export for a client living in `tz` (used for dates without an offset)."""
    builder = BatchBuilder()
    rejected: list[RejectedRow] = []
    counters = _Counters()
    try:
        for item in iter_apple_health(source, tz, progress=progress, counters=counters):
            if isinstance(item, RejectedRow):
                rejected.append(item)
            else:
                builder.add(
                    item.stream, item.source, item.start_s, item.end_s, item.value, item.line
                )
    except ParseError as exc:
        where = f" (line {exc.position[0]})" if getattr(exc, "position", None) else ""
        return ParseResult.failed(
            f"malformed or truncated XML{where}: {exc}", {"records": counters.records}
        )
    except OSError as exc:
        return ParseResult.failed(f"cannot read file: {exc}")
    batch, conflicts, dropped = builder.build()
    stats = {
        "records": counters.records,
        "ignored_records": counters.ignored,
        "duplicates_dropped": dropped,
    }
    every = sorted([*rejected, *conflicts], key=lambda r: r.line)
    return ParseResult(batch, tuple(every), None, stats)
