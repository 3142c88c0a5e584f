"""Part-way responses and the safety link."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mindbridge.assessments.drafts import DraftResponse, start_draft
from mindbridge.assessments.errors import InvalidAnswerError, ScoringRefusedError
from mindbridge.assessments.safety import must_open_safety_flow, safety_signal
from mindbridge.assessments.scoring import score
from mindbridge.assessments.submissions import (
    Submission,
    evaluate,
    new_submission,
    score_submission,
)

from .conftest import T0


def test_phq9_item9_opens_the_safety_flow(registry) -> None:
    phq9 = registry.get("PHQ-9")
    result = score(phq9, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert "self_harm_item" in result.flags
    assert must_open_safety_flow(phq9, result) is True
    assert must_open_safety_flow(phq9, score(phq9, [3] * 8 + [0])) is False


def test_safety_signal_on_partial_answers(registry) -> None:
    phq9 = registry.get("PHQ-9")
    signal = safety_signal(phq9, {"1": 2, "9": 2})
    assert signal.open_flow is True
    assert signal.reasons == ("self_harm_item",)
    assert signal.triggering_answers == {"9": 2}
    waiting = safety_signal(phq9, {"1": 2})
    assert (waiting.open_flow, waiting.unanswered_safety_items) == (False, ("9",))


def test_screen_without_safety_item_never_claims_safety(registry) -> None:
    signal = safety_signal(registry.get("PHQ-2"), {"1": 3, "2": 3})
    assert (signal.open_flow, signal.asks_about_self_harm) == (False, False)


def test_safety_signal_rejects_invalid_item9(registry) -> None:
    with pytest.raises(InvalidAnswerError, match="item 9"):
        safety_signal(registry.get("PHQ-9"), {"9": 7})


def test_evaluate_keeps_safety_when_the_score_is_refused(registry) -> None:
    phq9 = registry.get("PHQ-9")
    evaluation = evaluate(phq9, [1, None, 1, 1, 1, 1, 1, 1, 2])
    assert evaluation.result is None
    assert evaluation.missing_items == ("2",)
    assert evaluation.safety.open_flow is True
    assert evaluation.to_dict()["safety"]["open_flow"] is True
    complete = evaluate(phq9, [1] * 9)
    assert complete.result is not None and complete.result.total == 9


def test_draft_validates_each_answer_as_given(registry) -> None:
    phq9 = registry.get("PHQ-9")
    draft = start_draft(phq9, client_id="c1", at=T0, draft_id="d1")
    draft = draft.with_answer(phq9, "1", 2, T0 + timedelta(minutes=1))
    with pytest.raises(InvalidAnswerError, match="PHQ-9 item 2: answer 5 is out of range"):
        draft.with_answer(phq9, "2", 5, T0)
    with pytest.raises(InvalidAnswerError, match="unknown item"):
        draft.with_answer(phq9, "99", 1, T0)
    assert draft.answers == {"1": 2}
    assert draft.remaining(phq9) == ("2", "3", "4", "5", "6", "7", "8", "9")
    assert draft.updated_at == T0 + timedelta(minutes=1)


def test_draft_opens_safety_before_it_is_finished(registry) -> None:
    phq9 = registry.get("PHQ-9")
    draft = start_draft(phq9, client_id="c1", at=T0).with_answer(phq9, "9", 1, T0)
    assert draft.safety(phq9).open_flow is True
    with pytest.raises(ScoringRefusedError):
        draft.score(phq9)


def test_draft_completes_into_a_submission(registry) -> None:
    gad7 = registry.get("GAD-7")
    draft = start_draft(gad7, client_id="c1", at=T0, draft_id="d2")
    for i, value in enumerate([1, 2, 3, 0, 1, 2, 3], start=1):
        draft = draft.with_answer(gad7, str(i), value, T0 + timedelta(minutes=i))
    draft = draft.without_answer("7", T0).with_answer(gad7, "7", 0, T0)
    assert draft.is_complete(gad7)
    submission = draft.to_submission(T0 + timedelta(minutes=9), submission_id="s1")
    assert score_submission(submission).total == 9
    assert draft.score(gad7).total == 9


def test_draft_round_trips_and_checks_its_instrument(registry) -> None:
    phq9, gad7 = registry.get("PHQ-9"), registry.get("GAD-7")
    draft = start_draft(phq9, client_id="c1", at=T0, assignment_id="a1").with_answer(
        phq9, "3", 1, T0
    )
    assert DraftResponse.from_dict(draft.to_dict()) == draft
    with pytest.raises(InvalidAnswerError, match="is for PHQ-9"):
        draft.with_answer(gad7, "1", 1, T0)


def test_submission_validates_and_round_trips(registry) -> None:
    phq9 = registry.get("PHQ-9")
    submission = new_submission(
        phq9, client_id="c1", answers=[1] * 9, authored_at=T0, submission_id="s-1"
    )
    assert Submission.from_dict(submission.to_dict()) == submission
    with pytest.raises(ValueError, match="timezone-aware"):
        new_submission(phq9, client_id="c1", answers=[1] * 9, authored_at=T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="client id"):
        new_submission(phq9, client_id="no spaces allowed", answers=[1] * 9, authored_at=T0)
    with pytest.raises(InvalidAnswerError):
        new_submission(phq9, client_id="c1", answers=[4] * 9, authored_at=T0)
