"""The simulator at a small setting: sane baselines, exact expectations, reproducibility."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.special import expit

from mindbridge.recommender.simulation import (
    MOOD_SD,
    RATING_SD,
    SimSettings,
    World,
    expected_reward,
    reward_vector,
    simulate,
)


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return simulate(SimSettings(people=100, days=30, seed=11))


def test_policy_beats_random_and_rules_beat_random(small: dict[str, Any]) -> None:
    p = small["policies"]
    assert p["policy"]["regret_at_30"] < p["random"]["regret_at_30"]
    assert p["rules"]["regret_at_30"] < p["random"]["regret_at_30"]
    assert small["regret_reduction_vs_random"] > 0.1


def test_report_has_every_baseline_and_group(small: dict[str, Any]) -> None:
    assert set(small["policies"]) == {"random", "best_fixed", "rules", "policy"}
    for row in small["policies"].values():
        assert set(row["groups"]) == {"A", "B", "C"}
        assert row["regret_at_30"] >= 0
    assert small["latency"]["p50_ms"] > 0


def test_expected_reward_matches_monte_carlo() -> None:
    rng = np.random.default_rng(5)
    n_people, draws = 6, 200_000
    u = rng.normal(0.3, 0.5, (n_people, 1))
    pc = expit(rng.normal(1.0, 0.5, (n_people, 1)))
    bias = rng.normal(0, 0.4, n_people)
    rate_p = rng.uniform(0.5, 0.9, n_people)
    mood_p = rng.uniform(0.3, 0.8, n_people)
    exact = expected_reward(u, pc, bias, rate_p, mood_p)[:, 0]
    for i in range(n_people):
        completed = rng.random(draws) < pc[i, 0]
        rated = completed & (rng.random(draws) < rate_p[i])
        rating = np.clip(
            np.round(3 + bias[i] + 1.6 * u[i, 0] + RATING_SD * rng.standard_normal(draws)), 1, 5
        )
        reported = completed & (rng.random(draws) < mood_p[i])
        change = 1.5 * u[i, 0] + MOOD_SD * rng.standard_normal(draws)
        mc = reward_vector(completed, rated, rating, reported, np.zeros(draws), change).mean()
        assert mc == pytest.approx(exact[i], abs=0.005)


def test_world_is_reproducible_and_seed_dependent() -> None:
    a = World(SimSettings(people=30, days=5, seed=1))
    b = World(SimSettings(people=30, days=5, seed=1))
    c = World(SimSettings(people=30, days=5, seed=2))
    assert np.array_equal(a.pop.traits, b.pop.traits)
    assert not np.array_equal(a.pop.traits, c.pop.traits)


def test_simulated_guard_rails_block_something() -> None:
    world = World(SimSettings(people=200, days=2, seed=3))
    assert not world.pop.allowed.all()
    restriction = world.catalogue.ids.index("cbti_sleep_restriction")
    assert 0 < world.pop.allowed[:, restriction].mean() < 0.5
