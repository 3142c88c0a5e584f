"""Sign-off of exercise flows at this service: clinicians sign off a version once each (audited),
and with `companion_signed_off_only` on, clients, homework and the recommender see only signed-off
flows, until a new version of the file needs a new sign-off."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from mindbridge.audit.models import AuditEvent
from mindbridge.companion.flowspec import default_flows
from mindbridge.companion.models import FlowSignoff
from mindbridge.companion.signoffs import NOT_SIGNED_OFF, held
from mindbridge.recommender.guardrails import Controls
from mindbridge.recommender.service import Rules
from mindbridge.runtime import Runtime
from tests.conftest import PERSONA_EMAILS, Personas, csrf_of, login

GROUNDING = "grounding_54321"


def _sign(client: TestClient, flow_id: str, note: str = "") -> Any:
    token = csrf_of(client, f"/exercises/{flow_id}")
    return client.post(
        f"/exercises/{flow_id}/signoff",
        data={"csrf_token": token, "note": note},
        follow_redirects=False,
    )


def _say(client: TestClient, text: str) -> dict[str, Any]:
    token = csrf_of(client, "/companion")
    response = client.post(
        "/api/v1/companion/messages", json={"text": text}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_held_needs_the_current_version_signed_or_reviewed_in_the_file() -> None:
    flows = default_flows()
    assert held(flows, {}, signed_off_only=False) == {}
    everything = held(flows, {}, signed_off_only=True)
    assert set(everything) == {f.id for f in flows.values() if f.review_status != "reviewed"}
    assert set(everything.values()) == {NOT_SIGNED_OFF}
    version = flows[GROUNDING].version
    assert GROUNDING not in held(flows, {GROUNDING: {version}}, signed_off_only=True)
    assert GROUNDING in held(flows, {GROUNDING: {"0.9.0"}}, signed_off_only=True)  # an old one
    reviewed = flows[GROUNDING].model_copy(
        update={"review_status": "reviewed", "reviewed_by": "A. Reviewer, 2026-12-01"}
    )
    assert held({GROUNDING: reviewed}, {}, signed_off_only=True) == {}


def test_a_held_exercise_is_excluded_and_never_pinned() -> None:
    rules = Rules(
        Controls(pinned=(GROUNDING, "paced_breathing")),
        frozenset(),
        held={GROUNDING: NOT_SIGNED_OFF},
    )
    assert rules.effective_controls.pinned == ("paced_breathing",)
    allowed, blocked = rules.eligibility()
    assert GROUNDING not in allowed and "paced_breathing" in allowed
    assert {b.exercise_id: b.reason for b in blocked}[GROUNDING] == NOT_SIGNED_OFF


def test_a_clinician_signs_off_a_version_once_and_it_is_audited(
    client: TestClient, rt: Runtime, personas: Personas
) -> None:
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/exercises/{GROUNDING}")
    version = default_flows()[GROUNDING].version
    assert f"Version {version} has not been signed off here yet." in page.text
    assert f"Sign off version {version}" in page.text

    signed = _sign(client, GROUNDING, note="Checked the wording against our grounding leaflet.")
    assert signed.status_code == 303 and signed.headers["location"].endswith("?signed=1")
    page = client.get(signed.headers["location"])
    assert "Signed off. Thank you." in page.text
    assert f"Version {version} signed off by Clinician on" in page.text
    assert "Checked the wording against our grounding leaflet." in page.text
    assert "Sign off version" not in page.text  # once per clinician and version

    again = _sign(client, GROUNDING)
    assert again.status_code == 422
    assert f"You have already signed off version {version}" in again.text
    too_long = _sign(client, "paced_breathing", note="x" * 1001)
    assert too_long.status_code == 422 and "at most 1000 characters" in too_long.text

    with rt.sessions() as db:
        rows = db.scalars(select(FlowSignoff)).all()
        assert [(r.flow_id, r.version, r.reviewer_id) for r in rows] == [
            (GROUNDING, version, personas.clinician)
        ]
        audited = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "companion.flow_signoff")
        ).all()
        assert [(a.resource_id, a.actor_id) for a in audited] == [(GROUNDING, personas.clinician)]

    library = client.get("/exercises")
    assert "This service offers clients every exercise" in library.text

    login(client, PERSONA_EMAILS["admin"])  # admins read, but only clinicians sign off
    assert "Sign off version" not in client.get(f"/exercises/{GROUNDING}").text
    token = csrf_of(client, f"/exercises/{GROUNDING}")
    refused = client.post(
        f"/exercises/{GROUNDING}/signoff", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 404


def test_with_the_gate_on_clients_get_only_signed_off_exercises(
    client: TestClient, rt: Runtime, personas: Personas
) -> None:
    rt.settings.companion_signed_off_only = True
    try:
        login(client, PERSONA_EMAILS["client"])
        menu = client.get("/companion").text
        assert menu.count(f"Not available: {NOT_SIGNED_OFF}.") == len(default_flows())
        refused = _say(client, "grounding please")
        assert refused["flow"] is None
        assert "something to set up together with" in " ".join(refused["reply"])

        login(client, PERSONA_EMAILS["clinician"])
        homework = client.get(f"/clients/{personas.client}/homework").text
        assert f"{len(default_flows())} exercises are not listed" in homework
        token = csrf_of(client, f"/clients/{personas.client}/homework")
        assigned = client.post(
            f"/clients/{personas.client}/homework",
            data={
                "csrf_token": token,
                "exercise": GROUNDING,
                "due": str(date.today() + timedelta(days=2)),
            },
        )
        assert assigned.status_code == 422
        assert "Read it and sign it off on the exercises page first." in assigned.text
        library = client.get("/exercises").text
        assert f"{len(default_flows())} of {len(default_flows())} are not offered yet" in library
        assert _sign(client, GROUNDING).status_code == 303

        login(client, PERSONA_EMAILS["client"])
        menu = client.get("/companion").text
        assert menu.count(f"Not available: {NOT_SIGNED_OFF}.") == len(default_flows()) - 1
        started = _say(client, "grounding please")
        assert started["flow"] == GROUNDING
    finally:
        rt.settings.companion_signed_off_only = False
