"""The shipped catalogue is complete and its gates are the ones the clinical reference asks for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from mindbridge.recommender.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    EXERCISE_IDS,
    Catalogue,
    load_catalogue,
)


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    return data


def test_every_companion_exercise_is_present_once() -> None:
    catalogue = load_catalogue()
    assert catalogue.ids == EXERCISE_IDS
    assert len(EXERCISE_IDS) == 15


def test_sleep_restriction_gate_matches_the_reference() -> None:
    entry = load_catalogue().get("cbti_sleep_restriction")
    assert entry.requires_approval
    assert entry.approval_reason
    flags = {c.flag for c in entry.contraindications}
    assert flags == {"bipolar_disorder", "seizure_disorder", "sleep_apnoea"}
    assert entry.effort == "high"


def test_graded_exposure_needs_approval() -> None:
    assert load_catalogue().get("graded_exposure").requires_approval


@pytest.mark.parametrize(
    ("exercise_id", "effect"),
    [
        ("behavioural_activation", "SMD -0.74"),
        ("paced_breathing", "g -0.35"),
        ("procrastination_tiny_step", "d 0.65"),
        ("problem_solving", "g 0.79"),
        ("self_compassion", "g 0.66"),
        ("cbti_stimulus_control", "SMD -0.78"),
        ("cbti_sleep_restriction", "SMD -0.78"),
    ],
)
def test_evidence_notes_carry_the_reference_numbers(exercise_id: str, effect: str) -> None:
    effects = [e.effect or "" for e in load_catalogue().get(exercise_id).evidence]
    assert any(effect in text for text in effects)


def test_every_exercise_has_sources_and_plausible_metadata() -> None:
    for entry in load_catalogue().exercises:
        assert entry.evidence and all(e.source for e in entry.evidence)
        assert 1 <= entry.duration_minutes <= 30
        assert entry.description != entry.title


def test_duplicate_exercise_is_rejected() -> None:
    data = _raw()
    data["exercises"].append(data["exercises"][0])
    with pytest.raises(ValidationError, match="duplicate"):
        Catalogue.model_validate(data)


def test_missing_exercise_is_rejected() -> None:
    data = _raw()
    data["exercises"] = data["exercises"][1:]
    with pytest.raises(ValidationError, match="lacks"):
        Catalogue.model_validate(data)


def test_gate_without_reason_is_rejected() -> None:
    data = _raw()
    entry = next(e for e in data["exercises"] if e["id"] == "graded_exposure")
    entry["approval_reason"] = None
    with pytest.raises(ValidationError, match="approval_reason"):
        Catalogue.model_validate(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("targets", ["low_mood", "loneliness"]),
        ("effort", "extreme"),
        ("id", "cold_shower"),
        ("duration_minutes", 0),
    ],
)
def test_bad_fields_are_rejected(field: str, value: object) -> None:
    data = _raw()
    data["exercises"][1][field] = value
    with pytest.raises(ValidationError):
        Catalogue.model_validate(data)


def test_unknown_contraindication_flag_is_rejected() -> None:
    data = _raw()
    entry = next(e for e in data["exercises"] if e["id"] == "cbti_sleep_restriction")
    entry["contraindications"][0]["flag"] = "bipolar"  # a typo must not create a dead gate
    with pytest.raises(ValidationError):
        Catalogue.model_validate(data)
