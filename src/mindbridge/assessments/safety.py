"""The domain side of the safety link: which answers must open the safety flow.

The decision works on partial answers too, so a draft that stops right after a positive PHQ-9 item 9
still opens the flow; it does not wait for scoring. The lead wires `SafetySignal.open_flow` to the
alert pipeline. A closed signal never means "safe": it only means these answers did not trigger it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mindbridge.assessments.definitions import InstrumentDefinition
from mindbridge.assessments.scoring import ScoreResult, validate_answer


@dataclass(frozen=True)
class SafetySignal:
    instrument: str
    open_flow: bool
    reasons: tuple[str, ...] = ()  # e.g. ("self_harm_item",)
    triggering_answers: Mapping[str, int] = field(default_factory=dict)  # linkId -> answer
    unanswered_safety_items: tuple[str, ...] = ()
    asks_about_self_harm: bool = False  # False for e.g. PHQ-2: a negative there says nothing

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "open_flow": self.open_flow,
            "reasons": list(self.reasons),
            "triggering_answers": dict(self.triggering_answers),
            "unanswered_safety_items": list(self.unanswered_safety_items),
            "asks_about_self_harm": self.asks_about_self_harm,
        }


def safety_signal(
    definition: InstrumentDefinition, answers: Mapping[str, int | None]
) -> SafetySignal:
    """Decide from whatever has been answered so far; invalid answers raise `InvalidAnswerError`."""
    reasons: list[str] = []
    triggering: dict[str, int] = {}
    unanswered: list[str] = []
    for item in definition.safety_items:
        raw = answers.get(item.link_id)
        if raw is None:
            unanswered.append(item.link_id)
            continue
        value = validate_answer(definition, item.link_id, raw)
        if value >= item.open_flow_at_or_above:
            reasons.append(item.reason)
            triggering[item.link_id] = value
    return SafetySignal(
        instrument=definition.id,
        open_flow=bool(reasons),
        reasons=tuple(reasons),
        triggering_answers=triggering,
        unanswered_safety_items=tuple(unanswered),
        asks_about_self_harm=bool(definition.safety_items),
    )


def must_open_safety_flow(definition: InstrumentDefinition, result: ScoreResult) -> bool:
    """True when a scored result carries any of the instrument's safety reasons as a flag."""
    reasons = {item.reason for item in definition.safety_items}
    return any(flag in reasons for flag in result.flags)
