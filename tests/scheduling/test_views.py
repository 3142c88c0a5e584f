"""Booking over HTTP: availability, booking, double booking, cancelling, reminders, ICS."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mindbridge.db import transaction, utcnow
from mindbridge.jobs import outbox
from mindbridge.jobs.models import OutboxEvent
from mindbridge.notifications.models import Notification
from mindbridge.scheduling.models import Appointment
from tests.conftest import PERSONA_EMAILS, csrf_of, login

EVERY_DAY = {f"start_{d}": "09:00" for d in range(7)} | {f"end_{d}": "17:00" for d in range(7)}


def _publish(client) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["clinician"])
    r = client.post(
        "/schedule/availability", data={**EVERY_DAY, "csrf_token": csrf_of(client, "/schedule")}
    )
    assert r.status_code == 200 and "Availability saved" in r.text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/schedule")})


def _first_slot(client) -> str:  # type: ignore[no-untyped-def]
    import re

    page = client.get("/appointments").text
    match = re.search(r'name="starts_at" value="([^"]+)"', page)
    assert match, "no free slot offered"
    return match.group(1)


def _book(client, personas, starts_at: str) -> int:  # type: ignore[no-untyped-def]
    return client.post(
        "/appointments",
        data={
            "clinician_id": personas.clinician,
            "starts_at": starts_at,
            "csrf_token": csrf_of(client, "/appointments"),
        },
        follow_redirects=False,
    ).status_code


def test_client_books_and_gets_reminders_once(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _publish(client)
    login(client, PERSONA_EMAILS["client"])
    start = _first_slot(client)
    assert _book(client, personas, start) == 303
    page = client.get("/appointments").text
    assert "with Clinician" in page
    with transaction(rt.sessions) as db:
        events = list(
            db.execute(
                select(OutboxEvent).where(OutboxEvent.kind == "appointment.reminder")
            ).scalars()
        )
        assert len(events) == 2 and all(e.available_at > utcnow() for e in events)
        for e in events:  # time passes
            e.available_at = utcnow() - timedelta(seconds=1)
    outbox.dispatch_pending(rt.sessions)
    outbox.dispatch_pending(rt.sessions)
    with transaction(rt.sessions) as db:
        reminders = list(
            db.execute(
                select(Notification).where(Notification.kind == "appointment.reminder")
            ).scalars()
        )
    assert sorted(n.user_id for n in reminders) == sorted([personas.client, personas.clinician] * 2)


def test_double_booking_is_refused(client, personas) -> None:  # type: ignore[no-untyped-def]
    _publish(client)
    login(client, PERSONA_EMAILS["client"])
    start = _first_slot(client)
    assert _book(client, personas, start) == 303
    assert _book(client, personas, start) == 409


def test_only_care_team_clinicians_can_be_booked(client, personas) -> None:  # type: ignore[no-untyped-def]
    login(client, PERSONA_EMAILS["client"])
    r = client.post(
        "/appointments",
        data={
            "clinician_id": personas.other_clinician,
            "starts_at": (utcnow() + timedelta(days=3)).isoformat(),
            "csrf_token": csrf_of(client, "/appointments"),
        },
    )
    assert r.status_code == 404


def test_cancel_rules_and_stale_reminders(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _publish(client)
    login(client, PERSONA_EMAILS["client"])
    assert _book(client, personas, _first_slot(client)) == 303
    with transaction(rt.sessions) as db:
        appt = db.execute(select(Appointment)).scalar_one()
        appt_id = appt.id
        appt.starts_at = utcnow() + timedelta(hours=3)  # now too close to change online
    r = client.post(
        f"/appointments/{appt_id}/cancel", data={"csrf_token": csrf_of(client, "/appointments")}
    )
    assert r.status_code == 422 and "24 hours" in r.text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/appointments")})
    login(client, PERSONA_EMAILS["clinician"])  # clinicians may always cancel
    r = client.post(
        f"/appointments/{appt_id}/cancel",
        data={"csrf_token": csrf_of(client, "/schedule")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with transaction(rt.sessions) as db:
        for e in db.execute(select(OutboxEvent)).scalars():
            e.available_at = utcnow() - timedelta(seconds=1)
    outbox.dispatch_pending(rt.sessions)
    with transaction(rt.sessions) as db:
        kinds = [n.kind for n in db.execute(select(Notification)).scalars()]
    assert "appointment.reminder" not in kinds and kinds.count("appointment.cancelled") == 1


def test_reschedule_moves_the_booking(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    import re

    _publish(client)
    login(client, PERSONA_EMAILS["client"])
    assert _book(client, personas, _first_slot(client)) == 303
    with transaction(rt.sessions) as db:
        appt_id = db.execute(select(Appointment)).scalar_one().id
    page = client.get(f"/appointments/{appt_id}/reschedule").text
    new = re.findall(r'name="starts_at" value="([^"]+)"', page)[3]
    r = client.post(
        f"/appointments/{appt_id}/reschedule",
        data={"starts_at": new, "csrf_token": csrf_of(client, "/appointments")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with transaction(rt.sessions) as db:
        rows = {
            a.status: a.starts_at.isoformat() for a in db.execute(select(Appointment)).scalars()
        }
    assert rows["booked"] == new and "cancelled" in rows


def test_other_people_cannot_touch_an_appointment(client, rt, personas) -> None:  # type: ignore[no-untyped-def]
    _publish(client)
    login(client, PERSONA_EMAILS["client"])
    assert _book(client, personas, _first_slot(client)) == 303
    with transaction(rt.sessions) as db:
        appt_id = db.execute(select(Appointment)).scalar_one().id
    client.post("/logout", data={"csrf_token": csrf_of(client, "/appointments")})
    login(client, PERSONA_EMAILS["other_client"])
    r = client.post(
        f"/appointments/{appt_id}/cancel", data={"csrf_token": csrf_of(client, "/appointments")}
    )
    assert r.status_code == 404


def test_clinician_books_for_a_client_adds_a_video_link_and_exports_ics(client, personas) -> None:  # type: ignore[no-untyped-def]
    _publish(client)
    login(client, PERSONA_EMAILS["clinician"])
    start = (utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    r = client.post(
        f"/clients/{personas.client}/appointments",
        data={"starts_at": start.isoformat(), "csrf_token": csrf_of(client, "/schedule")},
        follow_redirects=False,
    )
    assert r.status_code in (303, 409)  # 409 only if 10:00 UTC is outside 09:00-17:00 local
    if r.status_code == 409:
        return
    import re

    page = client.get("/schedule").text
    appt_id = re.search(r"/appointments/(\d+)/video-link", page).group(1)  # type: ignore[union-attr]
    bad = client.post(
        f"/appointments/{appt_id}/video-link",
        data={"url": "ftp://x", "csrf_token": csrf_of(client, "/schedule")},
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/appointments/{appt_id}/video-link",
        data={"url": "https://meet.example.org/r/1", "csrf_token": csrf_of(client, "/schedule")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    ics = client.get("/appointments.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "URL:https://meet.example.org/r/1" in ics.text and "BEGIN:VEVENT" in ics.text
    assert (
        client.post(
            f"/clients/{personas.other_client}/appointments",
            data={"starts_at": start.isoformat(), "csrf_token": csrf_of(client, "/schedule")},
        ).status_code
        == 404
    )
