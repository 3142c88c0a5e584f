"""Triage list and client overview through real HTTP: order, reasons, filters, sharing, audit."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from mindbridge.access.domain import Purpose, Stream
from mindbridge.audit.models import AuditEvent
from mindbridge.consent import service as consent_service
from mindbridge.db import transaction, utcnow
from tests.conftest import PERSONA_EMAILS, csrf_of, login
from tests.workspace import history


def _audit(rt, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        rows = list(db.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())
        db.expunge_all()
        return rows


def _second_client(rt, personas) -> int:  # type: ignore[no-untyped-def]
    """Another client on the assigned clinician's caseload, sharing everything."""
    from mindbridge.access.domain import Role
    from mindbridge.accounts import service as accounts_service
    from mindbridge.audit.service import AuditContext
    from mindbridge.care import service as care_service

    with transaction(rt.sessions) as db:
        ctx = AuditContext(None, "test")
        user = accounts_service.create_user(
            db, ctx, email="zed@test.example", role=Role.CLIENT, display_name="Zed Quiet"
        )
        care_service.assign(db, clinician_id=personas.clinician, client_id=user.id, by=None)
        consent_service.set_consent(
            db,
            ctx,
            client_id=user.id,
            wanted={
                (s, p): True for s in Stream for p in (Purpose.CARE_TEAM, Purpose.AUTOMATED_ALERTS)
            },
        )
        return user.id


def test_triage_puts_the_overdue_alert_first_and_says_why(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    quiet = _second_client(rt, personas)
    now = utcnow()
    with transaction(rt.sessions) as db:
        history.alert(
            db,
            rt.vault,
            client_id=personas.client,
            level="elevated",
            age=timedelta(hours=30),
            now=now,
        )
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get("/caseload")
    assert page.status_code == 200
    text = page.text
    assert text.index("Client") < text.index("Zed Quiet"), "the client with the alert comes first"
    assert "Elevated alert open 30 h: past its 24 h response target by 6 h" in text
    assert "<strong>urgent</strong>" in text
    assert "Nothing needs attention." in text  # Zed
    listed = _audit(rt, "caseload.list")
    assert json.loads(listed[-1].detail)["clients"] == [personas.client, quiet]


def test_triage_list_view_is_audited_with_the_clients_shown(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    quiet = _second_client(rt, personas)
    login(client, PERSONA_EMAILS["clinician"])
    assert client.get("/caseload?q=zed").status_code == 200
    rows = _audit(rt, "caseload.list")
    assert len(rows) == 1 and rows[0].actor_id == personas.clinician
    assert json.loads(rows[0].detail) == {"clients": [quiet], "filtered": True}


def test_search_and_filter(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _second_client(rt, personas)
    now = utcnow()
    with transaction(rt.sessions) as db:
        history.alert(db, rt.vault, client_id=personas.client, age=timedelta(hours=1), now=now)
    login(client, PERSONA_EMAILS["clinician"])
    alerts_only = client.get("/caseload?show=alert").text
    assert "Zed Quiet" not in alerts_only and f"/clients/{personas.client}" in alerts_only
    assert "Open alerts (1)" in alerts_only
    by_name = client.get("/caseload?q=QUIET+zed").text
    assert "Zed Quiet" in by_name and f'/clients/{personas.client}"' not in by_name
    bad = client.get("/caseload?show=everything")
    assert bad.status_code == 422 and "show: choose one of" in bad.text


def test_reliable_deterioration_and_overdue_measure_are_reasons(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        history.submit(
            db,
            rt.vault,
            client_id=personas.client,
            instrument="PHQ-9",
            total=6,
            at=now - timedelta(days=40),
        )
        history.submit(
            db,
            rt.vault,
            client_id=personas.client,
            instrument="PHQ-9",
            total=15,
            at=now - timedelta(days=2),
        )
    login(client, PERSONA_EMAILS["clinician"])
    token = csrf_of(client, f"/clients/{personas.client}/measures")
    start = (now - timedelta(days=30)).date().isoformat()
    client.post(
        f"/clients/{personas.client}/measures/assignments",
        data={
            "instrument": "GAD-7",
            "every": "1",
            "unit": "weeks",
            "starts": start,
            "grace_days": "1",
            "csrf_token": token,
        },
    )
    text = client.get("/caseload").text
    assert (
        "PHQ-9: reliable deterioration, 6 to 15 (+9 points; 6 or more counts as reliable)" in text
    )
    assert "GAD-7 overdue for" in text


def test_not_shared_stream_is_named_not_hidden(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            history.as_client(personas.client),
            client_id=personas.client,
            wanted={(Stream.QUESTIONNAIRES, Purpose.CARE_TEAM): False},
        )
    login(client, PERSONA_EMAILS["clinician"])
    text = client.get("/caseload").text
    assert "Not shared with the care team: questionnaire answers and scores." in text
    overview = client.get(f"/clients/{personas.client}").text
    assert "does not share questionnaire answers and scores with the care team" in overview


def test_overview_renders_each_section_through_an_audited_grant(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with transaction(rt.sessions) as db:
        history.submit(
            db,
            rt.vault,
            client_id=personas.client,
            instrument="PHQ-9",
            total=16,
            at=now - timedelta(days=60),
        )
        history.submit(
            db,
            rt.vault,
            client_id=personas.client,
            instrument="PHQ-9",
            total=8,
            at=now - timedelta(days=3),
        )
        history.alert(
            db,
            rt.vault,
            client_id=personas.client,
            level="imminent",
            age=timedelta(minutes=5),
            now=now,
        )
    login(client, PERSONA_EMAILS["clinician"])
    page = client.get(f"/clients/{personas.client}")
    assert page.status_code == 200
    text = page.text
    for title in ("Alerts", "Questionnaires", "Appointments", "Session notes"):
        assert f'-title">{title}</h2>' in text
    assert "1 alert in the last 12 months (1 imminent). 1 not yet resolved." in text
    assert "That is a reliable improvement" in text  # the trajectory's text summary
    assert '<svg viewBox="0 0' in text and "<title" in text
    assert f'href="/clients/{personas.client}/measures"' in text
    reads = {(e.action, e.client_id) for e in _audit(rt, "questionnaires.read")}
    assert ("questionnaires.read", personas.client) in reads
    assert _audit(rt, "clinician_notes.read")


def test_overview_books_a_session_from_the_clinicians_free_slots(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    import re

    every_day = {f"start_{d}": "09:00" for d in range(7)} | {f"end_{d}": "17:00" for d in range(7)}
    login(client, PERSONA_EMAILS["clinician"])
    client.post(
        "/schedule/availability", data={**every_day, "csrf_token": csrf_of(client, "/schedule")}
    )
    page = client.get(f"/clients/{personas.client}").text
    slot = re.search(r'<option value="([^"]+)">', page)
    assert slot, "the overview offers free slots"
    booked = client.post(
        f"/clients/{personas.client}/appointments",
        data={
            "starts_at": slot.group(1),
            "csrf_token": csrf_of(client, f"/clients/{personas.client}"),
        },
        follow_redirects=False,
    )
    assert booked.status_code == 303
    assert "booked ahead" in client.get(f"/clients/{personas.client}").text


def test_other_clinician_gets_404_and_the_denial_is_audited(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["other_clinician"])
    assert client.get(f"/clients/{personas.client}").status_code == 404
    assert f'/clients/{personas.client}"' not in client.get("/caseload").text
    denied = [e for e in _audit(rt, "care_record.read") if e.outcome == "denied"]
    assert denied and denied[-1].client_id == personas.client


def test_each_client_read_for_triage_is_audited_once_with_what_was_read(  # type: ignore[no-untyped-def]
    client, rt, personas
) -> None:
    with transaction(rt.sessions) as db:
        consent_service.set_consent(
            db,
            history.as_client(personas.client),
            client_id=personas.client,
            wanted={(Stream.QUESTIONNAIRES, Purpose.CARE_TEAM): False},
        )
    login(client, PERSONA_EMAILS["clinician"])
    client.get("/caseload")
    rows = _audit(rt, "caseload.triage.read")
    assert [r.client_id for r in rows] == [personas.client]
    detail = json.loads(rows[0].detail)
    assert "care_record" in detail["read"] and "questionnaires" not in detail["read"]
    assert {"resource": "questionnaires", "reason": "client does not share this stream"} in detail[
        "not_read"
    ]
