"""The generic long format: one row per measurement (timestamp, stream, value, unit).

CSV header: `timestamp,stream,value,unit` plus optional `end` and `source` columns (any
order, any case). JSON: a list of objects with the same keys, or {"observations": [...]}.
`timestamp` is the start; without `end`, SUM streams (e.g. sleep_minutes) are daily totals
for the day of `timestamp`, and samples are instantaneous.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mindbridge.signals.catalog import STREAMS, StreamKind, canonical_value
from mindbridge.signals.clock import epoch_seconds, to_utc, zone
from mindbridge.signals.records import (
    BatchBuilder,
    ParseResult,
    ProgressCallback,
    RejectedRow,
)

REQUIRED = ("timestamp", "stream", "value", "unit")
OPTIONAL = ("end", "source")
DEFAULT_SOURCE = "generic"
MAX_SPAN_S = 2 * 86_400  # a single record covering more than two days is a mistake


def parse_timestamp(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 (with 'T' or a space, optional seconds, 'Z' or an offset) -> aware UTC."""
    text = text.strip()
    if not text:
        raise ValueError("empty timestamp")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unreadable timestamp {text!r} (expected ISO 8601)") from None
    return to_utc(moment, tz)


def _row(
    builder: BatchBuilder,
    fields: Mapping[str, Any],
    tz: ZoneInfo,
    line: int,
) -> str | None:
    """Validate one row into the builder; return the reason when it is rejected."""
    missing = [k for k in REQUIRED if fields.get(k) in (None, "")]
    if missing:
        return f"missing {', '.join(missing)}"
    stream = str(fields["stream"]).strip()
    try:
        start = parse_timestamp(str(fields["timestamp"]), tz)
        end_text = fields.get("end")
        end = parse_timestamp(str(end_text), tz) if end_text not in (None, "") else start
        raw_value = fields["value"]
        if isinstance(raw_value, bool):
            raise ValueError("value must be a number")
        try:
            number = float(raw_value)
        except (TypeError, ValueError):
            raise ValueError(f"value {raw_value!r} is not a number") from None
        value = canonical_value(stream, number, str(fields["unit"]))
    except ValueError as exc:
        return str(exc)
    start_s, end_s = epoch_seconds(start), epoch_seconds(end)
    if end_s < start_s:
        return "end is before timestamp"
    if end_s - start_s > MAX_SPAN_S:
        return "record spans more than two days"
    spec = STREAMS[stream]
    span_min = (end_s - start_s) / 60
    if spec.unit == "min" and end_s > start_s and value > span_min + 1e-9:
        return f"{value:g} min of {stream} do not fit in a {span_min:g} min span"
    if spec.kind is StreamKind.EPOCH and end_s == start_s:
        end_s = start_s + 60  # an actigraphy epoch without an end is a one-minute epoch
    source = str(fields.get("source") or DEFAULT_SOURCE).strip() or DEFAULT_SOURCE
    builder.add(stream, source, start_s, end_s, value, line)
    return None


def _finish(builder: BatchBuilder, rejected: list[RejectedRow], rows: int, fmt: str) -> ParseResult:
    if rows == 0:
        return ParseResult.failed(f"no {fmt} rows found", {"rows": 0})
    batch, conflicts, dropped = builder.build()
    stats = {"rows": rows, "duplicates_dropped": dropped}
    every = sorted([*rejected, *conflicts], key=lambda r: r.line)
    return ParseResult(batch, tuple(every), None, stats)


def parse_generic_csv(
    source: str | Path | bytes,
    tz: str,
    *,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse a long-format CSV (path, or the file's bytes) for a client living in `tz`."""
    tzinfo = zone(tz)
    try:
        data = Path(source).read_bytes() if isinstance(source, str | Path) else source
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return ParseResult.failed(f"cannot read file: {exc}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return ParseResult.failed("empty file")
    absent = [c for c in REQUIRED if c not in header]
    if absent:
        return ParseResult.failed(f"header lacks column(s) {', '.join(absent)}")
    index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    builder = BatchBuilder()
    rejected: list[RejectedRow] = []
    rows = 0
    total = len(data)
    done = 0
    for record in reader:
        line = reader.line_num
        done += sum(len(f) for f in record) + len(record)
        if progress and line % 5_000 == 0:
            progress(min(done, total), total)
        if not record or all(not f.strip() for f in record):
            continue
        rows += 1
        if len(record) != len(header):
            rejected.append(
                RejectedRow(
                    line,
                    f"expected {len(header)} fields, got {len(record)}",
                    ",".join(record)[:200],
                )
            )
            continue
        fields = {name: record[i] for name, i in index.items()}
        reason = _row(builder, fields, tzinfo, line)
        if reason:
            rejected.append(RejectedRow(line, reason, ",".join(record)[:200]))
    if progress:
        progress(total, total)
    return _finish(builder, rejected, rows, "CSV")


def parse_generic_json(
    source: str | Path | bytes | Iterable[Mapping[str, Any]] | Mapping[str, Any],
    tz: str,
    *,
    progress: ProgressCallback | None = None,
) -> ParseResult:
    """Parse long-format JSON (path, bytes, or already-decoded items); `line` is the item."""
    tzinfo = zone(tz)
    try:
        if isinstance(source, str | Path):
            decoded: Any = json.loads(Path(source).read_bytes())
        elif isinstance(source, bytes):
            decoded = json.loads(source)
        else:
            decoded = source
    except (OSError, ValueError) as exc:
        return ParseResult.failed(f"not valid JSON: {exc}")
    if isinstance(decoded, Mapping):
        decoded = decoded.get("observations")
    if not isinstance(decoded, list):
        return ParseResult.failed('expected a list of observations or {"observations": [...]}')
    builder = BatchBuilder()
    rejected: list[RejectedRow] = []
    for item_no, item in enumerate(decoded, start=1):
        if progress and item_no % 5_000 == 0:
            progress(item_no, len(decoded))
        if not isinstance(item, Mapping):
            rejected.append(RejectedRow(item_no, "item is not an object", repr(item)[:200]))
            continue
        unknown = set(item) - {*REQUIRED, *OPTIONAL}
        reason = f"unknown field(s) {', '.join(sorted(unknown))}" if unknown else None
        reason = reason or _row(builder, item, tzinfo, item_no)
        if reason:
            rejected.append(RejectedRow(item_no, reason, json.dumps(item, default=str)[:200]))
    if progress:
        progress(len(decoded), len(decoded))
    return _finish(builder, rejected, len(decoded), "JSON")
