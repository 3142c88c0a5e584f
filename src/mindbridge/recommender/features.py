"""Turn a Context into facts (for rules and explanations) and a fixed-length vector (for learning).

`summarise` computes the handful of derived facts the rules quote ("sleep averaged 5.1 h over
6 check-ins"), so the explanation text and the numbers the policy used come from one place.
`featurise` produces the documented vector in FEATURES order. A missing value is imputed
with a neutral constant and flagged by its own `*_missing` feature, so "no data" is a state
of its own and never reads as a bad day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from mindbridge.recommender.context import EMOTIONS, THEMES, THINKING_TRAPS, Context

WINDOW = timedelta(days=7)
HISTORY_WINDOW = timedelta(days=14)


def time_of_day(hour: int | None) -> str | None:
    """Bucket a local clock hour; None when the hour is unknown."""
    if hour is None:
        return None
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 18:
        return "afternoon"
    if 18 <= hour < 23:
        return "evening"
    return "night"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Summary:
    """Derived facts over the last 7 days (check-ins) and 14 days (exercise history)."""

    mood_mean: float | None
    mood_last: float | None
    mood_n: int
    mood_trend: float | None  # points per day, from a least-squares line (>= 3 check-ins)
    anxiety_mean: float | None
    anxiety_last: float | None
    anxiety_n: int
    sleep_mean: float | None  # check-in sleep, else the wearable's weekly mean
    sleep_last: float | None
    sleep_n: int
    sleep_source: str | None  # "check-ins" | "wearable" | None
    checkins_7d: int
    time_of_day: str | None
    exercises_14d: int
    completed_14d: int
    mean_helpfulness: float | None
    days_since_last_exercise: float | None


def summarise(context: Context, now: datetime) -> Summary:
    start = now - WINDOW
    recent = sorted((c for c in context.checkins if start <= c.at <= now), key=lambda c: c.at)
    moods = [(c.at, c.mood) for c in recent if c.mood is not None]
    anx = [c.anxiety for c in recent if c.anxiety is not None]
    sleep = [c.sleep_hours for c in recent if c.sleep_hours is not None]

    trend: float | None = None
    if len(moods) >= 3:
        days = [(t - moods[0][0]).total_seconds() / 86400.0 for t, _ in moods]
        vals = [m for _, m in moods]
        mean_day = sum(days) / len(days)
        mean_val = sum(vals) / len(vals)
        spread = sum((d - mean_day) ** 2 for d in days)
        if spread > 1e-9:
            cross = sum((d - mean_day) * (v - mean_val) for d, v in zip(days, vals, strict=True))
            trend = cross / spread

    sleep_mean = _mean(sleep)
    sleep_source: str | None = "check-ins" if sleep else None
    if sleep_mean is None and context.wearable.sleep_hours_mean is not None:
        sleep_mean = context.wearable.sleep_hours_mean
        sleep_source = "wearable"

    hist_start = now - HISTORY_WINDOW
    history = sorted(
        (e for e in context.recent_exercises if hist_start <= e.at <= now), key=lambda e: e.at
    )
    ratings = [float(e.helpfulness) for e in history if e.helpfulness is not None]
    last_at = max((e.at for e in context.recent_exercises if e.at <= now), default=None)

    return Summary(
        mood_mean=_mean([m for _, m in moods]),
        mood_last=moods[-1][1] if moods else None,
        mood_n=len(moods),
        mood_trend=trend,
        anxiety_mean=_mean(anx),
        anxiety_last=anx[-1] if anx else None,
        anxiety_n=len(anx),
        sleep_mean=sleep_mean,
        sleep_last=sleep[-1] if sleep else None,
        sleep_n=len(sleep),
        sleep_source=sleep_source,
        checkins_7d=len(recent),
        time_of_day=time_of_day(context.local_hour),
        exercises_14d=len(history),
        completed_14d=sum(1 for e in history if e.completed),
        mean_helpfulness=_mean(ratings),
        days_since_last_exercise=(
            (now - last_at).total_seconds() / 86400.0 if last_at is not None else None
        ),
    )


@dataclass(frozen=True)
class Feature:
    name: str
    description: str


def _f(name: str, description: str) -> Feature:
    return Feature(name, description)


_QUESTIONNAIRE_SCALES: tuple[tuple[str, float, float, str], ...] = (
    ("phq9", 0.0, 27.0, "PHQ-9 total / 27"),
    ("gad7", 0.0, 21.0, "GAD-7 total / 21"),
    ("who5", 0.0, 25.0, "WHO-5 raw total (0-25) / 25"),
    ("pss10", 0.0, 40.0, "PSS-10 total / 40"),
    ("k10", 10.0, 40.0, "(K10 total - 10) / 40"),
)
_SUBSCALE_SCALES: tuple[tuple[str, float, str], ...] = (
    ("phq9_sleep", 3.0, "PHQ-9 sleep item / 3"),
    ("phq2", 6.0, "PHQ-2 (PHQ-9 items 1-2) / 6"),
    ("gad7_worry", 6.0, "GAD-7 worry items 2-3 / 6"),
)

FEATURES: tuple[Feature, ...] = (
    _f("bias", "constant 1"),
    *(
        g
        for name, _, _, text in _QUESTIONNAIRE_SCALES
        for g in (
            _f(name, f"{text}; 0 when missing"),
            _f(f"{name}_missing", f"1 when no {name} score"),
        )
    ),
    *(
        g
        for name, _, text in _SUBSCALE_SCALES
        for g in (
            _f(name, f"{text}; 0 when missing"),
            _f(f"{name}_missing", f"1 when no {name} subscale"),
        )
    ),
    _f("mood_mean_7d", "mean check-in mood over 7 days / 10; 0.5 when missing"),
    _f("mood_last", "latest check-in mood / 10; 0.5 when missing"),
    _f("mood_trend", "mood slope in points/day, clipped to +-1; 0 with < 3 check-ins"),
    _f("mood_missing", "1 when no mood check-in in 7 days"),
    _f("anxiety_mean_7d", "mean check-in anxiety / 10; 0.4 when missing"),
    _f("anxiety_last", "latest check-in anxiety / 10; 0.4 when missing"),
    _f("anxiety_missing", "1 when no anxiety check-in in 7 days"),
    _f("sleep_mean_7d", "(mean check-in sleep hours - 7) / 3; 0 when missing"),
    _f("sleep_last", "(latest check-in sleep hours - 7) / 3; 0 when missing"),
    _f("sleep_missing", "1 when no sleep check-in in 7 days"),
    _f("checkins_7d", "check-ins in 7 days / 7, capped at 1"),
    *(_f(f"emotion_{e}", f"{e} probability from recent text; 0 when missing") for e in EMOTIONS),
    _f("text_missing", "1 when no emotions from text"),
    _f("stress_probability", "stress probability from recent text; 0 when missing"),
    _f("stress_missing", "1 when no stress probability"),
    *(_f(f"trap_{t}", f"{t} probability from recent text; 0 when none") for t in THINKING_TRAPS),
    *(_f(f"theme_{t}", f"1 when the theme '{t}' is tagged") for t in THEMES),
    _f("wear_sleep", "(wearable 7-day mean sleep hours - 7) / 3; 0 when missing"),
    _f("wear_sleep_missing", "1 when no wearable sleep"),
    _f("activity_z", "wearable activity vs own baseline, clipped to +-3, / 3; 0 when missing"),
    _f("activity_missing", "1 when no wearable activity"),
    _f("sleep_regularity", "wearable sleep regularity 0-1; 0.5 when missing"),
    _f("sleep_regularity_missing", "1 when no sleep regularity"),
    _f("tod_morning", "1 when local hour 5-11"),
    _f("tod_afternoon", "1 when local hour 12-17"),
    _f("tod_evening", "1 when local hour 18-22"),
    _f("tod_night", "1 when local hour 23-4"),
    _f("time_missing", "1 when local hour unknown"),
    _f("exercises_14d", "exercises given in 14 days / 14, capped at 1"),
    _f("completion_rate_14d", "share of those completed; 0 when none given"),
    _f("helpfulness_mean", "(mean helpfulness rating - 3) / 2 over 14 days; 0 when none"),
    _f("helpfulness_missing", "1 when no rating in 14 days"),
    _f("days_since_exercise", "days since the last exercise / 14, capped at 1; 1 when never"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
N_FEATURES = len(FEATURES)


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def featurise(
    context: Context, now: datetime, summary: Summary | None = None
) -> NDArray[np.float64]:
    """The FEATURES vector for `context` at `now` (pass `summary` to avoid recomputing it)."""
    s = summary if summary is not None else summarise(context, now)
    out: list[float] = [1.0]
    for name, low, span, _ in _QUESTIONNAIRE_SCALES:
        q = context.questionnaires.get(name)
        out += [0.0, 1.0] if q is None else [_clip((q - low) / span, 0.0, 1.0), 0.0]
    for name, span, _ in _SUBSCALE_SCALES:
        v = context.subscales.get(name)
        out += [0.0, 1.0] if v is None else [_clip(v / span, 0.0, 1.0), 0.0]

    if s.mood_mean is None or s.mood_last is None:
        out += [0.5, 0.5, 0.0, 1.0]
    else:
        trend = 0.0 if s.mood_trend is None else _clip(s.mood_trend, -1.0, 1.0)
        out += [s.mood_mean / 10.0, s.mood_last / 10.0, trend, 0.0]
    if s.anxiety_mean is None or s.anxiety_last is None:
        out += [0.4, 0.4, 1.0]
    else:
        out += [s.anxiety_mean / 10.0, s.anxiety_last / 10.0, 0.0]
    if s.sleep_source != "check-ins" or s.sleep_mean is None or s.sleep_last is None:
        out += [0.0, 0.0, 1.0]
    else:
        out += [(s.sleep_mean - 7.0) / 3.0, (s.sleep_last - 7.0) / 3.0, 0.0]
    out.append(min(s.checkins_7d / 7.0, 1.0))

    if context.emotions:
        out += [_clip(context.emotions.get(e, 0.0), 0.0, 1.0) for e in EMOTIONS] + [0.0]
    else:
        out += [0.0] * len(EMOTIONS) + [1.0]
    sp = context.stress_probability
    out += [0.0, 1.0] if sp is None else [_clip(sp, 0.0, 1.0), 0.0]
    out += [_clip(context.thinking_traps.get(t, 0.0), 0.0, 1.0) for t in THINKING_TRAPS]
    out += [1.0 if t in context.themes else 0.0 for t in THEMES]

    w = context.wearable
    out += [0.0, 1.0] if w.sleep_hours_mean is None else [(w.sleep_hours_mean - 7.0) / 3.0, 0.0]
    out += [0.0, 1.0] if w.activity_z is None else [_clip(w.activity_z, -3.0, 3.0) / 3.0, 0.0]
    out += [0.5, 1.0] if w.sleep_regularity is None else [_clip(w.sleep_regularity, 0.0, 1.0), 0.0]

    tod = s.time_of_day
    out += [float(tod == b) for b in ("morning", "afternoon", "evening", "night")]
    out.append(1.0 if tod is None else 0.0)

    given = s.exercises_14d
    out.append(min(given / 14.0, 1.0))
    out.append(s.completed_14d / given if given else 0.0)
    if s.mean_helpfulness is None:
        out += [0.0, 1.0]
    else:
        out += [(s.mean_helpfulness - 3.0) / 2.0, 0.0]
    since = s.days_since_last_exercise
    out.append(1.0 if since is None else min(since / 14.0, 1.0))

    vec = np.asarray(out, dtype=np.float64)
    if vec.shape != (N_FEATURES,):
        raise AssertionError(f"featuriser produced {vec.shape}, expected {N_FEATURES}")
    return vec
