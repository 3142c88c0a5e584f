"""A completed questionnaire as stored: raw answers plus who, what and when.

The raw answers are the record of truth; scores are derived and can be recomputed with
`score_submission`, so a corrected definition never leaves stale totals behind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mindbridge.assessments.definitions import InstrumentDefinition, Registry, default_registry
from mindbridge.assessments.errors import InvalidAnswerError, ScoringRefusedError
from mindbridge.assessments.safety import SafetySignal, safety_signal
from mindbridge.assessments.scoring import Answers, ScoreResult, normalise_answers, score
from mindbridge.assessments.timestamps import parse_aware, require_aware

# FHIR resource ids: the same ids are used when a submission is exported.
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def check_fhir_id(value: str, name: str) -> str:
    if not _FHIR_ID.match(value):
        raise ValueError(f"{name} {value!r} must be 1-64 letters, digits, '-' or '.'")
    return value


@dataclass(frozen=True)
class Submission:
    id: str
    client_id: str
    instrument_id: str
    instrument_version: str
    answers: Mapping[str, int | None]
    authored_at: datetime
    source: str = "mindbridge"  # or "fhir-import"
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_fhir_id(self.id, "submission id")
        check_fhir_id(self.client_id, "client id")
        require_aware(self.authored_at, "authored_at")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "answers": dict(self.answers),
            "authored_at": self.authored_at.isoformat(),
            "source": self.source,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Submission:
        return cls(
            id=data["id"],
            client_id=data["client_id"],
            instrument_id=data["instrument_id"],
            instrument_version=data["instrument_version"],
            answers=dict(data["answers"]),
            authored_at=parse_aware(data["authored_at"], "authored_at"),
            source=data.get("source", "mindbridge"),
            extra=dict(data.get("extra", {})),
        )


def new_submission(
    definition: InstrumentDefinition,
    *,
    client_id: str,
    answers: Answers,
    authored_at: datetime,
    submission_id: str | None = None,
    source: str = "mindbridge",
) -> Submission:
    """Validate the answers now, so nothing invalid is ever stored."""
    return Submission(
        id=submission_id or str(uuid.uuid4()),
        client_id=client_id,
        instrument_id=definition.id,
        instrument_version=definition.version,
        answers=normalise_answers(definition, answers),
        authored_at=authored_at,
        source=source,
    )


def score_submission(submission: Submission, registry: Registry | None = None) -> ScoreResult:
    definition = (registry or default_registry()).get(submission.instrument_id)
    if submission.instrument_version != definition.version:
        raise InvalidAnswerError(
            definition.id,
            f"submission {submission.id} was made with version {submission.instrument_version}; "
            f"this registry has {definition.version}",
        )
    return score(definition, submission.answers)


@dataclass(frozen=True)
class Evaluation:
    """Score and safety together: the safety decision never waits on a refused score."""

    safety: SafetySignal
    result: ScoreResult | None
    refusal: str | None = None  # why no score, when the missing-data rule refused
    missing_items: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "safety": self.safety.to_dict(),
            "result": self.result.to_dict() if self.result else None,
            "refusal": self.refusal,
            "missing_items": list(self.missing_items),
        }


def evaluate(definition: InstrumentDefinition, answers: Answers) -> Evaluation:
    """What a web route calls on submit: invalid answers still raise `InvalidAnswerError`, but a
    refusal to score (missing items) is returned, with the safety signal computed either way."""
    normalised = normalise_answers(definition, answers)
    signal = safety_signal(definition, normalised)
    try:
        result = score(definition, normalised)
    except ScoringRefusedError as exc:
        return Evaluation(signal, None, exc.reason, exc.missing_items)
    return Evaluation(signal, result, None, result.missing_items)
