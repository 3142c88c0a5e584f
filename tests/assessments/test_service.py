"""The assessments service on a real database: stored scores, grants, audit, schedules, imports
and caseload outcomes; and the form parser, property-tested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from mindbridge.access.domain import Action, Actor, Record, Role
from mindbridge.alerts.models import Alert
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.definitions import default_registry
from mindbridge.assessments.fhir import questionnaire_response
from mindbridge.assessments.models import AssessmentAssignment, AssessmentSubmission
from mindbridge.assessments.scoring import score
from mindbridge.assessments.service import AnswersRejected
from mindbridge.assessments.submissions import new_submission
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction, utcnow
from mindbridge.kit.errors import Invalid
from tests.assessments.support import PHQ9_ITEM9, consent, count, grant

REGISTRY = default_registry()
FORM_INSTRUMENTS = ["PHQ-9", "GAD-7", "K10", "WHO-5", "PSS-10"]


@st.composite
def valid_forms(draw: st.DrawFn) -> tuple[str, dict[str, int | None], dict[str, str]]:
    definition = REGISTRY.get(draw(st.sampled_from(FORM_INSTRUMENTS)))
    values = sorted(definition.option_values)
    answers = {
        link: draw(st.one_of(st.none(), st.sampled_from(values))) for link in definition.link_ids
    }
    spaces = draw(st.sampled_from(["", " ", "\t"]))
    form = {f"item-{k}": f"{spaces}{v}{spaces}" for k, v in answers.items() if v is not None}
    return definition.id, answers, form


@given(valid_forms())
def test_form_answers_parse_back_to_the_values_given(case) -> None:  # type: ignore[no-untyped-def]
    instrument_id, answers, form = case
    parsed = assessments_service.parse_form_answers(REGISTRY.get(instrument_id), form)
    assert parsed == answers


@given(
    st.sampled_from(FORM_INSTRUMENTS),
    st.text(min_size=1, max_size=6).filter(lambda t: not t.strip().lstrip("-").isdigit()),
)
def test_form_answers_that_are_not_options_are_rejected_naming_the_item(  # type: ignore[no-untyped-def]
    instrument_id, junk
) -> None:
    definition = REGISTRY.get(instrument_id)
    form = {"item-2": junk, "item-1": str(definition.max_value + 1)}
    if not junk.strip():
        form.pop("item-2")
    with pytest.raises(AnswersRejected) as caught:
        assessments_service.parse_form_answers(definition, form)
    items = [p.item for p in caught.value.problems]
    assert items == (["1"] if not junk.strip() else ["1", "2"])
    assert all(instrument_id in p.message for p in caught.value.problems)


def test_stored_scores_match_the_core_and_every_access_is_audited(rt, personas) -> None:  # type: ignore[no-untyped-def]
    answers = {**PHQ9_ITEM9, "1": 3, "2": 2, "9": 0}
    with transaction(rt.sessions) as db:
        mine = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        result = assessments_service.submit(
            db, mine, rt.vault, instrument_id="PHQ-9", answers=answers
        )
        assert result.complete and result.submission is not None
        expected = score(REGISTRY.get("PHQ-9"), answers)
        row = result.submission
        assert (row.total, row.band_code, row.flags) == (expected.total, "mild", [])
        assert row.result == expected.to_dict()
        team = grant(db, personas.clinician, Role.CLINICIAN, personas.client)
        assert [r.uid for r in assessments_service.list_submissions(db, team)] == [row.uid]
        # A grant for something else (or read-only) cannot be used to write.
        with pytest.raises(PermissionError):
            assessments_service.submit(db, team, rt.vault, instrument_id="PHQ-9", answers=answers)
        care = grant(db, personas.clinician, Role.CLINICIAN, personas.client, Record.CARE_RECORD)
        with pytest.raises(PermissionError):
            assessments_service.list_submissions(db, care)
    actions = _audit_actions(rt)
    assert "assessments.submission.create" in actions
    assert "assessments.submissions.read" in actions


def test_authored_times_must_be_aware_and_not_in_the_future(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        mine = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        for when in (utcnow() + timedelta(hours=1), datetime(2025, 1, 1, 9, 0)):
            with pytest.raises(Invalid):
                assessments_service.submit(
                    db, mine, rt.vault, instrument_id="GAD-7", answers=[0] * 7, authored_at=when
                )
    assert count(rt, AssessmentSubmission) == 0


def test_a_new_schedule_replaces_the_old_one(rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        care = grant(
            db,
            personas.clinician,
            Role.CLINICIAN,
            personas.client,
            Record.CARE_RECORD,
            Action.WRITE,
        )
        first = assessments_service.assign(db, care, instrument_id="PHQ-9", every=14)
        second = assessments_service.assign(db, care, instrument_id="PHQ-9", every=1, unit="months")
        assert first.ends_at is not None and second.ends_at is None
        items = assessments_service.assignments_for(db, care)
        assert [(i.definition.id, i.cadence) for i in items] == [("PHQ-9", "every month")]
        with pytest.raises(Invalid):
            assessments_service.assign(db, care, instrument_id="PHQ-9", every=2, unit="years")
        with pytest.raises(Invalid):
            assessments_service.assign(
                db, care, instrument_id="PHQ-9", every=2, timezone="Mars/Olympus"
            )
        own = grant(
            db, personas.client, Role.CLIENT, personas.client, Record.CARE_RECORD, Action.WRITE
        )
        with pytest.raises(Invalid):
            assessments_service.assign(db, own, instrument_id="PHQ-9", every=2)
        assessments_service.end_assignment(db, care, assignment_id=second.id)
        with pytest.raises(Invalid):
            assessments_service.end_assignment(db, care, assignment_id=second.id)
    assert count(rt, AssessmentAssignment, AssessmentAssignment.ends_at.is_(None)) == 0


def _response(uid: str, client_id: int, authored: datetime, item9: int) -> dict:  # type: ignore[type-arg]
    definition = REGISTRY.get("PHQ-9")
    answers = {**PHQ9_ITEM9, "2": 2, "9": item9}
    submission = new_submission(
        definition,
        client_id=str(client_id),
        answers=answers,
        authored_at=authored,
        submission_id=uid,
    )
    return questionnaire_response(submission, definition).model_dump(mode="json", exclude_none=True)


def test_imported_self_harm_answers_alert_only_when_recent(rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, automated_alerts=True)
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": _response("old", personas.client, now - timedelta(days=60), 2)},
            {"resource": _response("recent", personas.client, now - timedelta(days=3), 1)},
        ],
    }
    with transaction(rt.sessions) as db:
        mine = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        report = assessments_service.import_fhir(db, mine, rt.vault, payload=bundle, now=now)
        assert [r.uid for r in report.imported] == ["old", "recent"]
        assert (report.alerts_raised, report.historical_safety_answers) == (1, 1)
        alert = db.execute(select(Alert)).scalar_one()
        assert alert.dedup_key == "phq9-item9:recent"
        again = assessments_service.import_fhir(db, mine, rt.vault, payload=bundle, now=now)
        assert again.imported == [] and sorted(again.already_present) == ["old", "recent"]
        changed = {
            **bundle,
            "entry": [{"resource": _response("old", personas.client, now, 0)}],
        }
        with pytest.raises(assessments_service.ImportRejected) as caught:
            assessments_service.import_fhir(db, mine, rt.vault, payload=changed, now=now)
        assert "already stored" in caught.value.problems[0].message


def test_caseload_outcomes_count_only_shared_clients(rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        mine = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        for days, phq, gad in ((30, [3, 3, 3, 3, 2, 1, 1, 0, 0], [2] * 7), (2, [0] * 9, [0] * 7)):
            when = now - timedelta(days=days)
            for instrument, answers in (("PHQ-9", phq), ("GAD-7", gad)):
                assessments_service.submit(
                    db,
                    mine,
                    rt.vault,
                    instrument_id=instrument,
                    answers=answers,
                    authored_at=when,
                    now=now,
                )
    ctx = AuditContext(Actor(personas.clinician, Role.CLINICIAN), "test")
    with transaction(rt.sessions) as db:
        shared = assessments_service.caseload_outcomes(db, ctx, clinician_id=personas.clinician)
    summary = shared.summary
    assert (summary.episodes, summary.paired, summary.case_at_start) == (1, 1, 1)
    assert (summary.recovery.numerator, summary.recovery.denominator) == (1, 1)
    assert summary.reliable_recovery.numerator == 1 and shared.not_shared == []

    consent(rt, personas.client, care_team=False)
    with transaction(rt.sessions) as db:
        hidden = assessments_service.caseload_outcomes(db, ctx, clinician_id=personas.clinician)
    assert hidden.summary.episodes == 0 and hidden.not_shared == ["Client"]


def _audit_actions(rt) -> set[str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return set(db.execute(select(AuditEvent.action)).scalars())
