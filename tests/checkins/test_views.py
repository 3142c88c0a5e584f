"""Check-ins end to end through real HTTP: form and API, screening first, encryption at rest,
idempotent API, care-team reads only with consent, and analysis queued, never in plaintext."""

from __future__ import annotations

import json

from sqlalchemy import select

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts.models import Alert
from mindbridge.audit.service import AuditContext
from mindbridge.checkins.models import Checkin
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.jobs.models import OutboxEvent
from tests.conftest import PERSONA_EMAILS, csrf_of, login

NOTE = "Long day at the office, the quarterly figures were late again"


def _post_form(client, data):  # type: ignore[no-untyped-def]
    return client.post(
        "/checkin", data={**data, "csrf_token": csrf_of(client, "/checkin")}, follow_redirects=False
    )


def test_form_checkin_is_saved_encrypted_and_queued(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/checkin")
    assert page.status_code == 200 and 'name="mood"' in page.text and "exercise" in page.text
    response = _post_form(
        client,
        {
            "mood": "4",
            "anxiety": "7",
            "energy": "3",
            "sleep_hours": "5.5",
            "sleep_quality": "1",
            "emotions": ["worried", "tired"],
            "tags": ["work"],
            "custom_tag": "deadline",
            "note": NOTE,
        },
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/checkins")
    history = client.get("/checkins")
    assert NOTE in history.text and "#deadline" in history.text
    with transaction(rt.sessions) as db:
        row = db.execute(select(Checkin)).scalar_one()
        assert (row.mood, row.anxiety, row.sleep_hours, row.tags) == (
            4,
            7,
            5.5,
            ["work", "deadline"],
        )
        assert row.note_enc is not None and NOTE.encode() not in row.note_enc
        events = (
            db.execute(select(OutboxEvent).where(OutboxEvent.kind == "language.analyze"))
            .scalars()
            .all()
        )
        assert len(events) == 1
        assert "quarterly" not in events[0].payload  # the queued text is ciphertext
        assert json.loads(events[0].payload)["source"] == "checkin"


def test_invalid_form_keeps_input_and_writes_nothing(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    response = _post_form(client, {"anxiety": "12", "note": NOTE})
    assert response.status_code == 422
    assert "mood: required" in response.text and "anxiety: must be" in response.text
    assert NOTE in response.text  # the note is kept for another try
    with transaction(rt.sessions) as db:
        assert db.execute(select(Checkin)).first() is None
        assert (
            db.execute(select(OutboxEvent).where(OutboxEvent.kind == "language.analyze")).first()
            is None
        )


def test_crisis_note_shows_the_fixed_response_and_alerts(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    response = _post_form(
        client,
        {"mood": "1", "anxiety": "9", "note": "I want to kill myself tonight, I have the pills"},
    )
    assert response.status_code == 200
    assert 'id="crisis"' in response.text and "988" in response.text
    with transaction(rt.sessions) as db:
        alert = db.execute(select(Alert)).scalar_one()
        assert alert.client_id == personas.client and alert.level == "imminent"
        assert db.execute(select(Checkin.risk_level)).scalar_one() == "imminent"


def test_api_checkin_is_idempotent_by_client_ref(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    body = {"mood": 6, "anxiety": 2, "tags": ["exercise"], "client_ref": "phone-123"}
    first = client.post("/api/v1/checkins", json=body, headers=headers)
    again = client.post("/api/v1/checkins", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert first.json()["id"] == again.json()["id"]
    listed = client.get("/api/v1/checkins").json()
    assert [c["mood"] for c in listed] == [6]


def test_api_rejects_bad_input_naming_fields(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    headers = {"X-CSRF-Token": csrf_of(client, "/")}
    response = client.post(
        "/api/v1/checkins", json={"mood": 11, "anxiety": 3, "extra": 1}, headers=headers
    )
    assert response.status_code == 422
    text = response.text
    assert "mood" in text and "extra" in text
    future = client.post(
        "/api/v1/checkins",
        json={"mood": 5, "anxiety": 3, "recorded_at": "2999-01-01T00:00:00+00:00"},
        headers=headers,
    )
    assert future.status_code == 422 and "future" in future.text
    with transaction(rt.sessions) as db:
        assert db.execute(select(Checkin)).first() is None


def test_only_clients_check_in(client) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get("/checkin").status_code == 404
    assert client.get("/api/v1/checkins").status_code == 404


def test_delete_is_own_only(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    _post_form(client, {"mood": "5", "anxiety": "5", "note": NOTE})
    with transaction(rt.sessions) as db:
        checkin_id = db.execute(select(Checkin.id)).scalar_one()
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, PERSONA_EMAILS["other_client"])
    token = csrf_of(client, "/checkins")
    assert (
        client.post(f"/checkins/{checkin_id}/delete", data={"csrf_token": token}).status_code == 404
    )
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, PERSONA_EMAILS["client"])
    token = csrf_of(client, "/checkins")
    response = client.post(
        f"/checkins/{checkin_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    with transaction(rt.sessions) as db:
        assert db.execute(select(Checkin)).first() is None


def test_care_team_insights_follow_consent(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    for mood in (3, 6):
        _post_form(client, {"mood": str(mood), "anxiety": "4"})
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}/insights")
    assert page.status_code == 200 and "2 check-ins" in page.text
    assert "Not shared with the care team: journal" in page.text
    assert client.get(f"/clients/{personas.other_client}/insights").status_code == 404
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(actor=None, request_id="t"),
            client_id=personas.client,
            wanted={(Stream.CHECKINS, Purpose.CARE_TEAM): False},
        )
    assert client.get(f"/clients/{personas.client}/insights").status_code == 404


def test_today_invites_a_checkin_and_shows_the_last_one(client, rt) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    assert "A twenty-second check-in" in client.get("/today").text
    _post_form(client, {"mood": "5", "anxiety": "5"})
    page = client.get("/today").text
    assert "Your last check-in was on" in page and 'href="/checkin"' in page
    assert "Complete your intake" not in page  # the fixture client has a care team
