"""Risk levels, ordered, with the score band each one owns."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class RiskLevel(StrEnum):
    """How urgently a person needs a human response. Stored as its string value."""

    NONE = "none"
    LOW = "low"  # distress without suicidal content, or concern about someone else
    ELEVATED = "elevated"  # suicidal ideation (passive or active) or self-harm
    IMMINENT = "imminent"  # plan, intent, means, timeline, or an attempt under way

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def needs_crisis_response(self) -> bool:
        return self.rank >= 2

    @property
    def band(self) -> tuple[float, float]:
        """The part of [0, 1] that `Screening.score` occupies at this level."""
        return self.rank / 4, (self.rank + 1) / 4


_ORDER = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.ELEVATED, RiskLevel.IMMINENT)


def highest(levels: Iterable[RiskLevel]) -> RiskLevel:
    """The most urgent of `levels` (`none` when empty)."""
    return max(levels, key=lambda lv: lv.rank, default=RiskLevel.NONE)
