"""What an analysis returns: plain, frozen, JSON-serialisable dataclasses.

Floats are rounded to 4 decimals and dates are ISO strings so that a result can be stored as
JSON and compared across runs. Analysis is decision support for a clinician and a reflection
aid for a client; it is never a safety screen or a diagnosis.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


def r4(value: float) -> float:
    """Round for storage (4 decimals is far below the models' own uncertainty)."""
    return round(float(value), 4)


@dataclass(frozen=True)
class Sentiment:
    """Valence read off the emotion model (GoEmotions' positive/negative emotion groups)."""

    label: str  # "positive" | "negative" | "mixed" | "neutral", from the detected emotions
    score: float  # positive - negative, in [-1, 1]
    positive: float  # probability of the likeliest positive emotion
    negative: float  # probability of the likeliest negative emotion
    method: str = "goemotions-valence"


@dataclass(frozen=True)
class Stress:
    probability: float
    stressed: bool
    threshold: float


@dataclass(frozen=True)
class Distortion:
    """A thinking trap found in the text, with the words that show it.

    `cues` are phrases matched by hand-written patterns for that trap; `terms` are the text's
    words and word pairs that pushed the lexical model towards it most.
    """

    trap: str
    probability: float
    cues: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    emotions: dict[str, float]  # all 28 GoEmotions labels -> probability
    detected_emotions: list[str]  # above each label's tuned threshold, most likely first
    ekman: dict[str, float]  # the 7 Ekman groups (incl. neutral) -> probability
    detected_ekman: list[str]
    sentiment: Sentiment
    stress: Stress
    distorted: bool  # the distorted-vs-not model's decision
    distorted_probability: float  # that model's probability (0 when switched off)
    # Traps above their thresholds, most likely first; only when `distorted`.
    distortions: list[Distortion]
    trap_scores: dict[str, float]  # every trap -> probability (empty when switched off)
    model_version: str
    notice: str = "Decision support only: not a diagnosis and not a safety screen."

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        values = dict(data)
        values["sentiment"] = Sentiment(**values["sentiment"])
        values["stress"] = Stress(**values["stress"])
        values["distortions"] = [Distortion(**d) for d in values["distortions"]]
        return cls(**values)


@dataclass(frozen=True)
class Theme:
    theme_id: int
    label: str  # the top keywords joined with " / "
    keywords: list[str]
    size: int
    examples: list[int]  # indices (into the input entries) closest to the theme's centre
    weekly: dict[str, int]  # ISO date of each week's Monday -> entries that week
    trend: str  # "rising" | "falling" | "steady"
    slope_per_week: float


@dataclass(frozen=True)
class ThemeReport:
    weeks: list[str]  # every Monday from the first entry's week to the last's
    themes: list[Theme]
    assignments: list[int]  # theme_id per input entry, in input order
    method: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThemeReport:
        values = dict(data)
        values["themes"] = [Theme(**t) for t in values["themes"]]
        return cls(**values)
