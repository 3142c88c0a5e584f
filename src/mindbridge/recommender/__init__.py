"""Recommends the next exercise per person: rules prior, learned from outcomes, guard-railed.

Public API (pure: no database or web imports):

    catalogue = load_catalogue()
    state = new_state(now)                          # per person, JSON via to_dict/from_dict
    population = PopulationModel.empty(catalogue.ids)  # shared, JSON via to_dict/from_dict
    rec = recommend(state, context, controls, catalogue, now, population=population)
    event = outcome_event(rec, chosen_id, outcome, now)  # store it (append-only)
    state = apply_event(state, event)               # person layer, immediately
    population = population.observe([event, ...])   # shared layer, e.g. nightly
"""

from mindbridge.recommender.catalogue import EXERCISE_IDS, Catalogue, Exercise, load_catalogue
from mindbridge.recommender.context import CheckIn, Context, PastExercise, Wearable
from mindbridge.recommender.features import FEATURE_NAMES, FEATURES, featurise
from mindbridge.recommender.guardrails import Blocked, Controls, eligibility
from mindbridge.recommender.policy import (
    DEFAULT_CONFIG,
    NoEligibleExerciseError,
    OutcomeEvent,
    PersonState,
    PolicyConfig,
    PopulationModel,
    Recommendation,
    StateVersionError,
    Suggestion,
    apply_event,
    new_state,
    outcome_event,
    recommend,
    record_outcome,
    reset,
    summarise_state,
    update,
)
from mindbridge.recommender.reward import Outcome, reward

__all__ = [
    "DEFAULT_CONFIG",
    "EXERCISE_IDS",
    "FEATURES",
    "FEATURE_NAMES",
    "Blocked",
    "Catalogue",
    "CheckIn",
    "Context",
    "Controls",
    "Exercise",
    "NoEligibleExerciseError",
    "Outcome",
    "OutcomeEvent",
    "PastExercise",
    "PersonState",
    "PolicyConfig",
    "PopulationModel",
    "Recommendation",
    "StateVersionError",
    "Suggestion",
    "Wearable",
    "apply_event",
    "eligibility",
    "featurise",
    "load_catalogue",
    "new_state",
    "outcome_event",
    "recommend",
    "record_outcome",
    "reset",
    "reward",
    "summarise_state",
    "update",
]
