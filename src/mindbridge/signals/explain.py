"""Plain-words reasons for a score, and notices when data stops arriving.

Reasons are computed from the person's own numbers over the last week against their usual
(baseline median), e.g. "sleep 1.8 h below usual on 6 of the last 7 nights; steps down 35%;
two missed check-ins". A drop in completeness is not a reason: it is reported separately,
with a suggested message to the client about syncing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from mindbridge.signals.daily import DailyInputs
from mindbridge.signals.detector import Assessment
from mindbridge.signals.features import SPECS
from mindbridge.signals.records import FloatArray

RECENT_DAYS = 7
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


@dataclass(frozen=True)
class Finding:
    feature: str
    group: str
    evidence: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "group": self.group,
            "evidence": self.evidence,
            "text": self.text,
        }


@dataclass(frozen=True)
class Explanation:
    day: date
    score: float
    findings: tuple[Finding, ...]

    @property
    def text(self) -> str:
        if not self.findings:
            return "no change from usual"
        return "; ".join(f.text for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "score": self.score,
            "text": self.text,
            "findings": [f.to_dict() for f in self.findings],
        }


def _pct(recent: float, usual: float) -> str:
    change = recent / usual - 1 if usual > 0 else 0.0
    return f"{'up' if change > 0 else 'down'} {abs(change):.0%}"


def _phrase(
    name: str,
    recent: FloatArray,
    usual: float,
    side: int,
    inputs: DailyInputs | None,
    client: int,
    day: int,
) -> str:
    """One finding in words, from the last week's values and the usual (baseline median)."""
    vals = recent[~np.isnan(recent)]
    n = len(vals)
    if name in ("sleep_h", "sleep_midpoint_h", "sleep_onset_h", "wake_h"):
        off = vals - usual
        hit = off < -0.5 if side < 0 else off > 0.5
        k = int(hit.sum())
        size = float(np.abs(off[hit]).mean()) if k else float(abs(np.median(off)))
        nights = f"on {k} of the last {n} nights"
        if name == "sleep_h":
            return f"sleep {size:.1f} h {'below' if side < 0 else 'above'} usual {nights}"
        when = "earlier" if side < 0 else "later"
        what = {"sleep_midpoint_h": "sleep midpoint", "sleep_onset_h": "falling asleep"}
        return f"{what.get(name, 'waking')} {size:.1f} h {when} than usual {nights}"
    latest = float(np.median(vals))
    if name == "sleep_irregularity_h":
        return f"sleep times irregular (midpoint varies by {latest:.1f} h, usually {usual:.1f} h)"
    if name in ("steps", "activity_counts", "screen_minutes", "app_minutes"):
        return f"{SPECS[name].label} {_pct(latest, usual)}"
    if name == "sedentary_share":
        return f"sedentary share of waking time {latest:.0%} (usually {usual:.0%})"
    if name == "rhythm_is":
        return f"daily rhythm less regular (stability {latest:.2f}, usually {usual:.2f})"
    if name == "rhythm_iv":
        return f"daily rhythm more fragmented (variability {latest:.2f}, usually {usual:.2f})"
    if name == "rhythm_ra":
        return f"weaker day-night contrast (amplitude {latest:.2f}, usually {usual:.2f})"
    if name == "resting_hr":
        where = "above" if side > 0 else "below"
        return f"resting heart rate {abs(latest - usual):.0f} bpm {where} usual"
    if name == "hrv_sdnn":
        return f"HRV {abs(latest - usual):.0f} ms {'below' if side < 0 else 'above'} usual"
    if name == "mood":
        low = int((vals < usual - 1).sum())
        return (
            f"mood {abs(latest - usual):.1f} points below usual "
            f"({low} of the last {n} check-ins low)"
        )
    if name == "phq9":
        return f"PHQ-9 {latest:.0f}, usually {usual:.0f}"
    if name == "checkin_rate":
        if inputs is not None and "checkin" in inputs.values:
            done = inputs.values["checkin"][client, max(0, day - RECENT_DAYS + 1) : day + 1]
            missed = int((done == 0).sum())
            plural = "s" if missed != 1 else ""
            return f"{number_word(missed)} missed check-in{plural} in the last week"
        return f"check-ins done {latest:.0%} of the time (usually {usual:.0%})"
    if name == "sentiment":
        return "writing more negative in tone than usual"
    if name == "stress":
        return "more stress in writing than usual"
    return f"{SPECS[name].label} changed"


def explain(
    assessment: Assessment,
    client: int,
    day: int,
    *,
    inputs: DailyInputs | None = None,
    max_findings: int = 4,
    min_evidence: float = 0.75,
) -> Explanation:
    """Reasons for the score of one client on one day, strongest domain first."""
    feats = assessment.features
    specs = feats.specs()
    found: list[Finding] = []
    for gi, group in enumerate(assessment.groups):
        weight = float(assessment.evidence[client, day, gi])
        if weight < min_evidence:
            continue
        members = [i for i, s in enumerate(specs) if s.group == group]
        top = max(members, key=lambda i: float(assessment.cusum[client, day, i]))
        spec = specs[top]
        usual = float(assessment.baseline.median[client, day, top])
        if np.isnan(usual):
            continue
        if spec.log:
            usual = float(np.expm1(usual))
        recent = feats.values[client, max(0, day - RECENT_DAYS + 1) : day + 1, top]
        if np.isnan(recent).all():
            continue
        side = int(assessment.side[client, day, top])
        text = _phrase(spec.name, recent, usual, side, inputs, client, day)
        found.append(Finding(spec.name, group, round(weight, 2), text))
    found.sort(key=lambda f: -f.evidence)
    when = feats.start + timedelta(days=day)
    return Explanation(
        when, round(float(assessment.score[client, day]), 3), tuple(found[:max_findings])
    )


_NUDGES = {
    "sleep": "We haven't received sleep data since {since}. If you'd like to keep sharing it, "
    "check that your watch is charged at bedtime and that syncing is switched on.",
    "steps": "Your step data hasn't synced since {since}. Opening the app once lets your phone "
    "send what it has recorded.",
    "actigraphy": "Your activity tracker hasn't sent data since {since}. Please check that it is "
    "charged and being worn.",
    "heart_rate": "Your watch hasn't synced heart data since {since}. Wearing it and opening the "
    "app will catch up.",
    "hrv_sdnn": "Your watch hasn't synced heart data since {since}. Wearing it and opening the "
    "app will catch up.",
    "screen_time": "Screen-time data stopped arriving on {since}. You can check that sharing is "
    "still on in your phone's settings, if you want to keep sharing it.",
}


@dataclass(frozen=True)
class DataNotice:
    """A drop in how much data arrives: for the clinician's view and a nudge to the client."""

    source: str
    since: date
    recent: float
    usual: float
    message: str
    nudge: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "since": self.since.isoformat(),
            "recent": self.recent,
            "usual": self.usual,
            "message": self.message,
            "nudge": self.nudge,
        }


def data_notices(
    inputs: DailyInputs,
    client: int,
    day: int,
    *,
    recent_days: int = 3,
    window: int = 28,
    low: float = 0.5,
    usual_at_least: float = 0.7,
) -> list[DataNotice]:
    """Sources whose completeness fell (recent mean < `low`, usually >= `usual_at_least`)."""
    notices = []
    for source, series in inputs.completeness.items():
        row = series[client, : day + 1]
        recent = row[-recent_days:]
        before = row[max(0, len(row) - recent_days - window) : len(row) - recent_days]
        if len(before) < 7 or len(recent) < recent_days:
            continue
        recent_mean, usual = float(recent.mean()), float(np.median(before))
        if recent_mean >= low or usual < usual_at_least:
            continue
        run = 0
        while run < len(row) and row[len(row) - 1 - run] < low:
            run += 1
        since = inputs.day(day - run + 1)
        when = f"{since:%a %d %b}"
        notices.append(
            DataNotice(
                source,
                since,
                round(recent_mean, 2),
                round(usual, 2),
                f"Little or no {source.replace('_', ' ')} data since {when} "
                f"(usually {usual:.0%} complete); treated as missing, not as a change.",
                _NUDGES.get(source, "Some of your data hasn't synced since {since}.").format(
                    since=when
                ),
            )
        )
    return notices
