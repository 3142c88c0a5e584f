"""Per-person and population state: JSON round-trips, versioning, reset, and learning."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.recommender.catalogue import load_catalogue
from mindbridge.recommender.context import CheckIn, Context
from mindbridge.recommender.features import FEATURE_NAMES, N_FEATURES, featurise
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.policy import (
    OutcomeEvent,
    PersonState,
    PopulationModel,
    Recommendation,
    StateVersionError,
    apply_event,
    new_state,
    outcome_event,
    recommend,
    record_outcome,
    reset,
    summarise_state,
    update,
)
from mindbridge.recommender.reward import Outcome

from .strategies import NOW, contexts, learned_states

CATALOGUE = load_catalogue()
GOOD = Outcome(completed=True, helpfulness=5, mood_before=4, mood_after=7)
BAD = Outcome(completed=False)


def _json(data: object) -> object:
    return json.loads(json.dumps(data))


def _trained(exercise_id: str, outcome: Outcome, times: int) -> PersonState:
    state = new_state(NOW)
    for day in range(times):
        state = update(
            state, exercise_id, Context(local_hour=10), outcome, NOW + timedelta(days=day)
        )
    return state


@settings(max_examples=10, deadline=None)
@given(learned_states())
def test_state_json_round_trip_is_exact(learned: tuple[PersonState, PopulationModel]) -> None:
    state, population = learned
    data = _json(state.to_dict())
    assert PersonState.from_dict(data).to_dict() == data  # type: ignore[arg-type]
    pop_data = _json(population.to_dict())
    again = PopulationModel.from_dict(pop_data)  # type: ignore[arg-type]
    assert again.to_dict() == pop_data
    assert np.allclose(again.mean, population.mean)


def test_round_tripped_state_recommends_identically() -> None:
    state = _trained("paced_breathing", GOOD, 5)
    copy = PersonState.from_dict(_json(state.to_dict()))  # type: ignore[arg-type]
    context = Context(questionnaires={"gad7": 12}, local_hour=15)
    a = recommend(state, context, Controls(), CATALOGUE, NOW, rng=np.random.default_rng(3))
    b = recommend(copy, context, Controls(), CATALOGUE, NOW, rng=np.random.default_rng(3))
    assert a.to_dict() == b.to_dict()


def test_state_is_readable_and_versioned() -> None:
    state = _trained("sleep_diary", GOOD, 3)
    data = state.to_dict()
    assert data["schema_version"] == 1 and data["kind"] == "person_state"
    assert data["update_count"] == 3
    assert data["arms"]["sleep_diary"]["tries"] == 3
    assert data["features"] == list(FEATURE_NAMES)
    assert len(json.dumps(data)) < 40_000


@pytest.mark.parametrize(
    ("key", "value"),
    [("schema_version", 2), ("policy", "epsilon-greedy"), ("kind", "population_model")],
)
def test_incompatible_state_is_refused(key: str, value: object) -> None:
    data = new_state(NOW).to_dict()
    data[key] = value
    with pytest.raises(StateVersionError):
        PersonState.from_dict(data)


def test_changed_feature_set_is_refused() -> None:
    data = new_state(NOW).to_dict()
    data["features"] = data["features"][:-1]
    with pytest.raises(StateVersionError):
        PersonState.from_dict(data)


def test_reset_forgets_learning_but_counts_the_reset() -> None:
    state = _trained("worry_time", GOOD, 4)
    state = update(state, "sleep_diary", Context(), BAD, NOW)
    cleared = reset(state, NOW + timedelta(days=9))
    fresh = new_state(NOW)
    assert cleared.reset_count == 1
    assert cleared.update_count == state.update_count
    assert cleared.to_dict()["arms"] == fresh.to_dict()["arms"]
    partial = reset(state, NOW, ("worry_time",))
    assert partial.history("worry_time").tries == 0
    assert partial.history("sleep_diary").tries == 1


def test_repeated_success_makes_an_exercise_the_greedy_choice() -> None:
    context = Context(local_hour=10)
    before = recommend(new_state(NOW), context, Controls(), CATALOGUE, NOW, mode="greedy")
    assert before.top.exercise_id != "sleep_diary"
    state = _trained("sleep_diary", GOOD, 8)
    after = recommend(state, context, Controls(), CATALOGUE, NOW, mode="greedy")
    assert after.top.exercise_id == "sleep_diary"
    assert after.top.learned_adjustment > 0.2


def test_repeated_failure_demotes_the_rules_favourite() -> None:
    context = Context(questionnaires={"phq9": 15}, local_hour=10)
    first = recommend(new_state(NOW), context, Controls(), CATALOGUE, NOW, mode="greedy")
    state = new_state(NOW)
    for day in range(8):
        state = update(state, first.top.exercise_id, context, BAD, NOW + timedelta(days=day))
    later = recommend(state, context, Controls(), CATALOGUE, NOW, mode="greedy")
    assert later.top.exercise_id != first.top.exercise_id


def test_record_outcome_equals_update_from_context() -> None:
    context = Context(
        questionnaires={"gad7": 14},
        checkins=(CheckIn(NOW - timedelta(hours=2), mood=4, anxiety=8, sleep_hours=6),),
        local_hour=20,
    )
    state = new_state(NOW)
    rec = recommend(state, context, Controls(), CATALOGUE, NOW, rng=np.random.default_rng(0))
    picked = rec.alternatives[0].exercise_id
    via_rec = record_outcome(state, rec, picked, GOOD, NOW)
    via_ctx = update(state, picked, context, GOOD, NOW)
    assert via_rec.to_dict()["arms"] == via_ctx.to_dict()["arms"]
    with pytest.raises(KeyError):
        record_outcome(state, rec, "not_suggested", GOOD, NOW)


def test_recommendation_round_trips_through_json() -> None:
    rec = recommend(
        new_state(NOW), Context(), Controls(), CATALOGUE, NOW, rng=np.random.default_rng(0)
    )
    again = Recommendation.from_dict(_json(rec.to_dict()))  # type: ignore[arg-type]
    assert again == rec
    assert len(rec.policy_inputs) == N_FEATURES


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(CATALOGUE.ids), st.floats(-0.75, 1.0)), max_size=25),
    st.randoms(),
)
def test_population_is_order_independent(rows: list[tuple[str, float]], shuffler: object) -> None:
    rng = np.random.default_rng(len(rows))
    events = [
        OutcomeEvent(e, tuple(rng.random(N_FEATURES).tolist()), 0.2, r, NOW.isoformat())
        for e, r in rows
    ]
    base = PopulationModel.empty(CATALOGUE.ids)
    forward = base.observe(events)
    shuffled = list(events)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    backward = base.observe(shuffled[:5]).observe(shuffled[5:])
    assert np.allclose(forward.mean, backward.mean)
    assert int(forward.count.sum()) == len(rows) == forward.update_count
    assert base.update_count == 0  # observe() never mutates


def test_population_learning_shifts_the_choice_for_everyone() -> None:
    context = Context(questionnaires={"gad7": 15}, local_hour=15)
    x = tuple(featurise(context, NOW).tolist())
    events = [OutcomeEvent("self_compassion", x, 0.12, 0.9, NOW.isoformat())] * 60
    population = PopulationModel.empty(CATALOGUE.ids).observe(events)
    rec = recommend(
        new_state(NOW), context, Controls(), CATALOGUE, NOW, population=population, mode="greedy"
    )
    assert rec.top.exercise_id == "self_compassion"
    assert population.top_weights("self_compassion")[0][1] != 0.0


def test_person_offset_is_measured_against_the_population() -> None:
    """What the population already explains is not credited to the person a second time."""
    context = Context(local_hour=15)
    x = tuple(featurise(context, NOW).tolist())
    event = OutcomeEvent("problem_solving", x, 0.12, 0.8, NOW.isoformat())
    state = new_state(NOW)
    for _ in range(5):
        state = apply_event(state, event)
    alone = {r["exercise_id"]: r for r in summarise_state(state)}["problem_solving"]
    population = PopulationModel.empty(CATALOGUE.ids).observe([event] * 500)
    pooled = {r["exercise_id"]: r for r in summarise_state(state, population)}["problem_solving"]
    assert alone["person_offset"] > 0.2
    assert abs(pooled["person_offset"]) < 0.05


def test_outcome_event_serialises() -> None:
    rec = recommend(
        new_state(NOW), Context(), Controls(), CATALOGUE, NOW, rng=np.random.default_rng(0)
    )
    event = outcome_event(rec, rec.top.exercise_id, GOOD, NOW)
    assert OutcomeEvent.from_dict(_json(event.to_dict())) == event  # type: ignore[arg-type]
    assert event.reward == 1.0


@settings(max_examples=40, deadline=None)
@given(contexts())
def test_featuriser_is_fixed_length_and_finite(context: Context) -> None:
    x = featurise(context, NOW)
    assert x.shape == (N_FEATURES,)
    assert np.all(np.isfinite(x))
    assert x[FEATURE_NAMES.index("bias")] == 1.0
