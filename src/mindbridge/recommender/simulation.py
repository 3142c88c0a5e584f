"""An offline world of simulated people, to measure the policy against baselines honestly.

Design (docs/recommender.md has the full table):

* People belong to one of three groups (A 50%, B 30%, C 20%) that differ in base rates
  (B: more insomnia and stress, less time; C: more anxiety and panic) and in response
  structure (C gets about half the benefit from writing-heavy cognitive exercises and more
  from body-based ones; B gets a little more from problem solving, grounding and
  self-compassion, and finds medium/high-effort exercises harder to finish).
* Ten latent traits per person (low mood, anxiety, insomnia, worry, panic, social anxiety,
  procrastination, self-criticism, rumination, stress) drive what the system can observe
  (noisy questionnaires every 14 days, daily check-ins with gaps, weekly text signals,
  intake themes, a wearable for some) and, separately, the hidden benefit of each exercise.
* Hidden benefit u is NOT the policy's linear form: thresholds (relu), saturation and an
  inverted U for severe low mood, products of traits and the moment (evening, anxiety now,
  last night's sleep), group effects, a per-person style factor shared across body-based
  versus cognitive exercises, a per-person random effect per exercise, and novelty decay
  for psychoeducation.
* Outcomes: completion ~ Bernoulli(sigmoid(engagement - effort cost + 0.8 u)); rating
  = clip(round(3 + rating bias + 1.6 u + N(0, 0.9)), 1, 5) given with a person-specific
  probability; mood after - before = 1.5 u + N(0, 1), reported with another probability.
  The reward is reward.reward() on the reported outcome, so missing feedback counts as
  it would in the product.
* Drop-out: each person shows up on a day with their own probability, and after every
  interaction leaves for good with hazard 0.2% + 1.5% when the exercise earned no reward.
* Regret of a step = the best expected reward among the exercises the guard rails allow
  that person now, minus the expected reward of the one chosen; expectations are exact
  (normal CDFs for the rounded, clipped rating and the clipped mood change).

All randomness of the world (population and per-day noise) comes from `seed` and is shared
by every policy run (common random numbers); policies draw from their own generator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, ndtr

from mindbridge.recommender.catalogue import Catalogue, load_catalogue
from mindbridge.recommender.context import CheckIn, Context, PastExercise, Wearable
from mindbridge.recommender.guardrails import Controls, eligibility
from mindbridge.recommender.policy import (
    DEFAULT_CONFIG,
    Mode,
    PersonState,
    PolicyConfig,
    PopulationModel,
    Recommendation,
    apply_event,
    new_state,
    outcome_event,
    recommend,
)
from mindbridge.recommender.reward import (
    MOOD_SCALE,
    W_COMPLETION,
    W_MOOD,
    W_RATING,
    Outcome,
)

Array = NDArray[np.float64]

GROUPS: tuple[str, ...] = ("A", "B", "C")
GROUP_SHARES = (0.5, 0.3, 0.2)
TRAITS: tuple[str, ...] = (
    "low_mood",
    "anxiety",
    "insomnia",
    "worry",
    "panic",
    "social_anxiety",
    "procrastination",
    "self_criticism",
    "rumination",
    "stress",
)
T = {name: i for i, name in enumerate(TRAITS)}
_BASE_LOGIT = np.array([0.0, 0.0, -0.5, -0.2, -1.2, -1.0, -0.6, -0.5, -0.4, 0.0])
_LOADING = np.array([0.9, 0.8, 0.5, 0.7, 0.5, 0.4, 0.4, 0.6, 0.7, 0.6])
_GROUP_SHIFT = np.array(
    [
        np.zeros(10),
        [0.0, 0.0, 0.8, 0.0, -0.3, 0.0, 0.0, 0.0, 0.0, 0.6],
        [-0.3, 0.5, 0.0, 0.0, 0.6, 0.0, 0.0, 0.3, 0.0, 0.0],
    ]
)
EFFORT_COST = {"low": 0.0, "medium": 0.6, "high": 1.3}
BODY = ("paced_breathing", "grounding_54321", "progressive_muscle_relaxation")
COGNITIVE = ("thought_record", "worry_time", "problem_solving", "self_compassion")
SLOT_HOURS = (8, 14, 20, 23)
START = datetime(2025, 1, 6, tzinfo=UTC)
RATING_SD = 0.9
MOOD_SD = 1.0
DROP_BASE = 0.002
DROP_BAD = 0.015


@dataclass(frozen=True)
class SimSettings:
    people: int = 1000
    days: int = 60
    seed: int = 0
    horizon: int = 30  # interactions per person for the headline regret


def _relu(x: Array) -> Array:
    return np.maximum(x, 0.0)


@dataclass
class Population:
    """Everything fixed about the simulated people (hidden and observable)."""

    group: NDArray[np.int64]
    traits: Array  # (N, 10) in [0, 1]
    engagement: Array
    present_p: Array
    checkin_p: Array
    rate_p: Array
    mood_p: Array
    rating_bias: Array
    style: Array  # + for body-based, - for cognitive
    random_effect: Array  # (N, arms)
    slot_p: Array  # (N, 4) morning/afternoon/evening/night
    has_wearable: NDArray[np.bool_]
    flags: list[frozenset[str]]
    controls: list[Controls]
    themes: list[frozenset[str]]
    allowed: NDArray[np.bool_]  # (N, arms)


def _population(n: int, rng: np.random.Generator, catalogue: Catalogue) -> Population:
    ids = catalogue.ids
    k = len(ids)
    group = rng.choice(len(GROUPS), size=n, p=GROUP_SHARES)
    g = rng.standard_normal(n)
    logits = (
        _BASE_LOGIT[None, :]
        + _GROUP_SHIFT[group]
        + _LOADING[None, :] * g[:, None]
        + rng.normal(0.0, 0.8, (n, 10))
    )
    traits = expit(logits)
    engagement = rng.normal(0.0, 0.6, n) - 0.2 * (group == 1)
    style = rng.normal(0.0, 0.25, n) + 0.15 * (group == 2)
    slot_p = rng.dirichlet([3.0, 3.0, 3.0, 0.7], n)
    has_wearable = rng.random(n) < 0.4

    flag_rates = {
        "bipolar_disorder": 0.03,
        "seizure_disorder": 0.01,
        "sleep_apnoea": 0.06,
        "psychosis": 0.01,
        "musculoskeletal_injury": 0.05,
        "fall_risk": 0.03,
    }
    flags: list[frozenset[str]] = []
    controls: list[Controls] = []
    themes: list[frozenset[str]] = []
    theme_rules = (
        ("procrastination", "procrastination", 0.55, 0.8),
        ("sleep", "insomnia", 0.55, 0.7),
        ("worry", "worry", 0.6, 0.6),
        ("panic", "panic", 0.55, 0.8),
        ("social", "social_anxiety", 0.55, 0.8),
        ("work_stress", "stress", 0.6, 0.6),
        ("rumination", "rumination", 0.6, 0.5),
        ("self_criticism", "self_criticism", 0.6, 0.5),
    )
    excludable = [i for i in ids if i != "mood_checkin"]
    for i in range(n):
        person_flags = frozenset(f for f, p in flag_rates.items() if rng.random() < p)
        flags.append(person_flags)
        tr = traits[i]
        person_themes = {
            theme
            for theme, trait, cut, hit in theme_rules
            if (tr[T[trait]] > cut and rng.random() < hit) or rng.random() < 0.04
        }
        themes.append(frozenset(person_themes))
        approvals: dict[str, frozenset[str]] = {}
        if tr[T["insomnia"]] > 0.55 and rng.random() < 0.5:
            acknowledged = frozenset(f for f in person_flags if rng.random() < 0.5)
            approvals["cbti_sleep_restriction"] = acknowledged
        if max(tr[T["social_anxiety"]], tr[T["panic"]]) > 0.5 and rng.random() < 0.5:
            approvals["graded_exposure"] = frozenset(
                f for f in person_flags if f == "psychosis" and rng.random() < 0.3
            )
        for exercise_id, flag in (
            ("progressive_muscle_relaxation", "musculoskeletal_injury"),
            ("cbti_stimulus_control", "fall_risk"),
        ):
            if flag in person_flags and rng.random() < 0.5:
                approvals[exercise_id] = frozenset({flag})
        excluded = (
            frozenset({excludable[int(rng.integers(len(excludable)))]})
            if rng.random() < 0.1
            else frozenset()
        )
        controls.append(Controls(excluded=excluded, approvals=approvals))

    allowed = np.zeros((n, k), dtype=bool)
    for i in range(n):
        ok, _ = eligibility(catalogue, flags[i], controls[i])
        allowed[i, [ids.index(a) for a in ok]] = True

    return Population(
        group=group,
        traits=traits,
        engagement=engagement,
        present_p=rng.beta(6.0, 2.0, n),
        checkin_p=rng.beta(4.0, 2.0, n),
        rate_p=rng.beta(6.0, 2.0, n),
        mood_p=rng.beta(4.0, 3.0, n),
        rating_bias=rng.normal(0.0, 0.4, n),
        style=style,
        random_effect=rng.normal(0.0, 0.3, (n, k)),
        slot_p=slot_p,
        has_wearable=has_wearable,
        flags=flags,
        controls=controls,
        themes=themes,
        allowed=allowed,
    )


@dataclass
class Noise:
    """Per person-day draws shared by every policy run (common random numbers)."""

    present: Array
    slot: Array
    mood: Array
    anxiety: Array
    spike: Array
    sleep: Array
    checkin: Array  # (N, D, 3)
    complete: Array
    rate: Array
    rating: Array
    mood_fb: Array
    mood_change: Array
    drop: Array
    questionnaire: Array  # (N, D, 8)
    text: Array  # (N, D, 14)
    write: Array


def _noise(n: int, d: int, rng: np.random.Generator) -> Noise:
    return Noise(
        present=rng.random((n, d)),
        slot=rng.random((n, d)),
        mood=rng.standard_normal((n, d)),
        anxiety=rng.standard_normal((n, d)),
        spike=rng.random((n, d)),
        sleep=rng.standard_normal((n, d)),
        checkin=rng.random((n, d, 3)),
        complete=rng.random((n, d)),
        rate=rng.random((n, d)),
        rating=rng.standard_normal((n, d)),
        mood_fb=rng.random((n, d)),
        mood_change=rng.standard_normal((n, d)),
        drop=rng.random((n, d)),
        questionnaire=rng.standard_normal((n, d, 8)),
        text=rng.standard_normal((n, d, 14)),
        write=rng.random((n, d)),
    )


def hidden_benefit(
    traits: Array,
    group: NDArray[np.int64],
    style: Array,
    random_effect: Array,
    mood_now: Array,
    anx_now: Array,
    sleep_last: Array,
    slot: NDArray[np.int64],
    psychoeducation_done: Array,
    catalogue: Catalogue,
) -> Array:
    """u[i, a]: how much exercise a helps person i today (hidden from every policy)."""
    t = {name: traits[:, i] for name, i in T.items()}
    d, s, w, c, r, st = (
        t["low_mood"],
        t["insomnia"],
        t["worry"],
        t["self_criticism"],
        t["rumination"],
        t["stress"],
    )
    pn, sa, p = t["panic"], t["social_anxiety"], t["procrastination"]
    evening = (slot >= 2).astype(float)
    morning = (slot == 0).astype(float)
    grp_b = (group == 1).astype(float)
    grp_c = (group == 2).astype(float)
    anx = anx_now / 10.0
    mood = mood_now / 10.0

    # Magnitudes follow the effect sizes in clinical-reference section 4 for a well-matched
    # person (BA ~0.75-0.85, CBT-I ~0.8, problem solving 0.34-0.79, tiny step ~0.65,
    # self-compassion ~0.65, breathing ~0.35); the shapes are our assumptions.
    tr_base = np.maximum.reduce([r, 0.8 * c, 0.6 * w, 0.5 * d])
    thought = 0.6 * tr_base - 0.6 * _relu(d - 0.7) - 0.1 * evening
    u = {
        "mood_checkin": np.full_like(d, 0.1),
        "thought_record": thought * (1.0 - 0.55 * grp_c) - 0.05 * grp_c,
        "behavioural_activation": 0.85 * d * (1.0 - 0.5 * _relu(d - 0.75) / 0.25)
        + 0.2 * _relu(0.5 - mood)
        + 0.1 * (1.0 - evening)
        - 0.25 * evening,
        "paced_breathing": 0.1 + 0.8 * _relu(anx - 0.45) + 0.25 * st,
        "grounding_54321": 0.05
        + 0.7 * pn * np.where(anx > 0.55, 1.0, 0.4)
        + 0.25 * _relu(anx - 0.6)
        + 0.15 * grp_b,
        "progressive_muscle_relaxation": 0.1
        + 0.3 * st
        + 0.3 * s * np.where(evening > 0, 1.0, 0.3)
        + 0.25 * grp_c,
        "sleep_diary": 0.05 + 0.3 * s * np.where(morning > 0, 1.0, 0.7),
        "cbti_stimulus_control": 0.9 * s * np.where(evening > 0, 1.0, 0.6)
        - 0.15 * (1.0 - s)
        + 0.15 * s * _relu(6.0 - sleep_last),
        "cbti_sleep_restriction": 1.3 * s**1.5 - 0.2,
        "graded_exposure": 1.0 * np.maximum(sa, pn) - 0.25 - 0.2 * evening,
        "problem_solving": 0.6 * st * (1.0 - 0.8 * _relu(d - 0.5)) + 0.2 * w + 0.2 * grp_b,
        "procrastination_tiny_step": 0.75 * p * (1.0 - 0.4 * _relu(d - 0.7)) + 0.05,
        "worry_time": 0.7 * w * np.where(evening > 0, 0.5, 1.0) * (1.0 - 0.4 * grp_c),
        "self_compassion": 0.65 * c + 0.15 * d - 0.05 + 0.15 * grp_b,
        "psychoeducation": 0.3 * np.exp(-psychoeducation_done / 2.0),
    }
    out = np.stack([u[i] for i in catalogue.ids], axis=1)
    for j, exercise_id in enumerate(catalogue.ids):
        if exercise_id in BODY:
            out[:, j] += style
        elif exercise_id in COGNITIVE:
            out[:, j] -= style
    return out + random_effect


def _expected_clip_normal(mu: Array, sd: float, limit: float) -> Array:
    """E[clip(X, -limit, limit)] for X ~ N(mu, sd^2)."""
    a = (-limit - mu) / sd
    b = (limit - mu) / sd
    pdf_a = np.exp(-0.5 * a * a) / np.sqrt(2 * np.pi)
    pdf_b = np.exp(-0.5 * b * b) / np.sqrt(2 * np.pi)
    inside = mu * (ndtr(b) - ndtr(a)) + sd * (pdf_a - pdf_b)
    return np.asarray(inside - limit * ndtr(a) + limit * (1.0 - ndtr(b)), dtype=np.float64)


def _expected_rating(mu: Array, sd: float) -> Array:
    """E[clip(round(X), 1, 5)] for X ~ N(mu, sd^2)."""
    total = np.full_like(mu, 5.0)
    for k in range(1, 5):
        total -= ndtr((k + 0.5 - mu) / sd)
    return total


def completion_probability(
    u: Array,
    engagement: Array,
    group: NDArray[np.int64],
    slot: NDArray[np.int64],
    catalogue: Catalogue,
) -> Array:
    cost = np.array([EFFORT_COST[e.effort] for e in catalogue.exercises])
    effortful = cost > 0
    extra = 0.4 * (group == 1)[:, None] * effortful[None, :]
    evening_high = 0.3 * (slot >= 2)[:, None] * (cost >= 1.0)[None, :]
    logit = 1.3 + engagement[:, None] - cost[None, :] - extra - evening_high + 0.8 * u
    return np.asarray(expit(logit), dtype=np.float64)


def expected_reward(
    u: Array,
    p_complete: Array,
    rating_bias: Array,
    rate_p: Array,
    mood_p: Array,
) -> Array:
    """Exact E[reward] per (person, exercise), matching reward.reward() on reported data."""
    h = (_expected_rating(3.0 + rating_bias[:, None] + 1.6 * u, RATING_SD) - 3.0) / 2.0
    m = _expected_clip_normal(1.5 * u / MOOD_SCALE, MOOD_SD / MOOD_SCALE, 1.0)
    qh = rate_p[:, None]
    qm = mood_p[:, None]
    both = (W_RATING * h + W_MOOD * m) / (W_RATING + W_MOOD)
    signal = qh * qm * both + qh * (1 - qm) * h + (1 - qh) * qm * m
    return np.asarray(p_complete * (W_COMPLETION + (1 - W_COMPLETION) * signal))


def reward_vector(
    completed: NDArray[np.bool_],
    rated: NDArray[np.bool_],
    rating: Array,
    mood_reported: NDArray[np.bool_],
    before: Array,
    after: Array,
) -> Array:
    """reward.reward() for many outcomes at once (a test checks they agree)."""
    h = (rating - 3.0) / 2.0
    m = np.clip((after - before) / MOOD_SCALE, -1.0, 1.0)
    weight = W_RATING * rated + W_MOOD * mood_reported
    weighted = W_RATING * h * rated + W_MOOD * m * mood_reported
    signal = np.divide(weighted, weight, out=np.zeros_like(weighted), where=weight > 0)
    return np.asarray(W_COMPLETION * completed + (1.0 - W_COMPLETION) * signal)


@dataclass
class Observation:
    """What a policy may see about one person on one day."""

    person: int
    context: Context
    controls: Controls
    now: datetime


class SimPolicy(Protocol):
    name: str
    needs_context: bool

    def choose(self, people: NDArray[np.int64], day: int, world: World) -> NDArray[np.int64]: ...

    def learn(
        self, people: NDArray[np.int64], arms: NDArray[np.int64], outcomes: list[Outcome]
    ) -> None: ...


@dataclass
class RunResult:
    name: str
    people: int
    group: NDArray[np.int64]
    regret_by_k: Array  # (N, max interactions), NaN where no k-th interaction
    reward_by_k: Array
    expected_by_k: Array
    interactions: NDArray[np.int64]
    dropped: NDArray[np.bool_]
    arm_counts: NDArray[np.int64]

    def regret_at(self, horizon: int, mask: NDArray[np.bool_] | None = None) -> float:
        """Sum over k <= horizon of the mean regret at the k-th interaction (people who got
        there): the expected cumulative regret of a person after `horizon` interactions."""
        rows = self.regret_by_k if mask is None else self.regret_by_k[mask]
        cols = rows[:, :horizon]
        with np.errstate(invalid="ignore"):
            means = np.nanmean(np.where(np.isnan(cols).all(axis=0), 0.0, cols), axis=0)
        return float(np.sum(means))

    def summary(self, horizon: int) -> dict[str, Any]:
        per_group = {}
        overall = self.regret_at(horizon)
        for gi, gname in enumerate(GROUPS):
            mask = self.group == gi
            value = self.regret_at(horizon, mask)
            per_group[gname] = {
                "people": int(mask.sum()),
                f"regret_at_{horizon}": value,
                "relative_to_average": value / overall - 1.0 if overall > 0 else 0.0,
            }
        total_regret = float(np.nansum(self.regret_by_k)) / self.people
        return {
            "policy": self.name,
            f"regret_at_{horizon}": overall,
            "cumulative_regret_per_person": total_regret,
            "cumulative_reward_per_person": float(np.nansum(self.reward_by_k)) / self.people,
            "expected_reward_per_interaction": float(np.nanmean(self.expected_by_k)),
            "regret_per_interaction": float(np.nanmean(self.regret_by_k)),
            "interactions_per_person": float(self.interactions.mean()),
            "reached_horizon": float((self.interactions >= horizon).mean()),
            "retention": float(1.0 - self.dropped.mean()),
            "groups": per_group,
            "max_group_gap": max(g["relative_to_average"] for g in per_group.values()),
        }


@dataclass
class _Dynamic:
    mood: Array
    anxiety: Array
    low_mood: Array
    psychoeducation_done: Array
    dropped: NDArray[np.bool_]
    count: NDArray[np.int64]
    checkins: list[list[CheckIn]] = field(default_factory=list)
    history: list[list[PastExercise]] = field(default_factory=list)
    questionnaires: list[dict[str, float]] = field(default_factory=list)
    subscales: list[dict[str, float]] = field(default_factory=list)
    text: list[tuple[dict[str, float], float | None, dict[str, float]]] = field(
        default_factory=list
    )
    wearable: list[Wearable] = field(default_factory=list)


class World:
    """One simulated population plus its noise; `run(policy)` replays it for a policy."""

    def __init__(self, settings: SimSettings, catalogue: Catalogue | None = None) -> None:
        self.settings = settings
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        rng = np.random.default_rng([settings.seed, 7919])
        self.pop = _population(settings.people, rng, self.catalogue)
        self.noise = _noise(settings.people, settings.days, rng)
        self.k = len(self.catalogue.ids)
        self._dyn: _Dynamic | None = None
        self._slot: NDArray[np.int64] = np.zeros(settings.people, dtype=np.int64)
        self._sleep: Array = np.zeros(settings.people)

    # ----- observation helpers -------------------------------------------------------
    def _measure_questionnaires(self, dyn: _Dynamic, day: int) -> None:
        tr = self.pop.traits.copy()
        tr[:, T["low_mood"]] = dyn.low_mood
        z = self.noise.questionnaire[:, day, :]
        phq9 = np.clip(
            np.round(
                27
                * (0.7 * tr[:, 0] + 0.15 * tr[:, T["insomnia"]] + 0.15 * tr[:, T["self_criticism"]])
                + 2.0 * z[:, 0]
            ),
            0,
            27,
        )
        gad7 = np.clip(
            np.round(
                21 * (0.65 * tr[:, 1] + 0.25 * tr[:, T["worry"]] + 0.1 * tr[:, T["panic"]])
                + 1.5 * z[:, 1]
            ),
            0,
            21,
        )
        sleep_item = np.clip(np.round(3 * tr[:, T["insomnia"]] + 0.5 * z[:, 2]), 0, 3)
        worry_items = np.clip(np.round(6 * tr[:, T["worry"]] + 0.8 * z[:, 3]), 0, 6)
        pss10 = np.clip(
            np.round(40 * (0.7 * tr[:, T["stress"]] + 0.3 * tr[:, 1]) + 3.0 * z[:, 4]), 0, 40
        )
        phq2 = np.clip(np.round(6 * tr[:, 0] + 0.8 * z[:, 5]), 0, 6)
        answered = ndtr(z[:, 6]) < 0.9
        pss_given = ndtr(z[:, 7]) < 0.5
        for i in range(self.settings.people):
            if not answered[i] and dyn.questionnaires[i]:
                continue
            q = {"phq9": float(phq9[i]), "gad7": float(gad7[i])}
            if pss_given[i]:
                q["pss10"] = float(pss10[i])
            dyn.questionnaires[i] = q
            dyn.subscales[i] = {
                "phq9_sleep": float(sleep_item[i]),
                "gad7_worry": float(worry_items[i]),
                "phq2": float(phq2[i]),
            }

    def _write_text(self, dyn: _Dynamic, day: int) -> None:
        tr = self.pop.traits
        z = self.noise.text[:, day, :]
        writes = self.noise.write[:, day] < 0.5

        def c(x: Array) -> Array:
            return np.clip(x, 0.0, 1.0)

        sadness = c(0.8 * dyn.low_mood + 0.15 * z[:, 0])
        nervous = c(0.8 * tr[:, 1] + 0.15 * z[:, 1])
        anger = c(0.2 + 0.15 * z[:, 2])
        joy = c(0.6 - 0.5 * dyn.low_mood + 0.15 * z[:, 3])
        stress = c(0.9 * tr[:, T["stress"]] + 0.15 * z[:, 4])
        traps = {
            "catastrophising": c(0.9 * tr[:, T["worry"]] - 0.1 + 0.2 * z[:, 5]),
            "labelling": c(0.9 * tr[:, T["self_criticism"]] - 0.15 + 0.2 * z[:, 6]),
            "should_statements": c(0.8 * tr[:, T["self_criticism"]] - 0.1 + 0.2 * z[:, 7]),
            "overgeneralising": c(0.8 * tr[:, T["rumination"]] - 0.1 + 0.2 * z[:, 8]),
            "mental_filter": c(0.8 * tr[:, T["rumination"]] - 0.15 + 0.2 * z[:, 9]),
            "all_or_nothing": c(0.7 * dyn.low_mood - 0.1 + 0.2 * z[:, 10]),
            "mind_reading": c(0.9 * tr[:, T["social_anxiety"]] - 0.1 + 0.2 * z[:, 11]),
        }
        for i in np.flatnonzero(writes):
            emotions = {
                "sadness": float(sadness[i]),
                "nervousness": float(nervous[i]),
                "anger": float(anger[i]),
                "joy": float(joy[i]),
            }
            dyn.text[i] = (
                emotions,
                float(stress[i]),
                {name: float(v[i]) for name, v in traps.items()},
            )

    def context(self, i: int, day: int) -> Observation:
        dyn = self._dyn
        assert dyn is not None
        now = START + timedelta(days=day, hours=SLOT_HOURS[int(self._slot[i])])
        emotions, stress, traps = dyn.text[i]
        ctx = Context(
            questionnaires=dyn.questionnaires[i],
            subscales=dyn.subscales[i],
            checkins=tuple(dyn.checkins[i][-7:]),
            emotions=emotions,
            stress_probability=stress,
            thinking_traps=traps,
            themes=self.pop.themes[i],
            wearable=dyn.wearable[i],
            local_hour=SLOT_HOURS[int(self._slot[i])],
            recent_exercises=tuple(dyn.history[i][-14:]),
            clinical_flags=self.pop.flags[i],
        )
        return Observation(i, ctx, self.pop.controls[i], now)

    def _observe_day(self, dyn: _Dynamic, day: int, now: datetime, last_week: Array) -> None:
        """Check-ins (with gaps) and wearable summaries: only built for policies that look."""
        pop = self.pop
        tr = pop.traits
        checked = self.noise.checkin[:, day, :] < pop.checkin_p[:, None]
        week_sleep = last_week.mean(axis=1)
        for i in range(self.settings.people):
            if checked[i, 0]:
                dyn.checkins[i].append(
                    CheckIn(
                        at=now + timedelta(hours=SLOT_HOURS[int(self._slot[i])] - 1),
                        mood=round(float(dyn.mood[i]), 1),
                        anxiety=round(float(dyn.anxiety[i]), 1) if checked[i, 1] else None,
                        sleep_hours=round(float(self._sleep[i]), 1) if checked[i, 2] else None,
                    )
                )
            if pop.has_wearable[i]:
                dyn.wearable[i] = Wearable(
                    sleep_hours_mean=round(float(week_sleep[i]), 2),
                    activity_z=round(float(-1.5 * (dyn.low_mood[i] - 0.4)), 2),
                    sleep_regularity=round(float(1.0 - 0.6 * tr[i, T["insomnia"]]), 2),
                )

    # ----- the run -------------------------------------------------------------------
    def run(self, policy: SimPolicy) -> RunResult:
        s = self.settings
        pop = self.pop
        nz = self.noise
        n, days, k = s.people, s.days, self.k
        tr = pop.traits
        mood_base = 7.5 - 5.0 * tr[:, T["low_mood"]]
        anx_base = 1.5 + 6.5 * tr[:, T["anxiety"]]
        sleep_base = 7.6 - 2.6 * tr[:, T["insomnia"]]
        dyn = _Dynamic(
            mood=mood_base.copy(),
            anxiety=anx_base.copy(),
            low_mood=tr[:, T["low_mood"]].copy(),
            psychoeducation_done=np.zeros(n),
            dropped=np.zeros(n, dtype=bool),
            count=np.zeros(n, dtype=np.int64),
            checkins=[[] for _ in range(n)],
            history=[[] for _ in range(n)],
            questionnaires=[{} for _ in range(n)],
            subscales=[{} for _ in range(n)],
            text=[({}, None, {}) for _ in range(n)],
            wearable=[Wearable() for _ in range(n)],
        )
        self._dyn = dyn
        regret = np.full((n, days), np.nan)
        realised = np.full((n, days), np.nan)
        expected = np.full((n, days), np.nan)
        arm_counts = np.zeros(k, dtype=np.int64)
        pe = self.catalogue.ids.index("psychoeducation")
        sleep_hist = np.zeros((n, days))
        carry = np.zeros(n)
        observe = policy.needs_context

        for day in range(days):
            if observe and day % 14 == 0:
                self._measure_questionnaires(dyn, day)
            if observe and day % 7 == 0:
                self._write_text(dyn, day)
            mood_base_now = 7.5 - 5.0 * dyn.low_mood
            dyn.mood = np.clip(
                mood_base_now + 0.6 * (dyn.mood - mood_base_now) + nz.mood[:, day] + carry,
                0.0,
                10.0,
            )
            spike = 3.0 * (nz.spike[:, day] < 0.15 * tr[:, T["panic"]])
            dyn.anxiety = np.clip(
                anx_base + 0.5 * (dyn.anxiety - anx_base) + nz.anxiety[:, day] + spike, 0.0, 10.0
            )
            self._sleep = np.clip(sleep_base + 0.9 * nz.sleep[:, day], 2.0, 11.0)
            cum = np.cumsum(pop.slot_p, axis=1)
            self._slot = (nz.slot[:, day, None] > cum).sum(axis=1).clip(0, 3)
            now = START + timedelta(days=day)
            sleep_hist[:, day] = self._sleep
            if observe:
                self._observe_day(dyn, day, now, sleep_hist[:, max(0, day - 6) : day + 1])

            present = (~dyn.dropped) & (nz.present[:, day] < pop.present_p)
            people = np.flatnonzero(present)
            carry = np.zeros(n)
            if people.size == 0:
                continue
            u = hidden_benefit(
                tr[people],
                pop.group[people],
                pop.style[people],
                pop.random_effect[people],
                dyn.mood[people],
                dyn.anxiety[people],
                self._sleep[people],
                self._slot[people],
                dyn.psychoeducation_done[people],
                self.catalogue,
            )
            pc = completion_probability(
                u, pop.engagement[people], pop.group[people], self._slot[people], self.catalogue
            )
            er = expected_reward(
                u, pc, pop.rating_bias[people], pop.rate_p[people], pop.mood_p[people]
            )
            allowed = pop.allowed[people]
            best = np.where(allowed, er, -np.inf).max(axis=1)

            arms = policy.choose(people, day, self)
            if not allowed[np.arange(people.size), arms].all():
                raise AssertionError(f"{policy.name} chose a blocked exercise")
            rows = np.arange(people.size)
            chosen_u = u[rows, arms]
            completed = nz.complete[people, day] < pc[rows, arms]
            rated = completed & (nz.rate[people, day] < pop.rate_p[people])
            rating = np.clip(
                np.round(
                    3.0
                    + pop.rating_bias[people]
                    + 1.6 * chosen_u
                    + RATING_SD * nz.rating[people, day]
                ),
                1,
                5,
            )
            mood_fb = completed & (nz.mood_fb[people, day] < pop.mood_p[people])
            before = np.round(dyn.mood[people], 1)
            after = np.round(
                np.clip(before + 1.5 * chosen_u + MOOD_SD * nz.mood_change[people, day], 0, 10),
                1,
            )
            r = reward_vector(completed, rated, rating, mood_fb, before, after)
            kth = dyn.count[people]
            regret[people, kth] = best - er[rows, arms]
            expected[people, kth] = er[rows, arms]
            realised[people, kth] = r
            dyn.count[people] += 1
            dyn.dropped[people] |= nz.drop[people, day] < DROP_BASE + DROP_BAD * (r <= 0.0)
            outcomes: list[Outcome] = []
            if observe:
                for j, person in enumerate(people):
                    i = int(person)
                    outcome = Outcome(
                        completed=bool(completed[j]),
                        helpfulness=int(rating[j]) if rated[j] else None,
                        mood_before=float(before[j]) if mood_fb[j] else None,
                        mood_after=float(after[j]) if mood_fb[j] else None,
                    )
                    outcomes.append(outcome)
                    dyn.history[i].append(
                        PastExercise(
                            exercise_id=self.catalogue.ids[int(arms[j])],
                            at=now + timedelta(hours=SLOT_HOURS[int(self._slot[i])]),
                            completed=outcome.completed,
                            helpfulness=outcome.helpfulness,
                            mood_before=outcome.mood_before,
                            mood_after=outcome.mood_after,
                        )
                    )
            policy.learn(people, arms, outcomes)
            np.add.at(arm_counts, arms, 1)
            gain = np.where(completed, chosen_u, 0.0)
            carry[people] = 0.3 * gain
            dyn.low_mood[people] = np.clip(dyn.low_mood[people] - 0.004 * _relu(gain), 0.0, 1.0)
            dyn.psychoeducation_done[people] += (arms == pe) & completed

        return RunResult(
            name=policy.name,
            people=n,
            group=pop.group,
            regret_by_k=regret,
            reward_by_k=realised,
            expected_by_k=expected,
            interactions=dyn.count.copy(),
            dropped=dyn.dropped.copy(),
            arm_counts=arm_counts,
        )


# ----- policies under test -------------------------------------------------------------
class RandomPolicy:
    name = "random"
    needs_context = False

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng([seed, 1])

    def choose(self, people: NDArray[np.int64], day: int, world: World) -> NDArray[np.int64]:
        allowed = world.pop.allowed[people]
        scores = np.where(allowed, self.rng.random(allowed.shape), -1.0)
        return np.asarray(scores.argmax(axis=1), dtype=np.int64)

    def learn(
        self, people: NDArray[np.int64], arms: NDArray[np.int64], outcomes: list[Outcome]
    ) -> None:
        return None


class FixedPolicy:
    """Always the same exercise; mood check-in where the guard rails block it."""

    needs_context = False

    def __init__(self, exercise_id: str, catalogue: Catalogue) -> None:
        self.name = f"fixed:{exercise_id}"
        self.arm = catalogue.ids.index(exercise_id)
        self.fallback = catalogue.ids.index("mood_checkin")

    def choose(self, people: NDArray[np.int64], day: int, world: World) -> NDArray[np.int64]:
        ok = world.pop.allowed[people, self.arm]
        return np.where(ok, self.arm, self.fallback).astype(np.int64)

    def learn(
        self, people: NDArray[np.int64], arms: NDArray[np.int64], outcomes: list[Outcome]
    ) -> None:
        return None


class RecommenderPolicy:
    """The production code path: recommend(), then record_outcome() for the person layer and,
    once a day (as a nightly job would), PopulationModel.observe() for the shared layer."""

    needs_context = True

    def __init__(
        self,
        name: str,
        mode: Mode,
        seed: int,
        catalogue: Catalogue,
        people: int,
        config: PolicyConfig = DEFAULT_CONFIG,
        pooled: bool = True,
    ) -> None:
        self.name = name
        self.mode: Mode = mode
        self.catalogue = catalogue
        self.pooled = pooled
        self.rng = np.random.default_rng([seed, 2])
        state = new_state(START, catalogue, config)
        self.states: list[PersonState] = [state] * people
        self.population = PopulationModel.empty(catalogue.ids, config)
        self.pending: dict[int, tuple[Recommendation, datetime]] = {}

    def choose(self, people: NDArray[np.int64], day: int, world: World) -> NDArray[np.int64]:
        arms = np.empty(people.size, dtype=np.int64)
        for j, person in enumerate(people):
            obs = world.context(int(person), day)
            rec = recommend(
                self.states[int(person)],
                obs.context,
                obs.controls,
                self.catalogue,
                obs.now,
                population=self.population,
                rng=self.rng,
                mode=self.mode,
                explain=False,
            )
            self.pending[int(person)] = (rec, obs.now)
            arms[j] = self.catalogue.ids.index(rec.top.exercise_id)
        return arms

    def learn(
        self, people: NDArray[np.int64], arms: NDArray[np.int64], outcomes: list[Outcome]
    ) -> None:
        if self.mode == "rules":
            return
        events = []
        for j, person in enumerate(people):
            rec, now = self.pending.pop(int(person))
            event = outcome_event(rec, self.catalogue.ids[int(arms[j])], outcomes[j], now)
            self.states[int(person)] = apply_event(self.states[int(person)], event)
            events.append(event)
        if self.pooled:
            self.population = self.population.observe(events)


def measure_latency(world: World, learner: RecommenderPolicy, samples: int) -> dict[str, Any]:
    """Time recommend() (with explanations) on the last simulated day's real contexts, using
    the learned per-person states and population model; also report their JSON sizes.

    Wall-clock and CPU (thread) time are both reported: on a shared machine the wall-clock
    tail includes time spent waiting for a core."""
    rng = np.random.default_rng([world.settings.seed, 3])
    day = world.settings.days - 1
    people = rng.integers(0, world.settings.people, samples)
    times = np.empty(samples)
    cpu = np.empty(samples)
    for j, person in enumerate(people):
        obs = world.context(int(person), day)
        cpu_start = time.thread_time()
        start = time.perf_counter()
        recommend(
            learner.states[int(person)],
            obs.context,
            obs.controls,
            world.catalogue,
            obs.now,
            population=learner.population,
            rng=rng,
        )
        times[j] = time.perf_counter() - start
        cpu[j] = time.thread_time() - cpu_start
    state_bytes = [len(json.dumps(learner.states[int(i)].to_dict())) for i in people[:50]]
    return {
        "samples": samples,
        "p50_ms": float(np.percentile(times, 50) * 1000),
        "p99_ms": float(np.percentile(times, 99) * 1000),
        "max_ms": float(times.max() * 1000),
        "cpu_p50_ms": float(np.percentile(cpu, 50) * 1000),
        "cpu_p99_ms": float(np.percentile(cpu, 99) * 1000),
        "person_state_json_bytes": float(np.mean(state_bytes)),
        "population_json_bytes": len(json.dumps(learner.population.to_dict())),
    }


def simulate(
    settings: SimSettings,
    config: PolicyConfig = DEFAULT_CONFIG,
    progress: Callable[[str], None] | None = None,
    ablation: bool = False,
) -> dict[str, Any]:
    """Run every policy on one world and return the figures the CLI and benchmark print."""
    world = World(settings)
    cat = world.catalogue
    say = progress or (lambda _msg: None)
    results: dict[str, RunResult] = {}

    say("random")
    results["random"] = world.run(RandomPolicy(settings.seed))
    say("best fixed (hindsight)")
    fixed = [world.run(FixedPolicy(e, cat)) for e in cat.ids]
    best_fixed = max(fixed, key=lambda r: float(np.nansum(r.reward_by_k)))
    results["best_fixed"] = best_fixed
    say("rules only")
    results["rules"] = world.run(
        RecommenderPolicy("rules", "rules", settings.seed, cat, settings.people, config)
    )
    say("policy")
    learner = RecommenderPolicy("policy", "thompson", settings.seed, cat, settings.people, config)
    results["policy"] = world.run(learner)
    say("latency")
    latency = measure_latency(world, learner, samples=min(2000, 20 * settings.people))
    if ablation:
        say("policy without pooling (ablation)")
        results["policy_person_only"] = world.run(
            RecommenderPolicy(
                "policy_person_only",
                "thompson",
                settings.seed,
                cat,
                settings.people,
                config,
                pooled=False,
            )
        )
        say("policy without category offsets (ablation)")
        results["policy_no_category"] = world.run(
            RecommenderPolicy(
                "policy_no_category",
                "thompson",
                settings.seed,
                cat,
                settings.people,
                replace(config, category_sd=0.0),
            )
        )

    h = settings.horizon
    summaries = {name: r.summary(h) for name, r in results.items()}
    rules_regret = summaries["rules"][f"regret_at_{h}"]
    policy_regret = summaries["policy"][f"regret_at_{h}"]
    return {
        "settings": {
            "people": settings.people,
            "days": settings.days,
            "seed": settings.seed,
            "horizon": h,
        },
        "config": config.to_dict(),
        "best_fixed_exercise": best_fixed.name.split(":", 1)[1],
        "policies": summaries,
        "regret_reduction_vs_rules": 1.0 - policy_regret / rules_regret if rules_regret else 0.0,
        "regret_reduction_vs_random": 1.0 - policy_regret / summaries["random"][f"regret_at_{h}"],
        "policy_max_group_gap": summaries["policy"]["max_group_gap"],
        "latency": latency,
        "policy_arm_share": {
            cat.ids[j]: float(c) / max(int(results["policy"].arm_counts.sum()), 1)
            for j, c in enumerate(results["policy"].arm_counts)
        },
    }
