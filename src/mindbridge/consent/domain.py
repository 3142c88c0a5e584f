"""Consent as versioned facts: the newest record per (stream, purpose) is in force; default no."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mindbridge.access.domain import Purpose, Stream

STREAM_LABELS = {
    Stream.CHECKINS: "Daily check-ins (mood, anxiety, sleep, notes)",
    Stream.JOURNAL: "Journal entries",
    Stream.COMPANION: "Conversations with the companion",
    Stream.QUESTIONNAIRES: "Questionnaire answers and scores",
    Stream.SIGNALS: "Passive signals (sleep, activity, screen time)",
}
PURPOSE_LABELS = {
    Purpose.CARE_TEAM: "My care team can see it",
    Purpose.AUTOMATED_ALERTS: "It can trigger automatic alerts to my care team",
    Purpose.RESEARCH: "It can be used, de-identified, for research",
    Purpose.MODEL_REPLIES: (
        "The companion may send my recent messages to this service's language model for short "
        "reflective replies"
    ),
}
# Purposes that make sense only for some streams (every other purpose applies to all).
ONLY_FOR: dict[Purpose, frozenset[Stream]] = {Purpose.MODEL_REPLIES: frozenset({Stream.COMPANION})}


def choices(*, model_replies: bool = True) -> list[tuple[Stream, Purpose]]:
    """The (stream, purpose) pairs a client can decide, in page order. `model_replies=False`
    leaves out the generative-mode choice on a server that has no model configured."""
    return [
        (s, p)
        for s in Stream
        for p in Purpose
        if s in ONLY_FOR.get(p, frozenset(Stream))
        and (model_replies or p is not Purpose.MODEL_REPLIES)
    ]


def everyday_sharing() -> dict[tuple[Stream, Purpose], bool]:
    """The demo's usual choices: share with the care team and its alerts; no research, no
    model replies."""
    return {(s, p): p in (Purpose.CARE_TEAM, Purpose.AUTOMATED_ALERTS) for s, p in choices()}


@dataclass(frozen=True)
class ConsentFact:
    stream: Stream
    purpose: Purpose
    granted: bool
    version: int
    recorded_at: datetime


@dataclass(frozen=True)
class ConsentState:
    facts: dict[tuple[Stream, Purpose], ConsentFact]

    @classmethod
    def from_records(cls, records: Iterable[ConsentFact]) -> ConsentState:
        latest: dict[tuple[Stream, Purpose], ConsentFact] = {}
        for fact in records:
            key = (fact.stream, fact.purpose)
            if key not in latest or fact.version > latest[key].version:
                latest[key] = fact
        return cls(latest)

    def granted(self, stream: Stream, purpose: Purpose) -> bool:
        fact = self.facts.get((stream, purpose))
        return bool(fact and fact.granted)

    def shared_with(self, purpose: Purpose) -> frozenset[Stream]:
        return frozenset(s for s in Stream if self.granted(s, purpose))

    def version(self, stream: Stream, purpose: Purpose) -> int:
        fact = self.facts.get((stream, purpose))
        return fact.version if fact else 0

    def changes(
        self, wanted: dict[tuple[Stream, Purpose], bool]
    ) -> dict[tuple[Stream, Purpose], bool]:
        """Only the choices that differ from what is in force (so no-op saves add no versions)."""
        return {key: value for key, value in wanted.items() if self.granted(*key) != value}
