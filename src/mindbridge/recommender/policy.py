"""The learning policy: hierarchical linear Thompson sampling around a clinical-rules prior.

Model for exercise a, person i, context x (the FEATURES vector from features.py):

    reward = prior_a(x) + w_a . x + g_ic + e_ia + noise,     noise ~ N(0, noise_sd^2)
    prior_a(x) = prior_offset + prior_scale * rule_score_a(x)       (rules.py)
    w_a ~ N(0, population_sd^2 I)   what the whole population teaches: which situations
                                    make this exercise work better or worse than the rules say
    g_ic ~ N(0, category_sd^2)      how much this person takes to the exercise's category
                                    (body-based, cognitive, behavioural, sleep, ...)
    e_ia ~ N(0, person_sd^2)        how much better or worse this one exercise works for them

Before any data the expected reward is the rules prior. The population layer (`PopulationModel`,
one shared object) is Bayesian ridge regression per exercise on reward - prior; the person
layer (`PersonState`, one per person) holds a category offset and an exercise offset whose
posterior uses the residuals reward - prior - w_a . x, so one good or bad experience also
informs the sibling exercises of the same category. The person layer stores the sums it needs
(tries, sum of reward - prior, sum of x), so its posterior is recomputed exactly against
the current population weights and never double-counts what the population has learned.
Thompson sampling draws both layers (scaled by `exploration`) and ranks the exercises the
guard rails allow. With no pooled data (or a deployment that does not pool) the population
layer stays at its prior and the policy is rules prior + per-person learning.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mindbridge.recommender.catalogue import Catalogue, load_catalogue
from mindbridge.recommender.context import Context
from mindbridge.recommender.explain import ArmHistory, reasons_for
from mindbridge.recommender.features import FEATURE_NAMES, N_FEATURES, featurise, summarise
from mindbridge.recommender.guardrails import Blocked, Controls, eligibility
from mindbridge.recommender.reward import Outcome, reward
from mindbridge.recommender.rules import RulePrior, rule_prior

SCHEMA_VERSION = 1
POLICY_NAME = "hierarchical-linear-thompson-rules-prior"
N_ALTERNATIVES = 2

Mode = Literal["thompson", "greedy", "rules"]


class NoEligibleExerciseError(RuntimeError):
    """Every exercise is blocked for this person; the caller shows a clinician-facing note."""


class StateVersionError(ValueError):
    """A stored state was written by an incompatible schema, policy or feature set."""


@dataclass(frozen=True)
class PolicyConfig:
    """Hyperparameters, tuned on simulation seeds 101-103 (never on the reported seed)."""

    prior_offset: float = 0.0
    prior_scale: float = 0.6
    noise_sd: float = 0.4
    person_sd: float = 0.15
    category_sd: float = 0.2
    population_sd: float = 0.05
    exploration: float = 0.2
    priority_bonus: float = 0.15

    def __post_init__(self) -> None:
        if min(self.noise_sd, self.person_sd, self.population_sd) <= 0:
            raise ValueError("noise_sd, person_sd and population_sd must be positive")
        if self.exploration < 0 or self.category_sd < 0:
            raise ValueError("exploration and category_sd must be >= 0")

    def to_dict(self) -> dict[str, float]:
        return {
            "prior_offset": self.prior_offset,
            "prior_scale": self.prior_scale,
            "noise_sd": self.noise_sd,
            "person_sd": self.person_sd,
            "category_sd": self.category_sd,
            "population_sd": self.population_sd,
            "exploration": self.exploration,
            "priority_bonus": self.priority_bonus,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyConfig:
        return cls(**{k: float(data[k]) for k in cls().to_dict()})


DEFAULT_CONFIG = PolicyConfig()


def _check_header(data: dict[str, Any], kind: str) -> None:
    if data.get("kind") != kind:
        raise StateVersionError(f"expected a {kind}, got {data.get('kind')}")
    if data.get("schema_version") != SCHEMA_VERSION or data.get("policy") != POLICY_NAME:
        raise StateVersionError(
            f"{kind} is {data.get('policy')} v{data.get('schema_version')}, "
            f"expected {POLICY_NAME} v{SCHEMA_VERSION}"
        )
    if tuple(data.get("features", ())) != FEATURE_NAMES:
        raise StateVersionError(f"{kind} was built on a different feature set")


@dataclass(frozen=True)
class OutcomeEvent:
    """One learning example; store these (append-only) to rebuild or audit the models."""

    exercise_id: str
    features: tuple[float, ...]
    prior: float  # prior_a(x) at recommendation time
    reward: float
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "features": list(self.features),
            "prior": self.prior,
            "reward": self.reward,
            "at": self.at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutcomeEvent:
        return cls(
            data["exercise_id"],
            tuple(float(v) for v in data["features"]),
            float(data["prior"]),
            float(data["reward"]),
            str(data["at"]),
        )


@dataclass(frozen=True)
class PersonPosterior:
    """Posterior of one person's offsets (category g, exercise e) for every arm."""

    categories: NDArray[np.int64]
    mean_g: NDArray[np.float64]  # per category
    sd_g: NDArray[np.float64]
    resid: NDArray[np.float64]  # per arm: sum of reward - prior - w . x
    n: NDArray[np.float64]
    prec_e: NDArray[np.float64]
    noise_var: float

    def _given(self, g: NDArray[np.float64]) -> NDArray[np.float64]:
        """E[g + e | g] per arm for category offsets g."""
        g_arm = g[self.categories]
        return np.asarray(g_arm + (self.resid - self.n * g_arm) / self.noise_var / self.prec_e)

    def mean(self) -> NDArray[np.float64]:
        return self._given(self.mean_g)

    def sd(self) -> NDArray[np.float64]:
        shrink = 1.0 - self.n / self.noise_var / self.prec_e
        var = (self.sd_g[self.categories] * shrink) ** 2 + 1.0 / self.prec_e
        return np.asarray(np.sqrt(var))

    def sample(self, rng: np.random.Generator, scale: float) -> NDArray[np.float64]:
        """A joint draw (arms of one category share the category draw), widened by `scale`."""
        g = self.mean_g + scale * self.sd_g * rng.standard_normal(self.mean_g.size)
        eps = scale * rng.standard_normal(self.n.size) / np.sqrt(self.prec_e)
        return self._given(g) + eps


@dataclass
class PersonState:
    """Per-person learned state (random intercept per exercise). Treat as immutable."""

    arm_ids: tuple[str, ...]
    tries: NDArray[np.int64]  # (arms,)
    reward_sum: NDArray[np.float64]  # (arms,)
    residual_sum: NDArray[np.float64]  # (arms,) sum of reward - prior
    feature_sum: NDArray[np.float64]  # (arms, features) sum of x
    config: PolicyConfig
    created_at: str
    updated_at: str
    update_count: int = 0
    reset_count: int = 0

    def arm(self, exercise_id: str) -> int:
        return self.arm_ids.index(exercise_id)

    def history(self, exercise_id: str) -> ArmHistory:
        i = self.arm(exercise_id)
        n = int(self.tries[i])
        return ArmHistory(n, float(self.reward_sum[i]) / n if n else None)

    def person_layer(
        self, population: PopulationModel, categories: NDArray[np.int64]
    ) -> PersonPosterior:
        """The exact posterior of this person's offsets given the current population layer.

        `categories[k]` is the category index of arm k. Per arm, ybar = mean residual has
        ybar | g ~ N(g, person_sd^2 + noise^2/n); the category offset g pools those means,
        and e_a | g has precision 1/person_sd^2 + n/noise^2.
        """
        cfg = self.config
        resid = self.residual_sum - (self.feature_sum * population.mean).sum(axis=1)
        n = self.tries.astype(np.float64)
        s2 = cfg.noise_sd**2
        t2 = cfg.person_sd**2
        n_cat = int(categories.max()) + 1 if categories.size else 0
        if cfg.category_sd > 0:
            seen = n > 0
            safe_n = np.maximum(n, 1.0)
            weight = np.where(seen, 1.0 / (t2 + s2 / safe_n), 0.0)
            ybar = np.where(seen, resid / safe_n, 0.0)
            prec_g = 1.0 / cfg.category_sd**2 + np.bincount(categories, weight, n_cat)
            mean_g = np.bincount(categories, weight * ybar, n_cat) / prec_g
            sd_g = 1.0 / np.sqrt(prec_g)
        else:
            mean_g = np.zeros(n_cat)
            sd_g = np.zeros(n_cat)
        prec_e = 1.0 / t2 + n / s2
        return PersonPosterior(categories, mean_g, sd_g, resid, n, prec_e, s2)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready and readable: one entry per exercise."""
        return {
            "kind": "person_state",
            "schema_version": SCHEMA_VERSION,
            "policy": POLICY_NAME,
            "features": list(FEATURE_NAMES),
            "config": self.config.to_dict(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "update_count": self.update_count,
            "reset_count": self.reset_count,
            "arms": {
                arm_id: {
                    "tries": int(self.tries[i]),
                    "reward_sum": float(self.reward_sum[i]),
                    "residual_sum": float(self.residual_sum[i]),
                    "feature_sum": self.feature_sum[i].tolist(),
                }
                for i, arm_id in enumerate(self.arm_ids)
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PersonState:
        _check_header(data, "person_state")
        arms = data["arms"]
        ids = tuple(arms)
        feature_sum = np.array([arms[a]["feature_sum"] for a in ids], dtype=np.float64)
        if feature_sum.shape != (len(ids), N_FEATURES):
            raise StateVersionError("person state arrays have the wrong shape")
        return cls(
            arm_ids=ids,
            tries=np.array([int(arms[a]["tries"]) for a in ids], dtype=np.int64),
            reward_sum=np.array([float(arms[a]["reward_sum"]) for a in ids]),
            residual_sum=np.array([float(arms[a]["residual_sum"]) for a in ids]),
            feature_sum=feature_sum,
            config=PolicyConfig.from_dict(data["config"]),
            created_at=str(data["created_at"]),
            updated_at=str(data["updated_at"]),
            update_count=int(data["update_count"]),
            reset_count=int(data["reset_count"]),
        )


class PopulationModel:
    """The shared layer: Bayesian ridge regression of reward - prior on x, per exercise.

    Sufficient statistics only (precision = noise^2/population_sd^2 I + sum x x^T, and
    b = sum x (reward - prior)), so it can be updated incrementally or rebuilt from the
    stored OutcomeEvents in any order. Mean and covariance are cached on construction.
    """

    def __init__(
        self,
        arm_ids: tuple[str, ...],
        precision: NDArray[np.float64],
        b: NDArray[np.float64],
        count: NDArray[np.int64],
        config: PolicyConfig,
        updated_at: str,
        update_count: int = 0,
    ) -> None:
        self.arm_ids = arm_ids
        self.precision = precision
        self.b = b
        self.count = count
        self.config = config
        self.updated_at = updated_at
        self.update_count = update_count
        self.mean = np.linalg.solve(precision, b[..., None])[..., 0]
        self.cov = config.noise_sd**2 * np.linalg.inv(precision)

    @classmethod
    def empty(
        cls, arm_ids: tuple[str, ...], config: PolicyConfig = DEFAULT_CONFIG, now: str = ""
    ) -> PopulationModel:
        """The shared layer before any pooled data: every weight at its prior mean of 0."""
        k = len(arm_ids)
        prior = (config.noise_sd / config.population_sd) ** 2 * np.eye(N_FEATURES)
        return cls(
            arm_ids,
            np.repeat(prior[None], k, axis=0),
            np.zeros((k, N_FEATURES)),
            np.zeros(k, dtype=np.int64),
            config,
            now,
        )

    def observe(self, events: Iterable[OutcomeEvent]) -> PopulationModel:
        """A new model with these events added (the original is left untouched)."""
        precision = self.precision.copy()
        b = self.b.copy()
        count = self.count.copy()
        n = 0
        last = self.updated_at
        for event in events:
            i = self.arm_ids.index(event.exercise_id)
            x = np.asarray(event.features, dtype=np.float64)
            precision[i] += np.outer(x, x)
            b[i] += x * (event.reward - event.prior)
            count[i] += 1
            n += 1
            last = max(last, event.at)
        return PopulationModel(
            self.arm_ids, precision, b, count, self.config, last, self.update_count + n
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "population_model",
            "schema_version": SCHEMA_VERSION,
            "policy": POLICY_NAME,
            "features": list(FEATURE_NAMES),
            "config": self.config.to_dict(),
            "updated_at": self.updated_at,
            "update_count": self.update_count,
            "arms": {
                arm_id: {
                    "count": int(self.count[i]),
                    "precision": self.precision[i].tolist(),
                    "b": self.b[i].tolist(),
                }
                for i, arm_id in enumerate(self.arm_ids)
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PopulationModel:
        _check_header(data, "population_model")
        arms = data["arms"]
        ids = tuple(arms)
        precision = np.array([arms[a]["precision"] for a in ids], dtype=np.float64)
        b = np.array([arms[a]["b"] for a in ids], dtype=np.float64)
        if precision.shape != (len(ids), N_FEATURES, N_FEATURES):
            raise StateVersionError("population arrays have the wrong shape")
        return cls(
            ids,
            precision,
            b,
            np.array([int(arms[a]["count"]) for a in ids], dtype=np.int64),
            PolicyConfig.from_dict(data["config"]),
            str(data["updated_at"]),
            int(data["update_count"]),
        )

    def top_weights(self, exercise_id: str, n: int = 5) -> list[tuple[str, float]]:
        """The features that move this exercise's expected reward most (for inspection)."""
        w = self.mean[self.arm_ids.index(exercise_id)]
        order = np.argsort(-np.abs(w))[:n]
        return [(FEATURE_NAMES[j], float(w[j])) for j in order]


def new_state(
    now: datetime, catalogue: Catalogue | None = None, config: PolicyConfig = DEFAULT_CONFIG
) -> PersonState:
    """A cold-start state: nothing learned about this person yet."""
    cat = catalogue if catalogue is not None else load_catalogue()
    k = len(cat.ids)
    stamp = now.isoformat()
    return PersonState(
        arm_ids=cat.ids,
        tries=np.zeros(k, dtype=np.int64),
        reward_sum=np.zeros(k),
        residual_sum=np.zeros(k),
        feature_sum=np.zeros((k, N_FEATURES)),
        config=config,
        created_at=stamp,
        updated_at=stamp,
    )


def reset(state: PersonState, now: datetime, exercise_ids: tuple[str, ...] = ()) -> PersonState:
    """Forget what was learned about this person (all exercises, or only `exercise_ids`)."""
    targets = exercise_ids or state.arm_ids
    tries = state.tries.copy()
    reward_sum = state.reward_sum.copy()
    residual_sum = state.residual_sum.copy()
    feature_sum = state.feature_sum.copy()
    for exercise_id in targets:
        i = state.arm(exercise_id)
        tries[i] = 0
        reward_sum[i] = 0.0
        residual_sum[i] = 0.0
        feature_sum[i] = 0.0
    return PersonState(
        arm_ids=state.arm_ids,
        tries=tries,
        reward_sum=reward_sum,
        residual_sum=residual_sum,
        feature_sum=feature_sum,
        config=state.config,
        created_at=state.created_at,
        updated_at=now.isoformat(),
        update_count=state.update_count,
        reset_count=state.reset_count + 1,
    )


@dataclass(frozen=True)
class Suggestion:
    exercise_id: str
    title: str
    duration_minutes: int
    reasons: tuple[str, ...]
    pinned: bool
    prior_score: float  # rules prior, reward units
    learned_adjustment: float  # posterior mean of theta . z (0 in rules mode)
    ranking_score: float  # what the ranking used (Thompson draw, mean, or prior)

    @property
    def explanation(self) -> str:
        return " ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "title": self.title,
            "duration_minutes": self.duration_minutes,
            "reasons": list(self.reasons),
            "pinned": self.pinned,
            "prior_score": self.prior_score,
            "learned_adjustment": self.learned_adjustment,
            "ranking_score": self.ranking_score,
        }


@dataclass(frozen=True)
class Recommendation:
    top: Suggestion
    alternatives: tuple[Suggestion, ...]
    blocked: tuple[Blocked, ...]
    mode: Mode
    generated_at: str
    state_update_count: int
    policy_inputs: tuple[float, ...]  # z(x) at recommendation time, for record_outcome

    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return (self.top.exercise_id, *(a.exercise_id for a in self.alternatives))

    def to_dict(self) -> dict[str, Any]:
        return {
            "top": self.top.to_dict(),
            "alternatives": [a.to_dict() for a in self.alternatives],
            "blocked": [{"exercise_id": b.exercise_id, "reason": b.reason} for b in self.blocked],
            "mode": self.mode,
            "generated_at": self.generated_at,
            "state_update_count": self.state_update_count,
            "policy_inputs": list(self.policy_inputs),
            "policy": POLICY_NAME,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recommendation:
        def sug(d: dict[str, Any]) -> Suggestion:
            return Suggestion(
                exercise_id=d["exercise_id"],
                title=d["title"],
                duration_minutes=int(d["duration_minutes"]),
                reasons=tuple(d["reasons"]),
                pinned=bool(d["pinned"]),
                prior_score=float(d["prior_score"]),
                learned_adjustment=float(d["learned_adjustment"]),
                ranking_score=float(d["ranking_score"]),
            )

        return cls(
            top=sug(data["top"]),
            alternatives=tuple(sug(a) for a in data["alternatives"]),
            blocked=tuple(Blocked(b["exercise_id"], b["reason"]) for b in data["blocked"]),
            mode=data["mode"],
            generated_at=data["generated_at"],
            state_update_count=int(data["state_update_count"]),
            policy_inputs=tuple(float(v) for v in data["policy_inputs"]),
        )


def _prior_means(prior: RulePrior, config: PolicyConfig, ids: list[str]) -> NDArray[np.float64]:
    return np.array([config.prior_offset + config.prior_scale * prior.scores[i] for i in ids])


def recommend(
    state: PersonState,
    context: Context,
    controls: Controls,
    catalogue: Catalogue,
    now: datetime,
    *,
    population: PopulationModel | None = None,
    rng: np.random.Generator | None = None,
    mode: Mode = "thompson",
    explain: bool = True,
) -> Recommendation:
    """The next exercise plus up to two alternatives, each with its reasons.

    Guard rails come first: only exercises that pass guardrails.eligibility are ranked.
    Eligible pinned exercises take the first places in pin order; the rest are ranked by
    a Thompson draw (mode "thompson"), the posterior mean ("greedy") or the rules prior
    alone ("rules"), plus the clinician's priority bonus. `population` None means no
    pooled learning (the shared layer stays at its prior mean of zero).
    """
    allowed, blocked = eligibility(catalogue, context.clinical_flags, controls)
    if not allowed:
        raise NoEligibleExerciseError("every exercise is blocked by guard rails")
    cfg = state.config
    summary = summarise(context, now)
    prior = rule_prior(context, summary, catalogue)
    prior_mean = _prior_means(prior, cfg, allowed)
    idx = np.array([state.arm(a) for a in allowed], dtype=np.int64)
    x = featurise(context, now, summary)
    pop = population if population is not None else _empty_population(state.arm_ids, cfg)

    if mode == "rules":
        adjust = np.zeros(len(allowed))
        draw = adjust
    else:
        pop_mean = (pop.mean @ x)[idx]
        person = state.person_layer(pop, _categories(catalogue, state.arm_ids))
        adjust = pop_mean + person.mean()[idx]
        if mode == "thompson":
            gen = rng if rng is not None else np.random.default_rng()
            # cov @ x over all arms, then index: avoids copying 15 covariance matrices.
            pop_sd = np.sqrt(np.maximum(((pop.cov @ x) @ x)[idx], 0.0))
            pop_noise = cfg.exploration * pop_sd * gen.standard_normal(len(allowed))
            draw = pop_mean + pop_noise + person.sample(gen, cfg.exploration)[idx]
        else:
            draw = adjust
    bonus = np.array([cfg.priority_bonus if a in controls.prioritised else 0.0 for a in allowed])
    ranking = prior_mean + draw + bonus

    pins = [a for a in controls.pinned if a in allowed]
    order = sorted(
        range(len(allowed)),
        key=lambda j: (
            0 if allowed[j] in pins else 1,
            pins.index(allowed[j]) if allowed[j] in pins else 0,
            -ranking[j],
            j,
        ),
    )
    chosen = order[: 1 + N_ALTERNATIVES]
    recent_ids = {e.exercise_id for e in context.recent_exercises}

    def build(j: int) -> Suggestion:
        exercise_id = allowed[j]
        entry = catalogue.get(exercise_id)
        reasons = (
            reasons_for(
                exercise_id,
                prior=prior,
                controls=controls,
                history=state.history(exercise_id),
                tried_recently=exercise_id in recent_ids,
            )
            if explain
            else ()
        )
        return Suggestion(
            exercise_id=exercise_id,
            title=entry.title,
            duration_minutes=entry.duration_minutes,
            reasons=reasons,
            pinned=exercise_id in pins,
            prior_score=float(prior_mean[j]),
            learned_adjustment=float(adjust[j]),
            ranking_score=float(ranking[j]),
        )

    suggestions = [build(j) for j in chosen]
    return Recommendation(
        top=suggestions[0],
        alternatives=tuple(suggestions[1:]),
        blocked=tuple(blocked),
        mode=mode,
        generated_at=now.isoformat(),
        state_update_count=state.update_count,
        policy_inputs=tuple(x.tolist()),
    )


def _categories(catalogue: Catalogue, arm_ids: tuple[str, ...]) -> NDArray[np.int64]:
    """Category index per arm, from the catalogue in use."""
    cats = [catalogue.get(a).category for a in arm_ids]
    names = sorted(set(cats))
    return np.array([names.index(c) for c in cats], dtype=np.int64)


_EMPTY: dict[tuple[tuple[str, ...], PolicyConfig], PopulationModel] = {}


def _empty_population(arm_ids: tuple[str, ...], config: PolicyConfig) -> PopulationModel:
    """Cached: building the prior-only model inverts one matrix per exercise."""
    key = (arm_ids, config)
    if key not in _EMPTY:
        _EMPTY[key] = PopulationModel.empty(arm_ids, config)
    return _EMPTY[key]


def outcome_event(
    recommendation: Recommendation, exercise_id: str, outcome: Outcome, now: datetime
) -> OutcomeEvent:
    """The learning example for one of the suggestions (top or a chosen alternative)."""
    for suggestion in (recommendation.top, *recommendation.alternatives):
        if suggestion.exercise_id == exercise_id:
            return OutcomeEvent(
                exercise_id,
                recommendation.policy_inputs,
                suggestion.prior_score,
                reward(outcome),
                now.isoformat(),
            )
    raise KeyError(f"{exercise_id} was not among the suggestions")


def context_event(
    state: PersonState,
    exercise_id: str,
    context: Context,
    outcome: Outcome,
    recommended_at: datetime,
    now: datetime,
    catalogue: Catalogue,
) -> OutcomeEvent:
    """The learning example rebuilt from the context as it was at recommendation time."""
    summary = summarise(context, recommended_at)
    prior = rule_prior(context, summary, catalogue)
    offset = state.config.prior_offset + state.config.prior_scale * prior.scores[exercise_id]
    x = featurise(context, recommended_at, summary)
    return OutcomeEvent(
        exercise_id, tuple(float(v) for v in x), offset, reward(outcome), now.isoformat()
    )


def apply_event(state: PersonState, event: OutcomeEvent) -> PersonState:
    """The person layer after one outcome (the population layer learns via observe())."""
    x = np.asarray(event.features, dtype=np.float64)
    if x.shape != (N_FEATURES,):
        raise ValueError("event features have the wrong length")
    if not (np.all(np.isfinite(x)) and math.isfinite(event.reward) and math.isfinite(event.prior)):
        raise ValueError("learning inputs must be finite")
    i = state.arm(event.exercise_id)
    tries = state.tries.copy()
    reward_sum = state.reward_sum.copy()
    residual_sum = state.residual_sum.copy()
    feature_sum = state.feature_sum.copy()
    tries[i] += 1
    reward_sum[i] += event.reward
    residual_sum[i] += event.reward - event.prior
    feature_sum[i] += x
    return PersonState(
        arm_ids=state.arm_ids,
        tries=tries,
        reward_sum=reward_sum,
        residual_sum=residual_sum,
        feature_sum=feature_sum,
        config=state.config,
        created_at=state.created_at,
        updated_at=event.at,
        update_count=state.update_count + 1,
        reset_count=state.reset_count,
    )


def update(
    state: PersonState,
    exercise_id: str,
    context: Context,
    outcome: Outcome,
    now: datetime,
    catalogue: Catalogue | None = None,
    *,
    recommended_at: datetime | None = None,
) -> PersonState:
    """Learn from one outcome. `context` (and `recommended_at`, default `now`) must describe
    the moment the exercise was recommended, so the model credits the right situation."""
    cat = catalogue if catalogue is not None else load_catalogue()
    at = recommended_at if recommended_at is not None else now
    return apply_event(state, context_event(state, exercise_id, context, outcome, at, now, cat))


def record_outcome(
    state: PersonState,
    recommendation: Recommendation,
    exercise_id: str,
    outcome: Outcome,
    now: datetime,
) -> PersonState:
    """Learn from the outcome of one of the suggestions in `recommendation`, using the
    inputs it stored, so no context snapshot is needed."""
    return apply_event(state, outcome_event(recommendation, exercise_id, outcome, now))


def summarise_state(
    state: PersonState,
    population: PopulationModel | None = None,
    catalogue: Catalogue | None = None,
) -> list[dict[str, Any]]:
    """A clinician-readable table: tries, mean reward and this person's learned offset."""
    cat = catalogue if catalogue is not None else load_catalogue()
    pop = population if population is not None else _empty_population(state.arm_ids, state.config)
    person = state.person_layer(pop, _categories(cat, state.arm_ids))
    means, sds = person.mean(), person.sd()
    rows = []
    for j, exercise_id in enumerate(state.arm_ids):
        hist = state.history(exercise_id)
        rows.append(
            {
                "exercise_id": exercise_id,
                "tries": hist.tries,
                "mean_reward": hist.mean_reward,
                "person_offset": float(means[j]),
                "person_offset_sd": float(sds[j]),
            }
        )
    return rows
