"""Intake and matching through real HTTP: the person's steps, safety, validation, the
coordinator's queue and matches, accepting a match, profiles and self-registration."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from sqlalchemy import select

from mindbridge.access.domain import Role
from mindbridge.accounts import service as accounts_service
from mindbridge.accounts.domain import hash_password
from mindbridge.alerts.models import Alert
from mindbridge.assessments.models import AssessmentSubmission
from mindbridge.audit.models import AuditEvent
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.db import transaction
from mindbridge.intake.models import Intake, IntakeMatch
from mindbridge.jobs.models import OutboxEvent
from tests.conftest import PASSWORD, PERSONA_EMAILS, csrf_of, login

NEW = "new.person@test.example"
PHQ9 = {"1": 2, "2": 2, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 0, "9": 0}  # 9
GAD7 = {"1": 2, "2": 2, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1}  # 9
PROFILE = {
    "specialties": ["anxiety", "sleep"],
    "languages": ["en"],
    "modalities": ["video"],
    "times": ["weekday_evening"],
    "gender": "woman",
    "capacity": "10",
    "accepting": "yes",
}


def _fields(phq9: dict[str, int] = PHQ9, gad7: dict[str, int] = GAD7) -> dict[str, str]:
    return {f"PHQ-9/item-{k}": str(v) for k, v in phq9.items()} | {
        f"GAD-7/item-{k}": str(v) for k, v in gad7.items()
    }


@pytest.fixture
def newcomer(rt) -> int:  # type: ignore[no-untyped-def]
    """A client with no care team yet (invited, password set)."""
    with transaction(rt.sessions) as db:
        user = accounts_service.create_user(
            db, AuditContext(None, "test"), email=NEW, role=Role.CLIENT, display_name="Nia New"
        )
        user.password_hash = hash_password(PASSWORD)
        return user.id


def _post(client, path: str, data: Mapping[str, object], page: str = "/intake"):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def _complete_intake(client) -> None:  # type: ignore[no-untyped-def]
    login(client, NEW)
    assert client.get("/intake").status_code == 200
    assert _post(client, "/intake/questionnaires", _fields()).status_code == 303
    concerns = {"areas": ["anxiety", "sleep"], "concerns": "Worrying about work at night."}
    assert _post(client, "/intake/concerns", concerns).status_code == 303
    prefs = {
        "language": "en",
        "gender": "any",
        "modality": "video",
        "times": ["weekday_evening", "weekend"],
        "timezone": "Europe/London",
    }
    assert _post(client, "/intake/preferences", prefs).status_code == 303
    assert _post(client, "/intake/send", {"share": "yes"}).status_code == 303
    assert "Your intake was sent" in client.get("/intake").text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/intake")})


def _profile(client, clinician_id: int, **changes: object):  # type: ignore[no-untyped-def]
    return _post(
        client, f"/admin/matching/{clinician_id}", {**PROFILE, **changes}, "/admin/matching"
    )


def test_the_whole_intake_ends_in_a_care_relationship(client, rt, personas, newcomer) -> None:  # type: ignore[no-untyped-def]
    _complete_intake(client)
    with transaction(rt.sessions) as db:
        intake = db.execute(select(Intake).where(Intake.person_id == newcomer)).scalar_one()
        assert (intake.status, intake.phq9_total, intake.gad7_total) == ("submitted", 9, 9)
        assert intake.concerns_enc and b"Worrying" not in intake.concerns_enc
        stored = db.execute(
            select(AssessmentSubmission.instrument_id).where(
                AssessmentSubmission.client_id == newcomer
            )
        ).scalars()
        assert sorted(stored) == ["GAD-7", "PHQ-9"]
        intake_id = intake.id
    login(client, PERSONA_EMAILS["admin"])
    assert _profile(client, personas.clinician).status_code == 303
    assert _profile(client, personas.other_clinician, languages=["es"]).status_code == 303
    queue = client.get("/admin/intake").text
    assert f"/admin/intake/{intake_id}" in queue and "Nia New" in queue
    page = client.get(f"/admin/intake/{intake_id}").text
    assert "Worrying about work at night." in page
    assert "Works with anxiety or worry and sleep (2 of 2 concerns)" in page
    assert "Not possible: does not work in English" in page
    assert page.index("Clinician</strong>") < page.index("Other Clinician</strong>")
    refused = _post(
        client,
        f"/admin/intake/{intake_id}/accept",
        {"clinician_id": personas.other_clinician},
        f"/admin/intake/{intake_id}",
    )
    assert refused.status_code == 422 and "cannot take this person" in refused.text
    accepted = _post(
        client,
        f"/admin/intake/{intake_id}/accept",
        {"clinician_id": personas.clinician},
        f"/admin/intake/{intake_id}",
    )
    assert accepted.status_code == 303
    with transaction(rt.sessions) as db:
        assert care_service.is_assigned(db, clinician_id=personas.clinician, client_id=newcomer)
        match = db.execute(select(IntakeMatch)).scalar_one()
        assert match.accepted_by == personas.admin and match.score > 0 and match.reasons
        actions = set(db.execute(select(AuditEvent.action)).scalars())
        assert {"intake.read", "intake.list", "intake.match.accept"} <= actions
    again = _post(
        client,
        f"/admin/intake/{intake_id}/accept",
        {"clinician_id": personas.clinician},
        f"/admin/intake/{intake_id}",
    )
    assert again.status_code == 409
    client.post("/logout", data={"csrf_token": csrf_of(client, "/admin")})
    login(client, PERSONA_EMAILS["clinician"])
    overview = client.get(f"/clients/{newcomer}").text
    assert '-title">Intake</h2>' in overview and "Worrying about work at night." in overview
    assert "PHQ-9 9" in overview


def test_item_9_opens_the_safety_flow_and_tells_someone_at_once(  # type: ignore[no-untyped-def]
    client, rt, personas, newcomer
) -> None:
    login(client, NEW)
    response = _post(client, "/intake/questionnaires", _fields({**PHQ9, "9": 2}))
    assert response.status_code == 200
    assert "have to face this alone" in response.text
    assert "on-call team know" in response.text
    with transaction(rt.sessions) as db:
        intake = db.execute(select(Intake).where(Intake.person_id == newcomer)).scalar_one()
        assert intake.safety_flag and intake.status == "draft"
        # The same safety path as a questionnaire page: the newcomer has not consented to
        # automated alerts, so the alert is suppressed there, and intake tells on-call anyway.
        row = db.execute(
            select(AssessmentSubmission).where(
                AssessmentSubmission.client_id == newcomer,
                AssessmentSubmission.instrument_id == "PHQ-9",
            )
        ).scalar_one()
        assert row is not None and row.safety_alert == "suppressed"
        assert not list(db.execute(select(Alert).where(Alert.client_id == newcomer)).scalars())
        told = [
            json.loads(e.payload)
            for e in db.execute(select(OutboxEvent).where(OutboxEvent.kind == "notify")).scalars()
        ]
        assert any(p["user_id"] == personas.admin and p["kind"] == "intake.safety" for p in told)
        intake_id = intake.id
    client.post("/logout", data={"csrf_token": csrf_of(client, "/intake")})
    login(client, PERSONA_EMAILS["admin"])
    queue = client.get("/admin/intake").text
    assert "safety answer: review today" in queue
    assert client.get(f"/admin/intake/{intake_id}").status_code == 200


def test_risky_concerns_text_is_screened_shown_help_and_stored_encrypted(  # type: ignore[no-untyped-def]
    client, rt, newcomer
) -> None:
    login(client, NEW)
    text = "I have been thinking about killing myself and I have a plan for tonight"
    response = _post(client, "/intake/concerns", {"concerns": text})
    assert response.status_code == 200 and "988" in response.text
    with transaction(rt.sessions) as db:
        intake = db.execute(select(Intake).where(Intake.person_id == newcomer)).scalar_one()
        assert (
            intake.safety_flag and intake.concerns_enc and text.encode() not in intake.concerns_enc
        )
        screened = db.execute(
            select(AuditEvent).where(AuditEvent.action == "safety.screen")
        ).scalars()
        assert [e.client_id for e in screened] == [newcomer]


def test_bad_input_names_the_field_and_writes_nothing(client, rt, newcomer) -> None:  # type: ignore[no-untyped-def]
    login(client, NEW)
    bad = _post(client, "/intake/questionnaires", _fields({**PHQ9, "3": 7}))
    assert bad.status_code == 422 and "PHQ-9 item 3" in bad.text
    empty = _post(client, "/intake/questionnaires", {})
    assert empty.status_code == 422 and "PHQ-9: answer the questions" in empty.text
    prefs = _post(
        client,
        "/intake/preferences",
        {"language": "xx", "times": ["never"], "timezone": "Mars/Olympus"},
    )
    assert prefs.status_code == 422
    for field in ("language:", "availability:", "time zone: Mars/Olympus is not"):
        assert field in prefs.text
    early = _post(client, "/intake/send", {})
    assert early.status_code == 422
    assert "questionnaires: not finished yet" in early.text and "agreement:" in early.text
    with transaction(rt.sessions) as db:
        assert db.execute(select(Intake)).first() is None
        assert (
            db.execute(
                select(AssessmentSubmission).where(AssessmentSubmission.client_id == newcomer)
            ).first()
            is None
        )


def test_missing_items_are_kept_as_a_draft_and_named(client, rt, newcomer) -> None:  # type: ignore[no-untyped-def]
    login(client, NEW)
    partial = {k: v for k, v in PHQ9.items() if k not in ("4", "5")}
    response = _post(client, "/intake/questionnaires", _fields(partial))
    assert response.status_code == 422 and "PHQ-9 questions 4, 5" in response.text
    with transaction(rt.sessions) as db:
        intake = db.execute(select(Intake)).scalar_one()
        assert intake.phq9_total is None and intake.gad7_total == 9


def test_profiles_are_validated_and_admin_only(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["admin"])
    bad = _profile(
        client, personas.clinician, capacity="lots", languages=[], modalities=["carrier pigeon"]
    )
    assert bad.status_code == 422
    for field in ("capacity:", "languages: choose at least one", "ways of meeting: carrier pigeon"):
        assert field in bad.text
    assert _profile(client, 987654).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_of(client, "/admin")})
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get("/admin/intake").status_code == 404
    assert client.get("/admin/matching").status_code == 404


def test_self_registration_only_when_the_service_allows_it(client, rt, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/register").status_code == 404
    monkeypatch.setenv("MINDBRIDGE_INTAKE_SELF_REGISTRATION", "true")
    form = {"display_name": "Sol", "email": "sol@test.example", "timezone": "Europe/Paris"}
    weak = _post(client, "/register", {**form, "password": "short"}, "/register")
    assert weak.status_code == 422 and "password:" in weak.text
    taken = _post(
        client,
        "/register",
        {**form, "email": PERSONA_EMAILS["client"], "password": PASSWORD},
        "/register",
    )
    assert taken.status_code == 422 and "log in or reset your password" in taken.text
    made = _post(client, "/register", {**form, "password": PASSWORD}, "/register")
    assert made.status_code == 303 and made.headers["location"] == "/intake"
    assert "Getting started" in client.get("/intake").text
    with transaction(rt.sessions) as db:
        user = accounts_service.get_by_email(db, "sol@test.example")
        assert user is not None and user.role == "client" and user.timezone == "Europe/Paris"


def test_demo_intake_and_profiles(rt) -> None:  # type: ignore[no-untyped-def]
    from mindbridge.demo.seed import seed_demo
    from mindbridge.intake import matching
    from mindbridge.intake import service as intake_service
    from mindbridge.intake.demo import DEMO_INTAKE
    from mindbridge.intake.models import ClinicianProfile

    with transaction(rt.sessions) as db:
        demo = seed_demo(db, rt.vault, password=PASSWORD)
        profiles = list(db.execute(select(ClinicianProfile)).scalars())
        assert {p.clinician_id for p in profiles} == {c.id for c in demo.clinicians}
        waiting = list(db.execute(select(Intake).where(Intake.status == "submitted")).scalars())
        person = accounts_service.get_by_email(db, DEMO_INTAKE)
        assert person is not None and [i.person_id for i in waiting] == [person.id]
        assert not care_service.care_team(db, client_id=person.id)
        offers, _ = intake_service.offers(db)
        ranked = matching.rank(intake_service.needs_of(waiting[0]), offers, at=demo.now)
        assert ranked[0].eligible and ranked[0].reasons
