"""Minute-level wrist actigraphy as in the Depresjon dataset: `timestamp, date, activity`.

The files are not uniform: some write `2003-05-07 12:00:00`, some `18/3/2003 15:00`, one has
ISO timestamps with a day/month/year `date` column and unpadded hours. The date order of a
slashed column is decided per file from the evidence (a first part above 12 means day first,
a second part above 12 means month first, otherwise the reading that makes consecutive dates
advance by one day wins). Wall-clock minutes are localised in the client's zone; the
recordings themselves show the spring-forward gap (01:59 -> 03:00), which confirms this.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from mindbridge.signals.catalog import STREAM_CODES, STREAMS
from mindbridge.signals.clock import EPOCH_ORDINAL, localise_wall_minutes, zone
from mindbridge.signals.fastcsv import Lines, distinct
from mindbridge.signals.records import (
    FloatArray,
    IntArray,
    ObservationBatch,
    ParseResult,
    ProgressCallback,
    RejectedRow,
)

SOURCE = "actigraphy"
_MAX = STREAMS["activity"].maximum

DateReader = Callable[[str], int | None]


def _day(y: int, m: int, d: int) -> int | None:
    try:
        return date(y, m, d).toordinal() - EPOCH_ORDINAL
    except ValueError:
        return None


def _iso_date(text: str) -> int | None:
    parts = text.split("-")
    if len(parts) != 3 or len(parts[0]) != 4:
        return None
    try:
        return _day(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _slashed(day_first: bool) -> DateReader:
    def read(text: str) -> int | None:
        if "-" in text:
            return _iso_date(text)
        parts = text.split("/")
        if len(parts) != 3 or len(parts[2]) != 4:
            return None
        try:
            a, b, y = int(parts[0]), int(parts[1]), int(parts[2])
        except ValueError:
            return None
        return _day(y, b, a) if day_first else _day(y, a, b)

    return read


def _part(text: str, i: int) -> int:
    try:
        return int(text.split("/")[i])
    except (ValueError, IndexError):
        return 0


def detect_date_order(samples: list[str]) -> DateReader:
    """Choose how to read a column's dates from its distinct values, in file order."""
    slashed = [s for s in samples if "/" in s]
    if not slashed:
        return _iso_date
    first_big = sum(1 for s in slashed if _part(s, 0) > 12)
    second_big = sum(1 for s in slashed if _part(s, 1) > 12)
    if first_big != second_big:
        return _slashed(day_first=first_big > second_big)
    scores = []
    for day_first in (True, False):
        days = [_slashed(day_first)(s) for s in slashed]
        valid = [d for d in days if d is not None]
        steps = sum(1 for a, b in pairwise(valid) if b - a == 1)
        scores.append((steps, len(valid)))
    return _slashed(day_first=scores[0] >= scores[1])


@lru_cache(maxsize=4096)
def minute_of_day(text: str) -> int | None:
    """'9:00', '09:00:00', '23:59:30' -> minutes after midnight; None if unreadable."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        return None
    try:
        h, m = int(parts[0]), int(parts[1])
        s = float(parts[2]) if len(parts) == 3 else 0.0
    except ValueError:
        return None
    if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 60):
        return None
    return h * 60 + m


def _count(text: str) -> float | str:
    """A movement count, or the reason it is not one."""
    try:
        value = float(text)
    except ValueError:
        return f"activity {text!r} is not a number"
    if value != value:
        return "activity is not a number"
    if value < 0:
        return "negative activity count"
    if value > _MAX:
        return "activity count out of range"
    return value


# reason codes for the vectorised path (0 = fine)
_REASONS = (
    "",
    "too few fields",
    "unreadable timestamp",
    "date column disagrees with timestamp",
)


def parse_actigraphy_csv(
    source: str | Path | bytes,
    tz: str,
    *,
    progress: ProgressCallback | None = None,
    source_name: str = SOURCE,
) -> ParseResult:
    """Parse one actigraphy file (path or bytes) for a client living in `tz`.

    Rejected rows: unreadable timestamps, a `date` column that disagrees with the timestamp,
    negative or non-numeric counts, wall times that do not exist, repeated minutes.
    """
    zone(tz)  # fail early on an unknown zone
    try:
        data = Path(source).read_bytes() if isinstance(source, str | Path) else source
    except OSError as exc:
        return ParseResult.failed(f"cannot read file: {exc}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_line = data.split(b"\n", 1)[0].decode("latin-1")
    header = [h.strip().strip('"').lower() for h in first_line.split(",")]
    if not data.strip():
        return ParseResult.failed("empty file")
    if "timestamp" not in header or "activity" not in header:
        return ParseResult.failed("header needs 'timestamp' and 'activity' columns")
    i_ts, i_act = header.index("timestamp"), header.index("activity")
    i_date = header.index("date") if "date" in header else None
    need = max(i_ts, i_act, i_date or 0) + 1
    total = len(data)
    if progress:
        progress(0, total)

    lines = Lines(data)
    n = len(lines)
    stats = {"rows": n, "duplicates_dropped": 0}
    if n == 0:
        return ParseResult.failed("no data rows", stats)
    rejected: list[RejectedRow] = [
        RejectedRow(int(lines.number[i]), _REASONS[1], lines.text(i))
        for i in np.flatnonzero(lines.fields < need).tolist()
    ]
    lines.keep(lines.fields >= need)

    reason = np.zeros(len(lines), np.int64)
    date_part, time_part = lines.split_field(i_ts, b" T")
    date_texts, date_idx = distinct(date_part)
    read = detect_date_order(date_texts)
    day_of = np.array([_none_to(read(t), -(2**40)) for t in date_texts], np.int64)
    day = day_of[date_idx]
    time_texts, time_idx = distinct(time_part)
    minute_of = np.array([_none_to(minute_of_day(t), -1) for t in time_texts], np.int64)
    minute = minute_of[time_idx]
    reason[(day < -(2**39)) | (minute < 0)] = 2
    if i_date is not None:
        col_texts, col_idx = distinct(lines.chars(*lines.span(i_date)))
        read_col = detect_date_order(col_texts)
        col_of = np.array([_none_to(read_col(t), -(2**40)) for t in col_texts], np.int64)
        col_day = col_of[col_idx]
        reason[(reason == 0) & (col_day > -(2**39)) & (col_day != day)] = 3
    if progress:
        progress(total // 2, total)

    act_texts, act_idx = distinct(lines.chars(*lines.span(i_act)))
    parsed = [_count(t) for t in act_texts]
    act_of = np.array([v if isinstance(v, float) else -1.0 for v in parsed], np.float64)
    counts = act_of[act_idx]
    for i in np.flatnonzero(reason > 0).tolist():
        rejected.append(RejectedRow(int(lines.number[i]), _REASONS[reason[i]], lines.text(i)))
    bad_count = (reason == 0) & (counts < 0)
    for i in np.flatnonzero(bad_count).tolist():
        why = parsed[int(act_idx[i])]
        rejected.append(RejectedRow(int(lines.number[i]), str(why), lines.text(i)))
    ok = (reason == 0) & ~bad_count
    wall = day[ok] * 1440 + minute[ok]
    result = _localise(wall, counts[ok], lines.number[ok], rejected, stats, tz, source_name)
    if progress:
        progress(total, total)
    return result


def _none_to(value: int | None, missing: int) -> int:
    return missing if value is None else value


def _localise(
    wall: IntArray,
    counts: FloatArray,
    line_no: IntArray,
    rejected: list[RejectedRow],
    stats: dict[str, int],
    tz: str,
    source_name: str,
) -> ParseResult:
    """Wall minutes -> UTC, then drop exact repeats and reject conflicting ones."""
    utc_s, real = localise_wall_minutes(wall, zone(tz))
    for i in np.flatnonzero(~real).tolist():
        rejected.append(RejectedRow(int(line_no[i]), f"local time does not exist in {tz}"))
    order = np.argsort(utc_s, kind="stable")
    order = order[real[order]]
    utc_s, counts, line_no = utc_s[order], counts[order], line_no[order]
    repeat = np.zeros(len(utc_s), np.bool_)
    repeat[1:] = utc_s[1:] == utc_s[:-1]
    same = np.zeros(len(utc_s), np.bool_)
    same[1:] = repeat[1:] & (counts[1:] == counts[:-1])
    stats["duplicates_dropped"] = int(same.sum())
    for i in np.flatnonzero(repeat & ~same).tolist():
        rejected.append(
            RejectedRow(int(line_no[i]), f"repeats the minute of line {int(line_no[i - 1])}")
        )
    keep = ~repeat
    utc_s, counts, line_no = utc_s[keep], counts[keep], line_no[keep]
    epoch = _epoch_seconds(utc_s)
    stats["epoch_seconds"] = epoch
    rejected.sort(key=lambda r: r.line)
    batch = ObservationBatch(
        np.full(len(utc_s), STREAM_CODES["activity"], np.int8),
        np.zeros(len(utc_s), np.int32),
        (source_name,),
        utc_s,
        utc_s + epoch,
        counts,
        line_no,
    )
    return ParseResult(batch, tuple(rejected), None, stats)


def _epoch_seconds(utc_s: IntArray) -> int:
    """The recording epoch: the most common step between samples (60 s for Depresjon)."""
    steps = np.diff(utc_s)
    steps = steps[(steps > 0) & (steps <= 3600)]
    if len(steps) == 0:
        return 60
    values, freq = np.unique(steps, return_counts=True)
    return int(values[np.argmax(freq)])
