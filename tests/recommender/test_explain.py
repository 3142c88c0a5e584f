"""Explanations quote the real drivers and never claim what the context does not hold."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
from hypothesis import given, settings

from mindbridge.recommender.catalogue import load_catalogue
from mindbridge.recommender.context import CheckIn, Context, PastExercise, Wearable
from mindbridge.recommender.features import summarise
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.policy import Recommendation, new_state, recommend

from .strategies import NOW, contexts

CATALOGUE = load_catalogue()


def _all_reasons(rec: Recommendation) -> list[str]:
    return [r for s in (rec.top, *rec.alternatives) for r in s.reasons]


def _rules_rec(context: Context, controls: Controls | None = None) -> Recommendation:
    return recommend(new_state(NOW), context, controls or Controls(), CATALOGUE, NOW, mode="rules")


def test_short_sleep_and_a_helpful_rating_are_both_quoted() -> None:
    context = Context(
        checkins=tuple(
            CheckIn(NOW - timedelta(days=d, hours=1), sleep_hours=h)
            for d, h in enumerate([5.0, 5.5, 4.8, 5.1, 5.0, 5.2])
        ),
        recent_exercises=(
            PastExercise("cbti_stimulus_control", NOW - timedelta(days=2), True, helpfulness=4),
        ),
        local_hour=21,
    )
    rec = _rules_rec(context)
    assert rec.top.exercise_id == "cbti_stimulus_control"
    text = rec.top.explanation
    assert "Your sleep averaged 5.1 h over your last 6 check-ins." in text
    assert "You rated 'Wind-down and bed-for-sleep routine' as helpful (4/5) last time." in text
    assert "It is evening, a good time to wind down." in text


def test_a_pin_is_explained_as_the_clinicians_request() -> None:
    rec = _rules_rec(Context(), Controls(pinned=("self_compassion",)))
    assert rec.top.exercise_id == "self_compassion"
    assert rec.top.reasons[0] == "Your clinician asked you to practise this."


def test_priority_is_explained() -> None:
    rec = _rules_rec(Context(), Controls(prioritised=frozenset({"problem_solving"})))
    suggestion = next(s for s in (rec.top, *rec.alternatives) if s.exercise_id == "problem_solving")
    assert "Your clinician marked this as a priority for you." in suggestion.reasons


def test_high_worry_scores_are_named() -> None:
    rec = _rules_rec(Context(subscales={"gad7_worry": 5}, local_hour=10))
    assert rec.top.exercise_id == "worry_time"
    assert rec.top.reasons[0].startswith("Your worry scores have been high (5 of 6")


def test_questionnaire_band_is_quoted_with_its_score() -> None:
    rec = _rules_rec(Context(questionnaires={"phq9": 16}, local_hour=9))
    assert rec.top.exercise_id == "behavioural_activation"
    assert "Your latest PHQ-9 score was 16, in the moderately severe range." in rec.top.reasons


def test_wearable_sleep_is_attributed_to_the_wearable() -> None:
    rec = _rules_rec(Context(wearable=Wearable(sleep_hours_mean=5.4)))
    assert any("Your wearable shows about 5.4 h" in r for r in _all_reasons(rec))
    assert not any("check-ins" in r for r in _all_reasons(rec))


def test_nothing_known_means_no_invented_facts() -> None:
    rec = _rules_rec(Context())
    for reason in _all_reasons(rec):
        assert not re.search(r"\d", reason.replace("two weeks", "")), reason
        assert "sleep" not in reason.lower()
        assert "score" not in reason.lower()


def test_learned_history_is_described_from_the_state() -> None:
    state = new_state(NOW)
    i = state.arm("grounding_54321")
    state.tries[i] = 4
    state.reward_sum[i] = 2.4
    state.residual_sum[i] = 3.0
    rec = recommend(state, Context(), Controls(), CATALOGUE, NOW, mode="greedy")
    assert rec.top.exercise_id == "grounding_54321"
    assert "It has gone well for you before (4 times so far)." in rec.top.reasons


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


@settings(max_examples=120, deadline=None)
@given(contexts())
def test_every_number_quoted_comes_from_the_context(context: Context) -> None:
    s = summarise(context, NOW)
    allowed: set[float] = {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0}  # scale ends and small counts
    allowed |= {float(v) for v in context.questionnaires.values()}
    allowed |= {float(v) for v in context.subscales.values()}
    for value in (s.mood_mean, s.anxiety_mean, s.sleep_mean, s.anxiety_last):
        if value is not None:
            allowed |= {round(value, 1), float(round(value))}
    allowed |= {float(s.mood_n), float(s.anxiety_n), float(s.sleep_n), 10.0}
    allowed |= {float(e.helpfulness) for e in context.recent_exercises if e.helpfulness}
    rec = recommend(
        new_state(NOW), context, Controls(), CATALOGUE, NOW, rng=np.random.default_rng(0)
    )
    for reason in _all_reasons(rec):
        for number in _numbers(
            reason.replace("PHQ-9", "")
            .replace("GAD-7", "")
            .replace("PSS-10", "")
            .replace("5-4-3-2-1", "")
        ):
            assert number in allowed, (reason, number)
        if "sleep averaged" in reason:
            assert s.sleep_source == "check-ins" and s.sleep_n >= 3
        if "wearable" in reason:
            assert context.wearable.sleep_hours_mean is not None
        if "writing" in reason and "theme" not in reason:
            assert context.thinking_traps or context.themes or context.stress_probability
        if "clinician" in reason:
            raise AssertionError("no clinician control was set")
    assert all(s.reasons for s in (rec.top, *rec.alternatives))
