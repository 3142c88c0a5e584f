"""Guard rails are hard constraints: no learned score, however extreme, gets past them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindbridge.recommender.catalogue import load_catalogue
from mindbridge.recommender.context import Context
from mindbridge.recommender.guardrails import Controls, eligibility
from mindbridge.recommender.policy import (
    NoEligibleExerciseError,
    PersonState,
    PopulationModel,
    new_state,
    recommend,
)

from .strategies import NOW, contexts, controls, learned_states

CATALOGUE = load_catalogue()


def blocked_by_rule(exercise_id: str, flags: frozenset[str], ctl: Controls) -> bool:
    """The guard-rail rules restated independently of guardrails.py."""
    entry = CATALOGUE.get(exercise_id)
    if exercise_id in ctl.excluded:
        return True
    approval = ctl.approvals.get(exercise_id)
    if entry.requires_approval and approval is None:
        return True
    for contra in entry.contraindications:
        if contra.flag in flags and (
            not contra.overridable_by_approval or approval is None or contra.flag not in approval
        ):
            return True
    return False


@settings(max_examples=100, deadline=None)
@given(contexts(), controls(), learned_states(), st.sampled_from(["thompson", "greedy", "rules"]))
def test_blocked_exercises_are_never_returned_and_pins_come_first(
    context: Context,
    ctl: Controls,
    learned: tuple[PersonState, PopulationModel],
    mode: str,
) -> None:
    state, population = learned
    eligible = [e for e in CATALOGUE.ids if not blocked_by_rule(e, context.clinical_flags, ctl)]
    if not eligible:
        with pytest.raises(NoEligibleExerciseError):
            recommend(state, context, ctl, CATALOGUE, NOW, population=population)
        return
    rec = recommend(
        state,
        context,
        ctl,
        CATALOGUE,
        NOW,
        population=population,
        rng=np.random.default_rng(0),
        mode=mode,  # type: ignore[arg-type]
    )
    returned = rec.exercise_ids
    assert len(set(returned)) == len(returned) == min(3, len(eligible))
    for exercise_id in returned:
        assert not blocked_by_rule(exercise_id, context.clinical_flags, ctl)
    assert {b.exercise_id for b in rec.blocked} == set(CATALOGUE.ids) - set(eligible)
    eligible_pins = [p for p in ctl.pinned if p in eligible]
    if eligible_pins:
        assert returned[: len(eligible_pins[:3])] == tuple(eligible_pins[:3])
        assert rec.top.pinned


def test_sleep_restriction_needs_an_approval() -> None:
    allowed, blocked = eligibility(CATALOGUE, frozenset(), Controls())
    assert "cbti_sleep_restriction" not in allowed
    assert any(b.exercise_id == "cbti_sleep_restriction" for b in blocked)
    allowed, _ = eligibility(
        CATALOGUE, frozenset(), Controls(approvals={"cbti_sleep_restriction": frozenset()})
    )
    assert "cbti_sleep_restriction" in allowed


@pytest.mark.parametrize("flag", ["bipolar_disorder", "seizure_disorder", "sleep_apnoea"])
def test_an_approval_must_name_the_flag_it_overrides(flag: str) -> None:
    flags = frozenset({flag})
    generic = Controls(approvals={"cbti_sleep_restriction": frozenset()})
    allowed, blocked = eligibility(CATALOGUE, flags, generic)
    assert "cbti_sleep_restriction" not in allowed
    reason = next(b.reason for b in blocked if b.exercise_id == "cbti_sleep_restriction")
    assert flag in reason
    named = Controls(approvals={"cbti_sleep_restriction": frozenset({flag})})
    assert "cbti_sleep_restriction" in eligibility(CATALOGUE, flags, named)[0]


def test_a_pin_does_not_lift_a_gate() -> None:
    ctl = Controls(pinned=("cbti_sleep_restriction", "sleep_diary"))
    rec = recommend(new_state(NOW), Context(), ctl, CATALOGUE, NOW, rng=np.random.default_rng(1))
    assert rec.top.exercise_id == "sleep_diary"
    assert "cbti_sleep_restriction" not in rec.exercise_ids


def test_extreme_learned_preference_cannot_reach_an_excluded_exercise() -> None:
    state = new_state(NOW)
    i = state.arm("worry_time")
    state.tries[i] = 1000
    state.residual_sum[i] = 1e6
    state.reward_sum[i] = 1000.0
    ctl = Controls(excluded=frozenset({"worry_time"}))
    for seed in range(20):
        rec = recommend(state, Context(), ctl, CATALOGUE, NOW, rng=np.random.default_rng(seed))
        assert "worry_time" not in rec.exercise_ids
    assert recommend(
        state, Context(), Controls(), CATALOGUE, NOW, mode="greedy"
    ).top.exercise_id == ("worry_time")


def test_everything_excluded_raises() -> None:
    ctl = Controls(excluded=frozenset(CATALOGUE.ids))
    with pytest.raises(NoEligibleExerciseError):
        recommend(new_state(NOW), Context(), ctl, CATALOGUE, NOW)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pinned": ("sleep_diary",), "excluded": frozenset({"sleep_diary"})},
        {"pinned": ("sleep_diary", "sleep_diary")},
        {"excluded": frozenset({"ice_bath"})},
        {"approvals": {"ice_bath": frozenset()}},
    ],
)
def test_inconsistent_controls_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Controls(**kwargs)  # type: ignore[arg-type]


def test_controls_round_trip() -> None:
    ctl = Controls(
        pinned=("sleep_diary", "mood_checkin"),
        excluded=frozenset({"worry_time"}),
        prioritised=frozenset({"self_compassion"}),
        approvals={"cbti_sleep_restriction": frozenset({"sleep_apnoea"})},
    )
    assert Controls.from_dict(ctl.to_dict()) == ctl
