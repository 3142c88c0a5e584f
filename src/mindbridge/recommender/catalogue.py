"""The intervention catalogue: what each exercise targets, costs, rests on and must never skip.

The catalogue is data (`catalogue.json` beside this module) validated by pydantic, so a
clinician can review one file and a mistake (an unknown problem, a gate without a reason,
a missing exercise) fails loudly at load time rather than silently at recommendation time.
"""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EXERCISE_IDS: tuple[str, ...] = (
    "mood_checkin",
    "thought_record",
    "behavioural_activation",
    "paced_breathing",
    "grounding_54321",
    "progressive_muscle_relaxation",
    "sleep_diary",
    "cbti_stimulus_control",
    "cbti_sleep_restriction",
    "graded_exposure",
    "problem_solving",
    "procrastination_tiny_step",
    "worry_time",
    "self_compassion",
    "psychoeducation",
)

Problem = Literal[
    "low_mood",
    "anxiety",
    "panic",
    "worry",
    "insomnia",
    "stress",
    "procrastination",
    "social_anxiety",
    "rumination",
    "self_criticism",
]
Effort = Literal["low", "medium", "high"]
Category = Literal["monitoring", "cognitive", "behavioural", "body", "sleep", "education"]
TimeOfDay = Literal["morning", "afternoon", "evening", "night"]

# Clinical flags a care record can carry. Contraindications may only name these, so a typo
# in the catalogue cannot create a gate that never fires.
ClinicalFlag = Literal[
    "bipolar_disorder",
    "seizure_disorder",
    "sleep_apnoea",
    "psychosis",
    "musculoskeletal_injury",
    "fall_risk",
]
CLINICAL_FLAGS: tuple[str, ...] = get_args(ClinicalFlag)

DEFAULT_CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """One evidence note; `effect` stays None where the reference gives no number."""

    claim: str = Field(min_length=10)
    effect: str | None = None
    source: str = Field(min_length=3)


class Contraindication(_Frozen):
    """A clinical flag that blocks the exercise unless an approval names that flag."""

    flag: ClinicalFlag
    overridable_by_approval: bool
    note: str = Field(min_length=10)


class Exercise(_Frozen):
    id: str
    title: str = Field(min_length=3)
    description: str = Field(min_length=20)
    category: Category
    targets: tuple[Problem, ...] = Field(min_length=1)
    duration_minutes: int = Field(ge=1, le=60)
    effort: Effort
    best_times: tuple[TimeOfDay, ...] = Field(min_length=1)
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    requires_approval: bool
    approval_reason: str | None = None
    contraindications: tuple[Contraindication, ...] = ()

    @field_validator("id")
    @classmethod
    def _known_id(cls, value: str) -> str:
        if value not in EXERCISE_IDS:
            raise ValueError(f"unknown exercise id {value!r}")
        return value

    @model_validator(mode="after")
    def _gate_has_reason(self) -> Exercise:
        if self.requires_approval and not self.approval_reason:
            raise ValueError(f"{self.id}: an approval gate needs an approval_reason")
        if len(set(self.targets)) != len(self.targets):
            raise ValueError(f"{self.id}: duplicate targets")
        flags = [c.flag for c in self.contraindications]
        if len(set(flags)) != len(flags):
            raise ValueError(f"{self.id}: duplicate contraindication flags")
        return self


class Catalogue(_Frozen):
    schema_version: Literal[1]
    catalogue_version: str
    source_note: str
    exercises: tuple[Exercise, ...]

    @model_validator(mode="after")
    def _complete_and_unique(self) -> Catalogue:
        ids = [e.id for e in self.exercises]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate exercise ids in catalogue")
        missing = set(EXERCISE_IDS) - set(ids)
        if missing:
            raise ValueError(f"catalogue lacks exercises: {sorted(missing)}")
        return self

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Exercise ids in catalogue order, which is also the arm order of the policy state."""
        return tuple(e.id for e in self.exercises)

    @cached_property
    def by_id(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.exercises}

    def get(self, exercise_id: str) -> Exercise:
        return self.by_id[exercise_id]


def load_catalogue_file(path: Path) -> Catalogue:
    """Validate a catalogue file (a deployment may ship its own reviewed copy)."""
    return Catalogue.model_validate(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package (cached: it is immutable)."""
    return load_catalogue_file(DEFAULT_CATALOGUE_PATH)
