"""What the recommender knows about a person at the moment it recommends.

Plain frozen dataclasses with ISO-datetime `to_dict`/`from_dict`, so the lead can store the
context snapshot beside each recommendation (the policy update needs the context as it was
when the exercise was suggested). Every field may be empty: missing data is normal in the
field and is never read as a bad day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Questionnaire totals the featuriser and rules read (others are kept but ignored).
QUESTIONNAIRES: tuple[str, ...] = ("phq9", "gad7", "who5", "pss10", "k10")
# Subscales: PHQ-9 item 3 (sleep, 0-3), PHQ-9 items 1-2 (PHQ-2, 0-6), GAD-7 items 2-3
# (worry, 0-6).
SUBSCALES: tuple[str, ...] = ("phq9_sleep", "phq2", "gad7_worry")
EMOTIONS: tuple[str, ...] = ("sadness", "nervousness", "anger", "joy")
THINKING_TRAPS: tuple[str, ...] = (
    "all_or_nothing",
    "overgeneralising",
    "mental_filter",
    "mind_reading",
    "fortune_telling",
    "catastrophising",
    "should_statements",
    "labelling",
)
THEMES: tuple[str, ...] = (
    "sleep",
    "worry",
    "panic",
    "social",
    "work_stress",
    "procrastination",
    "rumination",
    "self_criticism",
    "loneliness",
)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class CheckIn:
    """One daily check-in; mood and anxiety on 0-10 (mood: higher is better)."""

    at: datetime
    mood: float | None = None
    anxiety: float | None = None
    sleep_hours: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": _iso(self.at),
            "mood": self.mood,
            "anxiety": self.anxiety,
            "sleep_hours": self.sleep_hours,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckIn:
        return cls(_dt(data["at"]), data.get("mood"), data.get("anxiety"), data.get("sleep_hours"))


@dataclass(frozen=True)
class PastExercise:
    """An exercise the person was given recently and what came of it."""

    exercise_id: str
    at: datetime
    completed: bool
    helpfulness: int | None = None  # 1-5
    mood_before: float | None = None
    mood_after: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "at": _iso(self.at),
            "completed": self.completed,
            "helpfulness": self.helpfulness,
            "mood_before": self.mood_before,
            "mood_after": self.mood_after,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PastExercise:
        return cls(
            data["exercise_id"],
            _dt(data["at"]),
            bool(data["completed"]),
            data.get("helpfulness"),
            data.get("mood_before"),
            data.get("mood_after"),
        )


@dataclass(frozen=True)
class Wearable:
    """Passive signals, each already summarised over the last 7 days by the signals package."""

    sleep_hours_mean: float | None = None
    activity_z: float | None = None  # activity relative to the person's own baseline
    sleep_regularity: float | None = None  # 0 (chaotic) .. 1 (same times every day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sleep_hours_mean": self.sleep_hours_mean,
            "activity_z": self.activity_z,
            "sleep_regularity": self.sleep_regularity,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Wearable:
        return cls(
            data.get("sleep_hours_mean"), data.get("activity_z"), data.get("sleep_regularity")
        )


@dataclass(frozen=True)
class Context:
    """A person's current profile.

    `questionnaires` maps instrument -> latest total (e.g. {"phq9": 14}); `subscales` names
    are in SUBSCALES. `emotions`, `stress_probability` and `thinking_traps` come from the
    text models over the person's recent writing (probabilities 0-1), empty when they wrote
    nothing. `checkins` and `recent_exercises` are in any order; the featuriser sorts them.
    `local_hour` is the person's local clock hour (0-23). `clinical_flags` names from
    catalogue.CLINICAL_FLAGS gate contraindicated exercises.
    """

    questionnaires: dict[str, float] = field(default_factory=dict)
    subscales: dict[str, float] = field(default_factory=dict)
    checkins: tuple[CheckIn, ...] = ()
    emotions: dict[str, float] = field(default_factory=dict)
    stress_probability: float | None = None
    thinking_traps: dict[str, float] = field(default_factory=dict)
    themes: frozenset[str] = frozenset()
    wearable: Wearable = field(default_factory=Wearable)
    local_hour: int | None = None
    recent_exercises: tuple[PastExercise, ...] = ()
    clinical_flags: frozenset[str] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaires": dict(self.questionnaires),
            "subscales": dict(self.subscales),
            "checkins": [c.to_dict() for c in self.checkins],
            "emotions": dict(self.emotions),
            "stress_probability": self.stress_probability,
            "thinking_traps": dict(self.thinking_traps),
            "themes": sorted(self.themes),
            "wearable": self.wearable.to_dict(),
            "local_hour": self.local_hour,
            "recent_exercises": [e.to_dict() for e in self.recent_exercises],
            "clinical_flags": sorted(self.clinical_flags),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Context:
        return cls(
            questionnaires=dict(data.get("questionnaires", {})),
            subscales=dict(data.get("subscales", {})),
            checkins=tuple(CheckIn.from_dict(c) for c in data.get("checkins", [])),
            emotions=dict(data.get("emotions", {})),
            stress_probability=data.get("stress_probability"),
            thinking_traps=dict(data.get("thinking_traps", {})),
            themes=frozenset(data.get("themes", [])),
            wearable=Wearable.from_dict(data.get("wearable", {})),
            local_hour=data.get("local_hour"),
            recent_exercises=tuple(
                PastExercise.from_dict(e) for e in data.get("recent_exercises", [])
            ),
            clinical_flags=frozenset(data.get("clinical_flags", [])),
        )
