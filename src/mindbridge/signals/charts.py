"""Daily series as small server-drawn SVG charts, with a text summary that says the same.

Pure: no web or database imports. A day without a value is drawn as missing (a gap in the line
and a cross on the axis), never as zero, and the summary names the missing days, so the chart
reads without colour and without sight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 560, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 30


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str  # "Tue 12 Mar: 7.1 h"


@dataclass(frozen=True)
class MissingMark:
    x: float
    label: str  # "Tue 12 Mar: no data"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str
    segments: tuple[str, ...]  # polyline point lists, broken at missing days
    points: tuple[ChartPoint, ...]
    missing: tuple[MissingMark, ...]
    y_top_label: str
    y_bottom_label: str
    first_label: str
    last_label: str
    threshold_y: float | None
    threshold_label: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - RIGHT

    @property
    def plot_top(self) -> int:
        return TOP

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM

    @property
    def has_data(self) -> bool:
        return bool(self.points)


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def spans(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive runs of days, e.g. the missing ones, as (first, last) pairs."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and (d - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _span_text(run: tuple[date, date]) -> str:
    a, b = run
    return day_label(a) if a == b else f"{day_label(a)} to {day_label(b)}"


def line_chart(
    key: str,
    title: str,
    days: Sequence[date],
    values: Sequence[float | None],
    *,
    fmt: Callable[[float], str],
    low: float | None = None,
    high: float | None = None,
    threshold: float | None = None,
    threshold_label: str = "",
) -> Chart:
    """One series over consecutive days; `low`/`high` fix the axis (else the data's range)."""
    if len(days) != len(values):
        raise ValueError("days and values differ in length")
    present = [v for v in values if v is not None]
    lo = low if low is not None else (min(present) if present else 0.0)
    hi = high if high is not None else (max(present) if present else 1.0)
    if threshold is not None:
        lo, hi = min(lo, threshold), max(hi, threshold)
    if hi <= lo:
        hi = lo + 1.0
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    n = len(days)

    def x_of(i: int) -> float:
        return round(left + (right - left) * (i / (n - 1) if n > 1 else 0.5), 1)

    def y_of(v: float) -> float:
        return round(top + (bottom - top) * (1 - (v - lo) / (hi - lo)), 1)

    segments: list[str] = []
    current: list[str] = []
    points: list[ChartPoint] = []
    missing: list[MissingMark] = []
    for i, (d, v) in enumerate(zip(days, values, strict=True)):
        if v is None:
            if current:
                segments.append(" ".join(current))
                current = []
            missing.append(MissingMark(x_of(i), f"{day_label(d)}: no data"))
            continue
        x, y = x_of(i), y_of(v)
        current.append(f"{x},{y}")
        points.append(ChartPoint(x, y, f"{day_label(d)}: {fmt(v)}"))
    if current:
        segments.append(" ".join(current))
    return Chart(
        key=key,
        title=title,
        summary=summarise(title, days, values, fmt),
        segments=tuple(segments),
        points=tuple(points),
        missing=tuple(missing),
        y_top_label=fmt(hi),
        y_bottom_label=fmt(lo),
        first_label=day_label(days[0]) if days else "",
        last_label=day_label(days[-1]) if days else "",
        threshold_y=y_of(threshold) if threshold is not None else None,
        threshold_label=threshold_label,
    )


def summarise(
    title: str, days: Sequence[date], values: Sequence[float | None], fmt: Callable[[float], str]
) -> str:
    """The chart in words: coverage, latest value, typical value, and which days are missing."""
    if not days:
        return f"{title}: nothing recorded yet."
    pairs = [(d, v) for d, v in zip(days, values, strict=True) if v is not None]
    span = f"{day_label(days[0])} to {day_label(days[-1])}"
    if not pairs:
        return f"{title}, {span}: no data on any of the {len(days)} days."
    ordered = sorted(v for _, v in pairs)
    median = ordered[len(ordered) // 2]
    last_day, last_value = pairs[-1]
    text = (
        f"{title}, {span}: data on {len(pairs)} of {len(days)} days. "
        f"Latest {fmt(last_value)} ({day_label(last_day)}); typical {fmt(median)}; "
        f"range {fmt(ordered[0])} to {fmt(ordered[-1])}."
    )
    gaps = [d for d, v in zip(days, values, strict=True) if v is None]
    if gaps:
        runs = spans(gaps)
        shown = ", ".join(_span_text(r) for r in runs[-3:])
        earlier = len(runs) - 3
        more = f" and {earlier} earlier gap{'s' if earlier > 1 else ''}" if earlier > 0 else ""
        text += f" Missing (no data, not zero): {shown}{more}."
    return text
