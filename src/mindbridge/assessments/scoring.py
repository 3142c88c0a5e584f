"""Scoring: totals, bands, subscales, flags and the missing-data rule, driven by the definition.

Answers are raw response values keyed by item linkId (or a list in item order). Anything invalid
raises `InvalidAnswerError` naming the item; an incomplete form is scored only when the
instrument's documented missing-data rule allows it, otherwise `ScoringRefusedError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import floor
from typing import Any

from mindbridge.assessments.definitions import (
    AnyOf,
    ClusterRuleMet,
    InstrumentDefinition,
    ItemAtOrAbove,
    TotalAtOrAbove,
    TotalAtOrBelow,
)
from mindbridge.assessments.errors import InvalidAnswerError, ScoringRefusedError

AnswerValue = int | None
Answers = Mapping[str, AnswerValue] | Sequence[AnswerValue]


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    low: int
    high: int

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ScoreResult:
    """A scored submission. Plain fields: store `to_dict()` as JSON next to the raw answers."""

    instrument: str
    version: str
    total: int
    band: Band
    subscales: Mapping[str, int | None] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    percentage: float | None = None
    missing_items: tuple[str, ...] = ()
    prorated: bool = False
    answered_sum: int = 0  # sum of the answered items' scored values, before any proration

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "band": self.band.to_dict(),
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "percentage": self.percentage,
            "missing_items": list(self.missing_items),
            "prorated": self.prorated,
            "answered_sum": self.answered_sum,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        band = data["band"]
        return cls(
            instrument=data["instrument"],
            version=data["version"],
            total=int(data["total"]),
            band=Band(band["code"], band["label"], int(band["low"]), int(band["high"])),
            subscales=dict(data.get("subscales", {})),
            flags=tuple(data.get("flags", ())),
            percentage=data.get("percentage"),
            missing_items=tuple(data.get("missing_items", ())),
            prorated=bool(data.get("prorated", False)),
            answered_sum=int(data.get("answered_sum", 0)),
        )


def validate_answer(definition: InstrumentDefinition, link_id: str, value: object) -> int:
    """Check one answer as it is given (drafts call this per item); return it as an int."""
    if link_id not in definition.link_ids:
        raise InvalidAnswerError(
            definition.id,
            f"unknown item; the items are {', '.join(definition.link_ids)}",
            link_id,
        )
    allowed = f"{definition.min_value}-{definition.max_value}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswerError(
            definition.id, f"answer must be a whole number {allowed}, got {value!r}", link_id
        )
    if value not in definition.option_values:
        raise InvalidAnswerError(
            definition.id, f"answer {value} is out of range (allowed {allowed})", link_id
        )
    return value


def normalise_answers(definition: InstrumentDefinition, answers: Answers) -> dict[str, int | None]:
    """Validate every answer and return one entry per item, None where unanswered."""
    result: dict[str, int | None] = dict.fromkeys(definition.link_ids)
    if isinstance(answers, Mapping):
        for link_id, value in answers.items():
            key = str(link_id)
            result[key] = None if value is None else validate_answer(definition, key, value)
        return result
    if isinstance(answers, str | bytes):
        raise InvalidAnswerError(definition.id, "answers must be a list or a mapping, not text")
    values = list(answers)
    if len(values) != len(definition.items):
        raise InvalidAnswerError(
            definition.id,
            f"expects {len(definition.items)} answers (one per item), got {len(values)}",
        )
    for link_id, value in zip(definition.link_ids, values, strict=True):
        result[link_id] = None if value is None else validate_answer(definition, link_id, value)
    return result


def _round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def score(definition: InstrumentDefinition, answers: Answers) -> ScoreResult:
    """Score one submission; never guesses beyond the instrument's documented missing-data rule."""
    normalised = normalise_answers(definition, answers)
    missing = tuple(link_id for link_id, value in normalised.items() if value is None)
    answered = {k: v for k, v in normalised.items() if v is not None}
    _check_missing(definition, missing)

    scored = {k: definition.scored_value(k, v) for k, v in answered.items()}
    answered_sum = sum(scored.values())
    prorated = bool(missing)
    if prorated:
        total = _round_half_up(Fraction(answered_sum * len(definition.items), len(answered)))
    else:
        total = answered_sum

    subscales: dict[str, int | None] = {}
    for sub in definition.subscales:
        values = [scored.get(i) for i in sub.items]
        subscales[sub.id] = None if None in values else sum(v for v in values if v is not None)

    band_def = definition.band_for(total)
    band = Band(band_def.code, band_def.label, band_def.low, band_def.high)
    multiplier = definition.scoring.percentage_multiplier
    percentage = float(total * multiplier) if multiplier is not None else None
    flags = _flags(definition, answered, total)
    return ScoreResult(
        instrument=definition.id,
        version=definition.version,
        total=total,
        band=band,
        subscales=subscales,
        flags=flags,
        percentage=percentage,
        missing_items=missing,
        prorated=prorated,
        answered_sum=answered_sum,
    )


def _check_missing(definition: InstrumentDefinition, missing: tuple[str, ...]) -> None:
    if not missing:
        return
    rule = definition.missing_data
    never = [m for m in missing if m in rule.never_imputed]
    if never:
        raise ScoringRefusedError(
            definition.id,
            missing,
            f"item(s) {', '.join(never)} are never imputed ({rule.rationale})",
        )
    if rule.method == "refuse":
        raise ScoringRefusedError(definition.id, missing, rule.rationale)
    if len(missing) > rule.max_missing:
        raise ScoringRefusedError(
            definition.id,
            missing,
            f"at most {rule.max_missing} missing item(s) may be prorated ({rule.source})",
        )


def cluster_rule_met(definition: InstrumentDefinition, answers: Mapping[str, int]) -> bool | None:
    """Whether every cluster has its minimum of endorsed items; None if an item is unanswered."""
    rule = definition.cluster_rule
    if rule is None:
        return None
    for sub in definition.subscales:
        if sub.min_endorsed is None:
            continue
        if any(i not in answers for i in sub.items):
            return None
        endorsed = sum(1 for i in sub.items if answers[i] >= rule.endorsed_at_or_above)
        if endorsed < sub.min_endorsed:
            return False
    return True


def _flags(
    definition: InstrumentDefinition, answers: Mapping[str, int], total: int
) -> tuple[str, ...]:
    raised: list[str] = [
        s.reason
        for s in definition.safety_items
        if answers.get(s.link_id, definition.min_value) >= s.open_flow_at_or_above
    ]
    for rule in definition.flags:
        if isinstance(rule, ItemAtOrAbove):
            hit = answers.get(rule.item, definition.min_value) >= rule.threshold
        elif isinstance(rule, TotalAtOrAbove):
            hit = total >= rule.threshold
        elif isinstance(rule, TotalAtOrBelow):
            hit = total <= rule.threshold
        elif isinstance(rule, ClusterRuleMet):
            hit = cluster_rule_met(definition, answers) is True
        else:
            assert isinstance(rule, AnyOf)
            hit = any(f in raised for f in rule.of)
        if hit:
            raised.append(rule.id)
    return tuple(raised)
