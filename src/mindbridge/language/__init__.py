"""Offline text understanding: emotions (GoEmotions 28 + Ekman), sentiment, stress, thinking
traps with the words that show them, and themes across a client's entries.

Text must already have passed the safety screen (`mindbridge.safety`): this analysis is
decision support, never the crisis check and never a diagnosis. Importing this package is
cheap; torch and the models load on the first call (or `warm_up()` at start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from mindbridge.language.domain import Analysis, Distortion, Sentiment, Stress, Theme, ThemeReport

__all__ = [
    "Analysis",
    "Distortion",
    "Sentiment",
    "Stress",
    "Theme",
    "ThemeReport",
    "analyze",
    "analyze_batch",
    "themes",
    "warm_up",
]


def analyze(text: str, distortions: bool = True) -> Analysis:
    """Analyse one screened text (see `Analysis`)."""
    from mindbridge.language.analyzer import analyze as run

    return run(text, distortions=distortions)


def analyze_batch(texts: Sequence[str], distortions: bool = True) -> list[Analysis]:
    """Analyse many screened texts in one encoder pass."""
    from mindbridge.language.analyzer import analyze_batch as run

    return run(texts, distortions=distortions)


def themes(entries: Sequence[tuple[datetime | date, str]]) -> ThemeReport:
    """Themes across one client's dated entries, with weekly counts and trends."""
    from mindbridge.language.analyzer import themes as run

    return run(entries)


def warm_up() -> None:
    """Load torch, the encoder and every head now (~6-8 s) instead of on the first request."""
    from mindbridge.language.analyzer import get_analyzer

    get_analyzer().analyze("warm-up")
