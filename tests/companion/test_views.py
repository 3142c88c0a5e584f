"""The companion's channels: the chat page (no JavaScript), the REST API, screen-first crisis
handling mid-exercise (fixed text, alert, audit, flow paused), and the care team's view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mindbridge.access.domain import Purpose, Stream
from mindbridge.alerts.models import Alert
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.companion.models import CompanionOutcome
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction
from mindbridge.safety.screening import screen
from mindbridge.safety.templates import crisis_message_for
from tests.conftest import PERSONA_EMAILS, csrf_of, login

GROUNDING = [
    "grounding please",
    "4",
    "a lamp, a cup, a book, a door, a window",
    "my feet, the chair, my shirt, the floor",
    "birds, a car, the fridge",
    "coffee, soap",
    "water",
    "calmer",
    "7",
    "4",
]


def _api(client, text: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/companion")
    response = client.post(
        "/api/v1/companion/messages", json={"text": text}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_greeting_through_the_web_form_without_javascript(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    page = client.get("/companion")
    assert page.status_code == 200
    assert 'action="/companion"' in page.text and 'name="message"' in page.text
    assert '<a href="/companion">Companion</a>' in page.text
    sent = client.post(
        "/companion", data={"message": "hello", "csrf_token": csrf_of(client, "/companion")}
    )
    assert sent.status_code == 200
    assert "How are you feeling today?" in sent.text
    again = client.get("/companion")  # the conversation is kept between requests
    assert "hello" in again.text and "How are you feeling today?" in again.text
    empty = client.post(
        "/companion", data={"message": "  ", "csrf_token": csrf_of(client, "/companion")}
    )
    assert empty.status_code == 422 and "Type a message first." in empty.text


def test_api_greeting_and_a_full_exercise_stores_its_outcome(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    hello = _api(client, "hello")
    assert set(hello) == {"reply", "flow", "risk_level", "suggestions"}
    assert "How are you feeling today?" in hello["reply"] and hello["risk_level"] == "none"
    replies = [_api(client, line) for line in GROUNDING]
    assert replies[0]["flow"] == "grounding_54321"
    assert "Look around you" in replies[1]["reply"][-1]  # state survived across requests
    assert any("This works anywhere" in m for m in replies[-1]["reply"])
    with transaction(rt.sessions) as db:
        rows = list(db.execute(select(CompanionOutcome)).scalars())
    assert len(rows) == 1
    row = rows[0]
    assert (row.client_id, row.flow_id, row.completed) == (personas.client, "grounding_54321", True)
    assert (row.mood_before, row.mood_after, row.helpfulness) == (4, 7, 4)
    assert b"calmer" not in row.outputs_enc


def test_api_refuses_other_roles_and_anonymous(client, personas) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.post(
        "/api/v1/companion/messages", json={"text": "hi"}, headers={"Authorization": "Bearer x"}
    )
    assert anonymous.status_code == 401
    login(client, PERSONA_EMAILS["clinician"])
    token = csrf_of(client, "/")
    response = client.post(
        "/api/v1/companion/messages", json={"text": "hi"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 404


def _consent(rt, client_id: int, purpose: Purpose, granted: bool) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            AuditContext(actor=None, request_id="test"),
            client_id=client_id,
            wanted={(Stream.COMPANION, purpose): granted},
        )


def test_crisis_mid_flow_gives_fixed_text_alert_audit_and_pauses(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _consent(rt, personas.client, Purpose.AUTOMATED_ALERTS, True)
    login(client, PERSONA_EMAILS["client"])
    for line in GROUNDING[:3]:
        _api(client, line)
    context = ("grounding please", "4", "a lamp, a cup, a book, a door, a window")
    text = "I want to kill myself"
    crisis = _api(client, text)
    assert crisis["risk_level"] in {"elevated", "imminent"}
    with transaction(rt.sessions) as db:
        alerts = list(db.execute(select(Alert)).scalars())
        audits = list(
            db.execute(select(AuditEvent).where(AuditEvent.action == "safety.screen")).scalars()
        )
    assert [(a.client_id, a.source) for a in alerts] == [(personas.client, "companion")]
    assert any("companion" in str(a.detail) and a.client_id == personas.client for a in audits)
    assert audits and all(text not in str(a.detail) for a in audits)
    expected = crisis_message_for(
        screen(text, context=context),
        locale="en-US",
        has_safety_plan=False,
        care_team_alerted=True,
    )
    assert expected is not None
    assert crisis["reply"] == [expected.text()]  # exactly the fixed template
    page = client.get("/companion")
    assert "Help now / My safety plan" in page.text
    # the flow is paused, and resumes at its question once the person is safe
    for line in ["I'm safe now", "I'm safe now, I won't act on it", "continue"]:
        resumed = _api(client, line)
        if resumed["flow"] == "grounding_54321" and "4 things you can feel" in " ".join(
            resumed["reply"]
        ):
            break
    else:
        raise AssertionError(f"flow did not resume: {resumed}")


def test_clinician_sees_outcomes_only_with_companion_consent(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    for line in GROUNDING:
        _api(client, line)
    client.post("/logout", data={"csrf_token": csrf_of(client, "/companion")})
    url = f"/clients/{personas.client}/companion"
    login(client, PERSONA_EMAILS["clinician"])
    with transaction(rt.sessions) as db:
        shared = consent_service.current(db, client_id=personas.client).granted(
            Stream.COMPANION, Purpose.CARE_TEAM
        )
    page = client.get(url)
    if shared:
        assert page.status_code == 200 and "grounding_54321" in page.text
        _consent(rt, personas.client, Purpose.CARE_TEAM, False)
        page = client.get(url)
    assert page.status_code == 404 and "grounding_54321" not in page.text
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(url).status_code == 404
