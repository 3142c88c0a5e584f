"""Change detection over the feature set, combined into a deterioration score in [0, 1].

1. Robust z per feature and day against the person's own baseline (baseline.py), with a
   per-feature floor on the spread so a very regular person does not alert on trivia.
2. One-sided CUSUM per feature in the direction that means "worse" (both directions for
   sleep duration and timing): S_t = max(0, S_{t-1} + min(z_t, z_clip) - k). With k = 0.5 this
   is the log-likelihood ratio of a one-SD shift against none (Page 1954), so S is evidence
   in nats. A day without data leaves S where it was, decaying slowly: missing data is
   neither evidence of a change nor of recovery.
   Two speeds: the fast CUSUM (k = 1, tuned for a shift of about 2 SD) catches abrupt
   changes within days; a slow one (k = 0.5, for about 1 SD) accumulates a gradual,
   moderate decline that the fast one forgets as fast as it sees it. Its evidence is added
   at `slow_weight`.
3. Evidence per domain = the strongest feature in it (steps and activity counts measure one
   thing), with a soft cap: above `group_cap` it counts at the rate `over_cap`, so a change
   seen in one domain only must be much clearer than one seen in several (a single-domain
   change is often a sprained ankle or a broken watch; relapse tends to show in several).
4. score = sigmoid(scale * (sum_g weight_g * evidence_g - bias)), the posterior-style odds
   that the person is deteriorating given the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mindbridge.signals.baseline import Baseline, BaselineConfig, baseline_rows
from mindbridge.signals.features import GROUPS, FeatureSet, FeatureSpec, carry_forward
from mindbridge.signals.records import FloatArray

HOLD_CARRY_DAYS = 21
# Chosen on the early-warning tuning seeds (benchmarks/signals_tune_early_warning.py) for
# sleep, activity, rhythm, mood and engagement; physiology, phone and text are not in that
# benchmark and are set by judgement (weaker evidence in the literature than mood/activity).
DEFAULT_GROUP_WEIGHTS = {
    "sleep": 0.4,
    "activity": 1.0,
    "rhythm": 0.5,
    "physiology": 0.6,
    "phone": 0.4,
    "mood": 1.0,
    "engagement": 1.0,
    "text": 0.5,
}


@dataclass(frozen=True)
class DetectorConfig:
    """Defaults tuned on the early-warning tuning seeds; `bias` puts score 0.5 on the line
    where alerts were tuned to fire, so AlertPolicy(threshold=0.5) is the tuned operating
    point and a service moves it up (fewer alerts) or down (earlier, more alerts)."""

    baseline: BaselineConfig = field(default_factory=BaselineConfig)
    k: float = 1.0
    z_clip: float = 1.5
    z_clip_by_group: dict[str, float] = field(default_factory=dict)
    missing_decay: float = 0.9
    cusum_cap: float = 15.0
    slow_k: float = 0.5  # the second, slow CUSUM (gradual drifts of about 1 SD)
    slow_z_clip: float = 1.5
    slow_missing_decay: float = 0.95
    slow_weight: float = 0.5  # 0 turns the slow CUSUM off
    group_cap: float = 3.0
    over_cap: float = 0.25  # evidence above the cap still counts at this rate (a soft cap)
    group_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GROUP_WEIGHTS))
    bias: float = 4.45
    scale: float = 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "baseline": vars(self.baseline),
            "k": self.k,
            "z_clip": self.z_clip,
            "z_clip_by_group": dict(self.z_clip_by_group),
            "missing_decay": self.missing_decay,
            "cusum_cap": self.cusum_cap,
            "slow_k": self.slow_k,
            "slow_z_clip": self.slow_z_clip,
            "slow_missing_decay": self.slow_missing_decay,
            "slow_weight": self.slow_weight,
            "group_cap": self.group_cap,
            "over_cap": self.over_cap,
            "group_weights": dict(self.group_weights),
            "bias": self.bias,
            "scale": self.scale,
        }


@dataclass
class Assessment:
    """Everything the detector derived. Stored in the layouts the computation wants; the
    properties give `[client, day, feature]` / `[client, day, group]` views."""

    features: FeatureSet
    baseline: Baseline  # on the z scale's units (log1p for log features)
    z_fnd: npt.NDArray[np.float32]  # (features, clients, days) signed robust z, NaN if none
    # (days, features, clients) evidence per feature: fast + slow_weight x slow CUSUM
    cusum_dfn: npt.NDArray[np.float32]
    side_dfn: npt.NDArray[np.int8]  # +1 evidence for "higher", -1 for "lower"
    groups: tuple[str, ...]
    evidence_dgn: npt.NDArray[np.float32]  # (days, groups, clients), weighted
    score: FloatArray  # (clients, days)

    @property
    def z(self) -> npt.NDArray[np.float32]:
        return np.moveaxis(self.z_fnd, 0, -1)

    @property
    def cusum(self) -> npt.NDArray[np.float32]:
        return np.transpose(self.cusum_dfn, (2, 0, 1))

    @property
    def side(self) -> npt.NDArray[np.int8]:
        return np.transpose(self.side_dfn, (2, 0, 1))

    @property
    def evidence(self) -> npt.NDArray[np.float32]:
        return np.transpose(self.evidence_dgn, (2, 0, 1))

    def contributions(self, client: int, day: int) -> dict[str, float]:
        """Weighted evidence per domain on one day (what the score is made of)."""
        return {g: float(self.evidence_dgn[day, i, client]) for i, g in enumerate(self.groups)}


def transformed(features: FeatureSet, i: int) -> FloatArray:
    """Feature i, (clients, days), on the z scale (log1p for skewed totals)."""
    x: FloatArray = features.data[i]
    if features.specs()[i].log:
        x = np.log1p(np.maximum(x, 0.0))
    return x


def assess(features: FeatureSet, config: DetectorConfig = DetectorConfig()) -> Assessment:
    """Score every client and day of a FeatureSet."""
    specs = features.specs()
    f, n, d = features.data.shape
    z = np.empty((f, n, d), np.float32)
    med = np.empty((f, n, d), np.float32)
    sd = np.empty((f, n, d), np.float32)
    cnt = np.empty((f, n, d), np.float32)
    for i, spec in enumerate(specs):
        x = transformed(features, i)
        # answered every week or two: judge against the answers carried forward
        reference = carry_forward(x, HOLD_CARRY_DAYS) if spec.hold else x
        med[i], sd[i], cnt[i] = baseline_rows(reference, config.baseline)
        with np.errstate(invalid="ignore"):
            z[i] = (x - med[i]) / np.fmax(sd[i], np.float32(spec.floor))

    def column(x: list[float]) -> npt.NDArray[np.float32]:
        return np.array(x, np.float32)[:, None]

    direction = column([s.direction for s in specs])
    memory = column([s.memory for s in specs])
    clip = column([config.z_clip_by_group.get(s.group, config.z_clip) for s in specs])
    watch_up, watch_down = (direction >= 0).astype(np.float32), (direction <= 0).astype(np.float32)
    by_day = np.ascontiguousarray(np.moveaxis(z, 2, 0))  # (days, features, clients)
    missing_all = np.isnan(by_day)
    fast = _cusum(
        by_day,
        missing_all,
        specs,
        memory,
        watch_up,
        watch_down,
        clip,
        config.k,
        config.missing_decay,
        config.cusum_cap,
    )
    channels = [(fast, 1.0)]
    if config.slow_weight > 0:
        slow_clip = np.full_like(clip, config.slow_z_clip)
        slow = _cusum(
            by_day,
            missing_all,
            specs,
            memory,
            watch_up,
            watch_down,
            slow_clip,
            config.slow_k,
            config.slow_missing_decay,
            config.cusum_cap,
        )
        channels.append((slow, config.slow_weight))
    cusum = np.zeros((d, f, n), np.float32)
    signed = np.zeros((d, f, n), np.float32)  # > 0: the evidence is for "higher than usual"
    for (up_dfn, down_dfn), w in channels:
        cusum += np.float32(w) * np.maximum(up_dfn, down_dfn)
        signed += np.float32(w) * (up_dfn - down_dfn)
    lower = signed < 0
    side = np.where(lower, np.int8(-1), np.int8(1))
    groups = tuple(g for g in GROUPS if any(s.group == g for s in specs))
    evidence = np.zeros((d, len(groups), n), np.float32)
    for gi, g in enumerate(groups):
        members = [i for i, s in enumerate(specs) if s.group == g]
        for (up_dfn, down_dfn), w in channels:
            strongest = np.maximum(up_dfn[:, members, :], down_dfn[:, members, :]).max(axis=1)
            excess = np.maximum(strongest - config.group_cap, 0.0)
            evidence[:, gi, :] += (w * config.group_weights.get(g, 1.0)) * (
                np.minimum(strongest, config.group_cap) + config.over_cap * excess
            )
    logit = config.scale * (evidence.sum(axis=1).T.astype(np.float64) - config.bias)
    score = 1.0 / (1.0 + np.exp(-logit))
    return Assessment(features, Baseline(med, sd, cnt), z, cusum, side, groups, evidence, score)


def _cusum(
    by_day: npt.NDArray[np.float32],
    missing_all: npt.NDArray[np.bool_],
    specs: tuple[FeatureSpec, ...],
    memory: npt.NDArray[np.float32],
    watch_up: npt.NDArray[np.float32],
    watch_down: npt.NDArray[np.float32],
    clip: npt.NDArray[np.float32],
    k: float,
    missing_decay: float,
    cap: float,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """One-sided CUSUMs for "higher" and "lower" over (days, features, clients) z, each
    (days, features, clients). A missing day keeps (decays) the evidence; a held feature
    (a questionnaire) keeps it undecayed."""
    d, f, n = by_day.shape
    decay = np.array([1.0 if s.hold else missing_decay for s in specs], np.float32)[:, None]
    rise_by = np.where(missing_all, np.float32(0), by_day)
    np.clip(rise_by, -clip, clip, out=rise_by)
    # a value that summarises `memory` days adds 1/memory of a day's evidence
    fall_by = np.negative(rise_by)
    k32 = np.float32(k)
    for step in (rise_by, fall_by):
        step -= k32
        step /= memory
    up_dfn = np.empty((d, f, n), np.float32)
    down_dfn = np.empty((d, f, n), np.float32)
    up = np.zeros((f, n), np.float32)
    down = np.zeros((f, n), np.float32)
    held = np.empty_like(up)
    cap32 = np.float32(cap)
    for t in range(d):
        missing = missing_all[t]
        for state, step, watch, out in (
            (up, rise_by[t], watch_up, up_dfn),
            (down, fall_by[t], watch_down, down_dfn),
        ):
            np.multiply(state, decay, out=held)
            state += step
            np.maximum(state, 0, out=state)
            state *= watch
            np.minimum(state, cap32, out=state)
            np.copyto(state, held, where=missing)
            out[t] = state
    return up_dfn, down_dfn
