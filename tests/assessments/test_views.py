"""The questionnaire pages end to end: the PHQ-9 item-9 safety path, drafts, rejected answers,
schedules, consent and the clinician's measures and outcomes pages."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from mindbridge.access.domain import Action, Role
from mindbridge.alerts.models import Alert
from mindbridge.assessments import service as assessments_service
from mindbridge.assessments.models import (
    AssessmentAssignment,
    AssessmentDraft,
    AssessmentSubmission,
)
from mindbridge.audit.models import AuditEvent
from mindbridge.db import transaction, utcnow
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications import service as notifications_service
from tests.assessments.support import PHQ9_ITEM9, consent, count, drain_outbox, form_data, grant
from tests.conftest import PERSONA_EMAILS, csrf_of, login

FORM = "/questionnaires/PHQ-9"
HTML = {"accept": "text/html"}


def _as(client: TestClient, persona: str) -> TestClient:
    """A second browser for another persona, sharing the app."""
    other = TestClient(client.app, base_url="http://testserver")
    login(other, PERSONA_EMAILS[persona])
    return other


def _submit(client: TestClient, answers: dict[str, int | str | None], action: str = "submit"):  # type: ignore[no-untyped-def]
    token = csrf_of(client, FORM)
    return client.post(
        FORM, data=form_data(answers, token, action), headers=HTML, follow_redirects=False
    )


def test_item9_opens_the_safety_flow_and_alerts_the_care_team(  # type: ignore[no-untyped-def]
    client, rt, personas, login_as
) -> None:
    consent(rt, personas.client, automated_alerts=True)
    login_as("client")
    page = client.get(FORM)
    assert page.status_code == 200
    assert page.text.count("<fieldset") == 9 and page.text.count("<legend>") == 9
    assert 'type="radio" id="item-9-1" name="item-9" value="1"' in page.text
    assert '<label for="item-9-1">' in page.text
    assert "Save and finish later" in page.text and "crisis-title" not in page.text

    # Total 1 (minimal): the flow opens whatever the total.
    response = _submit(client, PHQ9_ITEM9)
    assert response.status_code == 303
    uid = response.headers["location"].rsplit("/", 1)[-1]
    result = client.get(response.headers["location"])
    assert result.status_code == 200
    text = result.text
    assert 'id="crisis-title"' in text
    # The safety core's fixed template, with the crisis lines for the client's locale (en-US).
    assert 'data-template="elevated.v1"' in text
    assert "988" in text and "911" in text
    assert 'href="/safety-plan"' in text
    assert "We have let your care team know" in text
    assert "1 out of 27" in text and "minimal" in text

    with transaction(rt.sessions) as db:
        row = db.execute(select(AssessmentSubmission)).scalar_one()
        assert row.uid == uid and row.total == 1 and "self_harm_item" in row.flags
        assert row.safety_alert == "raised"
        alert = db.execute(select(Alert)).scalar_one()
        assert alert.dedup_key == f"phq9-item9:{uid}"
        assert (alert.level, alert.source, alert.status) == ("elevated", "questionnaire", "open")
        assert alert.summary == "PHQ-9 item 9 (thoughts of self-harm) answered above 0"

    assert drain_outbox(rt) >= 3  # the alert, then the clinician's notification and email
    with transaction(rt.sessions) as db:
        notes = notifications_service.unread(db, user_id=personas.clinician)
        assert [n.title for n in notes] == [
            "Elevated alert: PHQ-9 item 9 (thoughts of self-harm) answered above 0"
        ]
        assert notifications_service.unread(db, user_id=personas.other_clinician) == []
    emails = [json.loads(p) for p in _payloads(rt, "email")]
    assert [e["to"] for e in emails] == [PERSONA_EMAILS["clinician"]]
    assert "Client" not in emails[0]["body"]  # no client details leave by email

    clinician = _as(client, "clinician")
    measures = clinician.get(f"/clients/{personas.client}/measures")
    assert measures.status_code == 200
    assert "Open questionnaire alerts" in measures.text
    assert "PHQ-9 item 9 (thoughts of self-harm) answered above 0" in measures.text
    assert "item 9 above 0" in measures.text


def test_without_alert_consent_the_client_is_told_the_team_was_not_alerted(  # type: ignore[no-untyped-def]
    client, rt, personas, login_as
) -> None:
    login_as("client")
    response = _submit(client, PHQ9_ITEM9)
    text = client.get(response.headers["location"]).text
    assert 'id="crisis-title"' in text and "has <strong>not</strong> been told" in text
    assert count(rt, Alert) == 0
    assert count(rt, AuditEvent, AuditEvent.action == "alert.suppressed") == 1


def test_draft_is_saved_and_resumed_then_submitted_under_the_same_id(  # type: ignore[no-untyped-def]
    client, rt, login_as
) -> None:
    login_as("client")
    saved = _submit(client, {"1": 2, "2": 1, "3": 3}, action="save")
    assert saved.status_code == 303 and saved.headers["location"] == f"{FORM}?saved=1"
    page = client.get(saved.headers["location"]).text
    assert "Your answers are saved" in page
    assert 'id="item-1-2" name="item-1" value="2" checked' in page
    assert 'id="item-3-3" name="item-3" value="3" checked' in page
    assert 'id="item-4-0" name="item-4" value="0" checked' not in page
    with transaction(rt.sessions) as db:
        draft = db.execute(select(AssessmentDraft)).scalar_one()
        assert draft.answers == {"1": 2, "2": 1, "3": 3}
        draft_uid = draft.uid
    assert "Carry on with the PHQ-9" in client.get("/questionnaires").text

    done = _submit(client, {"1": 2, "2": 1, "3": 3, **{str(i): 1 for i in range(4, 10)}})
    assert done.headers["location"] == f"/questionnaires/results/{draft_uid}"
    assert count(rt, AssessmentDraft) == 0 and count(rt, AssessmentSubmission) == 1


def test_a_draft_with_item9_opens_the_flow_at_once_and_alerts_once(  # type: ignore[no-untyped-def]
    client, rt, personas, login_as
) -> None:
    consent(rt, personas.client, automated_alerts=True)
    login_as("client")
    saved = _submit(client, {"9": 2}, action="save")
    page = client.get(saved.headers["location"]).text
    assert 'id="crisis-title"' in page and "We have let your care team know" in page
    assert count(rt, Alert) == 1
    _submit(client, {"9": 2}, action="save")
    finished = _submit(client, {**PHQ9_ITEM9, "9": 2})
    assert finished.status_code == 303
    assert count(rt, Alert) == 1  # draft and submission share the id, so one alert


def test_invalid_answers_are_rejected_with_clear_errors_and_nothing_is_written(  # type: ignore[no-untyped-def]
    client, rt, login_as
) -> None:
    login_as("client")
    before = count(rt, AuditEvent)
    response = _submit(client, {**PHQ9_ITEM9, "3": 7, "4": "lots"})
    assert response.status_code == 422
    assert "Please check your answers" in response.text and "Nothing was saved" in response.text
    assert 'href="#item-3"' in response.text and 'href="#item-4"' in response.text
    assert 'aria-describedby="item-3-error"' in response.text
    assert count(rt, AssessmentSubmission) == 0 and count(rt, AssessmentDraft) == 0
    assert count(rt, Alert) == 0
    # Only access decisions were audited; nothing about answers was stored.
    assert count(rt, AuditEvent, AuditEvent.action.like("assessments.%")) == 0
    assert count(rt, AuditEvent) > before


def test_an_unfinished_submit_keeps_the_answers_and_asks_for_the_rest(  # type: ignore[no-untyped-def]
    client, rt, login_as
) -> None:
    login_as("client")
    response = _submit(client, {**PHQ9_ITEM9, "5": None, "9": 0})
    assert response.status_code == 422
    assert "A few questions still need an answer" in response.text
    assert "Question 5: Please answer this question." in response.text
    assert count(rt, AssessmentSubmission) == 0 and count(rt, AssessmentDraft) == 1


def test_unknown_and_lowercase_instruments(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("client")
    unknown = client.get("/questionnaires/NOPE-1", follow_redirects=False)
    assert unknown.headers["location"] == "/questionnaires?missing=1"
    assert "couldn't find that questionnaire" in client.get(unknown.headers["location"]).text
    lower = client.get("/questionnaires/phq9", follow_redirects=False)
    assert lower.headers["location"] == "/questionnaires/PHQ-9"


def test_schedule_set_by_the_clinician_shows_as_due_for_the_client(  # type: ignore[no-untyped-def]
    client, rt, personas, login_as
) -> None:
    clinician = _as(client, "clinician")
    url = f"/clients/{personas.client}/measures"
    token = csrf_of(clinician, url)
    created = clinician.post(
        f"{url}/assignments",
        data={"instrument": "GAD-7", "every": "2", "unit": "weeks", "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = clinician.get(url).text
    assert "every 2 weeks" in page and "due" in page
    bad = clinician.post(
        f"{url}/assignments",
        data={"instrument": "GAD-7", "every": "0", "csrf_token": token},
    )
    assert bad.status_code == 422 and "between 1 and 365" in bad.text

    login_as("client")
    listing = client.get("/questionnaires").text
    assert "GAD-7, every 2 weeks" in listing and "due now" in listing
    refused = client.post(
        f"{url}/assignments",
        data={
            "instrument": "PHQ-9",
            "every": "1",
            "csrf_token": csrf_of(client, "/questionnaires"),
        },
    )
    assert refused.status_code == 422 and "Only the client&#39;s clinicians" in refused.text

    with transaction(rt.sessions) as db:
        assignment_id = db.execute(select(AssessmentAssignment.id)).scalar_one()
    stopped = clinician.post(
        f"{url}/assignments/end",
        data={"assignment_id": str(assignment_id), "csrf_token": token},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    assert "No questionnaires scheduled." in clinician.get(url).text


def test_revoking_consent_hides_scores_from_the_clinician(  # type: ignore[no-untyped-def]
    client, rt, personas, login_as
) -> None:
    login_as("client")
    _submit(client, {**PHQ9_ITEM9, "1": 3, "2": 3, "3": 3, "9": 0})
    clinician = _as(client, "clinician")
    url = f"/clients/{personas.client}/measures"
    shown = clinician.get(url).text
    assert "9 / 27" in shown and "not shared" not in shown
    assert "PHQ-9: one score so far, 9 out of 27 (Mild)" in shown
    assert clinician.get(f"/api/v1/clients/{personas.client}/submissions").status_code == 200

    consent(rt, personas.client, care_team=False)
    hidden = clinician.get(url)
    assert hidden.status_code == 200
    assert "not shared" in hidden.text and "9 / 27" not in hidden.text
    api = clinician.get(f"/api/v1/clients/{personas.client}/submissions")
    assert api.status_code == 404
    # Someone off the care team sees nothing at all, shared or not.
    assert _as(client, "other_clinician").get(url).status_code == 404


def test_trajectory_chart_and_caseload_outcomes(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        g = grant(db, personas.client, Role.CLIENT, personas.client, action=Action.WRITE)
        for days, phq, gad in ((42, 18, 12), (28, 14, 9), (14, 9, 6), (1, 7, 5)):
            when = now - timedelta(days=days)
            assessments_service.submit(
                db,
                g,
                rt.vault,
                instrument_id="PHQ-9",
                answers=_spread(phq, 9),
                authored_at=when,
                now=now,
            )
            assessments_service.submit(
                db,
                g,
                rt.vault,
                instrument_id="GAD-7",
                answers=_spread(gad, 7),
                authored_at=when,
                now=now,
            )
    clinician = _as(client, "clinician")
    page = clinician.get(f"/clients/{personas.client}/measures").text
    assert page.count("<svg") == 2 and 'role="img"' in page
    assert "Down 11 points since the first score" in page
    assert "reliable improvement" in page and "<polyline" in page
    assert re.search(r"<title>[^<]*18[^<]*Moderately severe", page)

    outcomes = clinician.get("/caseload/outcomes")
    assert outcomes.status_code == 200
    text = outcomes.text
    assert "18 → 7" in text and "12 → 5" in text and "reliable recovery" in text
    assert re.search(r"Recovery</th><td>1</td><td>1 paired cases at the start", text)
    assert _as(client, "client").get("/caseload/outcomes").status_code == 404


def test_client_history_page(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("client")
    assert "haven't completed a questionnaire yet" in client.get("/questionnaires/history").text
    _submit(client, {**PHQ9_ITEM9, "9": 0, "1": 2})
    history = client.get("/questionnaires/history").text
    assert "PHQ-9: one score so far, 2 out of 27 (Minimal)" in history
    assert "item 9 above 0" not in history
    assert (
        client.get("/questionnaires/results/not-a-real-id", follow_redirects=False).headers[
            "location"
        ]
        == "/questionnaires/history"
    )


def _spread(total: int, items: int) -> dict[str, int]:
    answers = {str(i): 0 for i in range(1, items + 1)}
    for k in range(total):
        answers[str(k % (items - 1) + 1)] += 1  # never the last item (PHQ-9 item 9)
    return answers


def _payloads(rt, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        return list(
            db.execute(select(OutboxEvent.payload).where(OutboxEvent.kind == kind)).scalars()
        )


def test_admin_sees_service_outcomes_without_client_names(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PERSONA_EMAILS, login

    login(client, PERSONA_EMAILS["admin"])
    page = client.get("/admin/outcomes")
    assert page.status_code == 200
    assert "Whole service" in page.text and "Other Clinician" in page.text
    assert "Other Client" not in page.text
    client.post("/logout", data={"csrf_token": ""})


def test_service_outcomes_suppress_small_cells() -> None:
    from types import SimpleNamespace

    from mindbridge.assessments.outcomes import OutcomeSummary, Rate
    from mindbridge.assessments.service import ServiceOutcomes
    from mindbridge.web.rendering import env

    summary = OutcomeSummary(12, 10, 2, 8, Rate(3, 8), Rate(7, 10), Rate(0, 10), Rate(2, 8))
    report = ServiceOutcomes(summary, [("Dr A", summary)], 1)
    html = env.get_template("assessments/service_outcomes.html").render(
        report=report,
        request=None,
        user=SimpleNamespace(role="admin", display_name="A"),
        csrf_token="x",
        mfa_off=False,
        title="t",
    )
    assert "fewer than 5 / 8" in html  # recovery 3 of 8
    assert "7 / 10 (70%)" in html  # reliable improvement
    assert "0 / 10" in html  # zero is not a small cell


def test_form_shows_official_wording_from_a_service_pack(client, rt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.conftest import PERSONA_EMAILS, login

    pack = {
        "instrument": "GAD-7",
        "version": "1.0.0",
        "language": "en-GB",
        "title": "Clinic title",
        "instructions": "Clinic instructions.",
        "source": "clinic",
        "items": {str(i): f"Clinic-supplied wording {i}" for i in range(1, 8)},
        "responses": {str(v): f"Clinic option {v}" for v in range(4)},
    }
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "gad7.json").write_text(json.dumps(pack), encoding="utf-8")
    rt.settings.instrument_packs_dir = tmp_path / "packs"
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/questionnaires/GAD-7")
    assert "Clinic-supplied wording 3" in page.text and "Clinic option 2" in page.text


def test_a_broken_pack_folder_stops_the_server_with_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from mindbridge.config import ConfigError, Settings
    from mindbridge.server import prepare

    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "bad.json").write_text('{"instrument": "GAD-7"}', encoding="utf-8")
    settings = Settings(data_dir=tmp_path, instrument_packs_dir=tmp_path / "packs")
    with pytest.raises(ConfigError, match=r"bad\.json"):
        prepare(settings)
