"""The reward the policy learns from, one number per exercise given.

    reward = W_COMPLETION * completed + (1 - W_COMPLETION) * S

    S = weighted mean of the feedback signals that are present:
        h = (helpfulness - 3) / 2                      rating 1-5 -> -1..1, weight W_RATING
        m = clip((mood_after - mood_before) / 3, -1, 1)   0-10 mood scale, weight W_MOOD
    S = 0 when neither is present (no feedback is neutral, not bad).

With the weights below the reward lies in [-0.75, 1]: a completed exercise with no
feedback earns 0.25, a skipped one 0, a completed one rated 5 with mood up 3 points
earns 1, one rated 1 with mood down 3 points earns -0.5. Rating carries more weight than
mood change because it is the person's own judgement of the exercise, while mood moves
for many reasons in the minutes around an exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W_COMPLETION = 0.25
W_RATING = 0.6
W_MOOD = 0.4
MOOD_SCALE = 3.0  # a 3-point mood change on the 0-10 scale counts as the full signal


@dataclass(frozen=True)
class Outcome:
    """What happened after an exercise was offered."""

    completed: bool
    helpfulness: int | None = None  # 1-5
    mood_before: float | None = None  # 0-10
    mood_after: float | None = None  # 0-10

    def __post_init__(self) -> None:
        if self.helpfulness is not None and not 1 <= self.helpfulness <= 5:
            raise ValueError("helpfulness must be 1-5")
        for mood in (self.mood_before, self.mood_after):
            if mood is not None and not 0.0 <= mood <= 10.0:
                raise ValueError("mood must be on the 0-10 scale")

    def to_dict(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "helpfulness": self.helpfulness,
            "mood_before": self.mood_before,
            "mood_after": self.mood_after,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            bool(data["completed"]),
            data.get("helpfulness"),
            data.get("mood_before"),
            data.get("mood_after"),
        )


def reward(outcome: Outcome) -> float:
    """The documented reward formula (see the module docstring)."""
    weighted = 0.0
    total_weight = 0.0
    if outcome.helpfulness is not None:
        weighted += W_RATING * (outcome.helpfulness - 3) / 2.0
        total_weight += W_RATING
    if outcome.mood_before is not None and outcome.mood_after is not None:
        change = (outcome.mood_after - outcome.mood_before) / MOOD_SCALE
        weighted += W_MOOD * min(max(change, -1.0), 1.0)
        total_weight += W_MOOD
    signal = weighted / total_weight if total_weight else 0.0
    return W_COMPLETION * float(outcome.completed) + (1.0 - W_COMPLETION) * signal
