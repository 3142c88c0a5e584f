"""Personal insights from check-ins: when mood and anxiety run high or low, and what tends to
come before bad and good days. Pure statistics, no web or database imports.

Every claim has a minimum amount of data behind it, a Welch t-test with a 95% confidence
interval for the difference, and survives a Benjamini-Hochberg false-discovery correction over
all the comparisons made for that person, so a pattern found by testing many things at once is
not reported as real. Days are not independent (a bad week is several bad days), so the
intervals are a guide to the size of a pattern, not proof of a cause; the wording says "tends
to", never "causes".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from scipy import stats

MIN_DAYS = 14  # days with a check-in before any claim about days
MIN_GROUP = 5  # days (or check-ins) on each side of a comparison
MIN_CELL = 4  # check-ins in a weekday x time-of-day cell before it can be called a peak
FDR = 0.05
SHORT_SLEEP_HOURS = 6.0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = (("night", 0, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 24))
HEATMAP_BLOCK_HOURS = 3  # the heatmap's columns: 00-03, 03-06, ... 21-24


@dataclass(frozen=True)
class Entry:
    """One check-in as insights need it (the note is never read here)."""

    day: date  # the client's local date
    weekday: int  # Monday = 0
    hour: int  # local hour 0..23
    mood: int
    anxiety: int
    sleep_hours: float | None = None  # the night before `day`
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cell:
    weekday: int
    block: int  # hour // HEATMAP_BLOCK_HOURS
    n: int
    mood: float | None
    anxiety: float | None


@dataclass(frozen=True)
class Claim:
    """One pattern, in words, with the numbers behind it."""

    key: str  # stable id, e.g. "sleep<6:mood" or "peak:anxiety:1:evening"
    metric: str  # "mood" | "anxiety"
    factor: str  # what was compared, in words
    text: str
    difference: float  # mean(with) - mean(without), in points on the 0-10 scale
    ci_low: float
    ci_high: float
    p_value: float
    q_value: float  # Benjamini-Hochberg adjusted p
    n_with: int
    n_without: int
    unit: str  # "days" or "check-ins"


@dataclass(frozen=True)
class Insights:
    checkins: int
    days: int
    heatmap: list[Cell]
    claims: list[Claim]
    tested: int  # how many comparisons were made (the correction covers all of them)
    waiting: list[str] = field(default_factory=list)  # why some patterns cannot be judged yet

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Test:
    key: str
    metric: str
    factor: str
    with_values: list[float]
    without_values: list[float]
    unit: str
    phrase: str  # e.g. "On days after less than 6 hours of sleep"


def welch(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float, float]:
    """(mean(a) - mean(b), 95% CI low, high, two-sided p) by Welch's t-test."""
    na, nb = len(a), len(b)
    ma, mb = sum(a) / na, sum(b) / nb
    va = sum((x - ma) ** 2 for x in a) / (na - 1)
    vb = sum((x - mb) ** 2 for x in b) / (nb - 1)
    diff = ma - mb
    se2 = va / na + vb / nb
    if se2 == 0:
        return diff, diff, diff, (1.0 if diff == 0 else 0.0)
    se = math.sqrt(se2)
    df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1)) if va or vb else 1.0
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(0.975, df)) * se
    return diff, diff - half, diff + half, p


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (q) controlling the false-discovery rate."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def part_of_day(hour: int) -> str:
    for name, lo, hi in PARTS:
        if lo <= hour < hi:
            return name
    raise ValueError(f"hour out of range: {hour}")


def heatmap(entries: Iterable[Entry]) -> list[Cell]:
    groups: dict[tuple[int, int], list[Entry]] = defaultdict(list)
    for e in entries:
        groups[(e.weekday, e.hour // HEATMAP_BLOCK_HOURS)].append(e)
    cells = []
    for wd in range(7):
        for block in range(24 // HEATMAP_BLOCK_HOURS):
            members = groups.get((wd, block), [])
            n = len(members)
            cells.append(
                Cell(
                    wd,
                    block,
                    n,
                    round(sum(e.mood for e in members) / n, 2) if n else None,
                    round(sum(e.anxiety for e in members) / n, 2) if n else None,
                )
            )
    return cells


def _daily(entries: Sequence[Entry]) -> dict[date, dict[str, object]]:
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for e in entries:
        by_day[e.day].append(e)
    out: dict[date, dict[str, object]] = {}
    for d, items in by_day.items():
        sleeps = [e.sleep_hours for e in items if e.sleep_hours is not None]
        out[d] = {
            "mood": sum(e.mood for e in items) / len(items),
            "anxiety": sum(e.anxiety for e in items) / len(items),
            "sleep": sleeps[0] if sleeps else None,  # the first report of the night before
            "tags": {t for e in items for t in e.tags},
        }
    return out


def _fmt(x: float) -> str:
    return f"{abs(x):.1f}"


def _sentence(test: _Test, diff: float, lo: float, hi: float) -> str:
    direction = "higher" if diff > 0 else "lower"
    n_with, n_without = len(test.with_values), len(test.without_values)
    return (
        f"{test.phrase} your {test.metric} averaged {_fmt(diff)} points {direction} "
        f"({n_with} {test.unit} vs {n_without}; 95% interval {lo:+.1f} to {hi:+.1f})."
    )


def _day_tests(
    daily: Mapping[date, Mapping[str, object]], themes_by_day: Mapping[date, set[str]]
) -> list[_Test]:
    tests: list[_Test] = []
    days = sorted(daily)
    metrics = ("mood", "anxiety")

    def split(pred: dict[date, bool | None]) -> tuple[list[date], list[date]]:
        yes = [d for d in days if pred.get(d) is True]
        no = [d for d in days if pred.get(d) is False]
        return yes, no

    def add(key: str, factor: str, phrase: str, pred: dict[date, bool | None]) -> None:
        yes, no = split(pred)
        for metric in metrics:
            tests.append(
                _Test(
                    key=f"{key}:{metric}",
                    metric=metric,
                    factor=factor,
                    with_values=[float(daily[d][metric]) for d in yes],  # type: ignore[arg-type]
                    without_values=[float(daily[d][metric]) for d in no],  # type: ignore[arg-type]
                    unit="days",
                    phrase=phrase,
                )
            )

    sleep_pred: dict[date, bool | None] = {}
    for d in days:
        s = daily[d]["sleep"]
        sleep_pred[d] = None if s is None else float(s) < SHORT_SLEEP_HOURS  # type: ignore[arg-type]
    add(
        "sleep<6",
        f"less than {SHORT_SLEEP_HOURS:g} hours of sleep the night before",
        f"On days after less than {SHORT_SLEEP_HOURS:g} hours of sleep",
        sleep_pred,
    )

    all_tags = sorted({t for d in days for t in daily[d]["tags"]})  # type: ignore[attr-defined]
    for tag in all_tags:
        same: dict[date, bool | None] = {
            d: tag in daily[d]["tags"]  # type: ignore[operator]
            for d in days
        }
        add(f"tag:{tag}", f"'{tag}' on the same day", f"On days you tagged '{tag}'", same)
        prev: dict[date, bool | None] = {}
        for d in days:
            before = daily.get(d - timedelta(days=1))
            prev[d] = None if before is None else tag in before["tags"]  # type: ignore[operator]
        add(
            f"after:{tag}",
            f"'{tag}' the day before",
            f"On days after a day you tagged '{tag}'",
            prev,
        )

    all_themes = sorted({t for s in themes_by_day.values() for t in s})
    for theme in all_themes:
        pred: dict[date, bool | None] = {d: theme in themes_by_day.get(d, set()) for d in days}
        add(
            f"theme:{theme}", f"writing about '{theme}'", f"On days you wrote about '{theme}'", pred
        )
    return tests


def _peak_tests(entries: Sequence[Entry]) -> list[_Test]:
    tests = []
    for metric in ("anxiety", "mood"):
        for wd in range(7):
            for name, lo, hi in PARTS:
                inside = [e for e in entries if e.weekday == wd and lo <= e.hour < hi]
                outside = [e for e in entries if not (e.weekday == wd and lo <= e.hour < hi)]
                if len(inside) < MIN_CELL:
                    continue
                tests.append(
                    _Test(
                        key=f"peak:{metric}:{wd}:{name}",
                        metric=metric,
                        factor=f"{WEEKDAYS[wd]} {name}s",
                        with_values=[float(getattr(e, metric)) for e in inside],
                        without_values=[float(getattr(e, metric)) for e in outside],
                        unit="check-ins",
                        phrase=f"On {WEEKDAYS[wd]} {name}s",
                    )
                )
    return tests


def compute(
    entries: Sequence[Entry], *, themes_by_day: Mapping[date, set[str]] | None = None
) -> Insights:
    """All insights for one person. `themes_by_day` maps a local date to the themes of what
    they wrote that day (from the language capability), when there is any."""
    entries = sorted(entries, key=lambda e: (e.day, e.hour))
    daily = _daily(entries)
    waiting: list[str] = []
    tests: list[_Test] = []
    if len(daily) < MIN_DAYS:
        waiting.append(
            f"Patterns across days appear after {MIN_DAYS} days with a check-in "
            f"(so far: {len(daily)})."
        )
    else:
        tests += _day_tests(daily, themes_by_day or {})
    tests += _peak_tests(entries)
    runnable = [
        t for t in tests if len(t.with_values) >= MIN_GROUP and len(t.without_values) >= MIN_GROUP
    ]
    if len(daily) >= MIN_DAYS and not any(t.key.startswith("sleep<6") for t in runnable):
        waiting.append(
            f"A sleep pattern needs at least {MIN_GROUP} days after short sleep and "
            f"{MIN_GROUP} after longer sleep, with hours of sleep filled in."
        )
    results = [(t, *welch(t.with_values, t.without_values)) for t in runnable]
    q_values = benjamini_hochberg([r[4] for r in results]) if results else []
    claims: list[Claim] = []
    for (test, diff, lo, hi, p), q in zip(results, q_values, strict=True):
        if q > FDR or abs(diff) < 0.5:  # below half a point is not worth a person's attention
            continue
        claims.append(
            Claim(
                key=test.key,
                metric=test.metric,
                factor=test.factor,
                text=_sentence(test, diff, lo, hi),
                difference=round(diff, 2),
                ci_low=round(lo, 2),
                ci_high=round(hi, 2),
                p_value=p,
                q_value=q,
                n_with=len(test.with_values),
                n_without=len(test.without_values),
                unit=test.unit,
            )
        )
    # Keep one peak claim per metric and direction (the strongest), then order by strength.
    claims.sort(key=lambda c: (c.q_value, -abs(c.difference)))
    seen_peaks: set[tuple[str, bool]] = set()
    kept: list[Claim] = []
    for c in claims:
        if c.key.startswith("peak:"):
            tag = (c.metric, c.difference > 0)
            if tag in seen_peaks:
                continue
            seen_peaks.add(tag)
        kept.append(c)
    return Insights(
        checkins=len(entries),
        days=len(daily),
        heatmap=heatmap(entries),
        claims=kept,
        tested=len(results),
        waiting=waiting,
    )
