"""The reward formula, its range, and the vectorised copy the simulator uses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mindbridge.recommender.reward import Outcome, reward
from mindbridge.recommender.simulation import reward_vector

moods = st.one_of(st.none(), st.floats(0.0, 10.0))
ratings = st.one_of(st.none(), st.integers(1, 5))


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome(completed=False), 0.0),
        (Outcome(completed=True), 0.25),
        (Outcome(completed=True, helpfulness=5, mood_before=4, mood_after=7), 1.0),
        (Outcome(completed=True, helpfulness=1, mood_before=7, mood_after=4), -0.5),
        (Outcome(completed=True, helpfulness=4), 0.25 + 0.75 * 0.5),
        (Outcome(completed=True, mood_before=5, mood_after=6.5), 0.25 + 0.75 * 0.5),
        (Outcome(completed=True, helpfulness=3, mood_before=5, mood_after=8), 0.25 + 0.75 * 0.4),
        (Outcome(completed=False, helpfulness=2), 0.75 * -0.5),
    ],
)
def test_documented_cases(outcome: Outcome, expected: float) -> None:
    assert reward(outcome) == pytest.approx(expected)


def test_mood_change_beyond_three_points_is_capped() -> None:
    big = Outcome(completed=True, mood_before=1, mood_after=10)
    assert reward(big) == pytest.approx(reward(Outcome(True, None, 1, 4)))


@pytest.mark.parametrize("bad", [{"helpfulness": 0}, {"helpfulness": 6}, {"mood_before": -1}])
def test_out_of_range_feedback_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Outcome(completed=True, **bad)  # type: ignore[arg-type]


@given(st.booleans(), ratings, moods, moods)
def test_reward_is_bounded(
    completed: bool, rating: int | None, a: float | None, b: float | None
) -> None:
    value = reward(Outcome(completed, rating, a, b))
    assert -0.75 <= value <= 1.0


@given(st.booleans(), st.integers(1, 4), moods, moods)
def test_a_better_rating_never_lowers_reward(
    completed: bool, rating: int, a: float | None, b: float | None
) -> None:
    assert reward(Outcome(completed, rating + 1, a, b)) > reward(Outcome(completed, rating, a, b))


@given(
    st.lists(
        st.tuples(st.booleans(), ratings, st.floats(0, 10), st.one_of(st.none(), st.floats(0, 10))),
        min_size=1,
        max_size=20,
    )
)
def test_simulator_reward_matches_the_product_formula(
    rows: list[tuple[bool, int | None, float, float | None]],
) -> None:
    completed = np.array([r[0] for r in rows])
    rated = np.array([r[1] is not None for r in rows])
    rating = np.array([r[1] or 3 for r in rows], dtype=float)
    reported = np.array([r[3] is not None for r in rows])
    before = np.array([r[2] for r in rows])
    after = np.array([r[3] if r[3] is not None else 0.0 for r in rows])
    got = reward_vector(completed, rated, rating, reported, before, after)
    want = [reward(Outcome(c, h, b if m is not None else None, m)) for (c, h, b, m) in rows]
    assert np.allclose(got, want)
