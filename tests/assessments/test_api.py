"""The questionnaire REST API: authentication, access, submitting, reading, and FHIR export and
import (validated, all-or-nothing, re-importing to the same scores)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from sqlalchemy import select

from mindbridge.access.domain import Actor, Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.models import User
from mindbridge.alerts.models import Alert
from mindbridge.assessments.fhir import submissions_from_bundle
from mindbridge.assessments.models import AssessmentDraft, AssessmentSubmission
from mindbridge.assessments.submissions import score_submission
from mindbridge.audit.service import AuditContext
from mindbridge.db import transaction
from tests.assessments.support import PHQ9_ITEM9, consent, count

PHQ9_MODERATE = {"1": 2, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "7": 1, "8": 1, "9": 0}


def _token(rt, user_id: int, scopes: str = "read,write") -> dict[str, str]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        user = db.get(User, user_id)
        assert user is not None
        ctx = AuditContext(Actor(user_id, Role(user.role)), "test")
        _row, token = accounts_service.create_api_token(db, ctx, user, name="test", scopes=scopes)
    return {"authorization": f"Bearer {token}"}


def _submissions(client_id: int) -> str:
    return f"/api/v1/clients/{client_id}/submissions"


def test_api_needs_a_login_or_token(client, personas) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/instruments").status_code == 401
    assert client.get(_submissions(personas.client)).status_code == 401
    bearer = {"authorization": "Bearer mb_nonsense"}
    assert client.get(_submissions(personas.client), headers=bearer).status_code == 401
    spec = client.get("/openapi.json").json()["paths"]
    assert {"401", "404"} <= set(
        spec["/api/v1/clients/{client_id}/submissions"]["post"]["responses"]
    )
    assert "422" in spec["/api/v1/clients/{client_id}/fhir"]["post"]["responses"]


def test_instruments_and_their_fhir_questionnaires(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    headers = _token(rt, personas.clinician, "read")
    listed = client.get("/api/v1/instruments", headers=headers).json()
    assert {"PHQ-9", "GAD-7", "WHO-5"} <= {i["id"] for i in listed}
    phq9 = next(i for i in listed if i["id"] == "PHQ-9")
    assert (phq9["items"], phq9["max_total"]) == (9, 27)
    response = client.get(phq9["questionnaire"], headers=headers)
    assert response.headers["content-type"].startswith("application/fhir+json")
    form = Questionnaire.model_validate(response.json())
    assert form.url.endswith("/Questionnaire/PHQ-9") and len(form.item) == 9
    assert client.get("/api/v1/instruments/phq9", headers=headers).status_code == 200
    assert client.get("/api/v1/instruments/NOPE", headers=headers).status_code == 404


def test_client_submits_and_the_care_team_reads(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    mine = _token(rt, personas.client)
    created = client.post(
        _submissions(personas.client),
        headers=mine,
        json={"instrument": "phq9", "answers": PHQ9_MODERATE},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["instrument"], body["total"], body["band"]["code"]) == ("PHQ-9", 11, "moderate")
    assert body["safety"] == {
        "open_flow": False,
        "reasons": [],
        "care_team_alerted": None,
        "safety_plan_url": None,
        "crisis_support": None,
    }
    team = client.get(_submissions(personas.client), headers=_token(rt, personas.clinician)).json()
    assert [s["id"] for s in team] == [body["id"]] and team[0]["answers"] == PHQ9_MODERATE

    stranger = _token(rt, personas.other_clinician)
    assert client.get(_submissions(personas.client), headers=stranger).status_code == 404
    missing = client.get(_submissions(99999), headers=stranger)
    assert (
        missing.status_code == 404
        and missing.json() == client.get(_submissions(personas.client), headers=stranger).json()
    )
    # Questionnaires are the client's to write; the clinician's write is refused like a stranger's.
    written = client.post(
        _submissions(personas.client),
        headers=_token(rt, personas.clinician),
        json={"instrument": "PHQ-9", "answers": PHQ9_MODERATE},
    )
    assert written.status_code == 404
    read_only = client.post(
        _submissions(personas.client),
        headers=_token(rt, personas.client, "read"),
        json={"instrument": "PHQ-9", "answers": PHQ9_MODERATE},
    )
    assert read_only.status_code == 401
    assert count(rt, AssessmentSubmission) == 1


def test_api_item9_alerts_and_returns_the_crisis_support(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    consent(rt, personas.client, automated_alerts=True)
    body = client.post(
        _submissions(personas.client),
        headers=_token(rt, personas.client),
        json={"instrument": "PHQ-9", "answers": list(PHQ9_ITEM9.values())},
    ).json()
    assert body["total"] == 1 and body["safety"]["open_flow"] is True
    assert body["safety"]["care_team_alerted"] is True
    assert body["safety"]["safety_plan_url"] == "/safety-plan"
    assert "988" in body["safety"]["crisis_support"]
    assert count(rt, Alert) == 1


def test_invalid_and_incomplete_submissions(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    headers = _token(rt, personas.client)
    bad = client.post(
        _submissions(personas.client),
        headers=headers,
        json={"instrument": "PHQ-9", "answers": {**PHQ9_MODERATE, "3": 4, "5": "2", "10": 1}},
    )
    assert bad.status_code == 422
    problems = bad.json()["problems"]
    assert {p["item"] for p in problems} == {"3", "5", "10"}
    assert any("out of range (allowed 0-3)" in p["message"] for p in problems)
    assert count(rt, AssessmentSubmission) == 0 and count(rt, AssessmentDraft) == 0
    short = client.post(
        _submissions(personas.client),
        headers=headers,
        json={"instrument": "GAD-7", "answers": [1, 2, 3]},
    )
    assert (
        short.status_code == 422 and "expects 7 answers" in short.json()["problems"][0]["message"]
    )
    unknown = client.post(
        _submissions(personas.client), headers=headers, json={"instrument": "X", "answers": []}
    )
    assert unknown.status_code == 422
    incomplete = client.post(
        _submissions(personas.client),
        headers=headers,
        json={"instrument": "PHQ-9", "answers": {**PHQ9_MODERATE, "4": None, "9": 1}},
    )
    assert incomplete.status_code == 422
    detail = incomplete.json()
    assert detail["missing_items"] == ["4"] and detail["draft_saved"] is True
    assert detail["safety"]["open_flow"] is True  # a refused score never hides item 9
    assert count(rt, AssessmentSubmission) == 0 and count(rt, AssessmentDraft) == 1


def _post_history(client: TestClient, client_id: int, headers: dict[str, str]) -> None:
    for when, answers in (
        ("2025-01-06T09:00:00+00:00", {**PHQ9_MODERATE, "1": 3, "2": 3}),
        ("2025-01-20T09:00:00+00:00", PHQ9_MODERATE),
        ("2025-01-20T09:05:00+00:00", [2, 1, 1, 1, 0, 0, 1]),
    ):
        instrument = "GAD-7" if isinstance(answers, list) else "PHQ-9"
        response = client.post(
            f"/api/v1/clients/{client_id}/submissions",
            headers=headers,
            json={"instrument": instrument, "answers": answers, "authored_at": when},
        )
        assert response.status_code == 201, response.text


def test_fhir_export_validates_and_reimports_to_the_same_scores(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    mine = _token(rt, personas.client)
    _post_history(client, personas.client, mine)
    stored = {
        s["id"]: s["total"] for s in client.get(_submissions(personas.client), headers=mine).json()
    }

    exported = client.get(f"/api/v1/clients/{personas.client}/fhir/Bundle", headers=mine)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(exported.json())
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds.count("Questionnaire") == 2 and kinds.count("QuestionnaireResponse") == 3
    parsed = submissions_from_bundle(bundle)
    assert {s.id: score_submission(s).total for s in parsed} == stored
    # The care team can export too (while the client shares questionnaires).
    team = client.get(
        f"/api/v1/clients/{personas.client}/fhir/Bundle", headers=_token(rt, personas.clinician)
    )
    assert team.status_code == 200

    again = client.post(
        f"/api/v1/clients/{personas.client}/fhir", headers=mine, json=exported.json()
    )
    assert again.status_code == 200, again.text
    assert again.json()["imported"] == [] and set(again.json()["already_present"]) == set(stored)

    theirs = _token(rt, personas.other_client)
    moved = client.post(
        f"/api/v1/clients/{personas.other_client}/fhir", headers=theirs, json=exported.json()
    )
    assert moved.status_code == 200, moved.text
    report = moved.json()
    assert report["subject"] == str(personas.client)
    assert {s["id"]: s["total"] for s in report["imported"]} == stored
    assert {s["source"] for s in report["imported"]} == {"fhir-import"}
    listed = client.get(_submissions(personas.other_client), headers=theirs).json()
    assert {s["id"]: s["total"] for s in listed} == stored


def _qr(
    link_answers: dict[str, Any],
    *,
    questionnaire: str = "http://loinc.org/q/44249-1",
    rid: str = "r1",
) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "questionnaire": questionnaire,
        "status": "completed",
        "subject": {"reference": "Patient/ext-42"},
        "authored": "2025-02-03T10:00:00+01:00",
        "item": [{"linkId": k, "answer": [{"valueInteger": v}]} for k, v in link_answers.items()],
    }


def test_import_reports_every_problem_and_writes_nothing(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    mine = _token(rt, personas.client)
    good = _qr(PHQ9_MODERATE, rid="good")
    bad_items = _qr({**PHQ9_MODERATE, "3": 5, "6": 9}, rid="bad-items")
    unknown = _qr(PHQ9_MODERATE, questionnaire="http://example.org/Questionnaire/ABC", rid="unk")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (good, bad_items, unknown)],
    }
    response = client.post(f"/api/v1/clients/{personas.client}/fhir", headers=mine, json=bundle)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["entry"], p["item"]) for p in problems] == [(1, "3"), (1, "6"), (2, None)]
    assert "not a known instrument" in problems[2]["message"]
    assert count(rt, AssessmentSubmission) == 0

    not_fhir = client.post(
        f"/api/v1/clients/{personas.client}/fhir", headers=mine, json={"resourceType": "Patient"}
    )
    assert not_fhir.status_code == 422

    single = client.post(f"/api/v1/clients/{personas.client}/fhir", headers=mine, json=good)
    assert single.status_code == 200 and single.json()["imported"][0]["total"] == 11
    with transaction(rt.sessions) as db:
        row = db.execute(select(AssessmentSubmission)).scalar_one()
        assert (row.uid, row.source, row.total) == ("good", "fhir-import", 11)
