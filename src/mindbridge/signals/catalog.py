"""The passive streams we accept, their canonical units and plausible ranges.

Every parser converts to the canonical unit here, so storage and features never see "h" in
one row and "min" in the next. Ranges are deliberately wide: they reject impossible values
(a negative step count, a heart rate of 900), not unusual days.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StreamKind(StrEnum):
    """How a value relates to its time span (decides how daily aggregation treats it)."""

    SUM = "sum"  # an amount over [start, end): steps, minutes asleep, screen minutes
    SAMPLE = "sample"  # an instantaneous reading: heart rate, HRV
    EPOCH = "epoch"  # one fixed-length actigraphy epoch of movement counts


@dataclass(frozen=True, slots=True)
class StreamSpec:
    name: str
    unit: str
    kind: StreamKind
    minimum: float
    maximum: float
    units: dict[str, float]  # accepted unit spelling (lower case) -> factor to canonical unit
    label: str


def _spec(
    name: str,
    unit: str,
    kind: StreamKind,
    lo: float,
    hi: float,
    units: dict[str, float],
    label: str,
) -> StreamSpec:
    return StreamSpec(name, unit, kind, lo, hi, units, label)


_MINUTES = {"min": 1.0, "mins": 1.0, "minute": 1.0, "minutes": 1.0, "h": 60.0, "hr": 60.0}
_MINUTES |= {"hour": 60.0, "hours": 60.0, "s": 1 / 60, "sec": 1 / 60, "seconds": 1 / 60}

STREAMS: dict[str, StreamSpec] = {
    s.name: s
    for s in (
        _spec(
            "steps",
            "count",
            StreamKind.SUM,
            0,
            100_000,
            {"count": 1.0, "counts": 1.0, "steps": 1.0},
            "steps",
        ),
        _spec("sleep_minutes", "min", StreamKind.SUM, 0, 1_440, _MINUTES, "minutes asleep"),
        _spec("in_bed_minutes", "min", StreamKind.SUM, 0, 1_440, _MINUTES, "minutes in bed"),
        _spec(
            "heart_rate",
            "bpm",
            StreamKind.SAMPLE,
            20,
            250,
            {"bpm": 1.0, "count/min": 1.0, "beats/min": 1.0, "/min": 1.0},
            "heart rate",
        ),
        _spec("hrv_sdnn", "ms", StreamKind.SAMPLE, 1, 500, {"ms": 1.0, "s": 1000.0}, "HRV (SDNN)"),
        _spec(
            "screen_time_minutes",
            "min",
            StreamKind.SUM,
            0,
            1_440,
            _MINUTES,
            "screen time",
        ),
        _spec(
            "activity",
            "counts",
            StreamKind.EPOCH,
            0,
            50_000,
            {"counts": 1.0, "count": 1.0, "counts/min": 1.0, "count/min": 1.0},
            "movement counts",
        ),
    )
}

STREAM_NAMES: tuple[str, ...] = tuple(STREAMS)
STREAM_CODES: dict[str, int] = {name: i for i, name in enumerate(STREAM_NAMES)}


class UnknownStream(ValueError):
    pass


def canonical_value(stream: str, value: float, unit: str) -> float:
    """Convert `value` given in `unit` to the stream's canonical unit, or raise ValueError.

    Raises with a reason fit to show a person (it ends up in a rejected-row report).
    """
    spec = STREAMS.get(stream)
    if spec is None:
        raise UnknownStream(f"unknown stream {stream!r} (known: {', '.join(STREAM_NAMES)})")
    factor = spec.units.get(unit.strip().lower())
    if factor is None:
        raise ValueError(
            f"unit {unit!r} not accepted for {stream} "
            f"(use {spec.unit!r}; also {', '.join(sorted(spec.units))})"
        )
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{stream} value is not a finite number")
    converted = value * factor
    if converted < spec.minimum:
        raise ValueError(f"{stream} value {value:g} {unit} is below {spec.minimum:g} {spec.unit}")
    if converted > spec.maximum:
        raise ValueError(f"{stream} value {value:g} {unit} is above {spec.maximum:g} {spec.unit}")
    return converted
