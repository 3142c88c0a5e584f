"""What the companion needs from outside, as Protocols, and the bundle the lead wires up.

The companion depends on these shapes only, never on the modules that implement them, so the
core runs and tests with tiny fakes and the lead swaps in the real safety screener, crisis
templates, text models and hand-off resources.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mindbridge.companion.flowspec import FlowLibrary
    from mindbridge.companion.generative import GenerativeReplier
    from mindbridge.companion.router import Router
    from mindbridge.companion.state import CompanionContext

LEVELS = ("none", "low", "elevated", "imminent")
CRISIS_LEVELS = frozenset({"elevated", "imminent"})


class ScreeningLike(Protocol):
    """A screening result: `.level` is one of LEVELS (a str or a StrEnum)."""

    @property
    def level(self) -> object: ...


class Screener(Protocol):
    """`mindbridge.safety.screening.screen`: screens one message given the recent ones."""

    def __call__(self, text: str, *, context: Sequence[str]) -> ScreeningLike: ...


class CrisisResponder(Protocol):
    """The safety capability's fixed, reviewed crisis reply for this screening."""

    def __call__(self, screening: ScreeningLike) -> Sequence[str]: ...


class EmotionAnalyser(Protocol):
    """Emotion label -> probability for one message (GoEmotions or Ekman label names)."""

    def __call__(self, text: str) -> Mapping[str, float]: ...


class DistortionDetector(Protocol):
    """Thinking traps in one thought: names, or name -> probability."""

    def __call__(self, text: str) -> Sequence[str] | Mapping[str, float]: ...


class ResourceProvider(Protocol):
    """Support lines to show when the care team is offline (region-specific, from safety)."""

    def __call__(self, context: CompanionContext) -> Sequence[str]: ...


def level_of(screening: ScreeningLike) -> str:
    """The screening's level as a plain string; anything unrecognised counts as elevated.

    Failing towards the crisis response is deliberate: an unknown level from a changed
    screener must never let a message through as safe.
    """
    raw = screening.level
    value = str(getattr(raw, "value", raw)).lower()
    return value if value in LEVELS else "elevated"


@dataclass(frozen=True)
class Deps:
    """The injected callables. Only `screen` is required; the rest degrade gracefully."""

    screen: Screener
    crisis_response: CrisisResponder | None = None
    emotions: EmotionAnalyser | None = None
    distortions: DistortionDetector | None = None
    support_resources: ResourceProvider | None = None
    generative: GenerativeReplier | None = None
    flows: FlowLibrary | None = None
    router: Router | None = None
