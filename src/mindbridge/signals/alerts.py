"""Whether to alert the clinician today: a threshold per service, and a cool-down.

A pure function of the recent scores and the alerts already sent, so the decision can be
replayed and audited. Rules: the score must reach `threshold` on `persist_days` consecutive
days; after an alert, no new one for `cooldown_days` unless the score has risen by
`escalation` above the score that alert was sent at (things got clearly worse).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from mindbridge.signals.records import FloatArray


@dataclass(frozen=True)
class AlertPolicy:
    threshold: float = 0.5  # the tuned operating point of the default DetectorConfig
    persist_days: int = 2
    cooldown_days: int = 14
    escalation: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if self.persist_days < 1 or self.cooldown_days < 0:
            raise ValueError("persist_days >= 1 and cooldown_days >= 0 required")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PastAlert:
    day: date
    score: float


@dataclass(frozen=True)
class AlertDecision:
    alert: bool
    reason: str


def decide_alert(
    today: date,
    recent_scores: Sequence[float],
    past_alerts: Sequence[PastAlert],
    policy: AlertPolicy = AlertPolicy(),
) -> AlertDecision:
    """`recent_scores` ends with today's score (NaN for a day with no score)."""
    if not recent_scores:
        return AlertDecision(False, "no score today")
    score = recent_scores[-1]
    window = list(recent_scores[-policy.persist_days :])
    if len(window) < policy.persist_days or not all(s >= policy.threshold for s in window):
        if score >= policy.threshold:
            return AlertDecision(
                False, f"above threshold for fewer than {policy.persist_days} days"
            )
        return AlertDecision(False, "below threshold")
    earlier = [a for a in past_alerts if a.day <= today]
    if earlier:
        last = max(earlier, key=lambda a: a.day)
        since = (today - last.day).days
        if since < policy.cooldown_days:
            if score >= last.score + policy.escalation:
                return AlertDecision(True, f"clearly worse than at the alert {since} days ago")
            return AlertDecision(False, f"cool-down: alerted {since} days ago")
    return AlertDecision(True, f"score {score:.2f} reached threshold {policy.threshold:.2f}")


def alert_days(scores: FloatArray, policy: AlertPolicy = AlertPolicy()) -> npt.NDArray[np.bool_]:
    """Replay `decide_alert` over (clients, days) scores at once (for benchmarks and backfills)."""
    n, d = scores.shape
    fired = np.zeros((n, d), np.bool_)
    last_day = np.full(n, -(10**9))
    last_score = np.zeros(n)
    run = np.zeros(n, np.int64)
    s = np.nan_to_num(scores, nan=-1.0)
    for t in range(d):
        above = s[:, t] >= policy.threshold
        run = np.where(above, run + 1, 0)
        ready = run >= policy.persist_days
        cooling = (t - last_day) < policy.cooldown_days
        worse = s[:, t] >= last_score + policy.escalation
        fire = ready & (~cooling | worse)
        fired[:, t] = fire
        last_day = np.where(fire, t, last_day)
        last_score = np.where(fire, s[:, t], last_score)
    return fired
