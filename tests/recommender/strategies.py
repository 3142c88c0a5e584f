"""Hypothesis strategies shared by the recommender tests: contexts, controls, learned states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import strategies as st

from mindbridge.recommender.catalogue import CLINICAL_FLAGS, EXERCISE_IDS
from mindbridge.recommender.context import (
    EMOTIONS,
    THEMES,
    THINKING_TRAPS,
    CheckIn,
    Context,
    PastExercise,
    Wearable,
)
from mindbridge.recommender.features import N_FEATURES
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.policy import DEFAULT_CONFIG, PersonState, PopulationModel

NOW = datetime(2025, 3, 10, 20, 0, tzinfo=UTC)

maybe_score = st.one_of(st.none(), st.integers(0, 27))
unit = st.floats(0.0, 1.0)


@st.composite
def checkins(draw: st.DrawFn) -> CheckIn:
    return CheckIn(
        at=NOW - timedelta(hours=draw(st.integers(0, 24 * 9))),
        mood=draw(st.one_of(st.none(), st.floats(0, 10).map(lambda v: round(v, 1)))),
        anxiety=draw(st.one_of(st.none(), st.floats(0, 10).map(lambda v: round(v, 1)))),
        sleep_hours=draw(st.one_of(st.none(), st.floats(2, 12).map(lambda v: round(v, 1)))),
    )


@st.composite
def past_exercises(draw: st.DrawFn) -> PastExercise:
    return PastExercise(
        exercise_id=draw(st.sampled_from(EXERCISE_IDS)),
        at=NOW - timedelta(hours=draw(st.integers(1, 24 * 20))),
        completed=draw(st.booleans()),
        helpfulness=draw(st.one_of(st.none(), st.integers(1, 5))),
    )


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    questionnaires: dict[str, float] = {}
    for name, top in (("phq9", 27), ("gad7", 21), ("pss10", 40), ("who5", 25)):
        if draw(st.booleans()):
            questionnaires[name] = float(draw(st.integers(0, top)))
    subscales: dict[str, float] = {}
    for name, top in (("phq9_sleep", 3), ("gad7_worry", 6), ("phq2", 6)):
        if draw(st.booleans()):
            subscales[name] = float(draw(st.integers(0, top)))
    text = draw(st.booleans())
    return Context(
        questionnaires=questionnaires,
        subscales=subscales,
        checkins=tuple(draw(st.lists(checkins(), max_size=9))),
        emotions={e: draw(unit) for e in EMOTIONS} if text else {},
        stress_probability=draw(unit) if text else None,
        thinking_traps={t: draw(unit) for t in THINKING_TRAPS} if text else {},
        themes=frozenset(draw(st.sets(st.sampled_from(THEMES)))),
        wearable=Wearable(
            sleep_hours_mean=draw(st.one_of(st.none(), st.floats(3, 10))),
            activity_z=draw(st.one_of(st.none(), st.floats(-5, 5))),
            sleep_regularity=draw(st.one_of(st.none(), unit)),
        ),
        local_hour=draw(st.one_of(st.none(), st.integers(0, 23))),
        recent_exercises=tuple(draw(st.lists(past_exercises(), max_size=6))),
        clinical_flags=frozenset(draw(st.sets(st.sampled_from(CLINICAL_FLAGS)))),
    )


@st.composite
def controls(draw: st.DrawFn) -> Controls:
    pinned = draw(st.lists(st.sampled_from(EXERCISE_IDS), unique=True, max_size=3))
    rest = [e for e in EXERCISE_IDS if e not in pinned]
    excluded = draw(st.sets(st.sampled_from(rest), max_size=14)) if rest else set()
    approvals = draw(
        st.dictionaries(
            st.sampled_from(EXERCISE_IDS),
            st.frozensets(st.sampled_from(CLINICAL_FLAGS)),
            max_size=6,
        )
    )
    return Controls(
        pinned=tuple(pinned),
        excluded=frozenset(excluded),
        prioritised=frozenset(draw(st.sets(st.sampled_from(EXERCISE_IDS), max_size=4))),
        approvals=approvals,
    )


@st.composite
def learned_states(draw: st.DrawFn) -> tuple[PersonState, PopulationModel]:
    """Arbitrary (even absurd) learned sums: guard rails must hold whatever they say."""
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([0.0, 1.0, 100.0]))
    rng = np.random.default_rng(seed)
    k = len(EXERCISE_IDS)
    tries = rng.integers(0, 50, k)
    state = PersonState(
        arm_ids=EXERCISE_IDS,
        tries=tries.astype(np.int64),
        reward_sum=rng.normal(0, 1, k) * tries,
        residual_sum=rng.normal(0, scale, k) * tries,
        feature_sum=rng.random((k, N_FEATURES)) * tries[:, None],
        config=DEFAULT_CONFIG,
        created_at=NOW.isoformat(),
        updated_at=NOW.isoformat(),
        update_count=int(tries.sum()),
    )
    empty = PopulationModel.empty(EXERCISE_IDS)
    noise = rng.normal(0, 1, (k, N_FEATURES, 3))
    population = PopulationModel(
        EXERCISE_IDS,
        empty.precision + noise @ np.transpose(noise, (0, 2, 1)),
        rng.normal(0, scale, (k, N_FEATURES)),
        rng.integers(0, 100, k).astype(np.int64),
        DEFAULT_CONFIG,
        NOW.isoformat(),
    )
    return state, population
