"""Responses saved part-way: each answer is validated as it is given, and the safety check runs on
the partial answers, so a positive self-harm item opens the flow even if the form is never finished.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from mindbridge.assessments.definitions import InstrumentDefinition
from mindbridge.assessments.errors import InvalidAnswerError
from mindbridge.assessments.safety import SafetySignal, safety_signal
from mindbridge.assessments.scoring import ScoreResult, score, validate_answer
from mindbridge.assessments.submissions import Submission, check_fhir_id
from mindbridge.assessments.timestamps import parse_aware, require_aware


@dataclass(frozen=True)
class DraftResponse:
    id: str
    client_id: str
    instrument_id: str
    instrument_version: str
    started_at: datetime
    updated_at: datetime
    answers: Mapping[str, int] = field(default_factory=dict)
    assignment_id: str | None = None

    def __post_init__(self) -> None:
        check_fhir_id(self.id, "draft id")
        require_aware(self.started_at, "started_at")
        require_aware(self.updated_at, "updated_at")

    def _check(self, definition: InstrumentDefinition) -> None:
        if definition.id != self.instrument_id or definition.version != self.instrument_version:
            raise InvalidAnswerError(
                definition.id,
                f"draft {self.id} is for {self.instrument_id} {self.instrument_version}",
            )

    def with_answer(
        self, definition: InstrumentDefinition, link_id: str, value: object, at: datetime
    ) -> DraftResponse:
        """A copy with one more (or a changed) answer; an invalid one raises, changing nothing."""
        self._check(definition)
        checked = validate_answer(definition, link_id, value)
        answers = {**self.answers, link_id: checked}
        return replace(self, answers=answers, updated_at=require_aware(at, "at"))

    def without_answer(self, link_id: str, at: datetime) -> DraftResponse:
        answers = {k: v for k, v in self.answers.items() if k != link_id}
        return replace(self, answers=answers, updated_at=require_aware(at, "at"))

    def remaining(self, definition: InstrumentDefinition) -> tuple[str, ...]:
        return tuple(i for i in definition.link_ids if i not in self.answers)

    def is_complete(self, definition: InstrumentDefinition) -> bool:
        return not self.remaining(definition)

    def safety(self, definition: InstrumentDefinition) -> SafetySignal:
        self._check(definition)
        return safety_signal(definition, self.answers)

    def score(self, definition: InstrumentDefinition) -> ScoreResult:
        """Score what is there; refuses like any submission if the missing-data rule forbids it."""
        self._check(definition)
        return score(definition, self.answers)

    def to_submission(self, authored_at: datetime, submission_id: str | None = None) -> Submission:
        return Submission(
            id=submission_id or str(uuid.uuid4()),
            client_id=self.client_id,
            instrument_id=self.instrument_id,
            instrument_version=self.instrument_version,
            answers=dict(self.answers),
            authored_at=authored_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "answers": dict(self.answers),
            "assignment_id": self.assignment_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DraftResponse:
        return cls(
            id=data["id"],
            client_id=data["client_id"],
            instrument_id=data["instrument_id"],
            instrument_version=data["instrument_version"],
            started_at=parse_aware(data["started_at"], "started_at"),
            updated_at=parse_aware(data["updated_at"], "updated_at"),
            answers=dict(data.get("answers", {})),
            assignment_id=data.get("assignment_id"),
        )


def start_draft(
    definition: InstrumentDefinition,
    *,
    client_id: str,
    at: datetime,
    draft_id: str | None = None,
    assignment_id: str | None = None,
) -> DraftResponse:
    return DraftResponse(
        id=draft_id or str(uuid.uuid4()),
        client_id=client_id,
        instrument_id=definition.id,
        instrument_version=definition.version,
        started_at=at,
        updated_at=at,
        assignment_id=assignment_id,
    )
