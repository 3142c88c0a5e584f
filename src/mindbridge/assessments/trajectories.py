"""Trajectories for people to read: scores over time per instrument, with severity bands,
reliable-change markers against the first score, a plain-text summary and the geometry of a
small SVG chart. Pure: no web or database imports, so the wording and maths test alone.

Reliable change here uses the instrument's published reliable-change threshold in points (PHQ-9
6 and GAD-7 4 from NHS Talking Therapies, PCL-5 5), direction-aware. Instruments without one get
no markers, and the summary says so rather than guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from mindbridge.assessments.definitions import InstrumentDefinition

Marker = Literal["improved", "deteriorated", ""]

# Chart geometry (SVG user units; the SVG scales to its container through viewBox).
WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 30, 170, 18, 28


@dataclass(frozen=True)
class Point:
    """One stored score, as the trajectory needs it."""

    uid: str
    taken_at: datetime
    total: int | None  # None: stored but not scored (missing items)
    band_label: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointView:
    uid: str
    taken_at: datetime
    date: str
    total: int | None
    band_label: str | None
    change: int | None  # from the first scored point
    marker: Marker
    marker_text: str
    safety_text: str  # e.g. "item 9 above 0", for a non-colour cue in tables
    x: float
    y: float


@dataclass(frozen=True)
class BandView:
    label: str
    low: int
    high: int
    y_top: float
    y_bottom: float
    y_label: float
    shaded: bool


@dataclass(frozen=True)
class Trajectory:
    instrument_id: str
    title: str
    higher_is_better: bool
    asks_about_self_harm: bool
    min_total: int
    max_total: int
    threshold: float | None
    threshold_source: str
    points: tuple[PointView, ...]
    bands: tuple[BandView, ...]
    polyline: str
    summary: str
    first: PointView | None
    latest: PointView | None
    outcome: Marker

    @property
    def scored(self) -> tuple[PointView, ...]:
        return tuple(p for p in self.points if p.total is not None)

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - RIGHT

    @property
    def plot_bottom(self) -> int:
        return HEIGHT - BOTTOM


def reliable_threshold(definition: InstrumentDefinition) -> tuple[float | None, str]:
    """The instrument's published reliable-change threshold on the total, with its source."""
    for ref in definition.change_norms.reference_changes:
        if ref.kind == "reliable_change" and ref.scale == "total":
            return ref.value, ref.source
    return None, ""


def classify(
    definition: InstrumentDefinition, first: int, value: int, threshold: float | None
) -> Marker:
    if threshold is None:
        return ""
    delta = value - first
    if abs(delta) < threshold:
        return ""
    better = delta > 0 if definition.higher_is_better else delta < 0
    return "improved" if better else "deteriorated"


MARKER_TEXT = {
    "improved": "reliable improvement",
    "deteriorated": "reliable deterioration",
    "": "",
}


def _y(definition: InstrumentDefinition, value: float) -> float:
    span = definition.max_total - definition.min_total
    share = (value - definition.min_total) / span if span else 0.0
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - share), 1)


def _x(when: datetime, start: datetime, end: datetime) -> float:
    left, right = LEFT, WIDTH - RIGHT
    if end <= start:
        return round((left + right) / 2, 1)
    share = (when - start).total_seconds() / (end - start).total_seconds()
    return round(left + (right - left) * share, 1)


def _date(when: datetime, zone: ZoneInfo) -> str:
    local = when.astimezone(zone)
    return f"{local.day} {local.strftime('%b %Y')}"


def _safety_text(definition: InstrumentDefinition, flags: Sequence[str]) -> str:
    texts = [
        f"item {item.link_id} above 0" for item in definition.safety_items if item.reason in flags
    ]
    return "; ".join(texts)


def build(
    definition: InstrumentDefinition, points: Sequence[Point], *, timezone: str = "UTC"
) -> Trajectory:
    zone = ZoneInfo(timezone)
    ordered = sorted(points, key=lambda p: p.taken_at)
    threshold, source = reliable_threshold(definition)
    scored = [p for p in ordered if p.total is not None]
    start = scored[0].taken_at if scored else None
    end = scored[-1].taken_at if scored else None
    first_total = scored[0].total if scored else None
    views: list[PointView] = []
    for p in ordered:
        change = marker = None
        if p.total is not None and first_total is not None:
            change = p.total - first_total
            marker = classify(definition, first_total, p.total, threshold)
        x = _x(p.taken_at, start, end) if start and end else float(LEFT)
        y = _y(definition, p.total) if p.total is not None else 0.0
        views.append(
            PointView(
                uid=p.uid,
                taken_at=p.taken_at,
                date=_date(p.taken_at, zone),
                total=p.total,
                band_label=p.band_label,
                change=change,
                marker=marker or "",
                marker_text=MARKER_TEXT[marker or ""],
                safety_text=_safety_text(definition, p.flags),
                x=x,
                y=y,
            )
        )
    bands = tuple(
        BandView(
            label=band.label,
            low=band.low,
            high=band.high,
            y_top=_y(
                definition, band.high + 0.5 if band.high < definition.max_total else band.high
            ),
            y_bottom=_y(
                definition, band.low - 0.5 if band.low > definition.min_total else band.low
            ),
            y_label=round((_y(definition, band.low) + _y(definition, band.high)) / 2 + 4, 1),
            shaded=i % 2 == 1,
        )
        for i, band in enumerate(definition.bands)
    )
    shown = [v for v in views if v.total is not None]
    first = shown[0] if shown else None
    latest = shown[-1] if shown else None
    outcome: Marker = latest.marker if latest else ""
    return Trajectory(
        instrument_id=definition.id,
        title=definition.title,
        higher_is_better=definition.higher_is_better,
        asks_about_self_harm=bool(definition.safety_items),
        min_total=definition.min_total,
        max_total=definition.max_total,
        threshold=threshold,
        threshold_source=source,
        points=tuple(views),
        bands=bands,
        polyline=" ".join(f"{v.x},{v.y}" for v in shown),
        summary=summarise(definition, shown, threshold),
        first=first,
        latest=latest,
        outcome=outcome,
    )


def _points(value: int) -> str:
    return f"{value} point{'s' if abs(value) != 1 else ''}"


def summarise(
    definition: InstrumentDefinition, shown: Sequence[PointView], threshold: float | None
) -> str:
    """One paragraph a screen reader (or anyone) can read instead of the chart."""
    name = definition.id
    if not shown:
        return f"{name}: no scores yet."
    first, latest = shown[0], shown[-1]
    scale = f"out of {definition.max_total}"
    if len(shown) == 1:
        return (
            f"{name}: one score so far, {first.total} {scale} ({first.band_label}) on {first.date}."
        )
    assert first.total is not None and latest.total is not None
    delta = latest.total - first.total
    parts = [
        f"{name}: {len(shown)} scores from {first.date} to {latest.date}.",
        f"First {first.total} ({first.band_label}), latest {latest.total} ({latest.band_label}).",
    ]
    if delta == 0:
        parts.append("No change since the first score.")
    else:
        parts.append(
            f"{'Down' if delta < 0 else 'Up'} {_points(abs(delta))} since the first score."
        )
    direction = "Higher" if definition.higher_is_better else "Lower"
    parts.append(f"{direction} scores are better.")
    if threshold is None:
        parts.append("No reliable-change threshold is set for this questionnaire.")
    elif latest.marker:
        parts.append(
            f"That is a {latest.marker_text} (a change of {threshold:g} points or more counts as "
            "reliable)."
        )
    else:
        parts.append(f"No reliable change (that needs a change of {threshold:g} points or more).")
    return " ".join(parts)
